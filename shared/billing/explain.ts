import type { BillComparison } from '../contracts/billing';
import { formatFen, formatHundredths } from '../money';

/**
 * Why this bill differs from the previous one, in plain language: one sentence for the headline
 * and one per cause (days, kWh, tier crossed, peak share). Kept free of any UI so both targets
 * and the tests use the same words.
 */
export interface Explanation {
  headline: string;
  reasons: string[];
}

const TIER_NAMES = ['', '第一档', '第二档', '第三档', '第四档'];
const percent = (permille: number) => `${Math.round(permille / 10)}%`;

export function explainChange(comparison: BillComparison): Explanation {
  const { days, kwh, amountFen, tier, peakSharePermille } = comparison;
  const difference = amountFen.current - amountFen.previous;
  const headline = difference === 0 ? '本期电费与上期持平' : `本期电费比上期${difference > 0 ? '多' : '少'} ${formatFen(Math.abs(difference))}`;

  const reasons: string[] = [];
  if (days.current !== days.previous) {
    reasons.push(
      `计费天数${days.current > days.previous ? '多' : '少'} ${Math.abs(days.current - days.previous)} 天（本期 ${days.current} 天，上期 ${days.previous} 天）`,
    );
  }
  if (kwh.current !== kwh.previous) {
    const change = kwh.current - kwh.previous;
    const relative = kwh.previous > 0 ? `（${change > 0 ? '+' : '−'}${Math.round((Math.abs(change) * 100) / kwh.previous)}%）` : '';
    reasons.push(`用电量${change > 0 ? '增加' : '减少'} ${Math.abs(change)} 千瓦时${relative}`);
    const dailyPrevious = kwh.previous / Math.max(days.previous, 1);
    const dailyCurrent = kwh.current / Math.max(days.current, 1);
    if (days.current !== days.previous && Math.abs(dailyCurrent - dailyPrevious) < 0.05 * Math.max(dailyPrevious, 1)) {
      reasons.push('日均用电基本不变，差异主要来自天数');
    }
  }
  if (tier && tier.current > tier.previous) {
    reasons.push(`本期用电进入${TIER_NAMES[tier.current] ?? `第${tier.current}档`}，超出部分按更高电价计费`);
  }
  if (peakSharePermille && Math.abs(peakSharePermille.current - peakSharePermille.previous) >= 50) {
    const direction = peakSharePermille.current > peakSharePermille.previous ? '升至' : '降至';
    reasons.push(`峰时用电占比由 ${percent(peakSharePermille.previous)} ${direction} ${percent(peakSharePermille.current)}`);
  }
  if (reasons.length === 0 && difference !== 0) reasons.push('用电量与天数相同，差异来自电价调整或分档');
  return { headline, reasons };
}

/**
 * How one meter's kWh were billed, in the engine's own arithmetic (engine rule 1): each reading ×
 * multiplier is cut to whole kWh, so the billed kWh are (止码 − 起码) × 倍率 plus the fraction the
 * previous bill carried in, cut to whole kWh; what is cut now is carried to the next bill.
 * Null for a register that wrapped past its maximum (end below start).
 */
export function readingFormula(reading: { start: number; end: number; multiplier: number }): { text: string; kwh: number; carriedOut: string } | null {
  const { start, end, multiplier } = reading;
  if (end < start) return null;
  const advance = (end - start) * multiplier;
  const carriedIn = (start * multiplier) % 100;
  const kwh = Math.floor((advance + carriedIn) / 100);
  const plus = carriedIn > 0 ? `，加上期结转 ${formatHundredths(carriedIn)}` : '';
  return {
    text: `(${formatHundredths(end)} − ${formatHundredths(start)}) × ${multiplier} = ${formatHundredths(advance)}${plus}，取整 ${kwh} 千瓦时`,
    kwh,
    carriedOut: formatHundredths((end * multiplier) % 100),
  };
}
