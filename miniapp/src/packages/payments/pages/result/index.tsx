import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import type { PaymentOrder } from '../../../../../../shared/contracts/payments';
import '../../../../components/Form.scss';
import { Money } from '../../../../components/Money';
import { StateView } from '../../../../components/StateView';
import { api, describeError } from '../../../../services';
import '../index/index.scss';

/** How long the page keeps asking before it says the result will come later. */
const POLL_MS = 2_000;
const POLL_LIMIT = 15;

const TEXT: Record<PaymentOrder['state'], string> = {
  CREATED: '正在确认支付结果…',
  PAYING: '正在确认支付结果…',
  PAID: '缴费成功',
  CLOSED: '订单已关闭，未扣款',
  FAILED: '支付未完成',
};

/**
 * The outcome as the server knows it (told by the gateway, or by its own query): never what the
 * payment UI claimed. Asks a few times while the order is still paying.
 */
export default function PaymentResult() {
  const orderId = Number(useRouter().params.id);
  const [order, setOrder] = useState<PaymentOrder>();
  const [error, setError] = useState<string>();
  const [polls, setPolls] = useState(0);

  useEffect(() => {
    if (!Number.isInteger(orderId) || orderId <= 0) return;
    if (order && order.state !== 'PAYING' && order.state !== 'CREATED') return;
    if (polls >= POLL_LIMIT) return;
    const timer = setTimeout(
      () =>
        api
          .call('getPayment', { params: { orderId } })
          .then(
            (reply) => setOrder(reply.order),
            (err: unknown) => setError(describeError(err)),
          )
          .finally(() => setPolls((count) => count + 1)),
      polls === 0 ? 0 : POLL_MS,
    );
    return () => clearTimeout(timer);
  }, [orderId, order, polls]);

  if (error && !order)
    return (
      <View className="page">
        <View className="card">
          <StateView
            kind="error"
            message={error}
            onRetry={() => {
              setError(undefined);
              setPolls(0);
            }}
          />
        </View>
      </View>
    );
  if (!order)
    return (
      <View className="page">
        <View className="card">
          <StateView kind="loading" />
        </View>
      </View>
    );
  const waiting = order.state === 'PAYING' || order.state === 'CREATED';
  return (
    <View className="page">
      <View className="card pay" data-testid="pay-result">
        <Text className="card__title" data-testid="pay-result-state">
          {waiting && polls >= POLL_LIMIT ? '支付结果确认中，到账后会通知您' : TEXT[order.state]}
        </Text>
        <Money className="pay__amount" fen={order.amountFen} />
        <Text className="pay__note">订单号 {order.outTradeNo}</Text>
        {order.flag === 'receivable_already_settled' && <Text className="pay__note">所选账单已在其他渠道缴清，本次款项已转为预存电费。</Text>}
        <Button className="form__submit" onClick={() => void Taro.switchTab({ url: '/pages/bills/index' })} data-testid="pay-result-bills">
          查看账单
        </Button>
      </View>
    </View>
  );
}
