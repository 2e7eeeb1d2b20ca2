import type pg from 'pg';
import type { PaymentOrder, PaymentReceipt } from '../../../../shared/contracts/payments';
import type { AllocationLine } from '../billing/allocation';
import type { Channel, Launch } from './providers';

/** failure_reason of an order the customer abandoned at the cashier. */
export const CANCELLED = 'cancelled';

/** A payment order as stored. */
export interface OrderRow {
  id: number;
  out_trade_no: string;
  customer_id: number;
  account_id: number;
  channel: Channel;
  purpose: 'bills' | 'top_up';
  receivable_ids: number[] | null;
  amount_fen: number;
  state: PaymentOrder['state'];
  idempotency_key: string;
  request_digest: string;
  launch: Launch | null;
  gateway_trade_no: string | null;
  flag: string | null;
  failure_reason: string | null;
  expires_at: Date;
  paid_at: Date | null;
  created_at: Date;
}

export const presentOrder = (row: OrderRow): PaymentOrder => ({
  id: row.id,
  outTradeNo: row.out_trade_no,
  accountId: row.account_id,
  channel: row.channel,
  purpose: row.purpose,
  receivableIds: row.receivable_ids,
  amountFen: row.amount_fen,
  state: row.state,
  launch: row.launch,
  flag: row.flag,
  cancelled: row.state === 'CLOSED' && row.failure_reason === CANCELLED,
  expiresAt: row.expires_at.toISOString(),
  paidAt: row.paid_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
});

/** The customer's payment history: the last 50 orders, each paid one with its receipt and how it was allocated. */
export async function paymentHistory(pool: pg.Pool, customerId: number): Promise<(PaymentOrder & { receipt: PaymentReceipt | null })[]> {
  const { rows } = await pool.query<
    OrderRow & { issued_at: Date | null; receipt_fen: number | null; prepayment_fen: number | null; lines: AllocationLine[] | null }
  >(
    `SELECT o.*, r.issued_at, r.amount_fen AS receipt_fen, r.prepayment_fen, a.lines
       FROM payment_orders o
       LEFT JOIN payment_receipts r ON r.order_id = o.id
       LEFT JOIN payment_allocations a ON a.ref = r.allocation_ref
      WHERE o.customer_id = $1 ORDER BY o.id DESC LIMIT 50`,
    [customerId],
  );
  return rows.map((row) => ({
    ...presentOrder(row),
    // A list is for reading: an order is paid from its own page, which checks it first.
    launch: null,
    receipt: row.issued_at
      ? {
          issuedAt: row.issued_at.toISOString(),
          amountFen: row.receipt_fen!,
          prepaymentFen: row.prepayment_fen!,
          lines: (row.lines ?? []).map((line) => ({ month: line.month, lateFeeFen: line.lateFeeFen, principalFen: line.principalFen })),
        }
      : null,
  }));
}
