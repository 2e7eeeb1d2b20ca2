import type { ElectronicReceipt } from '../../shared/contracts/payments';

/** A paid WeChat order's receipt: two bill months, one with a late fee. */
export const sampleReceipt = (fields: Partial<ElectronicReceipt> = {}): ElectronicReceipt => ({
  receiptNo: 'R20261207094512ABCDEF1234',
  orderId: 9,
  outTradeNo: 'P20261207094512ABCDEF1234',
  payee: '江南示范供电公司',
  paidAt: '2026-12-07T01:45:12.000Z',
  channel: 'wechat_h5',
  channelName: '微信支付',
  gatewayTradeNo: '4200002026120712345678',
  purpose: 'bills',
  account: { accountNo: '3301000001', holderNameMasked: '张*', addressMasked: '杭州市西湖区****' },
  bills: [
    { month: '2026-10', principalFen: 15_300, lateFeeFen: 54, amountFen: 15_354 },
    { month: '2026-11', principalFen: 1_000, lateFeeFen: 0, amountFen: 1_000 },
  ],
  prepaymentFen: 0,
  totalFen: 16_354,
  totalInWords: '壹佰陆拾叁元伍角肆分',
  refund: null,
  ...fields,
});
