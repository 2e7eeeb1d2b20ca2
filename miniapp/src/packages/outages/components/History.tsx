import { Text, View } from '@tarojs/components';
import { EVENT_LABEL, describeChanges, newestFirst, type OutageEvent } from '../history';
import { formatInstant } from '../outages';
import './History.scss';

/** The outage's changes as a timeline, newest on top. */
export function History({ history }: { history: OutageEvent[] }) {
  return (
    <View className="card" data-testid="outage-history">
      <Text className="card__title">变更记录</Text>
      {history.length === 0 && <Text className="prose">暂无变更记录</Text>}
      {newestFirst(history).map((event, index) => (
        <View key={`${index}-${event.at}`} className={`history__item ${index === 0 ? 'history__item--latest' : ''}`} data-testid={`history-${event.event}`}>
          <View className="history__dot" />
          <View className="history__body">
            <View className="history__head">
              <Text className="history__event">{EVENT_LABEL[event.event]}</Text>
              <Text className="history__at">{formatInstant(event.at)}</Text>
            </View>
            {describeChanges(event).map((line) => (
              <Text key={line} className="history__change">
                {line}
              </Text>
            ))}
          </View>
        </View>
      ))}
    </View>
  );
}
