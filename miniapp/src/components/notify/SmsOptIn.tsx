import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { NotificationPreferences } from '../../../../shared/contracts/notifications';
import '../Form.scss';
import { useAction } from '../../hooks/useAction';
import { api } from '../../services';
import type { NotifyWording } from './wording';

type Topic = NotificationPreferences['topics'][number];

/** Text messages for a topic, on or off. */
export function SmsOptIn({ topic, wording, onSaved }: { topic: Topic; wording: NotifyWording; onSaved: (preferences: NotificationPreferences) => void }) {
  const { busy, error, run } = useAction();

  const toggle = () => {
    const enabled = !topic.sms;
    void run(async () => {
      const { preferences } = await api.call('setSmsOptIn', { body: { topic: topic.topic, enabled } });
      onSaved(preferences);
      await Taro.showToast({ title: enabled ? '已开启' : '已关闭', icon: 'success' });
    });
  };

  return (
    <View className="notify">
      <View className="notify__row">
        <View className="notify__main">
          <Text className="notify__label">{wording.sms}</Text>
          <Text className={`notify__state ${topic.sms ? 'notify__state--on' : ''}`} data-testid="notify-sms-state">
            {topic.sms ? '已开启' : '未开启'}
          </Text>
        </View>
        {/* Left out when enabled: Taro's H5 button keeps disabled={false} as disabled="false", which its CSS shows as disabled. */}
        <Button
          className={`field__action ${busy ? 'field__action--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={toggle}
          data-testid="notify-sms-toggle"
        >
          {topic.sms ? '关闭' : '开启'}
        </Button>
      </View>
      <Text className="notify__explain">{wording.smsExplain}</Text>
      {error && (
        <Text className="form__error" data-testid="notify-error">
          {error}
        </Text>
      )}
    </View>
  );
}
