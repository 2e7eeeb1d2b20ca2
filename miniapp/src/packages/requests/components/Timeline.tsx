import { Text, View } from '@tarojs/components';
import type { WorkOrderDetail } from '../../../../../shared/contracts/requests';
import { buildTimeline } from '../timeline';
import './Timeline.scss';

/** The order's progress: done steps, the stage under way (or waiting on the customer), the stages to come. */
export function Timeline({ order }: { order: WorkOrderDetail }) {
  return (
    <View className="card" data-testid="timeline">
      <Text className="card__title">办理进度</Text>
      {buildTimeline(order).map((entry) => (
        <View
          key={entry.key}
          className={`timeline__item timeline__item--${entry.status} ${entry.overdue ? 'timeline__item--overdue' : ''}`}
          data-testid={`timeline-${entry.status}`}
        >
          <View className="timeline__dot" />
          <View className="timeline__body">
            <View className="timeline__head">
              <Text className="timeline__title">{entry.title}</Text>
              {entry.when && <Text className="timeline__when">{entry.when}</Text>}
            </View>
            {entry.detail && <Text className="timeline__detail">{entry.detail}</Text>}
          </View>
        </View>
      ))}
    </View>
  );
}
