import { parseRfc3339 } from './shanghai';

/** A WeChat Pay API error reply: HTTP status plus `{code, message, detail?}`. */
export class WechatPayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }

  get body() {
    return { code: this.code, message: this.message, ...(this.detail === undefined ? {} : { detail: this.detail }) };
  }
}

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '转入退款',
};

export interface OrderInput {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  timeExpire?: Date;
  attach?: string;
  notifyUrl: string;
  total: number;
  openid?: string;
  payerClientIp?: string;
  h5Type?: string;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const H5_TYPES = new Set(['Wap', 'iOS', 'Android']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function paramError(field: string, issue: string, value?: unknown): WechatPayError {
  return new WechatPayError(400, 'PARAM_ERROR', `输入源“/body/${field}”${issue}`, { field, location: 'body', ...(value === undefined ? {} : { value }) });
}

function requiredString(body: Record<string, unknown>, field: string, max: number, min = 1): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) throw paramError(field, '必填参数缺失或类型错误');
  const length = [...value].length;
  if (length < min || length > max) throw paramError(field, `长度须在 ${min} 到 ${max} 之间`, value);
  return value;
}

/**
 * The notify URL must be reachable and carry no query string; WeChat requires https, which the
 * mock relaxes only for loopback addresses (where the product's own server listens in tests).
 */
export function checkNotifyUrl(value: unknown, field = 'notify_url'): string {
  if (typeof value !== 'string' || !URL.canParse(value)) throw paramError(field, '不是有效的URL', value);
  const url = new URL(value);
  if (url.search || url.hash) throw paramError(field, '不允许携带查询串', value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw paramError(field, '须为https地址', value);
  return value;
}

/** Checks an order body as the JSAPI or H5 endpoint does; throws PARAM_ERROR naming the field. */
export function parseOrder(body: unknown, tradeType: 'JSAPI' | 'MWEB', now: Date): OrderInput {
  if (!isObject(body)) throw new WechatPayError(400, 'PARAM_ERROR', '请求体格式错误，须为JSON对象');
  const outTradeNo = requiredString(body, 'out_trade_no', 32, 6);
  if (!OUT_TRADE_NO.test(outTradeNo)) throw paramError('out_trade_no', '只能是数字、大小写字母及_-|*', outTradeNo);
  const amount = body.amount;
  if (!isObject(amount) || typeof amount.total !== 'number' || !Number.isInteger(amount.total) || amount.total < 1)
    throw paramError('amount/total', '须为大于0的整数（单位：分）', isObject(amount) ? amount.total : amount);
  if (amount.currency !== undefined && amount.currency !== 'CNY') throw paramError('amount/currency', '仅支持CNY', amount.currency);
  let timeExpire: Date | undefined;
  if (body.time_expire !== undefined) {
    timeExpire = typeof body.time_expire === 'string' ? parseRfc3339(body.time_expire) : undefined;
    if (!timeExpire) throw paramError('time_expire', '须为rfc3339格式，如 2018-06-08T10:34:56+08:00', body.time_expire);
    if (timeExpire.getTime() <= now.getTime()) throw paramError('time_expire', '不能早于当前时间', body.time_expire);
  }
  if (body.attach !== undefined && (typeof body.attach !== 'string' || [...body.attach].length > 128))
    throw paramError('attach', '长度不能超过128', body.attach);
  const input: OrderInput = {
    appid: requiredString(body, 'appid', 32),
    mchid: requiredString(body, 'mchid', 32),
    description: requiredString(body, 'description', 127),
    outTradeNo,
    timeExpire,
    attach: body.attach as string | undefined,
    notifyUrl: checkNotifyUrl(body.notify_url),
    total: amount.total,
  };
  if (tradeType === 'JSAPI') {
    const payer = body.payer;
    if (!isObject(payer) || typeof payer.openid !== 'string' || payer.openid.length === 0 || payer.openid.length > 128)
      throw paramError('payer/openid', '必填参数缺失或类型错误');
    input.openid = payer.openid;
  } else {
    const scene = body.scene_info;
    if (!isObject(scene) || typeof scene.payer_client_ip !== 'string' || !scene.payer_client_ip)
      throw paramError('scene_info/payer_client_ip', '必填参数缺失或类型错误');
    if (!isObject(scene.h5_info) || typeof scene.h5_info.type !== 'string' || !H5_TYPES.has(scene.h5_info.type)) {
      throw paramError('scene_info/h5_info/type', '须为 Wap、iOS 或 Android', isObject(scene.h5_info) ? scene.h5_info.type : undefined);
    }
    input.payerClientIp = scene.payer_client_ip;
    input.h5Type = scene.h5_info.type;
  }
  return input;
}

/** What makes a repeated order call "the same order" (then it is answered again, not refused). */
export function orderFingerprint(input: OrderInput, tradeType: string): string {
  return JSON.stringify([
    tradeType,
    input.appid,
    input.mchid,
    input.description,
    input.attach ?? null,
    input.notifyUrl,
    input.total,
    input.openid ?? null,
    input.timeExpire?.getTime() ?? null,
  ]);
}

export interface RefundInput {
  transactionId?: string;
  outTradeNo?: string;
  outRefundNo: string;
  reason?: string;
  notifyUrl?: string;
  refund: number;
  total: number;
}

export function parseRefund(body: unknown): RefundInput {
  if (!isObject(body)) throw new WechatPayError(400, 'PARAM_ERROR', '请求体格式错误，须为JSON对象');
  const transactionId = typeof body.transaction_id === 'string' && body.transaction_id ? body.transaction_id : undefined;
  const outTradeNo = typeof body.out_trade_no === 'string' && body.out_trade_no ? body.out_trade_no : undefined;
  if (!transactionId && !outTradeNo) throw paramError('out_trade_no', 'transaction_id 与 out_trade_no 须二选一');
  const outRefundNo = requiredString(body, 'out_refund_no', 64);
  if (!OUT_REFUND_NO.test(outRefundNo)) throw paramError('out_refund_no', '只能是数字、大小写字母及_-|*@', outRefundNo);
  const amount = body.amount;
  const positive = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1;
  if (!isObject(amount) || !positive(amount.refund)) throw paramError('amount/refund', '须为大于0的整数（单位：分）');
  if (!positive(amount.total)) throw paramError('amount/total', '须为大于0的整数（单位：分）');
  if (amount.currency !== 'CNY') throw paramError('amount/currency', '必填，仅支持CNY', amount.currency);
  if (body.reason !== undefined && (typeof body.reason !== 'string' || [...body.reason].length > 80)) throw paramError('reason', '长度不能超过80');
  return {
    transactionId,
    outTradeNo,
    outRefundNo,
    reason: body.reason as string | undefined,
    notifyUrl: body.notify_url === undefined ? undefined : checkNotifyUrl(body.notify_url),
    refund: amount.refund as number,
    total: amount.total as number,
  };
}
