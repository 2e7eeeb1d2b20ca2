import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import type { NotificationPreferences, NotificationTopic } from '../../../../shared/contracts/notifications';
import { StateView } from '../StateView';
import { useApi } from '../../hooks/useApi';
import { platform } from '../../platform';
import { describeError } from '../../services';
import { SmsOptIn } from './SmsOptIn';
import { WechatSubscribe } from './WechatSubscribe';
import { WORDING } from './wording';
import './NotifyCard.scss';

/**
 * How the customer hears about a topic (outages, request progress): one-time subscribe messages in
 * the mini-program, text messages on H5 (which has no subscribe messages) or when WeChat cannot
 * reach this customer.
 */
export function NotifyCard({ topic: name }: { topic: NotificationTopic }) {
  const wording = WORDING[name];
  const result = useApi('getNotificationPreferences');
  // Each change answers with the preferences as saved; they replace the loaded ones.
  const [saved, setSaved] = useState<NotificationPreferences>();
  const [wechatUnsupported, setWechatUnsupported] = useState(false);
  const preferences = saved ?? result.data?.preferences;
  const topic = preferences?.topics.find((item) => item.topic === name);
  const wechat = platform.name === 'weapp' && preferences?.channels.wechat === true && !wechatUnsupported;

  return (
    <View className="card" data-testid="notify-card">
      <Text className="card__title">{wording.title}</Text>
      {result.status === 'loading' && <StateView kind="loading" />}
      {result.status === 'error' && <StateView kind="error" message={describeError(result.error)} onRetry={result.reload} />}
      {preferences && !topic && <Text className="prose">{wording.unavailable}</Text>}
      {preferences && topic && wechat && (
        <WechatSubscribe topic={topic} wording={wording} onSaved={setSaved} onUnsupported={() => setWechatUnsupported(true)} />
      )}
      {preferences && topic && !wechat && preferences.channels.sms && <SmsOptIn topic={topic} wording={wording} onSaved={setSaved} />}
      {preferences && topic && !wechat && !preferences.channels.sms && <Text className="prose">{wording.noPhone}</Text>}
    </View>
  );
}
