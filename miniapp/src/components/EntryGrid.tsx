import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import './EntryGrid.scss';

export interface Entry {
  key: string;
  label: string;
  glyph: string;
  /** A tab page (switchTab) or a page in a subpackage (navigateTo). */
  url: string;
  tab?: boolean;
}

export function openEntry(entry: Pick<Entry, 'url' | 'tab'>): void {
  if (entry.tab) void Taro.switchTab({ url: entry.url });
  else void Taro.navigateTo({ url: entry.url });
}

export function EntryGrid({ entries }: { entries: Entry[] }) {
  return (
    <View className="entries">
      {entries.map((entry) => (
        <View key={entry.key} className="entry" data-testid={`entry-${entry.key}`} onClick={() => openEntry(entry)}>
          <View className={`entry__glyph entry__glyph--${entry.key}`}>
            <Text>{entry.glyph}</Text>
          </View>
          <Text className="entry__label">{entry.label}</Text>
        </View>
      ))}
    </View>
  );
}
