import { Text, View } from '@tarojs/components';
import { StateView } from '../../../components/StateView';
import type { ApiState } from '../../../hooks/useApi';
import type { ApiResponse } from '../../../services';
import { OutageCard } from './OutageCard';
import { PendingCard } from '../../../components/PendingCard';

type Mine = ApiResponse<'listMyOutages'>;

const SECTIONS: Array<{ key: keyof Mine; title: string }> = [
  { key: 'current', title: '正在停电' },
  { key: 'upcoming', title: '即将停电' },
  { key: 'recentlyRestored', title: '近期已复电' },
];

/** The outages touching the customer's own accounts, most urgent first; sections with nothing are left out. */
export function MyOutages({ result }: { result: ApiState<Mine> & { reload: () => void } }) {
  if (result.status !== 'ready') {
    return <PendingCard result={result} />;
  }

  const sections = SECTIONS.map((section) => ({ ...section, outages: result.data[section.key] })).filter((section) => section.outages.length > 0);
  return (
    <View data-testid="outages-mine">
      {sections.length === 0 && (
        <View className="card">
          <StateView kind="empty" message="您的户号近期没有停电安排" />
        </View>
      )}
      {sections.map((section) => (
        <View key={section.key} className="card" data-testid={`outages-${section.key}`}>
          <Text className="card__title">{section.title}</Text>
          {section.outages.map((outage) => (
            <OutageCard key={outage.id} outage={outage} />
          ))}
        </View>
      ))}
    </View>
  );
}
