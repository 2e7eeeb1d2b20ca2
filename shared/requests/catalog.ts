/**
 * The service-request types customers can file and the stages each becomes as a work order, with
 * per-stage time limits: working days for connections and changes (per the 2025 national guidance
 * for new connections), hours for fault repairs, which run around the clock. Figures marked
 * "(check)" are plausible, not confirmed; a deployment adjusts them here.
 */

export type StageLimit = { workdays: number } | { hours: number };

export interface StageDefinition {
  key: string;
  name: string;
  limit: StageLimit;
}

export interface RequestTypeDefinition {
  type: RequestType;
  name: string;
  /** 95598 work-order category. */
  category: 'repair' | 'connection' | 'change' | 'metering' | 'feedback';
  /** Who usually files it: shown in the service hub. */
  audience: 'resident' | 'business' | 'any';
  stages: StageDefinition[];
  /** Documents the customer must attach before submitting. */
  documents: { kind: string; name: string }[];
}

export const REQUEST_TYPES = [
  'fault_repair',
  'lv_residential_connection',
  'lv_business_connection',
  'hv_connection',
  'capacity_increase',
  'capacity_decrease',
  'name_transfer',
  'meter_check',
  'ev_charger',
  'rooftop_solar',
  'complaint',
  'suggestion',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

const wd = (workdays: number): StageLimit => ({ workdays });
const hours = (count: number): StageLimit => ({ hours: count });
const accept: StageDefinition = { key: 'accepted', name: '受理', limit: wd(1) };
const ID = { kind: 'id_card', name: '身份证' };
const PROPERTY = { kind: 'property_proof', name: '房产证明' };
const LICENCE = { kind: 'business_licence', name: '营业执照' };

export const CATALOG: Record<RequestType, RequestTypeDefinition> = {
  fault_repair: {
    type: 'fault_repair',
    name: '故障报修',
    category: 'repair',
    audience: 'any',
    // Urban arrival within 45 minutes is the usual promise; the limits here are per stage. (check)
    stages: [
      { key: 'accepted', name: '受理', limit: hours(0.25) },
      { key: 'dispatched', name: '派单到达', limit: hours(1) },
      { key: 'repairing', name: '抢修', limit: hours(4) },
    ],
    documents: [],
  },
  lv_residential_connection: {
    type: 'lv_residential_connection',
    name: '居民低压新装',
    category: 'connection',
    audience: 'resident',
    // Whole process within 5 working days without external line works.
    stages: [accept, { key: 'install_connect', name: '装表接电', limit: wd(4) }],
    documents: [ID, PROPERTY],
  },
  lv_business_connection: {
    type: 'lv_business_connection',
    name: '低压非居民新装',
    category: 'connection',
    audience: 'business',
    stages: [accept, { key: 'install_connect', name: '装表接电', limit: wd(4) }],
    documents: [LICENCE, PROPERTY],
  },
  hv_connection: {
    type: 'hv_connection',
    name: '高压新装',
    category: 'connection',
    audience: 'business',
    stages: [
      accept,
      { key: 'survey', name: '现场勘查', limit: wd(2) },
      { key: 'supply_plan', name: '供电方案答复', limit: wd(15) },
      { key: 'design_review', name: '设计审查', limit: wd(10) },
      { key: 'mid_inspection', name: '中间检查', limit: wd(5) },
      { key: 'completion_inspection', name: '竣工检验', limit: wd(5) },
      { key: 'install_connect', name: '装表接电', limit: wd(5) },
    ],
    documents: [
      LICENCE,
      { kind: 'project_approval', name: '项目批复文件' },
      { kind: 'site_plan', name: '用电地址总平面图' },
      { kind: 'load_list', name: '用电设备清单' },
    ],
  },
  capacity_increase: {
    type: 'capacity_increase',
    name: '增容',
    category: 'connection',
    audience: 'business',
    stages: [
      accept,
      { key: 'survey', name: '现场勘查', limit: wd(2) },
      { key: 'supply_plan', name: '供电方案答复', limit: wd(15) },
      { key: 'completion_inspection', name: '竣工检验', limit: wd(5) },
      { key: 'install_connect', name: '装表接电', limit: wd(5) },
    ],
    documents: [LICENCE, { kind: 'load_list', name: '用电设备清单' }],
  },
  capacity_decrease: {
    type: 'capacity_decrease',
    name: '减容/暂停',
    category: 'change',
    audience: 'business',
    stages: [accept, { key: 'site_check', name: '现场核查', limit: wd(3) }, { key: 'execute', name: '封停/换表', limit: wd(5) }], // (check)
    documents: [LICENCE],
  },
  name_transfer: {
    type: 'name_transfer',
    name: '更名过户',
    category: 'change',
    audience: 'any',
    stages: [accept, { key: 'review', name: '资料审核', limit: wd(3) }, { key: 'complete', name: '变更办结', limit: wd(2) }], // (check)
    documents: [ID, PROPERTY],
  },
  meter_check: {
    type: 'meter_check',
    name: '电能表校验',
    category: 'metering',
    audience: 'any',
    stages: [accept, { key: 'onsite_check', name: '现场校验', limit: wd(5) }, { key: 'result', name: '结果告知', limit: wd(2) }], // (check)
    documents: [],
  },
  ev_charger: {
    type: 'ev_charger',
    name: '充电桩报装',
    category: 'connection',
    audience: 'resident',
    stages: [accept, { key: 'survey', name: '现场勘查', limit: wd(2) }, { key: 'install_connect', name: '装表接电', limit: wd(3) }], // (check)
    documents: [ID, { kind: 'parking_proof', name: '车位产权或使用证明' }],
  },
  rooftop_solar: {
    type: 'rooftop_solar',
    name: '分布式光伏并网',
    category: 'connection',
    audience: 'any',
    stages: [
      accept,
      { key: 'access_plan', name: '接入方案答复', limit: wd(10) },
      { key: 'grid_inspection', name: '并网验收', limit: wd(10) },
      { key: 'install_connect', name: '装表并网', limit: wd(5) },
    ], // (check)
    documents: [ID, PROPERTY],
  },
  complaint: {
    type: 'complaint',
    name: '投诉',
    category: 'feedback',
    audience: 'any',
    stages: [accept, { key: 'investigate', name: '调查处理', limit: wd(4) }, { key: 'reply', name: '答复', limit: wd(1) }],
    documents: [],
  },
  suggestion: {
    type: 'suggestion',
    name: '意见建议',
    category: 'feedback',
    audience: 'any',
    stages: [accept, { key: 'reply', name: '答复', limit: wd(9) }],
    documents: [],
  },
};

/** Where a work order stands: in a stage, waiting for the customer's documents, or ended. */
export type OrderState =
  { kind: 'stage'; stage: string } | { kind: 'awaiting_documents'; stage: string } | { kind: 'completed' } | { kind: 'cancelled' } | { kind: 'closed' };

export type OrderAction =
  | { action: 'advance' }
  | { action: 'request_documents' }
  | { action: 'documents_supplied' }
  | { action: 'complete' }
  | { action: 'cancel'; by: 'customer' | 'staff' }
  | { action: 'close' };

export class TransitionRefused extends Error {
  override name = 'TransitionRefused';
}

/**
 * The one stage machine for every type: advance only to the next stage (the last advance completes
 * the order); a stage may wait for documents and resume; customers may cancel only in the first stage;
 * staff may close an order in any open state (e.g. a duplicate). Ended orders refuse everything.
 */
export function transition(type: RequestType, state: OrderState, action: OrderAction): OrderState {
  const stages = CATALOG[type].stages;
  if (state.kind === 'completed' || state.kind === 'cancelled' || state.kind === 'closed') throw new TransitionRefused(`the order is ${state.kind}`);
  const index = stages.findIndex((stage) => stage.key === state.stage);
  if (index < 0) throw new TransitionRefused(`unknown stage ${state.stage} for ${type}`);
  switch (action.action) {
    case 'advance':
      if (state.kind === 'awaiting_documents') throw new TransitionRefused('the customer has not supplied the requested documents');
      return index + 1 < stages.length ? { kind: 'stage', stage: stages[index + 1]!.key } : { kind: 'completed' };
    case 'complete':
      if (state.kind === 'awaiting_documents' || index !== stages.length - 1) throw new TransitionRefused('only the last stage can complete the order');
      return { kind: 'completed' };
    case 'request_documents':
      if (state.kind === 'awaiting_documents') throw new TransitionRefused('documents are already requested');
      return { kind: 'awaiting_documents', stage: state.stage };
    case 'documents_supplied':
      if (state.kind !== 'awaiting_documents') throw new TransitionRefused('no documents were requested');
      return { kind: 'stage', stage: state.stage };
    case 'cancel':
      if (action.by === 'customer' && index > 0) throw new TransitionRefused('work has started; ask staff to close the order');
      return { kind: 'cancelled' };
    case 'close':
      return { kind: 'closed' };
  }
}
