/**
 * Tariffs as data. Prices are integer **rates**: hundredths of a fen per kWh, so every published
 * price (0.538 or 0.4153 yuan/kWh) is exact — 0.538 yuan/kWh = 53.8 fen/kWh = rate 5380.
 */
export type Rate = number;

export const PERIODS = ['sharp', 'peak', 'flat', 'valley'] as const;
/** Time-of-use periods: 尖 sharp, 峰 peak, 平 flat, 谷 valley. */
export type Period = (typeof PERIODS)[number];

export type CustomerClass = 'residential' | 'commercial' | 'large_industry' | 'agricultural';

/** `YYYY-MM` in Asia/Shanghai: the month a bill is for. */
export type BillMonth = string;

export interface TierScheme {
  /** `annual`: thresholds apply to the tier year's cumulative kWh; `monthly`: to each month's own kWh. */
  basis: 'annual' | 'monthly';
  /** Month (1–12) the tier year starts in; ignored for monthly tiers. */
  yearStartMonth: number;
  /** The top kWh of each tier but the last, ascending: [2760, 4800] means 1–2760, 2761–4800, 4801+. */
  limits: number[];
  /** Some provinces use other limits in some months (summer). First match wins, else `limits`. */
  seasonal?: { months: number[]; limits: number[] }[];
  /** Added to the base (or each period's) rate for kWh in each tier; the first is 0. */
  adders: Rate[];
}

export interface Tariff {
  code: string;
  version: number;
  name: string;
  /** The class this tariff is for; billing an account of another class is an anomaly. */
  customerClass: CustomerClass;
  /** One rate for all kWh, or a rate per time-of-use period (the periods the meter registers). */
  pricing: { kind: 'single'; rate: Rate } | { kind: 'tou'; rates: Partial<Record<Period, Rate>> };
  tiers?: TierScheme;
  /** Two-part tariffs (large industry): the basic charge per kVA of contracted capacity a month, in fen. */
  demandFenPerKva?: number;
  /** Two-part tariffs: the basic charge per kW of the month's maximum demand, in fen (accounts that chose it). */
  demandFenPerKw?: number;
  /** Government funds and surcharges (政府性基金及附加) charged per kWh on top of the energy price, one line each. */
  funds?: { code: string; name: string; rate: Rate }[];
}

/** Power-factor standards of 《功率因数调整电费办法》, in hundredths: 0.90, 0.85, 0.80. */
export type PowerFactorStandard = 90 | 85 | 80;

/** A tariff with the dates it is in force; the version in force on a bill month's first day prices that month. */
export interface TariffVersion extends Tariff {
  effectiveFrom: string;
  description: string;
}
