import { and, desc, eq, getTableColumns, ne, sql } from 'drizzle-orm';
import type { PaymentOrder, PaymentReceipt } from '../../../../shared/contracts/payments';
import { preparedStatement, type Db } from '../../db/database';
import { paymentOrders, paymentReceipts } from '../../db/schema';
import { allocationLines } from '../billing/published';
import { CHANNELS_OF, type GatewayName } from './providers';

/** failure_reason of an order the customer abandoned at the cashier. */
export const CANCELLED = 'cancelled';

/** A payment order as stored. */
export type OrderRow = typeof paymentOrders.$inferSelect;

export const presentOrder = (row: OrderRow): PaymentOrder => ({
  id: row.id,
  outTradeNo: row.outTradeNo,
  accountId: row.accountId,
  channel: row.channel,
  purpose: row.purpose,
  receivableIds: row.receivableIds,
  amountFen: row.amountFen,
  state: row.state,
  launch: row.launch,
  flag: row.flag,
  cancelled: row.state === 'CLOSED' && row.failureReason === CANCELLED,
  expiresAt: row.expiresAt.toISOString(),
  paidAt: row.paidAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

/** The order the gateway knows by `outTradeNo`; `lock` holds its row for the caller's transaction. */
export async function findOrder(db: Db, outTradeNo: string, lock = false): Promise<OrderRow | undefined> {
  const query = db.select().from(paymentOrders).where(eq(paymentOrders.outTradeNo, outTradeNo));
  return (await (lock ? query.for('update') : query))[0];
}

/**
 * The compare-and-set that makes an order PAID, once: the gateway's order of that amount, not PAID
 * yet (CLOSED and FAILED included: the gateway took the money, so it stands). Locks the row, and
 * returns it with the state it had; undefined when nothing changed (a duplicate, or a mismatch).
 */
export async function claimPaid(
  db: Db,
  event: { outTradeNo: string; tradeNo: string; amountFen: number },
  gateway: GatewayName,
  at: Date,
): Promise<(OrderRow & { priorState: OrderRow['state'] }) | undefined> {
  const [row] = await claimPaidStatement(db).execute({ ...event, at, channels: CHANNELS_OF[gateway] });
  return row;
}

// Every notification runs it: prepared once per connection.
const claimPaidStatement = preparedStatement('payments_claim_paid', (db) => {
  const prior = db
    .select({ id: paymentOrders.id, state: paymentOrders.state })
    .from(paymentOrders)
    .where(eq(paymentOrders.outTradeNo, sql.placeholder('outTradeNo')))
    .for('update')
    .as('prior');
  return db
    .update(paymentOrders)
    .set({
      state: 'PAID',
      gatewayTradeNo: sql`${sql.placeholder('tradeNo')}`,
      paidAt: sql`${sql.placeholder('at')}::timestamptz`,
      updatedAt: sql`${sql.placeholder('at')}::timestamptz`,
    })
    .from(prior)
    .where(
      and(
        eq(paymentOrders.id, prior.id),
        ne(prior.state, 'PAID'),
        eq(paymentOrders.amountFen, sql.placeholder('amountFen')),
        sql`${paymentOrders.channel} = ANY(${sql.placeholder('channels')}::text[])`,
      ),
    )
    .returning({ ...getTableColumns(paymentOrders), priorState: prior.state });
});

/** A customer's own order: someone else's is not found. */
export async function customerOrder(db: Db, customerId: number, orderId: number): Promise<OrderRow | undefined> {
  const [row] = await db
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.id, orderId), eq(paymentOrders.customerId, customerId)));
  return row;
}

/** The customer's payment history: the last 50 orders, each paid one with its receipt and how it was allocated. */
export async function paymentHistory(db: Db, customerId: number): Promise<(PaymentOrder & { receipt: PaymentReceipt | null })[]> {
  const rows = await db
    .select({ order: paymentOrders, receipt: paymentReceipts })
    .from(paymentOrders)
    .leftJoin(paymentReceipts, eq(paymentReceipts.orderId, paymentOrders.id))
    .where(eq(paymentOrders.customerId, customerId))
    .orderBy(desc(paymentOrders.id))
    .limit(50);
  // The allocation lines are billing's: asked for once, for every receipt on the page.
  const lines = await allocationLines(
    db,
    rows.flatMap((row) => (row.receipt ? [row.receipt.allocationRef] : [])),
  );
  return rows.map(({ order, receipt }) => ({
    ...presentOrder(order),
    // A list is for reading: an order is paid from its own page, which checks it first.
    launch: null,
    receipt: receipt
      ? {
          issuedAt: receipt.issuedAt.toISOString(),
          amountFen: receipt.amountFen,
          prepaymentFen: receipt.prepaymentFen,
          lines: (lines.get(receipt.allocationRef) ?? []).map((line) => ({ month: line.month, lateFeeFen: line.lateFeeFen, principalFen: line.principalFen })),
        }
      : null,
  }));
}
