import { Text, View } from '@tarojs/components';
import type { BillDetail } from '../../../../../shared/contracts/billing';
import { formatRegister } from '../../../billing';

/** The meter readings the kWh come from; registers are kept to hundredths of a kWh. */
export function Readings({ readings }: { readings: BillDetail['readings'] }) {
  return (
    <View className="card" data-testid="bill-readings">
      <Text className="card__title">抄表读数</Text>
      {readings.map((reading) => (
        <View key={reading.meterNo} className="reading">
          <View className="list-row">
            <Text>电表 {reading.meterNo}</Text>
            <Text className="list-row__hint">倍率 {reading.multiplier}</Text>
          </View>
          <View className="list-row">
            <Text>上期读数</Text>
            <Text>{formatRegister(reading.start)} 千瓦时</Text>
          </View>
          <View className="list-row">
            <Text>本期读数</Text>
            <Text>{formatRegister(reading.end)} 千瓦时</Text>
          </View>
        </View>
      ))}
      <Text className="prose">用电量 =（本期读数 − 上期读数）× 倍率，按整千瓦时计，不足 1 千瓦时的部分计入下期。</Text>
    </View>
  );
}
