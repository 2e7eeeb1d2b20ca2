import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate, shanghaiMidnight, shanghaiMonth } from '../../shared/dates';
import { addMonths } from '../../shared/tariff/engine';
import { accrueLateFees, lateFeeFen } from '../../server/src/modules/billing/late-fees';
import { settlePrepaidDay } from '../../server/src/modules/billing/prepaid';
import { DEFAULT_BILLING_SETTINGS } from '../../server/src/modules/billing/settings';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { bindDemoAccount, smsLogin, staffSession } from '../support/identity';

// Readings import, late fees and prepaid settlement, driven through the billing service the jobs
// call, on a database with the demo accounts but no billing history.
let app: TestApp;
const lastMonth = addMonths(shanghaiMonth(new Date()), -1);
const sql = (text: string, values: unknown[] = []) => app.runtime.deps.database.pool.query(text, values);
const billing = () => app.runtime.deps.billing;
const accountId = async (accountNo: string) => (await sql('SELECT id FROM electricity_accounts WHERE account_no = $1', [accountNo])).rows[0].id as number;

beforeAll(async () => {
  app = await startTestApp();
  // A clean month for everyone: no glitches in the mock metering system.
  await request(app.mocks.url, 'POST', '/ami/_scenario', { body: { anomalies: [] } });
});
afterAll(() => app?.stop());

describe('reading import', () => {
  it('stores each (meter, instant) once, however often the same range is imported', async () => {
    const range = { interval: 'monthly' as const, from: `${addMonths(lastMonth, -1)}-01`, to: `${addMonths(lastMonth, 1)}-01` };
    const first = await billing().readings.importRange(range);
    expect(first).toMatchObject({ received: 18, stored: 18, rejected: 0 });
    const again = await billing().readings.importRange(range);
    expect(again).toEqual({ received: 18, stored: 0, unchanged: 18, rejected: 0 });
    const { rows } = await sql('SELECT count(*)::int AS n FROM meter_readings');
    expect(rows[0].n).toBe(18);
  });

  it('refuses a different value for an instant it already holds, and records the refusal once', async () => {
    const meter = (await sql(`SELECT id FROM meters WHERE meter_no = 'M3301000003'`)).rows[0].id;
    // As if the metering system had sent another value earlier for the same instant.
    await sql(`UPDATE meter_readings SET total = total - 1 WHERE meter_id = $1 AND read_at = (SELECT max(read_at) FROM meter_readings WHERE meter_id = $1)`, [
      meter,
    ]);
    const range = { interval: 'monthly' as const, from: `${lastMonth}-01`, to: `${addMonths(lastMonth, 1)}-01` };
    expect(await billing().readings.importRange(range)).toMatchObject({ rejected: 1 });
    expect(await billing().readings.importRange(range)).toMatchObject({ rejected: 1 });
    const refusals = await sql(`SELECT reason FROM reading_rejections WHERE meter_no = 'M3301000003'`);
    expect(refusals.rows).toEqual([{ reason: 'CONFLICTS_WITH_STORED' }]);
    await sql(`UPDATE meter_readings SET total = total + 1 WHERE meter_id = $1 AND read_at = (SELECT max(read_at) FROM meter_readings WHERE meter_id = $1)`, [
      meter,
    ]);
  });

  it('runs as a queued job from the staff endpoint', async () => {
    const staff = await staffSession(app);
    const day = addDays(shanghaiDate(new Date()), -2);
    const queued = await app.request('POST', '/api/staff/billing/imports', { headers: staff, body: { interval: 'daily', from: day, to: day } });
    expect(queued.status).toBe(202);
    await eventually(async () =>
      (await sql('SELECT count(*)::int AS n FROM meter_readings WHERE read_at = $1', [shanghaiMidnight(day)])).rows[0].n === 6 ? true : undefined,
    );
    const backwards = await app.request('POST', '/api/staff/billing/imports', { headers: staff, body: { interval: 'daily', from: day, to: addDays(day, -3) } });
    expect(backwards.status).toBe(400);
  });
});

describe('bill runs', () => {
  it('write each bill once when two runs of the same month start together', async () => {
    const runner = billing().runner;
    const [first, second] = await Promise.all([runner.createRun(lastMonth), runner.createRun(lastMonth)]);
    const counts = await Promise.all([runner.runMonth(first), runner.runMonth(second)]);
    expect(counts.map((count) => count.computed).sort()).toEqual([0, 6]);
    const {
      rows: [written],
    } = await sql(
      `SELECT (SELECT count(*) FROM bills WHERE month = $1)::int AS bills, (SELECT count(*) FROM receivables WHERE month = $1)::int AS receivables`,
      [lastMonth],
    );
    expect(written).toEqual({ bills: 6, receivables: 6 });
  });
});

describe('late fees', () => {
  it('accrue per day after the due date at the class rate, exactly once per day', async () => {
    const resident = await accountId('3301000001');
    const [receivable] = (
      await sql('SELECT id, principal_fen, due_date::text AS due FROM receivables WHERE account_id = $1 AND month = $2', [resident, lastMonth])
    ).rows;
    expect(receivable.principal_fen).toBeGreaterThan(0);

    const settings = DEFAULT_BILLING_SETTINGS;
    const feeOf = async () =>
      (await sql('SELECT late_fee_millifen, late_fee_through::text AS through FROM receivables WHERE id = $1', [receivable.id])).rows[0];
    // Nothing is owed on or before the due date.
    await accrueLateFees(app.runtime.deps.database, settings, receivable.due);
    expect((await feeOf()).late_fee_millifen).toBe(0);
    // Ten days late at 1 ‰ a day: principal × 10 / 1000, kept exactly and shown rounded.
    await accrueLateFees(app.runtime.deps.database, settings, addDays(receivable.due, 10));
    expect(await feeOf()).toEqual({ late_fee_millifen: receivable.principal_fen * 10, through: addDays(receivable.due, 10) });
    await accrueLateFees(app.runtime.deps.database, settings, addDays(receivable.due, 10));
    await Promise.all([1, 2, 3].map(() => accrueLateFees(app.runtime.deps.database, settings, addDays(receivable.due, 12))));
    expect((await feeOf()).late_fee_millifen).toBe(receivable.principal_fen * 12);
    expect(lateFeeFen(receivable.principal_fen * 12)).toBe(Math.floor((receivable.principal_fen * 12 + 500) / 1000));
  });

  it('charges other classes 2 ‰ in the bill year and 3 ‰ after it', async () => {
    const shop = await accountId('3301000004');
    const [bill] = (await sql(`SELECT id, status FROM bills WHERE account_id = $1 AND month = $2`, [shop, lastMonth])).rows;
    expect(bill.status).toBe('published');
    const [receivable] = (await sql('SELECT id, principal_fen FROM receivables WHERE bill_id = $1', [bill.id])).rows;
    // Move the due date to 28 December of the bill's year: 3 days of that year, then 2 of the next.
    const year = Number(lastMonth.slice(0, 4));
    await sql('UPDATE receivables SET due_date = $2, late_fee_through = NULL, late_fee_millifen = 0 WHERE id = $1', [receivable.id, `${year}-12-28`]);
    await accrueLateFees(app.runtime.deps.database, DEFAULT_BILLING_SETTINGS, `${year + 1}-01-02`);
    const { rows } = await sql('SELECT late_fee_millifen FROM receivables WHERE id = $1', [receivable.id]);
    expect(rows[0].late_fee_millifen).toBe(receivable.principal_fen * (3 * 2 + 2 * 3));
  });
});

describe('prepaid accounts', () => {
  it('are charged once a day, alert once below the threshold, and pay exactly the bill over the month', async () => {
    const prepaid = await accountId('3301000002');
    const month = addMonths(lastMonth, -1);
    await billing().readings.importRange({ interval: 'daily', from: `${month}-01`, to: `${lastMonth}-01` });
    // Whatever last month's bill did to the balance, this month starts at ¥150 with a ¥120 alert.
    await sql(
      `INSERT INTO account_balances (account_id, balance_fen, low_threshold_fen) VALUES ($1, 15000, 12000)
       ON CONFLICT (account_id) DO UPDATE SET balance_fen = 15000, low_threshold_fen = 12000, low_alerted = false, overdrawn_alerted = false`,
      [prepaid],
    );
    const {
      rows: [{ last }],
    } = await sql('SELECT coalesce(max(id), 0)::bigint AS last FROM customer_events');

    const days: string[] = [];
    for (let day = `${month}-01`; day < `${lastMonth}-01`; day = addDays(day, 1)) days.push(day);
    for (const day of days) await settlePrepaidDay({ database: app.runtime.deps.database, log: app.runtime.deps.logger }, day);
    // A replayed day charges nothing.
    await settlePrepaidDay({ database: app.runtime.deps.database, log: app.runtime.deps.logger }, days[3]!);

    const charges = (await sql(`SELECT amount_fen, details FROM balance_entries WHERE account_id = $1 AND kind = 'daily_charge' ORDER BY id`, [prepaid])).rows;
    expect(charges.every((charge) => charge.details.month === month)).toBe(true);
    expect(charges).toHaveLength(days.length);
    expect(charges.every((charge) => charge.amount_fen < 0 && charge.details.kwh > 0)).toBe(true);
    const events = (await sql(`SELECT type FROM customer_events WHERE account_id = $1 AND id > $2 ORDER BY id`, [prepaid, last])).rows.map((row) => row.type);
    expect(events).toEqual(['balance.low']);

    const runner = billing().runner;
    await runner.runMonth(await runner.createRun(month));
    const [bill] = (await sql(`SELECT id, amount_fen FROM bills WHERE account_id = $1 AND month = $2`, [prepaid, month])).rows;
    const {
      rows: [moved],
    } = await sql(
      `SELECT sum(amount_fen)::bigint AS fen FROM balance_entries WHERE account_id = $1 AND kind IN ('daily_charge', 'true_up') AND details->>'month' = $2`,
      [prepaid, month],
    );
    expect(moved.fen).toBe(-bill.amount_fen);
    const {
      rows: [balance],
    } = await sql('SELECT balance_fen FROM account_balances WHERE account_id = $1', [prepaid]);
    expect(balance.balance_fen).toBe(15000 - bill.amount_fen);
    const {
      rows: [receivable],
    } = await sql('SELECT principal_paid_fen, settled_at FROM receivables WHERE bill_id = $1', [bill.id]);
    expect(receivable.principal_paid_fen).toBe(bill.amount_fen);
    expect(receivable.settled_at).not.toBeNull();
  });

  it('let the customer set the alert threshold on a prepaid account only', async () => {
    const customer = await smsLogin(app);
    const prepaid = await bindDemoAccount(app, customer, '3301000002');
    const postpaid = await bindDemoAccount(app, customer, '3301000001');
    const set = await app.request('PUT', `/api/accounts/${prepaid}/balance-alert`, { headers: customer.auth, body: { thresholdFen: 3000 } });
    expect(set.body).toEqual({ thresholdFen: 3000 });
    const overview = await app.request('GET', `/api/bills/${prepaid}`, { headers: customer.auth });
    expect(overview.body.overview).toMatchObject({ billingMode: 'prepaid', lowBalanceThresholdFen: 3000, contractKva: null });
    // A business supply shows its contracted capacity, which a capacity application starts from.
    const factory = await bindDemoAccount(app, customer, '3301000005');
    expect((await app.request('GET', `/api/bills/${factory}`, { headers: customer.auth })).body.overview).toMatchObject({
      billingMode: 'postpaid',
      contractKva: 630,
    });
    const refused = await app.request('PUT', `/api/accounts/${postpaid}/balance-alert`, { headers: customer.auth, body: { thresholdFen: 3000 } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NOT_PREPAID');
    const bad = await app.request('PUT', `/api/accounts/${prepaid}/balance-alert`, { headers: customer.auth, body: { thresholdFen: -1 } });
    expect(bad.status).toBe(400);
  });
});

describe('billing settings', () => {
  it('are read by back-office staff and replaced only by admins, validated', async () => {
    const backoffice = await staffSession(app, 'backoffice');
    const admin = await staffSession(app, 'admin');
    const { body } = await app.request('GET', '/api/staff/billing/settings', { headers: backoffice });
    expect(body.settings).toEqual(DEFAULT_BILLING_SETTINGS);
    const changed = { ...body.settings, anomalies: { ...body.settings.anomalies, suddenChangePercent: 45 } };
    expect((await app.request('PUT', '/api/staff/billing/settings', { headers: backoffice, body: changed })).status).toBe(403);
    expect((await app.request('PUT', '/api/staff/billing/settings', { headers: admin, body: { ...changed, dueDays: 0 } })).status).toBe(400);
    const saved = await app.request('PUT', '/api/staff/billing/settings', { headers: admin, body: changed });
    expect(saved.body.settings.anomalies.suddenChangePercent).toBe(45);
    expect((await app.request('GET', '/api/staff/billing/settings', { headers: backoffice })).body.settings.anomalies.suddenChangePercent).toBe(45);
  });
});
