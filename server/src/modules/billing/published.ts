import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { paymentAllocations, accountBalances, billingProfiles } from '../../db/schema';

/**
 * Functions other modules call to read or write billing's tables (see the module ownership table
 * in docs): plain functions over the caller's `Db`, typed by the schema.
 */

type PaymentAllocation = typeof paymentAllocations.$inferSelect;

/** Payments show how each paid order was allocated over bill months (by its receipt's allocation ref): in the history and on the receipt. */
export async function allocationLines(db: Db, refs: readonly string[]): Promise<Map<PaymentAllocation['ref'], PaymentAllocation['lines']>> {
  if (!refs.length) return new Map();
  const rows = await db
    .select({ ref: paymentAllocations.ref, lines: paymentAllocations.lines })
    .from(paymentAllocations)
    .where(inArray(paymentAllocations.ref, [...refs]));
  return new Map(rows.map((row) => [row.ref, row.lines]));
}

export type BillingStanding = {
  billingMode: (typeof billingProfiles.$inferSelect)['billingMode'];
  balanceFen: (typeof accountBalances.$inferSelect)['balanceFen'];
};

/**
 * Terminals answer a balance query with the account's billing mode (postpaid without a profile) and
 * its balance (0 before its first payment). One statement: either row may be missing.
 */
export async function billingStanding(db: Db, accountId: number): Promise<BillingStanding> {
  const { rows } = await db.execute<BillingStanding>(sql`
    SELECT coalesce((SELECT ${billingProfiles.billingMode} FROM ${billingProfiles} WHERE ${billingProfiles.accountId} = ${accountId}), 'postpaid') AS "billingMode",
           coalesce((SELECT ${accountBalances.balanceFen} FROM ${accountBalances} WHERE ${accountBalances.accountId} = ${accountId}), 0)::bigint AS "balanceFen"`);
  return rows[0]!;
}
