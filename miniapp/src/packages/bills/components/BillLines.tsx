import { Text, View } from '@tarojs/components';
import type { BillDetail } from '../../../../../shared/contracts/billing';
import { formatRate } from '../../../../../shared/tariff/engine';
import type { Period } from '../../../../../shared/tariff/types';
import { Money } from '../../../components/Money';
import { PERIOD_LABEL, tierName } from '../../../billing';
import './BillLines.scss';

type Line = BillDetail['lines'][number];

function label(line: Line): string {
  if (line.kind === 'demand') return '基本电费';
  if (line.kind === 'tier_adder') return `${tierName(Number(line.key))}加价`;
  if (line.key === 'single') return '电度电费';
  return `${PERIOD_LABEL[line.key as Period] ?? line.key}时电费`;
}

/** Demand lines are charged per kVA of contracted capacity; every other line per kWh. */
const unit = (line: Line) => (line.kind === 'demand' ? '千伏安' : '千瓦时');

/** The bill's lines; they are rounded one by one, so they always add up to the bill's amount. */
export function BillLines({ lines, amountFen }: { lines: Line[]; amountFen: number }) {
  return (
    <View className="card" data-testid="bill-lines">
      <Text className="card__title">电费明细</Text>
      <View className="lines__row lines__row--head">
        <Text className="lines__label">项目</Text>
        <Text className="lines__num">数量</Text>
        <Text className="lines__num">单价（元）</Text>
        <Text className="lines__amount">金额</Text>
      </View>
      {lines.map((line) => (
        <View key={`${line.kind}-${line.key}`} className="lines__row" data-testid={`bill-line-${line.kind}-${line.key}`}>
          <Text className="lines__label">{label(line)}</Text>
          <View className="lines__num">
            <Text>{line.quantity}</Text>
            <Text className="lines__unit">{unit(line)}</Text>
          </View>
          <View className="lines__num">
            <Text>{formatRate(line.rate)}</Text>
            <Text className="lines__unit">/{unit(line)}</Text>
          </View>
          <Money className="lines__amount" fen={line.amountFen} />
        </View>
      ))}
      <View className="lines__row lines__row--total" data-testid="bill-lines-total">
        <Text className="lines__label">合计</Text>
        <Money className="lines__amount" fen={amountFen} />
      </View>
    </View>
  );
}
