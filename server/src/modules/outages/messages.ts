import type { Outage } from '../../../../shared/contracts/outages';
import type { MessagePayload } from '../notifications/sender';
import { shanghaiMinute } from '../../../../shared/dates';

export type OutageEvent = 'published' | 'updated' | 'restored' | 'cancelled';

const EVENT_REMARKS: Record<OutageEvent, (outage: Outage) => string> = {
  published: (outage) => (outage.kind === 'planned' ? '计划停电，请提前做好准备' : '故障停电，正在抢修'),
  updated: () => '停电时间有调整，请以本通知为准',
  restored: () => '已恢复供电',
  cancelled: () => '本次停电已取消',
};

/** "2026-11-29 08:00" in Shanghai time: the form WeChat's `time` template fields accept. */
export function shanghaiClock(iso: string): string {
  return shanghaiMinute(new Date(iso));
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** What one outage event tells a customer: the subscribe-message fields and the SMS parameters. */
export function outageMessage(outage: Outage, event: OutageEvent): MessagePayload {
  const remark = EVENT_REMARKS[event](outage);
  const end = event === 'restored' && outage.restoredAt ? outage.restoredAt : outage.scheduledEnd;
  return {
    page: `packages/outages/pages/detail/index?id=${outage.id}`,
    wechat: {
      thing1: clip(outage.title, 20),
      time2: shanghaiClock(outage.scheduledStart),
      time3: shanghaiClock(end),
      thing4: clip(`${outage.district} ${outage.areas.length} 个台区`, 20),
      thing5: clip(remark, 20),
    },
    sms: {
      template: 'outage_notice',
      params: { title: outage.title, start: shanghaiClock(outage.scheduledStart), end: shanghaiClock(end), district: outage.district, remark },
    },
  };
}
