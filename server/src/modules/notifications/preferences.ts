import type { NotificationPreferences, NotificationTopic } from '../../../../shared/contracts/notifications';
import type { Database } from '../../db/database';
import { AppError } from '../../errors';
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
    const [
      {
        rows: [customer],
      },
      { rows: grants },
      { rows: optIns },
    ] = await Promise.all([
      database.pool.query<{ wechat_openid: string | null; phone: string | null }>('SELECT wechat_openid, phone FROM customers WHERE id = $1', [customerId]),
      database.pool.query<{ template_id: string; remaining: number }>('SELECT template_id, remaining FROM subscribe_grants WHERE customer_id = $1', [
        customerId,
      ]),
      database.pool.query<{ topic: string; enabled: boolean }>('SELECT topic, enabled FROM sms_opt_ins WHERE customer_id = $1', [customerId]),
    ]);
    return {
      channels: { wechat: Boolean(customer?.wechat_openid), sms: Boolean(customer?.phone) },
      topics: (Object.entries(templates) as [NotificationTopic, string][]).map(([topic, templateId]) => ({
        topic,
        templateId,
        wechatGrants: grants.find((grant) => grant.template_id === templateId)?.remaining ?? 0,
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
      const {
        rows: [customer],
      } = await database.pool.query('SELECT wechat_openid FROM customers WHERE id = $1', [customerId]);
      if (!customer?.wechat_openid) throw new AppError('NO_WECHAT_LOGIN', 'Subscribe messages need a login from the mini-program');
      for (const [templateId, decision] of Object.entries(results)) {
        if (!topicOfTemplate.has(templateId) || (decision !== 'accept' && decision !== 'ban')) continue;
        await database.pool.query(
          `INSERT INTO subscribe_grants (customer_id, template_id, remaining) VALUES ($1, $2, $3)
           ON CONFLICT (customer_id, template_id) DO UPDATE
             SET remaining = CASE WHEN $3 = 0 THEN 0 ELSE subscribe_grants.remaining + 1 END, updated_at = now()`,
          [customerId, templateId, decision === 'accept' ? 1 : 0],
        );
      }
      return read(customerId);
    },

    /**
     * Turning SMS on (from off or never set) queues one confirmation text in the same transaction,
     * delivered by the sender like any notification; saving "on" again sends nothing.
     */
    async setSmsOptIn(customerId: number, topic: NotificationTopic, enabled: boolean): Promise<NotificationPreferences> {
      const {
        rows: [customer],
      } = await database.pool.query('SELECT phone FROM customers WHERE id = $1', [customerId]);
      if (enabled && !customer?.phone) throw new AppError('NO_PHONE', 'Add a phone number to receive text messages');
      const queued = await database.transaction(async (tx) => {
        // The row first, then its lock: two saves at once see each other's result, so one opt-in confirms once.
        await tx.client.query('INSERT INTO sms_opt_ins (customer_id, topic, enabled) VALUES ($1, $2, false) ON CONFLICT DO NOTHING', [customerId, topic]);
        const {
          rows: [before],
        } = await tx.client.query<{ enabled: boolean }>('SELECT enabled FROM sms_opt_ins WHERE customer_id = $1 AND topic = $2 FOR UPDATE', [
          customerId,
          topic,
        ]);
        const {
          rows: [after],
        } = await tx.client.query<{ stamp: string }>(
          `UPDATE sms_opt_ins SET enabled = $3, updated_at = now() WHERE customer_id = $1 AND topic = $2
           RETURNING (extract(epoch FROM updated_at) * 1000000)::bigint::text AS stamp`,
          [customerId, topic, enabled],
        );
        if (!enabled || before?.enabled) return false;
        const payload: MessagePayload = { page: '', wechat: {}, sms: { template: OPT_IN_TEMPLATES[topic], params: {} } };
        await tx.client.query(
          `INSERT INTO notifications (customer_id, event_key, topic, channel, payload) VALUES ($1, $2, $3, 'sms', $4::jsonb)
           ON CONFLICT (customer_id, event_key) DO NOTHING`,
          [customerId, `sms-optin:${topic}:${after!.stamp}`, topic, JSON.stringify(payload)],
        );
        return true;
      });
      if (queued) await deps.onQueued();
      return read(customerId);
    },
  };
}

export type Preferences = ReturnType<typeof createPreferences>;
