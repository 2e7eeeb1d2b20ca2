import { and, desc, eq } from 'drizzle-orm';
import type { PaymentOrder, PaymentReceipt } from '../../../../shared/contracts/payments';
import type { Db } from '../../db/database';
import { paymentOrders, paymentReceipts } from '../../db/schema';
import { allocationLines } from '../billing/published';

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
