import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBill } from '../../shared/tariff/engine';
import { adjustmentFen, powerFactorAdjustmentBp, powerFactorHundredths } from '../../shared/tariff/power-factor';
import { TARIFF_PRESETS } from '../../shared/tariff/presets';
import type { PowerFactorStandard, Tariff } from '../../shared/tariff/types';

const preset = (code: string): Tariff => TARIFF_PRESETS.find((tariff) => tariff.code === code)!;
const industry = preset('zj-large-industry');
const lines = (bill: ReturnType<typeof computeBill>) => bill.lines.map((line) => [line.kind, line.key, line.quantity, line.rate, line.amountFen]);

describe('a 630 kVA factory on the two-part large-industry tariff, by hand', () => {
  // October: 292,694 kWh, split 29,269 sharp / 102,443 peak / 87,808 flat / 73,174 valley; 124,000 kvarh.
  const october = { tariff: industry, month: '2026-10', totalKwh: 292_694, periodAdvance: { sharp: 29_269, peak: 102_443, flat: 87_808, valley: 73_174 } };

  it('bills energy, capacity, the power-factor reduction and the funds, adding up to the total', () => {
    const bill = computeBill({ ...october, contractKva: 630, powerFactor: { standard: 90, reactiveKvarh: 124_000 } });
    // Energy, each line half-up to the fen:
    //   sharp  29,269 × 1.0212 = 29,889.5028 → 29,889.50
    //   peak  102,443 × 0.8510 = 87,178.9993 → 87,179.00 (8,717,899.30 fen → 8,717,899)
    //   flat   87,808 × 0.6012 = 52,790.1696 → 52,790.17
    //   valley 73,174 × 0.2902 = 21,235.0948 → 21,235.09
    //   energy 191,093.75 yuan.
    // Basic charge by capacity: 630 kVA × 30 yuan = 18,900.00.
    // cos φ = 292,694 / √(292,694² + 124,000²) = 0.92078 → 0.92; standard 0.90 → −0.30 %.
    //   (191,093.75 + 18,900.00) × −0.30 % = −629.98125 → −629.98.
    // Funds, kWh × rate: 292,694 × 0.002 = 585.388 → 585.39; × 0.0062 = 1,814.7028 → 1,814.70;
    //   × 0.019 = 5,561.186 → 5,561.19.
    // Total: 191,093.75 + 18,900.00 − 629.98 + 585.39 + 1,814.70 + 5,561.19 = 217,325.05 yuan.
    expect(lines(bill)).toEqual([
      ['energy', 'sharp', 29_269, 10_212, 2_988_950],
      ['energy', 'peak', 102_443, 8_510, 8_717_899],
      ['energy', 'flat', 87_808, 6_012, 5_279_017],
      ['energy', 'valley', 73_174, 2_902, 2_123_509],
      ['demand', 'capacity', 630, 300_000, 1_890_000],
      ['power_factor', '0.90', 92, -30, -62_998],
      ['fund', 'water_project', 292_694, 20, 58_539],
      ['fund', 'reservoir_resettlement', 292_694, 62, 181_470],
      ['fund', 'renewable', 292_694, 190, 556_119],
    ]);
    expect(bill.totalFen).toBe(21_732_505);
    expect(bill.powerFactor).toEqual({ standard: 90, factor: 92, activeKwh: 292_694, reactiveKvarh: 124_000, adjustmentBp: -30, baseFen: 20_999_375 });
    expect(bill.lines.find((line) => line.kind === 'fund')?.name).toBe('国家重大水利工程建设基金');
  });

  it('bills the basic charge by maximum demand for an account that chose it', () => {
    // 512 kW × 48 yuan = 24,576.00 yuan, whatever the contracted capacity.
    const bill = computeBill({ ...october, contractKva: 630, demandBasis: 'max_demand', maxDemandKw: 512 });
    expect(bill.lines.filter((line) => line.kind === 'demand')).toEqual([
      { kind: 'demand', key: 'max_demand', quantity: 512, rate: 480_000, amountFen: 2_457_600 },
    ]);
    expect(bill.lines.some((line) => line.kind === 'power_factor')).toBe(false);
  });

  it('surcharges a poor factor: 0.80 against 0.90 is +5 %', () => {
    // tan φ = 0.75 → cos φ = 0.80 exactly: P 400,000, Q 300,000 (flat only for the sum).
    const bill = computeBill({
      ...october,
      totalKwh: 400_000,
      periodAdvance: { flat: 1 },
      contractKva: 630,
      powerFactor: { standard: 90, reactiveKvarh: 300_000 },
    });
    // 400,000 × 0.6012 = 240,480.00; + 18,900.00 = 259,380.00; × 5 % = 12,969.00.
    expect(bill.lines.find((line) => line.kind === 'power_factor')).toMatchObject({ quantity: 80, rate: 500, amountFen: 1_296_900 });
  });
});

describe('power factor: cos φ in hundredths, half-up', () => {
  it('reads the factor exactly at the rounding edge', () => {
    expect(powerFactorHundredths(4, 3)).toBe(80);
    expect(powerFactorHundredths(100, 0)).toBe(100);
    expect(powerFactorHundredths(0, 100)).toBe(0);
    expect(powerFactorHundredths(0, 0)).toBeNull();
    // Either side of 0.905: 0.904984… → 0.90 and 0.905020… → 0.91.
    expect(powerFactorHundredths(9051, 4255)).toBe(90);
    expect(powerFactorHundredths(9053, 4255)).toBe(91);
  });
});

describe('power factor: the national adjustment tables', () => {
  const table = (standard: PowerFactorStandard, factors: number[]) => factors.map((factor) => powerFactorAdjustmentBp(standard, factor));
  it('0.90 standard', () => {
    expect(table(90, [100, 95, 94, 93, 92, 91, 90])).toEqual([-75, -75, -60, -45, -30, -15, 0]);
    expect(table(90, [89, 80, 70, 69, 65, 64, 60])).toEqual([50, 500, 1000, 1100, 1500, 1700, 2500]);
  });
  it('0.85 standard', () => {
    expect(table(85, [100, 94, 93, 92, 91, 90, 86, 85])).toEqual([-110, -110, -95, -80, -65, -50, -10, 0]);
    expect(table(85, [84, 65, 64, 60, 59])).toEqual([50, 1000, 1100, 1500, 1700]);
  });
  it('0.80 standard', () => {
    expect(table(80, [100, 92, 91, 90, 81, 80])).toEqual([-130, -130, -115, -100, -10, 0]);
    expect(table(80, [79, 60, 59, 55, 54])).toEqual([50, 1000, 1100, 1500, 1700]);
  });
  it('rounds the amount half away from zero', () => {
    expect(adjustmentFen(10_000, -15)).toBe(-15);
    expect(adjustmentFen(333, 15)).toBe(0); // 0.4995
    expect(adjustmentFen(334, -15)).toBe(-1); // −0.501
    expect(adjustmentFen(20_999_375, -30)).toBe(-62_998);
  });
});

describe('business bills: properties', () => {
  const standard = fc.constantFrom<PowerFactorStandard>(90, 85, 80);
  it('the adjustment never rises as the factor improves', () => {
    fc.assert(
      fc.property(standard, fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 100_000_000 }), (std, factor, base) => {
        return (
          powerFactorAdjustmentBp(std, factor + 1) <= powerFactorAdjustmentBp(std, factor) &&
          adjustmentFen(base, powerFactorAdjustmentBp(std, factor + 1)) <= adjustmentFen(base, powerFactorAdjustmentBp(std, factor))
        );
      }),
    );
  });

  it('lines sum to the total and periods to the kWh, with every business line present', () => {
    const advance = fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(
        advance,
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        standard,
        fc.boolean(),
        (parts, totalKwh, reactive, std, byDemand) => {
          const [sharp, peak, flat, valley] = parts as [number, number, number, number];
          const bill = computeBill({
            tariff: industry,
            month: '2026-10',
            totalKwh,
            periodAdvance: { sharp, peak, flat, valley },
            contractKva: 630,
            demandBasis: byDemand ? 'max_demand' : 'capacity',
            maxDemandKw: 400,
            powerFactor: { standard: std, reactiveKvarh: reactive },
          });
          return (
            bill.lines.reduce((sum, line) => sum + line.amountFen, 0) === bill.totalFen &&
            bill.periods.reduce((sum, period) => sum + period.kwh, 0) === totalKwh &&
            bill.lines.filter((line) => line.kind === 'fund').length === 3
          );
        },
      ),
    );
  });
});
