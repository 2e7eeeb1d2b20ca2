import type { NotificationPreferences, NotificationTopic } from '../../../../shared/contracts/notifications';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/database';
import { notifications, smsOptIns, subscribeGrants } from '../../db/schema';
import { AppError } from '../../errors';
import { customerContact } from '../auth/published';
import type { MessagePayload } from './sender';

export type Templates = Record<NotificationTopic, string>;

/** What customers agreed to hear: subscribe-message grants (mini-program) and SMS opt-ins (H5). */
/** The text that confirms an SMS opt-in, per topic: the customer learns at once that the number works. */
export const OPT_IN_TEMPLATES = {
  outage: 'outage_optin_confirm',
  workorder: 'workorder_optin_confirm',
  payment: 'payment_optin_confirm',
} as const satisfies Record<NotificationTopic, string>;

export function createPreferences(deps: { database: Database; templates: Templates; onQueued: () => Promise<unknown> }) {
  const { database, templates } = deps;
  const topicOfTemplate = new Map(Object.entries(templates).map(([topic, templateId]) => [templateId, topic as NotificationTopic]));

  async function read(customerId: number): Promise<NotificationPreferences> {
    const [customer, grants, optIns] = await Promise.all([
      customerContact(database.db, customerId),
      database.db
        .select({ templateId: subscribeGrants.templateId, remaining: subscribeGrants.remaining })
        .from(subscribeGrants)
        .where(eq(subscribeGrants.customerId, customerId)),
      database.db.select({ topic: smsOptIns.topic, enabled: smsOptIns.enabled }).from(smsOptIns).where(eq(smsOptIns.customerId, customerId)),
    ]);
    return {
      channels: { wechat: Boolean(customer?.wechatOpenid), sms: Boolean(customer?.phone) },
      topics: (Object.entries(templates) as [NotificationTopic, string][]).map(([topic, templateId]) => ({
        topic,
        templateId,
        wechatGrants: grants.find((grant) => grant.templateId === templateId)?.remaining ?? 0,
        sms: optIns.find((optIn) => optIn.topic === topic)?.enabled ?? false,
      })),
    };
  }

  return {
    read,

    /**
     * Records what `wx.requestSubscribeMessage` resolved with: each "accept" of a template we use is
     * one more one-time grant; "ban" means the customer switched the template off, so none are left.
     */
    async recordWechatConsent(customerId: number, results: Record<string, 'accept' | 'reject' | 'ban' | 'filter'>): Promise<NotificationPreferences> {
      const customer = await customerContact(database.db, customerId);
      if (!customer?.wechatOpenid) throw new AppError('NO_WECHAT_LOGIN', 'Subscribe messages need a login from the mini-program');
      for (const [templateId, decision] of Object.entries(results)) {
        if (!topicOfTemplate.has(templateId) || (decision !== 'accept' && decision !== 'ban')) continue;
        await database.db
          .insert(subscribeGrants)
          .values({ customerId, templateId, remaining: decision === 'accept' ? 1 : 0 })
          .onConflictDoUpdate({
            target: [subscribeGrants.customerId, subscribeGrants.templateId],
            set: { remaining: decision === 'accept' ? sql`${subscribeGrants.remaining} + 1` : 0, updatedAt: sql`now()` },
          });
      }
      return read(customerId);
    },

    /**
     * Turning SMS on (from off or never set) queues one confirmation text in the same transaction,
     * delivered by the sender like any notification; saving "on" again sends nothing.
     */
    async setSmsOptIn(customerId: number, topic: NotificationTopic, enabled: boolean): Promise<NotificationPreferences> {
      const customer = await customerContact(database.db, customerId);
      if (enabled && !customer?.phone) throw new AppError('NO_PHONE', 'Add a phone number to receive text messages');
      const queued = await database.transaction(async ({ db }) => {
        const optIn = and(eq(smsOptIns.customerId, customerId), eq(smsOptIns.topic, topic));
        // The row first, then its lock: two saves at once see each other's result, so one opt-in confirms once.
        await db.insert(smsOptIns).values({ customerId, topic, enabled: false }).onConflictDoNothing();
        const [before] = await db.select({ enabled: smsOptIns.enabled }).from(smsOptIns).where(optIn).for('update');
        const [after] = await db
          .update(smsOptIns)
          .set({ enabled, updatedAt: sql`now()` })
          .where(optIn)
          .returning({ stamp: sql<string>`(extract(epoch FROM ${smsOptIns.updatedAt}) * 1000000)::bigint::text` });
        if (!enabled || before?.enabled) return false;
        const payload: MessagePayload = { page: '', wechat: {}, sms: { template: OPT_IN_TEMPLATES[topic], params: {} } };
        await db
          .insert(notifications)
          .values({ customerId, eventKey: `sms-optin:${topic}:${after!.stamp}`, topic, channel: 'sms', payload })
          .onConflictDoNothing({ target: [notifications.customerId, notifications.eventKey] });
        return true;
      });
      if (queued) await deps.onQueued();
      return read(customerId);
    },
  };
}

export type Preferences = ReturnType<typeof createPreferences>;
