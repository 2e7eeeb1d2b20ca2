import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useRef, useState } from 'react';
import type { PaymentChannel, PaymentOrder } from '../../../../../../shared/contracts/payments';
import '../../../../components/Form.scss';
import { Money } from '../../../../components/Money';
import { PendingCard } from '../../../../components/PendingCard';
import { ServiceIntro } from '../../../../components/ServiceIntro';
import { useAction } from '../../../../hooks/useAction';
import { useApi } from '../../../../hooks/useApi';
import { platform } from '../../../../platform';
import type { PaymentLaunch } from '../../../../platform/types';
import { api, session } from '../../../../services';
import './index.scss';

const TOP_UPS_FEN = [5_000, 10_000, 20_000];
const CHANNELS: Array<{ channel: PaymentChannel; label: string }> =
  platform.name === 'weapp'
    ? [{ channel: 'wechat_jsapi', label: '微信支付' }]
    : [
        { channel: 'wechat_h5', label: '微信支付' },
        { channel: 'alipay_wap', label: '支付宝' },
      ];

const resultUrl = (orderId: number) => `/packages/payments/pages/result/index?id=${orderId}`;
const newKey = () => `pay-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** The server's launch, in the platform layer's words. */
function launchOf(order: PaymentOrder): PaymentLaunch {
  const launch = order.launch!;
  return launch.kind === 'requestPayment' ? { kind: 'wechat_jsapi', ...launch.params, demoCashierUrl: launch.demoCashierUrl } : launch;
}

function PayAccount({ accountId, month }: { accountId: number; month?: string }) {
  const overview = useApi('getBillingOverview', { params: { accountId } });
  const [topUpFen, setTopUpFen] = useState(TOP_UPS_FEN[1]!);
  // Opened from one bill: pay just that bill, unless the customer chooses to pay everything due.
  const [onlyChosen, setOnlyChosen] = useState(true);
  const { busy, error, run } = useAction();
  // One key per intent to pay: a double tap or a retry after a lost reply makes one order.
  const key = useRef(newKey());
  // A second tap before the re-render that disables the buttons must not launch a second cashier.
  const paying = useRef(false);
  if (overview.status !== 'ready') return <PendingCard result={overview} />;
  const { amountDueFen, billingMode, balanceFen } = overview.data.overview;
  const paysBills = amountDueFen > 0;
  const chosen = overview.data.bills.find((bill) => bill.month === month && bill.payment.outstandingFen > 0 && bill.payment.receivableId !== null);
  const paysChosen = Boolean(chosen && onlyChosen && chosen.payment.outstandingFen < amountDueFen);

  const pay = (channel: PaymentChannel) => {
    if (paying.current) return;
    paying.current = true;
    return run(async () => {
      const body = !paysBills
        ? { purpose: 'top_up' as const, accountId, channel, amountFen: topUpFen }
        : paysChosen
          ? { purpose: 'bills' as const, accountId, channel, receivableIds: [chosen!.payment.receivableId!] }
          : { purpose: 'bills' as const, accountId, channel };
      const { order } = await api.call('createPayment', { body, headers: { 'Idempotency-Key': key.current } });
      key.current = newKey();
      const outcome = await platform.launchPayment(launchOf(order));
      // Whatever the payment UI said, the result page asks the server, which asks the gateway.
      if (outcome === 'submitted') await Taro.redirectTo({ url: resultUrl(order.id) });
      // The result page closes the order at the gateway and offers to pay again.
      else if (outcome === 'cancelled') await Taro.redirectTo({ url: `${resultUrl(order.id)}&cancelled=1` });
    }).finally(() => {
      paying.current = false;
    });
  };

  return (
    <View className="card pay" data-testid="pay-card">
      <Text className="card__title">
        {paysChosen ? `${chosen!.month} 账单` : paysBills ? '应缴电费' : billingMode === 'prepaid' ? '预存电费' : '暂无欠费，可预存电费'}
      </Text>
      {paysBills ? (
        <>
          <Money className="pay__amount" fen={paysChosen ? chosen!.payment.outstandingFen : amountDueFen} />
          {chosen && chosen.payment.outstandingFen < amountDueFen && (
            <Text className="pay__note pay__switch" data-testid="pay-scope" onClick={() => setOnlyChosen(!paysChosen)}>
              {paysChosen ? '改为缴清全部欠费' : `只缴 ${chosen.month} 账单`} ›
            </Text>
          )}
        </>
      ) : (
        <View className="segmented" data-testid="pay-topups">
          {TOP_UPS_FEN.map((fen) => (
            <Text key={fen} className={`segmented__item ${fen === topUpFen ? 'segmented__item--active' : ''}`} onClick={() => setTopUpFen(fen)}>
              {fen / 100} 元
            </Text>
          ))}
        </View>
      )}
      {balanceFen > 0 && (
        <Text className="pay__note">
          账户余额 <Money fen={balanceFen} />
        </Text>
      )}
      {error && <Text className="form__error">{error}</Text>}
      {CHANNELS.map(({ channel, label }) => (
        <Button
          key={channel}
          className={`form__submit ${busy ? 'form__submit--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={() => pay(channel)}
          data-testid={`pay-${channel}`}
        >
          {busy ? '正在发起支付…' : label}
        </Button>
      ))}
    </View>
  );
}

/** Pay what an account owes (one chosen bill, or all of it), or top it up when nothing is due. */
export default function PaymentsHome() {
  const loggedIn = session.isLoggedIn();
  const accounts = useApi('listAccounts', undefined, { enabled: loggedIn });
  const params = useRouter().params;
  // A bill page opens this with its account and month; otherwise the default account pays all it owes.
  const list = accounts.status === 'ready' ? accounts.data.accounts : [];
  const account = list.find((item) => String(item.id) === params.accountId) ?? list.find((item) => item.isDefault) ?? list[0];
  return (
    <View>
      {(loggedIn && accounts.status !== 'ready') || account ? (
        <View className="page pay-page">
          {account ? (
            <PayAccount accountId={account.id} month={String(account.id) === params.accountId ? params.month : undefined} />
          ) : (
            accounts.status !== 'ready' && <PendingCard result={accounts} />
          )}
          {loggedIn && (
            <View className="list-row" data-testid="pay-history" onClick={() => void Taro.navigateTo({ url: '/packages/payments/pages/history/index' })}>
              <Text>缴费记录与电子收据</Text>
              <Text className="list-row__hint">›</Text>
            </View>
          )}
        </View>
      ) : null}
      <ServiceIntro
        title="电费缴纳"
        paragraphs={[
          '绑定户号后即可查看应缴金额并在线缴费，支持微信支付与支付宝，也可预存电费。',
          '缴费结果以供电公司收到支付机构的通知为准，到账后账单状态实时更新，并生成电子收据。',
        ]}
        checklist={{ title: '其他缴费渠道', items: ['银行网点与手机银行', '合作便利店', '供电营业厅'] }}
      />
    </View>
  );
}
