import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { staffSession } from '../support/identity';
import { alipayNotification, payerOwing, payJsapi, postRaw, startOrder } from '../support/payments';

// What the server does on its own: the sweep job (payments.sweep, run by pg-boss every minute) asks
// the gateway about orders still open after PAYMENT_QUERY_AFTER_SECONDS, closes expired ones, and
// follows refunds to completion. The tests run the job's handler directly instead of waiting a minute.
let app: TestApp;
const pool = () => app.runtime.deps.database.pool;
const state = async (id: number) => (await pool().query('SELECT state, flag FROM payment_orders WHERE id = $1', [id])).rows[0];
const sweep = () => app.runtime.deps.payments.sweep();
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  app = await startTestApp({ env: { PAYMENT_QUERY_AFTER_SECONDS: '1', PAYMENT_ORDER_TTL_MINUTES: '1' } });
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
});
afterAll(() => app?.stop());

describe('the sweep job', () => {
  it('recovers a payment whose notification was dropped, by querying the gateway', async () => {
    const payer = await payerOwing(app, [{ month: '2025-01', principalFen: 900 }]);
    await request(app.mocks.url, 'POST', '/wechatpay/_faults', { body: { dropNotifications: 1 } });
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    expect((await payJsapi(app, order)).errMsg).toBe('requestPayment:ok');
    await wait(300);
    expect((await state(order.id)).state).toBe('PAYING');
    await wait(1_000);
    await sweep();
    expect((await state(order.id)).state).toBe('PAID');
    const {
      rows: [receipt],
    } = await pool().query('SELECT via, amount_fen FROM payment_receipts WHERE order_id = $1', [order.id]);
    expect(receipt).toEqual({ via: 'query', amount_fen: 900 });
    const {
      rows: [bill],
    } = await pool().query('SELECT settled_at IS NOT NULL AS settled FROM receivables WHERE account_id = $1', [payer.accountId]);
    expect(bill.settled).toBe(true);
  });

  it('closes an order that expired unpaid, at the gateway and here', async () => {
    const payer = await payerOwing(app, [{ month: '2025-02', principalFen: 700 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    // The order's minute is over: the sweep closes it (the gateway sees the close, so the person can no longer pay).
    await pool().query(`UPDATE payment_orders SET expires_at = now() - interval '1 second', created_at = now() - interval '2 minutes' WHERE id = $1`, [
      order.id,
    ]);
    await sweep();
    expect((await state(order.id)).state).toBe('CLOSED');
    const { body } = await request(app.mocks.url, 'GET', `/wechatpay/_orders?out_trade_no=${order.outTradeNo}`);
    expect(body.orders[0].trade_state).toBe('CLOSED');
    expect((await payJsapi(app, order)).errMsg).not.toBe('requestPayment:ok');
  });

  it('a payment for a bill settled meanwhile becomes prepayment and is flagged', async () => {
    const payer = await payerOwing(app, [{ month: '2025-03', principalFen: 1_100 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    // Paid at a counter in between.
    await app.runtime.deps.database.transaction((tx) =>
      import('../../server/src/modules/billing/allocation').then(({ allocatePayment }) =>
        allocatePayment(tx, { accountId: payer.accountId, amountFen: 1_100, ref: `test:counter:${order.id}` }),
      ),
    );
    expect((await payJsapi(app, order)).errMsg).toBe('requestPayment:ok');
    await eventually(async () => ((await state(order.id)).state === 'PAID' ? true : undefined));
    expect((await state(order.id)).flag).toBe('receivable_already_settled');
    const {
      rows: [balance],
    } = await pool().query('SELECT balance_fen FROM account_balances WHERE account_id = $1', [payer.accountId]);
    expect(balance.balance_fen).toBe(1_100);
    const staff = await staffSession(app);
    const listed = await app.request('GET', '/api/staff/payments/reviews', { headers: staff });
    expect(listed.body.flagged).toContainEqual({ orderId: order.id, outTradeNo: order.outTradeNo, flag: 'receivable_already_settled', amountFen: 1_100 });
  });
});

describe('Alipay', () => {
  const notify = (note: { body: string; headers: Record<string, string> }) => postRaw(app.url, '/api/payments/notify/alipay', note.body, note.headers);

  it('a wap order gets a cashier URL; its notification is answered `success` and applied once; refund news does not undo it', async () => {
    const payer = await payerOwing(app, [{ month: '2025-04', principalFen: 1_234 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'alipay_wap' });
    expect(order.launch).toMatchObject({ kind: 'redirect' });
    expect(order.launch.url).toContain('alipay.trade.wap.pay');
    const paid = alipayNotification(app, { out_trade_no: order.outTradeNo, total_amount: '12.34' });
    expect(await notify(paid)).toEqual({ status: 200, text: 'success' });
    expect(await notify(paid)).toEqual({ status: 200, text: 'success' });
    expect((await state(order.id)).state).toBe('PAID');
    const refundNews = alipayNotification(app, { out_trade_no: order.outTradeNo, total_amount: '12.34', refund_fee: '12.34', out_biz_no: 'RX1' });
    expect(await notify(refundNews)).toEqual({ status: 200, text: 'success' });
    expect((await state(order.id)).state).toBe('PAID');
    const {
      rows: [tally],
    } = await pool().query(`SELECT count(*)::int AS n FROM payment_allocations WHERE ref = $1 AND reversed_ref IS NULL`, [`alipay:${order.outTradeNo}`]);
    expect(tally.n).toBe(1);
  });

  it('a forged signature is answered `failure`; a genuine notification for another app is set aside and not applied', async () => {
    const payer = await payerOwing(app, [{ month: '2025-05', principalFen: 500 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'alipay_wap' });
    const forged = alipayNotification(app, { out_trade_no: order.outTradeNo, total_amount: '5.00' });
    const tampered = { ...forged, body: forged.body.replace('total_amount=5.00', 'total_amount=0.01') };
    expect((await notify(tampered)).text).toBe('failure');
    const otherApp = alipayNotification(app, { out_trade_no: order.outTradeNo, total_amount: '5.00', app_id: '2021000000000999' });
    expect(await notify(otherApp)).toEqual({ status: 200, text: 'success' });
    expect((await state(order.id)).state).toBe('PAYING');
    const {
      rows: [review],
    } = await pool().query('SELECT problem FROM payment_reviews WHERE out_trade_no = $1', [order.outTradeNo]);
    expect(review.problem).toBe('wrong_app');
  });
});

describe('staff refunds', () => {
  it('refunds a paid order in full, once, and reopens what it paid', async () => {
    const payer = await payerOwing(app, [{ month: '2025-06', principalFen: 600 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    await payJsapi(app, order);
    await eventually(async () => ((await state(order.id)).state === 'PAID' ? true : undefined));
    const staff = await staffSession(app);
    const first = await app.request('POST', `/api/staff/payments/${order.id}/refund`, { headers: staff, body: { reason: '重复缴费' } });
    expect(first.status).toBe(200);
    expect(['REFUNDING', 'REFUNDED']).toContain(first.body.refund.state);
    const again = await app.request('POST', `/api/staff/payments/${order.id}/refund`, { headers: staff, body: { reason: '重复缴费' } });
    expect(again.status).toBe(409);
    // WeChat settles refunds later: the sweep follows it to completion.
    await eventually(async () => {
      await sweep();
      const {
        rows: [refund],
      } = await pool().query('SELECT state FROM payment_refunds WHERE order_id = $1', [order.id]);
      return refund.state === 'REFUNDED' ? true : undefined;
    });
    const {
      rows: [bill],
    } = await pool().query('SELECT principal_paid_fen, settled_at IS NOT NULL AS settled FROM receivables WHERE account_id = $1', [payer.accountId]);
    expect(bill).toEqual({ principal_paid_fen: 0, settled: false });
    const { body } = await request(app.mocks.url, 'GET', `/wechatpay/_orders?out_trade_no=${order.outTradeNo}`);
    expect(body.orders[0].refunds).toHaveLength(1);
  });
});
