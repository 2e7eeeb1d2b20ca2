import { Text, View } from '@tarojs/components';
import './StepBar.scss';

/** Where the customer is in a multi-step application. */
export function StepBar({ titles, current }: { titles: string[]; current: number }) {
  return (
    <View className="steps" data-testid="steps">
      {titles.map((title, index) => (
        <View
          key={title}
          className={`steps__item ${index < current ? 'steps__item--done' : ''} ${index === current ? 'steps__item--current' : ''}`}
          data-testid={index === current ? 'step-current' : undefined}
        >
          <Text className="steps__number">{index < current ? '✓' : index + 1}</Text>
          <Text className="steps__title">{title}</Text>
        </View>
      ))}
    </View>
  );
}
