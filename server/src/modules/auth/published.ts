import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { staffUsers, customers } from '../../db/schema';

/**
 * What other modules may read of the auth module's tables (customers, staff_users): plain functions
 * over the caller's executor, so a caller inside a transaction passes its `tx.db`.
 */

/** A customer's mini-program openid, as a subquery: payments ask it in the same statement as the order's other facts. */
export const customerOpenidQuery = (db: Db, customerId: number) =>
  db.select({ wechatOpenid: customers.wechatOpenid }).from(customers).where(eq(customers.id, customerId));

/** Work orders refuse to reassign to a colleague who is missing or disabled (a caller's mistake, not a foreign-key 500). */
export async function isActiveStaff(db: Db, staffId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.id, staffId), isNull(staffUsers.disabledAt)));
  return Boolean(row);
}

/** The demo seed of service grids names their managers by username (it runs after the staff seed). */
export async function staffIdsByUsername(db: Db, usernames: string[]): Promise<Map<string, number>> {
  const rows = await db.select({ id: staffUsers.id, username: staffUsers.username }).from(staffUsers).where(inArray(staffUsers.username, usernames));
  return new Map(rows.map((row) => [row.username, row.id]));
}

type StaffUser = typeof staffUsers.$inferSelect;

/** Terminal reconciliation names the staff member who settled each mismatch. */
export async function staffUsernames(db: Db, ids: readonly number[]): Promise<Map<StaffUser['id'], StaffUser['username']>> {
  if (!ids.length) return new Map();
  const rows = await db
    .select({ id: staffUsers.id, username: staffUsers.username })
    .from(staffUsers)
    .where(inArray(staffUsers.id, [...new Set(ids)]));
  return new Map(rows.map((row) => [row.id, row.username]));
}

/** How one customer can be reached (mini-program openid, phone), shown beside their notification preferences. */
export async function customerContact(db: Db, customerId: number): Promise<Pick<typeof customers.$inferSelect, 'wechatOpenid' | 'phone'> | undefined> {
  const [row] = await db.select({ wechatOpenid: customers.wechatOpenid, phone: customers.phone }).from(customers).where(eq(customers.id, customerId));
  return row;
}

/**
 * Notifications' fan-out and sender: customers' contacts as a read model they join inside their own
 * one-statement batches (a second round trip per batch would cost more than the join).
 */
export function customerContacts(db: Db) {
  return db.select({ customerId: customers.id, wechatOpenid: customers.wechatOpenid, phone: customers.phone }).from(customers).as('customer_contacts');
}
