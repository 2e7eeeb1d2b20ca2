import { Button, Text, View } from '@tarojs/components';
import { useApi } from '../hooks/useApi';
import { platform } from '../platform';

interface Props {
  title: string;
  paragraphs: string[];
  checklist?: { title: string; items: string[] };
}

/** A service area's landing: what it does, what to prepare, and the hotline for anything urgent. */
export function ServiceIntro({ title, paragraphs, checklist }: Props) {
  const meta = useApi('getMeta');
  const hotline = meta.data?.utility.hotline;
  return (
    <View className='page'>
      <View className='card'>
        <Text className='card__title'>{title}</Text>
        {paragraphs.map((text) => (
          <Text key={text} className='prose'>
            {text}
          </Text>
        ))}
      </View>
      {checklist && (
        <View className='card'>
          <Text className='card__title'>{checklist.title}</Text>
          {checklist.items.map((item) => (
            <View key={item} className='list-row'>
              <Text>{item}</Text>
            </View>
          ))}
        </View>
      )}
      {hotline && (
        <View className='card'>
          <View className='list-row'>
            <Text>紧急情况请直接致电</Text>
            <Button className='link-button' onClick={() => platform.call(hotline)}>
              {hotline}
            </Button>
          </View>
        </View>
      )}
    </View>
  );
}
