import { createHash } from 'node:crypto';
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
import { AppError } from '../../errors';
import { allocatePayment, openReceivables, reverseAllocation } from '../billing/allocation';
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

interface TransactionRow {
  id: number;
  kind: 'pay' | 'reverse';
  digest: string;
  account_no: string;
  amount_fen: number;
  status: 'posted' | 'reversed';
  reversed_by: string | null;
  allocation_ref: string | null;
  result: unknown;
}

const digestOf = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/** The ref under which a terminal payment is allocated in billing (and a reversal undoes it). */
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
    const {
      rows: [day],
    } = await tx.client.query<{ status: string }>('SELECT status FROM terminal_days WHERE terminal_pk = $1 AND accounting_date = $2 FOR SHARE', [
      terminal.pk,
      date,
    ]);
    if (!day) throw new AppError('NOT_SIGNED_IN', `Accounting day ${date} is not signed in`);
    if (day.status !== 'open') throw new AppError('DAY_CLOSED', `Accounting day ${date} is signed out`);
  }

  /** A serial already on record: the same content is a replay (the first reply), other content is refused. */
  function replayOf<T>(row: TransactionRow, digest: string, serial: string): Replayable<T> {
    if (row.digest !== digest) throw new AppError('SERIAL_REUSED', `Serial ${serial} was already used for a different request on this accounting day`);
    return { result: row.result as T, replayed: true };
  }

  const findSerial = async (tx: Tx, terminal: TerminalIdentity, date: string, serial: string, lock = false) =>
    (
      await tx.client.query<TransactionRow>(
        `SELECT * FROM terminal_transactions WHERE terminal_pk = $1 AND accounting_date = $2 AND serial = $3${lock ? ' FOR UPDATE' : ''}`,
        [terminal.pk, date, serial],
      )
    ).rows[0];

  return {
    async signin(terminal: TerminalIdentity, date: string) {
      const today = shanghaiDate(clock.now());
      if (date < addDays(today, -1) || date > addDays(today, 1))
        throw new AppError('ACCOUNTING_DATE_INVALID', `The accounting date must be within a day of today (${today}, Shanghai)`);
      return database.transaction(async (tx) => {
        // Either key refuses the insert: the same day again, or another day still open.
        await tx.client.query('INSERT INTO terminal_days (terminal_pk, accounting_date, opened_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
          terminal.pk,
          date,
          clock.now(),
        ]);
        const { rows } = await tx.client.query<{ date: string; status: string; opened_at: Date }>(
          `SELECT to_char(accounting_date, 'YYYY-MM-DD') AS date, status, opened_at FROM terminal_days
            WHERE terminal_pk = $1 AND (accounting_date = $2 OR status = 'open')`,
          [terminal.pk, date],
        );
        const day = rows.find((row) => row.date === date);
        if (day?.status === 'closed') throw new AppError('DAY_CLOSED', `Accounting day ${date} is already signed out`);
        if (!day) throw new AppError('DAY_STILL_OPEN', `Sign out of ${rows[0]!.date} first`, { openDay: rows[0]!.date });
        return { terminalId: terminal.terminalId, accountingDate: date, status: 'open' as const, openedAt: day.opened_at.toISOString() };
      });
    },

    async query(terminal: TerminalIdentity, accountNo: string): Promise<QueryReply> {
      const {
        rows: [open],
      } = await database.pool.query('SELECT 1 FROM terminal_days WHERE terminal_pk = $1 AND status = $2', [terminal.pk, 'open']);
      if (!open) throw new AppError('NOT_SIGNED_IN', 'Sign in to an accounting day first');
      const {
        rows: [account],
      } = await database.pool.query<{ id: number; holder_name: string; address: string; billing_mode: 'postpaid' | 'prepaid'; balance_fen: number }>(
        `SELECT a.id, a.holder_name, a.address, coalesce(p.billing_mode, 'postpaid') AS billing_mode, coalesce(b.balance_fen, 0) AS balance_fen
           FROM electricity_accounts a LEFT JOIN billing_profiles p ON p.account_id = a.id LEFT JOIN account_balances b ON b.account_id = a.id
          WHERE a.account_no = $1`,
        [accountNo],
      );
      if (!account) throw new AppError('ACCOUNT_UNKNOWN', `No electricity account ${accountNo}`);
      const receivables = await openReceivables(database.pool, account.id);
      return {
        accountNo,
        holderName: maskName(account.holder_name),
        address: maskAddress(account.address),
        billingMode: account.billing_mode,
        receivables: receivables.map((item) => ({
          receivableId: item.receivableId,
          month: item.month,
          dueDate: item.dueDate,
          principalFen: item.principalFen,
          principalOwedFen: item.principalOwedFen,
          lateFeeFen: item.lateFeeOwedFen,
        })),
        totalOwedFen: receivables.reduce((sum, item) => sum + item.principalOwedFen + item.lateFeeOwedFen, 0),
        prepaymentFen: account.balance_fen,
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
        const {
          rows: [account],
        } = await tx.client.query<{ id: number }>('SELECT id FROM electricity_accounts WHERE account_no = $1', [message.accountNo]);
        if (!account) throw new AppError('ACCOUNT_UNKNOWN', `No electricity account ${message.accountNo}`);
        const ref = terminalRef(terminal.terminalId, date, serial);
        // Claims the serial: a concurrent twin waits here until this transaction ends, then finds it.
        const {
          rows: [claimed],
        } = await tx.client.query<{ id: number }>(
          `INSERT INTO terminal_transactions (terminal_pk, accounting_date, serial, kind, digest, account_id, account_no, amount_fen, status, allocation_ref, created_at)
           VALUES ($1, $2, $3, 'pay', $4, $5, $6, $7, 'posted', $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
          [terminal.pk, date, serial, digest, account.id, message.accountNo, message.amountFen, ref, clock.now()],
        );
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
        await tx.client.query('UPDATE terminal_transactions SET result = $2 WHERE id = $1', [claimed.id, result]);
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
          if (original.reversed_by === serial) return replayOf<ReverseReply>((await findSerial(tx, terminal, date, serial))!, digest, serial);
          throw new AppError('ALREADY_REVERSED', `Payment ${originalSerial} was already reversed`, { reversedBy: original.reversed_by });
        }
        if (message.amountFen !== original.amount_fen)
          throw new AppError('AMOUNT_INVALID', `A reversal is for the payment's full amount (${original.amount_fen} fen)`);
        const {
          rows: [claimed],
        } = await tx.client.query<{ id: number }>(
          `INSERT INTO terminal_transactions (terminal_pk, accounting_date, serial, kind, digest, account_no, amount_fen, original_serial, status, created_at)
           VALUES ($1, $2, $3, 'reverse', $4, $5, $6, $7, 'posted', $8) ON CONFLICT DO NOTHING RETURNING id`,
          [terminal.pk, date, serial, digest, original.account_no, message.amountFen, originalSerial, clock.now()],
        );
        if (!claimed) return replayOf<ReverseReply>((await findSerial(tx, terminal, date, serial))!, digest, serial);
        await tx.client.query(`UPDATE terminal_transactions SET status = 'reversed', reversed_by = $2 WHERE id = $1 AND status = 'posted'`, [
          original.id,
          serial,
        ]);
        await reverseAllocation(tx, original.allocation_ref!, terminalRef(terminal.terminalId, date, serial), clock.now());
        const result: ReverseReply = {
          serial,
          originalSerial,
          accountingDate: date,
          amountFen: message.amountFen,
          status: 'reversed',
          reversedAt: clock.now().toISOString(),
        };
        await tx.client.query('UPDATE terminal_transactions SET result = $2 WHERE id = $1', [claimed.id, result]);
        return { result, replayed: false };
      });
    },

    /** Closes the day once its in-flight messages finish; the count and total are of the payments that stand. */
    async signout(terminal: TerminalIdentity, date: string) {
      return database.transaction(async (tx) => {
        const {
          rows: [day],
        } = await tx.client.query<{ status: string; closed_at: Date | null; pay_count: number | null; total_fen: number | null }>(
          'SELECT status, closed_at, pay_count, total_fen FROM terminal_days WHERE terminal_pk = $1 AND accounting_date = $2 FOR UPDATE',
          [terminal.pk, date],
        );
        if (!day) throw new AppError('NOT_SIGNED_IN', `Accounting day ${date} is not signed in`);
        if (day.status === 'closed')
          return { accountingDate: date, status: 'closed' as const, count: day.pay_count!, totalFen: day.total_fen!, closedAt: day.closed_at!.toISOString() };
        // A new statement after the lock: it sees every pay that committed while we waited.
        const {
          rows: [totals],
        } = await tx.client.query<{ count: number; total: number }>(
          `SELECT count(*)::int AS count, coalesce(sum(amount_fen), 0)::bigint AS total FROM terminal_transactions
            WHERE terminal_pk = $1 AND accounting_date = $2 AND kind = 'pay' AND status = 'posted'`,
          [terminal.pk, date],
        );
        const closedAt = clock.now();
        await tx.client.query(
          `UPDATE terminal_days SET status = 'closed', closed_at = $3, pay_count = $4, total_fen = $5 WHERE terminal_pk = $1 AND accounting_date = $2`,
          [terminal.pk, date, closedAt, totals!.count, totals!.total],
        );
        return { accountingDate: date, status: 'closed' as const, count: totals!.count, totalFen: totals!.total, closedAt: closedAt.toISOString() };
      });
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
