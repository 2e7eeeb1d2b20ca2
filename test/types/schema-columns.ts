/**
 * Type-level proof for the data-access convention: a query naming a column the schema lacks does
 * not compile. Checked by `npm run typecheck` only (never run); if one of these lines ever compiles,
 * its `@ts-expect-error` is unused and the type check fails.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../server/src/db/database';
import { customers, notifications, outbox, smsOptIns } from '../../server/src/db/schema';

type NotificationRow = typeof notifications.$inferSelect;

export async function misspeltColumnsDoNotCompile(db: Db) {
  // The builder: selecting, filtering, writing and setting a column the table does not have.
  // @ts-expect-error `recipientId` is not a column of notifications
  await db.select({ id: notifications.id, recipient: notifications.recipientId }).from(notifications);
  // @ts-expect-error `custmerId` is misspelt
  await db.select().from(notifications).where(eq(notifications.custmerId, 1));
  // @ts-expect-error `enabledAt` is not a column of sms_opt_ins
  await db.insert(smsOptIns).values({ customerId: 1, topic: 'outage', enabled: true, enabledAt: new Date() });
  // @ts-expect-error `deliveredAt` is not a column of outbox (it is relayedAt)
  await db.update(outbox).set({ deliveredAt: new Date() });

  // `sql` templates: tables and columns are interpolated from the schema, so a wrong one fails too.
  // @ts-expect-error `openid` is not a column of customers (it is wechatOpenid)
  await db.execute(sql`SELECT ${customers.openid} FROM ${customers}`);
  // @ts-expect-error `sql.identifier` takes the name from the schema's column object
  await db.execute(sql`UPDATE ${notifications} SET ${sql.identifier(notifications.state.name)} = 'sent'`);

  // Rows are the schema's types with camelCase properties: the database's snake_case names do not exist on them.
  const [row] = await db.select().from(notifications).limit(1);
  // @ts-expect-error the row has `customerId`, not `customer_id`
  void row?.customer_id;
  // Typed `sql` results compose schema types, so a result read by a wrong name fails as well.
  const { rows } = await db.execute<Pick<NotificationRow, 'id' | 'eventKey'>>(
    sql`SELECT ${notifications.id}, ${notifications.eventKey} AS "eventKey" FROM ${notifications}`,
  );
  // @ts-expect-error the result row has `eventKey`, not `event_key`
  void rows[0]?.event_key;
}
