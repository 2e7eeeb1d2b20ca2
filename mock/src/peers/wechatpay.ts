import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { PaymentKeys } from '../../../shared/node/payment-keys';
import { json, readRaw, selfBase } from '../http';
import { mountTestControls, NOTIFICATION_KNOBS, planDelivery, sleep, take, type GatewaySettings } from '../payments/knobs';
import { createNotifier, type Notification } from '../payments/notifier';
import { businessDate, compact, rfc3339, startOfDate } from '../payments/shanghai';
import { encryptResource, parseAuthorization, requestMessage, signedHeaders, verifyRsa } from '../payments/wechatpay-crypto';
import { mountWechatPayCashier } from './wechatpay-cashier';
import { WechatPayError, orderFingerprint, parseOrder, parseRefund } from '../payments/wechatpay-orders';
import { inspectionView, refundView, tradeBillOf, transactionView, type Order, type Refund } from '../payments/wechatpay-views';

export type { Order, Refund } from '../payments/wechatpay-views';

export interface WechatPayPeerOptions {
  mchId: string;
  /** The app id orders must carry (the mini-program's). */
  appId: string;
  keys: PaymentKeys['wechatPay'];
  /** Multiplies notification retry delays and the refund settling time; 1 = real time. */
  timeScale?: number;
  now?: () => Date;
  /** How long WeChat waits for the merchant to answer a notification (not scaled). */
  notifyTimeoutMs?: number;
  /** How long a refund stays PROCESSING before it succeeds, at scale 1. */
  refundSettleMs?: number;
}

/** After the first attempt: 15 s, 15 s, 30 s, 3 m, 10 m, 20 m, 30 m ×3, 60 m, 3 h ×3, 6 h ×2. */
export const WECHATPAY_RETRY_SCHEDULE_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map(
  (seconds) => seconds * 1000,
);

/** The host the SDK's URLs name; the mock answers as if it were that host. */
export const WECHATPAY_API_HOST = 'https://api.mch.weixin.qq.com';

const PREFIX = '/wechatpay';
const WINDOW_SECONDS = 300;
const PREPAY_TTL_MS = 2 * 3600_000;
const BILL_LINK_TTL_MS = 5 * 60_000;
const H5_LINK_TTL_MS = 5 * 60_000;

type Reply = { status: number; body?: unknown };

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');

/**
 * WeChat Pay API v3 as a peer, under `/wechatpay` standing for https://api.mch.weixin.qq.com:
 * JSAPI and H5 orders, query by either number, close, refunds and their query, trade bills. Every
 * API call must carry the merchant's signature; every answer and notification is signed with the
 * WeChat Pay public key's private half, and notification resources are sealed with the APIv3 key.
 * The cashier and the mini-program's payment step are in ./wechatpay-cashier; test controls are
 * `/_faults`, `/_settings`, `/_orders` and `/_notifications`.
 */
export function wechatPayPeer(options: WechatPayPeerOptions): { router: Router; close(): void } {
  const router = new Router({ prefix: PREFIX });
  const now = options.now ?? (() => new Date());
  const { merchant, platform, apiV3Key } = options.keys;
  const settings: GatewaySettings = { timeScale: options.timeScale ?? 1, billsForToday: false };
  const knobs = {
    failNext: 0,
    busyNext: 0,
    timeoutNext: 0,
    hangMs: 10_000,
    signTestNext: 0,
    ...Object.fromEntries(NOTIFICATION_KNOBS.map((name) => [name, 0])),
  } as Record<'failNext' | 'busyNext' | 'timeoutNext' | 'hangMs' | 'signTestNext' | (typeof NOTIFICATION_KNOBS)[number], number>;
  const orders = new Map<string, Order>();
  const byTransactionId = new Map<string, Order>();
  const byPrepayId = new Map<string, Order>();
  const refunds = new Map<string, { order: Order; refund: Refund }>();
  const bills = new Map<string, { data: Buffer; expiresAt: number }>();
  /** h5_url `package` → when it was handed out: the link opens the cashier for five minutes. */
  const h5Links = new Map<string, { prepayId: string; issuedAt: number }>();
  const timers = new Set<NodeJS.Timeout>();

  const notifier = createNotifier({
    scheduleMs: WECHATPAY_RETRY_SCHEDULE_MS,
    acknowledged: (status) => status === 200 || status === 204,
    timeScale: () => settings.timeScale,
    timeoutMs: options.notifyTimeoutMs ?? 5000,
    now,
  });

  // ---- signing both ways

  function authenticate(ctx: Context, raw: string): void {
    const auth = parseAuthorization(ctx.get('Authorization'));
    if (!auth)
      throw new WechatPayError(401, 'SIGN_ERROR', 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》', {
        field: 'authorization',
        location: 'header',
      });
    if (auth.mchid !== options.mchId)
      throw new WechatPayError(401, 'SIGN_ERROR', '商户号与签名信息不匹配', { field: 'mchid', location: 'authorization', value: auth.mchid });
    if (auth.serial_no.toUpperCase() !== merchant.serialNo.toUpperCase()) {
      throw new WechatPayError(401, 'SIGN_ERROR', '商户证书序列号有误。请使用签名私钥匹配的证书序列号', {
        field: 'serial_no',
        location: 'authorization',
        value: auth.serial_no,
      });
    }
    if (!/^\d{10}$/.test(auth.timestamp) || Math.abs(now().getTime() / 1000 - Number(auth.timestamp)) > WINDOW_SECONDS) {
      throw new WechatPayError(401, 'SIGN_ERROR', '请求时间戳与微信支付系统时间相差超过5分钟', {
        field: 'timestamp',
        location: 'authorization',
        value: auth.timestamp,
      });
    }
    const url = ctx.originalUrl.slice(PREFIX.length);
    const message = requestMessage(ctx.method, url, auth.timestamp, auth.nonce_str, raw);
    if (!verifyRsa(message, auth.signature, merchant.publicKey)) {
      throw new WechatPayError(401, 'SIGN_ERROR', '签名错误，请检查后再试', {
        detail: { issue: 'sign not match' },
        field: 'signature',
        location: 'authorization',
        sign_information: { method: ctx.method, sign_message_length: Buffer.byteLength(message), truncated_sign_message: `${message.slice(0, 100)}\n`, url },
      });
    }
  }

  function send(ctx: Context, reply: Reply): void {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    ctx.set(signedHeaders(text, platform, now(), take(knobs, 'signTestNext')));
    ctx.set('Request-ID', `08${compact(now())}${randomBytes(10).toString('hex').toUpperCase()}`);
    ctx.status = reply.status;
    if (text) {
      ctx.type = 'application/json';
      ctx.body = text;
    }
  }

  /** One API call: signature, faults, the handler, a signed answer (or none, for the timeout fault). */
  async function api(ctx: Context, handler: (body: unknown) => Reply | Promise<Reply>): Promise<void> {
    const raw = (await readRaw(ctx)).toString('utf8');
    let reply: Reply;
    try {
      authenticate(ctx, raw);
      if (take(knobs, 'failNext')) throw new WechatPayError(500, 'SYSTEM_ERROR', '系统错误，请使用相同参数稍后重新调用');
      if (take(knobs, 'busyNext')) throw new WechatPayError(429, 'FREQUENCY_LIMITED', '请求频率超限，请降低频率后重试');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        throw new WechatPayError(400, 'PARAM_ERROR', '请求体格式错误，不是有效的JSON');
      }
      reply = await handler(body);
    } catch (err) {
      if (!(err instanceof WechatPayError)) throw err;
      reply = { status: err.status, body: err.body };
    }
    // The request took effect but its answer is lost: the caller cannot tell what happened.
    if (take(knobs, 'timeoutNext')) {
      await sleep(knobs.hangMs);
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    send(ctx, reply);
  }

  // ---- notifications

  function notification(
    url: string,
    outTradeNo: string,
    event: string,
    summary: string,
    originalType: string,
    plaintext: Record<string, unknown>,
  ): Notification {
    const id = randomUUID();
    const body = JSON.stringify({
      id,
      create_time: rfc3339(now()),
      resource_type: 'encrypt-resource',
      event_type: event,
      summary,
      resource: encryptResource(JSON.stringify(plaintext), apiV3Key, originalType),
    });
    return {
      notificationId: id,
      event,
      outTradeNo,
      url,
      // The body stays the same on every retry; the signature headers are made afresh.
      build: () => ({ headers: { 'Content-Type': 'application/json', ...signedHeaders(body, platform, now(), take(knobs, 'signTestNext')) }, body }),
    };
  }

  function notifyPaid(order: Order): void {
    const paid = notification(order.notifyUrl, order.outTradeNo, 'TRANSACTION.SUCCESS', '支付成功', 'transaction', transactionView(order, 'SUCCESS'));
    // The out-of-order fault: a CLOSED state of the same order arriving after its SUCCESS.
    notifier.send(
      paid,
      planDelivery(knobs, () =>
        notification(order.notifyUrl, order.outTradeNo, 'TRANSACTION.CLOSED', '订单已关闭', 'transaction', transactionView(order, 'CLOSED')),
      ),
    );
  }

  function settleRefund(order: Order, refund: Refund): void {
    refund.status = 'SUCCESS';
    refund.successTime = now();
    if (!refund.notifyUrl) return;
    const plaintext = {
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      transaction_id: order.transactionId,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_status: 'SUCCESS',
      success_time: rfc3339(refund.successTime),
      user_received_account: '支付用户零钱',
      amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
    };
    const event = notification(refund.notifyUrl, order.outTradeNo, 'REFUND.SUCCESS', '退款成功', 'refund', plaintext);
    notifier.send(event, planDelivery(knobs));
  }

  /** The person paid (cashier page or mini-program): the order succeeds and the merchant is told. */
  function pay(order: Order, openid: string): 'ok' | 'paid' | 'closed' | 'expired' {
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return 'paid';
    if (order.state === 'CLOSED') return 'closed';
    if (order.timeExpire && now().getTime() > order.timeExpire.getTime()) return 'expired';
    order.state = 'SUCCESS';
    order.openid = openid;
    order.successTime = now();
    order.transactionId = `4200${digits(6)}${compact(order.successTime).slice(0, 8)}${digits(10)}`;
    byTransactionId.set(order.transactionId, order);
    notifyPaid(order);
    return 'ok';
  }

  // ---- orders

  function issuePrepay(order: Order): void {
    if (order.prepayId) byPrepayId.delete(order.prepayId);
    order.prepayId = `wx${compact(now())}${randomBytes(11).toString('hex')}`;
    order.prepayIssuedAt = now().getTime();
    byPrepayId.set(order.prepayId, order);
  }

  function placeOrder(ctx: Context, body: unknown, tradeType: 'JSAPI' | 'MWEB'): Reply {
    const input = parseOrder(body, tradeType, now());
    if (input.appid !== options.appId || input.mchid !== options.mchId)
      throw new WechatPayError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配，请检查后再试');
    const fingerprint = orderFingerprint(input, tradeType);
    let order = orders.get(input.outTradeNo);
    if (order) {
      if (order.state === 'SUCCESS' || order.state === 'REFUND') throw new WechatPayError(400, 'ORDERPAID', '该订单已支付');
      if (order.state === 'CLOSED') throw new WechatPayError(400, 'ORDER_CLOSED', '该订单已关闭');
      if (order.fingerprint !== fingerprint) throw new WechatPayError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
      // The same order again: the same prepay_id while it lives, a fresh one after two hours.
      if (now().getTime() - order.prepayIssuedAt > PREPAY_TTL_MS) issuePrepay(order);
    } else {
      order = { ...input, tradeType, fingerprint, prepayId: '', prepayIssuedAt: 0, state: 'NOTPAY', createdAt: now(), refunds: [] };
      issuePrepay(order);
      orders.set(order.outTradeNo, order);
    }
    if (tradeType === 'JSAPI') return { status: 200, body: { prepay_id: order.prepayId } };
    const pkg = digits(10);
    h5Links.set(pkg, { prepayId: order.prepayId, issuedAt: now().getTime() });
    return { status: 200, body: { h5_url: `${selfBase(ctx)}${PREFIX}/cashier/h5?prepay_id=${order.prepayId}&package=${pkg}` } };
  }

  function mchidOf(ctx: Context): void {
    if (ctx.query.mchid !== options.mchId)
      throw new WechatPayError(400, 'PARAM_ERROR', '输入源“/query/mchid”与签名商户号不匹配', { field: 'mchid', location: 'query' });
  }

  router.post('/v3/pay/transactions/jsapi', (ctx) => api(ctx, (body) => placeOrder(ctx, body, 'JSAPI')));
  router.post('/v3/pay/transactions/h5', (ctx) => api(ctx, (body) => placeOrder(ctx, body, 'MWEB')));

  router.get('/v3/pay/transactions/out-trade-no/:no', (ctx) =>
    api(ctx, () => {
      mchidOf(ctx);
      const order = orders.get(ctx.params.no!);
      if (!order) throw new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');
      return { status: 200, body: transactionView(order) };
    }),
  );

  router.get('/v3/pay/transactions/id/:id', (ctx) =>
    api(ctx, () => {
      mchidOf(ctx);
      const order = byTransactionId.get(ctx.params.id!);
      if (!order) throw new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');
      return { status: 200, body: transactionView(order) };
    }),
  );

  router.post('/v3/pay/transactions/out-trade-no/:no/close', (ctx) =>
    api(ctx, (body) => {
      if (typeof body !== 'object' || body === null || (body as { mchid?: unknown }).mchid !== options.mchId) {
        throw new WechatPayError(400, 'PARAM_ERROR', '输入源“/body/mchid”与签名商户号不匹配', { field: 'mchid', location: 'body' });
      }
      const order = orders.get(ctx.params.no!);
      if (!order) throw new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (order.state === 'SUCCESS' || order.state === 'REFUND') throw new WechatPayError(400, 'ORDERPAID', '订单已支付，不能关闭');
      order.state = 'CLOSED';
      return { status: 204 };
    }),
  );

  // ---- refunds

  router.post('/v3/refund/domestic/refunds', (ctx) =>
    api(ctx, (body) => {
      const input = parseRefund(body);
      const order = input.transactionId ? byTransactionId.get(input.transactionId) : orders.get(input.outTradeNo!);
      if (!order || (input.outTradeNo && order.outTradeNo !== input.outTradeNo)) throw new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const known = refunds.get(input.outRefundNo);
      if (known) {
        // out_refund_no is the idempotency key: the same request gets the same refund back.
        if (known.order !== order || known.refund.refund !== input.refund || known.refund.total !== input.total) {
          throw new WechatPayError(400, 'INVALID_REQUEST', '订单金额或退款金额与之前请求不一致，请核实后再试');
        }
        return { status: 200, body: refundView(order, known.refund) };
      }
      if (order.state !== 'SUCCESS' && order.state !== 'REFUND') throw new WechatPayError(400, 'INVALID_REQUEST', '订单未支付，不能退款');
      if (input.total !== order.total) throw new WechatPayError(400, 'INVALID_REQUEST', '订单金额与原订单金额不一致');
      const refunded = order.refunds.reduce((sum, refund) => sum + refund.refund, 0);
      if (refunded + input.refund > order.total) throw new WechatPayError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
      const refund: Refund = {
        refundId: `50${digits(30)}`,
        outRefundNo: input.outRefundNo,
        refund: input.refund,
        total: input.total,
        reason: input.reason,
        notifyUrl: input.notifyUrl,
        status: 'PROCESSING',
        createTime: now(),
      };
      order.refunds.push(refund);
      order.state = 'REFUND';
      refunds.set(refund.outRefundNo, { order, refund });
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          settleRefund(order, refund);
        },
        Math.round((options.refundSettleMs ?? 60_000) * settings.timeScale),
      );
      timer.unref();
      timers.add(timer);
      return { status: 200, body: refundView(order, refund) };
    }),
  );

  router.get('/v3/refund/domestic/refunds/:no', (ctx) =>
    api(ctx, () => {
      const known = refunds.get(ctx.params.no!);
      if (!known) throw new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return { status: 200, body: refundView(known.order, known.refund) };
    }),
  );

  // ---- bills

  router.get('/v3/bill/tradebill', (ctx) =>
    api(ctx, () => {
      const date = typeof ctx.query.bill_date === 'string' ? ctx.query.bill_date : '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !startOfDate(date))
        throw new WechatPayError(400, 'PARAM_ERROR', '输入源“/query/bill_date”须为 YYYY-MM-DD 格式', { field: 'bill_date', location: 'query' });
      const type = typeof ctx.query.bill_type === 'string' ? ctx.query.bill_type : 'ALL';
      if (!['ALL', 'SUCCESS', 'REFUND'].includes(type))
        throw new WechatPayError(400, 'PARAM_ERROR', '输入源“/query/bill_type”须为 ALL、SUCCESS 或 REFUND', { field: 'bill_type', location: 'query' });
      const today = businessDate(now());
      // A day's bill exists once the day is over (the real one after about 10:00 the next day).
      if (date > today || (date === today && !settings.billsForToday)) throw new WechatPayError(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
      const text = Buffer.from(tradeBillOf(orders.values(), date, type as 'ALL' | 'SUCCESS' | 'REFUND', options), 'utf8');
      const gzip = ctx.query.tar_type === 'GZIP';
      const data = gzip ? gzipSync(text) : text;
      const token = randomBytes(24).toString('base64url');
      bills.set(token, { data, expiresAt: now().getTime() + BILL_LINK_TTL_MS });
      return {
        status: 200,
        body: {
          hash_type: 'SHA1',
          hash_value: createHash('sha1').update(data).digest('hex'),
          download_url: `${WECHATPAY_API_HOST}/v3/billdownload/file?token=${token}${gzip ? '&tartype=gzip' : ''}`,
        },
      };
    }),
  );

  // The file itself is not signed: its SHA1 came signed with the tradebill answer.
  router.get('/v3/billdownload/file', async (ctx) => {
    const raw = (await readRaw(ctx)).toString('utf8');
    try {
      authenticate(ctx, raw);
      const bill = bills.get(typeof ctx.query.token === 'string' ? ctx.query.token : '');
      if (!bill || bill.expiresAt < now().getTime()) throw new WechatPayError(400, 'INVALID_REQUEST', '下载链接已失效，请重新申请账单');
      ctx.type = 'application/octet-stream';
      ctx.body = bill.data;
    } catch (err) {
      if (!(err instanceof WechatPayError)) throw err;
      send(ctx, { status: err.status, body: err.body });
    }
  });

  const livePrepay = (prepayId: string) => {
    const order = byPrepayId.get(prepayId);
    return order && now().getTime() - order.prepayIssuedAt <= PREPAY_TTL_MS ? order : undefined;
  };
  mountWechatPayCashier(router, {
    appId: options.appId,
    mchId: options.mchId,
    merchantPublicKey: merchant.publicKey,
    findByPrepayId: livePrepay,
    h5Order: (prepayId, pkg) => {
      const link = h5Links.get(pkg);
      if (!link || link.prepayId !== prepayId) return undefined;
      return now().getTime() - link.issuedAt > H5_LINK_TTL_MS ? 'expired' : livePrepay(prepayId);
    },
    pay,
    newOpenid: () => `o${randomBytes(14).toString('base64url')}`,
  });

  // ---- test controls

  mountTestControls(router, knobs, settings);

  router.get('/_orders', (ctx) => {
    const outTradeNo = typeof ctx.query.out_trade_no === 'string' ? ctx.query.out_trade_no : undefined;
    const list = [...orders.values()].filter((order) => !outTradeNo || order.outTradeNo === outTradeNo);
    json(ctx, 200, {
      orders: list.map(inspectionView),
    });
  });

  router.get('/_notifications', (ctx) => {
    const outTradeNo = typeof ctx.query.out_trade_no === 'string' ? ctx.query.out_trade_no : undefined;
    json(ctx, 200, { notifications: notifier.records({ outTradeNo }) });
  });

  return {
    router,
    close() {
      notifier.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
