import { createHash, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNotNull, lte, not, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CreatePaymentBody, PaymentOrder } from '../../../../shared/contracts/payments';
import { fenToYuan } from '../../../../shared/money';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { paymentOrders, paymentReceipts, paymentReviews } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { Outbox } from '../../jobs/outbox';
import { accountBindingQuery } from '../accounts/published';
import { customerOpenidQuery } from '../auth/published';
import { allocatePayment, openReceivables } from '../billing/allocation';
import type { Notifications } from '../notifications/service';
import { CUSTOMER_AUDIENCE } from '../notifications/published';
import { CANCELLED, claimPaid, customerOrder, findOrder, paymentHistory, presentOrder, type OrderRow } from './orders';
import { createRefunds, paymentRef } from './refunds';
import { gatewayOf, type Channel, type GatewayEvent, type GatewayName, type Launch, type PaymentProvider } from './providers';
import { shanghaiCompact, shanghaiMinute } from '../../../../shared/dates';

type CreateInput = z.output<typeof CreatePaymentBody>;

/** `P` + Beijing date-time to the second + 10 random characters: 25 of WeChat's allowed characters, sortable by day. */
function newOutTradeNo(at: Date): string {
  return `P${shanghaiCompact(at)}${randomBytes(8).toString('hex').slice(0, 10).toUpperCase()}`;
}

export interface PaymentsDeps {
  database: Database;
  clock: Clock;
  notifications: Notifications;
  outbox: Outbox;
  providers: Partial<Record<GatewayName, PaymentProvider>>;
  settings: { orderTtlMinutes: number; queryAfterSeconds: number };
  /** The base URL the gateways and browsers reach us by (known only once the server listens). */
  publicBaseUrl: () => string;
  log: Logger;
}

/**
 * Online payments: orders, their state machine, and applying what the gateways report. An order
 * becomes PAID only from a verified notification or our own query, in one transaction with its
 * allocation, receipt, customer message and back-office event; every state change is a
 * compare-and-set, so duplicates and races apply nothing twice.
 */
export function createPayments(deps: PaymentsDeps) {
  const { database, clock, log } = deps;

  const providerFor = (channel: Channel): PaymentProvider => {
    const provider = deps.providers[gatewayOf(channel)];
    if (!provider) throw new AppError('PAYMENT_CHANNEL_UNAVAILABLE', `${channel} is not configured on this server`);
    return provider;
  };
  const refunds = createRefunds({ database, clock, outbox: deps.outbox, log, providerFor });

  async function recordReview(channel: GatewayName, outTradeNo: string | undefined, problem: string, detail: Record<string, unknown>) {
    log.warn({ channel, outTradeNo, problem }, 'payment notification set aside for review');
    await database.db.insert(paymentReviews).values({ channel, outTradeNo: outTradeNo ?? null, problem, detail, receivedAt: clock.now() });
  }

  /** Asks the gateway to start the payment; a refusal fails the order, an unknown outcome leaves it CREATED to retry. */
  async function launch(row: OrderRow, context: { openid?: string; clientIp?: string; returnUrl?: string }): Promise<OrderRow> {
    const base = deps.publicBaseUrl();
    const notifyUrl = `${base}/api/payments/notify/${gatewayOf(row.channel) === 'alipay' ? 'alipay' : 'wechat'}`;
    const returnUrl =
      context.returnUrl && /^\/(?!\/)/.test(context.returnUrl) ? `${base}${context.returnUrl}` : `${base}/packages/payments/pages/result/index?id=${row.id}`;
    let started: Launch;
    try {
      started = await providerFor(row.channel).create({
        channel: row.channel,
        outTradeNo: row.outTradeNo,
        amountFen: row.amountFen,
        description: row.purpose === 'top_up' ? '电费预存' : '电费缴纳',
        expiresAt: row.expiresAt,
        notifyUrl,
        returnUrl,
        openid: context.openid,
        clientIp: context.clientIp,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'PAYMENT_GATEWAY_FAILED') {
        await database.db
          .update(paymentOrders)
          .set({ state: 'FAILED', failureReason: err.message, updatedAt: sql`now()` })
          .where(and(eq(paymentOrders.id, row.id), eq(paymentOrders.state, 'CREATED')));
      }
      throw err instanceof AppError ? err : new AppError('PAYMENT_GATEWAY_FAILED', 'The payment gateway did not answer; try again');
    }
    const [updated] = await database.db
      .update(paymentOrders)
      .set({ state: 'PAYING', launch: started, updatedAt: sql`now()` })
      .where(and(eq(paymentOrders.id, row.id), eq(paymentOrders.state, 'CREATED')))
      .returning();
    return updated ?? (await findOrder(database.db, row.outTradeNo))!;
  }

  /**
   * PAID, once, with everything that goes with it. Money for bills that were settled meanwhile
   * (at a terminal, say) goes to prepayment and the order is flagged for staff.
   */
  async function applyPaid(
    event: { outTradeNo: string; tradeNo: string; amountFen: number },
    via: 'notification' | 'query',
    channel: GatewayName,
  ): Promise<'applied' | 'duplicate' | 'review'> {
    const outcome = await database.transaction(async (tx) => {
      const now = clock.now();
      const order = await claimPaid(tx.db, event, channel, now);
      if (!order) {
        // Nothing changed: say why (a duplicate is the usual reason), from the order as it stands.
        const found = await findOrder(tx.db, event.outTradeNo);
        if (!found || gatewayOf(found.channel) !== channel) return { review: found ? 'wrong_channel' : 'unknown_order' } as const;
        if (found.amountFen !== event.amountFen) return { review: 'amount_mismatch', order: found } as const;
        return { done: 'duplicate' } as const;
      }
      const allocation = await allocatePayment(tx, {
        accountId: order.accountId,
        amountFen: order.amountFen,
        ref: paymentRef(order),
        receivableIds: order.purpose === 'top_up' ? [] : (order.receivableIds ?? undefined),
        skipSettled: true,
        source: { channel: order.channel, outTradeNo: order.outTradeNo, tradeNo: event.tradeNo },
        at: now,
      });
      const flag = allocation.skipped.length
        ? 'receivable_already_settled'
        : order.priorState === 'CLOSED' || order.priorState === 'FAILED'
          ? `paid_after_${order.priorState.toLowerCase()}`
          : null;
      if (flag) tx.defer(tx.db.update(paymentOrders).set({ flag }).where(eq(paymentOrders.id, order.id)));
      // The customer's message, the receipt and the event are queued with the allocation's writes: one round trip for all.
      await deps.notifications.publish(tx, {
        eventKey: `payment:${order.outTradeNo}:paid`,
        topic: 'payment',
        audience: { name: CUSTOMER_AUDIENCE, params: [order.customerId] },
        payload: {
          page: `packages/payments/pages/result/index?id=${order.id}`,
          wechat: {
            character_string1: order.outTradeNo,
            thing2: `¥${fenToYuan(order.amountFen)}`,
            time3: shanghaiMinute(now),
            thing4: order.purpose === 'top_up' ? '电费预存' : '电费缴纳',
          },
          sms: { template: 'payment_receipt', params: { order: order.outTradeNo, amount: fenToYuan(order.amountFen) } },
        },
      });
      tx.defer(
        tx.db.insert(paymentReceipts).values({
          orderId: order.id,
          accountId: order.accountId,
          amountFen: order.amountFen,
          allocationRef: allocation.ref,
          prepaymentFen: allocation.prepaymentFen,
          via,
          issuedAt: now,
        }),
      );
      await deps.outbox.write(
        tx,
        'backoffice',
        {
          type: 'payment.paid',
          data: {
            outTradeNo: order.outTradeNo,
            channel: order.channel,
            accountId: order.accountId,
            amountFen: order.amountFen,
            tradeNo: event.tradeNo,
            allocation: { lines: allocation.lines, prepaymentFen: allocation.prepaymentFen },
            flag,
          },
        },
        `payment:${order.outTradeNo}`,
      );
      return { done: 'applied' } as const;
    });
    if ('review' in outcome) {
      await recordReview(channel, event.outTradeNo, outcome.review!, {
        ...event,
        via,
        expectedFen: 'order' in outcome ? outcome.order!.amountFen : undefined,
      });
      return 'review';
    }
    return outcome.done;
  }

  /** CLOSED only from an open state: a late CLOSED after PAID changes nothing. The reason says who ended it. */
  async function applyClosed(outTradeNo: string, reason: string | null = null): Promise<boolean> {
    const { rowCount } = await database.db
      .update(paymentOrders)
      .set({ state: 'CLOSED', failureReason: reason, updatedAt: sql`now()` })
      .where(and(eq(paymentOrders.outTradeNo, outTradeNo), inArray(paymentOrders.state, ['CREATED', 'PAYING'])));
    return rowCount === 1;
  }

  async function applyEvent(channel: GatewayName, event: GatewayEvent): Promise<void> {
    if (event.kind === 'paid') await applyPaid(event, 'notification', channel);
    else if (event.kind === 'closed') {
      // A CLOSED notification is still checked with the gateway: only its own query decides.
      const order = await findOrder(database.db, event.outTradeNo);
      if (order && (order.state === 'CREATED' || order.state === 'PAYING')) await reconcile(order);
    } else if (event.kind === 'refund' && event.succeeded) {
      await refunds.completeReported(event.outTradeNo, event.outRefundNo);
    }
  }

  /**
   * Our own query decides an open order: paid, closed at the gateway, or (past its expiry, or
   * abandoned by the customer) closed by us at the gateway first, so it can no longer be paid.
   */
  async function reconcile(order: OrderRow, cancelled = false): Promise<OrderRow['state']> {
    const provider = providerFor(order.channel);
    const trade = await provider.query(order.outTradeNo);
    if (trade.status === 'paid') {
      await applyPaid({ outTradeNo: order.outTradeNo, tradeNo: trade.tradeNo, amountFen: trade.amountFen }, 'query', provider.name);
    } else if (trade.status === 'closed') {
      await applyClosed(order.outTradeNo, cancelled ? CANCELLED : null);
    } else if (cancelled || order.expiresAt.getTime() <= clock.now().getTime()) {
      const closed = await provider.close(order.outTradeNo);
      if (closed === 'closed') await applyClosed(order.outTradeNo, cancelled ? CANCELLED : 'expired');
      else return reconcile({ ...order, expiresAt: new Date(8.64e15) });
    }
    return (await findOrder(database.db, order.outTradeNo))!.state;
  }

  return {
    async createOrder(
      customerId: number,
      idempotencyKey: string,
      input: CreateInput,
      context: { clientIp?: string },
    ): Promise<{ order: PaymentOrder; created: boolean }> {
      const digest = createHash('sha256')
        .update(
          JSON.stringify([
            input.purpose,
            input.accountId,
            input.channel,
            input.purpose === 'bills' ? [...new Set(input.receivableIds ?? [])].sort((a, b) => a - b) : input.amountFen,
          ]),
        )
        .digest('hex');
      // The customer's openid (auth's), the binding (accounts') and a first attempt under this key: one statement.
      const db = database.db;
      const [facts] = await db
        .select({
          openid: sql<string | null>`(${customerOpenidQuery(db, customerId)})`,
          bound: sql<boolean>`exists(${accountBindingQuery(db, customerId, input.accountId)})`,
          existing: paymentOrders,
        })
        .from(sql`(SELECT 1) AS one`)
        .leftJoin(paymentOrders, and(eq(paymentOrders.customerId, customerId), eq(paymentOrders.idempotencyKey, idempotencyKey)));
      const { openid, bound, existing } = facts!;
      if (existing) {
        if (existing.requestDigest !== digest) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different payment');
        // The first attempt's gateway call had no answer: ask again (the gateway keys the order by out_trade_no).
        const row =
          existing.state === 'CREATED'
            ? await launch(existing, { openid: openid ?? undefined, clientIp: context.clientIp, returnUrl: input.returnUrl })
            : existing;
        return { order: presentOrder(row), created: false };
      }
      if (!bound) throw notFound('Account');
      if (input.channel === 'wechat_jsapi' && !openid) throw new AppError('NO_WECHAT_LOGIN', 'Paying inside the mini-program needs a WeChat login');
      providerFor(input.channel);
      let amountFen: number;
      let receivableIds: number[] | null = null;
      if (input.purpose === 'top_up') amountFen = input.amountFen;
      else {
        const open = await openReceivables(database.pool, input.accountId);
        const chosen = input.receivableIds ? open.filter((item) => input.receivableIds!.includes(item.receivableId)) : open;
        if (input.receivableIds && chosen.length !== new Set(input.receivableIds).size) {
          const found = new Set(chosen.map((item) => item.receivableId));
          throw new AppError('RECEIVABLE_NOT_OPEN', 'A chosen bill is not an open bill of this account', {
            receivableIds: input.receivableIds.filter((id) => !found.has(id)),
          });
        }
        amountFen = chosen.reduce((sum, item) => sum + item.principalOwedFen + item.lateFeeOwedFen, 0);
        if (amountFen <= 0) throw new AppError('NOTHING_TO_PAY', 'Nothing is due on this account');
        receivableIds = chosen.map((item) => item.receivableId);
      }
      const now = clock.now();
      const [inserted] = await database.db
        .insert(paymentOrders)
        .values({
          outTradeNo: newOutTradeNo(now),
          customerId,
          accountId: input.accountId,
          channel: input.channel,
          purpose: input.purpose,
          receivableIds,
          amountFen,
          idempotencyKey,
          requestDigest: digest,
          expiresAt: new Date(now.getTime() + deps.settings.orderTtlMinutes * 60_000),
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: [paymentOrders.customerId, paymentOrders.idempotencyKey] })
        .returning();
      // A concurrent twin inserted first: answer as a replay.
      if (!inserted) return this.createOrder(customerId, idempotencyKey, input, context);
      const row = await launch(inserted, { openid: openid ?? undefined, clientIp: context.clientIp, returnUrl: input.returnUrl });
      return { order: presentOrder(row), created: true };
    },

    async getOrder(customerId: number, orderId: number): Promise<PaymentOrder> {
      const row = await customerOrder(database.db, customerId, orderId);
      if (!row) throw notFound('Payment');
      if (row.state !== 'PAYING') return presentOrder(row);
      // The result page polls this: ask the gateway rather than wait for the notification.
      await reconcile(row).catch((err: Error) => log.warn({ err: { message: err.message }, outTradeNo: row.outTradeNo }, 'payment query failed'));
      return presentOrder((await findOrder(database.db, row.outTradeNo))!);
    },

    /** The customer left the cashier unpaid: close the order at the gateway and here, unless the gateway says it was paid. */
    async closeOrder(customerId: number, orderId: number): Promise<PaymentOrder> {
      const row = await customerOrder(database.db, customerId, orderId);
      if (!row) throw notFound('Payment');
      if (row.state === 'CREATED' || row.state === 'PAYING') await reconcile(row, true);
      return presentOrder((await findOrder(database.db, row.outTradeNo))!);
    },

    /** The customer's payment history: the last 50 orders, each paid one with its receipt. */
    listOrders: (customerId: number) => paymentHistory(database.db, customerId),

    /** A gateway notification: `refused` (answer an error, the gateway retries) or `handled` (acknowledge). */
    async handleNotification(channel: GatewayName, headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<'handled' | 'refused'> {
      const provider = deps.providers[channel];
      if (!provider) return 'refused';
      const parsed = provider.parseNotification(headers, rawBody);
      if (!parsed.ok) {
        if (parsed.verdict === 'refused') {
          log.warn({ channel, problem: parsed.problem }, 'payment notification refused');
          return 'refused';
        }
        await recordReview(channel, parsed.outTradeNo, parsed.problem, parsed.detail ?? {});
        return 'handled';
      }
      await applyEvent(channel, parsed.event);
      return 'handled';
    },

    /** What a verified notification does, once its signature and contents have been checked. */
    applyEvent,

    /** The sweep job: open orders past the query delay are asked about; expired ones are closed at the gateway. */
    async sweep(limit = 100): Promise<{ checked: number; failed: number }> {
      const rows = await database.db
        .select()
        .from(paymentOrders)
        .where(
          and(
            inArray(paymentOrders.state, ['CREATED', 'PAYING']),
            lte(paymentOrders.createdAt, new Date(clock.now().getTime() - deps.settings.queryAfterSeconds * 1000)),
          ),
        )
        .orderBy(asc(paymentOrders.createdAt))
        .limit(limit);
      let failed = 0;
      for (const row of rows) {
        try {
          await reconcile(row);
        } catch (err) {
          failed += 1;
          log.warn({ err: { message: (err as Error).message }, outTradeNo: row.outTradeNo }, 'payment sweep: order left for the next pass');
        }
      }
      const refundSweep = await refunds.sweep(limit);
      return { checked: rows.length + refundSweep.checked, failed: failed + refundSweep.failed };
    },

    refund: refunds.request,

    async listReviews() {
      const [reviews, flagged] = await Promise.all([
        database.db.select().from(paymentReviews).where(not(paymentReviews.resolved)).orderBy(desc(paymentReviews.id)).limit(200),
        database.db
          .select({ orderId: paymentOrders.id, outTradeNo: paymentOrders.outTradeNo, flag: paymentOrders.flag, amountFen: paymentOrders.amountFen })
          .from(paymentOrders)
          .where(isNotNull(paymentOrders.flag))
          .orderBy(desc(paymentOrders.id))
          .limit(200),
      ]);
      return {
        reviews: reviews.map((row) => ({
          id: row.id,
          channel: row.channel,
          outTradeNo: row.outTradeNo,
          problem: row.problem,
          detail: row.detail,
          receivedAt: row.receivedAt.toISOString(),
        })),
        // The WHERE keeps only flagged orders.
        flagged: flagged.map((row) => ({ ...row, flag: row.flag! })),
      };
    },
  };
}

export type Payments = ReturnType<typeof createPayments>;
