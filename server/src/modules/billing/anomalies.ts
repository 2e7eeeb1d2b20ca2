import type { Anomaly, BillingSettings } from '../../../../shared/contracts/billing';
import type { CustomerClass } from '../../../../shared/tariff/types';

/** Everything the rules look at, gathered by `computeDraft`; the rules themselves are pure. */
export interface RuleFacts {
  kwh: number;
  days: number;
  /** This month first, then the 12 before it; null where unknown. */
  history: (number | null)[];
  /** Days in each month of `history`, in the same order. */
  historyDays: readonly number[];
  vacant: boolean;
  hasSolar: boolean;
  contractKva: number | null;
  accountClass: CustomerClass;
  tariffClass: CustomerClass;
  tariffFitsMeter: boolean;
  missing: string[];
  estimated: string[];
  fallen: string[];
  /** Per TOU meter: |Σ period registers − total register| over the period, in hundredths. */
  touGaps: { meterNo: string; gap: number }[];
  reverseKwh: number;
}

type Rule = (facts: RuleFacts, settings: BillingSettings['anomalies']) => Anomaly | undefined;

const dailyChange = (current: number, currentDays: number, base: number, baseDays: number) =>
  Math.round(((current / currentDays - base / baseDays) / (base / baseDays)) * 100);

/** Every rule in the handbook; each returns an anomaly or nothing. A bill with any anomaly is held. */
export const RULES: Record<Anomaly['code'], Rule> = {
  MISSING_READING: (facts) =>
    facts.missing.length
      ? { code: 'MISSING_READING', message: `No reading at the period boundary for ${facts.missing.join(', ')}`, details: { meters: facts.missing } }
      : undefined,

  ESTIMATED_READING: (facts) =>
    facts.estimated.length
      ? { code: 'ESTIMATED_READING', message: `Estimated reading used for ${facts.estimated.join(', ')}`, details: { meters: facts.estimated } }
      : undefined,

  READING_BELOW_PREVIOUS: (facts) =>
    facts.fallen.length
      ? {
          code: 'READING_BELOW_PREVIOUS',
          message: `Closing reading below the opening one (no meter change or wrap) on ${facts.fallen.join(', ')}`,
          details: { meters: facts.fallen },
        }
      : undefined,

  ZERO_USAGE: (facts) => {
    if (facts.kwh !== 0 || facts.vacant) return undefined;
    let months = 0;
    while (facts.history[months] === 0) months += 1;
    // Several zero months in a row reads as an idle property; one alone as a stuck meter or a cut.
    return {
      code: 'ZERO_USAGE',
      message: months > 1 ? `No consumption for ${months} months: idle, not registered vacant` : 'No consumption this month',
      details: { consecutiveZeroMonths: months },
    };
  },

  SUDDEN_CHANGE: (facts, settings) => {
    const [, previous, ...rest] = facts.history;
    const lastYear = rest[10];
    if (previous == null || previous === 0 || previous < settings.suddenChangeMinKwh) return undefined;
    const vsPrevious = dailyChange(facts.kwh, facts.days, previous, facts.historyDays[1]!);
    if (Math.abs(vsPrevious) <= settings.suddenChangePercent) return undefined;
    // A change the same month last year also shows is seasonal, not sudden.
    let vsLastYear: number | null = null;
    if (lastYear != null && lastYear > 0 && lastYear >= settings.suddenChangeMinKwh) {
      vsLastYear = dailyChange(facts.kwh, facts.days, lastYear, facts.historyDays[12]!);
      if (Math.abs(vsLastYear) <= settings.suddenChangePercent) return undefined;
    }
    return {
      code: 'SUDDEN_CHANGE',
      message: `Daily consumption ${vsPrevious > 0 ? '+' : ''}${vsPrevious}% against the previous month${vsLastYear === null ? '' : `, ${vsLastYear > 0 ? '+' : ''}${vsLastYear}% against the same month last year`}`,
      details: { vsPreviousPercent: vsPrevious, vsLastYearPercent: vsLastYear },
    };
  },

  CONSECUTIVE_DROPS: (facts, settings) => {
    const window = facts.history.slice(0, settings.consecutiveDrops + 1);
    if (window.length <= settings.consecutiveDrops || window.some((kwh) => kwh == null)) return undefined;
    const values = window as number[];
    // values[i] is i months back; each month must sit below the one before it by the minimum share, per day.
    const dropping = values.every((kwh, back) => {
      if (back === 0) return true;
      const newer = values[back - 1]! / facts.historyDays[back - 1]!;
      const older = kwh / facts.historyDays[back]!;
      return older > 0 && ((older - newer) * 100) / older >= settings.consecutiveDropMinPercent;
    });
    return dropping
      ? { code: 'CONSECUTIVE_DROPS', message: `Consumption fell ${settings.consecutiveDrops} months in a row`, details: { kwh: values.slice().reverse() } }
      : undefined;
  },

  TOU_REGISTER_MISMATCH: (facts, settings) => {
    const off = facts.touGaps.filter((meter) => meter.gap > settings.touToleranceHundredths);
    return off.length
      ? {
          code: 'TOU_REGISTER_MISMATCH',
          message: `Time-of-use registers do not add up to the total on ${off.map((meter) => meter.meterNo).join(', ')}`,
          details: { meters: off },
        }
      : undefined;
  },

  REVERSE_ENERGY: (facts, settings) =>
    !facts.hasSolar && facts.reverseKwh >= Math.max(1, settings.reverseEnergyMinKwh)
      ? {
          code: 'REVERSE_ENERGY',
          message: `${facts.reverseKwh} kWh registered flowing back to the grid on an account with no generation`,
          details: { reverseKwh: facts.reverseKwh },
        }
      : undefined,

  ABOVE_CONTRACT_CAPACITY: (facts, settings) => {
    if (!facts.contractKva) return undefined;
    const ceiling = Math.floor((facts.contractKva * 24 * facts.days * settings.capacityLoadFactorPercent) / 100);
    return facts.kwh > ceiling
      ? {
          code: 'ABOVE_CONTRACT_CAPACITY',
          message: `${facts.kwh} kWh is more than ${facts.contractKva} kVA can deliver in ${facts.days} days (${ceiling} kWh)`,
          details: { ceilingKwh: ceiling },
        }
      : undefined;
  },

  WRONG_TARIFF_CLASS: (facts) => {
    if (facts.tariffClass !== facts.accountClass) {
      return {
        code: 'WRONG_TARIFF_CLASS',
        message: `A ${facts.tariffClass} tariff on a ${facts.accountClass} account`,
        details: { tariffClass: facts.tariffClass },
      };
    }
    return facts.tariffFitsMeter ? undefined : { code: 'WRONG_TARIFF_CLASS', message: 'The tariff prices time-of-use periods the meter does not register' };
  },
};

/** Rules about how much was used; they say nothing true about a bill that could not be priced. */
const USAGE_RULES = new Set<Anomaly['code']>(['ZERO_USAGE', 'SUDDEN_CHANGE', 'CONSECUTIVE_DROPS', 'ABOVE_CONTRACT_CAPACITY']);

const RULE_LIST = Object.entries(RULES) as [Anomaly['code'], Rule][];

export function evaluateRules(facts: RuleFacts, settings: BillingSettings['anomalies']): Anomaly[] {
  // A bill held at zero because a reading is missing or bad, or the tariff does not fit the meter,
  // reports only why it could not be priced.
  const priced = facts.missing.length === 0 && facts.fallen.length === 0 && facts.tariffFitsMeter;
  // A plain loop: this runs for every account of a million-account bill run.
  const found: Anomaly[] = [];
  for (const [code, rule] of RULE_LIST) {
    if (!priced && USAGE_RULES.has(code)) continue;
    const anomaly = rule(facts, settings);
    if (anomaly) found.push(anomaly);
  }
  return found;
}
