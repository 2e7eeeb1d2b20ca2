import { feeOf, wechatTradeBill, type BillPayment, type BillRefund } from './bills';
import { rfc3339, startOfDate } from './shanghai';
import { TRADE_STATE_DESC, type OrderInput, type TradeState } from './wechatpay-orders';

export interface Refund {
  refundId: string;
  outRefundNo: string;
  refund: number;
  total: number;
  reason?: string;
  notifyUrl?: string;
  status: 'PROCESSING' | 'SUCCESS';
  createTime: Date;
  successTime?: Date;
}

export interface Order extends OrderInput {
  tradeType: 'JSAPI' | 'MWEB';
  fingerprint: string;
  prepayId: string;
  prepayIssuedAt: number;
  state: TradeState;
  transactionId?: string;
  successTime?: Date;
  createdAt: Date;
  refunds: Refund[];
}

/** An order as the query API shows it (or as it stood in `state`, for notifications). */
export function transactionView(order: Order, state: TradeState = order.state): Record<string, unknown> {
  const paid = state === 'SUCCESS' || state === 'REFUND';
  return {
    amount: { total: order.total, ...(paid ? { payer_total: order.total } : {}), currency: 'CNY', payer_currency: 'CNY' },
    appid: order.appid,
    mchid: order.mchid,
    out_trade_no: order.outTradeNo,
    ...(order.attach === undefined ? {} : { attach: order.attach }),
    ...(paid
      ? {
          transaction_id: order.transactionId,
          trade_type: order.tradeType,
          bank_type: 'OTHERS',
          success_time: rfc3339(order.successTime!),
          payer: { openid: order.openid },
        }
      : {}),
    promotion_detail: [],
    trade_state: state,
    trade_state_desc: TRADE_STATE_DESC[state],
  };
}

/** A refund as the refund API shows it. */
export function refundView(order: Order, refund: Refund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: order.transactionId,
    out_trade_no: order.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successTime ? { success_time: rfc3339(refund.successTime) } : {}),
    create_time: rfc3339(refund.createTime),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.total,
      refund: refund.refund,
      from: [],
      payer_total: refund.total,
      payer_refund: refund.refund,
      settlement_refund: refund.refund,
      settlement_total: refund.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: feeOf(refund.refund),
    },
    promotion_detail: [],
  };
}

/** The trade bill of a Beijing date: payments that succeeded and refunds that settled on it. */
export function tradeBillOf(orders: Iterable<Order>, date: string, type: 'ALL' | 'SUCCESS' | 'REFUND', ids: { appId: string; mchId: string }): string {
  const from = startOfDate(date)!.getTime();
  const to = from + 24 * 3600_000;
  const within = (at: Date | undefined) => at !== undefined && at.getTime() >= from && at.getTime() < to;
  const entry = (order: Order, at: Date): BillPayment => ({
    at,
    tradeNo: order.transactionId!,
    outTradeNo: order.outTradeNo,
    totalFen: order.total,
    subject: order.description,
    buyer: order.openid!,
    tradeType: order.tradeType,
    attach: order.attach,
    createdAt: order.createdAt,
  });
  const all = [...orders];
  const payments = type === 'REFUND' ? [] : all.filter((order) => within(order.successTime)).map((order) => entry(order, order.successTime!));
  const refundRows: BillRefund[] =
    type === 'SUCCESS'
      ? []
      : all.flatMap((order) =>
          order.refunds
            .filter((refund) => refund.status === 'SUCCESS' && within(refund.successTime))
            .map((refund) => ({ ...entry(order, refund.successTime!), refundNo: refund.refundId, outRefundNo: refund.outRefundNo, refundFen: refund.refund })),
        );
  return wechatTradeBill({ ...ids, payments, refunds: refundRows });
}

/** An order as the test control `GET /_orders` shows it: how it was made, its state and its refunds. */
export function inspectionView(order: Order): Record<string, unknown> {
  return {
    out_trade_no: order.outTradeNo,
    trade_type: order.tradeType,
    prepay_id: order.prepayId,
    notify_url: order.notifyUrl,
    created_at: rfc3339(order.createdAt),
    ...transactionView(order),
    refunds: order.refunds.map((refund) => refundView(order, refund)),
  };
}
