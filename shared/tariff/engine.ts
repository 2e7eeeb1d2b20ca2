import type { Fen } from '../money';
import { adjustmentFen, powerFactorAdjustmentBp, powerFactorHundredths } from './power-factor';
import { PERIODS, type BillMonth, type Period, type PowerFactorStandard, type Rate, type Tariff, type TierScheme } from './types';

/*
 * The tariff engine: pure functions over integers.
 *
 * Rounding rules, the whole of them:
 * 1. Meter registers arrive in hundredths of a kWh. Each register value is turned into whole kWh
 *    by truncation AFTER the multiplier is applied, and a bill's kWh is the difference of two such
 *    values. Fractions are therefore carried to the next bill, never lost or billed twice.
 * 2. Each bill line is kWh × rate (hundredths of a fen) rounded half-up to the fen, on its own.
 * 3. The bill total is the sum of its rounded lines, so the lines always add up to the total.
 * 4. The total register is the billing truth. Time-of-use period registers only say how it divides:
 *    the total's kWh are apportioned to the periods in proportion to their advances, by largest
 *    remainder, so the periods always add up to the total. Registers that disagree with the total
 *    beyond reading rounding are an anomaly for review (TOU_REGISTER_MISMATCH), not a different bill.
 * 5. Two-part tariffs add the basic charge (whole kVA or kW × fen a month, exact); the power-factor
 *    adjustment is a percentage of energy + basic charge, rounded half away from zero to the fen
 *    (power-factor.ts); government funds are kWh × rate per fund, as rule 2, and are not adjusted.
 */

const RATE_PATTERN = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** "0.538" yuan/kWh → rate 5380 (hundredths of a fen per kWh), without floating point. */
export function rate(yuanPerKwh: string): Rate {
  const match = RATE_PATTERN.exec(yuanPerKwh);
  if (!match) throw new Error(`not a price in yuan/kWh with at most 4 decimals: "${yuanPerKwh}"`);
  return Number(match[1]) * 10_000 + Number((match[2] ?? '').padEnd(4, '0'));
}

/** Rate 5380 → "0.538". */
export function formatRate(value: Rate): string {
  const decimals = String(value % 10_000)
    .padStart(4, '0')
    .replace(/0{1,3}$/, '');
  return `${Math.floor(value / 10_000)}.${decimals}`;
}

/** kWh × rate, rounded half-up to the fen (rule 2). */
export function lineAmount(kwh: number, lineRate: Rate): Fen {
  const exact = kwh * lineRate;
  if (!Number.isSafeInteger(exact) || exact < 0) throw new RangeError(`line out of range: ${kwh} kWh × ${lineRate}`);
  return Math.floor((exact + 50) / 100);
}

/** A register value in hundredths of a kWh, times the multiplier, truncated to whole kWh (rule 1). */
export function registerKwh(hundredths: number, multiplier: number): number {
  return Math.floor((hundredths * multiplier) / 100);
}

/** `current` counted on past a wrap of the register at `wrapAt` (hundredths); null for any other fall. */
function unwrapped(previous: number, current: number, wrapAt?: number): number | null {
  if (current >= previous) return current;
  // A wrap shows as a high previous and a low current; anything else is a bad reading.
  if (!wrapAt || previous < wrapAt * 0.9 || current > wrapAt * 0.1) return null;
  return current + wrapAt;
}

/**
 * kWh between two readings of one register. A register that wrapped past its maximum (`wrapAt`,
 * in hundredths) counts on from zero; any other fall is not energy and returns null.
 */
export function registerDelta(previous: number, current: number, multiplier: number, wrapAt?: number): number | null {
  const end = unwrapped(previous, current, wrapAt);
  return end === null ? null : registerKwh(end, multiplier) - registerKwh(previous, multiplier);
}

/** A register's advance in hundredths of a kWh, before the multiplier and untruncated; null if it fell. */
export function registerAdvance(previous: number, current: number, wrapAt?: number): number | null {
  const end = unwrapped(previous, current, wrapAt);
  return end === null ? null : end - previous;
}

/**
 * Whole units `total` split in proportion to `weights` by largest remainder (rule 4): each part is
 * its exact share rounded down or up, the parts add up to `total` exactly, and ties go to the part
 * listed first. All-zero weights split evenly, so a total is never lost.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`apportion: total must be a non-negative whole number, got ${total}`);
  if (weights.some((weight) => !Number.isSafeInteger(weight) || weight < 0))
    throw new RangeError(`apportion: weights must be non-negative whole numbers, got ${weights.join(', ')}`);
  if (weights.length === 0) {
    if (total > 0) throw new RangeError(`apportion: ${total} to split over no parts`);
    return [];
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = sum === 0 ? weights.map(() => 1) : weights;
  const whole = sum === 0 ? weights.length : sum;
  if (!Number.isSafeInteger(whole)) throw new RangeError('apportion: weights add up past 2^53');
  // total × share is exact in a double while total × whole is; past that (a large-industry
  // meter's hundredths × multiplier) the quotient is taken in BigInt.
  const exact = Number.isSafeInteger(total * whole);
  const parts = shares.map((share) => {
    if (exact) {
      const scaled = total * share;
      const remainder = scaled % whole;
      return { floor: (scaled - remainder) / whole, remainder };
    }
    const scaled = BigInt(total) * BigInt(share);
    return { floor: Number(scaled / BigInt(whole)), remainder: Number(scaled % BigInt(whole)) };
  });
  let left = total;
  for (const part of parts) left -= part.floor;
  const order = parts.map((_, index) => index).sort((a, b) => parts[b]!.remainder - parts[a]!.remainder || a - b);
  for (let i = 0; i < left; i += 1) parts[order[i]!]!.floor += 1;
  return parts.map((part) => part.floor);
}

export function monthOf(month: BillMonth): { year: number; month: number } {
  // Called for every bill of a run: slicing is several times cheaper than split + map.
  return { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) };
}

export function addMonths(month: BillMonth, delta: number): BillMonth {
  const { year, month: mm } = monthOf(month);
  const index = year * 12 + (mm - 1) + delta;
  // Four-digit years always: `0999-12` + 1 is `1000-01`, and `0001-01` must not become `1-01`.
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The first bill month of the tier year containing `month`. */
export function tierYearStart(month: BillMonth, scheme: Pick<TierScheme, 'yearStartMonth'>): BillMonth {
  const { year, month: mm } = monthOf(month);
  const startYear = mm >= scheme.yearStartMonth ? year : year - 1;
  return `${startYear}-${String(scheme.yearStartMonth).padStart(2, '0')}`;
}

export function tierLimits(scheme: TierScheme, month: BillMonth): number[] {
  const { month: mm } = monthOf(month);
  return scheme.seasonal?.find((season) => season.months.includes(mm))?.limits ?? scheme.limits;
}

/** kWh of this bill falling in each tier, given the kWh already counted against the same limits. */
export function splitAtTiers(kwh: number, countedBefore: number, limits: readonly number[]): number[] {
  const bounds = [0, ...limits, Number.POSITIVE_INFINITY];
  const end = countedBefore + kwh;
  return bounds.slice(1).map((upper, index) => {
    const lower = bounds[index]!;
    return Math.max(0, Math.min(end, upper) - Math.max(countedBefore, lower));
  });
}

export interface BillInput {
  tariff: Tariff;
  month: BillMonth;
  /** The total register's kWh: the bill's kWh on every tariff (rule 4). */
  totalKwh?: number;
  /**
   * Time-of-use tariffs: each period register's advance, in any one unit (the bill run passes
   * hundredths × multiplier); it only divides `totalKwh` between the periods (rule 4).
   */
  periodAdvance?: Partial<Record<Period, number>>;
  /** Annual tiers: kWh already billed in this tier year before this bill. */
  tierYearKwhBefore?: number;
  contractKva?: number;
  /** Two-part tariffs: the basic charge by contracted kVA (default) or by the month's maximum demand. */
  demandBasis?: 'capacity' | 'max_demand';
  /** The month's maximum demand in whole kW (after the multiplier), for `max_demand`. */
  maxDemandKw?: number;
  /** Accounts under 《功率因数调整电费办法》: their standard and the month's reactive kvarh. */
  powerFactor?: { standard: PowerFactorStandard; reactiveKvarh: number };
}

export type LineKind = 'energy' | 'tier_adder' | 'demand' | 'power_factor' | 'fund';

/**
 * One priced line. Energy, adder and fund lines: kWh × rate per kWh. Demand lines: kVA or kW ×
 * rate per unit a month (key `capacity` or `max_demand`). The power-factor line: quantity is the
 * factor in hundredths, rate the adjustment in basis points (negative = reduction), key the standard.
 */
export interface BillLine {
  kind: LineKind;
  /** Energy lines: `single` or the period; adder lines: the tier number (2, 3…); fund lines: the fund code. */
  key: string;
  /** Fund lines: the fund's name. */
  name?: string;
  quantity: number;
  rate: Rate;
  amountFen: Fen;
}

export interface BillComputation {
  kwh: number;
  periods: { period: Period; kwh: number; rate: Rate }[];
  tiers: { tier: number; kwh: number }[];
  lines: BillLine[];
  totalFen: Fen;
  /** Annual tiers: the tier year's kWh including this bill; monthly tiers: this bill's kWh. */
  tierCountedKwh: number;
  /** How the power-factor line was reached; null when the account is not assessed or nothing was measured. */
  powerFactor: {
    standard: PowerFactorStandard;
    factor: number;
    activeKwh: number;
    reactiveKvarh: number;
    adjustmentBp: number;
    baseFen: number;
  } | null;
}

function assertKwh(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative whole number, got ${value}`);
  return value;
}

/**
 * One bill. The tier adder is the same for every period, so a TOU bill is each period's kWh at its
 * period rate plus each upper tier's kWh at that tier's adder — no 2-D tier × period split needed,
 * and the result equals pricing every kWh at (period rate + its tier's adder).
 */
export function computeBill(input: BillInput): BillComputation {
  const { tariff } = input;
  const kwh = assertKwh(input.totalKwh ?? 0, 'totalKwh');
  const periods: BillComputation['periods'] = [];
  if (tariff.pricing.kind === 'single') {
    periods.push({ period: 'flat', kwh, rate: tariff.pricing.rate });
  } else {
    const priced: { period: Period; rate: Rate; advance: number }[] = [];
    for (const period of PERIODS) {
      const periodRate = tariff.pricing.rates[period];
      const advance = assertKwh(input.periodAdvance?.[period] ?? 0, `${period} register advance`);
      if (periodRate === undefined) {
        if (advance > 0) throw new RangeError(`tariff ${tariff.code} has no ${period} rate but the ${period} register advanced`);
        continue;
      }
      priced.push({ period, rate: periodRate, advance });
    }
    const split = apportion(
      kwh,
      priced.map((period) => period.advance),
    );
    priced.forEach((period, index) => periods.push({ period: period.period, kwh: split[index]!, rate: period.rate }));
  }

  const lines: BillLine[] = periods.map((period) => ({
    kind: 'energy',
    key: tariff.pricing.kind === 'single' ? 'single' : period.period,
    quantity: period.kwh,
    rate: period.rate,
    amountFen: lineAmount(period.kwh, period.rate),
  }));

  let tiers: BillComputation['tiers'] = [{ tier: 1, kwh }];
  let tierCountedKwh = kwh;
  if (tariff.tiers) {
    const countedBefore = tariff.tiers.basis === 'annual' ? assertKwh(input.tierYearKwhBefore ?? 0, 'tierYearKwhBefore') : 0;
    tiers = splitAtTiers(kwh, countedBefore, tierLimits(tariff.tiers, input.month)).map((tierKwh, index) => ({ tier: index + 1, kwh: tierKwh }));
    tierCountedKwh = countedBefore + kwh;
    for (const { tier, kwh: tierKwh } of tiers) {
      const adder = tariff.tiers.adders[tier - 1] ?? 0;
      if (adder > 0 && tierKwh > 0)
        lines.push({ kind: 'tier_adder', key: String(tier), quantity: tierKwh, rate: adder, amountFen: lineAmount(tierKwh, adder) });
    }
  }
  if (input.demandBasis === 'max_demand' && tariff.demandFenPerKw) {
    const quantity = assertKwh(input.maxDemandKw ?? 0, 'maxDemandKw');
    lines.push({ kind: 'demand', key: 'max_demand', quantity, rate: tariff.demandFenPerKw * 100, amountFen: quantity * tariff.demandFenPerKw });
  } else if (tariff.demandFenPerKva && input.contractKva) {
    const quantity = assertKwh(input.contractKva, 'contractKva');
    lines.push({ kind: 'demand', key: 'capacity', quantity, rate: tariff.demandFenPerKva * 100, amountFen: quantity * tariff.demandFenPerKva });
  }
  let powerFactor: BillComputation['powerFactor'] = null;
  if (input.powerFactor) {
    const reactiveKvarh = assertKwh(input.powerFactor.reactiveKvarh, 'reactiveKvarh');
    const factor = powerFactorHundredths(kwh, reactiveKvarh);
    if (factor !== null) {
      const { standard } = input.powerFactor;
      const bp = powerFactorAdjustmentBp(standard, factor);
      // Adjusted: energy and basic charges; not tier adders (none on these tariffs) nor funds.
      const baseFen = lines.filter((line) => line.kind === 'energy' || line.kind === 'demand').reduce((sum, line) => sum + line.amountFen, 0);
      powerFactor = { standard, factor, activeKwh: kwh, reactiveKvarh, adjustmentBp: bp, baseFen };
      lines.push({ kind: 'power_factor', key: (standard / 100).toFixed(2), quantity: factor, rate: bp, amountFen: adjustmentFen(baseFen, bp) });
    }
  }
  for (const fund of tariff.funds ?? []) {
    lines.push({ kind: 'fund', key: fund.code, name: fund.name, quantity: kwh, rate: fund.rate, amountFen: lineAmount(kwh, fund.rate) });
  }
  const totalFen = lines.reduce((sum, line) => sum + line.amountFen, 0);
  return { kwh, periods, tiers, lines, totalFen, tierCountedKwh, powerFactor };
}

export interface TierPosition {
  /** 1-based tier the next kWh falls in. */
  tier: number;
  countedKwh: number;
  limits: number[];
  /** kWh until the next tier starts; null in the last tier. */
  kwhToNextTier: number | null;
  /** Price of a kWh in each tier: single tariffs one rate per tier, TOU tariffs per period. */
  rates: { tier: number; single?: Rate; periods?: Partial<Record<Period, Rate>> }[];
}

/** Where a customer stands on the tier ladder after `countedKwh` kWh: the tier card. */
export function tierPosition(tariff: Tariff, month: BillMonth, countedKwh: number): TierPosition | null {
  if (!tariff.tiers) return null;
  const limits = tierLimits(tariff.tiers, month);
  const nextLimit = limits.find((limit) => countedKwh < limit);
  const tier = nextLimit === undefined ? limits.length + 1 : limits.indexOf(nextLimit) + 1;
  const rates = tariff.tiers.adders.map((adder, index) => {
    if (tariff.pricing.kind === 'single') return { tier: index + 1, single: tariff.pricing.rate + adder };
    const periods: Partial<Record<Period, Rate>> = {};
    for (const [period, periodRate] of Object.entries(tariff.pricing.rates)) periods[period as Period] = periodRate + adder;
    return { tier: index + 1, periods };
  });
  return { tier, countedKwh, limits, kwhToNextTier: nextLimit === undefined ? null : nextLimit - countedKwh, rates };
}
