import { Text, View } from '@tarojs/components';
import { useState } from 'react';

/** A feeder outage can cover hundreds of transformer areas: show the first few, the rest on a tap. */
const FOLDED = 12;

export function AreaList({ areas }: { areas: string[] }) {
  const [open, setOpen] = useState(false);
  const shown = open ? areas : areas.slice(0, FOLDED);
  return (
    <View data-testid="outage-areas">
      <Text className="outage-detail__areas">{shown.join('、')}</Text>
      {areas.length > FOLDED && (
        <Text className="outage-detail__more" onClick={() => setOpen(!open)} data-testid="outage-areas-toggle">
          {open ? '收起' : `展开全部 ${areas.length} 个台区`}
        </Text>
      )}
    </View>
  );
}
