import { count, eq, inArray, and } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { accountBindings, electricityAccounts } from '../../db/schema';

/**
 * What other modules may read of accounts' tables (electricity_accounts, account_bindings): plain
 * functions taking the caller's `db`, typed by the schema.
 */

/** Work orders dispatch a request by its account's transformer area: a subquery they join to their grids in one statement. */
export function accountAreaQuery(db: Db, accountId: number) {
  return db.select({ transformerArea: electricityAccounts.transformerArea }).from(electricityAccounts).where(eq(electricityAccounts.id, accountId));
}

/** Outage notices go to every customer bound to an account in the areas: the set notifications fans out over, never loaded here. */
export function customersInAreasQuery(db: Db, areas: string[]) {
  return db
    .select({ customerId: accountBindings.customerId })
    .from(accountBindings)
    .innerJoin(electricityAccounts, eq(electricityAccounts.id, accountBindings.accountId))
    .where(inArray(electricityAccounts.transformerArea, areas));
}

/** A customer's bound accounts with their areas: outages joins it to its notices to list the customer's own. */
export function boundAccountsQuery(db: Db, customerId: number) {
  return db
    .select({ accountId: electricityAccounts.id, accountNo: electricityAccounts.accountNo, transformerArea: electricityAccounts.transformerArea })
    .from(accountBindings)
    .innerJoin(electricityAccounts, eq(electricityAccounts.id, accountBindings.accountId))
    .where(eq(accountBindings.customerId, customerId));
}

/** How many accounts the areas supply: outage staff see it beside each outage. */
export async function countAccountsInAreas(db: Db, areas: string[]): Promise<number> {
  const [row] = await db.select({ n: count() }).from(electricityAccounts).where(inArray(electricityAccounts.transformerArea, areas));
  return row!.n;
}

/** Payments' electronic receipt: the account number, holder and address printed on it (masked by the caller). */
export async function accountOnFile(db: Db, accountId: number) {
  const [row] = await db
    .select({ accountNo: electricityAccounts.accountNo, holderName: electricityAccounts.holderName, address: electricityAccounts.address })
    .from(electricityAccounts)
    .where(eq(electricityAccounts.id, accountId));
  return row;
}

export type ElectricityAccount = typeof electricityAccounts.$inferSelect;

/** Terminals (query, pay, a reconciliation resolved in the terminal's favour) find the account a terminal names by its number. */
export async function accountByNo(db: Db, accountNo: string): Promise<ElectricityAccount | undefined> {
  const [row] = await db.select().from(electricityAccounts).where(eq(electricityAccounts.accountNo, accountNo));
  return row;
}

/** The customer's binding of the account, as a subquery (a row when bound): payments ask it with the order's other facts. */
export const accountBindingQuery = (db: Db, customerId: number, accountId: number) =>
  db
    .select({ accountId: accountBindings.accountId })
    .from(accountBindings)
    .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.accountId, accountId)));

/** Whether the customer has bound the account. */
export async function isAccountBound(db: Db, customerId: number, accountId: number): Promise<boolean> {
  return (await accountBindingQuery(db, customerId, accountId)).length > 0;
}

type Account = typeof electricityAccounts.$inferSelect;

/**
 * The accounts read model: for set-based statements of other modules that must join accounts (the
 * bill run, late-fee accrual), read-only, and only the columns `id`, `accountNo` and
 * `customerClass`. It is the table itself, so the join costs what it always did.
 */
export const accountsReadModel = electricityAccounts;

/** Billing's demo seed: the ids of the demo account numbers (absent numbers are left out). */
export async function accountIdsByNo(db: Db, accountNos: readonly string[]): Promise<Pick<Account, 'id' | 'accountNo'>[]> {
  if (!accountNos.length) return [];
  return db
    .select({ id: electricityAccounts.id, accountNo: electricityAccounts.accountNo })
    .from(electricityAccounts)
    .where(inArray(electricityAccounts.accountNo, [...accountNos]));
}

/** Billing's review list: account number and class of each listed account, by id. */
export async function accountLabels(db: Db, ids: readonly number[]): Promise<Map<Account['id'], Pick<Account, 'accountNo' | 'customerClass'>>> {
  if (!ids.length) return new Map();
  const rows = await db
    .select({ id: electricityAccounts.id, accountNo: electricityAccounts.accountNo, customerClass: electricityAccounts.customerClass })
    .from(electricityAccounts)
    .where(inArray(electricityAccounts.id, [...new Set(ids)]));
  return new Map(rows.map(({ id, ...label }) => [id, label]));
}
