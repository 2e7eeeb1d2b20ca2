import { Text, View } from '@tarojs/components';
import type { TierCard as Card } from '../../../shared/contracts/billing';
import { formatRate } from '../../../shared/tariff/engine';
import { PERIODS } from '../../../shared/tariff/types';
import { PERIOD_LABEL, tierName } from '../billing';
import './TierCard.scss';

type TierRate = Card['rates'][number];

function rangeText(limits: number[], index: number): string {
  const upper = limits[index];
  if (index === 0) return upper === undefined ? '全部电量' : `${upper} 千瓦时及以下`;
  const lower = limits[index - 1]!;
  return upper === undefined ? `${lower} 千瓦时以上` : `${lower + 1}–${upper} 千瓦时`;
}

function priceText(rate: TierRate | undefined): string {
  if (!rate) return '';
  if (rate.single !== undefined) return `${formatRate(rate.single)} 元/千瓦时`;
  const parts = PERIODS.flatMap((period) => {
    const value = rate.periods?.[period];
    return value === undefined ? [] : [`${PERIOD_LABEL[period]} ${formatRate(value)}`];
  });
  return `${parts.join(' · ')} 元/千瓦时`;
}

/** Where the customer stands on the tier ladder: the tiers, their prices, and how far to the next one. */
export function TierCard({ card }: { card: Card }) {
  const { limits, countedKwh, tier } = card;
  const counted = card.basis === 'annual' ? `${card.countedFrom.slice(0, 4)} 年累计` : '本月';
  const status = card.kwhToNextTier === null ? '已进入最高档' : `当前第 ${tier} 档，再用 ${card.kwhToNextTier} 千瓦时进入第 ${tier + 1} 档`;

  // The last tier is open-ended: draw it a quarter as long as the ladder below it, or to the marker.
  const top = limits[limits.length - 1] ?? 0;
  const scale = Math.max(top * 1.25, countedKwh * 1.08, 1);
  const percent = (kwh: number) => `${Math.min(100, (kwh * 100) / scale).toFixed(2)}%`;
  const bounds = [0, ...limits, scale];

  return (
    <View className="tier" data-testid="tier-card">
      <View className="tier__head">
        <Text className="tier__title">阶梯电量</Text>
        <Text className="tier__basis">{counted}</Text>
      </View>
      <View className="tier__usage">
        <Text className="tier__kwh">{countedKwh}</Text>
        <Text className="tier__unit">千瓦时</Text>
      </View>
      <Text className="tier__status" data-testid="tier-status">
        {status}
      </Text>

      <View className="tier__track" aria-label={`${counted} ${countedKwh} 千瓦时，${status}`}>
        {bounds.slice(1).map((upper, index) => (
          <View key={index} className={`tier__segment tier__segment--${Math.min(index + 1, 3)}`} style={{ width: percent(upper - bounds[index]!) }} />
        ))}
        <View className="tier__fill" style={{ width: percent(countedKwh) }} />
        <View className="tier__marker" style={{ left: percent(countedKwh) }} />
      </View>
      <View className="tier__ticks">
        {limits.map((limit) => (
          <Text key={limit} className="tier__tick" style={{ left: percent(limit) }}>
            {limit}
          </Text>
        ))}
      </View>

      <View className="tier__ladder">
        {[...limits, undefined].map((_, index) => (
          <View key={index} className={`tier__row ${index + 1 === tier ? 'tier__row--current' : ''}`}>
            <Text className="tier__name">{tierName(index + 1)}</Text>
            <View className="tier__range">
              <Text className="tier__limit">{rangeText(limits, index)}</Text>
              <Text className="tier__price">{priceText(card.rates.find((rate) => rate.tier === index + 1))}</Text>
            </View>
          </View>
        ))}
      </View>
    </View>
  );
}
