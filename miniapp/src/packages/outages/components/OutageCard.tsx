import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { MyOutage, Outage } from '../../../../../shared/contracts/outages';
import { KIND_LABEL, STATUS_LABEL, expectedText, outageUrl, windowText } from '../outages';
import './OutageCard.scss';

export function OutageTags({ outage }: { outage: Outage }) {
  return (
    <View className="outage__tags">
      <Text className={`outage__tag outage__tag--${outage.kind}`}>{KIND_LABEL[outage.kind]}</Text>
      <Text className={`outage__tag outage__status--${outage.status}`}>{STATUS_LABEL[outage.status]}</Text>
    </View>
  );
}

/** One outage in a list: what, when power is back, where, and (for the customer's own) which accounts. */
export function OutageCard({ outage }: { outage: Outage | MyOutage }) {
  const accounts = 'accounts' in outage ? outage.accounts : [];
  return (
    <View className="outage" data-testid={`outage-card-${outage.id}`} onClick={() => void Taro.navigateTo({ url: outageUrl(outage.id) })}>
      <View className="outage__head">
        <OutageTags outage={outage} />
        <Text className="outage__arrow">›</Text>
      </View>
      <Text className="outage__title">{outage.title}</Text>
      <Text className={`outage__expected outage__expected--${outage.status}`} data-testid={`outage-expected-${outage.id}`}>
        {expectedText(outage)}
      </Text>
      <Text className="outage__line">{windowText(outage)}</Text>
      <Text className="outage__line">{outage.district}</Text>
      {accounts.length > 0 && <Text className="outage__line">影响户号 {accounts.map((account) => account.accountNo).join('、')}</Text>}
    </View>
  );
}
