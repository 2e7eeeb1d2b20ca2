import { createHash } from 'node:crypto';
import { and, asc, eq, ne, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { ReconcileResult, TerminalMismatch } from '../../../../shared/contracts/terminals';
import type { Clock } from '../../app';
import type { Database, Db } from '../../db/database';
import { terminalAudit, terminalDays, terminalMismatches, terminalReconciliations, terminals, terminalTransactions } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import { accountByNo } from '../accounts/published';
import { staffUsernames } from '../auth/published';
import { allocatePayment, reverseAllocation } from '../billing/allocation';
import type { TerminalIdentity } from './registry';
import { postedPays, terminalRef } from './service';

type Result = z.input<typeof ReconcileResult>;

export interface FileLine {
  serial: string;
  accountNo: string;
  amountFen: number;
}

/**
 * Reads a terminal's day file: `H|<accounting date>|<count>|<total fen>` then one
 * `D|<serial>|<account no>|<amount fen>` per payment that stands. Every fault is reported with its
 * line number, and nothing is reconciled from a file that has one.
 */
export function parseDayFile(file: string, accountingDate: string): { count: number; totalFen: number; lines: FileLine[] } {
  const rows = file.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const problems: string[] = [];
  const header = rows[0]!.split('|');
  const count = Number(header[2]);
  const totalFen = Number(header[3]);
  if (header.length !== 4 || header[0] !== 'H' || !/^\d+$/.test(header[2] ?? '') || !/^\d+$/.test(header[3] ?? ''))
    problems.push('line 1: the header must be H|<accounting date>|<count>|<total fen>');
  else if (header[1] !== accountingDate) problems.push(`line 1: the file is for ${header[1]}, not ${accountingDate}`);
  const lines: FileLine[] = [];
  const serials = new Set<string>();
  rows.slice(1).forEach((row, index) => {
    const at = `line ${index + 2}`;
    const fields = row.split('|');
    if (fields.length !== 4 || fields[0] !== 'D') return void problems.push(`${at}: expected D|<serial>|<account no>|<amount fen>`);
    const [, serial = '', accountNo = '', amount = ''] = fields;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(serial)) return void problems.push(`${at}: "${serial}" is not a serial`);
    if (!/^\d{6,20}$/.test(accountNo)) return void problems.push(`${at}: "${accountNo}" is not an account number`);
    if (!/^[1-9]\d{0,11}$/.test(amount)) return void problems.push(`${at}: "${amount}" is not a positive amount in fen`);
    if (serials.has(serial)) return void problems.push(`${at}: serial ${serial} appears twice`);
    serials.add(serial);
    lines.push({ serial, accountNo, amountFen: Number(amount) });
  });
  if (!problems.length && lines.length !== count) problems.push(`header: count ${count}, but the file has ${lines.length} lines`);
  const sum = lines.reduce((total, line) => total + line.amountFen, 0);
  if (!problems.length && sum !== totalFen) problems.push(`header: total ${totalFen} fen, but the lines add up to ${sum}`);
  if (problems.length) throw new AppError('RECONCILE_FILE_INVALID', 'The reconciliation file is not valid', { problems: problems.slice(0, 50) });
  return { count, totalFen, lines };
}

type MismatchRow = typeof terminalMismatches.$inferSelect;

/** Mismatches with their terminal's id; `where` picks which. */
const selectMismatches = (db: Db, where: SQL | undefined) =>
  db
    .select({ mismatch: terminalMismatches, terminalId: terminals.terminalId })
    .from(terminalMismatches)
    .innerJoin(terminals, eq(terminals.id, terminalMismatches.terminalPk))
    .where(where);

/** Mismatches as staff see them, each resolved one naming who settled it (a staff name is auth's to give). */
async function presentMismatches(db: Db, rows: Array<{ mismatch: MismatchRow; terminalId: string }>): Promise<TerminalMismatch[]> {
  const names = await staffUsernames(
    db,
    rows.flatMap(({ mismatch }) => (mismatch.resolvedBy === null ? [] : [mismatch.resolvedBy])),
  );
  return rows.map(({ mismatch: row, terminalId }) => ({
    id: row.id,
    terminalId,
    accountingDate: row.accountingDate,
    serial: row.serial,
    kind: row.kind,
    ours: row.ourAmountFen === null ? null : { accountNo: row.ourAccountNo!, amountFen: row.ourAmountFen },
    theirs: row.theirAmountFen === null ? null : { accountNo: row.theirAccountNo!, amountFen: row.theirAmountFen },
    status: row.status,
    resolution: row.resolvedAt
      ? { reason: row.reason!, by: (row.resolvedBy === null ? undefined : names.get(row.resolvedBy)) ?? 'unknown', at: row.resolvedAt.toISOString() }
      : null,
  }));
}

/**
 * Daily reconciliation of a signed-out day against the terminal's file: matched, long (ours only),
 * short (theirs only), amount or account mismatch. Mismatches wait for staff, who accept our record
 * or the terminal's; accepting theirs moves money through the same allocation as a payment.
 */
export function createReconciliation(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;

  return {
    async reconcile(terminal: TerminalIdentity, date: string, file: string): Promise<Result> {
      const theirs = parseDayFile(file, date);
      const fileDigest = createHash('sha256').update(file.replace(/\r\n/g, '\n').replace(/\n+$/, '')).digest('hex');
      return database.transaction(async (tx) => {
        // The day's row lock makes two reconciliations of one day take turns.
        const [day] = await tx.db
          .select({ status: terminalDays.status })
          .from(terminalDays)
          .where(and(eq(terminalDays.terminalPk, terminal.pk), eq(terminalDays.accountingDate, date)))
          .for('update');
        if (!day) throw new AppError('NOT_SIGNED_IN', `Accounting day ${date} was never signed in`);
        if (day.status !== 'closed') throw new AppError('DAY_NOT_CLOSED', `Sign out of ${date} before reconciling it`);
        const [done] = await tx.db
          .select({ fileDigest: terminalReconciliations.fileDigest, result: terminalReconciliations.result })
          .from(terminalReconciliations)
          .where(and(eq(terminalReconciliations.terminalPk, terminal.pk), eq(terminalReconciliations.accountingDate, date)));
        if (done) {
          if (done.fileDigest !== fileDigest)
            throw new AppError('ALREADY_RECONCILED', `${date} was already reconciled with a different file; its differences are with our staff`);
          // The result stored below, as it was.
          return done.result as Result;
        }
        const ours: FileLine[] = await tx.db
          .select({ serial: terminalTransactions.serial, accountNo: terminalTransactions.accountNo, amountFen: terminalTransactions.amountFen })
          .from(terminalTransactions)
          .where(postedPays(terminal.pk, date))
          .orderBy(asc(terminalTransactions.serial));
        const theirBySerial = new Map(theirs.lines.map((line) => [line.serial, line]));
        const mismatches: Array<{ serial: string; kind: TerminalMismatch['kind']; ours: FileLine | null; theirs: FileLine | null }> = [];
        let matched = 0;
        for (const our of ours) {
          const their = theirBySerial.get(our.serial);
          theirBySerial.delete(our.serial);
          if (!their) mismatches.push({ serial: our.serial, kind: 'long', ours: our, theirs: null });
          else if (their.amountFen !== our.amountFen) mismatches.push({ serial: our.serial, kind: 'amount', ours: our, theirs: their });
          else if (their.accountNo !== our.accountNo) mismatches.push({ serial: our.serial, kind: 'account', ours: our, theirs: their });
          else matched += 1;
        }
        for (const their of theirBySerial.values()) mismatches.push({ serial: their.serial, kind: 'short', ours: null, theirs: their });
        const count = (kind: TerminalMismatch['kind']) => mismatches.filter((item) => item.kind === kind).length;
        const result: Result = {
          accountingDate: date,
          ours: { count: ours.length, totalFen: ours.reduce((sum, line) => sum + line.amountFen, 0) },
          theirs: { count: theirs.count, totalFen: theirs.totalFen },
          matched,
          long: count('long'),
          short: count('short'),
          amountMismatch: count('amount'),
          accountMismatch: count('account'),
          mismatches: mismatches.map((item) => ({
            serial: item.serial,
            kind: item.kind,
            ourAmountFen: item.ours?.amountFen ?? null,
            theirAmountFen: item.theirs?.amountFen ?? null,
          })),
        };
        const [saved] = await tx.db
          .insert(terminalReconciliations)
          .values({ terminalPk: terminal.pk, accountingDate: date, fileDigest, matched, mismatches: mismatches.length, result, createdAt: clock.now() })
          .returning({ id: terminalReconciliations.id });
        if (mismatches.length) {
          await tx.db.insert(terminalMismatches).values(
            mismatches.map((item) => ({
              reconciliationId: saved!.id,
              terminalPk: terminal.pk,
              accountingDate: date,
              serial: item.serial,
              kind: item.kind,
              ourAccountNo: item.ours?.accountNo ?? null,
              ourAmountFen: item.ours?.amountFen ?? null,
              theirAccountNo: item.theirs?.accountNo ?? null,
              theirAmountFen: item.theirs?.amountFen ?? null,
            })),
          );
        }
        return result;
      });
    },

    async listMismatches(filter: { status: 'open' | 'resolved' | 'all'; terminalId?: string }): Promise<TerminalMismatch[]> {
      const rows = await selectMismatches(
        database.db,
        and(
          filter.status === 'all' ? undefined : filter.status === 'open' ? eq(terminalMismatches.status, 'open') : ne(terminalMismatches.status, 'open'),
          filter.terminalId === undefined ? undefined : eq(terminals.terminalId, filter.terminalId),
        ),
      )
        .orderBy(asc(terminalMismatches.id))
        .limit(500);
      return presentMismatches(database.db, rows);
    },

    /**
     * Settles one mismatch, once. Accepting ours moves nothing. Accepting theirs undoes our posting
     * (long, amount, account) and posts their line (short, amount, account), so the account ends as
     * if the terminal's record had been ours all along. Audited with the staff member and reason.
     */
    async resolve(mismatchId: number, staffId: number, accept: 'ours' | 'theirs', reason: string): Promise<TerminalMismatch> {
      await database.transaction(async (tx) => {
        const [found] = await selectMismatches(tx.db, eq(terminalMismatches.id, mismatchId)).for('update', { of: terminalMismatches });
        if (!found) throw notFound('Mismatch');
        const { mismatch, terminalId } = found;
        if (mismatch.status !== 'open') throw new AppError('MISMATCH_RESOLVED', `Mismatch ${mismatchId} was already resolved (${mismatch.status})`);
        const moved: Record<string, unknown> = {};
        let resolutionRef: string | null = null;
        if (accept === 'theirs') {
          const now = clock.now();
          const key = `resolution:${mismatchId}`;
          if (mismatch.ourAmountFen !== null) {
            const [pay] = await tx.db
              .update(terminalTransactions)
              .set({ status: 'reversed', reversedBy: key })
              .where(
                and(
                  eq(terminalTransactions.terminalPk, mismatch.terminalPk),
                  eq(terminalTransactions.accountingDate, mismatch.accountingDate),
                  eq(terminalTransactions.serial, mismatch.serial),
                  eq(terminalTransactions.kind, 'pay'),
                  eq(terminalTransactions.status, 'posted'),
                ),
              )
              .returning({ id: terminalTransactions.id, allocationRef: terminalTransactions.allocationRef });
            if (!pay) throw new AppError('MISMATCH_RESOLVED', `Payment ${mismatch.serial} no longer stands`);
            // Every pay is posted with its allocation ref.
            await reverseAllocation(tx, pay.allocationRef!, `${pay.allocationRef}:${key}`, now);
            moved.reversedFen = mismatch.ourAmountFen;
          }
          if (mismatch.theirAmountFen !== null) {
            // A line with an amount has an account number (both come from one file line).
            const account = await accountByNo(tx.db, mismatch.theirAccountNo!);
            if (!account)
              throw new AppError(
                'ACCOUNT_UNKNOWN',
                `The terminal's line names account ${mismatch.theirAccountNo}, which we do not have; accept ours and settle it outside`,
              );
            resolutionRef = `${terminalRef(terminalId, mismatch.accountingDate, mismatch.serial)}:${key}`;
            const allocation = await allocatePayment(tx, {
              accountId: account.id,
              amountFen: mismatch.theirAmountFen,
              ref: resolutionRef,
              source: {
                channel: 'terminal',
                terminalId,
                accountingDate: mismatch.accountingDate,
                serial: mismatch.serial,
                resolution: mismatchId,
              },
              at: now,
            });
            moved.postedFen = allocation.amountFen;
          }
        }
        await tx.db
          .update(terminalMismatches)
          .set({
            status: accept === 'ours' ? 'accepted_ours' : 'accepted_theirs',
            reason,
            resolvedBy: staffId,
            resolvedAt: clock.now(),
            resolutionRef,
          })
          .where(and(eq(terminalMismatches.id, mismatchId), eq(terminalMismatches.status, 'open')));
        await tx.db.insert(terminalAudit).values({
          terminalPk: mismatch.terminalPk,
          action: 'mismatch_resolved',
          staffId,
          details: { mismatchId, serial: mismatch.serial, accountingDate: mismatch.accountingDate, kind: mismatch.kind, accept, reason, ...moved },
          at: clock.now(),
        });
      });
      const [presented] = await presentMismatches(database.db, await selectMismatches(database.db, eq(terminalMismatches.id, mismatchId)));
      return presented!;
    },
  };
}

export type Reconciliation = ReturnType<typeof createReconciliation>;
