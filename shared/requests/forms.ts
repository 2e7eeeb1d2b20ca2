import { z } from 'zod';
import { Phone } from '../contracts/auth';
import { REQUEST_TYPES } from './catalog';

/*
 * One zod form per request type: the page validates with it as the customer types, and the server
 * validates the submitted body with the same schema. Messages are for people (Chinese UI shows them).
 */

const text = (min: number, max: number) => z.string().trim().min(min, `至少 ${min} 个字`).max(max, `不超过 ${max} 个字`);
const accountId = z.number().int().positive();
const date = z.iso.date();

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
/** Mainland resident ID: 18 characters whose last is the ISO 7064 MOD 11-2 check character. */
export const IdNumber = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^\d{17}[\dX]$/, '身份证号应为 18 位')
  .refine((id) => ID_CHECK[ID_WEIGHTS.reduce((sum, weight, index) => sum + weight * Number(id[index]), 0) % 11] === id[17], '身份证号校验位不正确');

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** Unified social credit code (统一社会信用代码): 18 characters, the last a MOD 31 check character. */
export const CreditCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-HJ-NP-RTUW-Y]{18}$/, '统一社会信用代码应为 18 位')
  .refine((code) => {
    const sum = CREDIT_WEIGHTS.reduce((total, weight, index) => total + weight * CREDIT_CHARS.indexOf(code[index]!), 0);
    return CREDIT_CHARS[(31 - (sum % 31)) % 31] === code[17];
  }, '统一社会信用代码校验位不正确');

const contact = { contactName: text(1, 20), contactPhone: Phone };
const company = { company: text(2, 60), creditCode: CreditCode };

export const REQUEST_FORMS = {
  // Where the fault is: a bound account's address, or one typed (a neighbour's, a stairwell).
  fault_repair: z
    .object({
      accountId: accountId.optional(),
      address: text(6, 100).optional(),
      symptom: z.enum(['no_power', 'partial_power', 'flicker', 'sparks_or_smell', 'other']),
      scope: z.enum(['my_home', 'my_building', 'whole_area']),
      description: text(4, 300),
      contactPhone: Phone,
    })
    .refine((form) => form.accountId !== undefined || form.address !== undefined, { message: '请选择户号地址或填写故障地址', path: ['address'] }),
  lv_residential_connection: z.object({
    applicantName: text(2, 20),
    idNumber: IdNumber,
    address: text(6, 100),
    requestedKw: z.number().int().min(1).max(50),
    ...contact,
  }),
  lv_business_connection: z.object({
    ...company,
    address: text(6, 100),
    requestedKw: z.number().int().min(1).max(160, '低压非居民报装不超过 160 千瓦'),
    ...contact,
  }),
  hv_connection: z.object({
    ...company,
    siteAddress: text(6, 100),
    requestedKva: z.number().int().min(250, '高压报装一般不低于 250 千伏安').max(100_000),
    supply: z.enum(['single', 'dual']),
    expectedDate: date,
    ...contact,
  }),
  capacity_increase: z
    .object({
      accountId,
      ...company,
      currentKva: z.number().int().min(1),
      requestedKva: z.number().int().min(1).max(100_000),
      expectedDate: date,
      reason: text(4, 300),
      ...contact,
    })
    .refine((form) => form.requestedKva > form.currentKva, { message: '增容后的容量应大于现有容量', path: ['requestedKva'] }),
  capacity_decrease: z
    .object({
      accountId,
      mode: z.enum(['reduce', 'suspend']),
      requestedKva: z.number().int().min(1).optional(),
      from: date,
      until: date.optional(),
      reason: text(4, 300),
      ...contact,
    })
    .refine((form) => form.mode === 'suspend' || form.requestedKva !== undefined, { message: '减容请填写减容后的容量', path: ['requestedKva'] })
    .refine((form) => !form.until || form.until > form.from, { message: '结束日期应晚于开始日期', path: ['until'] }),
  name_transfer: z.object({ accountId, newHolderName: text(2, 60), newHolderId: IdNumber.or(CreditCode), reason: text(2, 200), contactPhone: Phone }),
  meter_check: z.object({ accountId, concern: text(4, 300), contactPhone: Phone }),
  ev_charger: z.object({
    accountId: accountId.optional(),
    address: text(6, 100),
    parkingSpace: text(1, 30),
    chargerKw: z.union([z.literal(7), z.literal(11), z.literal(22)]),
    contactPhone: Phone,
  }),
  rooftop_solar: z.object({
    accountId,
    capacityKw: z.number().min(1).max(1000),
    mode: z.enum(['full_export', 'self_use_surplus_export']),
    roofAreaM2: z.number().int().min(5).max(100_000),
    contactPhone: Phone,
  }),
  complaint: z.object({ accountId: accountId.optional(), subject: text(2, 40), description: text(10, 1000), contactPhone: Phone }),
  suggestion: z.object({ subject: text(2, 40), description: text(10, 1000), contactPhone: Phone.optional() }),
} satisfies Record<(typeof REQUEST_TYPES)[number], z.ZodType>;

/** Ids of documents uploaded beforehand (`POST /api/service-requests/documents`) to attach to the request. */
const DocumentIds = z.array(z.number().int().positive()).max(10).optional();
const submission = <T extends (typeof REQUEST_TYPES)[number]>(type: T) =>
  z.object({ type: z.literal(type), form: REQUEST_FORMS[type], documents: DocumentIds });

/** A submission: the type and its form, one discriminated union for the server and the pages. */
export const RequestSubmission = z.discriminatedUnion('type', [
  submission('fault_repair'),
  submission('lv_residential_connection'),
  submission('lv_business_connection'),
  submission('hv_connection'),
  submission('capacity_increase'),
  submission('capacity_decrease'),
  submission('name_transfer'),
  submission('meter_check'),
  submission('ev_charger'),
  submission('rooftop_solar'),
  submission('complaint'),
  submission('suggestion'),
]);
export type RequestSubmission = z.infer<typeof RequestSubmission>;
