import { describe, expect, it } from 'vitest';
import { RULES } from '../../server/src/modules/billing/anomalies';
import { billPeriod, computeDraft, type AccountBillingInput, type BillDraft } from '../../server/src/modules/billing/compute';
import { DEFAULT_BILLING_SETTINGS } from '../../server/src/modules/billing/settings';
import type { MeterInput, PreviousBill, ReadingValues } from '../../server/src/modules/billing/types';
import { AnomalyCode, type BillingSettings } from '../../shared/contracts/billing';
import { TARIFF_PRESETS } from '../../shared/tariff/presets';
import type { TariffVersion } from '../../shared/tariff/types';

/*
 * The anomaly rules, driven through `computeDraft` the way the bill run calls it: meter readings in
 * hundredths of a kWh, the previous bill, the account's profile and tariff. Months used below:
 * 2026-02 has 28 days, 2026-06/09/11 have 30, 2026-03/07/08/10/12 and 2027-01 have 31.
 */

type Settings = BillingSettings['anomalies'];
const SETTINGS: Settings = DEFAULT_BILLING_SETTINGS.anomalies;
const tariff = (code: string): TariffVersion => TARIFF_PRESETS.find((preset) => preset.code === code)!;

const HOUSE = 'ZJ-330106-000001';
const SHOP = 'ZJ-330106-000777';
const PLANT = 'ZJ-330500-100042';

function reading(total: number, registers: Partial<Omit<ReadingValues, 'total'>> = {}): ReadingValues {
  return { total, sharp: null, peak: null, flat: null, valley: null, reverse: 0, quality: 'actual', ...registers };
}

/** A single-register, 6-digit, multiplier-1 household meter that advanced `kwh` whole kWh. */
function singleMeter(kwh: number, options: { meterNo?: string; from?: number; reverse?: number } = {}): MeterInput {
  const from = options.from ?? 1_234_567; // 12 345.67 kWh
  return {
    meterNo: options.meterNo ?? HOUSE,
    multiplier: 1,
    registers: 'single',
    registerDigits: 6,
    start: reading(from),
    end: reading(from + kwh * 100, { reverse: options.reverse ?? 0 }),
  };
}

/** A peak/valley household meter; `totalGap` hundredths are added to the total register only. */
function peakValleyMeter(peakKwh: number, valleyKwh: number, options: { totalGap?: number } = {}): MeterInput {
  const peak = 2_345_600;
  const valley = 1_234_500;
  return {
    meterNo: HOUSE,
    multiplier: 1,
    registers: 'peak_valley',
    registerDigits: 6,
    start: reading(peak + valley, { peak, valley }),
    end: reading(peak + valley + (peakKwh + valleyKwh) * 100 + (options.totalGap ?? 0), { peak: peak + peakKwh * 100, valley: valley + valleyKwh * 100 }),
  };
}

type FourDeltas = { sharp: number; peak: number; flat: number; valley: number };

/**
 * A large-industry four-register meter behind CTs (multiplier 40), 8 digits. `deltas` are register
 * advances in hundredths; each kWh billed is register × 40 / 100, truncated.
 */
function fourRegisterMeter(deltas: FourDeltas, options: { totalGap?: number; reverse?: number } = {}): MeterInput {
  const start: FourDeltas = { sharp: 100_000, peak: 400_000, flat: 400_000, valley: 300_000 };
  const sum = (registers: FourDeltas) => registers.sharp + registers.peak + registers.flat + registers.valley;
  const end: FourDeltas = {
    sharp: start.sharp + deltas.sharp,
    peak: start.peak + deltas.peak,
    flat: start.flat + deltas.flat,
    valley: start.valley + deltas.valley,
  };
  return {
    meterNo: PLANT,
    multiplier: 40,
    registers: 'four',
    registerDigits: 8,
    start: reading(sum(start), start),
    end: reading(sum(end) + (options.totalGap ?? 0), { ...end, reverse: options.reverse ?? 0 }),
  };
}

/** 226 800 kWh: exactly 315 kVA × 24 h × 30 days. */
const AT_CAPACITY: FourDeltas = { sharp: 50_000, peak: 200_000, flat: 200_000, valley: 117_000 };

/** A 13-month history (newest first) with the given kWh at the given months back, null elsewhere. */
function history(entries: Record<number, number>): (number | null)[] {
  return Array.from({ length: 13 }, (_, back) => entries[back] ?? null);
}

function previousBill(month: string, kwhHistory: (number | null)[], tierCountedKwh = 0): PreviousBill {
  const padded = [...kwhHistory, ...Array<null>(13).fill(null)].slice(0, 13);
  return { month, status: 'published', kwh: padded[0] ?? 0, tierCountedKwh, history: padded };
}

/** A Zhejiang resident on `zj-residential` with one household meter. */
function resident(month: string, kwh: number, overrides: Partial<AccountBillingInput> = {}): AccountBillingInput {
  return {
    month,
    customerClass: 'residential',
    tariff: tariff('zj-residential'),
    contractKva: null,
    hasSolar: false,
    vacant: false,
    meters: [singleMeter(kwh)],
    previous: null,
    ...overrides,
  };
}

/** A Zhejiang resident on `zj-residential-tou` with a peak/valley meter. */
function touResident(month: string, meter: MeterInput, overrides: Partial<AccountBillingInput> = {}): AccountBillingInput {
  return {
    month,
    customerClass: 'residential',
    tariff: tariff('zj-residential-tou'),
    contractKva: null,
    hasSolar: false,
    vacant: false,
    meters: [meter],
    previous: null,
    ...overrides,
  };
}

/** A `zj-large-industry` plant with a four-register meter, multiplier 40, 315 kVA contracted. */
function plant(month: string, meter: MeterInput, overrides: Partial<AccountBillingInput> = {}): AccountBillingInput {
  return {
    month,
    customerClass: 'large_industry',
    tariff: tariff('zj-large-industry'),
    contractKva: 315,
    hasSolar: false,
    vacant: false,
    meters: [meter],
    previous: null,
    ...overrides,
  };
}

const draft = (input: AccountBillingInput, settings: Settings = SETTINGS): BillDraft => computeDraft(input, settings);
const codes = (bill: BillDraft) => bill.anomalies.map((anomaly) => anomaly.code);
const anomaly = (bill: BillDraft, code: AnomalyCode) => bill.anomalies.find((found) => found.code === code);

/** One realistic input per anomaly code that must raise it. */
const FIRING: Record<AnomalyCode, { input: () => AccountBillingInput; settings?: Settings }> = {
  ZERO_USAGE: { input: () => resident('2026-07', 0) },
  // 300 kWh in 30 days (10/day), then 496 kWh in 31 days (16/day): +60 %.
  SUDDEN_CHANGE: { input: () => resident('2026-07', 496, { previous: previousBill('2026-06', [300]) }) },
  // 40, 35, 30, 26 kWh a day in July–October.
  CONSECUTIVE_DROPS: { input: () => resident('2026-10', 806, { previous: previousBill('2026-09', [900, 1085, 1240]) }) },
  READING_BELOW_PREVIOUS: { input: () => resident('2026-07', 0, { meters: [{ ...singleMeter(0), start: reading(5_000_000), end: reading(4_900_000) }] }) },
  ESTIMATED_READING: { input: () => resident('2026-07', 0, { meters: [{ ...singleMeter(250), end: { ...singleMeter(250).end!, quality: 'estimated' } }] }) },
  MISSING_READING: { input: () => resident('2026-07', 0, { meters: [{ ...singleMeter(250), end: null }] }) },
  TOU_REGISTER_MISMATCH: { input: () => touResident('2026-07', peakValleyMeter(180, 120, { totalGap: 101 })) },
  REVERSE_ENERGY: { input: () => resident('2026-07', 0, { meters: [singleMeter(250, { reverse: 500 })] }) },
  ABOVE_CONTRACT_CAPACITY: { input: () => plant('2026-11', fourRegisterMeter({ ...AT_CAPACITY, valley: 117_003 })) },
  WRONG_TARIFF_CLASS: { input: () => resident('2026-07', 250, { customerClass: 'commercial', meters: [singleMeter(250, { meterNo: SHOP })] }) },
};

describe('anomaly rules: every code has a rule and fires on a realistic input', () => {
  it('has one rule per anomaly code', () => {
    expect(Object.keys(RULES).sort()).toEqual([...AnomalyCode.options].sort());
  });

  it.each(AnomalyCode.options)('%s fires and holds the bill', (code) => {
    const { input, settings } = FIRING[code];
    const bill = draft(input(), settings);
    expect(codes(bill)).toContain(code);
    expect(bill.status).toBe('held');
    expect(anomaly(bill, code)!.message.length).toBeGreaterThan(0);
  });
});

describe('anomaly rules: a clean bill', () => {
  it('is published with no anomalies; its history continues the previous bill', () => {
    const previous = previousBill('2026-02', [280, 300, 320, 310, 290, 300, 330, 350, 310, 300, 290, 285, 295], 580);
    const bill = draft(resident('2026-03', 310, { previous }));
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
    expect(bill.kwh).toBe(310);
    expect(bill.amountFen).toBe(16678); // 310 × 0.538 = 166.78 yuan
    expect(bill.history).toEqual([310, 280, 300, 320, 310, 290, 300, 330, 350, 310, 300, 290, 285]);
    expect(bill.tierCountedKwh).toBe(890);
    expect(billPeriod('2026-03')).toEqual({ start: '2026-03-01', end: '2026-03-31', days: 31 });
    expect(billPeriod('2028-02')).toEqual({ start: '2028-02-01', end: '2028-02-29', days: 29 });
    expect(bill.detail).toMatchObject({
      tierKwh: [310, 0, 0],
      tierReached: 1,
      peakSharePermille: null,
      readings: [{ meterNo: HOUSE, multiplier: 1, start: 1_234_567, end: 1_265_567 }],
    });
  });

  it('puts null in the history for a month with no bill', () => {
    const bill = draft(resident('2026-03', 310, { previous: previousBill('2026-01', [300, 320], 300) }));
    expect(bill.history.slice(0, 4)).toEqual([310, null, 300, 320]);
    expect(bill.history).toHaveLength(13);
    expect(bill.status).toBe('published');
  });

  it('starts a fresh history for the first bill', () => {
    const bill = draft(resident('2026-03', 310));
    expect(bill.history).toEqual([310, ...Array<null>(12).fill(null)]);
    expect(bill.tierCountedKwh).toBe(310);
  });

  it('continues the annual tier count from the previous bill within the tier year', () => {
    // 2700 kWh counted by October; 300 more in November: 60 in tier 1, 240 in tier 2 = 173.40 yuan.
    const bill = draft(resident('2026-11', 300, { previous: previousBill('2026-10', [300], 2700) }));
    expect(bill.status).toBe('published');
    expect(bill.tierCountedKwh).toBe(3000);
    expect(bill.amountFen).toBe(17340);
    expect(bill.detail.tierKwh).toEqual([60, 240, 0]);
    expect(bill.detail.tierReached).toBe(2);
  });

  it('restarts the tier count in January (Zhejiang tier year)', () => {
    const bill = draft(resident('2027-01', 300, { previous: previousBill('2026-12', [300], 3000) }));
    expect(bill.status).toBe('published');
    expect(bill.tierCountedKwh).toBe(300);
    expect(bill.amountFen).toBe(16140); // all in tier 1: 300 × 0.538
    expect(bill.detail.tierReached).toBe(1);
    expect(bill.history.slice(0, 2)).toEqual([300, 300]);
  });

  it('restarts the tier count when the previous bill is from an earlier tier year, months back', () => {
    const bill = draft(resident('2027-02', 300, { previous: previousBill('2026-11', [300], 4000) }));
    expect(bill.tierCountedKwh).toBe(300);
    expect(bill.history.slice(0, 4)).toEqual([300, null, null, 300]);
  });

  it('bills a peak/valley resident from the period registers', () => {
    const bill = draft(touResident('2026-07', peakValleyMeter(180, 120)));
    expect(bill.anomalies).toEqual([]);
    expect(bill.kwh).toBe(300);
    expect(bill.amountFen).toBe(13680); // 180 × 0.568 + 120 × 0.288 = 102.24 + 34.56
    expect(bill.detail.peakSharePermille).toBe(600);
  });

  it('bills a large-industry plant at its contract capacity without an anomaly', () => {
    const bill = draft(plant('2026-11', fourRegisterMeter(AT_CAPACITY)));
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
    expect(bill.kwh).toBe(226_800);
    expect(bill.detail.lines.filter((line) => line.kind === 'energy').map((line) => line.quantity)).toEqual([20_000, 80_000, 80_000, 46_800]);
    // 20 000 × 1.0212 + 80 000 × 0.851 + 80 000 × 0.6012 + 46 800 × 0.2902 + 315 kVA × 30 yuan
    // = 20 424.00 + 68 080.00 + 48 096.00 + 13 581.36 + 9 450.00 = 159 631.36 yuan, plus the funds
    // 226 800 × (0.002 + 0.0062 + 0.019) = 453.60 + 1 406.16 + 4 309.20 = 6 168.96: 165 800.32 yuan.
    expect(bill.amountFen).toBe(16_580_032);
    expect(bill.detail.peakSharePermille).toBe(441); // (20 000 + 80 000) / 226 800
  });

  it('prices the chosen basic-charge basis and power factor from the reactive and demand registers', () => {
    const meter = fourRegisterMeter(AT_CAPACITY);
    // Multiplier 40: 226 800 kWh against 2 415.00 × 40 = 96 600 kvarh → cos φ 0.92; maximum demand
    // 10.07 × 40 = 402.80 kW → 403 kW (half-up).
    const withRegisters: MeterInput = {
      ...meter,
      start: { ...meter.start!, reactive: 1_000_000, maxDemand: 990 },
      end: { ...meter.end!, reactive: 1_000_000 + 241_500, maxDemand: 1_007 },
    };
    const bill = draft(plant('2026-11', withRegisters, { demandBasis: 'max_demand', powerFactorStandard: 90 }));
    const line = (kind: string) => bill.detail.lines.find((found) => found.kind === kind);
    // 403 kW × 48 yuan = 19 344.00 yuan.
    expect(line('demand')).toMatchObject({ key: 'max_demand', quantity: 403, amountFen: 1_934_400 });
    // Energy 150 181.36 + demand 19 344.00 = 169 525.36 yuan; −0.30 % = −508.57608 → −508.58.
    expect(line('power_factor')).toMatchObject({ key: '0.90', quantity: 92, rate: -30, amountFen: -50_858 });
    expect(bill.detail.lines.reduce((sum, found) => sum + found.amountFen, 0)).toBe(bill.amountFen);
    // Without the registers the account keeps capacity billing and is not assessed.
    const plain = draft(plant('2026-11', meter, { demandBasis: 'max_demand', powerFactorStandard: 90 }));
    expect(plain.detail.lines.map((found) => found.kind)).toEqual(['energy', 'energy', 'energy', 'energy', 'demand', 'fund', 'fund', 'fund']);
  });
});

describe('ZERO_USAGE', () => {
  it('fires on an occupied account with 0 kWh, as one month', () => {
    const bill = draft(resident('2026-07', 0));
    expect(bill.anomalies).toEqual([{ code: 'ZERO_USAGE', message: 'No consumption this month', details: { consecutiveZeroMonths: 1 } }]);
    expect(bill.status).toBe('held');
  });

  it('says "one month" after a small but non-zero month', () => {
    const bill = draft(resident('2026-07', 0, { previous: previousBill('2026-06', [30, 40]) }));
    expect(anomaly(bill, 'ZERO_USAGE')).toMatchObject({ message: 'No consumption this month', details: { consecutiveZeroMonths: 1 } });
  });

  it('reads several zero months in a row as an idle property', () => {
    const bill = draft(resident('2026-07', 0, { previous: previousBill('2026-06', [0, 0, 120]) }));
    expect(bill.anomalies).toEqual([
      { code: 'ZERO_USAGE', message: 'No consumption for 3 months: idle, not registered vacant', details: { consecutiveZeroMonths: 3 } },
    ]);
    expect(bill.status).toBe('held');
  });

  it('does not fire for a registered-vacant account', () => {
    const bill = draft(resident('2026-07', 0, { vacant: true, previous: previousBill('2026-06', [0, 0]) }));
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
  });

  it('does not fire for 1 kWh', () => {
    const bill = draft(resident('2026-07', 1));
    expect(codes(bill)).not.toContain('ZERO_USAGE');
    expect(bill.status).toBe('published');
  });

  it('does not fire when the bill is zero because a reading is missing or fell', () => {
    expect(codes(draft(FIRING.MISSING_READING.input()))).toEqual(['MISSING_READING']);
    expect(codes(draft(FIRING.READING_BELOW_PREVIOUS.input()))).toEqual(['READING_BELOW_PREVIOUS']);
  });
});

describe('SUDDEN_CHANGE', () => {
  it('fires on +60 % daily average against the previous month', () => {
    const bill = draft(resident('2026-07', 496, { previous: previousBill('2026-06', [300]) }));
    expect(bill.anomalies).toEqual([
      { code: 'SUDDEN_CHANGE', message: 'Daily consumption +60% against the previous month', details: { vsPreviousPercent: 60, vsLastYearPercent: null } },
    ]);
    expect(bill.status).toBe('held');
  });

  it('fires on a fall too (−40 %)', () => {
    const bill = draft(resident('2026-07', 186, { previous: previousBill('2026-06', [300]) }));
    expect(bill.anomalies).toEqual([
      { code: 'SUDDEN_CHANGE', message: 'Daily consumption -40% against the previous month', details: { vsPreviousPercent: -40, vsLastYearPercent: null } },
    ]);
  });

  it('does not fire when the same month last year shows the same level (seasonal)', () => {
    // Last July: 465 kWh (15/day); this July 16/day is +7 % on it.
    const bill = draft(resident('2026-07', 496, { previous: previousBill('2026-06', history({ 0: 300, 11: 465 })) }));
    expect(bill.history[12]).toBe(465);
    expect(codes(bill)).not.toContain('SUDDEN_CHANGE');
    expect(bill.status).toBe('published');
  });

  it('fires when the change shows against last year as well', () => {
    const bill = draft(resident('2026-07', 496, { previous: previousBill('2026-06', history({ 0: 300, 11: 310 })) }));
    expect(anomaly(bill, 'SUDDEN_CHANGE')).toEqual({
      code: 'SUDDEN_CHANGE',
      message: 'Daily consumption +60% against the previous month, +60% against the same month last year',
      details: { vsPreviousPercent: 60, vsLastYearPercent: 60 },
    });
  });

  it('ignores a same-month-last-year figure below the minimum', () => {
    const bill = draft(resident('2026-07', 496, { previous: previousBill('2026-06', history({ 0: 300, 11: 40 })) }));
    expect(anomaly(bill, 'SUDDEN_CHANGE')?.details).toEqual({ vsPreviousPercent: 60, vsLastYearPercent: null });
  });

  it('does not compare against a previous month below suddenChangeMinKwh', () => {
    const bill = draft(resident('2026-07', 496, { previous: previousBill('2026-06', [40]) }));
    expect(bill.anomalies).toEqual([]);
  });

  it('does not fire with no previous month in the history', () => {
    expect(draft(resident('2026-07', 496, { previous: previousBill('2026-05', [300]) })).anomalies).toEqual([]);
    expect(draft(resident('2026-07', 496)).anomalies).toEqual([]);
  });

  it('is not more than the threshold at exactly +30 %, and is at +31 %', () => {
    // 300 kWh / 30 days = 10/day; 403 / 31 = 13.0 (+30 %); 406 / 31 = 13.1 (+31 %).
    expect(draft(resident('2026-07', 403, { previous: previousBill('2026-06', [300]) })).anomalies).toEqual([]);
    expect(anomaly(draft(resident('2026-07', 406, { previous: previousBill('2026-06', [300]) })), 'SUDDEN_CHANGE')?.details).toMatchObject({
      vsPreviousPercent: 31,
    });
  });

  it('compares daily averages: a 31-day month after a 28-day one at the same daily rate does not fire', () => {
    const tight = { ...SETTINGS, suddenChangePercent: 5 };
    // 280 kWh in February (10/day), 310 in March (10/day): +10.7 % in kWh, 0 % per day.
    expect(draft(resident('2026-03', 310, { previous: previousBill('2026-02', [280]) }), tight).anomalies).toEqual([]);
    // The same 280 kWh spread over 31 days is a 10 % fall per day.
    const flat = draft(resident('2026-03', 280, { previous: previousBill('2026-02', [280]) }), tight);
    expect(anomaly(flat, 'SUDDEN_CHANGE')?.details).toEqual({ vsPreviousPercent: -10, vsLastYearPercent: null });
  });

  it('uses the configured threshold: +60 % fires at 30 and not at 80', () => {
    const input = resident('2026-07', 496, { previous: previousBill('2026-06', [300]) });
    expect(codes(draft(input, { ...SETTINGS, suddenChangePercent: 30 }))).toEqual(['SUDDEN_CHANGE']);
    expect(draft(input, { ...SETTINGS, suddenChangePercent: 80 }).anomalies).toEqual([]);
    expect(draft(input, { ...SETTINGS, suddenChangePercent: 80 }).status).toBe('published');
  });

  it('uses the configured minimum: a 40 kWh base counts when the minimum is 30', () => {
    const input = resident('2026-07', 496, { previous: previousBill('2026-06', [40]) });
    expect(draft(input, { ...SETTINGS, suddenChangeMinKwh: 30 }).anomalies.map((found) => found.code)).toEqual(['SUDDEN_CHANGE']);
  });

  it('with suddenChangeMinKwh 0 (allowed by the settings), two zero months in a row are not a sudden change', () => {
    // 0 → 0 kWh is no change at all; the rule divides by the zero base and reports "NaN%".
    const bill = draft(resident('2026-07', 0, { previous: previousBill('2026-06', [0]) }), { ...SETTINGS, suddenChangeMinKwh: 0 });
    expect(codes(bill)).toEqual(['ZERO_USAGE']);
    for (const found of bill.anomalies) expect(found.message).not.toMatch(/NaN|Infinity/);
  });
});

describe('CONSECUTIVE_DROPS', () => {
  it('fires on three drops of at least 10 % a day each', () => {
    // July 1240 (40/day), August 1085 (35/day, −12.5 %), September 900 (30/day, −14.3 %), October 806 (26/day, −13.3 %).
    const bill = draft(resident('2026-10', 806, { previous: previousBill('2026-09', [900, 1085, 1240]) }));
    expect(bill.anomalies).toEqual([{ code: 'CONSECUTIVE_DROPS', message: 'Consumption fell 3 months in a row', details: { kwh: [1240, 1085, 900, 806] } }]);
    expect(bill.status).toBe('held');
  });

  it('does not fire when one of the three drops is only 3 %', () => {
    // October 902 kWh = 29.1/day: 3 % under September's 30/day.
    const bill = draft(resident('2026-10', 902, { previous: previousBill('2026-09', [900, 1085, 1240]) }));
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
  });

  it('does not fire with an unknown month in the window', () => {
    expect(draft(resident('2026-10', 806, { previous: previousBill('2026-09', [900, null, 1240]) })).anomalies).toEqual([]);
    // A gap month (no August bill at all) also leaves a null in the window.
    expect(draft(resident('2026-10', 806, { previous: previousBill('2026-08', [1085, 1240, 1300]) })).anomalies).toEqual([]);
  });

  it('does not fire on only two drops', () => {
    // July 1240 (40/day), August 1240 (40/day): flat, then two drops.
    expect(draft(resident('2026-10', 806, { previous: previousBill('2026-09', [900, 1240, 1240]) })).anomalies).toEqual([]);
  });

  it('compares per day: the same kWh in a longer month is a drop', () => {
    // 900 kWh in 30-day September, 900 again in 31-day October: 0 % in kWh, −3.2 % a day.
    const input = resident('2026-10', 900, { previous: previousBill('2026-09', [900, 1085, 1240]) });
    expect(draft(input).anomalies).toEqual([]);
    expect(codes(draft(input, { ...SETTINGS, consecutiveDropMinPercent: 3 }))).toEqual(['CONSECUTIVE_DROPS']);
  });

  it('uses the configured window length and minimum drop', () => {
    const input = resident('2026-10', 902, { previous: previousBill('2026-09', [900, 1085, 1240]) });
    expect(codes(draft(input, { ...SETTINGS, consecutiveDropMinPercent: 3 }))).toEqual(['CONSECUTIVE_DROPS']);
    expect(codes(draft(input, { ...SETTINGS, consecutiveDropMinPercent: 4 }))).toEqual([]);
    const two = resident('2026-10', 806, { previous: previousBill('2026-09', [900, 1240, 1240]) });
    expect(codes(draft(two, { ...SETTINGS, consecutiveDrops: 2 }))).toEqual(['CONSECUTIVE_DROPS']);
  });
});

describe('READING_BELOW_PREVIOUS', () => {
  it('fires on a closing reading below the opening one, and bills nothing', () => {
    const bill = draft(FIRING.READING_BELOW_PREVIOUS.input());
    expect(bill.anomalies).toEqual([
      { code: 'READING_BELOW_PREVIOUS', message: `Closing reading below the opening one (no meter change or wrap) on ${HOUSE}`, details: { meters: [HOUSE] } },
    ]);
    expect(bill.status).toBe('held');
    expect(bill.kwh).toBe(0);
    expect(bill.amountFen).toBe(0);
  });

  it('counts a genuine wrap of a 6-digit register: 999 990.00 → 5.00 is 15 kWh', () => {
    const bill = draft(resident('2026-07', 0, { meters: [{ ...singleMeter(0), start: reading(99_999_000), end: reading(500) }] }));
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
    expect(bill.kwh).toBe(15);
    expect(bill.amountFen).toBe(807); // 15 × 0.538 = 8.07
  });

  it('does not mistake a fall near the top of the register, or a fall from low down, for a wrap', () => {
    const nearTop = draft(resident('2026-07', 0, { meters: [{ ...singleMeter(0), start: reading(99_999_000), end: reading(99_000_000) }] }));
    expect(codes(nearTop)).toEqual(['READING_BELOW_PREVIOUS']);
    const fromLow = draft(resident('2026-07', 0, { meters: [{ ...singleMeter(0), start: reading(80_000_000), end: reading(500) }] }));
    expect(codes(fromLow)).toEqual(['READING_BELOW_PREVIOUS']);
  });

  it('names the period register that fell on a TOU meter', () => {
    const meter = peakValleyMeter(180, 120);
    const bill = draft(touResident('2026-07', { ...meter, end: { ...meter.end!, valley: meter.start!.valley! - 100, total: meter.end!.total - 12_100 } }));
    expect(anomaly(bill, 'READING_BELOW_PREVIOUS')?.details).toEqual({ meters: [`${HOUSE}/valley`] });
    expect(bill.amountFen).toBe(0);
  });

  it('counts a wrap of the total register on a peak/valley meter without a TOU mismatch', () => {
    // Total 999 900.00 → 200.00 (wrapped); peak +180.00, valley +120.00: 300 kWh, registers consistent.
    const start = reading(99_990_000, { peak: 60_000_000, valley: 39_990_000 });
    const end = reading(20_000, { peak: 60_018_000, valley: 40_002_000 });
    const bill = draft(touResident('2026-07', { meterNo: HOUSE, multiplier: 1, registers: 'peak_valley', registerDigits: 6, start, end }));
    expect(bill.kwh).toBe(300);
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
  });
});

describe('ESTIMATED_READING and MISSING_READING', () => {
  it('fires on an estimated closing or opening reading, and still prices the bill', () => {
    const bill = draft(FIRING.ESTIMATED_READING.input());
    expect(bill.anomalies).toEqual([{ code: 'ESTIMATED_READING', message: `Estimated reading used for ${HOUSE}`, details: { meters: [HOUSE] } }]);
    expect(bill.kwh).toBe(250);
    const opening = singleMeter(250);
    expect(codes(draft(resident('2026-07', 0, { meters: [{ ...opening, start: { ...opening.start!, quality: 'estimated' } }] })))).toEqual([
      'ESTIMATED_READING',
    ]);
  });

  it('does not fire on actual readings', () => {
    expect(draft(resident('2026-07', 250)).anomalies).toEqual([]);
  });

  it('fires on a meter without a closing reading, holds the bill at zero, and leaves the meter out of the readings', () => {
    const bill = draft(resident('2026-07', 0, { meters: [singleMeter(120, { meterNo: 'ZJ-A' }), { ...singleMeter(250, { meterNo: 'ZJ-B' }), end: null }] }));
    expect(bill.anomalies).toEqual([{ code: 'MISSING_READING', message: 'No reading at the period boundary for ZJ-B', details: { meters: ['ZJ-B'] } }]);
    expect(bill.status).toBe('held');
    expect(bill.kwh).toBe(0);
    expect(bill.amountFen).toBe(0);
    expect(bill.detail.readings.map((row) => row.meterNo)).toEqual(['ZJ-A']);
    expect(codes(draft(resident('2026-07', 0, { meters: [{ ...singleMeter(250), start: null }] })))).toEqual(['MISSING_READING']);
  });

  it('does not fire when every meter has both readings, and adds them up', () => {
    const bill = draft(resident('2026-07', 0, { meters: [singleMeter(120, { meterNo: 'ZJ-A' }), singleMeter(250, { meterNo: 'ZJ-B' })] }));
    expect(bill.anomalies).toEqual([]);
    expect(bill.kwh).toBe(370);
  });

  it('reports a missing reading as missing, not as a −100 % sudden change', () => {
    // The bill is held at zero because it cannot be priced; that zero is not a measured consumption.
    const bill = draft(resident('2026-07', 0, { meters: [{ ...singleMeter(300), end: null }], previous: previousBill('2026-06', [300, 310]) }));
    expect(codes(bill)).toEqual(['MISSING_READING']);
  });
});

describe('TOU_REGISTER_MISMATCH', () => {
  it('fires when the period registers miss the total by more than the tolerance', () => {
    const bill = draft(touResident('2026-07', peakValleyMeter(180, 120, { totalGap: 101 })));
    expect(bill.anomalies).toEqual([
      {
        code: 'TOU_REGISTER_MISMATCH',
        message: `Time-of-use registers do not add up to the total on ${HOUSE}`,
        details: { meters: [{ meterNo: HOUSE, gap: 101 }] },
      },
    ]);
    expect(bill.status).toBe('held');
  });

  it('does not fire at exactly the tolerance, either way', () => {
    expect(draft(touResident('2026-07', peakValleyMeter(180, 120, { totalGap: 100 }))).anomalies).toEqual([]);
    expect(draft(touResident('2026-07', peakValleyMeter(180, 120, { totalGap: -100 }))).anomalies).toEqual([]);
    expect(codes(draft(touResident('2026-07', peakValleyMeter(180, 120, { totalGap: -101 }))))).toEqual(['TOU_REGISTER_MISMATCH']);
  });

  it('checks four-register meters, in raw hundredths before the multiplier', () => {
    expect(codes(draft(plant('2026-11', fourRegisterMeter({ ...AT_CAPACITY, valley: 100_000 }, { totalGap: 150 }))))).toEqual(['TOU_REGISTER_MISMATCH']);
    expect(draft(plant('2026-11', fourRegisterMeter({ ...AT_CAPACITY, valley: 100_000 }, { totalGap: 99 }))).anomalies).toEqual([]);
  });

  it('uses the configured tolerance', () => {
    const input = touResident('2026-07', peakValleyMeter(180, 120, { totalGap: 101 }));
    expect(draft(input, { ...SETTINGS, touToleranceHundredths: 200 }).anomalies).toEqual([]);
  });
});

describe('REVERSE_ENERGY', () => {
  it('fires on energy flowing back on an account without solar', () => {
    const bill = draft(FIRING.REVERSE_ENERGY.input());
    expect(bill.anomalies).toEqual([
      { code: 'REVERSE_ENERGY', message: '5 kWh registered flowing back to the grid on an account with no generation', details: { reverseKwh: 5 } },
    ]);
    expect(bill.status).toBe('held');
  });

  it('does not fire on an account with solar', () => {
    const bill = draft({ ...FIRING.REVERSE_ENERGY.input(), hasSolar: true });
    expect(bill.anomalies).toEqual([]);
    expect(bill.status).toBe('published');
  });

  it('does not fire below a whole kWh, or below the configured minimum', () => {
    expect(draft(resident('2026-07', 0, { meters: [singleMeter(250, { reverse: 99 })] })).anomalies).toEqual([]);
    expect(draft(FIRING.REVERSE_ENERGY.input(), { ...SETTINGS, reverseEnergyMinKwh: 6 }).anomalies).toEqual([]);
    expect(codes(draft(FIRING.REVERSE_ENERGY.input(), { ...SETTINGS, reverseEnergyMinKwh: 5 }))).toEqual(['REVERSE_ENERGY']);
  });

  it('applies the multiplier to the reverse register', () => {
    // 3.00 on the register × 40 = 120 kWh.
    const bill = draft(plant('2026-11', fourRegisterMeter({ ...AT_CAPACITY, valley: 100_000 }, { reverse: 300 })));
    expect(anomaly(bill, 'REVERSE_ENERGY')?.details).toEqual({ reverseKwh: 120 });
  });
});

describe('ABOVE_CONTRACT_CAPACITY', () => {
  it('fires 1 kWh above 315 kVA × 24 h × 30 days', () => {
    const bill = draft(FIRING.ABOVE_CONTRACT_CAPACITY.input());
    expect(bill.kwh).toBe(226_801);
    expect(bill.anomalies).toEqual([
      { code: 'ABOVE_CONTRACT_CAPACITY', message: '226801 kWh is more than 315 kVA can deliver in 30 days (226800 kWh)', details: { ceilingKwh: 226_800 } },
    ]);
    expect(bill.status).toBe('held');
  });

  it('does not fire at exactly the ceiling', () => {
    expect(draft(plant('2026-11', fourRegisterMeter(AT_CAPACITY))).anomalies).toEqual([]);
  });

  it('uses the days of the bill month: the same kWh fits a 31-day month', () => {
    // 315 × 24 × 31 = 234 360 kWh.
    const bill = draft(plant('2026-12', fourRegisterMeter({ ...AT_CAPACITY, valley: 117_003 })));
    expect(bill.anomalies).toEqual([]);
  });

  it('applies the configured load factor', () => {
    const bill = draft(plant('2026-11', fourRegisterMeter(AT_CAPACITY)), { ...SETTINGS, capacityLoadFactorPercent: 50 });
    expect(anomaly(bill, 'ABOVE_CONTRACT_CAPACITY')?.details).toEqual({ ceilingKwh: 113_400 });
  });

  it('does not apply without a contracted capacity', () => {
    expect(draft(plant('2026-11', fourRegisterMeter({ ...AT_CAPACITY, valley: 117_003 }), { contractKva: null })).anomalies).toEqual([]);
  });
});

describe('WRONG_TARIFF_CLASS', () => {
  it('fires on a commercial account on a residential tariff', () => {
    const bill = draft(FIRING.WRONG_TARIFF_CLASS.input());
    expect(bill.anomalies).toEqual([
      { code: 'WRONG_TARIFF_CLASS', message: 'A residential tariff on a commercial account', details: { tariffClass: 'residential' } },
    ]);
    expect(bill.status).toBe('held');
  });

  it('does not fire on a commercial account on the commercial tariff', () => {
    const bill = draft(
      resident('2026-07', 250, { customerClass: 'commercial', tariff: tariff('zj-commercial'), meters: [singleMeter(250, { meterNo: SHOP })] }),
    );
    expect(bill.anomalies).toEqual([]);
    expect(bill.amountFen).toBe(17280); // 250 × 0.664 = 166.00, plus funds 250 × (0.002, 0.0062, 0.019) = 0.50 + 1.55 + 4.75
  });

  it('fires on a time-of-use tariff over a single-register meter', () => {
    const bill = draft(touResident('2026-07', singleMeter(250)));
    expect(anomaly(bill, 'WRONG_TARIFF_CLASS')).toEqual({
      code: 'WRONG_TARIFF_CLASS',
      message: 'The tariff prices time-of-use periods the meter does not register',
    });
    expect(bill.status).toBe('held');
    expect(bill.amountFen).toBe(0);
  });

  it('fires on a four-period tariff over a peak/valley meter', () => {
    const bill = draft(plant('2026-11', peakValleyMeter(180, 120)));
    expect(codes(bill)).toContain('WRONG_TARIFF_CLASS');
  });

  it('does not fire on a single-rate tariff over a peak/valley meter (it bills the total register)', () => {
    const bill = draft(resident('2026-07', 0, { meters: [peakValleyMeter(180, 120)] }));
    expect(bill.anomalies).toEqual([]);
    expect(bill.kwh).toBe(300);
  });

  it('reports a tariff that does not fit the meter as that, not also as zero usage', () => {
    // The meter registered 250 kWh; the bill is zero only because it could not be priced.
    const bill = draft(touResident('2026-07', singleMeter(250)));
    expect(codes(bill)).toEqual(['WRONG_TARIFF_CLASS']);
  });
});
