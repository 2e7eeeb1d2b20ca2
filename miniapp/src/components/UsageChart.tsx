import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import type { BillingOverview } from '../../../shared/contracts/billing';
import { formatFen } from '../../../shared/money';
import { formatMonth } from '../billing';
import './UsageChart.scss';

type Point = BillingOverview['usage'][number];

function describe(point: Point): string {
  if (point.kwh === null) return `${formatMonth(point.month)}：无账单`;
  const amount = point.amountFen === null ? '' : `，电费 ${formatFen(point.amountFen)}`;
  return `${formatMonth(point.month)}：${point.kwh} 千瓦时${amount}`;
}

/**
 * Monthly kWh as bars drawn with plain views and percentage heights: no canvas and no chart
 * library, so the same markup works in the mini-program and the browser and costs no bundle.
 */
export function UsageChart({ usage }: { usage: Point[] }) {
  const latest = [...usage].reverse().find((point) => point.kwh !== null);
  const [selected, setSelected] = useState(latest?.month);
  const max = Math.max(1, ...usage.map((point) => point.kwh ?? 0));
  const current = usage.find((point) => point.month === selected);

  return (
    <View className="usage" data-testid="usage-chart">
      <View className="usage__plot" role="list" aria-label="近 12 个月用电量，点击柱形查看当月">
        {usage.map((point) => (
          <View
            key={point.month}
            className={`usage__col ${point.month === selected ? 'usage__col--selected' : ''}`}
            role="listitem"
            aria-label={describe(point)}
            data-testid={`usage-bar-${point.month}`}
            onClick={() => setSelected(point.month)}
          >
            <View className="usage__track">
              {point.kwh === null ? (
                <View className="usage__bar usage__bar--none" />
              ) : (
                // A month with a bill keeps a sliver even at 0 kWh, unlike a month without one.
                <View className="usage__bar" style={{ height: `${Math.max(2, (point.kwh * 100) / max).toFixed(1)}%` }} />
              )}
            </View>
            <Text className="usage__month">{Number(point.month.slice(5, 7))}月</Text>
          </View>
        ))}
      </View>
      <Text className="usage__detail" aria-live="polite" data-testid="usage-detail">
        {current ? describe(current) : '点击柱形查看当月用电'}
      </Text>
    </View>
  );
}
