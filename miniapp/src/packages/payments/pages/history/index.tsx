import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { PaymentOrder } from '../../../../../../shared/contracts/payments';
import { Money } from '../../../../components/Money';
import { PendingCard } from '../../../../components/PendingCard';
import { StateView } from '../../../../components/StateView';
import { useApi } from '../../../../hooks/useApi';
import { formatInstant } from '../../../../time';
import '../index/index.scss';

const STATE: Record<PaymentOrder['state'], string> = { CREATED: '待支付', PAYING: '支付中', PAID: '已缴费', CLOSED: '已关闭', FAILED: '支付失败' };
const stateOf = (payment: PaymentOrder) => (payment.cancelled ? '已取消' : STATE[payment.state]);
const open = (payment: PaymentOrder) => payment.state === 'PAYING' || payment.state === 'CREATED';
const CHANNEL: Record<PaymentOrder['channel'], string> = { wechat_jsapi: '微信支付', wechat_h5: '微信支付', alipay_wap: '支付宝' };

/** The customer's payments, newest first; each paid one shows its receipt: what it paid of each bill. */
export default function PaymentHistory() {
  const result = useApi('listPayments');
  // Records name their account by number; an account unbound since then is left unnamed.
  const accounts = useApi('listAccounts');
  const accountNoOf = (accountId: number) =>
    accounts.status === 'ready' ? accounts.data.accounts.find((account) => account.id === accountId)?.accountNo : undefined;
  if (result.status !== 'ready')
    return (
      <View className="page">
        <PendingCard result={result} />
      </View>
    );
  const { payments } = result.data;
  if (!payments.length) {
    return (
      <View className="page">
        <View className="card">
          <StateView
            kind="empty"
            message="还没有缴费记录"
            action={{ label: '去缴费', onTap: () => void Taro.redirectTo({ url: '/packages/payments/pages/index/index' }) }}
          />
        </View>
      </View>
    );
  }
  return (
    <View className="page">
      {payments.map((payment) => (
        <View key={payment.id} className="card pay" data-testid="payment-record">
          <View className="list-row">
            <Text>
              {payment.purpose === 'top_up' ? '预存电费' : '电费缴纳'} · {CHANNEL[payment.channel]}
            </Text>
            <Text data-testid="payment-record-state">{stateOf(payment)}</Text>
          </View>
          <Money className="pay__amount" fen={payment.amountFen} />
          {accountNoOf(payment.accountId) && (
            <Text className="pay__note" data-testid="payment-record-account">
              户号 {accountNoOf(payment.accountId)}
            </Text>
          )}
          <Text className="pay__note">
            {formatInstant(payment.paidAt ?? payment.createdAt)} · 订单号 {payment.outTradeNo}
          </Text>
          {open(payment) && (
            <Text
              className="pay__note pay__switch"
              data-testid="payment-record-check"
              onClick={() => void Taro.navigateTo({ url: `/packages/payments/pages/result/index?id=${payment.id}` })}
            >
              查看支付结果 ›
            </Text>
          )}
          {(payment.state === 'CLOSED' || payment.state === 'FAILED') && (
            <Text
              className="pay__note pay__switch"
              data-testid="payment-record-again"
              onClick={() => void Taro.navigateTo({ url: `/packages/payments/pages/index/index?accountId=${payment.accountId}` })}
            >
              再次支付 ›
            </Text>
          )}
          {payment.state === 'PAID' && (
            <Text
              className="pay__note pay__switch"
              data-testid="payment-record-receipt"
              onClick={() => void Taro.navigateTo({ url: `/packages/payments/pages/receipt/index?id=${payment.id}` })}
            >
              查看电子凭证 ›
            </Text>
          )}
          {payment.receipt && (
            <View data-testid="payment-receipt">
              {payment.receipt.lines.map((line) => (
                <Text key={line.month} className="pay__note">
                  {line.month} 账单：电费 <Money fen={line.principalFen} />
                  {line.lateFeeFen > 0 && (
                    <>
                      ，违约金 <Money fen={line.lateFeeFen} />
                    </>
                  )}
                </Text>
              ))}
              {payment.receipt.prepaymentFen > 0 && (
                <Text className="pay__note">
                  转入预存：
                  <Money fen={payment.receipt.prepaymentFen} />
                </Text>
              )}
            </View>
          )}
        </View>
      ))}
    </View>
  );
}
