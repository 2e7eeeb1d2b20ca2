import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { StateView } from '../../../components/StateView';

const LOGIN_URL = '/packages/account/pages/login/index';
const BIND_URL = '/packages/account/pages/bind/index';

/** A page that cannot start yet: not logged in, no account to file against, or a broken link. */
export function Gate({ reason, message }: { reason: 'login' | 'bind' | 'link'; message?: string }) {
  const content = {
    login: { text: message ?? '登录后即可在线办理业务、查看办理进度', action: { label: '去登录', onTap: () => void Taro.navigateTo({ url: LOGIN_URL }) } },
    bind: { text: message ?? '请先绑定户号，再办理这项业务', action: { label: '绑定户号', onTap: () => void Taro.navigateTo({ url: BIND_URL }) } },
    link: { text: message ?? '链接不完整，请从服务大厅重新进入', action: undefined },
  }[reason];
  return (
    <View className="page">
      <View className="card" data-testid={`gate-${reason}`}>
        <StateView kind="empty" message={content.text} action={content.action} />
      </View>
    </View>
  );
}
