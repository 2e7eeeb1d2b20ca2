import type { StageLimit } from '../../shared/requests/catalog';
import type { WorkOrderSummary } from '../../shared/contracts/requests';

/** Words and addresses for service requests, shared by the hubs, the forms and the order pages. */

export const CATEGORY_LABEL: Record<string, string> = {
  repair: '故障报修',
  connection: '新装增容',
  change: '变更用电',
  metering: '计量服务',
  feedback: '意见反馈',
};
export const CATEGORY_ORDER = ['repair', 'connection', 'change', 'metering', 'feedback'];

export const AUDIENCE_LABEL: Record<string, string> = { resident: '居民', business: '企业', any: '居民/企业' };

export const MY_REQUESTS_URL = '/packages/requests/pages/mine/index';
export const HUB_URL = '/packages/requests/pages/index/index';
export const CAPACITY_URL = '/packages/requests/pages/capacity/index';

/** The page that files a request of this type: the capacity application has its own steps. */
export const formUrl = (type: string) => (type === 'capacity_increase' ? CAPACITY_URL : `/packages/requests/pages/form/index?type=${type}`);
export const detailUrl = (orderId: number) => `/packages/requests/pages/detail/index?id=${orderId}`;

function hoursText(hours: number): string {
  const minutes = Math.round(hours * 60);
  const whole = Math.floor(minutes / 60);
  if (!whole) return `${minutes} 分钟`;
  return minutes % 60 ? `${whole} 小时 ${minutes % 60} 分钟` : `${whole} 小时`;
}

export function limitText(limit: StageLimit): string {
  return 'workdays' in limit ? `${limit.workdays} 个工作日` : hoursText(limit.hours);
}

/** The whole process's promise: the stage limits added up ("全程约 27 个工作日"). */
export function totalText(stages: Array<{ limit: StageLimit }>): string {
  const workdays = stages.reduce((sum, stage) => sum + ('workdays' in stage.limit ? stage.limit.workdays : 0), 0);
  const hours = stages.reduce((sum, stage) => sum + ('hours' in stage.limit ? stage.limit.hours : 0), 0);
  return workdays ? `全程约 ${workdays} 个工作日` : `全程约 ${hoursText(hours)}`;
}

/** Where an order stands, in a few words. */
export function stateText(order: Pick<WorkOrderSummary, 'state' | 'stageName'>): string {
  switch (order.state) {
    case 'stage':
      return `办理中 · ${order.stageName}`;
    case 'awaiting_documents':
      return '待补充资料';
    case 'completed':
      return '已办结';
    case 'cancelled':
      return '已取消';
    case 'closed':
      return '已关闭';
  }
}
