import type { Logger } from 'pino';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { AppError, notFound } from '../../errors';
import type { Outbox } from '../../jobs/outbox';
import { reverseAllocation } from '../billing/allocation';
import type { OrderRow } from './orders';
import { gatewayOf, type Channel, type PaymentProvider } from './providers';

interface RefundRow {
  id: number;
  order_id: number;
  out_refund_no: string;
  amount_fen: number;
  reason: string;
  state: 'REFUNDING' | 'REFUNDED' | 'FAILED';
  created_at: Date;
  completed_at: Date | null;
}

const presentRefund = (row: RefundRow) => ({
  id: row.id,
  orderId: row.order_id,
  outRefundNo: row.out_refund_no,
  amountFen: row.amount_fen,
  state: row.state,
  createdAt: row.created_at.toISOString(),
  completedAt: row.completed_at?.toISOString() ?? null,
});

/** The ref the payment is allocated under in billing: unique across channels and gateways. */
export const paymentRef = (row: Pick<OrderRow, 'channel' | 'out_trade_no'>) => `${gatewayOf(row.channel)}:${row.out_trade_no}`;

export interface RefundsDeps {
  database: Database;
  clock: Clock;
  outbox: Outbox;
  log: Logger;
  providerFor(channel: Channel): PaymentProvider;
}

/**
 * Staff refunds of paid orders, whole: REFUNDING is recorded before the gateway is asked, and every
 * path to an answer (the synchronous reply, the gateway's notification, the sweep's query) ends in
 * the same conditional REFUNDING → REFUNDED / FAILED, so each refund completes once.
 */
export function createRefunds(deps: RefundsDeps) {
  const { database, clock, log, providerFor } = deps;

  const markFailed = (refundId: number) =>
    database.pool.query(`UPDATE payment_refunds SET state = 'FAILED', completed_at = now() WHERE id = $1 AND state = 'REFUNDING'`, [refundId]);

  /** The refund is done: REFUNDING → REFUNDED and the allocation undone, in one transaction, once. */
  async function complete(refund: RefundRow): Promise<void> {
    await database.transaction(async (tx) => {
      const {
        rows: [done],
      } = await tx.client.query<RefundRow>(
        `UPDATE payment_refunds SET state = 'REFUNDED', completed_at = $2 WHERE id = $1 AND state = 'REFUNDING' RETURNING *`,
        [refund.id, clock.now()],
      );
      if (!done) return;
      const {
        rows: [order],
      } = await tx.client.query<OrderRow>('SELECT * FROM payment_orders WHERE id = $1', [refund.order_id]);
      await reverseAllocation(tx, paymentRef(order!), `refund:${refund.out_refund_no}`, clock.now());
      await deps.outbox.write(tx, 'backoffice', {
        type: 'payment.refunded',
        data: { outTradeNo: order!.out_trade_no, outRefundNo: refund.out_refund_no, amountFen: refund.amount_fen },
      });
    });
  }

  return {
    /** The gateway reported a refund of this order as done (one refund, or any open one when it names none). */
    async completeReported(outTradeNo: string, outRefundNo?: string): Promise<void> {
      const { rows } = await database.pool.query<RefundRow>(
        `SELECT r.* FROM payment_refunds r JOIN payment_orders o ON o.id = r.order_id WHERE o.out_trade_no = $1 AND r.state = 'REFUNDING'`,
        [outTradeNo],
      );
      for (const refund of rows) if (!outRefundNo || outRefundNo === refund.out_refund_no) await complete(refund);
    },

    /** Asks the gateway about every refund still REFUNDING. */
    async sweep(limit: number): Promise<{ checked: number; failed: number }> {
      const { rows } = await database.pool.query<RefundRow & { out_trade_no: string; channel: Channel }>(
        `SELECT r.*, o.out_trade_no, o.channel FROM payment_refunds r JOIN payment_orders o ON o.id = r.order_id WHERE r.state = 'REFUNDING' ORDER BY r.id LIMIT $1`,
        [limit],
      );
      let failed = 0;
      for (const refund of rows) {
        try {
          const status = await providerFor(refund.channel).queryRefund(refund.out_trade_no, refund.out_refund_no);
          if (status === 'succeeded') await complete(refund);
          else if (status === 'failed') await markFailed(refund.id);
        } catch (err) {
          failed += 1;
          log.warn({ err: { message: (err as Error).message }, outRefundNo: refund.out_refund_no }, 'refund sweep: left for the next pass');
        }
      }
      return { checked: rows.length, failed };
    },

    /** A full refund by staff: REFUNDING is recorded before the gateway is asked, so a crash in between is finished by the sweep. */
    async request(staffId: number, orderId: number, reason: string) {
      const {
        rows: [order],
      } = await database.pool.query<OrderRow>('SELECT * FROM payment_orders WHERE id = $1', [orderId]);
      if (!order) throw notFound('Payment');
      if (order.state !== 'PAID') throw new AppError('ORDER_NOT_REFUNDABLE', `Only a paid order can be refunded (this one is ${order.state})`);
      const {
        rows: [done],
      } = await database.pool.query<RefundRow>(`SELECT * FROM payment_refunds WHERE order_id = $1 AND state IN ('REFUNDING', 'REFUNDED')`, [orderId]);
      if (done?.state === 'REFUNDED') throw new AppError('ORDER_NOT_REFUNDABLE', 'This order was already refunded');
      if (done) throw new AppError('REFUND_IN_PROGRESS', 'A refund of this order is in progress', { refund: presentRefund(done) });
      const {
        rows: [refund],
      } = await database.pool.query<RefundRow>(
        `INSERT INTO payment_refunds (order_id, out_refund_no, amount_fen, reason, staff_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (order_id) WHERE state = 'REFUNDING' DO NOTHING RETURNING *`,
        [orderId, `R${order.out_trade_no.slice(1)}`, order.amount_fen, reason, staffId, clock.now()],
      );
      if (!refund) throw new AppError('REFUND_IN_PROGRESS', 'A refund of this order is in progress');
      try {
        const outcome = await providerFor(order.channel).refund({
          outTradeNo: order.out_trade_no,
          outRefundNo: refund.out_refund_no,
          refundFen: refund.amount_fen,
          totalFen: order.amount_fen,
          reason,
        });
        if (outcome === 'succeeded') await complete(refund);
        else if (outcome === 'failed') await markFailed(refund.id);
      } catch (err) {
        // Unknown outcome: the refund stays REFUNDING and the sweep asks the gateway (out_refund_no makes a repeat harmless).
        log.warn({ err: { message: (err as Error).message }, outRefundNo: refund.out_refund_no }, 'refund request had no clear answer');
      }
      const {
        rows: [now],
      } = await database.pool.query<RefundRow>('SELECT * FROM payment_refunds WHERE id = $1', [refund.id]);
      return presentRefund(now!);
    },
  };
}
