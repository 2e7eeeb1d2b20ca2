import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { customers } from './auth';

/** One-time subscribe-message grants a customer gave in the mini-program, per template; each message uses one. */
export const subscribeGrants = pgTable(
  'subscribe_grants',
  {
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id),
    templateId: text('template_id').notNull(),
    remaining: integer('remaining').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.customerId, table.templateId] }), check('subscribe_grants_not_negative', sql`${table.remaining} >= 0`)],
);

export const smsOptIns = pgTable(
  'sms_opt_ins',
  {
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id),
    topic: text('topic').notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.customerId, table.topic] })],
);

/**
 * One message to one customer about one event. Unique on (customer, event): fan-out may run again,
 * or twice at once, and still makes one row; the sender moves each row from `queued` once.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    eventKey: text('event_key').notNull(),
    topic: text('topic').notNull(),
    channel: text('channel', { enum: ['wechat', 'sms'] }).notNull(),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'refused', 'failed', 'unknown'] })
      .notNull()
      .default('queued'),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('notifications_once').on(table.customerId, table.eventKey),
    index('notifications_queued_idx')
      .on(table.availableAt, table.id)
      .where(sql`status = 'queued'`),
    index('notifications_event_idx').on(table.eventKey),
  ],
);
