import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { StateView } from '../../../../components/StateView';
import { useApi } from '../../../../hooks/useApi';
import { describeError } from '../../../../services';
import { AreaList } from '../../components/AreaList';
import { History } from '../../components/History';
import { OutageTags } from '../../components/OutageCard';
import { expectedText, formatInstant } from '../../outages';
import './index.scss';

/** One outage, opened from a list with ?id=…; public, so a shared link works without logging in. */
export default function OutageDetailPage() {
  const { params } = useRouter();
  const id = Number(params.id);
  const valid = Number.isSafeInteger(id) && id > 0;
  const result = useApi('getOutage', { params: { outageId: id } }, { enabled: valid });

  if (!valid || result.status !== 'ready') {
    return (
      <View className="page outage-detail">
        <View className="card">
          {!valid && <StateView kind="empty" message="停电信息不完整，请从停电信息列表重新进入" />}
          {valid && result.status === 'loading' && <StateView kind="loading" />}
          {valid && result.status === 'error' && <StateView kind="error" message={describeError(result.error)} onRetry={result.reload} />}
        </View>
      </View>
    );
  }

  const { outage, history } = result.data;
  const facts: Array<[string, string]> = [
    ['所在区域', outage.district],
    ['计划开始', formatInstant(outage.scheduledStart)],
    ['计划结束', formatInstant(outage.scheduledEnd)],
  ];
  if (outage.status === 'scheduled' || outage.status === 'in_progress') facts.push(['预计恢复', formatInstant(outage.expectedBackAt)]);
  if (outage.restoredAt) facts.push(['恢复时间', formatInstant(outage.restoredAt)]);
  if (outage.feeder) facts.push(['停电线路', outage.feeder]);
  facts.push(['最近更新', formatInstant(outage.updatedAt)]);

  return (
    <View className="page outage-detail" data-testid="outage-detail">
      <View className="card outage-detail__summary">
        <View className="outage-detail__tags">
          <OutageTags outage={outage} />
        </View>
        <Text className="outage-detail__title">{outage.title}</Text>
        <Text className={`outage-detail__expected outage-detail__expected--${outage.status}`} data-testid={`outage-expected-${outage.id}`}>
          {expectedText(outage)}
        </Text>
        {facts.map(([label, value]) => (
          <View key={label} className="outage-detail__fact">
            <Text className="outage-detail__label">{label}</Text>
            <Text>{value}</Text>
          </View>
        ))}
      </View>
      <View className="card">
        <Text className="card__title">停电原因</Text>
        <Text className="prose" data-testid="outage-reason">
          {outage.reason}
        </Text>
      </View>
      {outage.areas.length > 0 && (
        <View className="card">
          <Text className="card__title">停电台区</Text>
          <AreaList areas={outage.areas} />
        </View>
      )}
      <History history={history} />
    </View>
  );
}
