import { and, asc, eq, exists, isNotNull, isNull, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { preparedStatement, type Db, type Tx } from '../../db/database';
import { accountBalances, billingProfiles, paymentAllocations, receivables } from '../../db/schema';
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

type Receivable = typeof receivables.$inferSelect;
type AllocationRow = typeof paymentAllocations.$inferSelect;

/** What a receivable still owes, as a payment is allocated against it. */
const owedOf = (row: Pick<Receivable, 'id' | 'month' | 'principalFen' | 'principalPaidFen' | 'lateFeeMillifen' | 'lateFeePaidFen'>): Owed => ({
  receivableId: row.id,
  month: row.month,
  lateFeeOwedFen: lateFeeFen(row.lateFeeMillifen) - row.lateFeePaidFen,
  principalOwedFen: row.principalFen - row.principalPaidFen,
});

const OWED_COLUMNS = {
  id: receivables.id,
  month: receivables.month,
  principalFen: receivables.principalFen,
  principalPaidFen: receivables.principalPaidFen,
  lateFeeMillifen: receivables.lateFeeMillifen,
  lateFeePaidFen: receivables.lateFeePaidFen,
};

/** What an account owes now, oldest first: the order a payment is allocated in. */
export async function openReceivablesOf(db: Db, accountId: number): Promise<OpenReceivable[]> {
  const rows = await db
    .select({ ...OWED_COLUMNS, dueDate: receivables.dueDate })
    .from(receivables)
    .where(and(eq(receivables.accountId, accountId), isNull(receivables.settledAt)))
    .orderBy(asc(receivables.month), asc(receivables.id));
  return rows.map((row) => {
    const owed = owedOf(row);
    return { ...owed, dueDate: row.dueDate, principalFen: row.principalFen, lateFeeOwedFen: Math.max(0, owed.lateFeeOwedFen) };
  });
}

// Callers that hold a pool or a raw client (payments, terminals) keep working: each gets one Drizzle instance.
const drizzleOf = new WeakMap<object, Db>();

/** `openReceivablesOf`, for callers passing `database.pool` or a transaction's client (kept for payments and terminals). */
export async function openReceivables(executor: Db | Pick<Tx['client'], 'query'>, accountId: number): Promise<OpenReceivable[]> {
  if ('select' in executor) return openReceivablesOf(executor, accountId);
  let db = drizzleOf.get(executor);
  if (!db) drizzleOf.set(executor, (db = drizzle({ client: executor as pg.Pool })));
  return openReceivablesOf(db, accountId);
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

const present = (row: AllocationRow, replayed: boolean): Allocation => ({
  ref: row.ref,
  accountId: row.accountId,
  amountFen: row.amountFen,
  lines: row.lines,
  prepaymentFen: row.prepaymentFen,
  replayed,
  skipped: [],
});

/**
 * Takes the account's balance row lock: every payment, reversal and balance posting for one
 * account queues here, always before any receivable lock, so concurrent payments cannot deadlock.
 * One statement: the upsert creates the row if need be and locks it either way (ON CONFLICT DO
 * UPDATE locks the row it meets), and the account's billing mode comes back with it.
 */
async function lockAccount(tx: Tx, accountId: number): Promise<'postpaid' | 'prepaid'> {
  const [row] = await lockAccountStatement(tx.db).execute({ accountId });
  return row?.billingMode ?? 'postpaid';
}

// Every payment of every channel runs these: prepared once per connection.
const lockAccountStatement = preparedStatement('billing_lock_account', (db) => {
  const locked = db.$with('locked').as(
    db
      .insert(accountBalances)
      .values({ accountId: sql.placeholder('accountId') })
      .onConflictDoUpdate({ target: accountBalances.accountId, set: { accountId: sql`excluded.account_id` } })
      .returning({ accountId: accountBalances.accountId }),
  );
  return db
    .with(locked)
    .select({ billingMode: billingProfiles.billingMode })
    .from(locked)
    .leftJoin(billingProfiles, eq(billingProfiles.accountId, locked.accountId));
});

/**
 * The account's open receivables (only the listed ones, with `listed`), oldest first, locked, each
 * carrying whether the payment's ref was allocated before.
 */
const openForPayment = (listed: boolean) =>
  preparedStatement(listed ? 'billing_open_listed_for_payment' : 'billing_open_for_payment', (db) =>
    db
      .select({ ...OWED_COLUMNS, earlier: paymentAllocations.ref })
      .from(receivables)
      .leftJoin(paymentAllocations, eq(paymentAllocations.ref, sql.placeholder('ref')))
      .where(
        and(
          eq(receivables.accountId, sql.placeholder('accountId')),
          isNull(receivables.settledAt),
          listed ? sql`${receivables.id} = ANY(${sql.placeholder('ids')}::bigint[])` : undefined,
        ),
      )
      .orderBy(asc(receivables.month), asc(receivables.id))
      .for('update', { of: receivables }),
  );
const openListedForPayment = openForPayment(true);
const openAllForPayment = openForPayment(false);

// Low-balance alerts are about prepaid fee control; a postpaid account's prepayment never triggers one.
const alertThreshold = async (tx: Tx, mode: 'postpaid' | 'prepaid') =>
  mode === 'prepaid' ? (await loadBillingSettings(tx)).defaultLowBalanceFen : Number.MIN_SAFE_INTEGER;

/**
 * Moves a plan's lines onto the (locked) receivables; a line that pays everything owed settles its
 * receivable. Queued with the transaction's other writes: a later read of the receivables sends it first.
 */
function payLines(tx: Tx, lines: AllocationLine[], owed: Owed[], at: Date): void {
  if (!lines.length) return;
  const byId = new Map(owed.map((item) => [item.receivableId, item]));
  const settles = lines.map((line) => {
    const item = byId.get(line.receivableId)!;
    return item.lateFeeOwedFen <= line.lateFeeFen && item.principalOwedFen === line.principalFen;
  });
  const v = sql.raw('v');
  tx.defer(
    tx.db
      .update(receivables)
      .set({
        principalPaidFen: sql`${receivables.principalPaidFen} + ${v}.principal`,
        lateFeePaidFen: sql`${receivables.lateFeePaidFen} + ${v}.late_fee`,
        settledAt: sql`CASE WHEN ${v}.settles THEN ${at}::timestamptz ELSE ${receivables.settledAt} END`,
      })
      .from(
        sql`unnest(${sql.param(lines.map((line) => line.receivableId))}::bigint[], ${sql.param(lines.map((line) => line.principalFen))}::bigint[],
                 ${sql.param(lines.map((line) => line.lateFeeFen))}::bigint[], ${sql.param(settles)}::boolean[]) AS ${v}(id, principal, late_fee, settles)`,
      )
      .where(sql`${receivables.id} = ${v}.id`),
  );
}

/** Allocates one payment, once per ref; a repeat of the same ref returns the first allocation. */
export async function allocatePayment(tx: Tx, request: PaymentRequest): Promise<Allocation> {
  const { accountId, amountFen, ref } = request;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new AppError('AMOUNT_INVALID', 'The amount must be a positive whole number of fen');
  const mode = await lockAccount(tx, accountId);
  const only = request.receivableIds ? [...new Set(request.receivableIds)] : null;
  // The open receivables, locked, each carrying whether this ref was allocated before: one round
  // trip for the usual case. Asked after the account lock, so it sees a twin that just committed.
  const rows = only ? await openListedForPayment(tx.db).execute({ ref, accountId, ids: only }) : await openAllForPayment(tx.db).execute({ ref, accountId });
  // With nothing open the join says nothing either way, so the earlier allocation is asked for itself.
  const [existing] = rows.length === 0 || rows[0]!.earlier !== null ? await tx.db.select().from(paymentAllocations).where(eq(paymentAllocations.ref, ref)) : [];
  if (existing) {
    if (existing.accountId !== accountId || existing.amountFen !== amountFen)
      throw new AppError('IDEMPOTENCY_KEY_REUSED', `Payment ${ref} was allocated with different content`);
    return present(existing, true);
  }
  const open = rows;
  const found = new Set(open.map((row) => row.id));
  const skipped = only ? only.filter((id) => !found.has(id)) : [];
  if (skipped.length) {
    // Only the account's own settled receivables may be skipped; anything else is still refused.
    const settled = request.skipSettled
      ? await tx.db
          .select({ id: receivables.id })
          .from(receivables)
          .where(and(eq(receivables.accountId, accountId), sql`${receivables.id} = ANY(${sql.param(skipped)}::bigint[])`, isNotNull(receivables.settledAt)))
      : [];
    const refused = skipped.filter((id) => !settled.some((row) => row.id === id));
    if (refused.length) throw new AppError('RECEIVABLE_NOT_OPEN', 'A listed receivable is not an open receivable of this account', { receivableIds: refused });
  }
  const owed = open.map(owedOf);
  const plan = planAllocation(amountFen, owed);
  const at = request.at ?? new Date();
  payLines(tx, plan.lines, owed, at);
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
  tx.defer(
    tx.db
      .insert(paymentAllocations)
      .values({ ref, accountId, amountFen, lines: plan.lines, prepaymentFen: plan.prepaymentFen, source: request.source ?? {}, createdAt: at }),
  );
  return { ref, accountId, amountFen, ...plan, replayed: false, skipped };
}

/**
 * Undoes one allocation exactly: each receivable gives back what this payment paid of it (and is
 * open again), and the prepayment it made is taken back from the balance. Once per allocation: the
 * same `reversalRef` again is a replay; another reversal of a reversed payment is refused.
 */
export async function reverseAllocation(tx: Tx, ref: string, reversalRef: string, at = new Date()): Promise<Allocation> {
  const [target] = await tx.db.select({ accountId: paymentAllocations.accountId }).from(paymentAllocations).where(eq(paymentAllocations.ref, ref));
  if (!target) throw notFound('Payment');
  const mode = await lockAccount(tx, target.accountId);
  const [row] = await tx.db
    .update(paymentAllocations)
    .set({ reversedRef: reversalRef, reversedAt: at })
    .where(and(eq(paymentAllocations.ref, ref), isNull(paymentAllocations.reversedRef)))
    .returning();
  if (!row) {
    const [done] = await tx.db.select().from(paymentAllocations).where(eq(paymentAllocations.ref, ref));
    if (done!.reversedRef === reversalRef) return present(done!, true);
    throw new AppError('ALREADY_REVERSED', `Payment ${ref} has already been reversed`);
  }
  if (row.lines.length) {
    const v = sql.raw('v');
    await tx.db
      .update(receivables)
      .set({
        principalPaidFen: sql`${receivables.principalPaidFen} - ${v}.principal`,
        lateFeePaidFen: sql`${receivables.lateFeePaidFen} - ${v}.late_fee`,
        settledAt: null,
      })
      .from(
        sql`unnest(${sql.param(row.lines.map((line) => line.receivableId))}::bigint[], ${sql.param(row.lines.map((line) => line.principalFen))}::bigint[],
                   ${sql.param(row.lines.map((line) => line.lateFeeFen))}::bigint[]) AS ${v}(id, principal, late_fee)`,
      )
      .where(sql`${receivables.id} = ${v}.id`);
  }
  if (row.prepaymentFen > 0) {
    // The prepayment may have been spent since (a prepaid day's charge): the balance then goes below what it was.
    await postBalanceEntry(
      tx,
      {
        accountId: row.accountId,
        kind: 'reversal',
        ref: `reversal:${reversalRef}`,
        amountFen: -row.prepaymentFen,
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
  const [held] = await tx.db
    .select({
      balanceFen: accountBalances.balanceFen,
      applied: sql<boolean>`${exists(tx.db.select({ ref: paymentAllocations.ref }).from(paymentAllocations).where(eq(paymentAllocations.ref, ref)))}`,
    })
    .from(accountBalances)
    .where(eq(accountBalances.accountId, accountId));
  if (!held || held.applied || held.balanceFen <= 0) return 0;
  const open = await tx.db
    .select(OWED_COLUMNS)
    .from(receivables)
    .where(and(eq(receivables.accountId, accountId), isNull(receivables.settledAt)))
    .orderBy(asc(receivables.month), asc(receivables.id))
    .for('update');
  const owed = open.map(owedOf);
  const due = owed.reduce((sum, item) => sum + Math.max(0, item.lateFeeOwedFen) + item.principalOwedFen, 0);
  const amountFen = Math.min(held.balanceFen, due);
  if (amountFen <= 0) return 0;
  const plan = planAllocation(amountFen, owed);
  payLines(tx, plan.lines, owed, at);
  await postBalanceEntry(
    tx,
    { accountId, kind: 'bill_settlement', ref: `allocation:${ref}`, amountFen: -amountFen, details: { allocation: ref } },
    Number.MIN_SAFE_INTEGER,
  );
  await tx.db
    .insert(paymentAllocations)
    .values({ ref, accountId, amountFen, lines: plan.lines, prepaymentFen: 0, source: { kind: 'prepayment' }, createdAt: at });
  return amountFen;
}
