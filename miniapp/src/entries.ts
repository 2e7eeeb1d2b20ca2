import type { Entry } from './components/EntryGrid';
import { formUrl, HUB_URL, MY_REQUESTS_URL } from './serviceRequests';

/** The feature entry points shown on the home page and the services tab. */
export const ENTRIES = {
  pay: { key: 'pay', label: '电费缴纳', glyph: '缴', url: '/packages/payments/pages/index/index' },
  bills: { key: 'bills', label: '账单查询', glyph: '账', url: '/pages/bills/index', tab: true },
  outages: { key: 'outages', label: '停电信息', glyph: '停', url: '/packages/outages/pages/index/index' },
  repair: { key: 'repair', label: '故障报修', glyph: '修', url: formUrl('fault_repair') },
  apply: { key: 'apply', label: '新装增容', glyph: '装', url: '/packages/applications/pages/index/index' },
  requests: { key: 'requests', label: '网上营业厅', glyph: '办', url: HUB_URL },
  myRequests: { key: 'myRequests', label: '我的工单', glyph: '单', url: MY_REQUESTS_URL },
  payHistory: { key: 'payHistory', label: '缴费记录', glyph: '记', url: '/packages/payments/pages/history/index' },
} satisfies Record<string, Entry>;
