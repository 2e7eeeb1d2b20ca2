import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { payerOwing, payJsapi, postRaw, startOrder, wechatNotification } from '../support/payments';

// Online payments end to end against the mock gateways: orders, the gateway's own notifications,
// and notifications a forger or a confused gateway might send.
let app: TestApp;
const pool = () => app.runtime.deps.database.pool;
const orderRow = async (outTradeNo: string) =>
  (await pool().query('SELECT state, flag, gateway_trade_no FROM payment_orders WHERE out_trade_no = $1', [outTradeNo])).rows[0];
const receivables = async (accountId: number) =>
  (
    await pool().query('SELECT principal_paid_fen, late_fee_paid_fen, settled_at IS NOT NULL AS settled FROM receivables WHERE account_id = $1 ORDER BY id', [
      accountId,
    ])
  ).rows;
const counts = async (outTradeNo: string) =>
  (
    await pool().query(
      `SELECT (SELECT count(*) FROM payment_receipts r JOIN payment_orders o ON o.id = r.order_id WHERE o.out_trade_no = $1)::int AS receipts,
            (SELECT count(*) FROM payment_allocations WHERE ref = 'wechatpay:' || $1)::int AS allocations,
            (SELECT count(*) FROM payment_reviews WHERE out_trade_no = $1)::int AS reviews`,
      [outTradeNo],
    )
  ).rows[0];

beforeAll(async () => {
  app = await startTestApp();
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
});
afterAll(() => app?.stop());

describe('creating an order', () => {
  it('computes the amount from the chosen bills, replays the same Idempotency-Key, and refuses the key for another body', async () => {
    const payer = await payerOwing(app, [
      { month: '2025-01', principalFen: 1_000, lateFeeMillifen: 50_400 },
      { month: '2025-02', principalFen: 2_000 },
    ]);
    const body = { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi', receivableIds: [payer.receivableIds[0]] };
    const first = await app.request('POST', '/api/payments', { headers: { ...payer.auth, 'Idempotency-Key': 'order-key-0001' }, body });
    expect(first.status).toBe(201);
    expect(first.body.order).toMatchObject({ amountFen: 1_050, state: 'PAYING', purpose: 'bills', receivableIds: [payer.receivableIds[0]] });
    expect(first.body.order.launch.kind).toBe('requestPayment');
    expect(first.body.order.launch.params.package).toMatch(/^prepay_id=/);

    const again = await app.request('POST', '/api/payments', { headers: { ...payer.auth, 'Idempotency-Key': 'order-key-0001' }, body });
    expect(again.status).toBe(200);
    expect(again.body.order.id).toBe(first.body.order.id);

    const other = await app.request('POST', '/api/payments', {
      headers: { ...payer.auth, 'Idempotency-Key': 'order-key-0001' },
      body: { ...body, receivableIds: undefined },
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const noKey = await app.request('POST', '/api/payments', { headers: payer.auth, body });
    expect(noKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it('a gateway error leaves the order CREATED; the same Idempotency-Key asks the gateway again and gets it paying', async () => {
    const payer = await payerOwing(app, [{ month: '2025-06', principalFen: 640 }]);
    const body = { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' };
    await request(app.mocks.url, 'POST', '/wechatpay/_faults', { body: { failNext: 1 } });
    const failed = await app.request('POST', '/api/payments', { headers: { ...payer.auth, 'Idempotency-Key': 'retry-key-0001' }, body });
    expect([failed.status, failed.body.error.code]).toEqual([502, 'PAYMENT_GATEWAY_FAILED']);
    const { rows } = await pool().query('SELECT state, out_trade_no FROM payment_orders WHERE account_id = $1', [payer.accountId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('CREATED');
    const retried = await app.request('POST', '/api/payments', { headers: { ...payer.auth, 'Idempotency-Key': 'retry-key-0001' }, body });
    expect(retried.status).toBe(200);
    expect(retried.body.order).toMatchObject({ outTradeNo: rows[0].out_trade_no, state: 'PAYING', amountFen: 640 });
    expect(retried.body.order.launch.kind).toBe('requestPayment');
  });

  it('refuses an account the customer does not hold and an account that owes nothing', async () => {
    const payer = await payerOwing(app, [{ month: '2025-03', principalFen: 500 }]);
    const stranger = await payerOwing(app, []);
    const foreign = await app.request('POST', '/api/payments', {
      headers: { ...stranger.auth, 'Idempotency-Key': 'foreign-key-1' },
      body: { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' },
    });
    expect(foreign.status).toBe(404);
    const nothing = await app.request('POST', '/api/payments', {
      headers: { ...stranger.auth, 'Idempotency-Key': 'nothing-key-1' },
      body: { purpose: 'bills', accountId: stranger.accountId, channel: 'wechat_jsapi' },
    });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('NOTHING_TO_PAY');
    expect(
      (await pool().query('SELECT count(*)::int AS n FROM payment_orders WHERE account_id = ANY($1)', [[payer.accountId, stranger.accountId]])).rows[0].n,
    ).toBe(0);
  });
});

describe('paying through WeChat Pay (JSAPI)', () => {
  it('the gateway’s notification marks the order PAID once: bills settled, receipt written, customer told', async () => {
    const payer = await payerOwing(app, [
      { month: '2025-01', principalFen: 1_000 },
      { month: '2025-02', principalFen: 2_000 },
    ]);
    // The customer agreed to one payment message in WeChat's dialog.
    const { body: results } = await request(app.mocks.url, 'POST', '/wechat/_subscribe', {
      body: { openid: payer.openid, results: { TPL_PAYMENT_RESULT: 'accept' } },
    });
    expect(
      (
        await app.request('POST', '/api/notifications/wechat-consent', {
          headers: payer.auth,
          body: { results: { TPL_PAYMENT_RESULT: results.TPL_PAYMENT_RESULT } },
        })
      ).status,
    ).toBe(200);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    expect(order.amountFen).toBe(3_000);
    expect((await payJsapi(app, order)).errMsg).toBe('requestPayment:ok');
    await eventually(async () => ((await orderRow(order.outTradeNo))?.state === 'PAID' ? true : undefined));
    expect(await receivables(payer.accountId)).toEqual([
      { principal_paid_fen: 1_000, late_fee_paid_fen: 0, settled: true },
      { principal_paid_fen: 2_000, late_fee_paid_fen: 0, settled: true },
    ]);
    expect(await counts(order.outTradeNo)).toEqual({ receipts: 1, allocations: 1, reviews: 0 });
    const messages = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', '/wechat/_messages');
      const mine = body.messages.filter((message: any) => message.touser === payer.openid);
      return mine.length ? mine : undefined;
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      template_id: 'TPL_PAYMENT_RESULT',
      data: { character_string1: { value: order.outTradeNo }, thing2: { value: '¥30.00' } },
    });
    const shown = await app.request('GET', `/api/payments/${order.id}`, { headers: payer.auth });
    expect(shown.body.order).toMatchObject({ state: 'PAID', amountFen: 3_000 });
    // The history shows the payment with its receipt: what it paid of each bill.
    const history = await app.request('GET', '/api/payments', { headers: payer.auth });
    expect(history.body.payments).toHaveLength(1);
    expect(history.body.payments[0]).toMatchObject({
      id: order.id,
      state: 'PAID',
      receipt: {
        amountFen: 3_000,
        prepaymentFen: 0,
        lines: [
          { month: '2025-01', lateFeeFen: 0, principalFen: 1_000 },
          { month: '2025-02', lateFeeFen: 0, principalFen: 2_000 },
        ],
      },
    });
    // Another customer sees none of it.
    const stranger = await payerOwing(app, [{ month: '2025-01', principalFen: 500 }]);
    expect((await app.request('GET', '/api/payments', { headers: stranger.auth })).body.payments).toEqual([]);
  });

  it('a late CLOSED after SUCCESS leaves the order PAID', async () => {
    const payer = await payerOwing(app, [{ month: '2025-04', principalFen: 800 }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    await payJsapi(app, order);
    await eventually(async () => ((await orderRow(order.outTradeNo))?.state === 'PAID' ? true : undefined));
    const closed = wechatNotification(app, { out_trade_no: order.outTradeNo, total: 800, trade_state: 'CLOSED' });
    expect((await postRaw(app.url, '/api/payments/notify/wechat', closed.body, closed.headers)).status).toBe(204);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAID');
    expect(await counts(order.outTradeNo)).toEqual({ receipts: 1, allocations: 1, reviews: 0 });
  });
});

describe('notifications that must not be applied', () => {
  async function payingOrder(principalFen = 1_200) {
    const payer = await payerOwing(app, [{ month: '2025-05', principalFen }]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    return { payer, order };
  }
  const send = (note: { body: string; headers: Record<string, string> }) => postRaw(app.url, '/api/payments/notify/wechat', note.body, note.headers);

  it('a forged signature is refused and changes nothing', async () => {
    const { order, payer } = await payingOrder();
    const forged = wechatNotification(
      app,
      { out_trade_no: order.outTradeNo, total: order.amountFen },
      { signWith: app.mocks.paymentKeys.wechatPay.merchant.privateKey },
    );
    expect((await send(forged)).status).toBe(401);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAYING');
    expect((await receivables(payer.accountId))[0].settled).toBe(false);
  });

  it('a WECHATPAY/SIGNTEST/ probe is refused', async () => {
    const { order } = await payingOrder();
    expect((await send(wechatNotification(app, { out_trade_no: order.outTradeNo, total: order.amountFen }, { probe: true }))).status).toBe(401);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAYING');
  });

  it('a stale timestamp is refused', async () => {
    const { order } = await payingOrder();
    expect(
      (await send(wechatNotification(app, { out_trade_no: order.outTradeNo, total: order.amountFen }, { at: new Date(Date.now() - 6 * 60_000) }))).status,
    ).toBe(401);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAYING');
  });

  it('a tampered GCM tag is refused', async () => {
    const { order } = await payingOrder();
    expect((await send(wechatNotification(app, { out_trade_no: order.outTradeNo, total: order.amountFen }, { tamperTag: true }))).status).toBe(401);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAYING');
  });

  it('a genuine notification with the wrong amount is set aside for review, acknowledged, and not applied', async () => {
    const { order, payer } = await payingOrder();
    expect((await send(wechatNotification(app, { out_trade_no: order.outTradeNo, total: order.amountFen - 1 }))).status).toBe(204);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAYING');
    expect(await counts(order.outTradeNo)).toEqual({ receipts: 0, allocations: 0, reviews: 1 });
    expect((await receivables(payer.accountId))[0].settled).toBe(false);
    const staff = await import('../support/identity').then((m) => m.staffSession(app));
    const listed = await app.request('GET', '/api/staff/payments/reviews', { headers: staff });
    expect(listed.body.reviews).toContainEqual(expect.objectContaining({ outTradeNo: order.outTradeNo, problem: 'amount_mismatch' }));
  });

  it('a genuine notification for another merchant is set aside for review and not applied', async () => {
    const { order } = await payingOrder();
    expect((await send(wechatNotification(app, { out_trade_no: order.outTradeNo, total: order.amountFen, mchid: '1900000999' }))).status).toBe(204);
    expect((await orderRow(order.outTradeNo)).state).toBe('PAYING');
    expect(await counts(order.outTradeNo)).toEqual({ receipts: 0, allocations: 0, reviews: 1 });
  });
});
