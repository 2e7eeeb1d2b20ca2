import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { openEntry } from '../../../../components/EntryGrid';
import { useApi } from '../../../../hooks/useApi';
import { session } from '../../../../services';
import { MyOutages } from '../../components/MyOutages';
import { NotifyCard } from '../../../../components/notify/NotifyCard';
import { PublicOutages } from '../../components/PublicOutages';
import './index.scss';
import { PendingCard } from '../../../../components/PendingCard';

const BIND_URL = '/packages/account/pages/bind/index';

/**
 * Everyone sees the public list by district (faults included as they happen); a customer with bound
 * accounts sees their own outages and how to be told above it.
 */
export default function OutagesPage() {
  // Logging in and binding both end on the Me tab, which closes this page, so login is read once.
  const loggedIn = session.isLoggedIn();
  const accounts = useApi('listAccounts', undefined, { enabled: loggedIn });
  // Asked alongside the accounts rather than after them: one round trip less for those who have accounts.
  const mine = useApi('listMyOutages', undefined, { enabled: loggedIn });

  if (loggedIn && accounts.status !== 'ready') {
    return (
      <View className="page outages">
        <PendingCard result={accounts} />
      </View>
    );
  }

  if (!loggedIn || accounts.data?.accounts.length === 0) {
    return (
      <View className="page outages">
        <View className="outages__hint" data-testid="outages-hint">
          <Text className="outages__hint-text">
            {loggedIn ? '绑定户号后，可查看您户号的停电安排并订阅停电通知' : '登录并绑定户号后，可查看您户号的停电安排并订阅停电通知'}
          </Text>
          <Text
            className="outages__hint-action"
            onClick={() => (loggedIn ? void Taro.navigateTo({ url: BIND_URL }) : openEntry({ url: '/pages/me/index', tab: true }))}
          >
            {loggedIn ? '绑定户号 ›' : '去登录 ›'}
          </Text>
        </View>
        <PublicOutages />
      </View>
    );
  }

  return (
    <View className="page outages">
      <MyOutages result={mine} />
      <NotifyCard topic="outage" />
      <PublicOutages />
    </View>
  );
}
