/**
 * What other modules may read of auth's tables (customers, staff_users, refresh_tokens, sms_codes):
 * plain functions taking the caller's `db` (so they join its transaction), typed by the schema.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { customers } from '../../db/schema';

/** Notifications: how one customer can be reached (mini-program openid, phone), shown beside their preferences. */
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
