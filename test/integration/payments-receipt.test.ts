import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenToYuan } from '../../shared/money';
import { eventually, manualClock, request, startTestApp, type TestApp } from '../support/harness';
import { staffSession } from '../support/identity';
import { alipayNotification, payerOwing, payJsapi, postRaw, startOrder } from '../support/payments';

// The electronic receipt (电子收费凭证) of an online payment, as the customer's app fetches it:
// only for the payer's own order, only once paid, with everything a printed receipt carries.
// The clock stands still (at the real time, which the mock gateways check order expiry against), so
// the paid time on the receipt is the instant the order was applied.
const clock = manualClock();
let app: TestApp;
let payee: string;
const pool = () => app.runtime.deps.database.pool;
const receiptOf = (auth: Record<string, string>, orderId: number | string) => app.request('GET', `/api/payments/${orderId}/receipt`, { headers: auth });
const paid = (orderId: number) =>
  eventually(async () => {
    const { rows } = await pool().query('SELECT state FROM payment_orders WHERE id = $1', [orderId]);
    return rows[0]?.state === 'PAID' ? true : undefined;
  });
const tradeNo = async (orderId: number) =>
  (await pool().query('SELECT gateway_trade_no FROM payment_orders WHERE id = $1', [orderId])).rows[0].gateway_trade_no;

beforeAll(async () => {
  app = await startTestApp({ clock });
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
  payee = (await app.request('GET', '/api/meta')).body.utility.name;
});
afterAll(() => app?.stop());

describe('the electronic receipt of an online payment', () => {
  it('a payment of two bills: payee, time, WeChat Pay, its transaction number, the masked account and each month with its amount', async () => {
    const payer = await payerOwing(app, [
      { month: '2025-01', principalFen: 1_000, lateFeeMillifen: 50_400 },
      { month: '2025-02', principalFen: 2_000 },
    ]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    expect((await payJsapi(app, order)).errMsg).toBe('requestPayment:ok');
    await paid(order.id);

    const reply = await receiptOf(payer.auth, order.id);
    expect(reply.status).toBe(200);
    const { account_no: accountNo } = (await pool().query('SELECT account_no FROM electricity_accounts WHERE id = $1', [payer.accountId])).rows[0];
    expect(reply.body.receipt).toEqual({
      receiptNo: `R${order.outTradeNo.slice(1)}`,
      orderId: order.id,
      outTradeNo: order.outTradeNo,
      payee,
      paidAt: clock.now().toISOString(),
      channel: 'wechat_jsapi',
      channelName: '微信支付',
      gatewayTradeNo: await tradeNo(order.id),
      purpose: 'bills',
      account: { accountNo, holderNameMasked: '测*户', addressMasked: '杭州市西湖区****' },
      bills: [
        { month: '2025-01', principalFen: 1_000, lateFeeFen: 50, amountFen: 1_050 },
        { month: '2025-02', principalFen: 2_000, lateFeeFen: 0, amountFen: 2_000 },
      ],
      prepaymentFen: 0,
      totalFen: 3_050,
      totalInWords: '叁拾元零伍角',
      refund: null,
    });
    expect(reply.body.receipt.gatewayTradeNo).toMatch(/\S{6,}/);
    // Asked again, it is the same receipt.
    expect((await receiptOf(payer.auth, order.id)).body).toEqual(reply.body);
  });

  it('a prepaid top-up through Alipay: no bill months, the whole amount as the top-up, Alipay’s trade number', async () => {
    const payer = await payerOwing(app, []);
    const order = await startOrder(app, payer.auth, { purpose: 'top_up', accountId: payer.accountId, channel: 'alipay_wap', amountFen: 20_000 });
    const note = alipayNotification(app, { out_trade_no: order.outTradeNo, total_amount: fenToYuan(order.amountFen), trade_no: '2026120722001400001234' });
    expect((await postRaw(app.url, '/api/payments/notify/alipay', note.body, note.headers)).text).toBe('success');

    const { body } = await receiptOf(payer.auth, order.id);
    expect(body.receipt).toMatchObject({
      payee,
      purpose: 'top_up',
      channel: 'alipay_wap',
      channelName: '支付宝',
      gatewayTradeNo: '2026120722001400001234',
      bills: [],
      prepaymentFen: 20_000,
      totalFen: 20_000,
      totalInWords: '贰佰元整',
      refund: null,
    });
  });

  it('is refused for an order not paid yet, for another customer’s order and for none at all; a refund marks it', async () => {
    const payer = await payerOwing(app, [{ month: '2025-03', principalFen: 800 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    const unpaid = await receiptOf(payer.auth, order.id);
    expect([unpaid.status, unpaid.body.error.code]).toEqual([409, 'PAYMENT_NOT_PAID']);

    await payJsapi(app, order);
    await paid(order.id);
    const stranger = await payerOwing(app, []);
    const foreign = await receiptOf(stranger.auth, order.id);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const missing = await receiptOf(payer.auth, 2_000_000_000);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await app.request('GET', `/api/payments/${order.id}/receipt`)).status).toBe(401);

    const staff = await staffSession(app, 'admin');
    const refund = await app.request('POST', `/api/staff/payments/${order.id}/refund`, { headers: staff, body: { reason: '重复缴费' } });
    expect(refund.status).toBe(200);
    const { body } = await receiptOf(payer.auth, order.id);
    expect(['REFUNDING', 'REFUNDED']).toContain(body.receipt.refund);
    expect(body.receipt).toMatchObject({ totalFen: 800, bills: [{ month: '2025-03', amountFen: 800 }] });
  });
});
