import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import Pay from 'wechatpay-node-v3';
import { callRaw } from '../http';
import type { WechatPayMerchantKeys } from '../../../../shared/node/payment-keys';
import { checkWechatPaySignature, openNotification, type NotificationOutcome, type SignatureProblem } from './verify';
import { shanghaiRfc3339 } from '../../../../shared/dates';
import { privateKeyObject } from '../../../../shared/node/key-objects';

/** The host every URL in the SDK names; requests are re-pointed at `apiBase` on the way out. */
const SDK_HOST = 'https://api.mch.weixin.qq.com';

export interface WechatPayOptions {
  /** Stands in for https://api.mch.weixin.qq.com (the mock's base, or that URL itself). */
  apiBase: string;
  appId: string;
  mchId: string;
  keys: WechatPayMerchantKeys;
  timeoutMs?: number;
  now?: () => Date;
}

/** A reply from WeChat Pay that was signed by it (or a refusal it signed, or an unsigned error status). */
export type WechatPayResult<T> = { ok: true; data: T } | { ok: false; status: number; code: string; message: string };

/** A 2xx reply whose signature did not verify: nothing in it may be acted on. */
export class WechatPaySignatureError extends Error {
  override name = 'WechatPaySignatureError';
  constructor(
    readonly problem: SignatureProblem,
    readonly status: number,
  ) {
    super(`WeChat Pay reply (HTTP ${status}) failed its signature check: ${problem}`);
  }
}

export interface WechatPayTransaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
  trade_state_desc: string;
  success_time?: string;
  attach?: string;
  payer?: { openid?: string };
  amount: { total: number; payer_total?: number; currency: string };
}

export interface WechatPayRefund {
  refund_id: string;
  out_refund_no: string;
  out_trade_no: string;
  transaction_id: string;
  status: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
  success_time?: string;
  amount: { total: number; refund: number; currency: string };
}

/** The parameters `wx.requestPayment` takes, signed by the merchant. */
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface OrderRequest {
  outTradeNo: string;
  description: string;
  totalFen: number;
  notifyUrl: string;
  timeExpire?: Date;
  attach?: string;
}

type SdkOutput = { status: number; data?: unknown; error?: unknown };

/**
 * The SDK's requests, re-pointed at `apiBase`, sent with the exact bytes the SDK signed, and
 * answered only after the reply's signature is checked over the raw bytes (the SDK's own transport
 * returns neither raw bytes nor headers, so replies could not be verified through it).
 */
function transport(options: WechatPayOptions) {
  const now = options.now ?? (() => new Date());
  async function call(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<SdkOutput> {
    if (!url.startsWith(`${SDK_HOST}/`)) throw new Error(`refusing a WeChat Pay request to another host: ${url}`);
    const path = url.slice(SDK_HOST.length);
    // No gzip: the reply must be verified as sent, and node's http does not inflate.
    const { 'Accept-Encoding': _gzip, ...rest } = headers;
    const reply = await callRaw(`${options.apiBase}${path}`, { method, headers: rest, body, timeoutMs: options.timeoutMs ?? 5000 });
    const ok = reply.status >= 200 && reply.status < 300;
    // Bill files are not signed; their SHA1 came signed with the tradebill reply.
    if (ok && path.startsWith('/v3/billdownload/')) return { status: reply.status, data: reply.body };
    const check = checkWechatPaySignature(reply.headers, reply.body, options.keys, now().getTime());
    if (ok && check !== 'ok') throw new WechatPaySignatureError(check, reply.status);
    const text = reply.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (ok) return { status: reply.status, data: parsed };
    // An error whose signature does not verify (a proxy's 502 page, say) keeps only its status.
    return { status: reply.status, error: check === 'ok' ? parsed : undefined };
  }
  return {
    post: (url: string, params: Record<string, unknown>, headers: Record<string, string>) => call('POST', url, headers, JSON.stringify(params)),
    get: (url: string, headers: Record<string, string>) => call('GET', url, headers),
    upload: () => Promise.reject(new Error('uploads are not used')),
  };
}

/** `pick` receives the verified JSON body; its shape is WeChat Pay's, as documented for the call. */
function result<T>(output: SdkOutput, pick: (data: never) => T): WechatPayResult<T> {
  if (output.status >= 200 && output.status < 300) return { ok: true, data: pick(output.data as never) };
  const error = (output.error ?? {}) as { code?: unknown; message?: unknown };
  return {
    ok: false,
    status: output.status,
    code: typeof error.code === 'string' ? error.code : 'UNVERIFIED_ERROR',
    message: typeof error.message === 'string' ? error.message : `HTTP ${output.status}`,
  };
}

/**
 * WeChat Pay v3 through `wechatpay-node-v3`, with its traps worked around: requests go to
 * `apiBase` through our transport (the SDK has no base URL), replies are verified over their raw
 * bytes (the SDK never sees them), non-2xx replies become `{ok: false}` (the SDK does not throw),
 * the bare prepay_id is recovered from the signed payment parameters, and notifications are opened
 * with our own AES-GCM code (the SDK's skips the tag check). The SDK is used for what it does
 * right: building and signing requests and the `wx.requestPayment` parameters.
 */
export function createWechatPayClient(options: WechatPayOptions) {
  const now = options.now ?? (() => new Date());
  const pay = new Pay({
    appid: options.appId,
    mchid: options.mchId,
    // With serial_no given the SDK never parses "publicKey" (meant for the merchant certificate);
    // it only insists that something is there. See docs/decisions.md.
    serial_no: options.keys.merchantSerial,
    publicKey: Buffer.from(options.keys.merchantSerial),
    // A parsed key, not the PEM: the SDK only hands it to node's sign and decrypt, which take either,
    // and parsing the PEM on every signature cost more than the signature (shared/node/key-objects.ts).
    privateKey: privateKeyObject(options.keys.merchantPrivateKey) as unknown as Buffer,
    key: options.keys.apiV3Key,
  });
  pay.createHttp(transport(options));

  const order = (request: OrderRequest) => ({
    description: request.description,
    out_trade_no: request.outTradeNo,
    notify_url: request.notifyUrl,
    amount: { total: request.totalFen, currency: 'CNY' },
    ...(request.timeExpire ? { time_expire: shanghaiRfc3339(request.timeExpire) } : {}),
    ...(request.attach === undefined ? {} : { attach: request.attach }),
  });

  return {
    /** A mini-program (JSAPI) order: the prepay_id and the signed parameters for `wx.requestPayment`. */
    async createJsapiOrder(request: OrderRequest & { openid: string }): Promise<WechatPayResult<{ prepayId: string; requestPayment: RequestPaymentParams }>> {
      const output = await pay.transactions_jsapi({ ...order(request), payer: { openid: request.openid } });
      return result(output, (data: RequestPaymentParams) => ({ prepayId: data.package.slice('prepay_id='.length), requestPayment: data }));
    },

    /** An H5 order for a mobile browser outside WeChat: `h5Url` lives five minutes; append `&redirect_url=`. */
    async createH5Order(request: OrderRequest & { payerClientIp: string }): Promise<WechatPayResult<{ h5Url: string }>> {
      const output = await pay.transactions_h5({
        ...order(request),
        scene_info: { payer_client_ip: request.payerClientIp, h5_info: { type: 'Wap', app_name: '电费缴纳', app_url: '' } },
      });
      return result(output, (data: { h5_url: string }) => ({ h5Url: data.h5_url }));
    },

    async queryByOutTradeNo(outTradeNo: string): Promise<WechatPayResult<WechatPayTransaction>> {
      return result(await pay.query({ out_trade_no: outTradeNo }), (data: WechatPayTransaction) => data);
    },

    async queryByTransactionId(transactionId: string): Promise<WechatPayResult<WechatPayTransaction>> {
      return result(await pay.query({ transaction_id: transactionId }), (data: WechatPayTransaction) => data);
    },

    /** 204 on success; `ORDERPAID` when the person paid first (then query and apply the payment). */
    async close(outTradeNo: string): Promise<WechatPayResult<null>> {
      return result(await pay.close(outTradeNo), () => null);
    },

    /** `outRefundNo` is the idempotency key: the same request returns the same refund. */
    async refund(request: {
      outTradeNo: string;
      outRefundNo: string;
      refundFen: number;
      totalFen: number;
      reason?: string;
      notifyUrl?: string;
    }): Promise<WechatPayResult<WechatPayRefund>> {
      const output = await pay.refunds({
        out_trade_no: request.outTradeNo,
        out_refund_no: request.outRefundNo,
        amount: { refund: request.refundFen, total: request.totalFen, currency: 'CNY' },
        ...(request.reason === undefined ? {} : { reason: request.reason }),
        ...(request.notifyUrl === undefined ? {} : { notify_url: request.notifyUrl }),
      });
      return result(output, (data: WechatPayRefund) => data);
    },

    async queryRefund(outRefundNo: string): Promise<WechatPayResult<WechatPayRefund>> {
      return result((await pay.find_refunds(outRefundNo)) as SdkOutput, (data: WechatPayRefund) => data);
    },

    /** The trade bill of a Beijing date (`YYYY-MM-DD`), downloaded and checked against its signed SHA1. */
    async tradeBill(billDate: string, billType: 'ALL' | 'SUCCESS' | 'REFUND' = 'ALL'): Promise<WechatPayResult<string>> {
      const applied = result(
        await pay.tradebill({ bill_date: billDate, bill_type: billType, tar_type: 'GZIP' }),
        (data: { hash_value: string; download_url: string }) => data,
      );
      if (!applied.ok) return applied;
      const file = (await pay.downloadBill(applied.data.download_url)) as SdkOutput;
      if (!(file.data instanceof Buffer)) return result(file, () => '');
      if (createHash('sha1').update(file.data).digest('hex') !== applied.data.hash_value.toLowerCase())
        throw new Error('WeChat Pay bill does not match its SHA1');
      return { ok: true, data: gunzipSync(file.data).toString('utf8') };
    },

    /** A notification POSTed to the merchant: signature, time window, resource decrypted. */
    openNotification(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): NotificationOutcome {
      return openNotification(headers, rawBody, options.keys, now().getTime());
    },
  };
}

export type WechatPayClient = ReturnType<typeof createWechatPayClient>;
