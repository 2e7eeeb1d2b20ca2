/**
 * The queue's hot statements, one round trip each: fan-out (insert for a whole audience), claim
 * (queued → sending, with each row's contacts) and settle (a batch's outcomes). Tables and columns
 * come from the schema, so a renamed column fails the type check.
 */
import { and, asc, eq, inArray, lt, lte, notExists, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { NotificationTopic } from '../../../../shared/contracts/notifications';
import type { Db } from '../../db/database';
import { type customers, notifications, smsOptIns, subscribeGrants } from '../../db/schema';
import { customerContacts } from '../auth/published';
import type { MessagePayload } from './sender';

type NotificationRow = typeof notifications.$inferSelect;
type CustomerRow = typeof customers.$inferSelect;

/** A row the sender has claimed, with how its customer can be reached right now. */
export type ClaimedRow = Pick<NotificationRow, 'id' | 'customerId' | 'channel' | 'attempts'> & {
  topic: NotificationTopic;
  payload: MessagePayload;
  openid: CustomerRow['wechatOpenid'];
  phone: CustomerRow['phone'];
  smsEnabled: (typeof smsOptIns.$inferSelect)['enabled'];
};

export type Settlement = {
  id: NotificationRow['id'];
  status: NotificationRow['status'];
  channel: NotificationRow['channel'];
  delaySeconds: number;
  outcome: string;
};

const column = (name: { name: string }) => sql.identifier(name.name);

/**
 * One row per customer in the audience (a query whose rows carry `customer_id`) who agreed to the
 * topic: a subscribe message while grants last, else SMS if opted in. A repeat of the event adds nothing.
 */
export async function insertFanOut(db: Db, audience: SQL, event: FanOutEvent): Promise<number> {
  const result = await db.execute(fanOutStatement(db, audience, event));
  return result.rowCount ?? 0;
}

type FanOutEvent = { eventKey: NotificationRow['eventKey']; topic: NotificationTopic; templateId: string; payload: MessagePayload };

/** The fan-out as a statement, for a transaction to send with its own writes (a one-customer audience). */
export function fanOutStatement(db: Db, audience: SQL, event: FanOutEvent): SQL {
  const contacts = customerContacts(db);
  const n = notifications;
  const byWechat = sql`${contacts.wechatOpenid} IS NOT NULL AND coalesce(${subscribeGrants.remaining}, 0) > 0`;
  return sql`
    WITH audience AS (${audience})
    INSERT INTO ${n} (${column(n.customerId)}, ${column(n.eventKey)}, ${column(n.topic)}, ${column(n.channel)}, ${column(n.payload)})
    SELECT ${contacts.customerId}, ${event.eventKey}, ${event.topic}, CASE WHEN ${byWechat} THEN 'wechat' ELSE 'sms' END, ${JSON.stringify(event.payload)}::jsonb
      FROM (SELECT DISTINCT customer_id FROM audience) a
      JOIN ${contacts} ON ${contacts.customerId} = a.customer_id
      LEFT JOIN ${subscribeGrants} ON ${subscribeGrants.customerId} = ${contacts.customerId} AND ${subscribeGrants.templateId} = ${event.templateId}
      LEFT JOIN ${smsOptIns} ON ${smsOptIns.customerId} = ${contacts.customerId} AND ${smsOptIns.topic} = ${event.topic}
     WHERE (${byWechat}) OR (${contacts.phone} IS NOT NULL AND coalesce(${smsOptIns.enabled}, false))
    ON CONFLICT (${column(n.customerId)}, ${column(n.eventKey)}) DO NOTHING`;
}

/** Moves up to `limit` due rows from queued to sending (skipping rows another worker holds) and returns them. */
export async function claimDue(db: Db, limit: number): Promise<ClaimedRow[]> {
  const n = notifications;
  const sending = alias(notifications, 'sending');
  const due = db
    .select({ id: n.id })
    .from(n)
    .where(
      and(
        eq(n.status, 'queued'),
        lte(n.availableAt, sql`now()`),
        // Not while an earlier message to the same customer is still being sent by another worker:
        // one customer's messages arrive in the order they were queued.
        notExists(
          db
            .select({ id: sending.id })
            .from(sending)
            .where(and(eq(sending.customerId, n.customerId), eq(sending.status, 'sending'), lt(sending.id, n.id))),
        ),
      ),
    )
    .orderBy(asc(n.availableAt), asc(n.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  const claimed = db.$with('claimed').as(
    db
      .update(n)
      .set({ status: 'sending', attempts: sql`${n.attempts} + 1`, availableAt: sql`now()` })
      .where(inArray(n.id, due))
      .returning({ id: n.id, customerId: n.customerId, topic: n.topic, channel: n.channel, payload: n.payload, attempts: n.attempts }),
  );
  const contacts = customerContacts(db);
  const rows = await db
    .with(claimed)
    .select({
      id: claimed.id,
      customerId: claimed.customerId,
      topic: claimed.topic,
      channel: claimed.channel,
      payload: claimed.payload,
      attempts: claimed.attempts,
      openid: contacts.wechatOpenid,
      phone: contacts.phone,
      smsEnabled: sql<boolean>`coalesce(${smsOptIns.enabled}, false)`,
    })
    .from(claimed)
    .innerJoin(contacts, eq(contacts.customerId, claimed.customerId))
    .leftJoin(smsOptIns, and(eq(smsOptIns.customerId, claimed.customerId), eq(smsOptIns.topic, claimed.topic)));
  // The topic and payload were written by this module from these types.
  return rows.map((row) => ({ ...row, topic: row.topic as NotificationTopic, payload: row.payload as MessagePayload }));
}

/** Records a batch's outcomes in one statement; only rows still `sending` move. */
export async function settleBatch(db: Db, results: Settlement[]): Promise<void> {
  if (!results.length) return;
  const n = notifications;
  const list = <T>(pick: (result: Settlement) => T) => sql.param(results.map(pick));
  await db.execute(sql`
    UPDATE ${n} SET ${column(n.status)} = r.status, ${column(n.channel)} = r.channel,
           ${column(n.sentAt)} = CASE WHEN r.status = 'sent' THEN now() END,
           ${column(n.availableAt)} = now() + make_interval(secs => r.delay),
           ${column(n.lastError)} = CASE WHEN r.status IN ('sent') THEN NULL ELSE r.outcome END
      FROM unnest(${list((r) => r.id)}::bigint[], ${list((r) => r.status)}::text[], ${list((r) => r.channel)}::text[],
                  ${list((r) => r.delaySeconds)}::int[], ${list((r) => r.outcome)}::text[]) AS r(id, status, channel, delay, outcome)
     WHERE ${n.id} = r.id AND ${n.status} = 'sending'`);
}
