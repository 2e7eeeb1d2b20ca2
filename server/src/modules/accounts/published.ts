/**
 * What other modules may read of the accounts module's tables (electricity_accounts, account_bindings):
 * plain functions over the caller's executor, so a caller inside a transaction passes its `tx.db`.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { accountBindings, electricityAccounts } from '../../db/schema';

export type ElectricityAccount = typeof electricityAccounts.$inferSelect;

/** Terminals (query, pay, a reconciliation resolved in the terminal's favour) find the account a terminal names by its number. */
export async function accountByNo(db: Db, accountNo: string): Promise<ElectricityAccount | undefined> {
  const [row] = await db.select().from(electricityAccounts).where(eq(electricityAccounts.accountNo, accountNo));
  return row;
}

/** Payments check that the customer paying for an account has bound it. */
export async function isAccountBound(db: Db, customerId: number, accountId: number): Promise<boolean> {
  const [row] = await db
    .select({ accountId: accountBindings.accountId })
    .from(accountBindings)
    .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.accountId, accountId)));
  return row !== undefined;
}
