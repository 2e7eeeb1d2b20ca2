import type { WorkOrderDetail } from '../../../../shared/contracts/requests';
import { CATALOG } from '../../../../shared/requests/catalog';
import { formatInstant } from '../../time';

export interface TimelineEntry {
  key: string;
  /** done: happened; current: the stage under way; waiting: on the customer; upcoming: still to come. */
  status: 'done' | 'current' | 'waiting' | 'upcoming';
  title: string;
  when?: string;
  detail?: string;
  overdue?: boolean;
}

// The deadline warnings, overdue marks and reassignments are for staff; the customer sees the overdue flag on the stage.
const TITLES: Record<string, (stageName: string, actor: string) => string> = {
  submitted: () => '提交申请',
  advance: (stageName) => `${stageName}完成`,
  complete: (stageName) => `${stageName}完成`,
  request_documents: () => '需要补充资料',
  documents_supplied: () => '已补充资料',
  cancel: (_, actor) => (actor === 'customer' ? '您撤销了申请' : '申请已取消'),
  close: () => '工单已关闭',
};

/**
 * An order's progress for its customer, oldest first: what has happened (with what staff wrote),
 * the stage under way with its deadline, then each remaining stage with its expected date.
 */
export function buildTimeline(order: WorkOrderDetail): TimelineEntry[] {
  const stages = CATALOG[order.type].stages;
  const nameOf = (key: string | null) => stages.find((stage) => stage.key === key)?.name ?? '';
  const entries: TimelineEntry[] = [];
  let stage: string | null = null;
  let askedFor: string | undefined;
  order.events.forEach((event, index) => {
    const before = stage;
    stage = event.stage;
    const title = TITLES[event.action];
    if (!title) return;
    const staffNote = event.actor === 'customer' ? undefined : (event.note ?? undefined);
    if (event.action === 'request_documents') askedFor = staffNote;
    const ended = event.state === 'completed' ? '，已办结' : '';
    entries.push({
      key: `event-${index}`,
      status: 'done',
      title: title(nameOf(before), event.actor) + ended,
      when: formatInstant(event.at),
      detail: staffNote,
    });
  });

  if (order.state === 'awaiting_documents') {
    entries.push({ key: 'current', status: 'waiting', title: `${order.stageName}：待您补充资料`, detail: askedFor ?? '请按工作人员的要求上传资料' });
  } else if (order.state === 'stage' && order.stageDeadline) {
    const deadline = formatInstant(order.stageDeadline);
    entries.push({
      key: 'current',
      status: 'current',
      title: `${order.stageName}（办理中）`,
      detail: order.overdue ? `已超过办理时限（应于 ${deadline} 前完成），我们正在加紧处理` : `应于 ${deadline} 前完成`,
      overdue: order.overdue,
    });
  }
  for (const next of order.upcoming)
    entries.push({ key: `next-${next.stage}`, status: 'upcoming', title: next.name, detail: `预计 ${formatInstant(next.expectedBy)} 前完成` });
  return entries;
}
