import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import type { NotificationPreferences } from '../../../../shared/contracts/notifications';
import '../Form.scss';
import { useAction } from '../../hooks/useAction';
import { PlatformUnsupportedError, platform, type SubscribeDecision } from '../../platform';
import { api } from '../../services';
import type { NotifyWording } from './wording';

type Topic = NotificationPreferences['topics'][number];

/** What to tell the customer when the dialog did not end in "accept" (a rejection is said per topic). */
const DECLINED: Record<Exclude<SubscribeDecision, 'accept' | 'reject'>, string> = {
  ban: '您已在微信中关闭了此类通知，可在小程序右上角“···”→“设置”→“通知管理”中重新开启',
  filter: '微信暂时无法提供此类通知的订阅，请稍后再试',
};

interface Props {
  topic: Topic;
  wording: NotifyWording;
  onSaved: (preferences: NotificationPreferences) => void;
  /** Called when this platform has no subscribe messages after all, so the card offers text messages. */
  onUnsupported: () => void;
}

export function WechatSubscribe({ topic, wording, onSaved, onUnsupported }: Props) {
  const { busy, error, run } = useAction();
  const [problem, setProblem] = useState<string>();

  const subscribe = () => {
    // WeChat shows the consent dialog only when asked synchronously from a tap: nothing may be awaited before this.
    const asked = platform.requestSubscribe([topic.templateId]);
    setProblem(undefined);
    void run(async () => {
      let results: Record<string, SubscribeDecision>;
      try {
        results = await asked;
      } catch (err) {
        if (err instanceof PlatformUnsupportedError) onUnsupported();
        else setProblem('未能打开订阅窗口，请稍后重试');
        return;
      }
      // Every answer is recorded, not only "accept": a "ban" means the grants left are void.
      const { preferences } = await api.call('recordWechatConsent', { body: { results } });
      onSaved(preferences);
      const decision = results[topic.templateId] ?? 'reject';
      if (decision === 'accept') await Taro.showToast({ title: '订阅成功', icon: 'success' });
      else setProblem(decision === 'reject' ? wording.rejected : DECLINED[decision]);
    });
  };

  const message = problem ?? error;
  return (
    <View className="notify">
      <View className="notify__row">
        <View className="notify__main">
          <Text className="notify__label">微信通知</Text>
          <Text className="notify__state" data-testid="notify-wechat-grants">
            {`还可接收 ${topic.wechatGrants} 次通知`}
          </Text>
        </View>
        {/* Left out when enabled: Taro's H5 button keeps disabled={false} as disabled="false", which its CSS shows as disabled. */}
        <Button
          className={`field__action ${busy ? 'field__action--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={subscribe}
          data-testid="notify-wechat-subscribe"
        >
          {wording.subscribe}
        </Button>
      </View>
      <Text className="notify__explain">{wording.wechatExplain}</Text>
      {message && (
        <Text className="form__error" data-testid="notify-error">
          {message}
        </Text>
      )}
    </View>
  );
}
