import { Text, View } from '@tarojs/components';
import { useApi } from '../../../../hooks/useApi';
import { beijingDateTime } from '../../receipt/rows';

/**
 * The facts of a paid order on its result page: when, how, for which account and which bill months,
 * read from its receipt. While the receipt loads (or if it cannot be read) the page stays as it is:
 * the payment's outcome does not depend on this block.
 */
export function PaidSummary({ orderId }: { orderId: number }) {
  const result = useApi('getPaymentReceipt', { params: { orderId } });
  if (result.status !== 'ready') return null;
  const { receipt } = result.data;
  const months = receipt.bills.map((bill) => bill.month).join('、');
  const rows = [
    { label: '缴费时间', value: beijingDateTime(receipt.paidAt) },
    { label: '支付方式', value: receipt.channelName },
    { label: '户号', value: `${receipt.account.accountNo}（${receipt.account.holderNameMasked}）` },
    { label: receipt.purpose === 'top_up' ? '缴费项目' : '账单月份', value: receipt.purpose === 'top_up' ? '预存电费' : months || '预存电费' },
  ];
  return (
    <View className="pay__summary" data-testid="pay-result-summary">
      {rows.map((row) => (
        <View key={row.label} className="pay__summary-row">
          <Text className="pay__summary-label">{row.label}</Text>
          <Text className="pay__summary-value">{row.value}</Text>
        </View>
      ))}
    </View>
  );
}
