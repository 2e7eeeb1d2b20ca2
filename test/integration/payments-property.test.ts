import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { ledgerTotal } from '../support/receivables';
import { payerOwing, payJsapi, postRaw, wechatNotification } from '../support/payments';

// For any interleaving of order creation, payments at the gateway (with its own notifications,
// duplicated or dropped), forged-free extra notifications (SUCCESS and CLOSED) and sweeps, the money
// booked to the accounts equals the money of the orders that are PAID, and each of those once.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { PAYMENT_QUERY_AFTER_SECONDS: '1' } });
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
});
afterAll(() => app?.stop());

type Command =
  | { kind: 'order'; payer: number; topUpFen: number | null }
  | { kind: 'pay'; order: number }
  | { kind: 'notify'; order: number; copies: number; state: 'SUCCESS' | 'CLOSED' }
  | { kind: 'faults'; drop: number; duplicate: number }
  | { kind: 'sweep' };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('order' as const), payer: fc.nat(1), topUpFen: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: null }) }),
  fc.record({ kind: fc.constant('pay' as const), order: fc.nat(5) }),
  fc.record({ kind: fc.constant('pay' as const), order: fc.nat(5) }),
  fc.record({
    kind: fc.constant('notify' as const),
    order: fc.nat(5),
    copies: fc.integer({ min: 1, max: 4 }),
    state: fc.constantFrom('SUCCESS' as const, 'CLOSED' as const),
  }),
  fc.record({ kind: fc.constant('faults' as const), drop: fc.nat(1), duplicate: fc.nat(2) }),
  fc.constant({ kind: 'sweep' as const }),
);

it('sum of allocations (bills + prepayment) equals the sum of PAID orders, each applied once', async () => {
  const pool = app.runtime.deps.database.pool;
  let runsWithPayments = 0;
  await fc.assert(
    fc.asyncProperty(
      fc
        .tuple(
          command.filter((step) => step.kind === 'order'),
          fc.array(command, { minLength: 2, maxLength: 10 }),
        )
        .map(([first, rest]) => [first, ...rest]),
      async (commands) => {
        const payers = [
          await payerOwing(app, [
            { month: '2025-01', principalFen: 1_000, lateFeeMillifen: 12_345 },
            { month: '2025-02', principalFen: 2_000 },
          ]),
          await payerOwing(app, [{ month: '2025-01', principalFen: 3_000 }]),
        ];
        const accountIds = payers.map((payer) => payer.accountId);
        const orders: Array<{ id: number; outTradeNo: string; amountFen: number; launch: { kind: string; params?: Record<string, string> } }> = [];
        const pending: Promise<unknown>[] = [];
        for (const step of commands) {
          if (step.kind === 'order') {
            const payer = payers[step.payer]!;
            const body =
              step.topUpFen === null
                ? { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' }
                : { purpose: 'top_up', accountId: payer.accountId, channel: 'wechat_jsapi', amountFen: step.topUpFen };
            const reply = await app.request('POST', '/api/payments', { headers: { ...payer.auth, 'Idempotency-Key': randomUUID() }, body });
            if (reply.status === 201) orders.push(reply.body.order);
            else expect(reply.body.error.code).toBe('NOTHING_TO_PAY');
          } else if (step.kind === 'pay' && orders.length) {
            await payJsapi(app, orders[step.order % orders.length]!);
          } else if (step.kind === 'notify' && orders.length) {
            const order = orders[step.order % orders.length]!;
            const note = wechatNotification(app, { out_trade_no: order.outTradeNo, total: order.amountFen, trade_state: step.state });
            // Sent without waiting: they race the gateway's own notifications and the next steps. Each is acknowledged.
            for (let copy = 0; copy < step.copies; copy += 1)
              pending.push(
                postRaw(app.url, '/api/payments/notify/wechat', note.body, note.headers).then((reply) => expect(reply).toEqual({ status: 204, text: '' })),
              );
          } else if (step.kind === 'faults') {
            await request(app.mocks.url, 'POST', '/wechatpay/_faults', { body: { dropNotifications: step.drop, duplicateNotifications: step.duplicate } });
          } else if (step.kind === 'sweep') {
            pending.push(app.runtime.deps.payments.sweep());
          }
        }
        await Promise.all(pending);
        await request(app.mocks.url, 'POST', '/wechatpay/_faults', { body: { dropNotifications: 0, duplicateNotifications: 0 } });
        // Everything the gateway took is PAID here in the end (by notification or by the sweep's query).
        await eventually(async () => {
          await new Promise((resolve) => setTimeout(resolve, 1_100));
          await app.runtime.deps.payments.sweep();
          const { body } = await request(app.mocks.url, 'GET', '/wechatpay/_orders');
          const ours = new Set(orders.map((order) => order.outTradeNo));
          const takenByGateway = body.orders
            .filter((order: any) => ours.has(order.out_trade_no) && order.trade_state === 'SUCCESS')
            .map((order: any) => order.out_trade_no);
          const { rows } = await pool.query(`SELECT count(*)::int AS n FROM payment_orders WHERE out_trade_no = ANY($1) AND state <> 'PAID'`, [takenByGateway]);
          return rows[0].n === 0 ? true : undefined;
        });
        const {
          rows: [totals],
        } = await pool.query(
          `SELECT coalesce(sum(o.amount_fen) FILTER (WHERE o.state = 'PAID'), 0)::int AS paid_orders,
                count(*) FILTER (WHERE o.state = 'PAID')::int AS paid_count,
                (SELECT count(*) FROM payment_receipts r WHERE r.account_id = ANY($1))::int AS receipts,
                (SELECT coalesce(sum(amount_fen), 0) FROM payment_allocations a WHERE a.account_id = ANY($1))::int AS allocated
           FROM payment_orders o WHERE o.account_id = ANY($1)`,
          [accountIds],
        );
        expect(totals.allocated).toBe(totals.paid_orders);
        expect(totals.receipts).toBe(totals.paid_count);
        // What the accounts hold: paid principal and late fees plus prepayment.
        expect(await ledgerTotal(pool, accountIds)).toBe(totals.paid_orders);
        if (totals.paid_count > 0) runsWithPayments += 1;
      },
    ),
    { numRuns: 12 },
  );
  // The property is not vacuous: most runs did pay something.
  expect(runsWithPayments).toBeGreaterThan(3);
});
