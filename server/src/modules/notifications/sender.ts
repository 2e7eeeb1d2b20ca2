import type { Logger } from 'pino';
import type { Database } from '../../db/database';
import type { SmsClient } from '../../integrations/sms/client';
import { HttpStatusError } from '../../integrations/http';
import { WECHAT_ERRORS, type WechatClient } from '../../integrations/wechat/client';
import type { KeyValueStore } from '../../redis';
import type { Templates } from './preferences';

/** What an event says, in both channels' terms; `wechat` fields follow the template, `sms` the SMS template. */
export interface MessagePayload {
  page: string;
  wechat: Record<string, string>;
  sms: { template: Exclude<Parameters<SmsClient['send']>[0]['template'], 'verification_code'>; params: Record<string, string> };
}

interface ClaimedRow {
  id: number;
  customer_id: number;
  topic: keyof Templates;
  channel: 'wechat' | 'sms';
  payload: MessagePayload;
  attempts: number;
  openid: string | null;
  phone: string | null;
  sms_enabled: boolean;
}

type Outcome = 'sent' | 'refused' | 'retry' | 'unknown';

const TOKEN_KEY = 'wechat:access-token';
const MAX_ATTEMPTS = 6;
export const retryDelaySeconds = (attempts: number) => Math.min(1800, 15 * 2 ** (attempts - 1));

/**
 * Delivers queued notifications. A row is claimed (queued → sending) before anything is sent and
 * leaves `sending` exactly once, so no message goes out twice for one (customer, event):
 * - a definite refusal by the gateway (HTTP error status, WeChat "system busy") is retried later;
 * - an answer that never came (timeout, dropped connection) is recorded as `unknown` and never
 *   resent, because the gateway may have delivered it;
 * - a subscribe message without a grant left falls back to SMS when the customer opted in.
 */
export function createSender(deps: {
  database: Database;
  store: KeyValueStore;
  wechat: WechatClient;
  sms: SmsClient;
  templates: Templates;
  concurrency: number;
  log: Logger;
}) {
  const { database, log } = deps;

  async function accessToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh) {
      const cached = await deps.store.get(TOKEN_KEY);
      if (cached) return cached;
    }
    // stable_token hands every instance the same token, so instances refreshing at once agree.
    const { accessToken: token, expiresIn } = await deps.wechat.stableToken(forceRefresh);
    await deps.store.set(TOKEN_KEY, token, { ttlMs: Math.max(60, expiresIn - 300) * 1000 });
    return token;
  }

  async function sendWechat(row: ClaimedRow): Promise<Outcome | 'no_grant'> {
    const message = { touser: row.openid!, templateId: deps.templates[row.topic], page: row.payload.page, data: row.payload.wechat };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let result;
      try {
        result = await deps.wechat.sendSubscribeMessage(await accessToken(attempt > 0), message);
      } catch (err) {
        return err instanceof HttpStatusError ? 'retry' : 'unknown';
      }
      if (result.ok) return 'sent';
      if ((WECHAT_ERRORS.tokenInvalid as readonly number[]).includes(result.errcode)) continue;
      if (result.errcode === WECHAT_ERRORS.userRefused) return 'no_grant';
      if (result.errcode === WECHAT_ERRORS.systemBusy) return 'retry';
      log.warn({ notification: row.id, errcode: result.errcode, errmsg: result.errmsg }, 'subscribe message refused');
      return 'refused';
    }
    return 'retry';
  }

  async function sendSms(row: ClaimedRow): Promise<Outcome> {
    if (!row.phone || !row.sms_enabled) return 'refused';
    try {
      await deps.sms.send({ phone: row.phone, template: row.payload.sms.template, params: row.payload.sms.params });
      return 'sent';
    } catch (err) {
      return err instanceof HttpStatusError ? 'retry' : 'unknown';
    }
  }

  /** One row: a grant is taken before a subscribe message is sent and given back only if WeChat surely did not send it. */
  async function deliver(row: ClaimedRow): Promise<{ outcome: Outcome; channel: 'wechat' | 'sms' }> {
    if (row.channel === 'wechat' && row.openid) {
      const { rowCount } = await database.pool.query(
        'UPDATE subscribe_grants SET remaining = remaining - 1, updated_at = now() WHERE customer_id = $1 AND template_id = $2 AND remaining > 0',
        [row.customer_id, deps.templates[row.topic]],
      );
      const outcome = rowCount ? await sendWechat(row) : 'no_grant';
      if (outcome === 'retry' && rowCount) {
        await database.pool.query('UPDATE subscribe_grants SET remaining = remaining + 1 WHERE customer_id = $1 AND template_id = $2', [
          row.customer_id,
          deps.templates[row.topic],
        ]);
      }
      if (outcome !== 'no_grant') return { outcome, channel: 'wechat' };
      // WeChat holds no grant (used elsewhere or withdrawn): our count is stale, and SMS may stand in.
      await database.pool.query('UPDATE subscribe_grants SET remaining = 0 WHERE customer_id = $1 AND template_id = $2', [
        row.customer_id,
        deps.templates[row.topic],
      ]);
    }
    return { outcome: await sendSms(row), channel: 'sms' };
  }

  async function claim(limit: number): Promise<ClaimedRow[]> {
    const { rows } = await database.pool.query<ClaimedRow>(
      `WITH claimed AS (
         UPDATE notifications n SET status = 'sending', attempts = n.attempts + 1, available_at = now()
          WHERE n.id IN (SELECT id FROM notifications WHERE status = 'queued' AND available_at <= now()
                          ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING n.id, n.customer_id, n.topic, n.channel, n.payload, n.attempts)
       SELECT claimed.*, c.wechat_openid AS openid, c.phone, coalesce(o.enabled, false) AS sms_enabled
         FROM claimed JOIN customers c ON c.id = claimed.customer_id
         LEFT JOIN sms_opt_ins o ON o.customer_id = claimed.customer_id AND o.topic = claimed.topic`,
      [limit],
    );
    return rows;
  }

  /** Records a batch's outcomes in one statement; only rows still `sending` move. */
  async function settle(results: { row: ClaimedRow; outcome: Outcome; channel: 'wechat' | 'sms' }[]): Promise<void> {
    if (!results.length) return;
    const status = results.map(({ row, outcome }) => (outcome === 'retry' ? (row.attempts >= MAX_ATTEMPTS ? 'failed' : 'queued') : outcome));
    await database.pool.query(
      `UPDATE notifications n SET status = r.status, channel = r.channel,
              sent_at = CASE WHEN r.status = 'sent' THEN now() END,
              available_at = now() + make_interval(secs => r.delay),
              last_error = CASE WHEN r.status IN ('sent') THEN NULL ELSE r.outcome END
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[]) AS r(id, status, channel, delay, outcome)
        WHERE n.id = r.id AND n.status = 'sending'`,
      [
        results.map(({ row }) => row.id),
        status,
        results.map(({ channel }) => channel),
        results.map(({ row }) => retryDelaySeconds(row.attempts)),
        results.map(({ outcome }) => outcome),
      ],
    );
  }

  return {
    accessToken,

    /** Sends until nothing is due; several workers (and instances) may drain at once. */
    async drain(batchSize = 200): Promise<Record<Outcome, number>> {
      const totals: Record<Outcome, number> = { sent: 0, refused: 0, retry: 0, unknown: 0 };
      for (;;) {
        const batch = await claim(batchSize);
        if (!batch.length) return totals;
        const results: { row: ClaimedRow; outcome: Outcome; channel: 'wechat' | 'sms' }[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(deps.concurrency, batch.length) }, async () => {
            while (next < batch.length) {
              const row = batch[next++]!;
              results.push({ row, ...(await deliver(row)) });
            }
          }),
        );
        await settle(results);
        for (const { outcome } of results) totals[outcome] += 1;
      }
    },

    /** Rows left `sending` (claimed at available_at) by a worker that died mid-send: the gateway may have delivered them, so they are not resent. */
    async sweepAbandoned(olderThanMinutes = 10): Promise<number> {
      const { rowCount } = await database.pool.query(
        `UPDATE notifications SET status = 'unknown', last_error = 'worker stopped while sending'
          WHERE status = 'sending' AND available_at < now() - make_interval(mins => $1)`,
        [olderThanMinutes],
      );
      return rowCount ?? 0;
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
