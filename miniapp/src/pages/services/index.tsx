import { Text, View } from '@tarojs/components';
import { openEntry, type Entry } from '../../components/EntryGrid';
import { ENTRIES } from '../../entries';

const GROUPS: Array<{ title: string; entries: Array<Entry & { hint: string }> }> = [
  {
    title: '缴费与账单',
    entries: [
      { ...ENTRIES.pay, hint: '微信、支付宝缴费与预存' },
      { ...ENTRIES.bills, hint: '月度账单与阶梯用电' },
    ],
  },
  {
    title: '用电服务',
    entries: [
      { ...ENTRIES.outages, hint: '计划停电与故障停电' },
      { ...ENTRIES.repair, hint: '家中或小区停电、故障' },
    ],
  },
  {
    title: '业务办理',
    entries: [
      { ...ENTRIES.apply, hint: '新装、增容、减容与过户' },
      { ...ENTRIES.requests, hint: '全部业务：校验、充电桩、光伏、投诉建议' },
      { ...ENTRIES.myRequests, hint: '查看办理进度' },
    ],
  },
];

export default function Services() {
  return (
    <View className="page services">
      {GROUPS.map((group) => (
        <View key={group.title} className="card">
          <Text className="card__title">{group.title}</Text>
          {group.entries.map((entry) => (
            <View key={entry.key} className="list-row" data-testid={`service-${entry.key}`} onClick={() => openEntry(entry)}>
              <Text>{entry.label}</Text>
              <Text className="list-row__hint">{entry.hint} ›</Text>
            </View>
          ))}
        </View>
      ))}
    </View>
  );
}
