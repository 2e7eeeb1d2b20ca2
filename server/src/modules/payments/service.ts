import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CreatePaymentBody, PaymentOrder } from '../../../../shared/contracts/payments';
import { fenToYuan } from '../../../../shared/money';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { AppError, notFound } from '../../errors';
import type { Outbox } from '../../jobs/outbox';
import { allocatePayment, openReceivables } from '../billing/allocation';
import type { Notifications } from '../notifications/service';
import { CUSTOMER_AUDIENCE } from '../notifications/published';
import { CANCELLED, paymentHistory, presentOrder, type OrderRow } from './orders';
import { createRefunds, paymentRef } from './refunds';
import { gatewayOf, type Channel, type GatewayEvent, type GatewayName, type Launch, type PaymentProvider } from './providers';

type CreateInput = z.output<typeof CreatePaymentBody>;

/** `P` + Beijing date-time to the second + 10 random characters: 25 of WeChat's allowed characters, sortable by day. */
function newOutTradeNo(at: Date): string {
  const stamp = new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `P${stamp}${randomBytes(8).toString('hex').slice(0, 10).toUpperCase()}`;
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

  const findOrder = async (client: Pick<Tx['client'], 'query'>, outTradeNo: string, lock = false) =>
    (await client.query<OrderRow>(`SELECT * FROM payment_orders WHERE out_trade_no = $1${lock ? ' FOR UPDATE' : ''}`, [outTradeNo])).rows[0];

  async function recordReview(channel: GatewayName, outTradeNo: string | undefined, problem: string, detail: Record<string, unknown>) {
    log.warn({ channel, outTradeNo, problem }, 'payment notification set aside for review');
    await database.pool.query('INSERT INTO payment_reviews (channel, out_trade_no, problem, detail, received_at) VALUES ($1, $2, $3, $4, $5)', [
      channel,
      outTradeNo ?? null,
      problem,
      detail,
      clock.now(),
    ]);
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
        outTradeNo: row.out_trade_no,
        amountFen: row.amount_fen,
        description: row.purpose === 'top_up' ? '电费预存' : '电费缴纳',
        expiresAt: row.expires_at,
        notifyUrl,
        returnUrl,
        openid: context.openid,
        clientIp: context.clientIp,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'PAYMENT_GATEWAY_FAILED') {
        await database.pool.query(`UPDATE payment_orders SET state = 'FAILED', failure_reason = $2, updated_at = now() WHERE id = $1 AND state = 'CREATED'`, [
          row.id,
          err.message,
        ]);
      }
      throw err instanceof AppError ? err : new AppError('PAYMENT_GATEWAY_FAILED', 'The payment gateway did not answer; try again');
    }
    const {
      rows: [updated],
    } = await database.pool.query<OrderRow>(
      `UPDATE payment_orders SET state = 'PAYING', launch = $2, updated_at = now() WHERE id = $1 AND state = 'CREATED' RETURNING *`,
      [row.id, started],
    );
    return updated ?? (await findOrder(database.pool, row.out_trade_no))!;
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
      const order = await findOrder(tx.client, event.outTradeNo, true);
      if (!order || gatewayOf(order.channel) !== channel) return { review: order ? 'wrong_channel' : 'unknown_order' } as const;
      if (order.amount_fen !== event.amountFen) return { review: 'amount_mismatch', order } as const;
      if (order.state === 'PAID') return { done: 'duplicate' } as const;
      const now = clock.now();
      // CLOSED and FAILED are included: the gateway took the money (paid just before a close), so it stands.
      const {
        rows: [paid],
      } = await tx.client.query<OrderRow>(
        `UPDATE payment_orders SET state = 'PAID', gateway_trade_no = $2, paid_at = $3, updated_at = $3 WHERE id = $1 AND state <> 'PAID' RETURNING *`,
        [order.id, event.tradeNo, now],
      );
      if (!paid) return { done: 'duplicate' } as const;
      const allocation = await allocatePayment(tx, {
        accountId: order.account_id,
        amountFen: order.amount_fen,
        ref: paymentRef(order),
        receivableIds: order.purpose === 'top_up' ? [] : (order.receivable_ids ?? undefined),
        skipSettled: true,
        source: { channel: order.channel, outTradeNo: order.out_trade_no, tradeNo: event.tradeNo },
        at: now,
      });
      const flag = allocation.skipped.length
        ? 'receivable_already_settled'
        : order.state === 'CLOSED' || order.state === 'FAILED'
          ? `paid_after_${order.state.toLowerCase()}`
          : null;
      if (flag) await tx.client.query('UPDATE payment_orders SET flag = $2 WHERE id = $1', [order.id, flag]);
      await tx.client.query(
        'INSERT INTO payment_receipts (order_id, account_id, amount_fen, allocation_ref, prepayment_fen, via, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [order.id, order.account_id, order.amount_fen, allocation.ref, allocation.prepaymentFen, via, now],
      );
      await deps.notifications.publish(tx, {
        eventKey: `payment:${order.out_trade_no}:paid`,
        topic: 'payment',
        audience: { name: CUSTOMER_AUDIENCE, params: [order.customer_id] },
        payload: {
          page: `packages/payments/pages/result/index?id=${order.id}`,
          wechat: {
            character_string1: order.out_trade_no,
            thing2: `¥${fenToYuan(order.amount_fen)}`,
            time3: new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '),
            thing4: order.purpose === 'top_up' ? '电费预存' : '电费缴纳',
          },
          sms: { template: 'payment_receipt', params: { order: order.out_trade_no, amount: fenToYuan(order.amount_fen) } },
        },
      });
      await deps.outbox.write(tx, 'backoffice', {
        type: 'payment.paid',
        data: {
          outTradeNo: order.out_trade_no,
          channel: order.channel,
          accountId: order.account_id,
          amountFen: order.amount_fen,
          tradeNo: event.tradeNo,
          allocation: { lines: allocation.lines, prepaymentFen: allocation.prepaymentFen },
          flag,
        },
      });
      return { done: 'applied' } as const;
    });
    if ('review' in outcome) {
      await recordReview(channel, event.outTradeNo, outcome.review!, {
        ...event,
        via,
        expectedFen: 'order' in outcome ? outcome.order!.amount_fen : undefined,
      });
      return 'review';
    }
    return outcome.done;
  }

  /** CLOSED only from an open state: a late CLOSED after PAID changes nothing. The reason says who ended it. */
  async function applyClosed(outTradeNo: string, reason: string | null = null): Promise<boolean> {
    const { rowCount } = await database.pool.query(
      `UPDATE payment_orders SET state = 'CLOSED', failure_reason = $2, updated_at = now() WHERE out_trade_no = $1 AND state IN ('CREATED', 'PAYING')`,
      [outTradeNo, reason],
    );
    return rowCount === 1;
  }

  async function applyEvent(channel: GatewayName, event: GatewayEvent): Promise<void> {
    if (event.kind === 'paid') await applyPaid(event, 'notification', channel);
    else if (event.kind === 'closed') {
      // A CLOSED notification is still checked with the gateway: only its own query decides.
      const order = await findOrder(database.pool, event.outTradeNo);
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
    const trade = await provider.query(order.out_trade_no);
    if (trade.status === 'paid') {
      await applyPaid({ outTradeNo: order.out_trade_no, tradeNo: trade.tradeNo, amountFen: trade.amountFen }, 'query', provider.name);
    } else if (trade.status === 'closed') {
      await applyClosed(order.out_trade_no, cancelled ? CANCELLED : null);
    } else if (cancelled || order.expires_at.getTime() <= clock.now().getTime()) {
      const closed = await provider.close(order.out_trade_no);
      if (closed === 'closed') await applyClosed(order.out_trade_no, cancelled ? CANCELLED : 'expired');
      else return reconcile({ ...order, expires_at: new Date(8.64e15) });
    }
    return (await findOrder(database.pool, order.out_trade_no))!.state;
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
      const {
        rows: [customer],
      } = await database.pool.query<{ wechat_openid: string | null; bound: boolean }>(
        'SELECT c.wechat_openid, EXISTS (SELECT 1 FROM account_bindings b WHERE b.customer_id = c.id AND b.account_id = $2) AS bound FROM customers c WHERE c.id = $1',
        [customerId, input.accountId],
      );
      const existing = (
        await database.pool.query<OrderRow>('SELECT * FROM payment_orders WHERE customer_id = $1 AND idempotency_key = $2', [customerId, idempotencyKey])
      ).rows[0];
      if (existing) {
        if (existing.request_digest !== digest) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different payment');
        // The first attempt's gateway call had no answer: ask again (the gateway keys the order by out_trade_no).
        const row =
          existing.state === 'CREATED'
            ? await launch(existing, { openid: customer?.wechat_openid ?? undefined, clientIp: context.clientIp, returnUrl: input.returnUrl })
            : existing;
        return { order: presentOrder(row), created: false };
      }
      if (!customer?.bound) throw notFound('Account');
      if (input.channel === 'wechat_jsapi' && !customer.wechat_openid)
        throw new AppError('NO_WECHAT_LOGIN', 'Paying inside the mini-program needs a WeChat login');
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
      const {
        rows: [inserted],
      } = await database.pool.query<OrderRow>(
        `INSERT INTO payment_orders (out_trade_no, customer_id, account_id, channel, purpose, receivable_ids, amount_fen, idempotency_key, request_digest, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (customer_id, idempotency_key) DO NOTHING RETURNING *`,
        [
          newOutTradeNo(now),
          customerId,
          input.accountId,
          input.channel,
          input.purpose,
          receivableIds,
          amountFen,
          idempotencyKey,
          digest,
          new Date(now.getTime() + deps.settings.orderTtlMinutes * 60_000),
          now,
        ],
      );
      // A concurrent twin inserted first: answer as a replay.
      if (!inserted) return this.createOrder(customerId, idempotencyKey, input, context);
      const row = await launch(inserted, { openid: customer.wechat_openid ?? undefined, clientIp: context.clientIp, returnUrl: input.returnUrl });
      return { order: presentOrder(row), created: true };
    },

    async getOrder(customerId: number, orderId: number): Promise<PaymentOrder> {
      const {
        rows: [row],
      } = await database.pool.query<OrderRow>('SELECT * FROM payment_orders WHERE id = $1 AND customer_id = $2', [orderId, customerId]);
      if (!row) throw notFound('Payment');
      if (row.state !== 'PAYING') return presentOrder(row);
      // The result page polls this: ask the gateway rather than wait for the notification.
      await reconcile(row).catch((err: Error) => log.warn({ err: { message: err.message }, outTradeNo: row.out_trade_no }, 'payment query failed'));
      return presentOrder((await findOrder(database.pool, row.out_trade_no))!);
    },

    /** The customer left the cashier unpaid: close the order at the gateway and here, unless the gateway says it was paid. */
    async closeOrder(customerId: number, orderId: number): Promise<PaymentOrder> {
      const {
        rows: [row],
      } = await database.pool.query<OrderRow>('SELECT * FROM payment_orders WHERE id = $1 AND customer_id = $2', [orderId, customerId]);
      if (!row) throw notFound('Payment');
      if (row.state === 'CREATED' || row.state === 'PAYING') await reconcile(row, true);
      return presentOrder((await findOrder(database.pool, row.out_trade_no))!);
    },

    /** The customer's payment history: the last 50 orders, each paid one with its receipt. */
    listOrders: (customerId: number) => paymentHistory(database.pool, customerId),

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
      const { rows } = await database.pool.query<OrderRow>(
        `SELECT * FROM payment_orders WHERE state IN ('CREATED', 'PAYING') AND created_at <= $1 ORDER BY created_at LIMIT $2`,
        [new Date(clock.now().getTime() - deps.settings.queryAfterSeconds * 1000), limit],
      );
      let failed = 0;
      for (const row of rows) {
        try {
          await reconcile(row);
        } catch (err) {
          failed += 1;
          log.warn({ err: { message: (err as Error).message }, outTradeNo: row.out_trade_no }, 'payment sweep: order left for the next pass');
        }
      }
      const refundSweep = await refunds.sweep(limit);
      return { checked: rows.length + refundSweep.checked, failed: failed + refundSweep.failed };
    },

    refund: refunds.request,

    async listReviews() {
      const [{ rows: reviews }, { rows: flagged }] = await Promise.all([
        database.pool.query<{ id: number; channel: string; out_trade_no: string | null; problem: string; detail: unknown; received_at: Date }>(
          'SELECT * FROM payment_reviews WHERE NOT resolved ORDER BY id DESC LIMIT 200',
        ),
        database.pool.query<{ id: number; out_trade_no: string; flag: string; amount_fen: number }>(
          'SELECT id, out_trade_no, flag, amount_fen FROM payment_orders WHERE flag IS NOT NULL ORDER BY id DESC LIMIT 200',
        ),
      ]);
      return {
        reviews: reviews.map((row) => ({
          id: row.id,
          channel: row.channel,
          outTradeNo: row.out_trade_no,
          problem: row.problem,
          detail: row.detail,
          receivedAt: row.received_at.toISOString(),
        })),
        flagged: flagged.map((row) => ({ orderId: row.id, outTradeNo: row.out_trade_no, flag: row.flag, amountFen: row.amount_fen })),
      };
    },
  };
}

export type Payments = ReturnType<typeof createPayments>;
