import { stringify } from 'csv-stringify/sync';
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { fenToYuan } from '../../../shared/money';
import { dateTime } from './shanghai';

/** Both gateways charge the demo merchant 0.6 %, rounded half up to the fen, per payment and per refund. */
export const FEE_PER_MILLE = 6;
export const feeOf = (fen: number): number => Math.floor((fen * FEE_PER_MILLE) / 1000 + 0.5);

/** Free text goes into a CSV cell as the gateways put it: no field separators or line breaks. */
const cell = (text: string): string => text.replace(/[,\r\n]/g, ' ');

type Line = string | ReadonlyArray<string | number>;

/** A bill file: `#` comment lines as they are, table rows as CSV records (CRLF after each, RFC 4180 quoting). */
const csvFile = (lines: ReadonlyArray<Line>): string =>
  lines.map((line) => (typeof line === 'string' ? `${line}\r\n` : stringify([line], { record_delimiter: 'windows' }))).join('');

const yuan = fenToYuan;
/** WeChat shows fees in yuan with five decimals. */
const yuan5 = (fen: number): string => `${yuan(fen)}000`;

export interface BillPayment {
  at: Date;
  tradeNo: string;
  outTradeNo: string;
  totalFen: number;
  subject: string;
  /** WeChat: openid, Alipay: masked buyer account. */
  buyer: string;
  tradeType: string;
  attach?: string;
  createdAt: Date;
}

export interface BillRefund extends BillPayment {
  refundNo: string;
  outRefundNo: string;
  refundFen: number;
}

/**
 * WeChat Pay's trade bill (bill_type ALL, SUCCESS or REFUND): a CSV whose every field starts with a
 * backtick, amounts in yuan, then a summary header and row.
 */
export function wechatTradeBill(options: { appId: string; mchId: string; payments: BillPayment[]; refunds: BillRefund[] }): string {
  const header =
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
  const row = (fields: string[]) => fields.map((field) => `\`${field}`);
  const common = (entry: BillPayment) => [
    dateTime(entry.at),
    options.appId,
    options.mchId,
    '0',
    '',
    entry.tradeNo,
    entry.outTradeNo,
    entry.buyer,
    entry.tradeType,
  ];
  const lines: Line[] = [header.split(',')];
  let settled = 0;
  let refunded = 0;
  let fees = 0;
  for (const payment of options.payments) {
    const fee = feeOf(payment.totalFen);
    settled += payment.totalFen;
    fees += fee;
    lines.push(
      row([
        ...common(payment),
        'SUCCESS',
        'OTHERS',
        'CNY',
        yuan(payment.totalFen),
        '0.00',
        '0',
        '0',
        '0.00',
        '0.00',
        '',
        '',
        cell(payment.subject),
        cell(payment.attach ?? ''),
        yuan5(fee),
        '0.60%',
        yuan(payment.totalFen),
        '0.00',
        '',
      ]),
    );
  }
  for (const refund of options.refunds) {
    const fee = -feeOf(refund.refundFen);
    refunded += refund.refundFen;
    fees += fee;
    lines.push(
      row([
        ...common(refund),
        'REFUND',
        'OTHERS',
        'CNY',
        '0.00',
        '0.00',
        refund.refundNo,
        refund.outRefundNo,
        yuan(refund.refundFen),
        '0.00',
        'ORIGINAL',
        'SUCCESS',
        cell(refund.subject),
        cell(refund.attach ?? ''),
        yuan5(fee),
        '0.60%',
        '0.00',
        yuan(refund.refundFen),
        '',
      ]),
    );
  }
  lines.push(['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额']);
  lines.push(
    row([String(options.payments.length + options.refunds.length), yuan(settled), yuan(refunded), '0.00', yuan5(fees), yuan(settled), yuan(refunded)]),
  );
  return csvFile(lines);
}

const chineseDate = (at: Date) => {
  const [date, time] = dateTime(at).split(' ') as [string, string];
  const [y, m, d] = date.split('-');
  return `${y}年${m}月${d}日 ${time}`;
};

/**
 * Alipay's trade bill for one day: a zip of two GBK CSV files (details and summary) with `#`
 * comment lines around the table; refunds are rows with negative amounts; ids end with a tab.
 */
export function alipayTradeBill(options: {
  date: string;
  pid: string;
  from: Date;
  to: Date;
  exportedAt: Date;
  payments: BillPayment[];
  refunds: BillRefund[];
}): { name: string; data: Buffer } {
  const day = options.date.replaceAll('-', '');
  const range = `#起始日期：[${chineseDate(options.from)}]   终止日期：[${chineseDate(options.to)}]`;
  const detail: Line[] = [
    '#支付宝业务明细查询',
    `#账号：[${options.pid}0156]`,
    range,
    '#-----------------------------------------业务明细列表----------------------------------------',
    '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注'.split(
      ',',
    ),
  ];
  let income = 0;
  let refunded = 0;
  let fees = 0;
  for (const payment of options.payments) {
    const fee = feeOf(payment.totalFen);
    income += payment.totalFen;
    fees += fee;
    detail.push([
      `${payment.tradeNo}\t`,
      `${payment.outTradeNo}\t`,
      '交易',
      cell(payment.subject),
      dateTime(payment.createdAt),
      dateTime(payment.at),
      '',
      '',
      '',
      '',
      payment.buyer,
      yuan(payment.totalFen),
      yuan(payment.totalFen),
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '',
      '0.00',
      '0.00',
      '',
      yuan(-fee),
      '0.00',
      '',
    ]);
  }
  for (const refund of options.refunds) {
    const fee = feeOf(refund.refundFen);
    refunded += refund.refundFen;
    fees -= fee;
    detail.push([
      `${refund.tradeNo}\t`,
      `${refund.outTradeNo}\t`,
      '退款',
      cell(refund.subject),
      dateTime(refund.createdAt),
      dateTime(refund.at),
      '',
      '',
      '',
      '',
      refund.buyer,
      yuan(-refund.refundFen),
      yuan(-refund.refundFen),
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '',
      '0.00',
      '0.00',
      `${refund.outRefundNo}\t`,
      yuan(fee),
      '0.00',
      '',
    ]);
  }
  const exported = `#导出时间：[${chineseDate(options.exportedAt)}]`;
  detail.push(
    '#-----------------------------------------业务明细列表结束------------------------------------',
    `#交易合计：${options.payments.length}笔，商家实收：${yuan(income)}元，商家优惠：0.00元`,
    `#退款合计：${options.refunds.length}笔，商家实收退款：${yuan(-refunded)}元，商家优惠退款：0.00元`,
    exported,
  );
  const summary: Line[] = [
    '#支付宝业务汇总查询',
    `#账号：[${options.pid}0156]`,
    range,
    '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）'.split(
      ',',
    ),
    [
      '',
      '',
      options.payments.length,
      options.refunds.length,
      yuan(income - refunded),
      yuan(income - refunded),
      '0.00',
      '0.00',
      '0.00',
      yuan(-fees),
      '0.00',
      yuan(income - refunded - fees),
    ],
    [
      '合计',
      '',
      options.payments.length,
      options.refunds.length,
      yuan(income - refunded),
      yuan(income - refunded),
      '0.00',
      '0.00',
      '0.00',
      yuan(-fees),
      '0.00',
      yuan(income - refunded - fees),
    ],
    exported,
  ];
  const base = `${options.pid}0156_${day}`;
  // Names are UTF-8 (fflate sets the flag for them); the files' text is GBK, as Alipay's is.
  const gbk = (lines: Line[]) => iconv.encode(csvFile(lines), 'gbk');
  const mtime = options.exportedAt;
  return {
    name: `${base}.csv.zip`,
    data: Buffer.from(
      zipSync({
        [`${base}_业务明细.csv`]: [gbk(detail), { mtime }],
        [`${base}_业务明细(汇总).csv`]: [gbk(summary), { mtime }],
      }),
    ),
  };
}
