import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import type { Account } from '../../../../shared/contracts/accounts';
import type { BillingOverview } from '../../../../shared/contracts/billing';
import { formatFen } from '../../../../shared/money';
import { Money } from '../../components/Money';
import { PAY_URL } from '../../billing';
import { BalanceAlertForm } from './BalanceAlertForm';

const pay = (accountId: number) => void Taro.navigateTo({ url: `${PAY_URL}?accountId=${accountId}` });

/** Postpaid: what is owed now. Prepaid: the balance, and when the customer wants to be warned. */
export function OverviewCard({ account, overview }: { account: Account; overview: BillingOverview }) {
  const [thresholdFen, setThresholdFen] = useState(overview.lowBalanceThresholdFen);
  const prepaid = overview.billingMode === 'prepaid';
  const low = prepaid && thresholdFen !== null && overview.balanceFen < thresholdFen;
  const lateFee = overview.lateFeeFen > 0 ? `（含违约金 ${formatFen(overview.lateFeeFen)}）` : '';

  return (
    <View className="card bills__overview" data-testid="bills-overview">
      <View className="bills__account-line">
        <Text>户号 {account.accountNo}</Text>
        <Text className="list-row__hint">{overview.tariffName}</Text>
      </View>
      <Text className="bills__label">{prepaid ? '账户余额' : '应缴金额'}</Text>
      <View className="bills__amount-line">
        <Money
          className={`bills__amount ${low || overview.balanceFen < 0 ? 'bills__amount--low' : ''}`}
          fen={prepaid ? overview.balanceFen : overview.amountDueFen}
        />
        {(prepaid || overview.amountDueFen > 0) && (
          <Button className="bills__pay" onClick={() => pay(account.id)} data-testid="bills-pay">
            {prepaid ? '去充值' : '去缴费'}
          </Button>
        )}
      </View>
      {!prepaid && <Text className="bills__note">{overview.amountDueFen > 0 ? `待缴电费${lateFee}` : '电费已全部缴清'}</Text>}
      {prepaid && low && <Text className="bills__warn">余额已低于提醒金额，请及时充值</Text>}
      {prepaid && overview.amountDueFen > 0 && (
        <Text className="bills__warn">
          另有欠费 {formatFen(overview.amountDueFen)}
          {lateFee}
        </Text>
      )}
      {!prepaid && overview.balanceFen > 0 && <Text className="bills__note">预存余额 {formatFen(overview.balanceFen)}</Text>}
      {prepaid && <BalanceAlertForm accountId={account.id} thresholdFen={thresholdFen} onSaved={setThresholdFen} />}
    </View>
  );
}
