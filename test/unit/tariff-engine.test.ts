import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, computeBill, formatRate, lineAmount, rate, registerDelta, registerKwh, tierPosition, tierYearStart } from '../../shared/tariff/engine';
import { GUANGDONG, TARIFF_PRESETS, ZHEJIANG, tariffInForce } from '../../shared/tariff/presets';
import type { Period, Tariff } from '../../shared/tariff/types';

const preset = (code: string): Tariff => TARIFF_PRESETS.find((tariff) => tariff.code === code)!;
const amounts = (bill: ReturnType<typeof computeBill>) => bill.lines.map((line) => [line.kind, line.key, line.quantity, line.amountFen]);

describe('tariff engine: hand-computed bills from the published Zhejiang figures', () => {
  it('crosses from tier 1 into tier 2 inside one bill', () => {
    // 2700 kWh used this year; 300 more: 60 at 0.538 and 240 at 0.588 = 32.28 + 141.12 = 173.40 yuan.
    const bill = computeBill({ tariff: preset('zj-residential'), month: '2026-11', totalKwh: 300, tierYearKwhBefore: 2700 });
    expect(bill.tiers).toEqual([
      { tier: 1, kwh: 60 },
      { tier: 2, kwh: 240 },
      { tier: 3, kwh: 0 },
    ]);
    expect(amounts(bill)).toEqual([
      ['energy', 'single', 300, 16140],
      ['tier_adder', '2', 240, 1200],
    ]);
    expect(bill.totalFen).toBe(17340);
    expect(bill.tierCountedKwh).toBe(3000);
  });

  it('crosses two tier boundaries in one bill', () => {
    // 60 × 0.538 + 2040 × 0.588 + 100 × 0.838 = 32.28 + 1199.52 + 83.80 = 1315.60 yuan.
    const bill = computeBill({ tariff: preset('zj-residential'), month: '2026-12', totalKwh: 2200, tierYearKwhBefore: 2700 });
    expect(bill.tiers.map((tier) => tier.kwh)).toEqual([60, 2040, 100]);
    expect(bill.totalFen).toBe(131560);
  });

  it('prices peak/valley kWh at their period rates plus the tier adders', () => {
    // 4700 kWh before; 180 peak + 120 valley: 100 kWh in tier 2, 200 in tier 3.
    // 180 × 0.568 + 120 × 0.288 + 100 × 0.05 + 200 × 0.30 = 102.24 + 34.56 + 5.00 + 60.00 = 201.80 yuan.
    const bill = computeBill({
      tariff: preset('zj-residential-tou'),
      month: '2026-10',
      totalKwh: 300,
      periodAdvance: { peak: 180, valley: 120 },
      tierYearKwhBefore: 4700,
    });
    expect(amounts(bill)).toEqual([
      ['energy', 'peak', 180, 10224],
      ['energy', 'valley', 120, 3456],
      ['tier_adder', '2', 100, 500],
      ['tier_adder', '3', 200, 6000],
    ]);
    expect(bill.totalFen).toBe(20180);
  });

  it('resets annual tiers at the start of the tier year', () => {
    expect(tierYearStart('2026-11', { yearStartMonth: 1 })).toBe('2026-01');
    expect(tierYearStart('2026-02', { yearStartMonth: 7 })).toBe('2025-07');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 13)).toBe('2027-01');
  });

  it('bills a two-part large-industry tariff: four periods plus capacity', () => {
    const bill = computeBill({
      tariff: preset('zj-large-industry'),
      month: '2026-11',
      totalKwh: 610,
      periodAdvance: { sharp: 10, peak: 100, flat: 200, valley: 300 },
      contractKva: 315,
    });
    // 10.212 → 10.21; 85.10; 120.24; 87.06; 315 kVA × 30 = 9450.00 yuan; funds on 610 kWh:
    // × 0.002 = 1.22, × 0.0062 = 3.782 → 3.78, × 0.019 = 11.59.
    expect(bill.lines.map((line) => line.amountFen)).toEqual([1021, 8510, 12024, 8706, 945000, 122, 378, 1159]);
    expect(bill.totalFen).toBe(976920);
  });

  it('refuses a register advance on a period the tariff does not price', () => {
    expect(() => computeBill({ tariff: preset('zj-residential-tou'), month: '2026-11', totalKwh: 6, periodAdvance: { peak: 1, flat: 5 } })).toThrow(
      /no flat rate/,
    );
  });
});

describe('tariff engine: a monthly-tier province (Guangdong)', () => {
  const tariff = GUANGDONG[0]!;
  it('uses the summer limits from May to October', () => {
    // July: 260 / 340 / 100 → 700 × 0.588 + 340 × 0.05 + 100 × 0.30 = 411.60 + 17.00 + 30.00.
    const july = computeBill({ tariff, month: '2026-07', totalKwh: 700, tierYearKwhBefore: 99_999 });
    expect(july.tiers.map((tier) => tier.kwh)).toEqual([260, 340, 100]);
    expect(july.totalFen).toBe(45860);
    // January: 200 / 200 / 300 → 411.60 + 10.00 + 90.00. Earlier months never count.
    const january = computeBill({ tariff, month: '2026-01', totalKwh: 700, tierYearKwhBefore: 5000 });
    expect(january.tiers.map((tier) => tier.kwh)).toEqual([200, 200, 300]);
    expect(january.totalFen).toBe(51160);
  });
});

describe('tariff engine: rounding and meter arithmetic', () => {
  it('parses and prints rates exactly', () => {
    expect(rate('0.538')).toBe(5380);
    expect(rate('0.4153')).toBe(4153);
    expect(rate('1')).toBe(10000);
    expect(formatRate(5380)).toBe('0.538');
    expect(formatRate(6180)).toBe('0.618');
    expect(formatRate(10212)).toBe('1.0212');
    expect(() => rate('0.12345')).toThrow();
  });

  it('rounds each line half-up to the fen', () => {
    expect(lineAmount(1, 5380)).toBe(54); // 53.8
    expect(lineAmount(3, 5380)).toBe(161); // 161.4
    expect(lineAmount(1, 5350)).toBe(54); // 53.5 → up
    expect(lineAmount(1, 5349)).toBe(53);
  });

  it('truncates after the multiplier so fractions carry to the next bill', () => {
    expect(registerKwh(1234567, 1)).toBe(12345);
    expect(registerKwh(12345, 40)).toBe(4938);
    expect(registerDelta(1000050, 1000150, 1)).toBe(1);
    expect(registerDelta(1000099, 1000101, 1)).toBe(1);
  });

  it('counts a register that wrapped, and refuses any other fall', () => {
    const wrapAt = 100_000_000; // 999999.99 kWh then 0
    expect(registerDelta(99_999_000, 2_000, 1, wrapAt)).toBe(30);
    expect(registerDelta(5_000_000, 4_000_000, 1, wrapAt)).toBeNull();
    expect(registerDelta(99_999_000, 2_000, 1)).toBeNull();
  });

  it('loses no energy across any sequence of readings (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 24 }),
        fc.integer({ min: 1, max: 200 }),
        (start, steps, multiplier) => {
          let previous = start;
          let billed = 0;
          for (const step of steps) {
            billed += registerDelta(previous, previous + step, multiplier)!;
            previous += step;
          }
          return billed === registerKwh(previous, multiplier) - registerKwh(start, multiplier);
        },
      ),
    );
  });

  it('picks the tariff version in force on the first day of the month', () => {
    const versions = [
      { code: 'x', effectiveFrom: '2020-01-01', version: 1 },
      { code: 'x', effectiveFrom: '2026-07-01', version: 2 },
    ];
    expect(tariffInForce(versions, 'x', '2026-06')?.version).toBe(1);
    expect(tariffInForce(versions, 'x', '2026-07')?.version).toBe(2);
    expect(tariffInForce(versions, 'x', '2019-12')).toBeUndefined();
  });
});

describe('tariff engine: tier card', () => {
  it('says which tier the customer is in and how far the next one is', () => {
    const position = tierPosition(preset('zj-residential'), '2026-11', 2500)!;
    expect(position).toMatchObject({ tier: 1, kwhToNextTier: 260, limits: [2760, 4800] });
    expect(position.rates.map((tier) => tier.single)).toEqual([5380, 5880, 8380]);
    expect(tierPosition(preset('zj-residential'), '2026-11', 2760)).toMatchObject({ tier: 2, kwhToNextTier: 2040 });
    expect(tierPosition(preset('zj-residential'), '2026-11', 5000)).toMatchObject({ tier: 3, kwhToNextTier: null });
    const tou = tierPosition(preset('zj-residential-tou'), '2026-11', 0)!;
    expect(tou.rates[1]).toEqual({ tier: 2, periods: { peak: 6180, valley: 3380 } });
    expect(tierPosition(preset('zj-commercial'), '2026-11', 100)).toBeNull();
  });
});

// Properties over every shipped tariff.
const tariffArb = fc.constantFrom(...TARIFF_PRESETS);
const monthArb = fc.integer({ min: 1, max: 12 }).map((month) => `2026-${String(month).padStart(2, '0')}`);
function usage(tariff: Tariff, kwh: number[]): { totalKwh: number; periodAdvance?: Partial<Record<Period, number>> } {
  if (tariff.pricing.kind === 'single') return { totalKwh: kwh.reduce((a, b) => a + b, 0) };
  const periods = Object.keys(tariff.pricing.rates) as Period[];
  const advance = periods.map((_, index) => kwh[index] ?? 0);
  return { totalKwh: advance.reduce((a, b) => a + b, 0), periodAdvance: Object.fromEntries(periods.map((period, index) => [period, advance[index]!])) };
}
const kwhArb = fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 4, maxLength: 4 });

describe('tariff engine: properties', () => {
  it('month arithmetic keeps every month a YYYY-MM month, in any century', () => {
    const month = fc
      .tuple(fc.integer({ min: 1, max: 9998 }), fc.integer({ min: 1, max: 12 }))
      .map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(month, fc.integer({ min: -11, max: 11 }), (start, delta) => {
        const moved = addMonths(start, delta);
        return /^\d{4}-(0[1-9]|1[0-2])$/.test(moved) && addMonths(moved, -delta) === start;
      }),
    );
    expect(addMonths('0001-01', 1)).toBe('0001-02');
    expect(addMonths('0999-12', 1)).toBe('1000-01');
  });

  it('line items always sum exactly to the total', () => {
    fc.assert(
      fc.property(tariffArb, monthArb, kwhArb, fc.integer({ min: 0, max: 10_000 }), (tariff, month, kwh, before) => {
        const bill = computeBill({ tariff, month, ...usage(tariff, kwh), tierYearKwhBefore: before, contractKva: 200 });
        return bill.lines.reduce((sum, line) => sum + line.amountFen, 0) === bill.totalFen && bill.kwh === bill.tiers.reduce((sum, tier) => sum + tier.kwh, 0);
      }),
    );
  });

  it('never charges less for more kWh', () => {
    fc.assert(
      fc.property(
        tariffArb,
        monthArb,
        kwhArb,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (tariff, month, kwh, index, extra, before) => {
          const more = kwh.map((value, position) => (position === index ? value + extra : value));
          const base = computeBill({ tariff, month, ...usage(tariff, kwh), tierYearKwhBefore: before });
          const bigger = computeBill({ tariff, month, ...usage(tariff, more), tierYearKwhBefore: before });
          return bigger.totalFen >= base.totalFen;
        },
      ),
    );
  });

  it('gives the same amount for one bill or the same kWh split in two, when tiers are annual', () => {
    const annual = ZHEJIANG.filter((tariff) => tariff.tiers?.basis === 'annual');
    fc.assert(
      fc.property(fc.constantFrom(...annual), kwhArb, kwhArb, fc.integer({ min: 0, max: 6_000 }), (tariff, first, second, before) => {
        const whole = computeBill({
          tariff,
          month: '2026-06',
          ...usage(
            tariff,
            first.map((kwh, index) => kwh + second[index]!),
          ),
          tierYearKwhBefore: before,
        });
        const one = computeBill({ tariff, month: '2026-06', ...usage(tariff, first), tierYearKwhBefore: before });
        const two = computeBill({ tariff, month: '2026-06', ...usage(tariff, second), tierYearKwhBefore: one.tierCountedKwh });
        const exact = (bill: typeof one) => bill.lines.reduce((sum, line) => sum + line.quantity * line.rate, 0);
        // Exactly equal before rounding; after it, each line of each bill may differ by half a fen.
        const tolerance = (whole.lines.length + one.lines.length + two.lines.length) / 2;
        return (
          exact(one) + exact(two) === exact(whole) &&
          Math.abs(one.totalFen + two.totalFen - whole.totalFen) <= tolerance &&
          two.tierCountedKwh === whole.tierCountedKwh
        );
      }),
    );
  });
});
