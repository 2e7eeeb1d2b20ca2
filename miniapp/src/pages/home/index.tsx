import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { EntryGrid, openEntry } from '../../components/EntryGrid';
import { NoticeList } from '../../components/NoticeList';
import { PendingCard } from '../../components/PendingCard';
import { StateView } from '../../components/StateView';
import { ENTRIES } from '../../entries';
import { useApi } from '../../hooks/useApi';
import { platform } from '../../platform';
import { describeError, session } from '../../services';
import { AccountSummary, UnderWay } from './AccountSummary';
import './index.scss';

const BIND_URL = '/packages/account/pages/bind/index';
const LOGIN_URL = '/packages/account/pages/login/index';

/** Logged in: the default account's bill, what is under way, and the quick actions; the bill is reached from the page itself. */
function MyHome() {
  const accounts = useApi('listAccounts');
  if (accounts.status !== 'ready') return <PendingCard result={accounts} />;
  const list = accounts.data.accounts;
  const account = list.find((item) => item.isDefault) ?? list[0];
  if (!account) {
    return (
      <View className="card" data-testid="home-no-account">
        <StateView
          kind="empty"
          message="绑定户号后，这里会显示应缴电费和缴费截止日"
          action={{ label: '绑定户号', onTap: () => void Taro.navigateTo({ url: BIND_URL }) }}
        />
      </View>
    );
  }
  return (
    <View key={account.id}>
      <AccountSummary account={account} />
      <UnderWay account={account} />
    </View>
  );
}

export default function Home() {
  const meta = useApi('getMeta');
  const utility = meta.data?.utility;
  const [loggedIn, setLoggedIn] = useState(session.isLoggedIn());
  // A tab page stays mounted: pick up a login, a binding or a payment made since it was last shown.
  const [visit, setVisit] = useState(0);
  const firstShow = useRef(true);
  useDidShow(() => {
    if (firstShow.current) {
      firstShow.current = false;
      return;
    }
    setLoggedIn(session.isLoggedIn());
    setVisit((count) => count + 1);
  });

  const entries = loggedIn
    ? [ENTRIES.pay, ENTRIES.bills, ENTRIES.repair, ENTRIES.outages, ENTRIES.payHistory]
    : [ENTRIES.pay, ENTRIES.bills, ENTRIES.outages, ENTRIES.repair, ENTRIES.apply];

  return (
    <View className="page home">
      <View className="home__hero">
        <Text className="home__name" data-testid="utility-name">
          {utility?.name ?? (meta.status === 'error' ? '电力客户服务' : '…')}
        </Text>
        {utility && (
          <View className="home__hotline" onClick={() => platform.call(utility.hotline)}>
            <Text>服务热线 {utility.hotline}</Text>
            <Text className="home__hours">{utility.serviceHours}</Text>
          </View>
        )}
      </View>

      <View className="home__top">
        {loggedIn ? (
          <MyHome key={visit} />
        ) : (
          <View className="card home__login" data-testid="home-login" onClick={() => openEntry({ url: LOGIN_URL })}>
            <Text>登录后查看应缴电费、缴费截止日和停电安排</Text>
            <Text className="home__login-action">登录 ›</Text>
          </View>
        )}
      </View>

      <View className="card home__entries">
        <EntryGrid entries={entries} />
      </View>

      <View className="card">
        <Text className="card__title">通知公告</Text>
        {meta.status === 'loading' && <StateView kind="loading" />}
        {meta.status === 'error' && <StateView kind="error" message={describeError(meta.error)} onRetry={meta.reload} />}
        {meta.status === 'ready' &&
          (meta.data.notices.length > 0 ? <NoticeList notices={meta.data.notices} /> : <StateView kind="empty" message="暂无通知公告" />)}
      </View>
    </View>
  );
}
