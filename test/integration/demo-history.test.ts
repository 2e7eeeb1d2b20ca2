import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedBillingHistory } from '../../server/src/modules/billing/seed';
import { manualClock, startTestApp, type TestApp } from '../support/harness';
import { oweBills } from '../support/receivables';

// The demo's year of billing marks the demo accounts' old bills paid and tops up the demo prepaid
// account; a restart that builds it (the first start could not reach the metering system) must
// not move the money of any other account.
let app: TestApp;
let pool: pg.Pool;

beforeAll(async () => {
  app = await startTestApp();
  pool = app.runtime.deps.database.pool;
});
afterAll(() => app?.stop());

async function account(accountNo: string, mode: 'postpaid' | 'prepaid') {
  const {
    rows: [row],
  } = await pool.query<{ id: number }>(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     VALUES ($1, '测试户', '杭州市西湖区测试路 7 号', 'residential', 'TA-XH-001', '13800009999') RETURNING id`,
    [accountNo],
  );
  await pool.query('INSERT INTO billing_profiles (account_id, tariff_code, billing_mode) VALUES ($1, $2, $3)', [row!.id, 'zj-residential', mode]);
  return row!.id;
}

it('building the demo history settles and tops up only the demo accounts', async () => {
  const owing = await account('7900000001', 'postpaid');
  await oweBills(pool, '7900000001', [{ month: '2025-01', principalFen: 4_780 }]);
  const prepaid = await account('7900000002', 'prepaid');
  await seedBillingHistory({
    database: app.runtime.deps.database,
    billing: app.runtime.deps.billing,
    clock: manualClock(new Date('2026-03-15T04:00:00Z')),
    log: pino({ level: 'silent' }),
  });

  const {
    rows: [other],
  } = await pool.query(
    `SELECT (SELECT principal_paid_fen::int FROM receivables WHERE account_id = $1) AS paid,
            (SELECT settled_at FROM receivables WHERE account_id = $1) AS settled_at,
            (SELECT count(*)::int FROM balance_entries WHERE account_id = ANY($2)) AS entries`,
    [owing, [owing, prepaid]],
  );
  expect(other).toEqual({ paid: 0, settled_at: null, entries: 0 });
  // The demo accounts did get their history: old bills paid, the prepaid one topped up.
  const {
    rows: [demo],
  } = await pool.query(
    `SELECT count(*) FILTER (WHERE r.settled_at IS NULL AND r.month < '2026-01')::int AS open_old,
            count(*) FILTER (WHERE r.settled_at IS NOT NULL)::int AS settled,
            (SELECT count(*)::int FROM balance_entries e JOIN electricity_accounts x ON x.id = e.account_id WHERE x.account_no LIKE '3301%' AND e.kind = 'top_up') AS top_ups
       FROM receivables r JOIN electricity_accounts a ON a.id = r.account_id WHERE a.account_no LIKE '3301%'`,
  );
  expect(demo.open_old).toBe(0);
  expect(demo.settled).toBeGreaterThan(0);
  expect(demo.top_ups).toBe(12);
});
