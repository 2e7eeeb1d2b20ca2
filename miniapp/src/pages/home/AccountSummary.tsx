import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { Account } from '../../../../shared/contracts/accounts';
import type { BillSummary } from '../../../../shared/contracts/billing';
import type { MyOutage } from '../../../../shared/contracts/outages';
import type { WorkOrderSummary } from '../../../../shared/contracts/requests';
import { PAY_URL } from '../../billing';
import { Money } from '../../components/Money';
import { PendingCard } from '../../components/PendingCard';
import { useApi } from '../../hooks/useApi';
import { detailUrl, stateText } from '../../serviceRequests';
import { formatInstant } from '../../time';

const OUTAGE_URL = '/packages/outages/pages/detail/index';
const DONE: WorkOrderSummary['state'][] = ['completed', 'cancelled', 'closed'];

/** The earliest due date among bills still owing: the date the customer must act by. */
export function dueDate(bills: BillSummary[]): string | null {
  const dates = bills.filter((bill) => bill.payment.outstandingFen > 0 && bill.payment.dueDate).map((bill) => bill.payment.dueDate!);
  return dates.length ? dates.sort()[0]! : null;
}

/** The latest request not yet finished: what the customer most likely opened the app to check. */
export const openRequest = (orders: WorkOrderSummary[]) => orders.find((order) => !DONE.includes(order.state));

/** An outage on this account, one happening now before one coming up. */
export function accountOutage(mine: { current: MyOutage[]; upcoming: MyOutage[] }, accountId: number): { outage: MyOutage; now: boolean } | undefined {
  const touches = (outage: MyOutage) => outage.accounts.some((item) => item.accountId === accountId);
  const current = mine.current.find(touches);
  if (current) return { outage: current, now: true };
  const upcoming = mine.upcoming.find(touches);
  return upcoming && { outage: upcoming, now: false };
}

const pay = (accountId: number) => void Taro.navigateTo({ url: `${PAY_URL}?accountId=${accountId}` });

/** The default account at a glance: what is owed and by when (or the prepaid balance), with the way to pay. */
export function AccountSummary({ account }: { account: Account }) {
  const result = useApi('getBillingOverview', { params: { accountId: account.id } });
  if (result.status !== 'ready') return <PendingCard result={result} />;

  const { overview, bills } = result.data;
  const prepaid = overview.billingMode === 'prepaid';
  const due = dueDate(bills);
  return (
    <View className="card home__account" data-testid="home-account">
      <View className="home__account-line">
        <Text>户号 {account.accountNo}</Text>
        <Text className="list-row__hint">{account.addressMasked}</Text>
      </View>
      <Text className="home__label">{prepaid ? '余额' : '应缴'}</Text>
      <View className="home__amount-line">
        <Money className="home__amount" fen={prepaid ? overview.balanceFen : overview.amountDueFen} />
        {(prepaid || overview.amountDueFen > 0) && (
          <Button className="home__pay" onClick={() => pay(account.id)} data-testid="home-pay">
            {prepaid ? '充值' : '缴费'}
          </Button>
        )}
      </View>
      {!prepaid && (
        <Text className="home__note" data-testid="home-due">
          {overview.amountDueFen > 0 ? (due ? `缴费截止日 ${due}` : '待缴电费') : '电费已全部缴清'}
        </Text>
      )}
      {prepaid && overview.amountDueFen > 0 && (
        <Text className="home__warn" data-testid="home-arrears">
          另有欠费 <Money fen={overview.amountDueFen} />
          {due ? `，缴费截止日 ${due}` : ''}
        </Text>
      )}
    </View>
  );
}

/** What is under way for the customer: the open request and an outage on the account, each a tap from its page. */
export function UnderWay({ account }: { account: Account }) {
  const requests = useApi('listMyRequests');
  const outages = useApi('listMyOutages');
  const order = requests.status === 'ready' ? openRequest(requests.data.orders) : undefined;
  const outage = outages.status === 'ready' ? accountOutage(outages.data, account.id) : undefined;
  // Neither is the point of the home page: a failure here stays quiet rather than crowd out the bill.
  if (!order && !outage) return null;
  return (
    <View className="card">
      {outage && (
        <View className="list-row" data-testid="home-outage" onClick={() => void Taro.navigateTo({ url: `${OUTAGE_URL}?id=${outage.outage.id}` })}>
          <Text className={outage.now ? 'home__warn' : ''}>
            {outage.now ? '正在停电' : '即将停电'} · {outage.outage.title}
          </Text>
          <Text className="list-row__hint">
            {outage.now ? `预计 ${formatInstant(outage.outage.expectedBackAt)} 恢复` : `${formatInstant(outage.outage.scheduledStart)} 开始`} ›
          </Text>
        </View>
      )}
      {order && (
        <View className="list-row" data-testid="home-request" onClick={() => void Taro.navigateTo({ url: detailUrl(order.id) })}>
          <Text>{order.typeName}</Text>
          <Text className="list-row__hint">{stateText(order)} ›</Text>
        </View>
      )}
    </View>
  );
}
