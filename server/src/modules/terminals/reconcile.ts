import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ReconcileResult, TerminalMismatch } from '../../../../shared/contracts/terminals';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { AppError, notFound } from '../../errors';
import { allocatePayment, reverseAllocation } from '../billing/allocation';
import type { TerminalIdentity } from './registry';
import { terminalRef } from './service';

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

interface MismatchRow {
  id: number;
  terminal_id: string;
  accounting_date: string;
  serial: string;
  kind: TerminalMismatch['kind'];
  our_account_no: string | null;
  our_amount_fen: number | null;
  their_account_no: string | null;
  their_amount_fen: number | null;
  status: TerminalMismatch['status'];
  reason: string | null;
  resolved_by_name: string | null;
  resolved_at: Date | null;
}

const MISMATCH_SELECT = `SELECT m.*, t.terminal_id, to_char(m.accounting_date, 'YYYY-MM-DD') AS accounting_date, s.username AS resolved_by_name
  FROM terminal_mismatches m JOIN terminals t ON t.id = m.terminal_pk LEFT JOIN staff_users s ON s.id = m.resolved_by`;

const presentMismatch = (row: MismatchRow): TerminalMismatch => ({
  id: row.id,
  terminalId: row.terminal_id,
  accountingDate: row.accounting_date,
  serial: row.serial,
  kind: row.kind,
  ours: row.our_amount_fen === null ? null : { accountNo: row.our_account_no!, amountFen: row.our_amount_fen },
  theirs: row.their_amount_fen === null ? null : { accountNo: row.their_account_no!, amountFen: row.their_amount_fen },
  status: row.status,
  resolution: row.resolved_at ? { reason: row.reason!, by: row.resolved_by_name ?? 'unknown', at: row.resolved_at.toISOString() } : null,
});

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
        const {
          rows: [day],
        } = await tx.client.query<{ status: string }>('SELECT status FROM terminal_days WHERE terminal_pk = $1 AND accounting_date = $2 FOR UPDATE', [
          terminal.pk,
          date,
        ]);
        if (!day) throw new AppError('NOT_SIGNED_IN', `Accounting day ${date} was never signed in`);
        if (day.status !== 'closed') throw new AppError('DAY_NOT_CLOSED', `Sign out of ${date} before reconciling it`);
        const {
          rows: [done],
        } = await tx.client.query<{ file_digest: string; result: Result }>(
          'SELECT file_digest, result FROM terminal_reconciliations WHERE terminal_pk = $1 AND accounting_date = $2',
          [terminal.pk, date],
        );
        if (done) {
          if (done.file_digest !== fileDigest)
            throw new AppError('ALREADY_RECONCILED', `${date} was already reconciled with a different file; its differences are with our staff`);
          return done.result;
        }
        const { rows: ours } = await tx.client.query<FileLine>(
          `SELECT serial, account_no AS "accountNo", amount_fen AS "amountFen" FROM terminal_transactions
            WHERE terminal_pk = $1 AND accounting_date = $2 AND kind = 'pay' AND status = 'posted' ORDER BY serial`,
          [terminal.pk, date],
        );
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
        const {
          rows: [saved],
        } = await tx.client.query<{ id: number }>(
          'INSERT INTO terminal_reconciliations (terminal_pk, accounting_date, file_digest, matched, mismatches, result, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
          [terminal.pk, date, fileDigest, matched, mismatches.length, result, clock.now()],
        );
        if (mismatches.length) {
          await tx.client.query(
            `INSERT INTO terminal_mismatches (reconciliation_id, terminal_pk, accounting_date, serial, kind, our_account_no, our_amount_fen, their_account_no, their_amount_fen)
             SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[])`,
            [
              saved!.id,
              terminal.pk,
              date,
              mismatches.map((item) => item.serial),
              mismatches.map((item) => item.kind),
              mismatches.map((item) => item.ours?.accountNo ?? null),
              mismatches.map((item) => item.ours?.amountFen ?? null),
              mismatches.map((item) => item.theirs?.accountNo ?? null),
              mismatches.map((item) => item.theirs?.amountFen ?? null),
            ],
          );
        }
        return result;
      });
    },

    async listMismatches(filter: { status: 'open' | 'resolved' | 'all'; terminalId?: string }): Promise<TerminalMismatch[]> {
      const { rows } = await database.pool.query<MismatchRow>(
        `${MISMATCH_SELECT} WHERE ($1 = 'all' OR ($1 = 'open') = (m.status = 'open')) AND ($2::text IS NULL OR t.terminal_id = $2) ORDER BY m.id LIMIT 500`,
        [filter.status, filter.terminalId ?? null],
      );
      return rows.map(presentMismatch);
    },

    /**
     * Settles one mismatch, once. Accepting ours moves nothing. Accepting theirs undoes our posting
     * (long, amount, account) and posts their line (short, amount, account), so the account ends as
     * if the terminal's record had been ours all along. Audited with the staff member and reason.
     */
    async resolve(mismatchId: number, staffId: number, accept: 'ours' | 'theirs', reason: string): Promise<TerminalMismatch> {
      await database.transaction(async (tx) => {
        const {
          rows: [mismatch],
        } = await tx.client.query<MismatchRow & { terminal_pk: number }>(`${MISMATCH_SELECT} WHERE m.id = $1 FOR UPDATE OF m`, [mismatchId]);
        if (!mismatch) throw notFound('Mismatch');
        if (mismatch.status !== 'open') throw new AppError('MISMATCH_RESOLVED', `Mismatch ${mismatchId} was already resolved (${mismatch.status})`);
        const moved: Record<string, unknown> = {};
        let resolutionRef: string | null = null;
        if (accept === 'theirs') {
          const now = clock.now();
          const key = `resolution:${mismatchId}`;
          if (mismatch.our_amount_fen !== null) {
            const {
              rows: [pay],
            } = await tx.client.query<{ id: number; allocation_ref: string }>(
              `UPDATE terminal_transactions SET status = 'reversed', reversed_by = $4
                WHERE terminal_pk = $1 AND accounting_date = $2 AND serial = $3 AND kind = 'pay' AND status = 'posted' RETURNING id, allocation_ref`,
              [mismatch.terminal_pk, mismatch.accounting_date, mismatch.serial, key],
            );
            if (!pay) throw new AppError('MISMATCH_RESOLVED', `Payment ${mismatch.serial} no longer stands`);
            await reverseAllocation(tx, pay.allocation_ref, `${pay.allocation_ref}:${key}`, now);
            moved.reversedFen = mismatch.our_amount_fen;
          }
          if (mismatch.their_amount_fen !== null) {
            const {
              rows: [account],
            } = await tx.client.query<{ id: number }>('SELECT id FROM electricity_accounts WHERE account_no = $1', [mismatch.their_account_no]);
            if (!account)
              throw new AppError(
                'ACCOUNT_UNKNOWN',
                `The terminal's line names account ${mismatch.their_account_no}, which we do not have; accept ours and settle it outside`,
              );
            resolutionRef = `${terminalRef(mismatch.terminal_id, mismatch.accounting_date, mismatch.serial)}:${key}`;
            const allocation = await allocatePayment(tx, {
              accountId: account.id,
              amountFen: mismatch.their_amount_fen,
              ref: resolutionRef,
              source: {
                channel: 'terminal',
                terminalId: mismatch.terminal_id,
                accountingDate: mismatch.accounting_date,
                serial: mismatch.serial,
                resolution: mismatchId,
              },
              at: now,
            });
            moved.postedFen = allocation.amountFen;
          }
        }
        await tx.client.query(
          `UPDATE terminal_mismatches SET status = $2, reason = $3, resolved_by = $4, resolved_at = $5, resolution_ref = $6 WHERE id = $1 AND status = 'open'`,
          [mismatchId, accept === 'ours' ? 'accepted_ours' : 'accepted_theirs', reason, staffId, clock.now(), resolutionRef],
        );
        await tx.client.query('INSERT INTO terminal_audit (terminal_pk, action, staff_id, details, at) VALUES ($1, $2, $3, $4, $5)', [
          mismatch.terminal_pk,
          'mismatch_resolved',
          staffId,
          { mismatchId, serial: mismatch.serial, accountingDate: mismatch.accounting_date, kind: mismatch.kind, accept, reason, ...moved },
          clock.now(),
        ]);
      });
      const {
        rows: [row],
      } = await database.pool.query<MismatchRow>(`${MISMATCH_SELECT} WHERE m.id = $1`, [mismatchId]);
      return presentMismatch(row!);
    },
  };
}

export type Reconciliation = ReturnType<typeof createReconciliation>;
