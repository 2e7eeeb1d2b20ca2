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
  const payer = await payerOwing(first, [{ month: '2025-01', principalFen: 1_500, lateFeeMillifen: 30_000 }, { month: '2025-02', principalFen: 2_500 }]);
  const order = await startOrder(first, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
  expect(order.amountFen).toBe(4_030);
  const note = wechatNotification(first, { out_trade_no: order.outTradeNo, total: order.amountFen, transaction_id: '4200000000000000000001' });
  const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => postRaw((i % 2 ? second : first).url, '/api/payments/notify/wechat', note.body, note.headers)));
  expect(replies.map((reply) => reply.status)).toEqual(Array(50).fill(204));

  const pool = first.runtime.deps.database.pool;
  const { rows: [order_] } = await pool.query('SELECT state FROM payment_orders WHERE id = $1', [order.id]);
  expect(order_.state).toBe('PAID');
  const { rows: [tally] } = await pool.query(
    `SELECT (SELECT count(*) FROM payment_receipts WHERE order_id = $1)::int AS receipts,
            (SELECT count(*) FROM payment_allocations WHERE ref = $2)::int AS allocations,
            (SELECT coalesce(sum(principal_paid_fen + late_fee_paid_fen), 0) FROM receivables WHERE account_id = $3)::int AS paid,
            (SELECT coalesce(sum(balance_fen), 0) FROM account_balances WHERE account_id = $3)::int AS balance,
            (SELECT count(*) FROM outbox WHERE payload->>'type' = 'payment.paid' AND payload->'data'->>'outTradeNo' = $4)::int AS events`,
    [order.id, `wechatpay:${order.outTradeNo}`, payer.accountId, order.outTradeNo],
  );
  expect(tally).toEqual({ receipts: 1, allocations: 1, paid: 4_030, balance: 0, events: 1 });
});
