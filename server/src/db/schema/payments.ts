import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Launch } from '../../modules/payments/providers';
import { electricityAccounts } from './accounts';
import { customers, staffUsers } from './auth';

/**
 * Online payment orders (WeChat Pay, Alipay). The state only moves by conditional updates:
 * CREATED → PAYING → PAID | CLOSED | FAILED. `out_trade_no` is what the gateway knows the order by;
 * (customer, idempotency key) makes a retried creation return the first order.
 */
export const paymentOrders = pgTable(
  'payment_orders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    outTradeNo: text('out_trade_no').notNull().unique(),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    channel: text('channel', { enum: ['wechat_jsapi', 'wechat_h5', 'alipay_wap'] }).notNull(),
    purpose: text('purpose', { enum: ['bills', 'top_up'] }).notNull(),
    /** The receivables the customer chose (bills only); null for a top-up. */
    receivableIds: bigint('receivable_ids', { mode: 'number' }).array(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    state: text('state', { enum: ['CREATED', 'PAYING', 'PAID', 'CLOSED', 'FAILED'] })
      .notNull()
      .default('CREATED'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestDigest: text('request_digest').notNull(),
    /** What the client needs to launch the payment (requestPayment parameters or a cashier URL). */
    launch: jsonb('launch').$type<Launch>(),
    gatewayTradeNo: text('gateway_trade_no'),
    failureReason: text('failure_reason'),
    /** Set when paid money could not go where the customer meant it (e.g. the bill was already settled). */
    flag: text('flag'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('payment_orders_idempotency').on(table.customerId, table.idempotencyKey),
    index('payment_orders_open')
      .on(table.state, table.createdAt)
      .where(sql`state IN ('CREATED', 'PAYING')`),
    check('payment_orders_amount_positive', sql`${table.amountFen} > 0`),
  ],
);

/** One receipt per paid order, written in the transaction that marks it PAID. */
export const paymentReceipts = pgTable('payment_receipts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  orderId: bigint('order_id', { mode: 'number' })
    .notNull()
    .unique()
    .references(() => paymentOrders.id),
  accountId: bigint('account_id', { mode: 'number' })
    .notNull()
    .references(() => electricityAccounts.id),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  allocationRef: text('allocation_ref').notNull().unique(),
  prepaymentFen: bigint('prepayment_fen', { mode: 'number' }).notNull(),
  /** How the gateway told us: a verified notification or our own query. */
  via: text('via', { enum: ['notification', 'query'] }).notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Notifications that verified but disagree with the stored order (amount, merchant, unknown order),
 * or did not verify at all: kept for staff to review, never applied.
 */
export const paymentReviews = pgTable(
  'payment_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel', { enum: ['wechatpay', 'alipay'] }).notNull(),
    outTradeNo: text('out_trade_no'),
    problem: text('problem').notNull(),
    detail: jsonb('detail').notNull(),
    resolved: boolean('resolved').notNull().default(false),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('payment_reviews_open')
      .on(table.receivedAt)
      .where(sql`NOT resolved`),
  ],
);

/** Staff refunds: REFUNDING until the gateway confirms, then REFUNDED (or FAILED). `out_refund_no` is the gateway's idempotency key. */
export const paymentRefunds = pgTable(
  'payment_refunds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => paymentOrders.id),
    outRefundNo: text('out_refund_no').notNull().unique(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    state: text('state', { enum: ['REFUNDING', 'REFUNDED', 'FAILED'] })
      .notNull()
      .default('REFUNDING'),
    staffId: bigint('staff_id', { mode: 'number' })
      .notNull()
      .references(() => staffUsers.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (table) => [
    // One refund of an order at a time keeps the arithmetic of partial refunds simple.
    uniqueIndex('payment_refunds_one_open')
      .on(table.orderId)
      .where(sql`state = 'REFUNDING'`),
    check('payment_refunds_amount_positive', sql`${table.amountFen} > 0`),
  ],
);
