import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { BillSummary } from '../../../../shared/contracts/billing';
import { Money } from '../../components/Money';
import { PaymentBadge } from '../../components/PaymentBadge';
import { billUrl, formatMonth } from '../../billing';

export function BillList({ accountId, bills }: { accountId: number; bills: BillSummary[] }) {
  return (
    <View className="bill-list" data-testid="bill-list">
      {bills.map((bill) => (
        <View
          key={bill.id}
          className="bill-row"
          data-testid={`bill-row-${bill.month}`}
          onClick={() => void Taro.navigateTo({ url: billUrl(accountId, bill.month) })}
        >
          <View className="bill-row__main">
            <Text className="bill-row__month">{formatMonth(bill.month)}</Text>
            <Text className="bill-row__kwh">{bill.kwh} 千瓦时</Text>
          </View>
          <View className="bill-row__side">
            <Money className="bill-row__amount" fen={bill.amountFen} />
            <PaymentBadge state={bill.payment.state} />
          </View>
          <Text className="bill-row__arrow">›</Text>
        </View>
      ))}
    </View>
  );
}
