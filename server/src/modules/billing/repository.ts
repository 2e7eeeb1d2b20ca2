import { and, asc, getTableName, gt, sql, type Column, type GetColumnData, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { alias } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { copyRows, pgIntArray } from '../../db/copy';
import type { Db, Tx } from '../../db/database';
import { accountBalances, bills, billingProfiles, meterReadings, meters, receivables } from '../../db/schema';
import { accountsReadModel as accounts } from '../accounts/published';

/*
 * The bill run's hot path: set-based statements, hand-tuned, as `sql` templates over the schema
 * objects (a renamed column fails the type check). Each result row's type comes from the columns
 * selected: `fields` names every output column once, both its alias and its type.
 */

type Field = Column | SQL<unknown>;
export type RowOf<F extends Record<string, Field>> = { [K in keyof F]: F[K] extends Column ? GetColumnData<F[K]> : F[K] extends SQL<infer T> ? T : never };

/** `expr AS "key", …` for a select list. */
export const fields = (list: Record<string, Field>): SQL =>
  sql.join(
    Object.entries(list).map(([key, field]) => sql`${field} AS ${sql.identifier(key)}`),
    sql`, `,
  );

/** A column read through a LEFT JOIN: null when nothing joined. */
export const orNull = <C extends Column>(column: C) => sql<GetColumnData<C> | null>`${column}`;

const prev = alias(bills, 'prev');
const opening = alias(meterReadings, 's');
const closing = alias(meterReadings, 'e');

const ACCOUNT_FIELDS = {
  id: accounts.id,
  customerClass: accounts.customerClass,
  tariffCode: billingProfiles.tariffCode,
  billingMode: billingProfiles.billingMode,
  contractKva: billingProfiles.contractKva,
  demandBasis: billingProfiles.demandBasis,
  powerFactorStandard: billingProfiles.powerFactorStandard,
  hasSolar: billingProfiles.hasSolar,
  vacant: billingProfiles.vacant,
  prevMonth: orNull(prev.month),
  prevStatus: orNull(prev.status),
  prevKwh: orNull(prev.kwh),
  prevCounted: orNull(prev.tierCountedKwh),
  // As JSON: JSON.parse is several times quicker than the driver's generic array parser.
  prevHistory: sql<(typeof bills.$inferSelect)['history'] | null>`to_json(${prev.history})`,
};
export type ChunkAccountRow = RowOf<typeof ACCOUNT_FIELDS>;
const ACCOUNT_LIST = fields(ACCOUNT_FIELDS);

/**
 * The next `limit` accounts by id after `afterId` with profile and latest bill up to `month`
 * (`onlyAccount`: that one account, with its latest bill before `month`). The accounts are read
 * through the accounts module's published read model.
 */
export async function nextChunkAccounts(db: Db, month: string, afterId: number, limit: number, onlyAccount?: number): Promise<ChunkAccountRow[]> {
  // One probe of the (account, month) index answers both questions: the account's latest bill up to
  // this month is either this month's (billed already: dropped after the query) or the previous bill
  // the new one needs. Filtering after the LIMIT keeps the plan an ordered walk of the accounts.
  const latest = onlyAccount ? sql`${prev.month} < ${month}` : sql`${prev.month} <= ${month}`;
  const only = onlyAccount ? sql`${accounts.id} = ${onlyAccount}` : sql`true`;
  const { rows } = await db.execute<ChunkAccountRow>(sql`
    SELECT ${ACCOUNT_LIST}
      FROM ${accounts}
      JOIN ${billingProfiles} ON ${billingProfiles.accountId} = ${accounts.id}
      LEFT JOIN LATERAL (
        SELECT ${prev.month}, ${prev.status}, ${prev.kwh}, ${prev.tierCountedKwh}, ${prev.history} FROM ${bills} ${prev}
         WHERE ${prev.accountId} = ${accounts.id} AND ${latest} ORDER BY ${prev.month} DESC LIMIT 1) ${prev} ON true
     -- The bound is stated for both sides: the planner carries equalities across a join, not ranges,
     -- and without it a merge join reads billing_profiles from its first row for every chunk.
     WHERE ${accounts.id} > ${afterId} AND ${billingProfiles.accountId} > ${afterId} AND ${only}
     ORDER BY ${accounts.id} LIMIT ${limit}`);
  return rows;
}

const REGISTERS = ['total', 'sharp', 'peak', 'flat', 'valley', 'reverse', 'reactive', 'maxDemand', 'quality'] as const;
type Register = (typeof REGISTERS)[number];
type ReadingAlias = typeof opening | typeof closing;
const readingFields = <P extends 's' | 'e'>(prefix: P, reading: ReadingAlias) =>
  Object.fromEntries(REGISTERS.map((register) => [`${prefix}_${register}`, orNull(reading[register])])) as {
    [K in Register as `${P}_${K}`]: SQL<GetColumnData<(typeof meterReadings)[K]> | null>;
  };

const METER_FIELDS = {
  accountId: meters.accountId,
  meterNo: meters.meterNo,
  multiplier: meters.multiplier,
  registers: meters.registers,
  registerDigits: meters.registerDigits,
  ...readingFields('s', opening),
  ...readingFields('e', closing),
};
export type ChunkMeterRow = RowOf<typeof METER_FIELDS>;
const METER_LIST = fields(METER_FIELDS);
const registersOf = (reading: ReadingAlias) =>
  sql.join(
    REGISTERS.map((register) => reading[register]),
    sql`, `,
  );

/** Each meter of `accountIds` in service during [start, end), with its opening and closing reading. */
export async function chunkMeters(db: Db, accountIds: readonly number[], start: Date, end: Date): Promise<ChunkMeterRow[]> {
  const { rows } = await db.execute<ChunkMeterRow>(sql`
    SELECT ${METER_LIST}
      FROM ${meters}
      -- LATERAL … LIMIT 1 keeps these as primary-key lookups: as plain joins on greatest()/least()
      -- the planner picks a hash join that scans every reading ever taken.
      LEFT JOIN LATERAL (SELECT ${registersOf(opening)} FROM ${meterReadings} ${opening}
                          WHERE ${opening.meterId} = ${meters.id} AND ${opening.readAt} = greatest(${start}::timestamptz, ${meters.installedAt}) LIMIT 1) ${opening} ON true
      LEFT JOIN LATERAL (SELECT ${registersOf(closing)} FROM ${meterReadings} ${closing}
                          WHERE ${closing.meterId} = ${meters.id} AND ${closing.readAt} = least(${end}::timestamptz, coalesce(${meters.removedAt}, ${end}::timestamptz)) LIMIT 1) ${closing} ON true
     WHERE ${meters.accountId} = ANY(${sql.param(accountIds)}::bigint[]) AND ${meters.installedAt} < ${end}
       AND (${meters.removedAt} IS NULL OR ${meters.removedAt} > ${start})
     ORDER BY ${meters.accountId}, ${meters.meterNo}`);
  return rows;
}

/** `count` fresh bill ids from the bills' own sequence, so receivables can be written beside them. */
export async function drawBillIds(tx: Tx, count: number): Promise<number[]> {
  const { rows } = await tx.db.execute<{ id: (typeof bills.$inferSelect)['id'] }>(
    // MATERIALIZED: the sequence is looked up once, not once per id (a plain CTE is inlined into the select list).
    sql`WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence(${getTableName(bills)}, ${bills.id.name})::regclass AS name)
        SELECT nextval(seq.name) AS id FROM seq, generate_series(1, ${count}::int)`,
  );
  return rows.map((row) => row.id);
}

type BillInsert = typeof bills.$inferInsert;
type ReceivableInsert = typeof receivables.$inferInsert;

/** A bill as COPY writes it; `published` stamps it published at the run's `stamp`. */
export type CopiedBill = Required<
  Pick<
    BillInsert,
    'id' | 'accountId' | 'month' | 'status' | 'tariffCode' | 'tariffVersion' | 'kwh' | 'amountFen' | 'tierCountedKwh' | 'detail' | 'anomalies' | 'runId'
  >
> & {
  /** This and the 12 months before, newest first; null where unknown. */
  history: (number | null)[];
  published: boolean;
};
const BILL_COLUMNS = [
  bills.id,
  bills.accountId,
  bills.month,
  bills.status,
  bills.tariffCode,
  bills.tariffVersion,
  bills.kwh,
  bills.amountFen,
  bills.tierCountedKwh,
  bills.history,
  bills.detail,
  bills.anomalies,
  bills.runId,
  bills.computedAt,
  bills.publishedAt,
];

/** Writes new bills with COPY on the transaction's connection, all stamped computed at `stamp`. */
export async function copyBills(tx: Tx, rows: CopiedBill[], stamp: string): Promise<void> {
  await copyRows(
    tx.client,
    bills,
    BILL_COLUMNS,
    rows.map((bill) => [
      bill.id,
      bill.accountId,
      bill.month,
      bill.status,
      bill.tariffCode,
      bill.tariffVersion,
      bill.kwh,
      bill.amountFen,
      bill.tierCountedKwh,
      pgIntArray(bill.history),
      bill.detail,
      bill.anomalies,
      bill.runId,
      stamp,
      bill.published ? stamp : null,
    ]),
  );
}

/** A receivable as COPY writes it; `settled` stamps it settled at `stamp`. */
export type CopiedReceivable = Required<Pick<ReceivableInsert, 'accountId' | 'billId' | 'month' | 'principalFen' | 'principalPaidFen' | 'dueDate'>> & {
  settled: boolean;
};
const RECEIVABLE_COLUMNS = [
  receivables.accountId,
  receivables.billId,
  receivables.month,
  receivables.principalFen,
  receivables.principalPaidFen,
  receivables.dueDate,
  receivables.settledAt,
  receivables.createdAt,
];

/** Writes new receivables with COPY on the transaction's connection, created at `stamp`. */
export async function copyReceivables(tx: Tx, rows: CopiedReceivable[], stamp: string): Promise<void> {
  await copyRows(
    tx.client,
    receivables,
    RECEIVABLE_COLUMNS,
    rows.map((row) => [row.accountId, row.billId, row.month, row.principalFen, row.principalPaidFen, row.dueDate, row.settled ? stamp : null, stamp]),
  );
}

/** Which of `accountIds` hold prepayment (few do): one indexed query for a whole chunk. */
export async function accountsHoldingBalance(db: Db, accountIds: readonly number[]): Promise<(typeof accountBalances.$inferSelect)['accountId'][]> {
  // = ANY(array): one parameter for the whole chunk, where IN would bind thousands.
  const rows = await db
    .select({ accountId: accountBalances.accountId })
    .from(accountBalances)
    .where(and(sql`${accountBalances.accountId} = ANY(${sql.param(accountIds)}::bigint[])`, gt(accountBalances.balanceFen, 0)))
    .orderBy(asc(accountBalances.accountId));
  return rows.map((row) => row.accountId);
}

/**
 * Holds a session-level advisory lock on a connection of its own while `work` runs (a bill run of
 * one month, the demo history): the lock outlives the many transactions `work` commits.
 */
export async function withSessionLock<T>(pool: pg.Pool, key: [number, number] | [number], work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const db = drizzle({ client });
  const keys = sql.join(
    key.map((part) => sql`${part}`),
    sql`, `,
  );
  try {
    await db.execute(sql`SELECT pg_advisory_lock(${keys})`);
    return await work();
  } finally {
    await db.execute(sql`SELECT pg_advisory_unlock(${keys})`).catch(() => undefined);
    client.release();
  }
}
