import type { Logger } from 'pino';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/database';
import { notifications, subscribeGrants } from '../../db/schema';
import type { SmsClient } from '../../integrations/sms/client';
import { HttpStatusError } from '../../integrations/http';
import { WECHAT_ERRORS, type WechatClient } from '../../integrations/wechat/client';
import type { KeyValueStore } from '../../redis';
import type { Templates } from './preferences';
import { claimDue, settleBatch, type ClaimedRow } from './repository';
import { forEachBounded } from '../../concurrency';

/** What an event says, in both channels' terms; `wechat` fields follow the template, `sms` the SMS template. */
export interface MessagePayload {
  page: string;
  wechat: Record<string, string>;
  sms: { template: Exclude<Parameters<SmsClient['send']>[0]['template'], 'verification_code'>; params: Record<string, string> };
}

type Outcome = 'sent' | 'refused' | 'retry' | 'unknown';

const TOKEN_KEY = 'wechat:access-token';
const MAX_ATTEMPTS = 6;
export const retryDelaySeconds = (attempts: number) => Math.min(1800, 15 * 2 ** (attempts - 1));

function byCustomer(batch: ClaimedRow[]): ClaimedRow[][] {
  const groups = new Map<number, ClaimedRow[]>();
  for (const row of [...batch].sort((a, b) => a.id - b.id)) {
    const group = groups.get(row.customerId);
    if (group) group.push(row);
    else groups.set(row.customerId, [row]);
  }
  return [...groups.values()];
}

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
    if (!row.phone || !row.smsEnabled) return 'refused';
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
      const grant = and(eq(subscribeGrants.customerId, row.customerId), eq(subscribeGrants.templateId, deps.templates[row.topic]));
      const { rowCount } = await database.db
        .update(subscribeGrants)
        .set({ remaining: sql`${subscribeGrants.remaining} - 1`, updatedAt: sql`now()` })
        .where(and(grant, gt(subscribeGrants.remaining, 0)));
      const outcome = rowCount ? await sendWechat(row) : 'no_grant';
      if (outcome === 'retry' && rowCount) {
        await database.db
          .update(subscribeGrants)
          .set({ remaining: sql`${subscribeGrants.remaining} + 1` })
          .where(grant);
      }
      if (outcome !== 'no_grant') return { outcome, channel: 'wechat' };
      // WeChat holds no grant (used elsewhere or withdrawn): our count is stale, and SMS may stand in.
      await database.db.update(subscribeGrants).set({ remaining: 0 }).where(grant);
    }
    return { outcome: await sendSms(row), channel: 'sms' };
  }

  /** Records a batch's outcomes; a retry past the last attempt fails for good. */
  async function settle(results: { row: ClaimedRow; outcome: Outcome; channel: 'wechat' | 'sms' }[]): Promise<void> {
    await settleBatch(
      database.db,
      results.map(({ row, outcome, channel }) => ({
        id: row.id,
        status: outcome === 'retry' ? (row.attempts >= MAX_ATTEMPTS ? 'failed' : 'queued') : outcome,
        channel,
        delaySeconds: retryDelaySeconds(row.attempts),
        outcome,
      })),
    );
  }

  return {
    accessToken,

    /** Sends until nothing is due; several workers (and instances) may drain at once. */
    async drain(batchSize = 200): Promise<Record<Outcome, number>> {
      const totals: Record<Outcome, number> = { sent: 0, refused: 0, retry: 0, unknown: 0 };
      for (;;) {
        const batch = await claimDue(database.db, batchSize);
        if (!batch.length) return totals;
        const results: { row: ClaimedRow; outcome: Outcome; channel: 'wechat' | 'sms' }[] = [];
        // One customer's messages go out one after another, oldest first (a work order's 受理 before its 已办结);
        // different customers' in parallel.
        await forEachBounded(byCustomer(batch), deps.concurrency, async (rows) => {
          for (const row of rows) results.push({ row, ...(await deliver(row)) });
        });
        await settle(results);
        for (const { outcome } of results) totals[outcome] += 1;
      }
    },

    /** Rows left `sending` (claimed at available_at) by a worker that died mid-send: the gateway may have delivered them, so they are not resent. */
    async sweepAbandoned(olderThanMinutes = 10): Promise<number> {
      const { rowCount } = await database.db
        .update(notifications)
        .set({ status: 'unknown', lastError: 'worker stopped while sending' })
        .where(and(eq(notifications.status, 'sending'), lt(notifications.availableAt, sql`now() - make_interval(mins => ${olderThanMinutes})`)));
      return rowCount ?? 0;
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
