/**
 * What other modules may read of accounts' tables (electricity_accounts, account_bindings): plain
 * functions taking the caller's `db`, typed by the schema.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { accountBindings, electricityAccounts } from '../../db/schema';

/**
 * Outages' notification audience: the customers bound to any account in the transformer areas, as a
 * query (rows carry `customer_id`) that notifications' fan-out embeds in its statement. A customer
 * with several accounts there appears more than once; the fan-out keeps one row each.
 */
export function customersInAreas(db: Db, areas: string[]) {
  return db
    .select({ customerId: accountBindings.customerId })
    .from(accountBindings)
    .innerJoin(electricityAccounts, eq(electricityAccounts.id, accountBindings.accountId))
    .where(inArray(electricityAccounts.transformerArea, areas));
}
