import { Text, View } from '@tarojs/components';
import type { Meta } from '../../../shared/contracts/meta';
import { chinaDate } from '../time';
import './NoticeList.scss';

const LEVEL_LABEL = { urgent: '紧急', important: '重要', info: '通知' } as const;

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
          <Text className="notice__date">{chinaDate(notice.publishedAt)}</Text>
        </View>
      ))}
    </View>
  );
}
