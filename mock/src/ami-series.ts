/**
 * What each mock meter really measured, day by day, and how a reading of it is served: the
 * deterministic series behind the mock metering system (seasons, noise, TOU split, anomalies).
 */
import { createHash } from 'node:crypto';
import type { MeterProfile, TouPeriod } from './ami-profiles';
import { SHANGHAI_OFFSET_MS } from '../../shared/dates';

export const ANOMALY_KINDS = ['spike', 'zero', 'reverse', 'below_previous', 'tou_mismatch', 'estimated', 'missing'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Something wrong with one meter in one month ('YYYY-MM'); see amiPeer for what each kind does. */
export interface AnomalySpec {
  meterNo: string;
  month: string;
  kind: AnomalyKind;
}

/** One register snapshot as the metering system sends it: raw register kWh (not multiplied), two decimals. */
export interface Reading {
  meterNo: string;
  readAt: string;
  total: string;
  sharp?: string;
  peak?: string;
  flat?: string;
  valley?: string;
  reverse: string;
  /** Business meters only: reactive energy register (kvarh) and the month's maximum demand so far (kW). */
  reactive?: string;
  maxDemand?: string;
  quality: 'actual' | 'estimated';
}

/** Kinds that change what the meter really measured; the rest are glitches of one served reading. */
export const REAL_KINDS: ReadonlySet<AnomalyKind> = new Set(['spike', 'zero', 'reverse']);
export const REVERSE_PER_MONTH = 3000; // 30.00 kWh
export const BELOW_PREVIOUS_BY = 12345; // 123.45 kWh
export const TOU_MISMATCH_BY = 5000; // 50.00 kWh
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 500;

// Calendar arithmetic on whole days: day index d is the date 2024-01-01 + d, and its reading is taken at
// 00:00 +08:00 of that date. Shanghai has no DST, so a fixed offset is exact.
export const DAY_MS = 86_400_000;
export const EPOCH_DATE_MS = Date.UTC(2024, 0, 1);
export { SHANGHAI_OFFSET_MS };
export const EPOCH_MONTH = '2024-01';
export const instantOf = (day: number) => EPOCH_DATE_MS - SHANGHAI_OFFSET_MS + day * DAY_MS;
export const dateOf = (day: number) => new Date(EPOCH_DATE_MS + day * DAY_MS).toISOString().slice(0, 10);
export const readAtOf = (day: number) => `${dateOf(day)}T00:00:00+08:00`;
export const dayOfUtcMs = (ms: number) => Math.round((ms - EPOCH_DATE_MS) / DAY_MS);
/** The last day whose 00:00 +08:00 has already happened at `now`. */
export const lastDayBy = (now: Date) => Math.floor((now.getTime() - instantOf(0)) / DAY_MS);
export const pad2 = (n: number) => String(n).padStart(2, '0');

/** 'YYYY-MM-DD' that is a real calendar date, as a day index (possibly negative); otherwise undefined. */
export function dayOfDate(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? dayOfUtcMs(ms) : undefined;
}

/** The day index of the 1st of 'YYYY-MM' plus `plusMonths` months. */
export function firstOfMonth(month: string, plusMonths = 0): number {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return dayOfUtcMs(Date.UTC(year, mon - 1 + plusMonths, 1));
}

/** Hundredths of a kWh as the meter prints them, e.g. 1234567 → '12345.67'. */
export function formatHundredths(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${pad2(abs % 100)}`;
}

export interface Registers {
  total: number;
  sharp: number;
  peak: number;
  flat: number;
  valley: number;
  reverse: number;
  reactive: number;
}

export const PERIODS: Record<MeterProfile['registers'], readonly TouPeriod[]> = {
  single: [],
  peak_valley: ['peak', 'valley'],
  four: ['sharp', 'peak', 'flat', 'valley'],
};

/**
 * Splits hundredths over the meter's time-of-use registers with integer arithmetic: every period but
 * the last is floored by its share in basis points and the last takes the rest, so they add up exactly.
 */
export function touSplitter(meter: MeterProfile): (hundredths: number) => Record<TouPeriod, number> {
  const bp = (share: number) => Math.round(share * 10_000);
  const shares =
    meter.registers === 'four'
      ? (meter.touShares ?? { sharp: 0.1, peak: 0.35, flat: 0.3, valley: 0.25 })
      : { sharp: 0, peak: meter.registers === 'peak_valley' ? (meter.peakShare ?? 0.5) : 0, flat: 0, valley: 0 };
  const [sharp, peak, flat] = [bp(shares.sharp), bp(shares.peak), bp(shares.flat)];
  return (hundredths) => {
    if (meter.registers === 'single') return { sharp: 0, peak: 0, flat: 0, valley: 0 };
    const part = (basisPoints: number) => Math.floor((hundredths * basisPoints) / 10_000);
    const split = { sharp: part(sharp), peak: part(peak), flat: part(flat) };
    return { ...split, valley: hundredths - split.sharp - split.peak - split.flat };
  };
}

// Seasons change gradually (no month more than about 20 % off the one before), as real load does;
// the billing anomaly rules must see a clean year of the demo data as clean.
export const SEASONS: Record<MeterProfile['season'], number[]> = {
  residential: [1200, 1150, 1000, 920, 920, 1050, 1250, 1300, 1120, 960, 1000, 1150],
  irrigation: [1000, 1000, 1000, 1100, 1250, 1500, 1800, 1800, 1500, 1500, 1200, 1000],
};

export function seasonPermille(meter: MeterProfile, month: number): number {
  return SEASONS[meter.season][month - 1]!;
}

/** Noise in [800, 1200] per mille, fixed by (meter, date) so every run and every process agrees. */
export function noisePermille(meterNo: string, date: string): number {
  return 800 + (createHash('sha256').update(`${meterNo}|${date}`).digest().readUInt32BE(0) % 401);
}

/**
 * What one meter really measured, as register values at each day boundary, built forward from the
 * epoch and kept: each day's usage is rounded to whole hundredths once and then only ever added.
 */
export function meterSeries(meter: MeterProfile, realKinds: Map<string, Set<AnomalyKind>>): (day: number) => Registers {
  const split = touSplitter(meter);
  const base = Math.round(meter.dailyKwh * 100);
  const start = split(meter.startHundredths);
  const reactiveOf = (hundredths: number) => Math.floor((hundredths * (meter.reactivePermille ?? 0)) / 1000);
  const series: Registers[] = [{ total: meter.startHundredths, ...start, reverse: 0, reactive: reactiveOf(meter.startHundredths) }];
  const extend = () => {
    const day = series.length - 1;
    const previous = series[day]!;
    const date = dateOf(day);
    const [year, month, dayOfMonth] = date.split('-').map(Number) as [number, number, number];
    const kinds = realKinds.get(date.slice(0, 7));
    const spike = kinds?.has('spike') ? 35 : 10;
    const usage = kinds?.has('zero') ? 0 : Math.round((base * seasonPermille(meter, month) * noisePermille(meter.meterNo, date) * spike) / 10_000_000);
    let reverse = 0;
    if (kinds?.has('reverse')) {
      // 30.00 kWh spread over the month's days, the remainder on its first days, so the month adds exactly 30.00.
      const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
      reverse = Math.floor(REVERSE_PER_MONTH / days) + (dayOfMonth <= REVERSE_PER_MONTH % days ? 1 : 0);
    }
    const parts = split(usage);
    series.push({
      total: previous.total + usage,
      sharp: previous.sharp + parts.sharp,
      peak: previous.peak + parts.peak,
      flat: previous.flat + parts.flat,
      valley: previous.valley + parts.valley,
      reverse: previous.reverse + reverse,
      reactive: previous.reactive + reactiveOf(usage),
    });
  };
  return (day) => {
    while (series.length <= day) extend();
    return series[day]!;
  };
}

/** Every TOU register scaled to a new total in integers; the last period takes the rest so they still add up. */
export function scaledTo(meter: MeterProfile, registers: Registers, total: number): Registers {
  const scaled = { ...registers, total };
  const periods = PERIODS[meter.registers];
  let rest = total;
  periods.forEach((period, index) => {
    if (index === periods.length - 1) {
      scaled[period] = rest;
      return;
    }
    const value = registers.total === 0 ? 0 : Number((BigInt(registers[period]) * BigInt(total)) / BigInt(registers.total));
    scaled[period] = value;
    rest -= value;
  });
  return scaled;
}

export function toReading(meter: MeterProfile, day: number, registers: Registers, quality: Reading['quality']): Reading {
  // Only the registers the meter has: none on a single-rate meter, peak/valley or all four on TOU ones.
  const periods = Object.fromEntries(PERIODS[meter.registers].map((period) => [period, formatHundredths(registers[period])]));
  const business: Partial<Reading> = {};
  if (meter.reactivePermille !== undefined) business.reactive = formatHundredths(registers.reactive);
  if (meter.maxDemandKw !== undefined) business.maxDemand = formatHundredths(maxDemandOf(meter, day));
  return {
    meterNo: meter.meterNo,
    readAt: readAtOf(day),
    total: formatHundredths(registers.total),
    ...periods,
    reverse: formatHundredths(registers.reverse),
    ...business,
    quality,
  };
}

/**
 * The maximum-demand register at a day boundary: the month's highest 15-minute demand (the mock gives it in full on every day),
 * which the reading at 00:00 on the 1st still holds for the month just ended (it resets after).
 * Deterministic: the typical figure × the month's noise, in hundredths of a raw kW.
 */
export function maxDemandOf(meter: MeterProfile, day: number): number {
  const month = dateOf(day - 1).slice(0, 7);
  return Math.round(((meter.maxDemandKw ?? 0) * 100 * noisePermille(meter.meterNo, `${month}|demand`)) / 1000);
}
