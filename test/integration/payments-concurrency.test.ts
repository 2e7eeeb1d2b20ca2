import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInstances } from '../support/harness';
import { payerOwing, postRaw, startOrder, wechatNotification } from '../support/payments';

// Two server instances on one database, as behind a load balancer: the gateway's duplicates land on both.
let cluster: Awaited<ReturnType<typeof startInstances>>;

beforeAll(async () => {
  cluster = await startInstances(2);
});
afterAll(() => cluster?.stop());

it('50 copies of one notification, sent at once to two instances, apply the payment once', async () => {
  const [first, second] = cluster.apps as [(typeof cluster.apps)[0], (typeof cluster.apps)[0]];
  const payer = await payerOwing(first, [
    { month: '2025-01', principalFen: 1_500, lateFeeMillifen: 30_000 },
    { month: '2025-02', principalFen: 2_500 },
  ]);
  const order = await startOrder(first, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
  expect(order.amountFen).toBe(4_030);
  const note = wechatNotification(first, { out_trade_no: order.outTradeNo, total: order.amountFen, transaction_id: '4200000000000000000001' });
  const replies = await Promise.all(
    Array.from({ length: 50 }, (_, i) => postRaw((i % 2 ? second : first).url, '/api/payments/notify/wechat', note.body, note.headers)),
  );
  expect(replies.map((reply) => reply.status)).toEqual(Array(50).fill(204));

  const pool = first.runtime.deps.database.pool;
  const {
    rows: [order_],
  } = await pool.query('SELECT state FROM payment_orders WHERE id = $1', [order.id]);
  expect(order_.state).toBe('PAID');
  const {
    rows: [tally],
  } = await pool.query(
    `SELECT (SELECT count(*) FROM payment_receipts WHERE order_id = $1)::int AS receipts,
            (SELECT count(*) FROM payment_allocations WHERE ref = $2)::int AS allocations,
            (SELECT coalesce(sum(principal_paid_fen + late_fee_paid_fen), 0) FROM receivables WHERE account_id = $3)::int AS paid,
            (SELECT coalesce(sum(balance_fen), 0) FROM account_balances WHERE account_id = $3)::int AS balance,
            (SELECT count(*) FROM outbox WHERE payload->>'type' = 'payment.paid' AND payload->'data'->>'outTradeNo' = $4)::int AS events`,
    [order.id, `wechatpay:${order.outTradeNo}`, payer.accountId, order.outTradeNo],
  );
  expect(tally).toEqual({ receipts: 1, allocations: 1, paid: 4_030, balance: 0, events: 1 });
});

it('two orders for the same bills, notified at once, are both acknowledged: one pays the bills, the other becomes prepayment', async () => {
  const [first, second] = cluster.apps as [(typeof cluster.apps)[0], (typeof cluster.apps)[0]];
  const pool = first.runtime.deps.database.pool;
  // The race needs both transactions to read the bills before either settles them: ten accounts at once make that likely.
  const cases = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const payer = await payerOwing(first, [
        { month: '2025-03', principalFen: 1_200 },
        { month: '2025-04', principalFen: 800 },
      ]);
      const body = { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' };
      return { payer, orders: [await startOrder(first, payer.auth, body), await startOrder(first, payer.auth, body)] };
    }),
  );
  const replies = await Promise.all(
    cases.flatMap(({ orders }) =>
      orders.flatMap((order) => {
        const note = wechatNotification(first, { out_trade_no: order.outTradeNo, total: order.amountFen });
        return [first, second].map((app) => postRaw(app.url, '/api/payments/notify/wechat', note.body, note.headers));
      }),
    ),
  );
  expect(replies.filter((reply) => reply.status !== 204)).toEqual([]);
  for (const { payer, orders } of cases) {
    const { rows } = await pool.query('SELECT state, flag FROM payment_orders WHERE account_id = $1 ORDER BY flag NULLS FIRST', [payer.accountId]);
    expect(rows).toEqual([
      { state: 'PAID', flag: null },
      { state: 'PAID', flag: 'receivable_already_settled' },
    ]);
    const {
      rows: [held],
    } = await pool.query(
      `SELECT (SELECT sum(principal_paid_fen)::int FROM receivables WHERE account_id = $1) AS paid,
              (SELECT bool_and(settled_at IS NOT NULL) FROM receivables WHERE account_id = $1) AS settled,
              (SELECT balance_fen::int FROM account_balances WHERE account_id = $1) AS prepayment`,
      [payer.accountId],
    );
    expect({ orders: orders.map((order) => order.amountFen), ...held }).toEqual({ orders: [2_000, 2_000], paid: 2_000, settled: true, prepayment: 2_000 });
  }
});
