import { fenToYuan, yuanToFen } from '../../../shared/money';
import { AlipayError } from './alipay-error';
import { alipayTradeBill, type BillPayment, type BillRefund } from './bills';
import { dateTime, parseDateTime, startOfDate } from './shanghai';

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';

export interface AlipayRefund {
  outRequestNo: string;
  amount: number;
  reason?: string;
  at: Date;
}

export interface Trade {
  outTradeNo: string;
  tradeNo: string;
  subject: string;
  total: number;
  fingerprint: string;
  notifyUrl?: string;
  returnUrl?: string;
  quitUrl?: string;
  passbackParams?: string;
  deadline?: Date;
  status: TradeStatus;
  createdAt: Date;
  paidAt?: Date;
  closedAt?: Date;
  buyerId?: string;
  buyerLogonId?: string;
  refunds: AlipayRefund[];
  /** The cashier session the page's forms carry. */
  token: string;
}

export const badParam = (detail: string) => new AlipayError('ACQ.INVALID_PARAMETER', `参数无效：${detail}`);

/** A yuan amount Alipay accepts (0.01 to 100,000,000, two decimals at most), in fen. */
export function positiveYuan(value: unknown, field: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') throw badParam(`${field}不能为空`);
  let fen: number;
  try {
    fen = yuanToFen(String(value));
  } catch {
    throw badParam(`${field}格式错误，最多两位小数`);
  }
  if (fen < 1 || fen > 10_000_000_000) throw badParam(`${field}须在 0.01 到 100000000 之间`);
  return fen;
}

/** The business fields of `alipay.trade.wap.pay`, checked; `fingerprint` tells a repeat from a changed order. */
export function parseWapPay(biz: Record<string, unknown>) {
  const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
  if (!/^[0-9A-Za-z_]{1,64}$/.test(outTradeNo)) throw badParam('out_trade_no 须为64位以内的字母、数字或下划线');
  const total = positiveYuan(biz.total_amount, 'total_amount');
  const subject = typeof biz.subject === 'string' ? biz.subject : '';
  if (!subject || [...subject].length > 256) throw badParam('subject 不能为空且不超过256个字符');
  if (biz.product_code !== 'QUICK_WAP_WAY') throw new AlipayError('ACQ.PRODUCT_CODE_ERROR', '产品码错误，手机网站支付须为 QUICK_WAP_WAY');
  let deadline: Date | undefined;
  if (biz.time_expire !== undefined) {
    deadline = typeof biz.time_expire === 'string' ? parseDateTime(biz.time_expire) : undefined;
    if (!deadline) throw badParam('time_expire 须为 yyyy-MM-dd HH:mm:ss');
  }
  return { outTradeNo, total, subject, deadline, fingerprint: JSON.stringify([total, subject]) };
}

/** The fields of a notification about `trade` (before signing); Alipay leaves out those without a value. */
export function notifyFields(
  trade: Trade,
  status: TradeStatus,
  ids: { notifyId: string; appId: string; sellerId: string },
  extra: Record<string, string>,
): Record<string, string> {
  const paid = trade.paidAt ? fenToYuan(trade.total) : '0.00';
  const fields: Record<string, string> = {
    app_id: ids.appId,
    auth_app_id: ids.appId,
    buyer_id: trade.buyerId ?? '',
    buyer_logon_id: trade.buyerLogonId ?? '',
    buyer_pay_amount: paid,
    charset: 'utf-8',
    fund_bill_list: trade.paidAt ? JSON.stringify([{ amount: paid, fundChannel: 'ALIPAYACCOUNT' }]) : '',
    gmt_create: dateTime(trade.createdAt),
    gmt_payment: trade.paidAt ? dateTime(trade.paidAt) : '',
    invoice_amount: paid,
    notify_id: ids.notifyId,
    notify_type: 'trade_status_sync',
    out_trade_no: trade.outTradeNo,
    passback_params: trade.passbackParams ?? '',
    point_amount: '0.00',
    receipt_amount: paid,
    seller_id: ids.sellerId,
    subject: trade.subject,
    total_amount: fenToYuan(trade.total),
    trade_no: trade.tradeNo,
    trade_status: status,
    version: '1.0',
    ...extra,
  };
  for (const key of Object.keys(fields)) if (fields[key] === '') delete fields[key];
  return fields;
}

/** A trade as `alipay.trade.query` shows it. */
export function tradeView(trade: Trade): Record<string, unknown> {
  const paid = trade.paidAt !== undefined;
  return {
    buyer_logon_id: trade.buyerLogonId,
    buyer_pay_amount: paid ? fenToYuan(trade.total) : '0.00',
    buyer_user_id: trade.buyerId,
    invoice_amount: paid ? fenToYuan(trade.total) : '0.00',
    out_trade_no: trade.outTradeNo,
    point_amount: '0.00',
    receipt_amount: paid ? fenToYuan(trade.total) : '0.00',
    send_pay_date: trade.paidAt ? dateTime(trade.paidAt) : undefined,
    total_amount: fenToYuan(trade.total),
    trade_no: trade.tradeNo,
    trade_status: trade.status,
  };
}

/** The day's trade bill: payments and refunds made on a Beijing date. */
export function tradeBillOf(trades: Iterable<Trade>, date: string, pid: string, exportedAt: Date): { name: string; data: Buffer } {
  const from = startOfDate(date)!;
  const to = new Date(from.getTime() + 24 * 3600_000);
  const within = (at: Date | undefined) => at !== undefined && at >= from && at < to;
  const entry = (trade: Trade, at: Date): BillPayment => ({
    at,
    tradeNo: trade.tradeNo,
    outTradeNo: trade.outTradeNo,
    totalFen: trade.total,
    subject: trade.subject,
    buyer: trade.buyerLogonId ?? '',
    tradeType: 'QUICK_WAP_WAY',
    createdAt: trade.createdAt,
  });
  const all = [...trades];
  const payments = all.filter((trade) => within(trade.paidAt)).map((trade) => entry(trade, trade.paidAt!));
  const refunds: BillRefund[] = all.flatMap((trade) =>
    trade.refunds
      .filter((refund) => within(refund.at))
      .map((refund) => ({ ...entry(trade, refund.at), refundNo: trade.tradeNo, outRefundNo: refund.outRequestNo, refundFen: refund.amount })),
  );
  return alipayTradeBill({ date, pid, from, to, exportedAt, payments, refunds });
}
