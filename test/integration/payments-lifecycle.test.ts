import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestApp, type TestApp } from '../support/harness';
import { alipayNotification, payerOwing, payJsapi, postRaw, startOrder, wechatNotification } from '../support/payments';

// An order's whole life as the customer and the gateways see it: cancelled at the cashier, expired,
// and paid after all once it was closed. Against the mock gateways, through the public API.
let app: TestApp;
const pool = () => app.runtime.deps.database.pool;
const getOrder = async (auth: Record<string, string>, id: number) => (await app.request('GET', `/api/payments/${id}`, { headers: auth })).body.order;
const closeOrder = (auth: Record<string, string>, id: number) => app.request('POST', `/api/payments/${id}/close`, { headers: auth });
const applied = async (orderId: number, ref: string) =>
  (
    await pool().query(
      `SELECT (SELECT count(*) FROM payment_receipts WHERE order_id = $1)::int AS receipts,
              (SELECT count(*) FROM payment_allocations WHERE ref = $2)::int AS allocations`,
      [orderId, ref],
    )
  ).rows[0];
const wechatTrade = async (outTradeNo: string) =>
  (await request(app.mocks.url, 'GET', `/wechatpay/_orders?out_trade_no=${outTradeNo}`)).body.orders[0].trade_state;

beforeAll(async () => {
  app = await startTestApp({ env: { PAYMENT_QUERY_AFTER_SECONDS: '1', PAYMENT_ORDER_TTL_MINUTES: '1' } });
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
});
afterAll(() => app?.stop());

describe('an order the customer cancels', () => {
  it('stays open while the gateway says unpaid, is closed at the gateway and here on the customer’s word, and a new order pays', async () => {
    const payer = await payerOwing(app, [{ month: '2025-06', principalFen: 1_300 }]);
    const body = { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' };
    const order = await startOrder(app, payer.auth, body);
    expect((await payJsapi(app, order, 'cancel')).errMsg).toMatch(/cancel/);
    // The result page's query: the gateway says NOTPAY, so the order is still open, not yet closed.
    expect(await getOrder(payer.auth, order.id)).toMatchObject({ state: 'PAYING', cancelled: false });

    const closed = await closeOrder(payer.auth, order.id);
    expect(closed.status).toBe(200);
    expect(closed.body.order).toMatchObject({ state: 'CLOSED', cancelled: true });
    expect(await wechatTrade(order.outTradeNo)).toBe('CLOSED');
    expect((await payJsapi(app, order)).errMsg).not.toBe('requestPayment:ok');
    // Saying it again changes nothing.
    expect((await closeOrder(payer.auth, order.id)).body.order).toMatchObject({ state: 'CLOSED', cancelled: true });
    const history = (await app.request('GET', '/api/payments', { headers: payer.auth })).body.payments;
    expect(history[0]).toMatchObject({ id: order.id, state: 'CLOSED', cancelled: true });

    // 再次支付: a new key makes a new order, which pays the same bill.
    const again = await startOrder(app, payer.auth, body);
    expect(again.id).not.toBe(order.id);
    expect((await payJsapi(app, again)).errMsg).toBe('requestPayment:ok');
    await expect.poll(async () => (await getOrder(payer.auth, again.id)).state, { timeout: 10_000 }).toBe('PAID');
  });

  it('a “cancel” for an order the gateway did take makes it PAID, not CLOSED', async () => {
    const payer = await payerOwing(app, [{ month: '2025-07', principalFen: 600 }]);
    await request(app.mocks.url, 'POST', '/wechatpay/_faults', { body: { dropNotifications: 1 } });
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    expect((await payJsapi(app, order)).errMsg).toBe('requestPayment:ok');
    expect((await closeOrder(payer.auth, order.id)).body.order).toMatchObject({ state: 'PAID', cancelled: false });
    expect(await applied(order.id, `wechatpay:${order.outTradeNo}`)).toEqual({ receipts: 1, allocations: 1 });
  });

  it('an Alipay order left at the cashier is closed at Alipay', async () => {
    const payer = await payerOwing(app, [{ month: '2025-08', principalFen: 450 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'alipay_wap' });
    expect((await closeOrder(payer.auth, order.id)).body.order).toMatchObject({ state: 'CLOSED', cancelled: true });
  });

  it('another customer’s order is not found and not closed', async () => {
    const payer = await payerOwing(app, [{ month: '2025-09', principalFen: 500 }]);
    const stranger = await payerOwing(app, [{ month: '2025-09', principalFen: 500 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    expect((await closeOrder(stranger.auth, order.id)).status).toBe(404);
    expect((await getOrder(payer.auth, order.id)).state).toBe('PAYING');
  });
});

describe('an order that expires', () => {
  it('is closed at the gateway by the sweep and shows as closed, not cancelled', async () => {
    const payer = await payerOwing(app, [{ month: '2025-10', principalFen: 700 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    await pool().query(`UPDATE payment_orders SET expires_at = now() - interval '1 second', created_at = now() - interval '2 minutes' WHERE id = $1`, [
      order.id,
    ]);
    await app.runtime.deps.payments.sweep();
    expect(await getOrder(payer.auth, order.id)).toMatchObject({ state: 'CLOSED', cancelled: false });
    expect(await wechatTrade(order.outTradeNo)).toBe('CLOSED');
  });
});

describe('a success notification after the close', () => {
  it('WeChat: is credited exactly once, however often it arrives', async () => {
    const payer = await payerOwing(app, [{ month: '2025-11', principalFen: 820 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    await closeOrder(payer.auth, order.id);
    const late = wechatNotification(app, { out_trade_no: order.outTradeNo, total: 820, trade_state: 'SUCCESS' });
    for (let i = 0; i < 3; i += 1) expect((await postRaw(app.url, '/api/payments/notify/wechat', late.body, late.headers)).status).toBe(204);
    expect(await getOrder(payer.auth, order.id)).toMatchObject({ state: 'PAID', flag: 'paid_after_closed' });
    expect(await applied(order.id, `wechatpay:${order.outTradeNo}`)).toEqual({ receipts: 1, allocations: 1 });
    const {
      rows: [bill],
    } = await pool().query('SELECT settled_at IS NOT NULL AS settled FROM receivables WHERE account_id = $1', [payer.accountId]);
    expect(bill.settled).toBe(true);
  });

  it('Alipay: is credited exactly once', async () => {
    const payer = await payerOwing(app, [{ month: '2025-12', principalFen: 1_234 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'alipay_wap' });
    await closeOrder(payer.auth, order.id);
    const late = alipayNotification(app, { out_trade_no: order.outTradeNo, total_amount: '12.34' });
    for (let i = 0; i < 2; i += 1) {
      const reply = await postRaw(app.url, '/api/payments/notify/alipay', late.body, late.headers);
      expect(reply.status).toBe(200);
    }
    expect(await getOrder(payer.auth, order.id)).toMatchObject({ state: 'PAID', flag: 'paid_after_closed' });
    expect(await applied(order.id, `alipay:${order.outTradeNo}`)).toEqual({ receipts: 1, allocations: 1 });
  });
});
