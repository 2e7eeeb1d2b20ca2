import { Text, View } from '@tarojs/components';
import type { BillDetail } from '../../../../../shared/contracts/billing';
import { fenToYuan, formatHundredths } from '../../../../../shared/money';
import { formatRate } from '../../../../../shared/tariff/engine';
import type { Period } from '../../../../../shared/tariff/types';
import { Money } from '../../../components/Money';
import { PERIOD_LABEL, tierName } from '../../../billing';
import './BillLines.scss';

type Line = BillDetail['lines'][number];

function label(line: Line): string {
  if (line.kind === 'demand') return line.key === 'max_demand' ? '基本电费（按最大需量）' : '基本电费（按容量）';
  if (line.kind === 'power_factor') return `力调电费（考核标准 ${line.key}）`;
  if (line.kind === 'fund') return line.name ?? line.key;
  if (line.kind === 'tier_adder') return `${tierName(Number(line.key))}加价`;
  if (line.key === 'single') return '电度电费';
  return `${PERIOD_LABEL[line.key as Period] ?? line.key}时电费`;
}

/** What a line's quantity counts: kVA of capacity or kW of maximum demand a month, else kWh. */
function unit(line: Line): string {
  if (line.kind === 'demand') return line.key === 'max_demand' ? '千瓦' : '千伏安';
  return '千瓦时';
}

const percent = (bp: number) => `${formatHundredths(Math.abs(bp))}%`;

/** The quantity and the unit price, each with its unit; the power-factor line shows its factor and percentage. */
function figures(line: Line): { quantity: string; price: string } {
  if (line.kind === 'power_factor') {
    const factor = formatHundredths(line.quantity);
    return { quantity: `功率因数 ${factor}`, price: line.rate === 0 ? '不增不减' : `${line.rate < 0 ? '减收' : '加收'} ${percent(line.rate)}` };
  }
  const quantity = `${line.quantity} ${unit(line)}`;
  // Demand rates are whole fen a month (× 100 in the line, like every rate): shown as yuan with fen.
  if (line.kind === 'demand') return { quantity, price: `${fenToYuan(Math.round(line.rate / 100))} 元/${unit(line)}·月` };
  return { quantity, price: `${formatRate(line.rate)} 元/千瓦时` };
}

/** The bill's lines; they are rounded one by one, so they always add up to the bill's amount. */
export function BillLines({ lines, amountFen }: { lines: Line[]; amountFen: number }) {
  return (
    <View className="card" data-testid="bill-lines">
      <Text className="card__title">电费明细</Text>
      <View className="lines__row lines__row--head">
        <Text className="lines__label">项目</Text>
        <Text className="lines__num">数量</Text>
        <Text className="lines__num">单价</Text>
        <Text className="lines__amount">金额</Text>
      </View>
      {lines.map((line) => {
        const { quantity, price } = figures(line);
        return (
          <View key={`${line.kind}-${line.key}`} className="lines__row" data-testid={`bill-line-${line.kind}-${line.key}`}>
            <Text className="lines__label">{label(line)}</Text>
            <Text className="lines__num">{quantity}</Text>
            <Text className="lines__num">{price}</Text>
            <Money className="lines__amount" fen={line.amountFen} />
          </View>
        );
      })}
      <View className="lines__row lines__row--total" data-testid="bill-lines-total">
        <Text className="lines__label">合计</Text>
        <Money className="lines__amount" fen={amountFen} />
      </View>
    </View>
  );
}
