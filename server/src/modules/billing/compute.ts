import type { Anomaly, BillingSettings } from '../../../../shared/contracts/billing';
import { addMonths, computeBill, monthOf, registerAdvance, registerDelta, tierLimits, tierYearStart } from '../../../../shared/tariff/engine';
import type { CustomerClass, Period, PowerFactorStandard, TariffVersion } from '../../../../shared/tariff/types';
import { evaluateRules } from './anomalies';
import type { MeterInput, PreviousBill, StoredBillDetail } from './types';

export interface AccountBillingInput {
  month: string;
  customerClass: CustomerClass;
  tariff: TariffVersion;
  contractKva: number | null;
  /** Two-part tariffs: how the basic charge is counted (null: by capacity). */
  demandBasis?: 'capacity' | 'max_demand' | null;
  /** Accounts assessed under 《功率因数调整电费办法》: 90, 85 or 80; null when not assessed. */
  powerFactorStandard?: PowerFactorStandard | null;
  hasSolar: boolean;
  vacant: boolean;
  meters: MeterInput[];
  previous: PreviousBill | null;
}

export interface BillDraft {
  status: 'held' | 'published';
  kwh: number;
  amountFen: number;
  tierCountedKwh: number;
  history: (number | null)[];
  detail: StoredBillDetail;
  anomalies: Anomaly[];
}

export const HISTORY_MONTHS = 13;

/** The calendar period a bill month covers: first and last day (inclusive) and the number of days. */
export function billPeriod(month: string): { start: string; end: string; days: number } {
  const days = daysInMonth(month);
  return { start: `${month}-01`, end: `${month}-${String(days).padStart(2, '0')}`, days };
}

export function daysInMonth(month: string): number {
  const { year, month: mm } = monthOf(month);
  return new Date(Date.UTC(year, mm, 0)).getUTCDate();
}

/** How many months lie between two bill months (b − a). */
export function monthsBetween(a: string, b: string): number {
  const x = monthOf(a);
  const y = monthOf(b);
  return (y.year - x.year) * 12 + (y.month - x.month);
}

/** Days in each of the 13 months ending with `month`, newest first; the same for every account of a run. */
const historyDaysByMonth = new Map<string, readonly number[]>();
function historyDaysOf(month: string): readonly number[] {
  let days = historyDaysByMonth.get(month);
  if (!days) historyDaysByMonth.set(month, (days = Array.from({ length: HISTORY_MONTHS }, (_, back) => daysInMonth(addMonths(month, -back)))));
  return days;
}

/** A register's advance as the meter counts it (hundredths, before the multiplier), unwrapped once. */
function rawAdvance(from: number, to: number, wrapAt: number): number {
  return to >= from ? to - from : to + wrapAt - from;
}

const TOU_REGISTERS: Record<MeterInput['registers'], Period[]> = { single: [], peak_valley: ['peak', 'valley'], four: ['sharp', 'peak', 'flat', 'valley'] };

/**
 * One account's bill for one month, from its meters' opening and closing readings, its previous
 * bill and its tariff. Pure: the bill run and a review's recomputation both call it.
 */
export function computeDraft(input: AccountBillingInput, settings: BillingSettings['anomalies']): BillDraft {
  const { tariff, month } = input;
  const days = historyDaysOf(month)[0]!;
  const missing: string[] = [];
  const estimated: string[] = [];
  const fallen: string[] = [];
  const touGaps: { meterNo: string; gap: number }[] = [];
  let totalKwh = 0;
  let reverseKwh = 0;
  /** Reactive kvarh (null once a meter lacks the register) and maximum demand in hundredths of a kW, after multipliers. */
  let reactiveKvarh: number | null = 0;
  let maxDemandHundredths: number | null = 0;
  /** Per period: the registers' advance in hundredths × multiplier, which divides the total's kWh. */
  const periodAdvance: Partial<Record<Period, number>> = {};
  const wantsPeriods = tariff.pricing.kind === 'tou' ? (Object.keys(tariff.pricing.rates) as Period[]) : [];
  let tariffFitsMeter = true;

  for (const meter of input.meters) {
    const { start, end } = meter;
    if (!start || !end) {
      missing.push(meter.meterNo);
      continue;
    }
    if (start.quality === 'estimated' || end.quality === 'estimated') estimated.push(meter.meterNo);
    // Helpers here are plain calls, not closures: this loop runs for every meter of a bill run.
    const wrapAt = 10 ** meter.registerDigits * 100;
    const total = registerDelta(start.total, end.total, meter.multiplier, wrapAt);
    if (total === null) {
      fallen.push(meter.meterNo);
      continue;
    }
    totalKwh += total;
    reverseKwh += registerDelta(start.reverse, end.reverse, meter.multiplier, wrapAt) ?? 0;
    const reactive = start.reactive != null && end.reactive != null ? registerDelta(start.reactive, end.reactive, meter.multiplier, wrapAt) : null;
    reactiveKvarh = reactive === null || reactiveKvarh === null ? null : reactiveKvarh + reactive;
    // The closing reading holds the month's maximum demand; meters of one account are summed (a simplification).
    maxDemandHundredths = end.maxDemand == null || maxDemandHundredths === null ? null : maxDemandHundredths + end.maxDemand * meter.multiplier;

    const registers = TOU_REGISTERS[meter.registers];
    if (registers.length) {
      let periods = 0;
      for (const period of registers) periods += rawAdvance(start[period] ?? 0, end[period] ?? 0, wrapAt);
      touGaps.push({ meterNo: meter.meterNo, gap: Math.abs(periods - rawAdvance(start.total, end.total, wrapAt)) });
    }
    if (wantsPeriods.length) {
      if (!wantsPeriods.every((period) => registers.includes(period)) || registers.some((period) => !wantsPeriods.includes(period))) {
        tariffFitsMeter = false;
        continue;
      }
      for (const period of registers) {
        const advance = registerAdvance(start[period] ?? 0, end[period] ?? 0, wrapAt);
        if (advance === null) {
          fallen.push(`${meter.meterNo}/${period}`);
          continue;
        }
        periodAdvance[period] = (periodAdvance[period] ?? 0) + advance * meter.multiplier;
      }
    }
  }

  const usable = missing.length === 0 && fallen.length === 0 && tariffFitsMeter;
  const previous = input.previous;
  let tierYearKwhBefore = 0;
  if (tariff.tiers?.basis === 'annual' && previous && previous.month >= tierYearStart(month, tariff.tiers)) {
    tierYearKwhBefore = previous.tierCountedKwh;
  }
  // A bill that cannot be priced is held at zero; a reviewer corrects or re-reads it. The total
  // register is what is billed; the period registers only divide it (engine rule 4).
  const computed = computeBill({
    tariff,
    month,
    totalKwh: usable ? totalKwh : 0,
    ...(usable && wantsPeriods.length ? { periodAdvance } : {}),
    tierYearKwhBefore,
    contractKva: input.contractKva ?? undefined,
    // Maximum demand is billed in whole kW, half-up; no register means the capacity basis cannot be replaced.
    ...(input.demandBasis === 'max_demand' && maxDemandHundredths !== null
      ? { demandBasis: 'max_demand' as const, maxDemandKw: Math.floor((maxDemandHundredths + 50) / 100) }
      : {}),
    ...(usable && input.powerFactorStandard && reactiveKvarh !== null ? { powerFactor: { standard: input.powerFactorStandard, reactiveKvarh } } : {}),
  });

  const gap = previous ? monthsBetween(previous.month, month) : 0;
  const history =
    previous && gap > 0
      ? [computed.kwh, ...Array<null>(gap - 1).fill(null), ...previous.history].slice(0, HISTORY_MONTHS)
      : [computed.kwh, ...Array<null>(HISTORY_MONTHS - 1).fill(null)];

  const anomalies = evaluateRules(
    {
      kwh: computed.kwh,
      days,
      history,
      historyDays: historyDaysOf(month),
      vacant: input.vacant,
      hasSolar: input.hasSolar,
      contractKva: input.contractKva,
      accountClass: input.customerClass,
      tariffClass: tariff.customerClass,
      tariffFitsMeter,
      missing,
      estimated,
      fallen,
      touGaps,
      reverseKwh,
    },
    settings,
  );

  const peakKwh = computed.periods.filter((period) => period.period === 'sharp' || period.period === 'peak').reduce((sum, period) => sum + period.kwh, 0);
  const tierReached = tariff.tiers ? 1 + tierLimits(tariff.tiers, month).filter((limit) => computed.tierCountedKwh > limit).length : 1;
  return {
    status: anomalies.length ? 'held' : 'published',
    kwh: computed.kwh,
    amountFen: computed.totalFen,
    tierCountedKwh: computed.tierCountedKwh,
    history,
    anomalies,
    detail: {
      lines: computed.lines,
      tierKwh: computed.tiers.map((tier) => tier.kwh),
      readings: input.meters.flatMap((meter) =>
        meter.start && meter.end ? [{ meterNo: meter.meterNo, multiplier: meter.multiplier, start: meter.start.total, end: meter.end.total }] : [],
      ),
      tierReached,
      peakSharePermille: tariff.pricing.kind === 'tou' && computed.kwh > 0 ? Math.round((peakKwh * 1000) / computed.kwh) : null,
    },
  };
}
