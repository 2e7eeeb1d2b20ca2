/**
 * What other modules may read of the auth module's tables (customers, staff_users): plain functions
 * over the caller's executor, so a caller inside a transaction passes its `tx.db`.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { customers, staffUsers } from '../../db/schema';

type Customer = typeof customers.$inferSelect;
type StaffUser = typeof staffUsers.$inferSelect;

/** Payments start a WeChat JSAPI payment for the customer's openid; undefined when there is no such customer. */
export async function customerWechatOpenid(db: Db, customerId: number): Promise<Customer['wechatOpenid'] | undefined> {
  const [row] = await db.select({ wechatOpenid: customers.wechatOpenid }).from(customers).where(eq(customers.id, customerId));
  return row?.wechatOpenid;
}

/** Terminal reconciliation names the staff member who settled each mismatch. */
export async function staffUsernames(db: Db, ids: readonly number[]): Promise<Map<StaffUser['id'], StaffUser['username']>> {
  if (!ids.length) return new Map();
  const rows = await db
    .select({ id: staffUsers.id, username: staffUsers.username })
    .from(staffUsers)
    .where(inArray(staffUsers.id, [...new Set(ids)]));
  return new Map(rows.map((row) => [row.id, row.username]));
}
