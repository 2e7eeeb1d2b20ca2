import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { paymentOrders, paymentRefunds } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { Outbox } from '../../jobs/outbox';
import { reverseAllocation } from '../billing/allocation';
import type { OrderRow } from './orders';
import { gatewayOf, type Channel, type PaymentProvider } from './providers';

type RefundRow = typeof paymentRefunds.$inferSelect;

const presentRefund = (row: RefundRow) => ({
  id: row.id,
  orderId: row.orderId,
  outRefundNo: row.outRefundNo,
  amountFen: row.amountFen,
  state: row.state,
  createdAt: row.createdAt.toISOString(),
  completedAt: row.completedAt?.toISOString() ?? null,
});

/** The ref the payment is allocated under in billing: unique across channels and gateways. */
export const paymentRef = (row: Pick<OrderRow, 'channel' | 'outTradeNo'>) => `${gatewayOf(row.channel)}:${row.outTradeNo}`;

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
    database.db
      .update(paymentRefunds)
      .set({ state: 'FAILED', completedAt: sql`now()` })
      .where(and(eq(paymentRefunds.id, refundId), eq(paymentRefunds.state, 'REFUNDING')));

  /** The refund is done: REFUNDING → REFUNDED and the allocation undone, in one transaction, once. */
  async function complete(refund: RefundRow): Promise<void> {
    await database.transaction(async (tx) => {
      const [done] = await tx.db
        .update(paymentRefunds)
        .set({ state: 'REFUNDED', completedAt: clock.now() })
        .where(and(eq(paymentRefunds.id, refund.id), eq(paymentRefunds.state, 'REFUNDING')))
        .returning({ id: paymentRefunds.id });
      if (!done) return;
      const [order] = await tx.db
        .select({ channel: paymentOrders.channel, outTradeNo: paymentOrders.outTradeNo })
        .from(paymentOrders)
        .where(eq(paymentOrders.id, refund.orderId));
      await reverseAllocation(tx, paymentRef(order!), `refund:${refund.outRefundNo}`, clock.now());
      await deps.outbox.write(
        tx,
        'backoffice',
        {
          type: 'payment.refunded',
          data: { outTradeNo: order!.outTradeNo, outRefundNo: refund.outRefundNo, amountFen: refund.amountFen },
        },
        `payment:${order!.outTradeNo}`,
      );
    });
  }

  return {
    /** The gateway reported a refund of this order as done (one refund, or any open one when it names none). */
    async completeReported(outTradeNo: string, outRefundNo?: string): Promise<void> {
      const rows = await database.db
        .select({ refund: paymentRefunds })
        .from(paymentRefunds)
        .innerJoin(paymentOrders, eq(paymentOrders.id, paymentRefunds.orderId))
        .where(and(eq(paymentOrders.outTradeNo, outTradeNo), eq(paymentRefunds.state, 'REFUNDING')));
      for (const { refund } of rows) if (!outRefundNo || outRefundNo === refund.outRefundNo) await complete(refund);
    },

    /** Asks the gateway about every refund still REFUNDING. */
    async sweep(limit: number): Promise<{ checked: number; failed: number }> {
      const rows = await database.db
        .select({ refund: paymentRefunds, outTradeNo: paymentOrders.outTradeNo, channel: paymentOrders.channel })
        .from(paymentRefunds)
        .innerJoin(paymentOrders, eq(paymentOrders.id, paymentRefunds.orderId))
        .where(eq(paymentRefunds.state, 'REFUNDING'))
        .orderBy(asc(paymentRefunds.id))
        .limit(limit);
      let failed = 0;
      for (const { refund, outTradeNo, channel } of rows) {
        try {
          const status = await providerFor(channel).queryRefund(outTradeNo, refund.outRefundNo);
          if (status === 'succeeded') await complete(refund);
          else if (status === 'failed') await markFailed(refund.id);
        } catch (err) {
          failed += 1;
          log.warn({ err: { message: (err as Error).message }, outRefundNo: refund.outRefundNo }, 'refund sweep: left for the next pass');
        }
      }
      return { checked: rows.length, failed };
    },

    /** A full refund by staff: REFUNDING is recorded before the gateway is asked, so a crash in between is finished by the sweep. */
    async request(staffId: number, orderId: number, reason: string) {
      const [order] = await database.db.select().from(paymentOrders).where(eq(paymentOrders.id, orderId));
      if (!order) throw notFound('Payment');
      if (order.state !== 'PAID') throw new AppError('ORDER_NOT_REFUNDABLE', `Only a paid order can be refunded (this one is ${order.state})`);
      const [done] = await database.db
        .select()
        .from(paymentRefunds)
        .where(and(eq(paymentRefunds.orderId, orderId), inArray(paymentRefunds.state, ['REFUNDING', 'REFUNDED'])));
      if (done?.state === 'REFUNDED') throw new AppError('ORDER_NOT_REFUNDABLE', 'This order was already refunded');
      if (done) throw new AppError('REFUND_IN_PROGRESS', 'A refund of this order is in progress', { refund: presentRefund(done) });
      const [refund] = await database.db
        .insert(paymentRefunds)
        .values({ orderId, outRefundNo: `R${order.outTradeNo.slice(1)}`, amountFen: order.amountFen, reason, staffId, createdAt: clock.now() })
        // The target is the partial index of open refunds (payment_refunds_one_open): its predicate, as a literal, names it.
        .onConflictDoNothing({ target: paymentRefunds.orderId, where: sql`${sql.identifier(paymentRefunds.state.name)} = 'REFUNDING'` })
        .returning();
      if (!refund) throw new AppError('REFUND_IN_PROGRESS', 'A refund of this order is in progress');
      try {
        const outcome = await providerFor(order.channel).refund({
          outTradeNo: order.outTradeNo,
          outRefundNo: refund.outRefundNo,
          refundFen: refund.amountFen,
          totalFen: order.amountFen,
          reason,
        });
        if (outcome === 'succeeded') await complete(refund);
        else if (outcome === 'failed') await markFailed(refund.id);
      } catch (err) {
        // Unknown outcome: the refund stays REFUNDING and the sweep asks the gateway (out_refund_no makes a repeat harmless).
        log.warn({ err: { message: (err as Error).message }, outRefundNo: refund.outRefundNo }, 'refund request had no clear answer');
      }
      const [now] = await database.db.select().from(paymentRefunds).where(eq(paymentRefunds.id, refund.id));
      return presentRefund(now!);
    },
  };
}
