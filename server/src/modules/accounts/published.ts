import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { electricityAccounts } from '../../db/schema';

/*
 * What the accounts module publishes to other modules: plain functions taking the caller's `db`,
 * and one read model for set-based statements. Nothing else may read electricity_accounts or
 * account_bindings.
 */

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
