import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Events written in the same transaction as the business change that caused them, and relayed
 * to their destination afterwards by a job. A rolled-back change leaves no event behind.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    relayedAt: timestamp('relayed_at', { withTimezone: true }),
    parkedAt: timestamp('parked_at', { withTimezone: true }),
    /** Events under one key (a work order, a payment) are delivered in id order; none means on its own. */
    partitionKey: text('partition_key'),
  },
  (table) => [
    // The relay walks waiting events in id order; relayed ones (most of the table) are not in it.
    index('outbox_waiting_idx')
      .on(table.id)
      .where(sql`relayed_at IS NULL AND parked_at IS NULL`),
    // Whether an earlier event of the same key still waits: the relay asks it of every candidate.
    index('outbox_pending_key_idx')
      .on(table.partitionKey, table.id)
      .where(sql`relayed_at IS NULL`),
  ],
);

/** Which one-off data loads (the demo seed) have been applied to this database. */
export const seedRuns = pgTable('seed_runs', {
  name: text('name').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  summary: jsonb('summary').notNull().default({}),
});

/** The utility this deployment serves: one row. */
export const utilityProfile = pgTable(
  'utility_profile',
  {
    id: smallint('id').primaryKey().default(1),
    name: text('name').notNull(),
    shortName: text('short_name').notNull(),
    hotline: text('hotline').notNull(),
    serviceHours: text('service_hours').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('utility_profile_single_row', sql`${table.id} = 1`)],
);

/** Notices shown on the home page while published and not expired. */
export const notices = pgTable(
  'notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    level: text('level', { enum: ['info', 'important', 'urgent'] })
      .notNull()
      .default('info'),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (table) => [index('notices_published_idx').on(table.publishedAt), check('notices_level_known', sql`${table.level} IN ('info', 'important', 'urgent')`)],
);

/** A person using the app: found by WeChat openid (mini-program) or phone (H5), or both once linked. */
