import type { Outage, OutageStatus } from '../../../../shared/contracts/outages';
import { formatInstant } from '../../time';

export { formatInstant };

/** Words, times and links for outages, shared by the list and the detail page of this subpackage. */

export const STATUS_LABEL: Record<OutageStatus, string> = {
  scheduled: '未开始',
  in_progress: '停电中',
  restored: '已复电',
  cancelled: '已取消',
};

export const KIND_LABEL: Record<Outage['kind'], string> = { planned: '计划停电', unplanned: '故障停电' };

export const outageUrl = (id: number) => `/packages/outages/pages/detail/index?id=${id}`;

/** "11月29日 08:00–18:00" within one day, else both ends in full. */
export function formatRange(startIso: string, endIso: string): string {
  const start = formatInstant(startIso);
  const end = formatInstant(endIso);
  const [startDay] = start.split(' ');
  const [endDay, endTime] = end.split(' ');
  return startDay === endDay ? `${start}–${endTime}` : `${start} 至 ${end}`;
}

/** The one line a customer looks for: when the power comes back. */
export function expectedText(outage: Outage): string {
  if (outage.status === 'cancelled') return '已取消';
  if (outage.status === 'restored') return `已于 ${formatInstant(outage.restoredAt ?? outage.expectedBackAt)} 恢复供电`;
  return `预计 ${formatInstant(outage.expectedBackAt)} 恢复供电`;
}

/** When it was planned for; a fault outage has no plan, only the time it began. */
export function windowText(outage: Outage): string {
  if (outage.status === 'cancelled') return `原定 ${formatRange(outage.scheduledStart, outage.scheduledEnd)}`;
  if (outage.kind === 'unplanned') return `${formatInstant(outage.scheduledStart)} 开始停电`;
  return `计划 ${formatRange(outage.scheduledStart, outage.scheduledEnd)}`;
}
