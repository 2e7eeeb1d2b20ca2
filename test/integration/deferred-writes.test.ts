import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { customers } from '../../server/src/db/schema';
import { startTestApp, type TestApp } from '../support/harness';
import { payerOwing, startOrder } from '../support/payments';

// A transaction's queued writes (Tx.defer) and what they buy: the statements a paid notification
// costs the database, counted on the connection that ran its transaction.
let app: TestApp;
const originalQuery = pg.Client.prototype.query;
const database = () => app.runtime.deps.database;
const phonesLike = async (prefix: string) =>
  (await database().pool.query<{ phone: string }>('SELECT phone FROM customers WHERE phone LIKE $1 ORDER BY phone', [`${prefix}%`])).rows.map(
    (row) => row.phone,
  );

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('writes queued in a transaction', () => {
  it('are seen by a later read in the same transaction and committed with it', async () => {
    const seen = await database().transaction(async (tx) => {
      tx.defer(tx.db.insert(customers).values({ phone: '19000000001' }));
      tx.defer(tx.db.insert(customers).values({ phone: '19000000002' }));
      return (await tx.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM customers WHERE phone LIKE '1900000000%'`)).rows[0]!.n;
    });
    expect(seen).toBe(2);
    expect(await phonesLike('1900000000')).toEqual(['19000000001', '19000000002']);
  });

  it('take effect in the order they were queued, sequence values included, however many there are', async () => {
    const phones = Array.from({ length: 300 }, (_, index) => `1910${String(index).padStart(7, '0')}`);
    await database().transaction(async (tx) => {
      for (const phone of phones) tx.defer(tx.db.insert(customers).values({ phone }));
    });
    const { rows } = await database().pool.query<{ phone: string }>("SELECT phone FROM customers WHERE phone LIKE '1910%' ORDER BY id");
    expect(rows.map((row) => row.phone)).toEqual(phones);
  });

  it('are committed when nothing reads after them', async () => {
    await database().transaction(async (tx) => {
      tx.defer(tx.db.insert(customers).values({ phone: '19000000101' }));
    });
    expect(await phonesLike('190000001')).toEqual(['19000000101']);
  });

  it('go with the transaction when it fails, and a failing queued write fails it, leaving nothing', async () => {
    await expect(
      database().transaction(async (tx) => {
        tx.defer(tx.db.insert(customers).values({ phone: '19000000201' }));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // The second insert breaks the unique phone: the first, queued with it, is gone too.
    await expect(
      database().transaction(async (tx) => {
        await tx.db.insert(customers).values({ phone: '19000000202' });
        tx.defer(tx.db.insert(customers).values({ phone: '19000000203' }));
        tx.defer(tx.db.insert(customers).values({ phone: '19000000202' }));
      }),
    ).rejects.toThrow();
    expect(await phonesLike('190000002')).toEqual([]);
    // The connection is clean for the next transaction: nothing queued is carried over.
    await database().transaction(async (tx) => {
      await tx.db.insert(customers).values({ phone: '19000000204' });
    });
    expect(await phonesLike('190000002')).toEqual(['19000000204']);
  });
});

describe('a paid notification', () => {
  it('costs its transaction at most 7 statements, commit included, and still applies everything once', async () => {
    const payer = await payerOwing(app, [
      { month: '2025-03', principalFen: 5_000 },
      { month: '2025-04', principalFen: 7_000 },
    ]);
    const order = await startOrder(app, payer.auth, { purpose: 'bills', accountId: payer.accountId, channel: 'wechat_jsapi' });
    const byConnection = new Map<object, string[]>();
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      byConnection.set(this, [...(byConnection.get(this) ?? []), String(text)]);
      return originalQuery.apply(this, args as never);
    });
    try {
      await app.runtime.deps.payments.applyEvent('wechatpay', { kind: 'paid', outTradeNo: order.outTradeNo, tradeNo: '4200000000000001', amountFen: 12_000 });
    } finally {
      spy.mockRestore();
    }
    const transaction = [...byConnection.values()].find((statements) => statements[0] === 'BEGIN' && statements.some((text) => /payment_orders/.test(text)))!;
    expect(transaction.at(-1)).toBe('COMMIT');
    expect(transaction.length, transaction.join('\n')).toBeLessThanOrEqual(7);

    const {
      rows: [applied],
    } = await database().pool.query(
      `SELECT (SELECT state FROM payment_orders WHERE id = $1) AS state,
              (SELECT count(*)::int FROM payment_receipts WHERE order_id = $1) AS receipts,
              (SELECT count(*)::int FROM payment_allocations WHERE ref = $2) AS allocations,
              (SELECT count(*)::int FROM receivables WHERE account_id = $3 AND settled_at IS NOT NULL) AS settled,
              (SELECT count(*)::int FROM outbox WHERE payload->>'type' = 'payment.paid' AND payload->'data'->>'outTradeNo' = $4) AS events`,
      [order.id, `wechatpay:${order.outTradeNo}`, payer.accountId, order.outTradeNo],
    );
    expect(applied).toEqual({ state: 'PAID', receipts: 1, allocations: 1, settled: 2, events: 1 });
  });
});
