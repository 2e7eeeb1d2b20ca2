import { Text, View } from '@tarojs/components';
import type { Account } from '../../../../shared/contracts/accounts';
import { StateView } from '../../components/StateView';
import { TierCard } from '../../components/TierCard';
import { UsageChart } from '../../components/UsageChart';
import { shortMonth } from '../../billing';
import { useApi } from '../../hooks/useApi';
import { BillList } from './BillList';
import { OverviewCard } from './OverviewCard';
import { PendingCard } from '../../components/PendingCard';

/** One account's overview, tier position, usage and bill list, from one request. */
export function AccountBills({ account }: { account: Account }) {
  const result = useApi('getBillingOverview', { params: { accountId: account.id } });

  if (result.status !== 'ready') {
    return <PendingCard result={result} />;
  }

  const { overview, bills } = result.data;
  const hasUsage = overview.usage.some((point) => point.kwh !== null);
  return (
    <View>
      <OverviewCard account={account} overview={overview} />
      {overview.pendingMonths.length > 0 && (
        <View className="bills__pending" data-testid="bills-pending">
          <Text>{overview.pendingMonths.map(shortMonth).join('、')}账单正在核对，核对后出账</Text>
        </View>
      )}
      {overview.tier && (
        <View className="card">
          <TierCard card={overview.tier} />
        </View>
      )}
      {hasUsage && (
        <View className="card">
          <Text className="card__title">近 12 个月用电</Text>
          <UsageChart usage={overview.usage} />
        </View>
      )}
      <View className="card">
        <Text className="card__title">账单记录</Text>
        {bills.length > 0 ? <BillList accountId={account.id} bills={bills} /> : <StateView kind="empty" message="还没有已出账的账单，出账后会在这里显示" />}
      </View>
    </View>
  );
}
