import type { ApiResponse } from '../../services';
import { formatInstant } from './outages';

export type OutageEvent = ApiResponse<'getOutage'>['history'][number];

export const EVENT_LABEL: Record<OutageEvent['event'], string> = {
  published: '发布停电信息',
  updated: '停电信息变更',
  started: '开始停电',
  restored: '恢复供电',
  cancelled: '取消停电',
};

/** The fields a customer cares about; anything else in `changes` is bookkeeping and is not shown. */
const FIELD_LABEL: Record<string, string> = {
  scheduledStart: '开始时间',
  scheduledEnd: '预计恢复时间',
  restoredAt: '恢复时间',
  reason: '原因',
};

const ISO = /^\d{4}-\d{2}-\d{2}T/;

function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return ISO.test(value) ? formatInstant(value) : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A change given as { from, to } (or before/after, or [old, new]), or just the new value. */
function fromTo(value: unknown): { from?: unknown; to: unknown } {
  if (Array.isArray(value) && value.length === 2) return { from: value[0], to: value[1] };
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('to' in record) return { from: record.from, to: record.to };
    if ('after' in record) return { from: record.before, to: record.after };
  }
  return { to: value };
}

/**
 * One line per changed field, e.g. "预计恢复时间由 11月29日 18:00 改为 11月29日 20:00". What a
 * publication contains is already on the page, so only later events list their changes.
 */
export function describeChanges(event: OutageEvent): string[] {
  if (event.event === 'published') return [];
  return Object.entries(event.changes).flatMap(([key, value]) => {
    const label = event.event === 'cancelled' && key === 'reason' ? '取消原因' : FIELD_LABEL[key];
    if (!label) return [];
    const { from, to } = fromTo(value);
    const toText = valueText(to);
    if (toText === undefined) return [];
    const fromText = valueText(from);
    return [fromText === undefined ? `${label}：${toText}` : `${label}由 ${fromText} 改为 ${toText}`];
  });
}

/** Newest first: the latest word on the outage is what the customer opened the page for. */
export const newestFirst = (history: OutageEvent[]) => [...history].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
