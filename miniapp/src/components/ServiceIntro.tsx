import { Text, View } from '@tarojs/components';
import { HotlineCard } from './HotlineCard';

interface Props {
  title: string;
  paragraphs: string[];
  checklist?: { title: string; items: string[] };
}

/** A service area's landing: what it does, what to prepare, and the hotline for anything urgent. */
export function ServiceIntro({ title, paragraphs, checklist }: Props) {
  return (
    <View className="page">
      <View className="card">
        <Text className="card__title">{title}</Text>
        {paragraphs.map((text) => (
          <Text key={text} className="prose">
            {text}
          </Text>
        ))}
      </View>
      {checklist && (
        <View className="card">
          <Text className="card__title">{checklist.title}</Text>
          {checklist.items.map((item) => (
            <View key={item} className="list-row">
              <Text>{item}</Text>
            </View>
          ))}
        </View>
      )}
      <HotlineCard />
    </View>
  );
}
