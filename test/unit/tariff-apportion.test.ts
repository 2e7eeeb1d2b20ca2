import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDraft } from '../../server/src/modules/billing/compute';
import { DEFAULT_BILLING_SETTINGS } from '../../server/src/modules/billing/settings';
import { apportion, computeBill, registerAdvance } from '../../shared/tariff/engine';
import { TARIFF_PRESETS } from '../../shared/tariff/presets';
import type { Tariff, TariffVersion } from '../../shared/tariff/types';

/*
 * Engine rule 4: the total register is the billing truth; time-of-use registers only divide it.
 */
const preset = (code: string): TariffVersion => TARIFF_PRESETS.find((tariff) => tariff.code === code)!;

describe('apportion: largest remainder', () => {
  it('gives each part its share, the leftover units to the largest remainders', () => {
    expect(apportion(300, [180, 120])).toEqual([180, 120]);
    // 338 × 20283 / 33823 = 202.69…, 338 × 13540 / 33823 = 135.30…: the one unit left goes to the first.
    expect(apportion(338, [20_283, 13_540])).toEqual([203, 135]);
    expect(apportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(apportion(2, [1, 1, 1, 1])).toEqual([1, 1, 0, 0]);
    expect(apportion(0, [5, 7])).toEqual([0, 0]);
    expect(apportion(9, [0, 4, 0])).toEqual([0, 9, 0]);
  });

  it('splits evenly over weights that are all zero, so no kWh is lost', () => {
    expect(apportion(7, [0, 0])).toEqual([4, 3]);
    expect(apportion(0, [])).toEqual([]);
    expect(() => apportion(1, [])).toThrow(RangeError);
  });

  it('is exact where total × weights passes 2^53 (a large-industry meter behind CTs)', () => {
    // 9 000 001 kWh over hundredths × 40 multiplier of about 2.25e10 each.
    const weights = [22_500_000_040, 22_500_000_000, 22_499_999_960, 1];
    const parts = apportion(9_000_001, weights);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(9_000_001);
    const sum = weights.reduce((a, b) => BigInt(a) + BigInt(b), 0n);
    parts.forEach((part, index) => {
      const exact = (BigInt(9_000_001) * BigInt(weights[index]!) * 1000n) / sum;
      expect(Math.abs(part * 1000 - Number(exact))).toBeLessThan(1000);
    });
  });

  it('refuses negative or fractional input', () => {
    expect(() => apportion(-1, [1])).toThrow(RangeError);
    expect(() => apportion(1.5, [1])).toThrow(RangeError);
    expect(() => apportion(1, [-1, 2])).toThrow(RangeError);
  });

  const weightsArb = fc.array(fc.integer({ min: 0, max: 2_000_000_000 }), { minLength: 1, maxLength: 4 });
  const totalArb = fc.integer({ min: 0, max: 50_000_000 });

  it('always adds up to the total and never goes negative (property)', () => {
    fc.assert(
      fc.property(totalArb, weightsArb, (total, weights) => {
        const parts = apportion(total, weights);
        return parts.length === weights.length && parts.every((part) => Number.isSafeInteger(part) && part >= 0) && parts.reduce((a, b) => a + b, 0) === total;
      }),
    );
  });

  it('keeps every part within one unit of its exact share (property)', () => {
    fc.assert(
      fc.property(
        totalArb,
        weightsArb.filter((weights) => weights.some((weight) => weight > 0)),
        (total, weights) => {
          const parts = apportion(total, weights);
          const sum = weights.reduce((a, b) => a + BigInt(b), 0n);
          // |part − total × w / Σw| < 1, in integers: |part × Σw − total × w| < Σw.
          return parts.every((part, index) => {
            const gap = BigInt(part) * sum - BigInt(total) * BigInt(weights[index]!);
            return (gap < 0n ? -gap : gap) < sum;
          });
        },
      ),
    );
  });

  it('returns the weights themselves when they already add up to the total (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 4 }), (weights) => {
        expect(
          apportion(
            weights.reduce((a, b) => a + b, 0),
            weights,
          ),
        ).toEqual(weights);
      }),
    );
  });

  it('gives a heavier weight never fewer units than a lighter one (property)', () => {
    fc.assert(
      fc.property(totalArb, weightsArb, (total, weights) => {
        const parts = apportion(total, weights);
        return weights.every((a, i) => weights.every((b, j) => !(a > b) || parts[i]! >= parts[j]!));
      }),
    );
  });
});

describe('computeBill on time-of-use tariffs', () => {
  const tou = fc.constantFrom(...TARIFF_PRESETS.filter((tariff) => tariff.pricing.kind === 'tou')) as fc.Arbitrary<Tariff>;

  it('bills the total register and divides it between the periods (property)', () => {
    fc.assert(
      fc.property(
        tou,
        fc.integer({ min: 0, max: 200_000 }),
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 4, maxLength: 4 }),
        (tariff, totalKwh, advances) => {
          const periods = Object.keys(tariff.pricing.kind === 'tou' ? tariff.pricing.rates : {});
          const periodAdvance = Object.fromEntries(periods.map((period, index) => [period, advances[index]!]));
          const bill = computeBill({ tariff, month: '2026-06', totalKwh, periodAdvance });
          return (
            bill.kwh === totalKwh && bill.periods.reduce((sum, period) => sum + period.kwh, 0) === totalKwh && bill.periods.every((period) => period.kwh >= 0)
          );
        },
      ),
    );
  });
});

describe('a bill run on a peak/valley meter whose registers truncate differently from the total', () => {
  // The demo resident's meter in November 2026: each register truncated on its own gives
  // 203 peak + 136 valley = 339 kWh, while the total register advanced 20476.73 → 20814.96 = 338 kWh.
  const start = { total: 2_047_673, sharp: null, peak: 1_228_182, flat: null, valley: 819_491, reverse: 0, quality: 'actual' as const };
  const end = { total: 2_081_496, sharp: null, peak: 1_248_465, flat: null, valley: 833_031, reverse: 0, quality: 'actual' as const };
  const meter = { meterNo: 'M3301000001', multiplier: 1, registers: 'peak_valley' as const, registerDigits: 6, start, end };
  const input = {
    month: '2026-11',
    customerClass: 'residential' as const,
    tariff: preset('zj-residential-tou'),
    contractKva: null,
    hasSolar: false,
    vacant: false,
    previous: null,
  };

  it('bills the total register, periods apportioned to it, and publishes the bill', () => {
    const draft = computeDraft({ ...input, meters: [meter] }, DEFAULT_BILLING_SETTINGS.anomalies);
    expect(draft.kwh).toBe(338);
    expect(draft.detail.lines.filter((line) => line.kind === 'energy').map((line) => [line.key, line.quantity])).toEqual([
      ['peak', 203],
      ['valley', 135],
    ]);
    expect(draft.anomalies).toEqual([]);
    expect(draft.status).toBe('published');
  });

  it('weights each meter by its multiplier when an account has two', () => {
    const behindCts = { ...meter, meterNo: 'M2', multiplier: 40 };
    const draft = computeDraft({ ...input, meters: [meter, behindCts] }, DEFAULT_BILLING_SETTINGS.anomalies);
    // Totals: 338 + (⌊2081496 × 40 / 100⌋ − ⌊2047673 × 40 / 100⌋) = 338 + 13529 kWh; peak:valley stays 20283:13540.
    expect(draft.kwh).toBe(338 + 13_529);
    const quantities = draft.detail.lines.filter((line) => line.kind === 'energy').map((line) => line.quantity);
    expect(quantities).toEqual(apportion(338 + 13_529, [20_283 * 41, 13_540 * 41]));
    expect(registerAdvance(start.peak, end.peak)).toBe(20_283);
  });

  it('still sends a disagreement beyond the tolerance to review, with its rule code', () => {
    const off = { ...meter, end: { ...end, peak: end.peak + 5_000 } };
    const draft = computeDraft({ ...input, meters: [off] }, DEFAULT_BILLING_SETTINGS.anomalies);
    expect(draft.anomalies.map((anomaly) => anomaly.code)).toEqual(['TOU_REGISTER_MISMATCH']);
    expect(draft.status).toBe('held');
    // The held draft still bills the total register, not the inflated peak register.
    expect(draft.kwh).toBe(338);
  });
});
