import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { openEntry } from '../../components/EntryGrid';
import { StateView } from '../../components/StateView';
import { useApi } from '../../hooks/useApi';
import { session } from '../../services';
import { AccountBills } from './AccountBills';
import './index.scss';
import { PendingCard } from '../../components/PendingCard';

const BIND_URL = '/packages/account/pages/bind/index';
const NO_ACCOUNT = '绑定户号后，这里会显示每月账单、阶梯用电和缴费记录';

/** Bills of one bound account at a time: the default one first, the others a tap away. */
export default function Bills() {
  const [loggedIn, setLoggedIn] = useState(session.isLoggedIn());
  const accounts = useApi('listAccounts', undefined, { enabled: loggedIn });
  const [chosenId, setChosenId] = useState<number>();
  // A tab page stays mounted: on showing it again, pick up a new login or binding and fresh amounts after a payment.
  const firstShow = useRef(true);
  useDidShow(() => {
    if (firstShow.current) {
      firstShow.current = false;
      return;
    }
    const now = session.isLoggedIn();
    setLoggedIn(now);
    if (now && loggedIn) accounts.reload();
  });

  if (!loggedIn) {
    return (
      <View className="page bills">
        <View className="card">
          <StateView kind="empty" message={NO_ACCOUNT} action={{ label: '前往“我的”', onTap: () => openEntry({ url: '/pages/me/index', tab: true }) }} />
        </View>
      </View>
    );
  }
  if (accounts.status !== 'ready') {
    return (
      <View className="page bills">
        <PendingCard result={accounts} />
      </View>
    );
  }

  const list = accounts.data.accounts;
  const account = list.find((item) => item.id === chosenId) ?? list.find((item) => item.isDefault) ?? list[0];
  if (!account) {
    return (
      <View className="page bills">
        <View className="card">
          <StateView kind="empty" message={NO_ACCOUNT} action={{ label: '绑定户号', onTap: () => void Taro.navigateTo({ url: BIND_URL }) }} />
        </View>
      </View>
    );
  }

  return (
    <View className="page bills">
      {list.length > 1 && (
        <View className="bills__accounts" data-testid="bills-accounts">
          {list.map((item) => (
            <Text
              key={item.id}
              className={`bills__account ${item.id === account.id ? 'bills__account--active' : ''}`}
              onClick={() => setChosenId(item.id)}
              data-testid={`bills-account-${item.accountNo}`}
            >
              {item.accountNo}
              {item.isDefault ? '（默认）' : ''}
            </Text>
          ))}
        </View>
      )}
      <AccountBills key={account.id} account={account} />
    </View>
  );
}
