import { Text, View } from '@tarojs/components';
import type { BillDetail } from '../../../../../shared/contracts/billing';
import { formatRate } from '../../../../../shared/tariff/engine';
import { PERIOD_LABEL } from '../../../billing';
import './TouSplit.scss';

/** Time-of-use kWh as one stacked bar and a list, each period with its share and price. */
export function TouSplit({ periods }: { periods: BillDetail['periods'] }) {
  const total = periods.reduce((sum, period) => sum + period.kwh, 0);
  const share = (kwh: number) => (total === 0 ? '0.0' : ((kwh * 100) / total).toFixed(1));
  const summary = periods.map((period) => `${PERIOD_LABEL[period.period]} ${share(period.kwh)}%`).join('，');

  return (
    <View className="card" data-testid="tou-split">
      <Text className="card__title">分时用电</Text>
      {total > 0 && (
        <View className="tou__bar" aria-label={`分时用电占比：${summary}`}>
          {periods
            .filter((period) => period.kwh > 0)
            .map((period) => (
              <View key={period.period} className={`tou__part tou__part--${period.period}`} style={{ width: `${share(period.kwh)}%` }} />
            ))}
        </View>
      )}
      {periods.map((period) => (
        <View key={period.period} className="tou__row" data-testid={`tou-${period.period}`}>
          <View className={`tou__swatch tou__part--${period.period}`} />
          <Text className="tou__name">{PERIOD_LABEL[period.period]}时段</Text>
          <Text className="tou__kwh">{period.kwh} 千瓦时</Text>
          <Text className="tou__share">{share(period.kwh)}%</Text>
          <Text className="tou__rate">{formatRate(period.rate)} 元/千瓦时</Text>
        </View>
      ))}
    </View>
  );
}
