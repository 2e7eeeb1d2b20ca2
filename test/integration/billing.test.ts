import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiMonth } from '../../shared/dates';
import { readingFormula } from '../../shared/billing/explain';
import { addMonths, computeBill } from '../../shared/tariff/engine';
import { TARIFF_PRESETS } from '../../shared/tariff/presets';
import { eventually, startTestApp, type TestApp } from '../support/harness';
import { bindDemoAccount, smsLogin, staffSession, type LoggedIn } from '../support/identity';

// The demo's year of billing, built at start-up through the real path: the mock metering system's
// readings → import → one bill run per month. The mock's default scenario makes last month abnormal
// for accounts 3301000003–6.
let app: TestApp;
let staff: { Authorization: string };
let resident: LoggedIn;
let residentAccount: number;
const lastMonth = addMonths(shanghaiMonth(new Date()), -1);

beforeAll(async () => {
  app = await startTestApp({ env: { DEMO_HISTORY: 'on' } });
  staff = await staffSession(app);
  resident = await smsLogin(app);
  residentAccount = await bindDemoAccount(app, resident, '3301000001');
}, 120_000);
afterAll(() => app?.stop());

const reviews = async () => (await app.request('GET', `/api/staff/billing/reviews?month=${lastMonth}`, { headers: staff })).body.reviews as any[];
const reviewFor = async (accountNo: string) => (await reviews()).find((review) => review.accountNo === accountNo);

describe('bills from readings, end to end', () => {
  it('issues a clean year for the demo resident, with tiers, time-of-use split and the comparison', async () => {
    const { status, body } = await app.request('GET', `/api/bills/${residentAccount}`, { headers: resident.auth });
    expect(status).toBe(200);
    expect(body.bills).toHaveLength(12);
    expect(body.bills[0].month).toBe(lastMonth);
    expect(body.overview.usage.map((point: any) => point.kwh).every((kwh: number | null) => typeof kwh === 'number' && kwh > 150)).toBe(true);
    expect(body.overview.pendingMonths).toEqual([]);
    // Only the latest bill is unpaid in the demo; the others were settled at the counter.
    expect(body.overview.amountDueFen).toBe(body.bills[0].payment.outstandingFen);
    expect(body.overview.tier).toMatchObject({ basis: 'annual', limits: [2760, 4800] });

    const detail = (await app.request('GET', `/api/bills/${residentAccount}/${lastMonth}`, { headers: resident.auth })).body.bill;
    expect(detail.lines.reduce((sum: number, line: any) => sum + line.amountFen, 0)).toBe(detail.amountFen);
    expect(detail.periods.map((period: any) => period.period)).toEqual(['peak', 'valley']);
    expect(detail.periods.reduce((sum: number, period: any) => sum + period.kwh, 0)).toBe(detail.kwh);
    expect(detail.tiers.reduce((sum: number, tier: any) => sum + tier.kwh, 0)).toBe(detail.kwh);
    expect(detail.comparison).toMatchObject({ previousMonth: addMonths(lastMonth, -1), kwh: { current: detail.kwh } });
    expect(detail.readings[0]).toMatchObject({ meterNo: 'M3301000001', multiplier: 1 });
    // The total register is billed (its truncated difference); the period registers only divide it.
    expect(detail.kwh).toBe(Math.floor(detail.readings[0].end / 100) - Math.floor(detail.readings[0].start / 100));
  });

  it('bills the demo factory (3301000005) with basic charge, power factor and funds, its formula giving the billed kWh', async () => {
    const owner = await smsLogin(app);
    const accountId = await bindDemoAccount(app, owner, '3301000005');
    const month = addMonths(lastMonth, -1);
    const bill = (await app.request('GET', `/api/bills/${accountId}/${month}`, { headers: owner.auth })).body.bill;
    expect(bill.tariff.code).toBe('zj-large-industry');
    expect(bill.lines.reduce((sum: number, line: any) => sum + line.amountFen, 0)).toBe(bill.amountFen);
    expect(bill.periods.reduce((sum: number, period: any) => sum + period.kwh, 0)).toBe(bill.kwh);
    // The formula shown per meter gives exactly the kWh billed, and the meters add up to the bill.
    const formulas = bill.readings.map((reading: any) => readingFormula(reading)!);
    expect(formulas.reduce((sum: number, formula: any) => sum + formula.kwh, 0)).toBe(bill.kwh);
    expect(bill.readings[0]).toMatchObject({ meterNo: 'M3301000005', multiplier: 40 });

    const kinds = bill.lines.map((line: any) => `${line.kind}:${line.key}`);
    expect(kinds).toEqual([
      'energy:sharp',
      'energy:peak',
      'energy:flat',
      'energy:valley',
      'demand:capacity',
      'power_factor:0.90',
      'fund:water_project',
      'fund:reservoir_resettlement',
      'fund:renewable',
    ]);
    expect(bill.lines[4]).toMatchObject({ quantity: 630, amountFen: 1_890_000 });
    // The mock's reactive register runs at 0.426 kvarh per kWh: cos φ 0.92, a 0.30 % reduction.
    const powerFactor = bill.lines[5];
    expect(powerFactor).toMatchObject({ quantity: 92, rate: -30 });
    expect(powerFactor.amountFen).toBeLessThan(0);
    // The engine, given the same kWh split and factor, prices the same bill.
    const tariff = TARIFF_PRESETS.find((preset) => preset.code === 'zj-large-industry')!;
    const again = computeBill({
      tariff,
      month,
      totalKwh: bill.kwh,
      periodAdvance: Object.fromEntries(bill.periods.map((period: any) => [period.period, period.kwh])),
      contractKva: 630,
    });
    const energyAndDemand = again.lines.filter((line) => line.kind === 'energy' || line.kind === 'demand').reduce((sum, line) => sum + line.amountFen, 0);
    expect(powerFactor.amountFen).toBe(-Math.floor((energyAndDemand * 30 + 5000) / 10_000));
  });

  it('holds each abnormal bill with the rule that caught it, and keeps it from the customer', async () => {
    const held = await reviews();
    const codes = Object.fromEntries(held.map((review) => [review.accountNo, review.anomalies.map((anomaly: any) => anomaly.code)]));
    expect(codes['3301000003']).toContain('READING_BELOW_PREVIOUS');
    expect(codes['3301000004']).toContain('SUDDEN_CHANGE');
    expect(codes['3301000005']).toContain('TOU_REGISTER_MISMATCH');
    expect(codes['3301000006']).toContain('ZERO_USAGE');
    expect(codes['3301000001']).toBeUndefined();
    expect(codes['3301000002']).toBeUndefined();

    const owner = await smsLogin(app);
    const accountId = await bindDemoAccount(app, owner, '3301000003');
    const { body } = await app.request('GET', `/api/bills/${accountId}`, { headers: owner.auth });
    expect(body.overview.pendingMonths).toEqual([lastMonth]);
    expect(body.bills.map((bill: any) => bill.month)).not.toContain(lastMonth);
    expect((await app.request('GET', `/api/bills/${accountId}/${lastMonth}`, { headers: owner.auth })).status).toBe(404);
  });

  it('re-reads a meter: the corrected reading arrives, the bill is recomputed and issued', async () => {
    const review = await reviewFor('3301000003');
    const requested = await app.request('POST', `/api/staff/billing/reviews/${review.billId}/reread`, {
      headers: staff,
      body: { reason: 'closing reading lower than opening' },
    });
    expect(requested.status).toBe(202);
    const again = await app.request('POST', `/api/staff/billing/reviews/${review.billId}/reread`, { headers: staff, body: { reason: 'double click' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('BILL_NOT_HELD');
    await eventually(async () => ((await reviewFor('3301000003')) ? undefined : true));

    const owner = await smsLogin(app);
    const accountId = await bindDemoAccount(app, owner, '3301000003');
    const bill = (await app.request('GET', `/api/bills/${accountId}/${lastMonth}`, { headers: owner.auth })).body.bill;
    expect(bill.kwh).toBeGreaterThan(100);
    expect(bill.payment).toMatchObject({ state: 'unpaid', outstandingFen: bill.amountFen });
  });

  it('approves a real spike as computed, and adjusts a zero month with a corrected reading and a reason', async () => {
    const spike = await reviewFor('3301000004');
    const approved = await app.request('POST', `/api/staff/billing/reviews/${spike.billId}/approve`, {
      headers: staff,
      body: { note: 'customer confirmed a renovation' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.bill).toMatchObject({ month: lastMonth, kwh: spike.kwh, amountFen: spike.amountFen, payment: { state: 'unpaid' } });

    const zero = await reviewFor('3301000006');
    const opening = zero.readings[0].start;
    const badReason = await app.request('POST', `/api/staff/billing/reviews/${zero.billId}/adjust`, {
      headers: staff,
      body: { reason: 'x', readings: [{ meterNo: 'M3301000006', total: opening + 30_000 }] },
    });
    expect(badReason.status).toBe(400);
    const wrongMeter = await app.request('POST', `/api/staff/billing/reviews/${zero.billId}/adjust`, {
      headers: staff,
      body: { reason: 'meter stuck, read on site', readings: [{ meterNo: 'M3301000001', total: 1 }] },
    });
    expect(wrongMeter.body.error.code).toBe('READING_INVALID');
    const adjusted = await app.request('POST', `/api/staff/billing/reviews/${zero.billId}/adjust`, {
      headers: staff,
      body: { reason: 'meter stuck, read on site', readings: [{ meterNo: 'M3301000006', total: opening + 30_000 }] },
    });
    expect(adjusted.status).toBe(200);
    // 300 kWh at the agricultural 0.482 yuan/kWh.
    expect(adjusted.body.bill).toMatchObject({ kwh: 300, amountFen: 14460 });

    const owner = await smsLogin(app);
    const accountId = await bindDemoAccount(app, owner, '3301000006');
    const bill = (await app.request('GET', `/api/bills/${accountId}/${lastMonth}`, { headers: owner.auth })).body.bill;
    expect(bill.adjusted).toEqual({ reason: 'meter stuck, read on site' });
  });

  it('runs a month again without changing anything', async () => {
    const snapshot = async () => (await app.runtime.deps.database.pool.query('SELECT id, account_id, month, status, amount_fen FROM bills ORDER BY id')).rows;
    const receivables = async () =>
      (await app.runtime.deps.database.pool.query('SELECT count(*)::int AS n, sum(principal_fen)::bigint AS fen FROM receivables')).rows[0];
    const [beforeBills, beforeReceivables] = [await snapshot(), await receivables()];
    const started = await app.request('POST', '/api/staff/billing/runs', { headers: staff, body: { month: lastMonth } });
    expect(started.status).toBe(202);
    const run = await eventually(async () => {
      const { body } = await app.request('GET', `/api/staff/billing/runs/${started.body.run.id}`, { headers: staff });
      return body.run.status === 'completed' ? body.run : undefined;
    });
    expect(run.counts).toMatchObject({ computed: 0, published: 0, held: 0 });
    expect(await snapshot()).toEqual(beforeBills);
    expect(await receivables()).toEqual(beforeReceivables);
  });

  it('refuses a month that has not ended, and keeps customers out of bills that are not theirs', async () => {
    const current = shanghaiMonth(new Date());
    const early = await app.request('POST', '/api/staff/billing/runs', { headers: staff, body: { month: current } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('MONTH_NOT_ENDED');

    const stranger = await smsLogin(app);
    for (const path of [`/api/bills/${residentAccount}`, `/api/bills/${residentAccount}/${lastMonth}`]) {
      const response = await app.request('GET', path, { headers: stranger.auth });
      expect(response.status, path).toBe(404);
    }
    const customerAsStaff = await app.request('GET', '/api/staff/billing/reviews', { headers: resident.auth });
    expect(customerAsStaff.status).toBe(403);
  });
});
