import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { openEntry } from '../../components/EntryGrid';
import { NotifyCard } from '../../components/notify/NotifyCard';
import { ENTRIES } from '../../entries';

const row = (testId: string, label: string, hint: string, onTap?: () => void) => (
  <View className="list-row" data-testid={testId} onClick={onTap}>
    <Text>{label}</Text>
    <Text className="list-row__hint">{hint}</Text>
  </View>
);

/**
 * Where a logged-in customer finds their records and settings. There is no invoice feature and no
 * message center yet: the invoice row says so, and 消息 opens how messages reach the customer.
 */
export function MyLinks() {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const toggle = () => setSettingsOpen((open) => !open);
  return (
    <View>
      <View className="card" data-testid="me-links">
        {row('me-payments', '缴费记录', '›', () => openEntry(ENTRIES.payHistory))}
        {row('me-requests', '我的工单', '›', () => openEntry(ENTRIES.myRequests))}
        {row('me-invoices', '电子发票', '暂未开通')}
        {row('me-messages', '消息', '通知方式 ›', toggle)}
        {row('me-settings', '通知设置', settingsOpen ? '收起' : '›', toggle)}
      </View>
      {settingsOpen && (
        <View data-testid="me-notify-settings">
          <NotifyCard topic="outage" />
          <NotifyCard topic="workorder" />
          <NotifyCard topic="payment" />
        </View>
      )}
    </View>
  );
}
