import { describe, expect, it } from 'vitest';
import { explainChange } from '../../shared/billing/explain';
import type { BillComparison } from '../../shared/contracts/billing';

/** July against June for a Zhejiang resident: the same bill twice unless a test changes it. */
const SAME: BillComparison = {
  previousMonth: '2026-06',
  days: { previous: 30, current: 30 },
  kwh: { previous: 300, current: 300 },
  amountFen: { previous: 16140, current: 16140 },
  tier: { previous: 1, current: 1 },
  peakSharePermille: null,
};

const compare = (changes: Partial<BillComparison>): BillComparison => ({ ...SAME, ...changes });

describe('explainChange: headline', () => {
  it('says the bill is unchanged, with no reasons, for equal inputs', () => {
    expect(explainChange(SAME)).toEqual({ headline: '本期电费与上期持平', reasons: [] });
    expect(explainChange(compare({ peakSharePermille: { previous: 600, current: 600 } }))).toEqual({ headline: '本期电费与上期持平', reasons: [] });
    expect(explainChange(compare({ tier: null }))).toEqual({ headline: '本期电费与上期持平', reasons: [] });
  });

  it('says 多 with the formatted yuan difference when the bill is higher', () => {
    expect(explainChange(compare({ amountFen: { previous: 16140, current: 17340 } })).headline).toBe('本期电费比上期多 ¥12.00');
    expect(explainChange(compare({ amountFen: { previous: 0, current: 123_456_789 } })).headline).toBe('本期电费比上期多 ¥1,234,567.89');
    expect(explainChange(compare({ amountFen: { previous: 16140, current: 16141 } })).headline).toBe('本期电费比上期多 ¥0.01');
  });

  it('says 少 with the positive yuan difference when the bill is lower', () => {
    expect(explainChange(compare({ amountFen: { previous: 17340, current: 16140 } })).headline).toBe('本期电费比上期少 ¥12.00');
    expect(explainChange(compare({ amountFen: { previous: 150_005, current: 5 } })).headline).toBe('本期电费比上期少 ¥1,500.00');
  });
});

describe('explainChange: reasons', () => {
  it('explains a change in days, and says when the daily average did not change', () => {
    // February 280 kWh (10/day), March 310 kWh (10/day).
    const explanation = explainChange(
      compare({
        previousMonth: '2026-02',
        days: { previous: 28, current: 31 },
        kwh: { previous: 280, current: 310 },
        amountFen: { previous: 15064, current: 16678 },
      }),
    );
    expect(explanation).toEqual({
      headline: '本期电费比上期多 ¥16.14',
      reasons: ['计费天数多 3 天（本期 31 天，上期 28 天）', '用电量增加 30 千瓦时（+11%）', '日均用电基本不变，差异主要来自天数'],
    });
  });

  it('explains fewer days without blaming them when the daily average moved', () => {
    // 31 days at 10/day, then 30 days at 15/day.
    const explanation = explainChange(
      compare({ days: { previous: 31, current: 30 }, kwh: { previous: 310, current: 450 }, amountFen: { previous: 16678, current: 24210 } }),
    );
    expect(explanation.reasons).toEqual(['计费天数少 1 天（本期 30 天，上期 31 天）', '用电量增加 140 千瓦时（+45%）']);
  });

  it('reports a kWh change with its percentage, up or down', () => {
    expect(explainChange(compare({ kwh: { previous: 300, current: 450 }, amountFen: { previous: 16140, current: 24210 } })).reasons).toEqual([
      '用电量增加 150 千瓦时（+50%）',
    ]);
    expect(explainChange(compare({ kwh: { previous: 300, current: 240 }, amountFen: { previous: 16140, current: 12912 } })).reasons).toEqual([
      '用电量减少 60 千瓦时（−20%）',
    ]);
    // 1 kWh on 300 is 0.33 %: shown rounded.
    expect(explainChange(compare({ kwh: { previous: 300, current: 301 }, amountFen: { previous: 16140, current: 16194 } })).reasons).toEqual([
      '用电量增加 1 千瓦时（+0%）',
    ]);
  });

  it('gives no percentage against a zero previous month', () => {
    expect(explainChange(compare({ kwh: { previous: 0, current: 120 }, amountFen: { previous: 0, current: 6456 } })).reasons).toEqual([
      '用电量增加 120 千瓦时',
    ]);
  });

  it('reports entering a higher tier', () => {
    const explanation = explainChange(
      compare({ kwh: { previous: 300, current: 300 }, amountFen: { previous: 16140, current: 17340 }, tier: { previous: 1, current: 2 } }),
    );
    expect(explanation.reasons).toEqual(['本期用电进入第二档，超出部分按更高电价计费']);
    expect(explainChange(compare({ tier: { previous: 2, current: 3 }, amountFen: { previous: 17340, current: 25140 } })).reasons).toEqual([
      '本期用电进入第三档，超出部分按更高电价计费',
    ]);
    expect(explainChange(compare({ tier: { previous: 1, current: 3 }, amountFen: { previous: 17340, current: 25140 } })).reasons).toEqual([
      '本期用电进入第三档，超出部分按更高电价计费',
    ]);
  });

  it('does not report staying in a tier or a new tier year starting lower', () => {
    expect(explainChange(compare({ tier: { previous: 2, current: 2 } })).reasons).toEqual([]);
    expect(explainChange(compare({ tier: { previous: 3, current: 1 } })).reasons).toEqual([]);
  });

  it('reports a peak share change of 5 points or more, either way', () => {
    const up = explainChange(compare({ peakSharePermille: { previous: 300, current: 350 }, amountFen: { previous: 16140, current: 16290 } }));
    expect(up.reasons).toEqual(['峰时用电占比由 30% 升至 35%']);
    const down = explainChange(compare({ peakSharePermille: { previous: 600, current: 540 }, amountFen: { previous: 13680, current: 13200 } }));
    expect(down.reasons).toEqual(['峰时用电占比由 60% 降至 54%']);
  });

  it('does not report a peak share change under 5 points', () => {
    const explanation = explainChange(compare({ peakSharePermille: { previous: 400, current: 351 }, amountFen: { previous: 13680, current: 13500 } }));
    expect(explanation.reasons).not.toContainEqual(expect.stringContaining('峰时用电占比'));
    expect(explainChange(compare({ peakSharePermille: { previous: 400, current: 449 } })).reasons).toEqual([]);
  });

  it('blames the tariff or tiers when the amount changed and nothing else did', () => {
    expect(explainChange(compare({ amountFen: { previous: 16140, current: 16500 } })).reasons).toEqual(['用电量与天数相同，差异来自电价调整或分档']);
  });

  it('lists every cause in order: days, kWh, tier, peak share', () => {
    const explanation = explainChange({
      previousMonth: '2026-10',
      days: { previous: 31, current: 30 },
      kwh: { previous: 300, current: 600 },
      amountFen: { previous: 13680, current: 33000 },
      tier: { previous: 1, current: 2 },
      peakSharePermille: { previous: 500, current: 700 },
    });
    expect(explanation).toEqual({
      headline: '本期电费比上期多 ¥193.20',
      reasons: [
        '计费天数少 1 天（本期 30 天，上期 31 天）',
        '用电量增加 300 千瓦时（+100%）',
        '本期用电进入第二档，超出部分按更高电价计费',
        '峰时用电占比由 50% 升至 70%',
      ],
    });
  });
});
