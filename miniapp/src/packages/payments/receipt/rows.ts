import type { ElectronicReceipt } from '../../../../../shared/contracts/payments';
import { shanghaiDateTime } from '../../../../../shared/dates';
import { formatFen } from '../../../../../shared/money';

/** One printed line of the receipt: the page and the saved image show the same lines. */
export interface ReceiptRow {
  label: string;
  value: string;
}

/** "2026-12-07 09:45:12", Beijing time. */
export function beijingDateTime(iso: string): string {
  return shanghaiDateTime(new Date(iso));
}

/** Who was paid, when, how, for which account: the head of the receipt. */
export function headRows(receipt: ElectronicReceipt): ReceiptRow[] {
  return [
    { label: '收款单位', value: receipt.payee },
    { label: '凭证号', value: receipt.receiptNo },
    { label: '缴费时间', value: beijingDateTime(receipt.paidAt) },
    { label: '支付方式', value: receipt.channelName },
    { label: '交易单号', value: receipt.gatewayTradeNo },
    { label: '订单号', value: receipt.outTradeNo },
    { label: '户号', value: receipt.account.accountNo },
    { label: '户名', value: receipt.account.holderNameMasked },
    { label: '用电地址', value: receipt.account.addressMasked },
    { label: '缴费项目', value: receipt.purpose === 'top_up' ? '预存电费' : '电费缴纳' },
  ];
}

/** What the money paid: each bill month (with its late fee), then what went to the balance. */
export function itemRows(receipt: ElectronicReceipt): ReceiptRow[] {
  const rows = receipt.bills.map((bill) => ({
    label: bill.month,
    value: `电费 ${formatFen(bill.amountFen)}${bill.lateFeeFen > 0 ? `（含违约金 ${formatFen(bill.lateFeeFen)}）` : ''}`,
  }));
  if (receipt.prepaymentFen > 0) rows.push({ label: receipt.purpose === 'top_up' ? '预存金额' : '转入预存', value: formatFen(receipt.prepaymentFen) });
  return rows;
}

/** The total in figures and in capital numerals, as a receipt prints both. */
export const totalRows = (receipt: ElectronicReceipt): ReceiptRow[] => [
  { label: '合计金额', value: formatFen(receipt.totalFen) },
  { label: '大写金额', value: `人民币${receipt.totalInWords}` },
];

export const RECEIPT_TITLE = '电子收费凭证';
export const RECEIPT_NOTE = '本凭证由网上缴费系统自动生成，证明本笔款项已收讫。';
/** The round mark on the receipt; a refunded payment shows its refund instead. */
export const sealText = (receipt: ElectronicReceipt) => (receipt.refund === 'REFUNDED' ? '已退款' : receipt.refund === 'REFUNDING' ? '退款中' : '电子凭证专用');
