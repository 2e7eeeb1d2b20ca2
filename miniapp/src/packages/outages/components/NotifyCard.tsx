import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import type { NotificationPreferences } from '../../../../../shared/contracts/notifications';
import { StateView } from '../../../components/StateView';
import { useApi } from '../../../hooks/useApi';
import { platform } from '../../../platform';
import { describeError } from '../../../services';
import { SmsOptIn } from './SmsOptIn';
import { WechatSubscribe } from './WechatSubscribe';
import './NotifyCard.scss';

/**
 * How the customer hears about outages: one-time subscribe messages in the mini-program, text
 * messages on H5 (which has no subscribe messages) or when WeChat cannot reach this customer.
 */
export function NotifyCard() {
  const result = useApi('getNotificationPreferences');
  // Each change answers with the preferences as saved; they replace the loaded ones.
  const [saved, setSaved] = useState<NotificationPreferences>();
  const [wechatUnsupported, setWechatUnsupported] = useState(false);
  const preferences = saved ?? result.data?.preferences;
  const topic = preferences?.topics.find((item) => item.topic === 'outage');
  const wechat = platform.name === 'weapp' && preferences?.channels.wechat === true && !wechatUnsupported;

  return (
    <View className='card' data-testid='notify-card'>
      <Text className='card__title'>停电通知</Text>
      {result.status === 'loading' && <StateView kind='loading' />}
      {result.status === 'error' && <StateView kind='error' message={describeError(result.error)} onRetry={result.reload} />}
      {preferences && !topic && <Text className='prose'>停电通知暂未开放，请留意本页公告</Text>}
      {preferences && topic && wechat && <WechatSubscribe topic={topic} onSaved={setSaved} onUnsupported={() => setWechatUnsupported(true)} />}
      {preferences && topic && !wechat && preferences.channels.sms && <SmsOptIn topic={topic} onSaved={setSaved} />}
      {preferences && topic && !wechat && !preferences.channels.sms && <Text className='prose'>登录账号未关联手机号，暂时无法接收停电通知</Text>}
    </View>
  );
}
