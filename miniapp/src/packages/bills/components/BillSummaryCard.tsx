import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { BillDetail } from '../../../../../shared/contracts/billing';
import { formatFen } from '../../../../../shared/money';
import { Money } from '../../../components/Money';
import { PaymentBadge } from '../../../components/PaymentBadge';
import { PAY_URL, formatMonth } from '../../../billing';

/** The bill's amount and facts, and the way to pay what is still owed on it. */
export function BillSummaryCard({ accountId, bill }: { accountId: number; bill: BillDetail }) {
  const { payment } = bill;
  const facts: Array<[string, string]> = [
    ['计费周期', `${bill.periodStart} 至 ${bill.periodEnd}（${bill.days} 天）`],
    ['用电量', `${bill.kwh} 千瓦时`],
    ['电价', bill.tariff.name],
  ];
  if (payment.dueDate) facts.push(['缴费截止', payment.dueDate]);

  return (
    <View className="card bill__summary">
      <View className="bill__head">
        <Text className="bill__month">{formatMonth(bill.month)}电费</Text>
        <PaymentBadge state={payment.state} />
      </View>
      <Money className="bill__amount" fen={bill.amountFen} />
      {facts.map(([label, value]) => (
        <View key={label} className="bill__fact">
          <Text className="bill__fact-label">{label}</Text>
          <Text>{value}</Text>
        </View>
      ))}
      {payment.outstandingFen > 0 && (
        <View className="bill__due" data-testid="bill-outstanding">
          <Text className="bill__due-text">
            待缴 {formatFen(payment.outstandingFen)}
            {payment.lateFeeFen > 0 ? `（含违约金 ${formatFen(payment.lateFeeFen)}）` : ''}
          </Text>
          <Button
            className="bill__pay"
            onClick={() => void Taro.navigateTo({ url: `${PAY_URL}?accountId=${accountId}&month=${bill.month}` })}
            data-testid="bill-pay"
          >
            去缴费
          </Button>
        </View>
      )}
      {bill.adjusted && (
        <Text className="bill__adjusted" data-testid="bill-adjusted">
          本账单经核对后更正：{bill.adjusted.reason}
        </Text>
      )}
    </View>
  );
}
