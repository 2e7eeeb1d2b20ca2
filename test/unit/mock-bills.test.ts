import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { alipayTradeBill, wechatTradeBill } from '../../mock/src/payments/bills';

const at = new Date('2026-03-02T02:03:04Z');
const payment = { at, createdAt: at, tradeNo: 'T1', outTradeNo: 'O1', totalFen: 12_345, subject: '电费 "三月", 户号 1', buyer: 'o_x', tradeType: 'JSAPI' };
const refund = { ...payment, refundNo: 'R1', outRefundNo: 'OR1', refundFen: 100 };

describe('the mock gateways’ bill files, read with ordinary CSV, zip and GBK readers', () => {
  it('WeChat Pay: every field starts with a backtick; free text loses commas, and a quote in it survives a CSV reader', () => {
    const text = wechatTradeBill({ appId: 'wx1', mchId: 'm1', payments: [payment], refunds: [refund] });
    expect(text.endsWith('\r\n')).toBe(true);
    const records = parse(text, { relax_column_count: true }) as string[][];
    expect(records[0]![0]).toBe('交易时间');
    expect(records[1]![9]).toBe('`SUCCESS');
    expect(records[1]![20]).toBe('`电费 "三月"  户号 1');
    expect(records[2]!.slice(9, 10)).toEqual(['`REFUND']);
    expect(records.at(-1)!.slice(0, 3)).toEqual(['`2', '`123.45', '`1.00']);
  });

  it('Alipay: a zip of two GBK files whose table rows sit between # comment lines', () => {
    const bill = alipayTradeBill({ date: '2026-03-02', pid: '2088', from: at, to: at, exportedAt: at, payments: [payment], refunds: [refund] });
    const files = unzipSync(bill.data);
    expect(Object.keys(files).sort()).toEqual(['20880156_20260302_业务明细(汇总).csv', '20880156_20260302_业务明细.csv']);
    const detail = iconv.decode(Buffer.from(files['20880156_20260302_业务明细.csv']!), 'gbk');
    expect(detail.split('\r\n')[0]).toBe('#支付宝业务明细查询');
    const [header, ...rows] = parse(detail, { comment: '#', comment_no_infix: true, relax_column_count: true }) as string[][];
    expect(header!.slice(0, 3)).toEqual(['支付宝交易号', '商户订单号', '业务类型']);
    expect(rows.map((row) => [row[0], row[2], row[3], row[11]])).toEqual([
      ['T1\t', '交易', '电费 "三月"  户号 1', '123.45'],
      ['T1\t', '退款', '电费 "三月"  户号 1', '-1.00'],
    ]);
  });
});
