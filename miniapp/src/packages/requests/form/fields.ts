import type { RequestType } from '../../../../../shared/requests/catalog';

/**
 * What each request form shows: the field, its label and the kind of control. The rules live in
 * the shared zod form (shared/requests/forms.ts); this only says how to ask for each value.
 */
interface Base {
  name: string;
  label: string;
  placeholder?: string;
  /** Shown as "选填"; whether it may be left empty is the shared form's decision. */
  optional?: boolean;
  /** Said when the shared form refuses the value without a message of its own. */
  invalid?: string;
  /** Account fields: show each account's (masked) address, and offer this choice for none of them. */
  withAddress?: boolean;
  otherLabel?: string;
  /** Asked only while this holds, e.g. the reduced capacity only for a reduction. */
  when?: (raw: Record<string, string>) => boolean;
}

export type FieldSpec = Base &
  (
    | { kind: 'text' | 'textarea' | 'phone' | 'date' | 'account' }
    | { kind: 'integer' | 'decimal'; unit: string }
    | { kind: 'choice'; options: Array<{ value: string | number; label: string }> }
  );

const phone: FieldSpec = { name: 'contactPhone', label: '联系电话', kind: 'phone', placeholder: '11 位手机号' };
const contactName: FieldSpec = { name: 'contactName', label: '联系人', kind: 'text', placeholder: '办理联系人姓名' };
const account: FieldSpec = { name: 'accountId', label: '户号', kind: 'account' };
const company: FieldSpec[] = [
  { name: 'company', label: '企业名称', kind: 'text', placeholder: '与营业执照一致' },
  { name: 'creditCode', label: '信用代码', kind: 'text', placeholder: '18 位统一社会信用代码' },
];

export const FIELDS: Record<RequestType, FieldSpec[]> = {
  fault_repair: [
    { ...account, label: '故障地址', withAddress: true, otherLabel: '其他地址' },
    { name: 'address', label: '详细地址', kind: 'text', placeholder: '如：滨江区长河街道某小区 3 幢 2 单元', when: (raw) => !raw.accountId },
    {
      name: 'symptom',
      label: '故障现象',
      kind: 'choice',
      options: [
        { value: 'no_power', label: '整户停电' },
        { value: 'partial_power', label: '部分没电' },
        { value: 'flicker', label: '灯光闪烁' },
        { value: 'sparks_or_smell', label: '打火或焦味' },
        { value: 'other', label: '其他' },
      ],
    },
    {
      name: 'scope',
      label: '影响范围',
      kind: 'choice',
      options: [
        { value: 'my_home', label: '仅我家' },
        { value: 'my_building', label: '整栋楼' },
        { value: 'whole_area', label: '整个小区' },
      ],
    },
    { name: 'description', label: '故障描述', kind: 'textarea', placeholder: '什么时候开始、邻居家是否有电、空气开关是否跳闸' },
    phone,
  ],
  lv_residential_connection: [
    { name: 'applicantName', label: '申请人', kind: 'text', placeholder: '与身份证一致' },
    { name: 'idNumber', label: '身份证号', kind: 'text', placeholder: '18 位身份证号' },
    { name: 'address', label: '用电地址', kind: 'text', placeholder: '区、街道、门牌号' },
    { name: 'requestedKw', label: '申请容量', kind: 'integer', unit: '千瓦' },
    contactName,
    phone,
  ],
  lv_business_connection: [
    ...company,
    { name: 'address', label: '用电地址', kind: 'text', placeholder: '区、街道、门牌号' },
    { name: 'requestedKw', label: '申请容量', kind: 'integer', unit: '千瓦' },
    contactName,
    phone,
  ],
  hv_connection: [
    ...company,
    { name: 'siteAddress', label: '用电地址', kind: 'text', placeholder: '项目所在地址' },
    { name: 'requestedKva', label: '申请容量', kind: 'integer', unit: '千伏安' },
    {
      name: 'supply',
      label: '供电方式',
      kind: 'choice',
      options: [
        { value: 'single', label: '单电源' },
        { value: 'dual', label: '双电源' },
      ],
    },
    { name: 'expectedDate', label: '期望送电', kind: 'date' },
    contactName,
    phone,
  ],
  capacity_increase: [
    ...company,
    contactName,
    phone,
    account,
    { name: 'currentKva', label: '现有容量', kind: 'integer', unit: '千伏安' },
    { name: 'requestedKva', label: '增容后容量', kind: 'integer', unit: '千伏安' },
    { name: 'expectedDate', label: '期望送电', kind: 'date' },
    { name: 'reason', label: '增容原因', kind: 'textarea', placeholder: '例如：新增生产线、设备扩容' },
  ],
  capacity_decrease: [
    account,
    {
      name: 'mode',
      label: '办理类型',
      kind: 'choice',
      options: [
        { value: 'reduce', label: '减容' },
        { value: 'suspend', label: '暂停' },
      ],
    },
    { name: 'requestedKva', label: '减容后容量', kind: 'integer', unit: '千伏安', when: (raw) => raw.mode === 'reduce' },
    { name: 'from', label: '开始日期', kind: 'date' },
    { name: 'until', label: '结束日期', kind: 'date', optional: true },
    { name: 'reason', label: '办理原因', kind: 'textarea', placeholder: '例如：停产检修、季节性生产' },
    contactName,
    phone,
  ],
  name_transfer: [
    account,
    { name: 'newHolderName', label: '新户主', kind: 'text', placeholder: '个人姓名或企业名称' },
    { name: 'newHolderId', label: '证件号码', kind: 'text', placeholder: '身份证号或统一社会信用代码', invalid: '请填写正确的身份证号或统一社会信用代码' },
    { name: 'reason', label: '过户原因', kind: 'textarea', placeholder: '例如：房屋买卖、继承' },
    phone,
  ],
  meter_check: [account, { name: 'concern', label: '校验原因', kind: 'textarea', placeholder: '例如：近两月电量明显偏高，家中用电没有变化' }, phone],
  ev_charger: [
    { ...account, optional: true },
    { name: 'address', label: '安装地址', kind: 'text', placeholder: '小区、楼栋或停车场' },
    { name: 'parkingSpace', label: '车位号', kind: 'text', placeholder: '例如：B2-118' },
    {
      name: 'chargerKw',
      label: '充电桩功率',
      kind: 'choice',
      options: [
        { value: 7, label: '7 千瓦' },
        { value: 11, label: '11 千瓦' },
        { value: 22, label: '22 千瓦' },
      ],
    },
    phone,
  ],
  rooftop_solar: [
    account,
    { name: 'capacityKw', label: '装机容量', kind: 'decimal', unit: '千瓦' },
    {
      name: 'mode',
      label: '消纳方式',
      kind: 'choice',
      options: [
        { value: 'self_use_surplus_export', label: '自发自用、余电上网' },
        { value: 'full_export', label: '全额上网' },
      ],
    },
    { name: 'roofAreaM2', label: '屋顶面积', kind: 'integer', unit: '平方米' },
    phone,
  ],
  complaint: [
    { ...account, optional: true },
    { name: 'subject', label: '投诉主题', kind: 'text', placeholder: '一句话说明' },
    { name: 'description', label: '详细情况', kind: 'textarea', placeholder: '时间、地点、经过，以及您希望的处理方式' },
    phone,
  ],
  suggestion: [
    { name: 'subject', label: '建议主题', kind: 'text', placeholder: '一句话说明' },
    { name: 'description', label: '具体内容', kind: 'textarea', placeholder: '您的意见或建议' },
    { ...phone, optional: true },
  ],
};

/** The fields asked for now: those whose condition holds. */
export const visibleFields = (fields: FieldSpec[], raw: Record<string, string>) => fields.filter((field) => !field.when || field.when(raw));

/** A filled-in value as the customer reads it back: the option's words, the account number, the unit. */
export function describeValue(field: FieldSpec, value: unknown, accounts: Array<{ id: number; accountNo: string }> = []): string {
  if (value === undefined || value === null || value === '') return '未填写';
  switch (field.kind) {
    case 'choice':
      return field.options.find((option) => String(option.value) === String(value))?.label ?? String(value);
    case 'account':
      return accounts.find((account) => account.id === Number(value))?.accountNo ?? `户号 ${String(value)}`;
    case 'integer':
    case 'decimal':
      return `${String(value)} ${field.unit}`;
    default:
      return String(value);
  }
}
