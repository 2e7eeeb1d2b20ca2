import { randomBytes, randomInt } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { fenToYuan } from '../../../shared/money';
import type { PaymentKeys } from '../../../shared/node/payment-keys';
import { json, readRaw, selfBase } from '../http';
import {
  badParam,
  notifyFields,
  parseWapPay,
  positiveYuan,
  tradeBillOf,
  tradeView,
  type AlipayRefund,
  type Trade,
  type TradeStatus,
} from '../payments/alipay-trades';
import { AlipayError } from '../payments/alipay-error';
import { rsa2Verify, signContent, signOutgoing, signedResponse } from '../payments/alipay-sign';
import { mountTestControls, NOTIFICATION_KNOBS, planDelivery, sleep, take, type GatewaySettings } from '../payments/knobs';
import { createNotifier, type Notification } from '../payments/notifier';
import { businessDate, compact, dateTime, parseDateTime, startOfDate } from '../payments/shanghai';
import { mountAlipayCashier } from './alipay-cashier';

export type { AlipayRefund, Trade, TradeStatus } from '../payments/alipay-trades';

export interface AlipayPeerOptions {
  appId: string;
  /** The merchant's partner id (2088…), `seller_id` in notifications. */
  sellerId: string;
  keys: PaymentKeys['alipay'];
  /** Multiplies notification retry delays; 1 = real time. */
  timeScale?: number;
  now?: () => Date;
  notifyTimeoutMs?: number;
}

/** After the first attempt: 4 m, 10 m, 10 m, 1 h, 2 h, 6 h, 15 h. */
export const ALIPAY_RETRY_SCHEDULE_MS = [240, 600, 600, 3600, 7200, 21600, 54000].map((seconds) => seconds * 1000);

const missing = (what: string, zh: string) => new AlipayError(`isv.missing-${what}`, zh, '40001', 'Missing Required Arguments');
const invalid = (what: string, zh: string) => new AlipayError(`isv.invalid-${what}`, zh, '40002', 'Invalid Arguments');

const PAGE_METHODS = new Set(['alipay.trade.wap.pay']);
const API_METHODS = new Set([
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query',
  'alipay.data.dataservice.bill.downloadurl.query',
]);
const BILL_LINK_TTL_MS = 30_000;

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');

/**
 * Alipay's open-platform gateway (`/alipay/gateway.do`) as a peer: `alipay.trade.wap.pay` opens
 * the mock cashier (./alipay-cashier), and query, close, refund, refund query and the bill
 * download URL answer as JSON `{method_response, sign}`. Every request's RSA2 signature is checked
 * with the app's public key; every answer, notification and return redirect is signed with
 * Alipay's key. Notifications are form posts retried until the merchant answers `success`. Test
 * controls: `/_faults`, `/_settings`, `/_trades`, `/_notifications`.
 */
export function alipayPeer(options: AlipayPeerOptions): { router: Router; close(): void } {
  const router = new Router({ prefix: '/alipay' });
  const now = options.now ?? (() => new Date());
  const { app, platform } = options.keys;
  const settings: GatewaySettings = { timeScale: options.timeScale ?? 1, billsForToday: false };
  const knobs = {
    failNext: 0,
    systemErrorNext: 0,
    timeoutNext: 0,
    hangMs: 10_000,
    ...Object.fromEntries(NOTIFICATION_KNOBS.map((name) => [name, 0])),
  } as Record<'failNext' | 'systemErrorNext' | 'timeoutNext' | 'hangMs' | (typeof NOTIFICATION_KNOBS)[number], number>;
  const trades = new Map<string, Trade>();
  const byTradeNo = new Map<string, Trade>();
  const byToken = new Map<string, Trade>();
  const bills = new Map<string, { name: string; data: Buffer; expiresAt: number }>();

  const notifier = createNotifier({
    scheduleMs: ALIPAY_RETRY_SCHEDULE_MS,
    // Exactly the seven letters: anything else (even "SUCCESS" or a JSON body) is a failure.
    acknowledged: (status, body) => status === 200 && body === 'success',
    timeScale: () => settings.timeScale,
    timeoutMs: options.notifyTimeoutMs ?? 5000,
    now,
  });

  /** A trade past its deadline closes (Alipay closes unpaid trades when their time is up). */
  function expire(trade: Trade): Trade {
    if (trade.status === 'WAIT_BUYER_PAY' && trade.deadline && now().getTime() > trade.deadline.getTime()) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = trade.deadline;
    }
    return trade;
  }

  function findTrade(biz: Record<string, unknown>): Trade {
    const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : undefined;
    const tradeNo = typeof biz.trade_no === 'string' ? biz.trade_no : undefined;
    if (!outTradeNo && !tradeNo) throw badParam('out_trade_no 和 trade_no 不能同时为空');
    const trade = tradeNo ? byTradeNo.get(tradeNo) : trades.get(outTradeNo!);
    if (!trade || (outTradeNo && trade.outTradeNo !== outTradeNo)) throw new AlipayError('ACQ.TRADE_NOT_EXIST', '交易不存在');
    return expire(trade);
  }

  const refunded = (trade: Trade) => trade.refunds.reduce((sum, refund) => sum + refund.amount, 0);

  // ---- notifications

  function notification(trade: Trade, status: TradeStatus, extra: Record<string, string>): Notification | undefined {
    if (!trade.notifyUrl) return undefined;
    const notifyId = `${compact(now())}${randomBytes(12).toString('hex')}`;
    const fields = notifyFields(trade, status, { notifyId, appId: options.appId, sellerId: options.sellerId }, extra);
    return {
      notificationId: notifyId,
      event: status,
      outTradeNo: trade.outTradeNo,
      url: trade.notifyUrl,
      // Signed afresh per attempt: notify_time is when this attempt was sent.
      build: () => ({
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(signOutgoing({ ...fields, notify_time: dateTime(now()) }, platform.privateKey)).toString(),
      }),
    };
  }

  function notify(trade: Trade, status: TradeStatus, extra: Record<string, string> = {}): void {
    const event = notification(trade, status, extra);
    if (!event) return;
    const stale = () => notification(trade, 'TRADE_CLOSED', { gmt_close: dateTime(now()) })!;
    notifier.send(event, planDelivery(knobs, stale));
  }

  function pay(trade: Trade): 'ok' | 'paid' | 'closed' {
    expire(trade);
    if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED') return 'paid';
    if (trade.status === 'TRADE_CLOSED') return 'closed';
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = now();
    trade.buyerId = `2088${digits(12)}`;
    trade.buyerLogonId = `138****${digits(4)}`;
    notify(trade, 'TRADE_SUCCESS');
    return 'ok';
  }

  // ---- the gateway

  async function readParams(ctx: Context): Promise<Record<string, string>> {
    const params: Record<string, string> = Object.fromEntries(new URLSearchParams(ctx.querystring));
    if (ctx.method === 'POST') for (const [key, value] of new URLSearchParams((await readRaw(ctx)).toString('utf8'))) params[key] = value;
    return params;
  }

  /** The checks every call goes through, in the gateway's order; returns the parsed biz_content. */
  function authenticate(params: Record<string, string>): Record<string, unknown> {
    if (!params.app_id) throw missing('app-id', '缺少AppID参数');
    if (!params.method) throw missing('method', '缺少方法名参数');
    if (!params.sign_type) throw missing('signature-type', '缺少签名类型');
    if (params.sign_type !== 'RSA2') throw invalid('signature-type', '无效的签名类型');
    if (!params.sign) throw missing('signature', '缺少签名参数');
    if (!params.timestamp) throw missing('timestamp', '缺少时间戳参数');
    if (!parseDateTime(params.timestamp)) throw invalid('timestamp', '非法的时间戳参数');
    if (!params.version) throw missing('version', '缺少版本参数');
    if (params.charset && params.charset.toLowerCase() !== 'utf-8') throw invalid('charset', '字符集错误');
    if (params.app_id !== options.appId) throw invalid('app-id', '无效的AppID参数');
    if (!PAGE_METHODS.has(params.method) && !API_METHODS.has(params.method)) throw invalid('method', '不存在的方法名');
    const content = signContent(params);
    if (!rsa2Verify(content, params.sign, app.publicKey)) {
      throw invalid('signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`);
    }
    try {
      const biz = JSON.parse(params.biz_content ?? '{}') as unknown;
      if (typeof biz === 'object' && biz !== null && !Array.isArray(biz)) return biz as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw badParam('biz_content 不是JSON对象');
  }

  function sendJson(ctx: Context, responseKey: string, inner: Record<string, unknown>): void {
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = signedResponse(responseKey, inner, platform.privateKey);
  }

  router.all('/gateway.do', async (ctx) => {
    const params = await readParams(ctx);
    const method = params.method ?? '';
    const known = PAGE_METHODS.has(method) || API_METHODS.has(method);
    const responseKey = known ? `${method.replaceAll('.', '_')}_response` : 'error_response';
    let biz: Record<string, unknown>;
    try {
      biz = authenticate(params);
    } catch (err) {
      if (!(err instanceof AlipayError)) throw err;
      if (PAGE_METHODS.has(method)) return cashier.errorPage(ctx, err);
      return sendJson(ctx, responseKey, err.body);
    }
    if (PAGE_METHODS.has(method)) return cashier.open(ctx, params, biz);

    if (take(knobs, 'failNext')) {
      ctx.status = 502;
      ctx.type = 'text/html';
      ctx.body = '<html><body><h1>502 Bad Gateway</h1></body></html>';
      return;
    }
    let inner: Record<string, unknown>;
    try {
      if (take(knobs, 'systemErrorNext')) throw new AlipayError('isp.unknow-error', '系统繁忙', '20000', 'Service Currently Unavailable');
      inner = { code: '10000', msg: 'Success', ...handle(ctx, method, biz) };
    } catch (err) {
      if (!(err instanceof AlipayError)) throw err;
      inner = err.body;
    }
    // The call took effect but its answer is lost.
    if (take(knobs, 'timeoutNext')) {
      await sleep(knobs.hangMs);
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    sendJson(ctx, responseKey, inner);
  });

  function handle(ctx: Context, method: string, biz: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'alipay.trade.query':
        return tradeView(findTrade(biz));
      case 'alipay.trade.close': {
        const trade = findTrade(biz);
        if (trade.status !== 'WAIT_BUYER_PAY') throw new AlipayError('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        trade.status = 'TRADE_CLOSED';
        trade.closedAt = now();
        return { out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo };
      }
      case 'alipay.trade.refund':
        return refund(biz);
      case 'alipay.trade.fastpay.refund.query': {
        const trade = findTrade(biz);
        const outRequestNo = typeof biz.out_request_no === 'string' && biz.out_request_no ? biz.out_request_no : trade.outTradeNo;
        const found = trade.refunds.find((entry) => entry.outRequestNo === outRequestNo);
        // An unknown refund is not an error: the answer simply has no refund in it.
        if (!found) return {};
        return {
          out_request_no: found.outRequestNo,
          out_trade_no: trade.outTradeNo,
          trade_no: trade.tradeNo,
          total_amount: fenToYuan(trade.total),
          refund_amount: fenToYuan(found.amount),
          refund_status: 'REFUND_SUCCESS',
          gmt_refund_pay: dateTime(found.at),
        };
      }
      default:
        return billUrl(ctx, biz);
    }
  }

  function refund(biz: Record<string, unknown>): Record<string, unknown> {
    const trade = findTrade(biz);
    const amount = positiveYuan(biz.refund_amount, 'refund_amount');
    const outRequestNo = typeof biz.out_request_no === 'string' && biz.out_request_no ? biz.out_request_no : trade.outTradeNo;
    const answer = (fundChange: 'Y' | 'N', at: Date) => ({
      buyer_logon_id: trade.buyerLogonId,
      buyer_user_id: trade.buyerId,
      fund_change: fundChange,
      gmt_refund_pay: dateTime(at),
      out_trade_no: trade.outTradeNo,
      refund_fee: fenToYuan(refunded(trade)),
      send_back_fee: fenToYuan(amount),
      trade_no: trade.tradeNo,
    });
    const earlier = trade.refunds.find((entry) => entry.outRequestNo === outRequestNo);
    if (earlier) {
      // out_request_no is the idempotency key: a repeat changes no money.
      if (earlier.amount !== amount) throw new AlipayError('ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致');
      return answer('N', earlier.at);
    }
    if (trade.status !== 'TRADE_SUCCESS') throw new AlipayError('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (refunded(trade) + amount > trade.total) throw new AlipayError('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const entry: AlipayRefund = { outRequestNo, amount, reason: typeof biz.refund_reason === 'string' ? biz.refund_reason : undefined, at: now() };
    trade.refunds.push(entry);
    const refundFields = {
      refund_fee: fenToYuan(refunded(trade)),
      gmt_refund: `${dateTime(entry.at)}.${String(entry.at.getMilliseconds()).padStart(3, '0')}`,
      out_biz_no: outRequestNo,
    };
    // A full refund closes the trade; a partial one is told as TRADE_SUCCESS with refund fields.
    if (refunded(trade) === trade.total) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = entry.at;
      notify(trade, 'TRADE_CLOSED', { ...refundFields, gmt_close: dateTime(entry.at) });
    } else {
      notify(trade, 'TRADE_SUCCESS', refundFields);
    }
    return answer('Y', entry.at);
  }

  function billUrl(ctx: Context, biz: Record<string, unknown>): Record<string, unknown> {
    if (biz.bill_type !== 'trade' && biz.bill_type !== 'signcustomer')
      throw new AlipayError('isv.invalid-arguments', '参数不合法：bill_type 须为 trade 或 signcustomer');
    const date = typeof biz.bill_date === 'string' ? biz.bill_date : '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !startOfDate(date))
      throw new AlipayError('isv.invalid-arguments', '参数不合法：bill_date 须为 yyyy-MM-dd（本模拟不提供月账单）');
    const today = businessDate(now());
    if (date > today || (date === today && !settings.billsForToday)) throw new AlipayError('isp.bill_not_exist', '账单不存在');
    const file = tradeBillOf(trades.values(), date, options.sellerId, now());
    const token = randomBytes(16).toString('hex');
    bills.set(token, { ...file, expiresAt: now().getTime() + BILL_LINK_TTL_MS });
    const query = new URLSearchParams({
      bizType: String(biz.bill_type),
      userId: options.sellerId,
      fileType: 'csv.zip',
      bizDates: date.replaceAll('-', ''),
      downloadFileName: file.name,
      fileId: digits(12),
      timestamp: String(now().getTime()),
      token,
    });
    return { bill_download_url: `${selfBase(ctx)}/alipay/downloadBillFile.resource?${query}` };
  }

  router.get('/downloadBillFile.resource', (ctx) => {
    const bill = bills.get(typeof ctx.query.token === 'string' ? ctx.query.token : '');
    if (!bill || bill.expiresAt < now().getTime()) {
      ctx.status = 404;
      ctx.type = 'text/html';
      ctx.body = '<html><body>下载链接已失效</body></html>';
      return;
    }
    ctx.type = 'application/octet-stream';
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(bill.name)}`);
    ctx.body = bill.data;
  });

  const cashier = mountAlipayCashier(router, {
    appId: options.appId,
    sellerId: options.sellerId,
    platformPrivateKey: platform.privateKey,
    now,
    open(params, biz) {
      const { outTradeNo, total, subject, deadline, fingerprint } = parseWapPay(biz);
      const known = trades.get(outTradeNo);
      if (known) {
        expire(known);
        if (known.fingerprint !== fingerprint) throw new AlipayError('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
        if (known.status === 'TRADE_SUCCESS' || known.status === 'TRADE_FINISHED') throw new AlipayError('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
        if (known.status === 'TRADE_CLOSED') throw new AlipayError('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
        // Opening the cashier again takes the newest return and notify addresses.
        Object.assign(known, {
          notifyUrl: params.notify_url || known.notifyUrl,
          returnUrl: params.return_url || known.returnUrl,
          quitUrl: (biz.quit_url as string | undefined) ?? known.quitUrl,
        });
        return known;
      }
      const trade: Trade = {
        outTradeNo,
        tradeNo: `${compact(now()).slice(0, 8)}22001${digits(15)}`,
        subject,
        total,
        fingerprint,
        notifyUrl: params.notify_url || undefined,
        returnUrl: params.return_url || undefined,
        quitUrl: typeof biz.quit_url === 'string' ? biz.quit_url : undefined,
        passbackParams: typeof biz.passback_params === 'string' ? biz.passback_params : undefined,
        deadline,
        status: 'WAIT_BUYER_PAY',
        createdAt: now(),
        refunds: [],
        token: randomBytes(16).toString('hex'),
      };
      trades.set(outTradeNo, trade);
      byTradeNo.set(trade.tradeNo, trade);
      byToken.set(trade.token, trade);
      return trade;
    },
    byToken: (token) => {
      const trade = byToken.get(token);
      return trade && expire(trade);
    },
    pay,
  });

  // ---- test controls

  mountTestControls(router, knobs, settings);

  router.get('/_trades', (ctx) => {
    const outTradeNo = typeof ctx.query.out_trade_no === 'string' ? ctx.query.out_trade_no : undefined;
    const list = [...trades.values()].filter((trade) => !outTradeNo || trade.outTradeNo === outTradeNo).map(expire);
    json(ctx, 200, {
      trades: list.map((trade) => ({
        ...tradeView(trade),
        subject: trade.subject,
        notify_url: trade.notifyUrl,
        gmt_create: dateTime(trade.createdAt),
        gmt_close: trade.closedAt ? dateTime(trade.closedAt) : undefined,
        refunds: trade.refunds.map((refund) => ({
          out_request_no: refund.outRequestNo,
          refund_amount: fenToYuan(refund.amount),
          gmt_refund_pay: dateTime(refund.at),
        })),
      })),
    });
  });

  router.get('/_notifications', (ctx) => {
    const outTradeNo = typeof ctx.query.out_trade_no === 'string' ? ctx.query.out_trade_no : undefined;
    json(ctx, 200, { notifications: notifier.records({ outTradeNo }) });
  });

  return { router, close: () => notifier.close() };
}
