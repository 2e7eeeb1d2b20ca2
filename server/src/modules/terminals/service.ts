import { createHash } from 'node:crypto';
import { and, count, eq, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { addDays, shanghaiDate } from '../../../../shared/dates';
import { maskAddress, maskName } from '../../../../shared/mask';
import {
  MAX_TERMINAL_PAY_FEN,
  type terminalPay,
  type terminalQuery,
  type terminalReverse,
  type TerminalPayResult,
} from '../../../../shared/contracts/terminals';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { terminalDays, terminalTransactions } from '../../db/schema';
import { AppError } from '../../errors';
import { accountByNo } from '../accounts/published';
import { allocatePayment, openReceivables, reverseAllocation } from '../billing/allocation';
import { billingStanding } from '../billing/published';
import type { TerminalIdentity } from './registry';

type PayMessage = z.output<NonNullable<(typeof terminalPay)['body']>>;
type ReverseMessage = z.output<NonNullable<(typeof terminalReverse)['body']>>;
type QueryReply = z.input<(typeof terminalQuery)['response']>;
type PayReply = z.input<typeof TerminalPayResult>;

export interface Replayable<T> {
  result: T;
  /** True when the serial was seen before with the same content: `result` is the first reply. */
  replayed: boolean;
}

type TransactionRow = typeof terminalTransactions.$inferSelect;
type NewTerminalTransaction = typeof terminalTransactions.$inferInsert;

const digestOf = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/** The ref under which a terminal payment is allocated in billing (and a reversal undoes it). */
/** The pays a terminal posted on an accounting day: what its day close totals and its reconciliation compares. */
export const postedPays = (terminalPk: TransactionRow['terminalPk'], date: string) =>
  and(
    eq(terminalTransactions.terminalPk, terminalPk),
    eq(terminalTransactions.accountingDate, date),
    eq(terminalTransactions.kind, 'pay'),
    eq(terminalTransactions.status, 'posted'),
  );

export const terminalRef = (terminalId: string, date: string, serial: string) => `terminal:${terminalId}:${date}:${serial}`;

/**
 * The terminal protocol's business messages. A terminal works inside an accounting day it opens
 * with sign-in and closes with sign-out; pays and reversals are idempotent on (terminal,
 * accounting date, serial), and each holds a share lock on its day so a sign-out waits for them
 * and counts exactly what was accepted.
 */
export function createTerminalService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  /** The day must be open; the share lock keeps a concurrent sign-out from closing it under us. */
  async function requireOpenDay(tx: Tx, terminal: TerminalIdentity, date: string): Promise<void> {
    const [day] = await tx.db
      .select({ status: terminalDays.status })
      .from(terminalDays)
      .where(and(eq(terminalDays.terminalPk, terminal.pk), eq(terminalDays.accountingDate, date)))
      .for('share');
    if (!day) throw new AppError('NOT_SIGNED_IN', `Accounting day ${date} is not signed in`);
    if (day.status !== 'open') throw new AppError('DAY_CLOSED', `Accounting day ${date} is signed out`);
  }

  /** A serial already on record: the same content is a replay (the first reply), other content is refused. */
  function replayOf<T>(row: TransactionRow, digest: string, serial: string): Replayable<T> {
    if (row.digest !== digest) throw new AppError('SERIAL_REUSED', `Serial ${serial} was already used for a different request on this accounting day`);
    return { result: row.result as T, replayed: true };
  }

  const findSerial = async (tx: Tx, terminal: TerminalIdentity, date: string, serial: string, lock = false): Promise<TransactionRow | undefined> => {
    const query = tx.db
      .select()
      .from(terminalTransactions)
      .where(and(eq(terminalTransactions.terminalPk, terminal.pk), eq(terminalTransactions.accountingDate, date), eq(terminalTransactions.serial, serial)));
    return (await (lock ? query.for('update') : query))[0];
  };

  /** The reply a repeat of this serial gets (json: stored byte for byte). */
  // The reply is stored with the transaction's last writes (queued: nothing reads it before the commit).
  const setResult = (tx: Tx, id: number, result: unknown) =>
    tx.defer(tx.db.update(terminalTransactions).set({ result }).where(eq(terminalTransactions.id, id)));
  /**
   * Claims the serial for this message: a concurrent twin waits on the insert until this
   * transaction ends, then finds the serial taken. Undefined when it was taken.
   */
  const claimSerial = async (
    tx: Tx,
    terminal: TerminalIdentity,
    date: string,
    message: Pick<NewTerminalTransaction, 'serial' | 'kind' | 'digest' | 'accountNo' | 'amountFen'> &
      Partial<Pick<NewTerminalTransaction, 'accountId' | 'allocationRef' | 'originalSerial'>>,
  ) => {
    const [claimed] = await tx.db
      .insert(terminalTransactions)
      .values({ ...message, terminalPk: terminal.pk, accountingDate: date, status: 'posted', createdAt: clock.now() })
      .onConflictDoNothing()
      .returning({ id: terminalTransactions.id });
    return claimed;
  };

  return {
    async signin(terminal: TerminalIdentity, date: string) {
      const today = shanghaiDate(clock.now());
      if (date < addDays(today, -1) || date > addDays(today, 1))
        throw new AppError('ACCOUNTING_DATE_INVALID', `The accounting date must be within a day of today (${today}, Shanghai)`);
      return database.transaction(async (tx) => {
        // Either key refuses the insert: the same day again, or another day still open.
        await tx.db.insert(terminalDays).values({ terminalPk: terminal.pk, accountingDate: date, openedAt: clock.now() }).onConflictDoNothing();
        const rows = await tx.db
          .select({ date: terminalDays.accountingDate, status: terminalDays.status, openedAt: terminalDays.openedAt })
          .from(terminalDays)
          .where(and(eq(terminalDays.terminalPk, terminal.pk), or(eq(terminalDays.accountingDate, date), eq(terminalDays.status, 'open'))));
        const day = rows.find((row) => row.date === date);
        if (day?.status === 'closed') throw new AppError('DAY_CLOSED', `Accounting day ${date} is already signed out`);
        if (!day) throw new AppError('DAY_STILL_OPEN', `Sign out of ${rows[0]!.date} first`, { openDay: rows[0]!.date });
        return { terminalId: terminal.terminalId, accountingDate: date, status: 'open' as const, openedAt: day.openedAt.toISOString() };
      });
    },

    async query(terminal: TerminalIdentity, accountNo: string): Promise<QueryReply> {
      // The open day (ours) and the account (accounts'), then its standing and bills (billing's): two steps, each asked at once.
      const [[open], account] = await Promise.all([
        database.db
          .select({ terminalPk: terminalDays.terminalPk })
          .from(terminalDays)
          .where(and(eq(terminalDays.terminalPk, terminal.pk), eq(terminalDays.status, 'open'))),
        accountByNo(database.db, accountNo),
      ]);
      if (!open) throw new AppError('NOT_SIGNED_IN', 'Sign in to an accounting day first');
      if (!account) throw new AppError('ACCOUNT_UNKNOWN', `No electricity account ${accountNo}`);
      const [standing, receivables] = await Promise.all([billingStanding(database.db, account.id), openReceivables(database.pool, account.id)]);
      return {
        accountNo,
        holderName: maskName(account.holderName),
        address: maskAddress(account.address),
        billingMode: standing.billingMode,
        receivables: receivables.map((item) => ({
          receivableId: item.receivableId,
          month: item.month,
          dueDate: item.dueDate,
          principalFen: item.principalFen,
          principalOwedFen: item.principalOwedFen,
          lateFeeFen: item.lateFeeOwedFen,
        })),
        totalOwedFen: receivables.reduce((sum, item) => sum + item.principalOwedFen + item.lateFeeOwedFen, 0),
        prepaymentFen: standing.balanceFen,
      };
    },

    async pay(terminal: TerminalIdentity, message: PayMessage): Promise<Replayable<PayReply>> {
      const { serial, accountingDate: date } = message;
      const receivableIds = message.receivableIds ? [...new Set(message.receivableIds)].sort((a, b) => a - b) : null;
      const digest = digestOf(['pay', message.accountNo, message.amountFen, receivableIds]);
      return database.transaction(async (tx) => {
        const seen = await findSerial(tx, terminal, date, serial);
        if (seen) return replayOf<PayReply>(seen, digest, serial);
        if (message.amountFen <= 0 || message.amountFen > MAX_TERMINAL_PAY_FEN)
          throw new AppError('AMOUNT_INVALID', `The amount must be 1 to ${MAX_TERMINAL_PAY_FEN} fen`);
        await requireOpenDay(tx, terminal, date);
        const account = await accountByNo(tx.db, message.accountNo);
        if (!account) throw new AppError('ACCOUNT_UNKNOWN', `No electricity account ${message.accountNo}`);
        const ref = terminalRef(terminal.terminalId, date, serial);
        const claimed = await claimSerial(tx, terminal, date, {
          serial,
          kind: 'pay',
          digest,
          accountId: account.id,
          accountNo: message.accountNo,
          amountFen: message.amountFen,
          allocationRef: ref,
        });
        if (!claimed) return replayOf<PayReply>((await findSerial(tx, terminal, date, serial))!, digest, serial);
        const allocation = await allocatePayment(tx, {
          accountId: account.id,
          amountFen: message.amountFen,
          ref,
          receivableIds: receivableIds ?? undefined,
          source: { channel: 'terminal', terminalId: terminal.terminalId, accountingDate: date, serial },
          at: clock.now(),
        });
        const result: PayReply = {
          serial,
          accountingDate: date,
          accountNo: message.accountNo,
          amountFen: message.amountFen,
          status: 'accepted',
          allocation: { lines: allocation.lines, prepaymentFen: allocation.prepaymentFen },
          acceptedAt: clock.now().toISOString(),
        };
        setResult(tx, claimed.id, result);
        return { result, replayed: false };
      });
    },

    async reverse(terminal: TerminalIdentity, message: ReverseMessage) {
      const { serial, accountingDate: date, originalSerial } = message;
      const digest = digestOf(['reverse', originalSerial, message.amountFen]);
      type ReverseReply = { serial: string; originalSerial: string; accountingDate: string; amountFen: number; status: 'reversed'; reversedAt: string };
      return database.transaction(async (tx): Promise<Replayable<ReverseReply>> => {
        const seen = await findSerial(tx, terminal, date, serial);
        if (seen) return replayOf<ReverseReply>(seen, digest, serial);
        await requireOpenDay(tx, terminal, date);
        const original = await findSerial(tx, terminal, date, originalSerial, true);
        if (!original || original.kind !== 'pay') throw new AppError('ORIGINAL_UNKNOWN', `No payment ${originalSerial} on accounting day ${date}`);
        if (original.status === 'reversed') {
          // A twin of this very reversal got the lock first: answer as it did.
          if (original.reversedBy === serial) return replayOf<ReverseReply>((await findSerial(tx, terminal, date, serial))!, digest, serial);
          throw new AppError('ALREADY_REVERSED', `Payment ${originalSerial} was already reversed`, { reversedBy: original.reversedBy });
        }
        if (message.amountFen !== original.amountFen)
          throw new AppError('AMOUNT_INVALID', `A reversal is for the payment's full amount (${original.amountFen} fen)`);
        const claimed = await claimSerial(tx, terminal, date, {
          serial,
          kind: 'reverse',
          digest,
          accountNo: original.accountNo,
          amountFen: message.amountFen,
          originalSerial,
        });
        if (!claimed) return replayOf<ReverseReply>((await findSerial(tx, terminal, date, serial))!, digest, serial);
        await tx.db
          .update(terminalTransactions)
          .set({ status: 'reversed', reversedBy: serial })
          .where(and(eq(terminalTransactions.id, original.id), eq(terminalTransactions.status, 'posted')));
        await reverseAllocation(tx, original.allocationRef!, terminalRef(terminal.terminalId, date, serial), clock.now());
        const result: ReverseReply = {
          serial,
          originalSerial,
          accountingDate: date,
          amountFen: message.amountFen,
          status: 'reversed',
          reversedAt: clock.now().toISOString(),
        };
        setResult(tx, claimed.id, result);
        return { result, replayed: false };
      });
    },

    /** Closes the day once its in-flight messages finish; the count and total are of the payments that stand. */
    async signout(terminal: TerminalIdentity, date: string) {
      return database.transaction(async (tx) => {
        const thisDay = and(eq(terminalDays.terminalPk, terminal.pk), eq(terminalDays.accountingDate, date));
        const [day] = await tx.db
          .select({ status: terminalDays.status, closedAt: terminalDays.closedAt, payCount: terminalDays.payCount, totalFen: terminalDays.totalFen })
          .from(terminalDays)
          .where(thisDay)
          .for('update');
        if (!day) throw new AppError('NOT_SIGNED_IN', `Accounting day ${date} is not signed in`);
        if (day.status === 'closed')
          return { accountingDate: date, status: 'closed' as const, count: day.payCount!, totalFen: day.totalFen!, closedAt: day.closedAt!.toISOString() };
        // A new statement after the lock: it sees every pay that committed while we waited.
        const [totals] = await tx.db
          .select({ count: count(), total: sql<TransactionRow['amountFen']>`coalesce(sum(${terminalTransactions.amountFen}), 0)::bigint` })
          .from(terminalTransactions)
          .where(postedPays(terminal.pk, date));
        const closedAt = clock.now();
        await tx.db.update(terminalDays).set({ status: 'closed', closedAt, payCount: totals!.count, totalFen: totals!.total }).where(thisDay);
        return { accountingDate: date, status: 'closed' as const, count: totals!.count, totalFen: totals!.total, closedAt: closedAt.toISOString() };
      });
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
