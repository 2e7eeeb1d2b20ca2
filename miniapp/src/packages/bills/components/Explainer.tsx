import { Text, View } from '@tarojs/components';
import { explainChange } from '../../../../../shared/billing/explain';
import type { BillComparison } from '../../../../../shared/contracts/billing';
import { formatMonth } from '../../../billing';

/** Why this bill differs from the previous one, in the shared explainer's words. */
export function Explainer({ comparison }: { comparison: BillComparison }) {
  const { headline, reasons } = explainChange(comparison);
  return (
    <View className="card" data-testid="bill-explainer">
      <Text className="card__title">与上期相比</Text>
      <Text className="explain__headline">{headline}</Text>
      <Text className="explain__base">对比 {formatMonth(comparison.previousMonth)}账单</Text>
      {reasons.map((reason) => (
        <View key={reason} className="explain__reason">
          <Text className="explain__dot">•</Text>
          <Text className="explain__text">{reason}</Text>
        </View>
      ))}
    </View>
  );
}
