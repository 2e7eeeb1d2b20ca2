import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { StateView } from '../../../../components/StateView';
import { TierCard } from '../../../../components/TierCard';
import { tierName } from '../../../../billing';
import { useApi } from '../../../../hooks/useApi';
import { describeError } from '../../../../services';
import { BillLines } from '../../components/BillLines';
import { BillSummaryCard } from '../../components/BillSummaryCard';
import { Explainer } from '../../components/Explainer';
import { Readings } from '../../components/Readings';
import { TouSplit } from '../../components/TouSplit';
import './index.scss';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** One issued bill, opened from the bills tab with ?accountId=…&month=YYYY-MM. */
export default function BillDetailPage() {
  const { params } = useRouter();
  const accountId = Number(params.accountId);
  const month = params.month ?? '';
  const valid = Number.isSafeInteger(accountId) && accountId > 0 && MONTH.test(month);
  const result = useApi('getBill', { params: { accountId, month } }, { enabled: valid });

  if (!valid || result.status !== 'ready') {
    return (
      <View className="page bill">
        <View className="card">
          {!valid && <StateView kind="empty" message="账单信息不完整，请从账单列表重新进入" />}
          {valid && result.status === 'loading' && <StateView kind="loading" />}
          {valid && result.status === 'error' && <StateView kind="error" message={describeError(result.error)} onRetry={result.reload} />}
        </View>
      </View>
    );
  }

  const { bill } = result.data;
  const tierKwh = bill.tiers.filter((tier) => tier.kwh > 0);
  return (
    <View className="page bill" data-testid="bill-detail">
      <BillSummaryCard accountId={accountId} bill={bill} />
      {bill.comparison && <Explainer comparison={bill.comparison} />}
      {/* Single-rate bills have one period and nothing to split. */}
      {bill.periods.length > 1 && <TouSplit periods={bill.periods} />}
      {bill.tierCard && (
        <View className="card">
          <TierCard card={bill.tierCard} />
          {tierKwh.length > 1 && (
            <Text className="bill__tiers">本期电量分档：{tierKwh.map((tier) => `${tierName(tier.tier)} ${tier.kwh} 千瓦时`).join('，')}</Text>
          )}
        </View>
      )}
      <BillLines lines={bill.lines} amountFen={bill.amountFen} />
      {bill.readings.length > 0 && <Readings readings={bill.readings} kwh={bill.kwh} />}
    </View>
  );
}
