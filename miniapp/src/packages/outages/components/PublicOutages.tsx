import { Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { StateView } from '../../../components/StateView';
import { useApi } from '../../../hooks/useApi';
import { describeError } from '../../../services';
import { OutageCard } from './OutageCard';
import './PublicOutages.scss';

/** Everyone's view, no login needed: current and upcoming outages, one district at a time or all. */
export function PublicOutages() {
  const [district, setDistrict] = useState<string>();
  const result = useApi('listPublicOutages', { query: { district } });
  // The chips outlive each reload, so the picker does not vanish while a district loads; a district
  // once listed stays, in case a filtered reply names only its own.
  const [districts, setDistricts] = useState<string[]>([]);
  useEffect(() => {
    if (result.status !== 'ready') return;
    setDistricts((known) => [...known, ...result.data.districts.filter((name) => !known.includes(name))]);
  }, [result.status, result.data]);

  const chip = (name: string | undefined, label: string, testId: string) => (
    <Text
      key={testId}
      className={`outages__district ${district === name ? 'outages__district--active' : ''}`}
      onClick={() => setDistrict(name)}
      data-testid={testId}
    >
      {label}
    </Text>
  );

  return (
    <View className="card" data-testid="outages-public">
      <Text className="card__title">停电公告</Text>
      {districts.length > 0 && (
        <View className="outages__districts" data-testid="district-picker">
          {chip(undefined, '全部', 'district-all')}
          {districts.map((name) => chip(name, name, `district-${name}`))}
        </View>
      )}
      {result.status === 'loading' && <StateView kind="loading" />}
      {result.status === 'error' && <StateView kind="error" message={describeError(result.error)} onRetry={result.reload} />}
      {result.status === 'ready' &&
        (result.data.outages.length > 0 ? (
          result.data.outages.map((outage) => <OutageCard key={outage.id} outage={outage} />)
        ) : (
          <StateView kind="empty" message={`${district ?? ''}近期没有停电安排`} />
        ))}
    </View>
  );
}
