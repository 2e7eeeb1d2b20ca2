import type { Logger } from 'pino';
import type { Database, Tx } from '../db/database';
import { outbox } from '../db/schema';
import type { JobQueue } from './queue';

export const OUTBOX_RELAY_JOB = 'outbox-relay';

export interface OutboxEvent {
  id: number;
  topic: string;
  payload: unknown;
  createdAt: Date;
}

/** Delivers one event to its destination; throwing means "try again later". */
export type OutboxHandler = (event: OutboxEvent) => Promise<void>;

export interface OutboxOptions {
  database: Database;
  jobs: JobQueue;
  handlers: Record<string, OutboxHandler>;
  log: Logger;
  batchSize?: number;
  maxAttempts?: number;
  sweepCron?: string;
}

/** Retry delay after the n-th failed attempt: 10 s, 20 s, 40 s … capped at one hour. */
export const outboxBackoffSeconds = (attempts: number) => Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));

export interface Outbox {
  /** Records an event inside the caller's transaction and nudges the relay once it has committed. */
  write(tx: Tx, topic: string, payload: unknown): Promise<number>;
  /** Delivers due events until none are left; safe to run on every instance at once. */
  relay(): Promise<{ relayed: number; failed: number }>;
  /** Events that failed too often and wait for staff, oldest first. */
  listParked(): Promise<ParkedEvent[]>;
  /** Puts a parked event back in line for delivery; false when it is not parked (unknown, or already back). */
  replay(id: number): Promise<boolean>;
}

export interface ParkedEvent {
  id: number;
  topic: string;
  type: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  parkedAt: string;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { database, jobs, handlers, log } = options;
  const batchSize = options.batchSize ?? 50;
  const maxAttempts = options.maxAttempts ?? 10;

  // One batch in one transaction: the rows stay locked while they are delivered, so another
  // instance's relay skips them instead of delivering them a second time.
  const relayBatch = () =>
    database.transaction(async ({ client }) => {
      const { rows } = await client.query<{ id: number; topic: string; payload: unknown; created_at: Date; attempts: number }>(
        `SELECT id, topic, payload, created_at, attempts FROM outbox
          WHERE relayed_at IS NULL AND parked_at IS NULL AND available_at <= now()
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      const delivered: number[] = [];
      let failed = 0;
      for (const row of rows) {
        const handler = handlers[row.topic];
        try {
          if (!handler) throw new Error(`no handler for topic ${row.topic}`);
          await handler({ id: row.id, topic: row.topic, payload: row.payload, createdAt: row.created_at });
          delivered.push(row.id);
        } catch (err) {
          failed += 1;
          const attempts = row.attempts + 1;
          const park = attempts >= maxAttempts;
          log.warn({ err, outboxId: row.id, topic: row.topic, attempts, parked: park }, 'outbox delivery failed');
          await client.query(
            `UPDATE outbox SET attempts = $2, last_error = $3,
                available_at = now() + make_interval(secs => $4), parked_at = CASE WHEN $5 THEN now() END
              WHERE id = $1 AND relayed_at IS NULL`,
            [row.id, attempts, String((err as Error).message).slice(0, 500), outboxBackoffSeconds(attempts), park],
          );
        }
      }
      // One statement for the batch: the rows commit together with the failures' updates anyway.
      if (delivered.length)
        await client.query('UPDATE outbox SET relayed_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[]) AND relayed_at IS NULL', [delivered]);
      return { relayed: delivered.length, failed, fetched: rows.length };
    });

  const api: Outbox = {
    async listParked() {
      const { rows } = await database.pool.query(
        `SELECT id, topic, payload->>'type' AS type, attempts, last_error, created_at, parked_at FROM outbox WHERE parked_at IS NOT NULL ORDER BY id LIMIT 500`,
      );
      return rows.map((row) => ({
        id: row.id,
        topic: row.topic,
        type: row.type,
        attempts: row.attempts,
        lastError: row.last_error,
        createdAt: row.created_at.toISOString(),
        parkedAt: row.parked_at.toISOString(),
      }));
    },
    async replay(id) {
      const { rowCount } = await database.pool.query(
        `UPDATE outbox SET parked_at = NULL, attempts = 0, last_error = NULL, available_at = now() WHERE id = $1 AND parked_at IS NOT NULL AND relayed_at IS NULL`,
        [id],
      );
      if (rowCount) await jobs.send(OUTBOX_RELAY_JOB);
      return Boolean(rowCount);
    },
    async write(tx, topic, payload) {
      const [row] = await tx.db.insert(outbox).values({ topic, payload }).returning({ id: outbox.id });
      // The relay is nudged after the commit, not inside the transaction: its queue holds one waiting
      // job, and that job's unique key would make every writing transaction wait for the one before
      // it to commit. If the process dies before the nudge, the relay's cron finds the row within a minute.
      tx.afterCommit(() => jobs.send(OUTBOX_RELAY_JOB).catch((err: Error) => log.warn({ err }, 'could not nudge the outbox relay; its schedule will')));
      return row!.id;
    },
    async relay() {
      const total = { relayed: 0, failed: 0 };
      for (;;) {
        const batch = await relayBatch();
        total.relayed += batch.relayed;
        total.failed += batch.failed;
        // Until a pass finds nothing due: events committed while this pass ran go out now, not at the next poll.
        if (batch.fetched === 0) break;
      }
      if (total.relayed || total.failed) log.info(total, 'outbox relayed');
      return total;
    },
  };

  jobs.define({
    name: OUTBOX_RELAY_JOB,
    policy: 'stately',
    cron: options.sweepCron ?? '* * * * *',
    handler: async () => {
      await api.relay();
    },
  });
  return api;
}
