import { describe, expect, it } from 'vitest';
import { DEMO_METERS } from '../../mock/src/ami-profiles';
import { firstOfMonth, meterSeries, type Registers } from '../../mock/src/ami-series';
import { computeDraft } from '../../server/src/modules/billing/compute';
import { DEFAULT_BILLING_SETTINGS } from '../../server/src/modules/billing/settings';
import type { MeterInput, PreviousBill, ReadingValues } from '../../server/src/modules/billing/types';
import { addMonths, registerKwh } from '../../shared/tariff/engine';
import { TARIFF_PRESETS, tariffInForce } from '../../shared/tariff/presets';

/*
 * The demo's year of bills is made from the mock metering system relative to today, so which
 * months the billing tests see depends on the date they run. The two demo accounts the mock keeps
 * clean must therefore bill clean in every month, not only in the months of one test day.
 */
const CLEAN = [
  { meterNo: 'M3301000001', tariffCode: 'zj-residential-tou' },
  { meterNo: 'M3301000002', tariffCode: 'zj-residential' },
];
const FIRST = '2024-01';
const LAST = '2031-12';

function values(registers: Registers, layout: MeterInput['registers']): ReadingValues {
  const tou = layout !== 'single';
  return {
    total: registers.total,
    sharp: layout === 'four' ? registers.sharp : null,
    peak: tou ? registers.peak : null,
    flat: layout === 'four' ? registers.flat : null,
    valley: tou ? registers.valley : null,
    reverse: registers.reverse,
    quality: 'actual',
  };
}

describe('the demo accounts the mock keeps clean bill clean in every month', () => {
  it.each(CLEAN)('$meterNo: kWh is the total register, periods add up to it, nothing held, 2024–2031', ({ meterNo, tariffCode }) => {
    const profile = DEMO_METERS.find((meter) => meter.meterNo === meterNo)!;
    const series = meterSeries(profile, new Map());
    let previous: PreviousBill | null = null;
    const held: string[] = [];
    for (let month = FIRST; month <= LAST; month = addMonths(month, 1)) {
      const [start, end] = [series(firstOfMonth(month)), series(firstOfMonth(month, 1))];
      const meter: MeterInput = {
        meterNo,
        multiplier: profile.multiplier,
        registers: profile.registers,
        registerDigits: 6,
        start: values(start, profile.registers),
        end: values(end, profile.registers),
      };
      const tariff = tariffInForce(TARIFF_PRESETS, tariffCode, month)!;
      const draft = computeDraft(
        { month, customerClass: 'residential', tariff, contractKva: null, hasSolar: false, vacant: false, meters: [meter], previous },
        DEFAULT_BILLING_SETTINGS.anomalies,
      );
      if (draft.anomalies.length) held.push(`${month}: ${draft.anomalies.map((anomaly) => anomaly.code).join(', ')}`);
      expect(draft.kwh, month).toBe(registerKwh(end.total, profile.multiplier) - registerKwh(start.total, profile.multiplier));
      expect(draft.kwh, month).toBeGreaterThan(150);
      const energy = draft.detail.lines.filter((line) => line.kind === 'energy');
      expect(
        energy.reduce((sum, line) => sum + line.quantity, 0),
        month,
      ).toBe(draft.kwh);
      previous = { month, status: draft.status, kwh: draft.kwh, tierCountedKwh: draft.tierCountedKwh, history: draft.history };
    }
    expect(held).toEqual([]);
  });
});
