import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { OrderState, RequestType } from '../../../../shared/requests/catalog';
import { electricityAccounts } from './accounts';
import { customers, staffUsers } from './auth';

/** Service grids: a community or several transformer areas, each with a manager who owns its work orders. */
export const serviceGrids = pgTable('service_grids', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  managerStaffId: bigint('manager_staff_id', { mode: 'number' }).references(() => staffUsers.id),
});

export const gridAreas = pgTable('grid_areas', {
  transformerArea: text('transformer_area').primaryKey(),
  gridCode: text('grid_code')
    .notNull()
    .references(() => serviceGrids.code),
});

/**
 * A customer's request and the work order it became, one row: the form as submitted, where the
 * order stands (stage, deadline, warnings), who owns it, and the customer's rating at the end.
 */
export const workOrders = pgTable(
  'work_orders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The number customers quote (GD + Shanghai date + per-day sequence), from `work_order_ticket_counters`. */
    ticketNo: text('ticket_no').notNull(),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id),
    accountId: bigint('account_id', { mode: 'number' }).references(() => electricityAccounts.id),
    type: text('type').$type<RequestType>().notNull(),
    form: jsonb('form').$type<Record<string, unknown>>().notNull(),
    /** The client's key: a double tap or a retried submission finds the first order. */
    idempotencyKey: text('idempotency_key').notNull(),
    state: text('state', { enum: ['stage', 'awaiting_documents', 'completed', 'cancelled', 'closed'] }).notNull(),
    stage: text('stage'),
    stageStartedAt: timestamp('stage_started_at', { withTimezone: true }),
    stageDeadline: timestamp('stage_deadline', { withTimezone: true }),
    warnedAt: timestamp('warned_at', { withTimezone: true }),
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    gridCode: text('grid_code').references(() => serviceGrids.code),
    assigneeStaffId: bigint('assignee_staff_id', { mode: 'number' }).references(() => staffUsers.id),
    version: integer('version').notNull().default(1),
    rating: smallint('rating'),
    ratingComment: text('rating_comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('work_orders_idempotency').on(table.customerId, table.idempotencyKey),
    uniqueIndex('work_orders_ticket_no').on(table.ticketNo),
    index('work_orders_customer_idx').on(table.customerId, table.id),
    index('work_orders_open_deadline_idx')
      .on(table.stageDeadline)
      .where(sql`state IN ('stage', 'awaiting_documents')`),
    check('work_orders_rating_range', sql`${table.rating} BETWEEN 1 AND 5`),
  ],
);

/** The last ticket sequence handed out on each Shanghai business date; bumped in the submitting transaction. */
export const workOrderTicketCounters = pgTable('work_order_ticket_counters', {
  businessDate: date('business_date', { mode: 'string' }).primaryKey(),
  lastSeq: integer('last_seq').notNull(),
});

/** Every change to a work order, in order: the audit trail and the customer's timeline. */
export const workOrderEvents = pgTable(
  'work_order_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workOrderId: bigint('work_order_id', { mode: 'number' })
      .notNull()
      .references(() => workOrders.id),
    action: text('action').notNull(),
    fromState: jsonb('from_state').$type<OrderState>(),
    toState: jsonb('to_state').$type<OrderState>().notNull(),
    actor: text('actor', { enum: ['customer', 'staff', 'backoffice', 'system'] }).notNull(),
    actorId: text('actor_id'),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('work_order_events_order_idx').on(table.workOrderId, table.id)],
);

/** Back-office callbacks already applied, by their event id: a replay gets the first result. */
export const backofficeCallbacks = pgTable('backoffice_callbacks', {
  eventId: text('event_id').primaryKey(),
  workOrderId: bigint('work_order_id', { mode: 'number' }).notNull(),
  result: jsonb('result').$type<{ action: string }>().notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Uploaded documents: a customer's until linked to one of their work orders; bytes in document storage. */
export const documents = pgTable(
  'documents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id),
    workOrderId: bigint('work_order_id', { mode: 'number' }).references(() => workOrders.id),
    /** When it was attached to its order: staff asking for documents after this means it needs replacing. */
    attachedAt: timestamp('attached_at', { withTimezone: true }),
    kind: text('kind').notNull(),
    filename: text('filename').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('documents_customer_idx').on(table.customerId), index('documents_order_idx').on(table.workOrderId)],
);
