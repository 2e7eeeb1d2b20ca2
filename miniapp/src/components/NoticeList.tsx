import { Text, View } from '@tarojs/components';
import type { Meta } from '../../../shared/contracts/meta';
import './NoticeList.scss';

const LEVEL_LABEL = { urgent: '紧急', important: '重要', info: '通知' } as const;

function formatDate(iso: string): string {
  // Business dates are shown in China time whatever the device's zone.
  const date = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

export function NoticeList({ notices }: { notices: Meta['notices'] }) {
  return (
    <View className="notices" data-testid="notice-list">
      {notices.map((notice) => (
        <View key={notice.id} className="notice">
          <View className="notice__head">
            <Text className={`notice__level notice__level--${notice.level}`}>{LEVEL_LABEL[notice.level]}</Text>
            <Text className="notice__title">{notice.title}</Text>
          </View>
          <Text className="notice__summary">{notice.summary}</Text>
          <Text className="notice__date">{formatDate(notice.publishedAt)}</Text>
        </View>
      ))}
    </View>
  );
}
