import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocatePayment, reverseAllocation, type PaymentRequest } from '../../server/src/modules/billing/allocation';
import { issueBills } from '../../server/src/modules/billing/issue';
import { loadBillingSettings } from '../../server/src/modules/billing/settings';
import { startTestApp, type TestApp } from '../support/harness';
import { ledgerTotal, oweBills, type OwedBill } from '../support/receivables';

// The billing module's payment allocation, called as any payment channel calls it: inside its own
// transaction, with no HTTP in between.
let app: TestApp;
const pool = () => app.runtime.deps.database.pool;
const pay = (request: PaymentRequest) => app.runtime.deps.database.transaction((tx) => allocatePayment(tx, request));
const reverse = (ref: string, reversalRef: string) => app.runtime.deps.database.transaction((tx) => reverseAllocation(tx, ref, reversalRef));
const receivables = async (accountId: number) =>
  (
    await pool().query(
      'SELECT id, principal_paid_fen, late_fee_paid_fen, settled_at IS NOT NULL AS settled FROM receivables WHERE account_id = $1 ORDER BY id',
      [accountId],
    )
  ).rows;
const balance = async (accountId: number) =>
  (await pool().query('SELECT coalesce((SELECT balance_fen FROM account_balances WHERE account_id = $1), 0) AS fen', [accountId])).rows[0].fen as number;

let accountCounter = 0;
/** A new postpaid (or prepaid) account owing these bills. */
async function accountOwing(bills: readonly OwedBill[], mode: 'postpaid' | 'prepaid' = 'postpaid') {
  accountCounter += 1;
  const accountNo = `88${String(process.pid % 10000).padStart(4, '0')}${String(accountCounter).padStart(4, '0')}`;
  const {
    rows: [account],
  } = await pool().query(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     VALUES ($1, '测试户', '杭州市西湖区测试路 1 号', 'residential', 'TA-XH-001', '13800009999') RETURNING id`,
    [accountNo],
  );
  await pool().query(`INSERT INTO billing_profiles (account_id, tariff_code, billing_mode) VALUES ($1, 'zj-residential', $2)`, [account.id, mode]);
  return oweBills(pool(), accountNo, bills);
}

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('allocatePayment', () => {
  it('settles what it pays in full, keeps the rest as prepayment, and records the lines under the payment’s ref', async () => {
    const {
      accountId,
      receivableIds: [january, february],
    } = await accountOwing([
      { month: '2025-01', principalFen: 1_000, lateFeeMillifen: 50_400 },
      { month: '2025-02', principalFen: 2_000 },
    ]);
    const allocation = await pay({ accountId, amountFen: 3_500, ref: 'test:settle:1', source: { channel: 'counter' } });
    expect(allocation).toEqual({
      ref: 'test:settle:1',
      accountId,
      amountFen: 3_500,
      lines: [
        { receivableId: january, month: '2025-01', lateFeeFen: 50, principalFen: 1_000 },
        { receivableId: february, month: '2025-02', lateFeeFen: 0, principalFen: 2_000 },
      ],
      prepaymentFen: 450,
      replayed: false,
      skipped: [],
    });
    expect(await receivables(accountId)).toEqual([
      { id: january, principal_paid_fen: 1_000, late_fee_paid_fen: 50, settled: true },
      { id: february, principal_paid_fen: 2_000, late_fee_paid_fen: 0, settled: true },
    ]);
    const { rows: entries } = await pool().query('SELECT kind, amount_fen, ref FROM balance_entries WHERE account_id = $1', [accountId]);
    expect(entries).toEqual([{ kind: 'prepayment', amount_fen: 450, ref: 'payment:test:settle:1' }]);
    // A postpaid account's small prepayment is not a low prepaid balance.
    const { rows: events } = await pool().query('SELECT type FROM customer_events WHERE account_id = $1', [accountId]);
    expect(events).toEqual([]);
  });

  it('tops up a prepaid account', async () => {
    const { accountId } = await accountOwing([], 'prepaid');
    await pay({ accountId, amountFen: 10_000, ref: 'test:prepaid:1' });
    const { rows } = await pool().query('SELECT kind, amount_fen FROM balance_entries WHERE account_id = $1', [accountId]);
    expect(rows).toEqual([{ kind: 'top_up', amount_fen: 10_000 }]);
  });

  it('allocates a ref once: the same payment again moves nothing, a different one under the ref is refused', async () => {
    const { accountId } = await accountOwing([{ month: '2025-03', principalFen: 800 }]);
    const first = await pay({ accountId, amountFen: 500, ref: 'test:once:1' });
    const again = await pay({ accountId, amountFen: 500, ref: 'test:once:1' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await receivables(accountId)).toMatchObject([{ principal_paid_fen: 500 }]);
    await expect(pay({ accountId, amountFen: 600, ref: 'test:once:1' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(pay({ accountId, amountFen: 0, ref: 'test:once:2' })).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
  });

  it('pays only the listed receivables, and refuses one that is not open on the account, writing nothing', async () => {
    const {
      accountId,
      receivableIds: [older, newer],
    } = await accountOwing([
      { month: '2025-04', principalFen: 300 },
      { month: '2025-05', principalFen: 400 },
    ]);
    const {
      receivableIds: [foreign],
    } = await accountOwing([{ month: '2025-04', principalFen: 300 }]);
    await expect(pay({ accountId, amountFen: 700, ref: 'test:only:1', receivableIds: [newer!, foreign!] })).rejects.toMatchObject({
      code: 'RECEIVABLE_NOT_OPEN',
      details: { receivableIds: [foreign] },
    });
    expect(await ledgerTotal(pool(), [accountId])).toBe(0);
    const allocation = await pay({ accountId, amountFen: 700, ref: 'test:only:2', receivableIds: [newer!] });
    expect(allocation.lines).toEqual([{ receivableId: newer, month: '2025-05', lateFeeFen: 0, principalFen: 400 }]);
    expect(allocation.prepaymentFen).toBe(300);
    expect((await receivables(accountId)).find((row) => row.id === older)).toMatchObject({ principal_paid_fen: 0, settled: false });
  });

  it('with skipSettled, skips a listed bill another payment settled (its share becomes prepayment) but still refuses a foreign one', async () => {
    const {
      accountId,
      receivableIds: [march, april],
    } = await accountOwing([
      { month: '2025-03', principalFen: 600 },
      { month: '2025-04', principalFen: 900 },
    ]);
    const {
      receivableIds: [foreign],
    } = await accountOwing([{ month: '2025-03', principalFen: 100 }]);
    await pay({ accountId, amountFen: 600, ref: 'test:skip:0', receivableIds: [march!] });
    await expect(pay({ accountId, amountFen: 1_500, ref: 'test:skip:1', receivableIds: [march!, april!, foreign!], skipSettled: true })).rejects.toMatchObject({
      code: 'RECEIVABLE_NOT_OPEN',
      details: { receivableIds: [foreign] },
    });
    const allocation = await pay({ accountId, amountFen: 1_500, ref: 'test:skip:2', receivableIds: [march!, april!], skipSettled: true });
    expect(allocation).toMatchObject({ lines: [{ receivableId: april, principalFen: 900 }], prepaymentFen: 600, skipped: [march] });
    expect(await ledgerTotal(pool(), [accountId])).toBe(2_100);
  });
});

describe('reverseAllocation', () => {
  it('puts every receivable and the balance back exactly as they were, once', async () => {
    const { accountId } = await accountOwing([
      { month: '2025-01', principalFen: 1_000, lateFeeMillifen: 20_000 },
      { month: '2025-02', principalFen: 2_000 },
    ]);
    await pay({ accountId, amountFen: 500, ref: 'test:rev:0' });
    const before = { rows: await receivables(accountId), balance: await balance(accountId) };
    await pay({ accountId, amountFen: 4_000, ref: 'test:rev:1' });
    const undone = await reverse('test:rev:1', 'test:rev:1:reversal');
    expect(undone.replayed).toBe(false);
    expect({ rows: await receivables(accountId), balance: await balance(accountId) }).toEqual(before);
    expect((await reverse('test:rev:1', 'test:rev:1:reversal')).replayed).toBe(true);
    await expect(reverse('test:rev:1', 'test:rev:1:another')).rejects.toMatchObject({ code: 'ALREADY_REVERSED' });
    await expect(reverse('test:never', 'test:never:reversal')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect({ rows: await receivables(accountId), balance: await balance(accountId) }).toEqual(before);
  });
});

describe('money is conserved', () => {
  type Op = { kind: 'pay'; fen: number } | { kind: 'reverse'; pick: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), fen: fc.integer({ min: 1, max: 30_000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }) },
  );
  const bills = fc.array(fc.record({ principalFen: fc.integer({ min: 1, max: 20_000 }), lateFeeMillifen: fc.integer({ min: 0, max: 3_000_000 }) }), {
    maxLength: 5,
  });
  let run = 0;

  it('over random bills, payments (some at once) and reversals: the ledger moves by payments minus reversals, never past a debt, and undoing everything restores the start', async () => {
    await fc.assert(
      fc.asyncProperty(bills, fc.array(op, { minLength: 1, maxLength: 10 }), fc.boolean(), async (owed, ops, together) => {
        run += 1;
        const { accountId } = await accountOwing(owed.map((bill, index) => ({ month: `2024-${String(index + 1).padStart(2, '0')}`, ...bill })));
        const start = await receivables(accountId);
        const live: Array<{ ref: string; fen: number }> = [];
        let expected = 0;
        const pays = ops.filter((item): item is Extract<Op, { kind: 'pay' }> => item.kind === 'pay');
        if (together) {
          // All payments at once, each in its own transaction: the account lock serialises them.
          await Promise.all(pays.map((item, index) => pay({ accountId, amountFen: item.fen, ref: `prop:${run}:${index}` })));
          pays.forEach((item, index) => live.push({ ref: `prop:${run}:${index}`, fen: item.fen }));
          expected += pays.reduce((sum, item) => sum + item.fen, 0);
        }
        for (const [index, item] of ops.entries()) {
          if (item.kind === 'pay' && !together) {
            await pay({ accountId, amountFen: item.fen, ref: `prop:${run}:s${index}` });
            live.push({ ref: `prop:${run}:s${index}`, fen: item.fen });
            expected += item.fen;
          } else if (item.kind === 'reverse' && live.length) {
            const [target] = live.splice(item.pick % live.length, 1);
            await reverse(target!.ref, `${target!.ref}:r`);
            expected -= target!.fen;
          }
          expect(await ledgerTotal(pool(), [accountId])).toBe(expected);
        }
        const { rows: overpaid } = await pool().query(
          `SELECT id FROM receivables WHERE account_id = $1 AND (late_fee_paid_fen > (late_fee_millifen + 500) / 1000 OR late_fee_paid_fen < 0
              OR (settled_at IS NOT NULL) <> (principal_paid_fen = principal_fen AND late_fee_paid_fen = (late_fee_millifen + 500) / 1000))`,
          [accountId],
        );
        expect(overpaid).toEqual([]);
        for (const target of live) await reverse(target.ref, `${target.ref}:r`);
        expect(await receivables(accountId)).toEqual(start);
        expect(await balance(accountId)).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});

describe('prepayment on a postpaid account', () => {
  it('pays the next bill as soon as it is issued, oldest first, once, with no money made or lost', async () => {
    const {
      accountId,
      receivableIds: [older],
    } = await accountOwing([{ month: '2025-04', principalFen: 700 }]);
    // 700 owed, 1,000 paid: 300 left as prepayment.
    await pay({ accountId, amountFen: 1_000, ref: 'test:prepay:1' });
    expect(await balance(accountId)).toBe(300);
    const before = await ledgerTotal(pool(), [accountId]);

    const {
      rows: [bill],
    } = await pool().query(
      `INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, computed_at, published_at)
       VALUES ($1, '2025-05', 'published', 'zj-residential', 1, 100, 500, 100, '{}', '{}', now(), now()) RETURNING id`,
      [accountId],
    );
    const issue = () =>
      app.runtime.deps.database.transaction(async (tx) =>
        issueBills(tx, [{ billId: bill.id, accountId, month: '2025-05', amountFen: 500, billingMode: 'postpaid' }], await loadBillingSettings(tx), new Date()),
      );
    await issue();
    const [, issued] = await receivables(accountId);
    expect(issued).toMatchObject({ principal_paid_fen: 300, settled: false });
    expect((await receivables(accountId))[0]).toMatchObject({ id: older, settled: true });
    expect(await balance(accountId)).toBe(0);
    expect(await ledgerTotal(pool(), [accountId])).toBe(before);
    const {
      rows: [applied],
    } = await pool().query('SELECT amount_fen, source FROM payment_allocations WHERE ref = $1', [`prepayment:bill:${bill.id}`]);
    expect(applied).toEqual({ amount_fen: 300, source: { kind: 'prepayment' } });

    // Paying the rest settles it; no prepayment is left to apply to anything else.
    await pay({ accountId, amountFen: 200, ref: 'test:prepay:2' });
    expect((await receivables(accountId))[1]).toMatchObject({ principal_paid_fen: 500, settled: true });
    expect(await balance(accountId)).toBe(0);
  });
});
