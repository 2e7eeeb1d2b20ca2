import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

const Instant = z.iso.datetime({ offset: true });
const OrderParams = z.object({ orderId: z.coerce.number().int().positive() });
const STAFF_PAYMENTS = ['back_office', 'admin'];

/** The largest online payment or top-up one order may carry: ¥50,000. */
export const MAX_ONLINE_PAY_FEN = 5_000_000;

export const PaymentChannel = z.enum(['wechat_jsapi', 'wechat_h5', 'alipay_wap']);
export type PaymentChannel = z.infer<typeof PaymentChannel>;
export const PaymentOrderState = z.enum(['CREATED', 'PAYING', 'PAID', 'CLOSED', 'FAILED']);
export type PaymentOrderState = z.infer<typeof PaymentOrderState>;

export const PaymentLaunch = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('requestPayment'),
      params: z.object({
        appId: z.string(),
        timeStamp: z.string(),
        nonceStr: z.string(),
        package: z.string(),
        signType: z.literal('RSA'),
        paySign: z.string(),
      }),
      demoCashierUrl: z.string().optional().meta({
        description: 'Only against the local mock gateway: post the parameters here (with `action` pay or cancel) instead of calling wx.requestPayment',
      }),
    }),
    z.object({ kind: z.literal('redirect'), url: z.string() }),
  ])
  .meta({ id: 'PaymentLaunch', description: 'wx.requestPayment parameters (mini-program) or a cashier URL to open (H5)' });

export const PaymentOrder = z
  .object({
    id: z.number().int(),
    outTradeNo: z.string(),
    accountId: z.number().int(),
    channel: PaymentChannel,
    purpose: z.enum(['bills', 'top_up']),
    receivableIds: z.array(z.number().int()).nullable(),
    amountFen: z.number().int(),
    state: PaymentOrderState,
    launch: PaymentLaunch.nullable(),
    flag: z.string().nullable(),
    /** CLOSED because the customer left the cashier without paying (not because the order expired). */
    cancelled: z.boolean(),
    expiresAt: Instant,
    paidAt: Instant.nullable(),
    createdAt: Instant,
  })
  .meta({ id: 'PaymentOrder' });
export type PaymentOrder = z.infer<typeof PaymentOrder>;

export const CreatePaymentBody = z.discriminatedUnion('purpose', [
  z.object({
    purpose: z.literal('bills'),
    accountId: z.number().int().positive(),
    channel: PaymentChannel,
    /** Omitted: everything the account owes now. */
    receivableIds: z.array(z.number().int().positive()).min(1).max(60).optional(),
    returnUrl: z.string().max(500).optional(),
  }),
  z.object({
    purpose: z.literal('top_up'),
    accountId: z.number().int().positive(),
    channel: PaymentChannel,
    amountFen: z.number().int().min(1).max(MAX_ONLINE_PAY_FEN),
    returnUrl: z.string().max(500).optional(),
  }),
]);

export const createPayment = defineEndpoint({
  ...routes.createPayment,
  summary:
    'Start an online payment of chosen bills (or all that is due) or a prepaid top-up; the server computes the amount. Send an Idempotency-Key header: a retry returns the same order',
  tag: 'payments',
  auth: 'customer',
  body: CreatePaymentBody,
  response: z.object({ order: PaymentOrder }),
  statuses: {
    201: 'created',
    200: 'already created under this key',
    409: 'nothing to pay, or a bill is no longer open',
    422: 'the key was used for a different request',
    502: 'the gateway refused the order',
  },
});

export const getPayment = defineEndpoint({
  ...routes.getPayment,
  summary: "One of the caller's payment orders; an order still paying is checked with the gateway first",
  tag: 'payments',
  auth: 'customer',
  params: OrderParams,
  response: z.object({ order: PaymentOrder }),
});

export const closePayment = defineEndpoint({
  ...routes.closePayment,
  summary:
    'The customer left the cashier without paying: the gateway is asked first (a payment it took makes the order PAID), otherwise the order is closed there and here. Repeating it changes nothing',
  tag: 'payments',
  auth: 'customer',
  params: OrderParams,
  response: z.object({ order: PaymentOrder }),
  statuses: { 502: 'the gateway did not answer; the order stays open' },
});

export const PaymentReceipt = z
  .object({
    issuedAt: Instant,
    amountFen: z.number().int(),
    /** What went to prepayment (or a prepaid balance) rather than to a bill. */
    prepaymentFen: z.number().int(),
    lines: z.array(z.object({ month: z.string(), lateFeeFen: z.number().int(), principalFen: z.number().int() })),
  })
  .meta({ id: 'PaymentReceipt' });
export type PaymentReceipt = z.infer<typeof PaymentReceipt>;

export const listPayments = defineEndpoint({
  ...routes.listPayments,
  summary: "The caller's payments, newest first (the last 50), each paid one with its receipt: what it paid of each bill and what went to prepayment",
  tag: 'payments',
  auth: 'customer',
  response: z.object({ payments: z.array(PaymentOrder.extend({ receipt: PaymentReceipt.nullable() })) }),
});

const NotifyAck = z.unknown().meta({ description: 'WeChat Pay: 204 with no body; Alipay: the text `success`' });

export const wechatPayNotify = defineEndpoint({
  ...routes.wechatPayNotify,
  summary: 'WeChat Pay v3 notification: signature over the raw body (Wechatpay-* headers), 5-minute window, AES-256-GCM resource; 204 once handled',
  tag: 'payments',
  auth: 'signature',
  response: NotifyAck,
  statuses: { 204: 'handled (applied, a duplicate, or set aside for review)', 401: 'signature, timestamp or resource refused' },
});

export const alipayNotify = defineEndpoint({
  ...routes.alipayNotify,
  summary: 'Alipay asynchronous notification (form): RSA2 signature, app id, seller id, 5-minute window; answered `success` once handled',
  tag: 'payments',
  auth: 'signature',
  response: NotifyAck,
  statuses: { 400: 'refused: answered `failure`' },
});

export const PaymentRefund = z
  .object({
    id: z.number().int(),
    orderId: z.number().int(),
    outRefundNo: z.string(),
    amountFen: z.number().int(),
    state: z.enum(['REFUNDING', 'REFUNDED', 'FAILED']),
    createdAt: Instant,
    completedAt: Instant.nullable(),
  })
  .meta({ id: 'PaymentRefund' });

export const refundPayment = defineEndpoint({
  ...routes.refundPayment,
  summary: 'Refund a paid order in full: the gateway is asked once per refund number, and the allocation is undone when the refund completes',
  tag: 'staff-payments',
  auth: 'staff',
  roles: STAFF_PAYMENTS,
  params: OrderParams,
  body: z.object({ reason: z.string().min(1).max(80) }),
  response: z.object({ refund: PaymentRefund }),
  statuses: { 409: 'not paid, already refunded, or a refund is in progress' },
});

export const listPaymentReviews = defineEndpoint({
  ...routes.listPaymentReviews,
  summary: 'Gateway notifications that verified but did not match their order (amount, merchant, unknown order), and paid orders flagged for attention',
  tag: 'staff-payments',
  auth: 'staff',
  roles: STAFF_PAYMENTS,
  response: z.object({
    reviews: z.array(
      z.object({ id: z.number().int(), channel: z.string(), outTradeNo: z.string().nullable(), problem: z.string(), detail: z.unknown(), receivedAt: Instant }),
    ),
    flagged: z.array(z.object({ orderId: z.number().int(), outTradeNo: z.string(), flag: z.string(), amountFen: z.number().int() })),
  }),
});

/** The printed words for each channel, as the receipt names it. */
export const CHANNEL_NAMES: Record<PaymentChannel, string> = { wechat_jsapi: '微信支付', wechat_h5: '微信支付', alipay_wap: '支付宝' };

export const ElectronicReceipt = z
  .object({
    /** Stable for the order: the order number with R in place of its leading P. */
    receiptNo: z.string(),
    orderId: z.number().int(),
    outTradeNo: z.string(),
    /** The utility that received the money (收款单位). */
    payee: z.string(),
    paidAt: Instant,
    channel: PaymentChannel,
    channelName: z.string(),
    /** The gateway's own transaction number (微信支付单号 / 支付宝交易号). */
    gatewayTradeNo: z.string(),
    purpose: z.enum(['bills', 'top_up']),
    account: z.object({ accountNo: z.string(), holderNameMasked: z.string(), addressMasked: z.string() }),
    /** Each bill month paid: its electricity charge and late fee, oldest first. */
    bills: z.array(z.object({ month: z.string(), principalFen: z.number().int(), lateFeeFen: z.number().int(), amountFen: z.number().int() })),
    /** What went to the prepaid balance or prepayment: the whole of a top-up. */
    prepaymentFen: z.number().int(),
    totalFen: z.number().int(),
    /** The total in capital numerals (大写), printed after 人民币. */
    totalInWords: z.string(),
    /** Set once a refund of the payment has been started or completed: the receipt no longer stands alone. */
    refund: z.enum(['REFUNDING', 'REFUNDED']).nullable(),
  })
  .meta({ id: 'ElectronicReceipt', description: 'The electronic receipt (电子收费凭证) of a paid order' });
export type ElectronicReceipt = z.infer<typeof ElectronicReceipt>;

export const getPaymentReceipt = defineEndpoint({
  ...routes.getPaymentReceipt,
  summary: "The electronic receipt (电子收费凭证) of one of the caller's paid orders: payee, time, channel, account, bill months and amounts",
  tag: 'payments',
  auth: 'customer',
  params: OrderParams,
  response: z.object({ receipt: ElectronicReceipt }),
  statuses: { 404: 'no such order of the caller', 409: 'the order is not paid (PAYMENT_NOT_PAID)' },
});
