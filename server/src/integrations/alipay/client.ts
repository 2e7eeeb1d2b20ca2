import { AlipaySdk } from 'alipay-sdk';
import { fenToYuan, yuanToFen, type Fen } from '../../../../shared/money';
import type { AlipayMerchantKeys } from '../../../../shared/node/payment-keys';
import { parseShanghaiDateTime, shanghaiDateTime } from '../../../../shared/dates';
import { privateKeyObject, publicKeyObject } from '../../../../shared/node/key-objects';

export interface AlipayOptions {
  /** The gateway.do URL (the mock's, or https://openapi.alipay.com/gateway.do). */
  gateway: string;
  appId: string;
  /** The merchant's 2088… partner id: notifications must name it as seller_id. */
  sellerId: string;
  keys: AlipayMerchantKeys;
  timeoutMs?: number;
  now?: () => Date;
}

/** A business refusal (`code` other than 10000) as Alipay words it; the call itself went through. */
export type AlipayResult<T> = { ok: true; data: T } | { ok: false; code: string; msg: string; subCode?: string; subMsg?: string };

export interface AlipayTrade {
  outTradeNo: string;
  tradeNo: string;
  tradeStatus: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';
  totalFen: Fen;
  /** Beijing time `yyyy-MM-dd HH:mm:ss`, once paid. */
  sendPayDate?: string;
  buyerUserId?: string;
}

export interface AlipayRefundOutcome {
  outTradeNo: string;
  tradeNo: string;
  /** 'N' when this out_request_no had already been refunded (no money moved this time). */
  fundChange: 'Y' | 'N';
  /** Everything refunded on the trade so far. */
  refundedFen: Fen;
}

/** A notification that passed the signature and the checks it can make on its own. */
export interface AlipayNotify {
  notifyId: string;
  notifyTime: string;
  tradeStatus: string;
  outTradeNo: string;
  tradeNo: string;
  totalFen: Fen;
  /** Present on refund notifications (a partial refund comes as TRADE_SUCCESS with these). */
  refundFen?: Fen;
  outBizNo?: string;
  gmtPayment?: string;
  fields: Record<string, string>;
}

export type NotifyOutcome = { ok: true; notify: AlipayNotify } | { ok: false; problem: 'bad_signature' | 'wrong_app' | 'wrong_seller' | 'stale' | 'malformed' };

/** Keeps only defined values: the SDK would sign and send `undefined` as the word. */
function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

type Raw = { code: string; msg: string; subCode?: string; subMsg?: string; [key: string]: unknown };

function result<T>(raw: Raw, pick: (data: Raw) => T): AlipayResult<T> {
  if (raw.code === '10000') return { ok: true, data: pick(raw) };
  return { ok: false, code: raw.code, msg: raw.msg, subCode: raw.subCode, subMsg: raw.subMsg };
}

const NOTIFY_WINDOW_MS = 5 * 60_000;

/**
 * Alipay through `alipay-sdk` v4, with its traps handled: answers are signature-checked
 * (`validateSign`), business refusals do not throw and come back as `{ok: false}`, amounts cross in
 * yuan strings converted without floats, undefined values are never handed to the SDK, and
 * notifications are verified with `checkNotifySignV2` (the older check URL-decodes values).
 * HTTP failures and bad signatures throw (the outcome is unknown: query before acting).
 */
export function createAlipayClient(options: AlipayOptions) {
  const now = options.now ?? (() => new Date());
  const sdk = new AlipaySdk({
    appId: options.appId,
    privateKey: options.keys.appPrivateKey,
    alipayPublicKey: options.keys.alipayPublicKey,
    gateway: options.gateway,
    signType: 'RSA2',
    // The SDK re-wraps the key under the header it expects; PKCS#8 keys must say so.
    keyType: options.keys.appPrivateKey.includes('BEGIN RSA PRIVATE KEY') ? 'PKCS1' : 'PKCS8',
    timeout: options.timeoutMs ?? 5000,
  });
  // The SDK keeps the keys as PEM text, parsed again on every signature and check; it only ever
  // hands them to node's crypto, which takes parsed keys too (shared/node/key-objects.ts).
  const keys = sdk.config as unknown as { privateKey: unknown; alipayPublicKey: unknown };
  keys.privateKey = privateKeyObject(sdk.config.privateKey);
  if (sdk.config.alipayPublicKey) keys.alipayPublicKey = publicKeyObject(sdk.config.alipayPublicKey);
  const exec = async (method: string, bizContent: Record<string, unknown>) =>
    (await sdk.exec(method, { bizContent: defined(bizContent) }, { validateSign: true })) as Raw;
  const trade = (raw: Raw): { outTradeNo: string; tradeNo: string } => ({ outTradeNo: String(raw.outTradeNo), tradeNo: String(raw.tradeNo) });

  return {
    /**
     * The mobile cashier (`alipay.trade.wap.pay`) as a signed URL to send the browser to. The buyer
     * returns to `returnUrl` (never proof of payment) or leaves to `quitUrl`.
     */
    wapPayUrl(order: {
      outTradeNo: string;
      totalFen: Fen;
      subject: string;
      notifyUrl: string;
      returnUrl: string;
      quitUrl?: string;
      timeExpire?: Date;
    }): string {
      return sdk.pageExecute('alipay.trade.wap.pay', 'GET', {
        bizContent: defined({
          out_trade_no: order.outTradeNo,
          total_amount: fenToYuan(order.totalFen),
          subject: order.subject,
          product_code: 'QUICK_WAP_WAY',
          quit_url: order.quitUrl,
          time_expire: order.timeExpire ? shanghaiDateTime(order.timeExpire) : undefined,
        }),
        notifyUrl: order.notifyUrl,
        returnUrl: order.returnUrl,
      });
    },

    /** ACQ.TRADE_NOT_EXIST also means "the buyer never opened the cashier". */
    async query(outTradeNo: string): Promise<AlipayResult<AlipayTrade>> {
      return result(await exec('alipay.trade.query', { out_trade_no: outTradeNo }), (raw) => ({
        ...trade(raw),
        tradeStatus: raw.tradeStatus as AlipayTrade['tradeStatus'],
        totalFen: yuanToFen(String(raw.totalAmount)),
        sendPayDate: typeof raw.sendPayDate === 'string' ? raw.sendPayDate : undefined,
        buyerUserId: typeof raw.buyerUserId === 'string' ? raw.buyerUserId : undefined,
      }));
    },

    async close(outTradeNo: string): Promise<AlipayResult<{ outTradeNo: string; tradeNo: string }>> {
      return result(await exec('alipay.trade.close', { out_trade_no: outTradeNo }), trade);
    },

    /** `outRequestNo` is the idempotency key: repeating it moves no more money (`fundChange: 'N'`). */
    async refund(request: { outTradeNo: string; refundFen: Fen; outRequestNo: string; reason?: string }): Promise<AlipayResult<AlipayRefundOutcome>> {
      const raw = await exec('alipay.trade.refund', {
        out_trade_no: request.outTradeNo,
        refund_amount: fenToYuan(request.refundFen),
        out_request_no: request.outRequestNo,
        refund_reason: request.reason,
      });
      return result(raw, (data) => ({ ...trade(data), fundChange: data.fundChange === 'Y' ? 'Y' : 'N', refundedFen: yuanToFen(String(data.refundFee)) }));
    },

    /** A refund that is not found is not an error: `refundFen` is then undefined. */
    async refundQuery(outTradeNo: string, outRequestNo: string): Promise<AlipayResult<{ refundFen?: Fen; status?: string }>> {
      const raw = await exec('alipay.trade.fastpay.refund.query', { out_trade_no: outTradeNo, out_request_no: outRequestNo });
      return result(raw, (data) => ({
        refundFen: typeof data.refundAmount === 'string' ? yuanToFen(data.refundAmount) : undefined,
        status: typeof data.refundStatus === 'string' ? data.refundStatus : undefined,
      }));
    },

    /** Where the day's trade bill (a zip of GBK CSV files) can be fetched for the next 30 seconds. */
    async billDownloadUrl(billDate: string): Promise<AlipayResult<string>> {
      return result(await exec('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: billDate }), (raw) =>
        String(raw.billDownloadUrl),
      );
    },

    /**
     * A notification form, checked: Alipay's signature, our app id and seller id, and a notify_time
     * within five minutes. Amount and order checks against the stored order are the caller's.
     */
    verifyNotify(fields: Record<string, string>): NotifyOutcome {
      if (!sdk.checkNotifySignV2(fields)) return { ok: false, problem: 'bad_signature' };
      if (fields.app_id !== options.appId) return { ok: false, problem: 'wrong_app' };
      if (fields.seller_id !== undefined && fields.seller_id !== options.sellerId) return { ok: false, problem: 'wrong_seller' };
      const sentAt = parseShanghaiDateTime(fields.notify_time ?? '');
      if (sentAt === undefined || Math.abs(now().getTime() - sentAt.getTime()) > NOTIFY_WINDOW_MS) return { ok: false, problem: 'stale' };
      if (!fields.notify_id || !fields.out_trade_no || !fields.trade_no || !fields.trade_status || !fields.total_amount)
        return { ok: false, problem: 'malformed' };
      let totalFen: Fen;
      let refundFen: Fen | undefined;
      try {
        totalFen = yuanToFen(fields.total_amount);
        refundFen = fields.refund_fee === undefined ? undefined : yuanToFen(fields.refund_fee);
      } catch {
        return { ok: false, problem: 'malformed' };
      }
      return {
        ok: true,
        notify: {
          notifyId: fields.notify_id,
          notifyTime: fields.notify_time!,
          tradeStatus: fields.trade_status,
          outTradeNo: fields.out_trade_no,
          tradeNo: fields.trade_no,
          totalFen,
          refundFen,
          outBizNo: fields.out_biz_no,
          gmtPayment: fields.gmt_payment,
          fields,
        },
      };
    },
  };
}

export type AlipayClient = ReturnType<typeof createAlipayClient>;
