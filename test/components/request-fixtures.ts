/** Accounts, request types and orders in the shapes of the contracts, for the service-request pages. */
import type { Account } from '../../shared/contracts/accounts';
import type { WorkOrderDetail } from '../../shared/contracts/requests';
import { CATALOG, REQUEST_TYPES } from '../../shared/requests/catalog';
import { ACCOUNT, OVERVIEW } from './billing-fixtures';
import { reply } from './fake-api';

export const FACTORY: Account = {
  id: 5,
  accountNo: '3301000005',
  holderNameMasked: '杭州绿源**公司',
  addressMasked: '杭州市余杭区良渚街道**号',
  customerClass: 'large_industry',
  isDefault: false,
};
/** A valid unified social credit code (its check character computed by the MOD 31 rule). */
export const CREDIT_CODE = '91330110MA27Y0QX58';

export const TYPES_REPLY = reply(200, { types: REQUEST_TYPES.map((type) => CATALOG[type]) });
export const RESIDENT_ONLY = reply(200, { accounts: [ACCOUNT], limit: 10 });
export const RESIDENT_AND_FACTORY = reply(200, { accounts: [ACCOUNT, FACTORY], limit: 10 });
export const FACTORY_OVERVIEW = reply(200, { overview: { ...OVERVIEW, accountId: 5, contractKva: 630, tier: null }, bills: [] });

/** A capacity application two days in: accepted by the back office, now in the site survey. */
export const IN_SURVEY: WorkOrderDetail = {
  id: 31,
  ticketNo: 'GD20261127000031',
  type: 'capacity_increase',
  typeName: '增容',
  state: 'stage',
  stage: 'survey',
  stageName: '现场勘查',
  stageDeadline: '2026-12-01T15:59:59.999Z',
  overdue: false,
  createdAt: '2026-11-27T02:00:00Z',
  rating: null,
  form: {
    accountId: 5,
    company: '杭州绿源食品有限公司',
    creditCode: CREDIT_CODE,
    contactName: '王经理',
    contactPhone: '13600000005',
    currentKva: 630,
    requestedKva: 1000,
    expectedDate: '2027-03-01',
    reason: '新增一条生产线',
  },
  events: [
    { action: 'submitted', state: 'stage', stage: 'accepted', actor: 'customer', note: null, at: '2026-11-27T02:00:00Z' },
    {
      action: 'deadline_warning',
      state: 'stage',
      stage: 'accepted',
      actor: 'system',
      note: 'stage accepted: 85% of its limit used',
      at: '2026-11-27T05:00:00Z',
    },
    { action: 'advance', state: 'stage', stage: 'survey', actor: 'backoffice', note: '资料齐全，已受理', at: '2026-11-27T06:30:00Z' },
  ],
  upcoming: [
    { stage: 'supply_plan', name: '供电方案答复', expectedBy: '2026-12-22T15:59:59.999Z' },
    { stage: 'completion_inspection', name: '竣工检验', expectedBy: '2026-12-29T15:59:59.999Z' },
    { stage: 'install_connect', name: '装表接电', expectedBy: '2027-01-06T15:59:59.999Z' },
  ],
  documents: [
    { id: 301, kind: 'business_licence', filename: 'licence.jpg', mimeType: 'image/jpeg', sizeBytes: 240_000, status: 'accepted' },
    { id: 302, kind: 'load_list', filename: 'loads.pdf', mimeType: 'application/pdf', sizeBytes: 80_000, status: 'accepted' },
  ],
  canCancel: false,
};
