import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import type { PaymentOrder } from '../../../../../../shared/contracts/payments';
import '../../../../components/Form.scss';
import { Money } from '../../../../components/Money';
import { StateView } from '../../../../components/StateView';
import { useAction } from '../../../../hooks/useAction';
import { platform } from '../../../../platform';
import { api, describeError } from '../../../../services';
import '../index/index.scss';
import { outcomeOf, type Outcome } from './outcome';
import { PaidSummary } from './PaidSummary';

/** How long the page keeps asking before it says the result will come later: 15 × 2 s. */
const POLL_MS = 2_000;
const POLL_LIMIT = 15;
const HOTLINE = '95598';

const NOTE: Record<Outcome, string> = {
  paid: '款项已到账，账单状态已更新。',
  cancelled: '您已取消支付，订单已关闭，未扣款。',
  closed: '订单超时未支付，已关闭，未扣款。',
  failed: '支付未完成，未扣款。',
  checking: '正在向支付机构查询，请稍候。',
  unknown: '暂未查到支付结果。如已扣款，到账后会通知您并更新账单；如未支付，可关闭本单后再次支付。',
};

/**
 * The outcome as the server knows it (told by the gateway, or by its own query): never what the
 * payment UI claimed. Asks a bounded number of times while the order is open, then says so and
 * offers what to do; a customer who left the cashier (`cancelled=1`) has the order closed at once.
 */
export default function PaymentResult() {
  const params = useRouter().params;
  const orderId = Number(params.id);
  const [order, setOrder] = useState<PaymentOrder>();
  const [error, setError] = useState<string>();
  const [polls, setPolls] = useState(0);
  const closing = useAction();

  // Back from here goes to the bills, never to the gateway's cashier behind this page.
  useEffect(() => {
    platform.backLeavesTo('/pages/bills/index');
  }, []);

  const close = () =>
    closing.run(async () => {
      setOrder((await api.call('closePayment', { params: { orderId } })).order);
    });

  useEffect(() => {
    if (!Number.isInteger(orderId) || orderId <= 0) return;
    if (order && order.state !== 'PAYING' && order.state !== 'CREATED') return;
    if (polls >= POLL_LIMIT || closing.busy) return;
    const first = polls === 0;
    const timer = setTimeout(
      () =>
        (first && params.cancelled === '1' ? api.call('closePayment', { params: { orderId } }) : api.call('getPayment', { params: { orderId } }))
          .then(
            (reply) => setOrder(reply.order),
            (err: unknown) => setError(describeError(err)),
          )
          .finally(() => setPolls((count) => count + 1)),
      first ? 0 : POLL_MS,
    );
    return () => clearTimeout(timer);
  }, [orderId, order, polls, closing.busy, params.cancelled]);

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
          <StateView kind="loading" label="正在确认支付结果…" />
        </View>
      </View>
    );
  const outcome = outcomeOf(order, polls >= POLL_LIMIT);
  const payAgain = () => void Taro.redirectTo({ url: `/packages/payments/pages/index/index?accountId=${order.accountId}` });
  const bills = () => void Taro.switchTab({ url: '/pages/bills/index' });
  const receipt = () => void Taro.navigateTo({ url: `/packages/payments/pages/receipt/index?id=${order.id}` });
  const home = () => void Taro.switchTab({ url: '/pages/home/index' });
  const secondary = (label: string, onTap: () => void, testId: string, disabled = false) => (
    <Button className="form__submit pay__secondary" disabled={disabled || undefined} onClick={onTap} data-testid={testId}>
      {label}
    </Button>
  );
  return (
    <View className="page">
      <View className="card pay" data-testid="pay-result" data-outcome={outcome}>
        <Text className="card__title" data-testid="pay-result-state">
          {TITLE[outcome]}
        </Text>
        <Money className="pay__amount" fen={order.amountFen} />
        <Text className="pay__note" data-testid="pay-result-note">
          {NOTE[outcome]}
        </Text>
        {outcome === 'paid' && <PaidSummary orderId={order.id} />}
        <Text className="pay__note">订单号 {order.outTradeNo}</Text>
        {order.flag === 'receivable_already_settled' && <Text className="pay__note">所选账单已在其他渠道缴清，本次款项已转为预存电费。</Text>}
        {closing.error && <Text className="form__error">{closing.error}</Text>}
        {outcome === 'paid' && (
          <>
            <Button className="form__submit" onClick={home} data-testid="pay-result-done">
              完成
            </Button>
            {secondary('查看电子凭证', receipt, 'pay-result-receipt')}
            {secondary('查看账单', bills, 'pay-result-bills')}
          </>
        )}
        {(outcome === 'cancelled' || outcome === 'closed' || outcome === 'failed') && (
          <>
            <Button className="form__submit" onClick={payAgain} data-testid="pay-result-again">
              再次支付
            </Button>
            {secondary('查看账单', bills, 'pay-result-bills')}
            {outcome === 'failed' && secondary(`联系客服 ${HOTLINE}`, () => platform.call(HOTLINE), 'pay-result-call')}
            {secondary('返回首页', home, 'pay-result-home')}
          </>
        )}
        {(outcome === 'checking' || outcome === 'unknown') && (
          <>
            {outcome === 'unknown' && (
              <Button className="form__submit" onClick={() => setPolls(0)} data-testid="pay-result-refresh">
                刷新结果
              </Button>
            )}
            {secondary(closing.busy ? '正在关闭…' : '我未支付，关闭订单', close, 'pay-result-close', closing.busy)}
            {outcome === 'unknown' && secondary(`联系客服 ${HOTLINE}`, () => platform.call(HOTLINE), 'pay-result-call')}
            {secondary('查看账单', bills, 'pay-result-bills')}
          </>
        )}
      </View>
    </View>
  );
}

const TITLE: Record<Outcome, string> = {
  paid: '支付成功',
  cancelled: '已取消支付',
  closed: '订单已关闭',
  failed: '支付失败',
  checking: '正在确认支付结果…',
  unknown: '结果待确认',
};
