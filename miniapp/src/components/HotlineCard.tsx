import { Button, Text, View } from '@tarojs/components';
import { useApi } from '../hooks/useApi';
import { platform } from '../platform';

/** The utility's hotline for anything urgent, once the server has said what it is. */
export function HotlineCard() {
  const meta = useApi('getMeta');
  const hotline = meta.data?.utility.hotline;
  if (!hotline) return null;
  return (
    <View className="card">
      <View className="list-row">
        <Text>紧急情况请直接致电</Text>
        <Button className="link-button" onClick={() => platform.call(hotline)}>
          {hotline}
        </Button>
      </View>
    </View>
  );
}
