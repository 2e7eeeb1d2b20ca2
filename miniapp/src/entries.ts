import type { Entry } from './components/EntryGrid';

/** The feature entry points shown on the home page and the services tab. */
export const ENTRIES = {
  pay: { key: 'pay', label: '电费缴纳', glyph: '缴', url: '/packages/payments/pages/index/index' },
  bills: { key: 'bills', label: '账单查询', glyph: '账', url: '/pages/bills/index', tab: true },
  outages: { key: 'outages', label: '停电信息', glyph: '停', url: '/packages/outages/pages/index/index' },
  repair: { key: 'repair', label: '故障报修', glyph: '修', url: '/packages/requests/pages/index/index' },
  apply: { key: 'apply', label: '新装增容', glyph: '装', url: '/packages/applications/pages/index/index' },
} satisfies Record<string, Entry>;
