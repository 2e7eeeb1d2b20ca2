import type { Tx } from '../../db/database';
import { AppError, notFound } from '../../errors';
import { lateFeeFen } from './late-fees';
import { postBalanceEntry } from './ledger';
import { loadBillingSettings } from './settings';

/*
 * Paying what an account owes, for every channel (terminals, WeChat Pay, Alipay): the money goes to
 * the oldest open receivable first, its late fee before its principal; anything left becomes
 * prepayment (the balance). The allocation is recorded under the payment's own ref, and a reversal
 * undoes exactly those lines, once. Both run inside the caller's transaction.
 */

export interface AllocationLine {
  receivableId: number;
  month: string;
  lateFeeFen: number;
  principalFen: number;
}

export interface Owed {
  receivableId: number;
  month: string;
  lateFeeOwedFen: number;
  principalOwedFen: number;
}

export interface AllocationPlan {
  lines: AllocationLine[];
  prepaymentFen: number;
}

/**
 * How `amountFen` splits over what is owed, taken in the order given (the caller sorts oldest
 * first): each receivable's late fee, then its principal, then the next one; the rest is prepayment.
 */
export function planAllocation(amountFen: number, owed: readonly Owed[]): AllocationPlan {
  let left = amountFen;
  const lines: AllocationLine[] = [];
  for (const item of owed) {
    if (left === 0) break;
    const lateFee = Math.min(left, Math.max(0, item.lateFeeOwedFen));
    left -= lateFee;
    const principal = Math.min(left, Math.max(0, item.principalOwedFen));
    left -= principal;
    if (lateFee + principal > 0) lines.push({ receivableId: item.receivableId, month: item.month, lateFeeFen: lateFee, principalFen: principal });
  }
  return { lines, prepaymentFen: left };
}

export interface OpenReceivable extends Owed {
  dueDate: string;
  principalFen: number;
}

/** What an account owes now, oldest first: the order a payment is allocated in. */
export async function openReceivables(client: Pick<Tx['client'], 'query'>, accountId: number): Promise<OpenReceivable[]> {
  const { rows } = await client.query<{
    id: number;
    month: string;
    due_date: string;
    principal_fen: number;
    principal_paid_fen: number;
    late_fee_millifen: number;
    late_fee_paid_fen: number;
  }>(
    `SELECT id, month, to_char(due_date, 'YYYY-MM-DD') AS due_date, principal_fen, principal_paid_fen, late_fee_millifen, late_fee_paid_fen
       FROM receivables WHERE account_id = $1 AND settled_at IS NULL ORDER BY month, id`,
    [accountId],
  );
  return rows.map((row) => ({
    receivableId: row.id,
    month: row.month,
    dueDate: row.due_date,
    principalFen: row.principal_fen,
    principalOwedFen: row.principal_fen - row.principal_paid_fen,
    lateFeeOwedFen: Math.max(0, lateFeeFen(row.late_fee_millifen) - row.late_fee_paid_fen),
  }));
}

export interface PaymentRequest {
  accountId: number;
  amountFen: number;
  /** The payment's own identity, unique across channels (e.g. `terminal:7:2026-03-02:000123`, `wechat:<out_trade_no>`). */
  ref: string;
  /** Only these receivables (each must be an open one of the account); otherwise all open ones. */
  receivableIds?: readonly number[];
  /**
   * Listed receivables of the account already settled (another payment got there first) are
   * skipped, not refused: their share becomes prepayment. Decided here, under the account lock, so
   * two payments of the same bills cannot both see them open.
   */
  skipSettled?: boolean;
  /** Where the money came from, kept with the allocation for staff and reports. */
  source?: Record<string, unknown>;
  at?: Date;
}

export interface Allocation extends AllocationPlan {
  ref: string;
  accountId: number;
  amountFen: number;
  /** True when this ref was allocated before: nothing moved this time. */
  replayed: boolean;
  /** Listed receivables skipped because they were no longer open (with `skipSettled`). */
  skipped: number[];
}

interface AllocationRow {
  ref: string;
  account_id: number;
  amount_fen: number;
  lines: AllocationLine[];
  prepayment_fen: number;
  reversed_ref: string | null;
}

const present = (row: AllocationRow, replayed: boolean): Allocation => ({
  ref: row.ref,
  accountId: row.account_id,
  amountFen: row.amount_fen,
  lines: row.lines,
  prepaymentFen: row.prepayment_fen,
  replayed,
  skipped: [],
});

/**
 * Takes the account's balance row lock: every payment, reversal and balance posting for one
 * account queues here, always before any receivable lock, so concurrent payments cannot deadlock.
 */
async function lockAccount(tx: Tx, accountId: number): Promise<'postpaid' | 'prepaid'> {
  await tx.client.query('INSERT INTO account_balances (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING', [accountId]);
  const {
    rows: [row],
  } = await tx.client.query<{ billing_mode: 'postpaid' | 'prepaid' | null }>(
    `SELECT p.billing_mode FROM account_balances b LEFT JOIN billing_profiles p ON p.account_id = b.account_id
      WHERE b.account_id = $1 FOR UPDATE OF b`,
    [accountId],
  );
  return row?.billing_mode ?? 'postpaid';
}

// Low-balance alerts are about prepaid fee control; a postpaid account's prepayment never triggers one.
const alertThreshold = async (tx: Tx, mode: 'postpaid' | 'prepaid') =>
  mode === 'prepaid' ? (await loadBillingSettings(tx)).defaultLowBalanceFen : Number.MIN_SAFE_INTEGER;

/** Moves a plan's lines onto the (locked) receivables; a line that pays everything owed settles its receivable. */
async function payLines(tx: Tx, lines: AllocationLine[], owed: Owed[], at: Date): Promise<void> {
  if (!lines.length) return;
  const byId = new Map(owed.map((item) => [item.receivableId, item]));
  const settles = lines.map((line) => {
    const item = byId.get(line.receivableId)!;
    return item.lateFeeOwedFen <= line.lateFeeFen && item.principalOwedFen === line.principalFen;
  });
  await tx.client.query(
    `UPDATE receivables r SET principal_paid_fen = r.principal_paid_fen + v.principal, late_fee_paid_fen = r.late_fee_paid_fen + v.late_fee,
            settled_at = CASE WHEN v.settles THEN $5::timestamptz ELSE r.settled_at END
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::boolean[]) AS v(id, principal, late_fee, settles)
      WHERE r.id = v.id`,
    [lines.map((line) => line.receivableId), lines.map((line) => line.principalFen), lines.map((line) => line.lateFeeFen), settles, at],
  );
}

/** Allocates one payment, once per ref; a repeat of the same ref returns the first allocation. */
export async function allocatePayment(tx: Tx, request: PaymentRequest): Promise<Allocation> {
  const { accountId, amountFen, ref } = request;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new AppError('AMOUNT_INVALID', 'The amount must be a positive whole number of fen');
  const mode = await lockAccount(tx, accountId);
  const {
    rows: [existing],
  } = await tx.client.query<AllocationRow>('SELECT * FROM payment_allocations WHERE ref = $1', [ref]);
  if (existing) {
    if (existing.account_id !== accountId || existing.amount_fen !== amountFen)
      throw new AppError('IDEMPOTENCY_KEY_REUSED', `Payment ${ref} was allocated with different content`);
    return present(existing, true);
  }
  const only = request.receivableIds ? [...new Set(request.receivableIds)] : null;
  const { rows: open } = await tx.client.query<{
    id: number;
    month: string;
    principal_fen: number;
    principal_paid_fen: number;
    late_fee_millifen: number;
    late_fee_paid_fen: number;
  }>(
    `SELECT id, month, principal_fen, principal_paid_fen, late_fee_millifen, late_fee_paid_fen FROM receivables
      WHERE account_id = $1 AND settled_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2))
      ORDER BY month, id FOR UPDATE`,
    [accountId, only],
  );
  const found = new Set(open.map((row) => row.id));
  const skipped = only ? only.filter((id) => !found.has(id)) : [];
  if (skipped.length) {
    // Only the account's own settled receivables may be skipped; anything else is still refused.
    const { rows: settled } = request.skipSettled
      ? await tx.client.query<{ id: number }>('SELECT id FROM receivables WHERE account_id = $1 AND id = ANY($2) AND settled_at IS NOT NULL', [
          accountId,
          skipped,
        ])
      : { rows: [] };
    const refused = skipped.filter((id) => !settled.some((row) => row.id === id));
    if (refused.length) throw new AppError('RECEIVABLE_NOT_OPEN', 'A listed receivable is not an open receivable of this account', { receivableIds: refused });
  }
  const owed = open.map((row) => ({
    receivableId: row.id,
    month: row.month,
    lateFeeOwedFen: lateFeeFen(row.late_fee_millifen) - row.late_fee_paid_fen,
    principalOwedFen: row.principal_fen - row.principal_paid_fen,
  }));
  const plan = planAllocation(amountFen, owed);
  const at = request.at ?? new Date();
  await payLines(tx, plan.lines, owed, at);
  if (plan.prepaymentFen > 0) {
    await postBalanceEntry(
      tx,
      {
        accountId,
        kind: mode === 'prepaid' ? 'top_up' : 'prepayment',
        ref: `payment:${ref}`,
        amountFen: plan.prepaymentFen,
        details: { payment: ref, ...request.source },
      },
      await alertThreshold(tx, mode),
    );
  }
  await tx.client.query(
    'INSERT INTO payment_allocations (ref, account_id, amount_fen, lines, prepayment_fen, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [ref, accountId, amountFen, JSON.stringify(plan.lines), plan.prepaymentFen, request.source ?? {}, at],
  );
  return { ref, accountId, amountFen, ...plan, replayed: false, skipped };
}

/**
 * Undoes one allocation exactly: each receivable gives back what this payment paid of it (and is
 * open again), and the prepayment it made is taken back from the balance. Once per allocation: the
 * same `reversalRef` again is a replay; another reversal of a reversed payment is refused.
 */
export async function reverseAllocation(tx: Tx, ref: string, reversalRef: string, at = new Date()): Promise<Allocation> {
  const {
    rows: [target],
  } = await tx.client.query<{ account_id: number }>('SELECT account_id FROM payment_allocations WHERE ref = $1', [ref]);
  if (!target) throw notFound('Payment');
  const mode = await lockAccount(tx, target.account_id);
  const {
    rows: [row],
  } = await tx.client.query<AllocationRow>(
    'UPDATE payment_allocations SET reversed_ref = $2, reversed_at = $3 WHERE ref = $1 AND reversed_ref IS NULL RETURNING *',
    [ref, reversalRef, at],
  );
  if (!row) {
    const {
      rows: [done],
    } = await tx.client.query<AllocationRow>('SELECT * FROM payment_allocations WHERE ref = $1', [ref]);
    if (done!.reversed_ref === reversalRef) return present(done!, true);
    throw new AppError('ALREADY_REVERSED', `Payment ${ref} has already been reversed`);
  }
  if (row.lines.length) {
    await tx.client.query(
      `UPDATE receivables r SET principal_paid_fen = r.principal_paid_fen - v.principal, late_fee_paid_fen = r.late_fee_paid_fen - v.late_fee, settled_at = NULL
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(id, principal, late_fee)
        WHERE r.id = v.id`,
      [row.lines.map((line) => line.receivableId), row.lines.map((line) => line.principalFen), row.lines.map((line) => line.lateFeeFen)],
    );
  }
  if (row.prepayment_fen > 0) {
    // The prepayment may have been spent since (a prepaid day's charge): the balance then goes below what it was.
    await postBalanceEntry(
      tx,
      {
        accountId: row.account_id,
        kind: 'reversal',
        ref: `reversal:${reversalRef}`,
        amountFen: -row.prepayment_fen,
        details: { payment: ref, reversal: reversalRef },
      },
      await alertThreshold(tx, mode),
    );
  }
  return present(row, false);
}

/**
 * A postpaid account's prepayment pays what it owes as soon as there is something to pay (a bill
 * was issued): oldest receivable first, late fee first, as any payment. Recorded as an allocation
 * under `ref` (its source says prepayment), once; returns the fen applied.
 */
export async function applyPrepayment(tx: Tx, accountId: number, ref: string, at = new Date()): Promise<number> {
  if ((await lockAccount(tx, accountId)) !== 'postpaid') return 0;
  const {
    rows: [held],
  } = await tx.client.query<{ balance_fen: number; applied: boolean }>(
    'SELECT balance_fen, EXISTS (SELECT 1 FROM payment_allocations WHERE ref = $2) AS applied FROM account_balances WHERE account_id = $1',
    [accountId, ref],
  );
  if (!held || held.applied || held.balance_fen <= 0) return 0;
  const { rows: open } = await tx.client.query<{
    id: number;
    month: string;
    principal_fen: number;
    principal_paid_fen: number;
    late_fee_millifen: number;
    late_fee_paid_fen: number;
  }>(
    `SELECT id, month, principal_fen, principal_paid_fen, late_fee_millifen, late_fee_paid_fen FROM receivables
      WHERE account_id = $1 AND settled_at IS NULL ORDER BY month, id FOR UPDATE`,
    [accountId],
  );
  const owed = open.map((row) => ({
    receivableId: row.id,
    month: row.month,
    lateFeeOwedFen: lateFeeFen(row.late_fee_millifen) - row.late_fee_paid_fen,
    principalOwedFen: row.principal_fen - row.principal_paid_fen,
  }));
  const due = owed.reduce((sum, item) => sum + Math.max(0, item.lateFeeOwedFen) + item.principalOwedFen, 0);
  const amountFen = Math.min(held.balance_fen, due);
  if (amountFen <= 0) return 0;
  const plan = planAllocation(amountFen, owed);
  await payLines(tx, plan.lines, owed, at);
  await postBalanceEntry(
    tx,
    { accountId, kind: 'bill_settlement', ref: `allocation:${ref}`, amountFen: -amountFen, details: { allocation: ref } },
    Number.MIN_SAFE_INTEGER,
  );
  await tx.client.query(
    'INSERT INTO payment_allocations (ref, account_id, amount_fen, lines, prepayment_fen, source, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)',
    [ref, accountId, amountFen, JSON.stringify(plan.lines), { kind: 'prepayment' }, at],
  );
  return amountFen;
}
