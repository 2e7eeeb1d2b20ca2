import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { AccountCard } from '../../components/AccountCard';
import { StateView } from '../../components/StateView';
import { MyLinks } from './MyLinks';
import { useApi } from '../../hooks/useApi';
import { platform } from '../../platform';
import { api, describeError, session } from '../../services';
import './index.scss';

const LOGIN_URL = '/packages/account/pages/login/index';
const BIND_URL = '/packages/account/pages/bind/index';
// The texts the customer agreed to at login stay one tap away.
const AGREEMENT_URL = '/packages/account/pages/agreement/index';
const PRIVACY_URL = '/packages/account/pages/privacy/index';

export default function Me() {
  const [loggedIn, setLoggedIn] = useState(session.isLoggedIn());
  const meta = useApi('getMeta');
  const profile = useApi('getProfile', undefined, { enabled: loggedIn });
  const accounts = useApi('listAccounts', undefined, { enabled: loggedIn });
  // Re-read when the tab is shown again: the customer may have just logged in or bound an account.
  const firstShow = useRef(true);
  useDidShow(() => {
    if (firstShow.current) {
      firstShow.current = false;
      return;
    }
    const now = session.isLoggedIn();
    setLoggedIn(now);
    if (now && loggedIn) {
      profile.reload();
      accounts.reload();
    }
  });

  const logout = async () => {
    const refreshToken = session.refreshToken();
    session.clear();
    setLoggedIn(false);
    if (refreshToken) await api.call('logout', { body: { refreshToken } }).catch(() => undefined);
  };

  return (
    <View className="page me">
      <View className="me__profile">
        <View className="me__avatar">
          <Text>{loggedIn ? '户' : '客'}</Text>
        </View>
        {/* Distinct keys: reusing one Text and dropping its onClick crashes Taro 4.2's weapp runtime
            (no `pure-text` alias, NervJS/taro#19453), which leaves every later update undone. */}
        {loggedIn ? (
          <Text key="name" className="me__name" data-testid="me-name">
            {profile.data?.phoneMasked ?? (profile.data?.hasWechat ? '微信用户' : '…')}
          </Text>
        ) : (
          <Text key="login" className="me__name" data-testid="me-login" onClick={() => void Taro.navigateTo({ url: LOGIN_URL })}>
            登录 / 注册 ›
          </Text>
        )}
      </View>

      {loggedIn && (
        <View className="card">
          <Text className="card__title">我的户号</Text>
          {accounts.status === 'loading' && <StateView kind="loading" />}
          {accounts.status === 'error' && <StateView kind="error" message={describeError(accounts.error)} onRetry={accounts.reload} />}
          {accounts.status === 'ready' &&
            (accounts.data.accounts.length === 0 ? (
              <StateView kind="empty" message="还没有绑定户号" action={{ label: '绑定户号', onTap: () => void Taro.navigateTo({ url: BIND_URL }) }} />
            ) : (
              <View data-testid="account-list">
                {accounts.data.accounts.map((account) => (
                  <AccountCard key={account.id} account={account} />
                ))}
                {accounts.data.accounts.length < accounts.data.limit && (
                  <View className="list-row" onClick={() => void Taro.navigateTo({ url: BIND_URL })}>
                    <Text>绑定新户号</Text>
                    <Text className="list-row__hint">最多 {accounts.data.limit} 个 ›</Text>
                  </View>
                )}
              </View>
            ))}
        </View>
      )}

      {loggedIn && <MyLinks />}

      <View className="card">
        <Text className="card__title">客户服务</Text>
        {meta.status === 'loading' && <StateView kind="loading" />}
        {meta.status === 'error' && <StateView kind="error" message={describeError(meta.error)} onRetry={meta.reload} />}
        {meta.status === 'ready' && (
          <View>
            <View className="list-row" onClick={() => platform.call(meta.data.utility.hotline)}>
              <Text>服务热线</Text>
              <Text className="list-row__hint">{meta.data.utility.hotline} ›</Text>
            </View>
            <View className="list-row">
              <Text>服务时间</Text>
              <Text className="list-row__hint">{meta.data.utility.serviceHours}</Text>
            </View>
            <View className="list-row">
              <Text>供电单位</Text>
              <Text className="list-row__hint">{meta.data.utility.name}</Text>
            </View>
          </View>
        )}
      </View>

      <View className="card">
        <View className="list-row" data-testid="me-agreement" onClick={() => void Taro.navigateTo({ url: AGREEMENT_URL })}>
          <Text>用户服务协议</Text>
          <Text className="list-row__hint">›</Text>
        </View>
        <View className="list-row" data-testid="me-privacy" onClick={() => void Taro.navigateTo({ url: PRIVACY_URL })}>
          <Text>隐私政策</Text>
          <Text className="list-row__hint">›</Text>
        </View>
      </View>

      {loggedIn && (
        <Button className="me__logout" onClick={() => void logout()} data-testid="me-logout">
          退出登录
        </Button>
      )}
    </View>
  );
}
