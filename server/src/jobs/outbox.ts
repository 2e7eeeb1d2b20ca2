import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import { forEachBounded } from '../concurrency';
import type { Database, Tx } from '../db/database';
import { outbox } from '../db/schema';
import { createNudge } from './nudge';
import type { JobQueue } from './queue';

export const OUTBOX_RELAY_JOB = 'outbox-relay';

type OutboxRow = typeof outbox.$inferSelect;

export type OutboxEvent = Pick<OutboxRow, 'id' | 'topic' | 'payload' | 'createdAt'>;

/** Delivers one event to its destination; throwing means "try again later". */
export type OutboxHandler = (event: OutboxEvent) => Promise<void>;

export interface OutboxOptions {
  database: Database;
  jobs: JobQueue;
  handlers: Record<string, OutboxHandler>;
  log: Logger;
  batchSize?: number;
  /** Deliveries in flight at once, each for a different key. */
  concurrency?: number;
  maxAttempts?: number;
  sweepCron?: string;
}

/** Retry delay after the n-th failed attempt: 10 s, 20 s, 40 s … capped at one hour. */
export const outboxBackoffSeconds = (attempts: number) => Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));

export interface Outbox {
  /**
   * The one way any module enqueues an event: inside the caller's transaction (rolled back with it,
   * sent with its other queued writes), the relay nudged once it has committed. Events with the
   * same `key` (e.g. `workorder:12`) are delivered one at a time in the order written, a failing
   * one holding back those after it; events of different keys, or with none, go out in parallel.
   * Writers of one key serialise on its entity (they lock its row), so write order is commit order.
   * Nobody else writes the outbox table.
   */
  write(tx: Tx, topic: string, payload: unknown, key?: string): Promise<void>;
  /** Delivers due events until none are left; safe to run on every instance at once. */
  relay(): Promise<{ relayed: number; failed: number }>;
  /** Events that failed too often and wait for staff, oldest first. */
  listParked(): Promise<ParkedEvent[]>;
  /** Puts a parked event back in line for delivery; false when it is not parked (unknown, or already back). */
  replay(id: number): Promise<boolean>;
}

/** A parked event as operators see it: the row's own fields, its payload's `type`, times as ISO strings. */
export type ParkedEvent = Pick<OutboxRow, 'id' | 'topic' | 'attempts' | 'lastError'> & { type: string | null; createdAt: string; parkedAt: string };

export function createOutbox(options: OutboxOptions): Outbox {
  const { database, jobs, handlers, log } = options;
  const concurrency = options.concurrency ?? 16;
  // Large batches: each costs a select, an update and a commit, and waits for its slowest delivery.
  const batchSize = options.batchSize ?? concurrency * 16;
  const maxAttempts = options.maxAttempts ?? 10;
  const earlier = alias(outbox, 'earlier');

  // One batch in one transaction: the rows stay locked while they are delivered, so another
  // instance's relay skips them instead of delivering them a second time. Only the first waiting
  // event of each key is taken (an earlier one still waiting, locked elsewhere, backing off or
  // parked, holds it back), so a batch holds each key once and its events can all go at once.
  const relayBatch = () =>
    database.transaction(async ({ db }) => {
      const rows = await db
        .select({ id: outbox.id, topic: outbox.topic, payload: outbox.payload, createdAt: outbox.createdAt, attempts: outbox.attempts })
        .from(outbox)
        .where(
          and(
            isNull(outbox.relayedAt),
            isNull(outbox.parkedAt),
            lte(outbox.availableAt, sql`now()`),
            or(
              isNull(outbox.partitionKey),
              notExists(
                db
                  .select({ id: earlier.id })
                  .from(earlier)
                  .where(and(eq(earlier.partitionKey, outbox.partitionKey), isNull(earlier.relayedAt), lt(earlier.id, outbox.id))),
              ),
            ),
          ),
        )
        .orderBy(asc(outbox.id))
        .limit(batchSize)
        .for('update', { of: outbox, skipLocked: true });
      const delivered: number[] = [];
      let failed = 0;
      await forEachBounded(rows, concurrency, async (row) => {
        const handler = handlers[row.topic];
        try {
          if (!handler) throw new Error(`no handler for topic ${row.topic}`);
          await handler({ id: row.id, topic: row.topic, payload: row.payload, createdAt: row.createdAt });
          delivered.push(row.id);
        } catch (err) {
          failed += 1;
          const attempts = row.attempts + 1;
          const park = attempts >= maxAttempts;
          log.warn({ err, outboxId: row.id, topic: row.topic, attempts, parked: park }, 'outbox delivery failed');
          await db
            .update(outbox)
            .set({
              attempts,
              lastError: String((err as Error).message).slice(0, 500),
              availableAt: sql`now() + make_interval(secs => ${outboxBackoffSeconds(attempts)})`,
              parkedAt: park ? sql`now()` : null,
            })
            .where(and(eq(outbox.id, row.id), isNull(outbox.relayedAt)));
        }
      });
      // One statement for the batch: the rows commit together with the failures' updates anyway.
      // The clock's time, not the transaction's start: when the back office had them all.
      if (delivered.length)
        await db
          .update(outbox)
          .set({ relayedAt: sql`clock_timestamp()`, attempts: sql`${outbox.attempts} + 1` })
          .where(and(inArray(outbox.id, delivered), isNull(outbox.relayedAt)));
      return { relayed: delivered.length, failed, fetched: rows.length };
    });

  const nudge = createNudge(
    () => jobs.send(OUTBOX_RELAY_JOB),
    (err) => log.warn({ err }, 'could not nudge the outbox relay; its schedule will'),
  );

  const api: Outbox = {
    async listParked() {
      const rows = await database.db
        .select({
          id: outbox.id,
          topic: outbox.topic,
          type: sql<string | null>`${outbox.payload}->>'type'`,
          attempts: outbox.attempts,
          lastError: outbox.lastError,
          createdAt: outbox.createdAt,
          parkedAt: outbox.parkedAt,
        })
        .from(outbox)
        .where(isNotNull(outbox.parkedAt))
        .orderBy(asc(outbox.id))
        .limit(500);
      return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), parkedAt: row.parkedAt!.toISOString() }));
    },
    async replay(id) {
      const { rowCount } = await database.db
        .update(outbox)
        .set({ parkedAt: null, attempts: 0, lastError: null, availableAt: sql`now()` })
        .where(and(eq(outbox.id, id), isNotNull(outbox.parkedAt), isNull(outbox.relayedAt)));
      if (rowCount) await jobs.send(OUTBOX_RELAY_JOB);
      return Boolean(rowCount);
    },
    async write(tx, topic, payload, key) {
      tx.defer(tx.db.insert(outbox).values({ topic, payload, partitionKey: key ?? null }));
      // The relay is nudged after the commit, not inside the transaction: its queue holds one waiting
      // job, and that job's unique key would make every writing transaction wait for the one before
      // it to commit. If the process dies before the nudge, the relay's cron finds the row within a minute.
      tx.afterCommit(nudge);
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
