import { Text, View } from '@tarojs/components';
import { readingFormula } from '../../../../../shared/billing/explain';
import type { BillDetail } from '../../../../../shared/contracts/billing';
import { formatRegister } from '../../../billing';

/** The meter readings the kWh come from, each with the formula that gives exactly the kWh billed. */
export function Readings({ readings, kwh }: { readings: BillDetail['readings']; kwh: number }) {
  return (
    <View className="card" data-testid="bill-readings">
      <Text className="card__title">抄表读数</Text>
      {readings.map((reading) => {
        const formula = readingFormula(reading);
        return (
          <View key={reading.meterNo} className="reading" data-testid={`reading-${reading.meterNo}`}>
            <View className="list-row">
              <Text>电表 {reading.meterNo}</Text>
              <Text className="list-row__hint">倍率 {reading.multiplier}</Text>
            </View>
            <View className="list-row">
              <Text>起码（上期读数）</Text>
              <Text>{formatRegister(reading.start)} 千瓦时</Text>
            </View>
            <View className="list-row">
              <Text>止码（本期读数）</Text>
              <Text>{formatRegister(reading.end)} 千瓦时</Text>
            </View>
            {formula && (
              <Text className="prose" data-testid="reading-formula">
                (止码 − 起码) × 倍率 = {formula.text}；不足 1 千瓦时的 {formula.carriedOut} 结转下期
              </Text>
            )}
          </View>
        );
      })}
      {readings.length > 1 && <Text className="prose">各表合计 {kwh} 千瓦时</Text>}
      <Text className="prose">取整规则：每次读数乘倍率后舍去不足 1 千瓦时的部分，舍去的部分在下期计入，不多计也不少计。</Text>
    </View>
  );
}
