import type { SQL, SQLWrapper } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { NotificationTopic } from '../../../../shared/contracts/notifications';
import type { Database, Tx } from '../../db/database';
import type { SmsClient } from '../../integrations/sms/client';
import type { WechatClient } from '../../integrations/wechat/client';
import { createNudge } from '../../jobs/nudge';
import type { JobQueue } from '../../jobs/queue';
import type { KeyValueStore } from '../../redis';
import { createPreferences, type Templates } from './preferences';
import { fanOutStatement, insertFanOut } from './repository';
import { createSender, type MessagePayload } from './sender';

export const NOTIFICATION_JOBS = { fanOut: 'notifications.fan-out', send: 'notifications.send', sweep: 'notifications.sweep' } as const;

/**
 * Who an event is for: a query whose rows carry `customer_id`, built from the owners' published
 * functions (e.g. accounts' `customersInAreasQuery`). Modules register their audiences by name so a
 * queued fan-out job carries only the name and the parameters.
 */
export type AudienceQuery = (params: unknown[]) => SQL | SQLWrapper;

export interface NotificationEvent {
  /** Unique per event, e.g. `outage:12:updated:3`: one message per customer per key, ever. */
  eventKey: string;
  topic: NotificationTopic;
  audience: { name: string; params: unknown[] };
  payload: MessagePayload;
}

/** Workers that drain the queue after a fan-out; each claims its own rows, so more simply go faster. */
const SEND_WORKERS = 4;

/**
 * Notifications for every module: a business change records an event in its own transaction;
 * a job fans it out to one row per consenting customer, and send jobs deliver the rows.
 */
export function createNotifications(deps: {
  database: Database;
  store: KeyValueStore;
  jobs: JobQueue;
  wechat: WechatClient;
  sms: SmsClient;
  templates: Templates;
  sendConcurrency: number;
  log: Logger;
}) {
  const { database, jobs } = deps;
  const log = deps.log.child({ module: 'notifications' });
  const preferences = createPreferences({ database, templates: deps.templates, onQueued: () => jobs.send(NOTIFICATION_JOBS.send) });
  const sender = createSender({ ...deps, concurrency: deps.sendConcurrency, log });
  const audiences = new Map<string, { query: AudienceQuery; inline: boolean }>();

  const askToSend = createNudge(
    () => jobs.send(NOTIFICATION_JOBS.send),
    (err) => log.warn({ err }, 'could not queue a notification send; the sweep will'),
  );

  /**
   * One row per customer in the audience who agreed to this topic: by subscribe message while
   * grants last, else by SMS if opted in. A repeat of the same event adds nothing.
   */
  async function fanOut(event: NotificationEvent): Promise<number> {
    const rowCount = await insertFanOut(database.db, audienceOf(event), fanOutFields(event));
    log.info({ eventKey: event.eventKey, messages: rowCount }, 'notification fanned out');
    for (let worker = 0; worker < SEND_WORKERS; worker += 1) await jobs.send(NOTIFICATION_JOBS.send);
    return rowCount;
  }

  function audienceOf(event: NotificationEvent) {
    const audience = audiences.get(event.audience.name);
    if (!audience) throw new Error(`unknown audience ${event.audience.name}`);
    return audience.query(event.audience.params).getSQL();
  }
  const fanOutFields = (event: NotificationEvent) => ({
    eventKey: event.eventKey,
    topic: event.topic,
    templateId: deps.templates[event.topic],
    payload: event.payload,
  });

  jobs.define<NotificationEvent>({ name: NOTIFICATION_JOBS.fanOut, retryLimit: 10, handler: async (event) => void (await fanOut(event)) });
  jobs.define({
    name: NOTIFICATION_JOBS.send,
    retryLimit: 5,
    workers: SEND_WORKERS,
    // The sweep also drains rows whose retry time has come.
    handler: async () => {
      const totals = await sender.drain();
      if (totals.sent + totals.refused + totals.retry + totals.unknown) log.info(totals, 'notifications sent');
    },
  });
  jobs.define({
    name: NOTIFICATION_JOBS.sweep,
    policy: 'stately',
    cron: '* * * * *',
    handler: async () => {
      const abandoned = await sender.sweepAbandoned();
      if (abandoned) log.warn({ abandoned }, 'notifications abandoned mid-send marked unknown');
      await sender.drain();
    },
  });

  return {
    preferences,
    sender,
    fanOut,
    /** `inline`: the audience is a customer or two, fanned out within the publishing transaction rather than by a job. */
    registerAudience(name: string, query: AudienceQuery, options: { inline?: boolean } = {}) {
      audiences.set(name, { query, inline: options.inline ?? false });
    },
    /**
     * Records an event inside the caller's transaction: fanned out only if the change commits. A
     * small audience's rows are written with the transaction's other writes (no job, no extra round
     * trip) and the senders asked for after the commit; a large one is fanned out by a job.
     */
    async publish(tx: Tx, event: NotificationEvent): Promise<void> {
      if (!audiences.get(event.audience.name)?.inline) return void (await jobs.sendInTx(tx, NOTIFICATION_JOBS.fanOut, event));
      tx.defer(fanOutStatement(tx.db, audienceOf(event), fanOutFields(event)));
      tx.afterCommit(askToSend);
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
