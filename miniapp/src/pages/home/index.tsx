import { Text, View } from '@tarojs/components';
import { EntryGrid } from '../../components/EntryGrid';
import { NoticeList } from '../../components/NoticeList';
import { StateView } from '../../components/StateView';
import { ENTRIES } from '../../entries';
import { useApi } from '../../hooks/useApi';
import { platform } from '../../platform';
import { describeError } from '../../services';
import './index.scss';

export default function Home() {
  const meta = useApi('getMeta');
  const utility = meta.data?.utility;

  return (
    <View className="page home">
      <View className="home__hero">
        <Text className="home__name" data-testid="utility-name">
          {utility?.name ?? (meta.status === 'error' ? '电力客户服务' : '…')}
        </Text>
        {utility && (
          <View className="home__hotline" onClick={() => platform.call(utility.hotline)}>
            <Text>服务热线 {utility.hotline}</Text>
            <Text className="home__hours">{utility.serviceHours}</Text>
          </View>
        )}
      </View>

      <View className="card home__entries">
        <EntryGrid entries={[ENTRIES.pay, ENTRIES.bills, ENTRIES.outages, ENTRIES.repair, ENTRIES.apply]} />
      </View>

      <View className="card">
        <Text className="card__title">通知公告</Text>
        {meta.status === 'loading' && <StateView kind="loading" />}
        {meta.status === 'error' && <StateView kind="error" message={describeError(meta.error)} onRetry={meta.reload} />}
        {meta.status === 'ready' &&
          (meta.data.notices.length > 0 ? <NoticeList notices={meta.data.notices} /> : <StateView kind="empty" message="暂无通知公告" />)}
      </View>
    </View>
  );
}
