import type { AlipayClient } from '../../integrations/alipay/client';
import type { RequestPaymentParams, WechatPayClient, WechatPayTransaction } from '../../integrations/wechatpay/client';
import { AppError } from '../../errors';

/*
 * The two gateways behind one small interface, so the payment service never branches on the
 * gateway: create, query, close, refund, and a notification parsed, verified and normalised.
 * Every outcome a gateway can leave undecided (timeouts, unsigned errors) is "unknown" here and the
 * caller asks again later; nothing is assumed paid or unpaid from a failed call.
 */

export const CHANNELS = ['wechat_jsapi', 'wechat_h5', 'alipay_wap'] as const;
export type Channel = (typeof CHANNELS)[number];
export type GatewayName = 'wechatpay' | 'alipay';
export const gatewayOf = (channel: Channel): GatewayName => (channel === 'alipay_wap' ? 'alipay' : 'wechatpay');
/** The channels each gateway serves: the inverse of `gatewayOf`. */
export const CHANNELS_OF: Record<GatewayName, Channel[]> = { wechatpay: ['wechat_jsapi', 'wechat_h5'], alipay: ['alipay_wap'] };

export interface CreateRequest {
  channel: Channel;
  outTradeNo: string;
  amountFen: number;
  description: string;
  expiresAt: Date;
  notifyUrl: string;
  returnUrl: string;
  openid?: string;
  clientIp?: string;
}

/** What the client does next: call `wx.requestPayment` with these, or open this cashier URL. */
export type Launch = { kind: 'requestPayment'; params: RequestPaymentParams; demoCashierUrl?: string } | { kind: 'redirect'; url: string };

/** The gateway's view of a trade, normalised. */
export type GatewayTrade =
  | { status: 'paid'; tradeNo: string; amountFen: number; appId?: string; merchantId?: string }
  | { status: 'pending' }
  | { status: 'closed' }
  /** The gateway has no such trade (the person never opened the cashier). */
  | { status: 'missing' };

/** A verified notification, normalised; `refund` is refund news, `ignored` needs no action. */
export type GatewayEvent =
  | { kind: 'paid'; outTradeNo: string; tradeNo: string; amountFen: number; appId?: string; merchantId?: string }
  | { kind: 'closed'; outTradeNo: string }
  | { kind: 'refund'; outTradeNo: string; outRefundNo?: string; refundFen?: number; succeeded: boolean }
  | { kind: 'ignored'; outTradeNo?: string; reason: string };

export type ParsedNotification =
  | { ok: true; eventId: string; event: GatewayEvent }
  /** `refused`: not proven to come from the gateway, answer with an error. `mismatch`: it did, but is not ours to apply. */
  | { ok: false; verdict: 'refused' | 'mismatch'; problem: string; outTradeNo?: string; detail?: Record<string, unknown> };

export type RefundOutcome = 'succeeded' | 'processing' | 'failed';

export interface PaymentProvider {
  readonly name: GatewayName;
  create(request: CreateRequest): Promise<Launch>;
  query(outTradeNo: string): Promise<GatewayTrade>;
  /** `paid`: too late, the person paid first (query and apply it). */
  close(outTradeNo: string): Promise<'closed' | 'paid'>;
  refund(request: { outTradeNo: string; outRefundNo: string; refundFen: number; totalFen: number; reason: string }): Promise<RefundOutcome>;
  queryRefund(outTradeNo: string, outRefundNo: string): Promise<RefundOutcome | 'missing'>;
  parseNotification(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): ParsedNotification;
}

const upstream = (gateway: GatewayName, what: string, code: string, message: string) =>
  new AppError('PAYMENT_GATEWAY_FAILED', `${gateway} refused ${what}: ${code}`, { gateway, code, message });

/** A reply that leaves the outcome open (busy, system error, an unverified 5xx): not a refusal, ask again later. */
const undecided = (reply: { status: number; code: string }) =>
  reply.status >= 500 || reply.status === 429 || reply.code === 'SYSTEM_ERROR' || reply.code === 'FREQUENCY_LIMITED';

/**
 * `demoCashierUrl`: set only against the local mock gateway (development keys), where no WeChat
 * client can pay a mock prepay_id; the mini-program confirms there instead of `wx.requestPayment`.
 */
export function wechatPayProvider(client: WechatPayClient, merchant: { appId: string; mchId: string }, demoCashierUrl?: string): PaymentProvider {
  const tradeOf = (data: WechatPayTransaction): GatewayTrade => {
    if (data.trade_state === 'SUCCESS' || data.trade_state === 'REFUND')
      return { status: 'paid', tradeNo: data.transaction_id ?? '', amountFen: data.amount.total, appId: data.appid, merchantId: data.mchid };
    if (data.trade_state === 'CLOSED' || data.trade_state === 'REVOKED' || data.trade_state === 'PAYERROR') return { status: 'closed' };
    return { status: 'pending' };
  };
  return {
    name: 'wechatpay',
    async create(request) {
      const order = {
        outTradeNo: request.outTradeNo,
        description: request.description,
        totalFen: request.amountFen,
        notifyUrl: request.notifyUrl,
        timeExpire: request.expiresAt,
      };
      if (request.channel === 'wechat_jsapi') {
        const reply = await client.createJsapiOrder({ ...order, openid: request.openid! });
        if (!reply.ok && undecided(reply)) throw new Error(`WeChat Pay did not decide the order: ${reply.code}`);
        if (!reply.ok) throw upstream('wechatpay', 'the order', reply.code, reply.message);
        return { kind: 'requestPayment', params: reply.data.requestPayment, ...(demoCashierUrl ? { demoCashierUrl } : {}) };
      }
      const reply = await client.createH5Order({ ...order, payerClientIp: request.clientIp ?? '127.0.0.1' });
      if (!reply.ok && undecided(reply)) throw new Error(`WeChat Pay did not decide the order: ${reply.code}`);
      if (!reply.ok) throw upstream('wechatpay', 'the order', reply.code, reply.message);
      return { kind: 'redirect', url: `${reply.data.h5Url}&redirect_url=${encodeURIComponent(request.returnUrl)}` };
    },
    async query(outTradeNo) {
      const reply = await client.queryByOutTradeNo(outTradeNo);
      if (reply.ok) return tradeOf(reply.data);
      if (reply.code === 'ORDER_NOT_EXIST') return { status: 'missing' };
      throw upstream('wechatpay', 'the query', reply.code, reply.message);
    },
    async close(outTradeNo) {
      const reply = await client.close(outTradeNo);
      if (reply.ok || reply.code === 'ORDER_NOT_EXIST' || reply.code === 'ORDER_CLOSED') return 'closed';
      if (reply.code === 'ORDERPAID') return 'paid';
      throw upstream('wechatpay', 'the close', reply.code, reply.message);
    },
    async refund(request) {
      const reply = await client.refund(request);
      if (!reply.ok) throw upstream('wechatpay', 'the refund', reply.code, reply.message);
      return reply.data.status === 'SUCCESS' ? 'succeeded' : reply.data.status === 'PROCESSING' ? 'processing' : 'failed';
    },
    async queryRefund(_outTradeNo, outRefundNo) {
      const reply = await client.queryRefund(outRefundNo);
      if (!reply.ok) {
        if (reply.code === 'RESOURCE_NOT_EXISTS' || reply.status === 404) return 'missing';
        throw upstream('wechatpay', 'the refund query', reply.code, reply.message);
      }
      return reply.data.status === 'SUCCESS' ? 'succeeded' : reply.data.status === 'PROCESSING' ? 'processing' : 'failed';
    },
    parseNotification(headers, rawBody) {
      const opened = client.openNotification(headers, rawBody);
      if (!opened.ok) return { ok: false, verdict: 'refused', problem: opened.problem };
      const { id, eventType, resource } = opened.notification;
      const outTradeNo = typeof resource.out_trade_no === 'string' ? resource.out_trade_no : undefined;
      if (eventType.startsWith('REFUND.')) {
        const amount = resource.amount as { refund?: number } | undefined;
        return {
          ok: true,
          eventId: id,
          event: {
            kind: 'refund',
            outTradeNo: outTradeNo ?? '',
            outRefundNo: String(resource.out_refund_no ?? ''),
            refundFen: amount?.refund,
            succeeded: resource.refund_status === 'SUCCESS',
          },
        };
      }
      if (!outTradeNo) return { ok: false, verdict: 'mismatch', problem: 'no_out_trade_no', detail: { id, eventType } };
      // The resource names the merchant and app it was paid to: a signed notification for someone else is not ours.
      if (resource.mchid !== merchant.mchId || resource.appid !== merchant.appId) {
        return { ok: false, verdict: 'mismatch', problem: 'wrong_merchant', outTradeNo, detail: { id, mchid: resource.mchid, appid: resource.appid } };
      }
      const trade = tradeOf(resource as unknown as WechatPayTransaction);
      if (trade.status === 'paid') return { ok: true, eventId: id, event: { kind: 'paid', outTradeNo, tradeNo: trade.tradeNo, amountFen: trade.amountFen } };
      if (trade.status === 'closed') return { ok: true, eventId: id, event: { kind: 'closed', outTradeNo } };
      return { ok: true, eventId: id, event: { kind: 'ignored', outTradeNo, reason: String(resource.trade_state) } };
    },
  };
}

export function alipayProvider(client: AlipayClient): PaymentProvider {
  return {
    name: 'alipay',
    async create(request) {
      return {
        kind: 'redirect',
        url: client.wapPayUrl({
          outTradeNo: request.outTradeNo,
          totalFen: request.amountFen,
          subject: request.description,
          notifyUrl: request.notifyUrl,
          returnUrl: request.returnUrl,
          // Leaving the cashier lands on the result page marked cancelled, which closes the order.
          quitUrl: `${request.returnUrl}${request.returnUrl.includes('?') ? '&' : '?'}cancelled=1`,
          timeExpire: request.expiresAt,
        }),
      };
    },
    async query(outTradeNo) {
      const reply = await client.query(outTradeNo);
      if (!reply.ok) {
        if (reply.subCode === 'ACQ.TRADE_NOT_EXIST') return { status: 'missing' };
        throw upstream('alipay', 'the query', reply.subCode ?? reply.code, reply.subMsg ?? reply.msg);
      }
      const trade = reply.data;
      if (trade.tradeStatus === 'TRADE_SUCCESS' || trade.tradeStatus === 'TRADE_FINISHED')
        return { status: 'paid', tradeNo: trade.tradeNo, amountFen: trade.totalFen };
      if (trade.tradeStatus === 'TRADE_CLOSED') return { status: 'closed' };
      return { status: 'pending' };
    },
    async close(outTradeNo) {
      const reply = await client.close(outTradeNo);
      if (reply.ok || reply.subCode === 'ACQ.TRADE_NOT_EXIST') return 'closed';
      if (reply.subCode === 'ACQ.TRADE_STATUS_ERROR') {
        // Closing a paid trade is refused with this code; a closed one too. Ask which.
        const trade = await this.query(outTradeNo);
        return trade.status === 'paid' ? 'paid' : 'closed';
      }
      throw upstream('alipay', 'the close', reply.subCode ?? reply.code, reply.subMsg ?? reply.msg);
    },
    async refund(request) {
      const reply = await client.refund({
        outTradeNo: request.outTradeNo,
        refundFen: request.refundFen,
        outRequestNo: request.outRefundNo,
        reason: request.reason,
      });
      if (!reply.ok) throw upstream('alipay', 'the refund', reply.subCode ?? reply.code, reply.subMsg ?? reply.msg);
      // Alipay refunds synchronously: a 10000 answer means the money went back (fund_change N: already did).
      return 'succeeded';
    },
    async queryRefund(outTradeNo, outRefundNo) {
      const reply = await client.refundQuery(outTradeNo, outRefundNo);
      if (!reply.ok) throw upstream('alipay', 'the refund query', reply.subCode ?? reply.code, reply.subMsg ?? reply.msg);
      if (reply.data.refundFen === undefined) return 'missing';
      return reply.data.status === undefined || reply.data.status === 'REFUND_SUCCESS' ? 'succeeded' : 'processing';
    },
    parseNotification(_headers, rawBody) {
      const fields = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
      const verdict = client.verifyNotify(fields);
      if (!verdict.ok) {
        // Signature and time are proof of origin; app and seller are checked after the signature passed.
        if (verdict.problem === 'wrong_app' || verdict.problem === 'wrong_seller') {
          return {
            ok: false,
            verdict: 'mismatch',
            problem: verdict.problem === 'wrong_app' ? 'wrong_app' : 'wrong_merchant',
            outTradeNo: fields.out_trade_no,
            detail: { app_id: fields.app_id, seller_id: fields.seller_id, notify_id: fields.notify_id },
          };
        }
        return { ok: false, verdict: 'refused', problem: verdict.problem };
      }
      const notify = verdict.notify;
      // A refund is announced as TRADE_SUCCESS (partial) or TRADE_CLOSED (full) carrying refund_fee.
      if (notify.refundFen !== undefined) {
        return {
          ok: true,
          eventId: notify.notifyId,
          event: { kind: 'refund', outTradeNo: notify.outTradeNo, outRefundNo: notify.outBizNo, refundFen: notify.refundFen, succeeded: true },
        };
      }
      if (notify.tradeStatus === 'TRADE_SUCCESS' || notify.tradeStatus === 'TRADE_FINISHED') {
        return {
          ok: true,
          eventId: notify.notifyId,
          event: { kind: 'paid', outTradeNo: notify.outTradeNo, tradeNo: notify.tradeNo, amountFen: notify.totalFen },
        };
      }
      if (notify.tradeStatus === 'TRADE_CLOSED') return { ok: true, eventId: notify.notifyId, event: { kind: 'closed', outTradeNo: notify.outTradeNo } };
      return { ok: true, eventId: notify.notifyId, event: { kind: 'ignored', outTradeNo: notify.outTradeNo, reason: notify.tradeStatus } };
    },
  };
}
