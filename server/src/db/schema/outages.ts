import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Feeders (10 kV lines) and the transformer areas they supply: an outage may be published on a feeder. */
export const feeders = pgTable('feeders', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  district: text('district').notNull(),
  areas: text('areas').array().notNull(),
});

export const outages = pgTable(
  'outages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['planned', 'unplanned'] }).notNull(),
    status: text('status', { enum: ['scheduled', 'in_progress', 'restored', 'cancelled'] }).notNull(),
    title: text('title').notNull(),
    reason: text('reason').notNull(),
    district: text('district').notNull(),
    areas: text('areas').array().notNull(),
    feeder: text('feeder'),
    scheduledStart: timestamp('scheduled_start', { withTimezone: true }).notNull(),
    scheduledEnd: timestamp('scheduled_end', { withTimezone: true }).notNull(),
    restoredAt: timestamp('restored_at', { withTimezone: true }),
    /** Bumped by every change customers are told about; an update names the version it changes. */
    version: integer('version').notNull().default(1),
    /** A schedule line's own reference: importing the same schedule again publishes nothing twice. */
    importRef: text('import_ref').unique(),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('outages_areas_idx').using('gin', table.areas),
    index('outages_status_idx').on(table.status, table.scheduledStart),
    check('outages_status_known', sql`${table.status} IN ('scheduled', 'in_progress', 'restored', 'cancelled')`),
    check('outages_times_ordered', sql`${table.scheduledEnd} > ${table.scheduledStart}`),
  ],
);

export const outageChanges = pgTable(
  'outage_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    outageId: bigint('outage_id', { mode: 'number' })
      .notNull()
      .references(() => outages.id),
    event: text('event', { enum: ['published', 'updated', 'started', 'restored', 'cancelled'] }).notNull(),
    changes: jsonb('changes').$type<Record<string, unknown>>().notNull().default({}),
    staffId: bigint('staff_id', { mode: 'number' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('outage_changes_outage_idx').on(table.outageId, table.id)],
);

/** Fault reports by transformer area: a burst from one area suggests an unplanned outage there. */
export const faultReports = pgTable(
  'fault_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    transformerArea: text('transformer_area').notNull(),
    accountId: bigint('account_id', { mode: 'number' }),
    source: text('source').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('fault_reports_area_idx').on(table.transformerArea, table.reportedAt)],
);
