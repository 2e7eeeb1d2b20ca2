import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

/*
 * Units on the wire: money in integer fen; energy in whole kWh; meter registers in hundredths of
 * a kWh; prices as integer rates in hundredths of a fen per kWh (0.538 yuan/kWh = 5380).
 */

export const BillMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');
const Fen = z.number().int();
const Kwh = z.number().int().nonnegative();
const PeriodName = z.enum(['sharp', 'peak', 'flat', 'valley']);
const AccountParams = z.object({ accountId: z.coerce.number().int().positive() });
const BillParams = AccountParams.extend({ month: BillMonth });
const STAFF_BILLING = ['back_office', 'admin'];

export const TierCard = z
  .object({
    basis: z.enum(['annual', 'monthly']),
    /** First month counted: the tier year's start (annual) or the bill month (monthly). */
    countedFrom: BillMonth,
    countedKwh: Kwh,
    tier: z.number().int().positive(),
    limits: z.array(Kwh),
    kwhToNextTier: Kwh.nullable(),
    rates: z.array(
      z.object({ tier: z.number().int(), single: z.number().int().optional(), periods: z.partialRecord(PeriodName, z.number().int()).optional() }),
    ),
  })
  .meta({ id: 'TierCard' });
export type TierCard = z.infer<typeof TierCard>;

export const PaymentState = z.enum(['unpaid', 'partly_paid', 'paid', 'settled_from_balance']);

export const BillSummary = z
  .object({
    id: z.number().int(),
    month: BillMonth,
    periodStart: z.iso.date(),
    periodEnd: z.iso.date().meta({ description: 'Last day of the period, inclusive' }),
    days: z.number().int(),
    kwh: Kwh,
    amountFen: Fen,
    payment: z.object({
      /** What to name when paying just this bill (`receivableIds`); null until the bill is issued. */
      receivableId: z.number().int().nullable(),
      state: PaymentState,
      dueDate: z.iso.date().nullable(),
      outstandingFen: Fen,
      lateFeeFen: Fen,
    }),
  })
  .meta({ id: 'BillSummary' });
export type BillSummary = z.infer<typeof BillSummary>;

export const UsagePoint = z.object({ month: BillMonth, kwh: Kwh.nullable(), amountFen: Fen.nullable() });

export const BillingOverview = z
  .object({
    accountId: z.number().int(),
    billingMode: z.enum(['postpaid', 'prepaid']),
    tariffName: z.string(),
    /** The contracted capacity in kVA for business supplies (what a capacity change starts from); null for households. */
    contractKva: z.number().int().nullable(),
    /** Principal and late fees still owed across all bills. */
    amountDueFen: Fen,
    lateFeeFen: Fen,
    /** Prepaid accounts: the balance; postpaid: money paid in advance (never negative). */
    balanceFen: Fen,
    lowBalanceThresholdFen: Fen.nullable(),
    /** Months whose bill is computed but being checked before it is issued. */
    pendingMonths: z.array(BillMonth),
    tier: TierCard.nullable(),
    /** The last 12 bill months, oldest first; null where no bill exists. */
    usage: z.array(UsagePoint),
  })
  .meta({ id: 'BillingOverview' });
export type BillingOverview = z.infer<typeof BillingOverview>;

/** See shared/tariff/engine.ts BillLine: power_factor lines carry the factor as quantity and basis points as rate. */
export const BillLine = z.object({
  kind: z.enum(['energy', 'tier_adder', 'demand', 'power_factor', 'fund']),
  key: z.string(),
  /** Fund lines: the fund's name as the tariff defines it. */
  name: z.string().optional(),
  quantity: z.number().int(),
  rate: z.number().int(),
  amountFen: Fen,
});

/** What changed against the previous bill: the facts the plain-language explainer is written from. */
export const BillComparison = z
  .object({
    previousMonth: BillMonth,
    days: z.object({ previous: z.number().int(), current: z.number().int() }),
    kwh: z.object({ previous: Kwh, current: Kwh }),
    amountFen: z.object({ previous: Fen, current: Fen }),
    /** Highest tier reached by the end of each bill. */
    tier: z.object({ previous: z.number().int(), current: z.number().int() }).nullable(),
    /** Share of kWh in the sharp and peak periods, in per mille; null for single-rate tariffs. */
    peakSharePermille: z.object({ previous: z.number().int(), current: z.number().int() }).nullable(),
  })
  .meta({ id: 'BillComparison' });
export type BillComparison = z.infer<typeof BillComparison>;

export const BillDetail = BillSummary.extend({
  tariff: z.object({ code: z.string(), version: z.number().int(), name: z.string() }),
  lines: z.array(BillLine),
  periods: z.array(z.object({ period: PeriodName, kwh: Kwh, rate: z.number().int() })),
  tiers: z.array(z.object({ tier: z.number().int(), kwh: Kwh })),
  tierCard: TierCard.nullable(),
  readings: z.array(z.object({ meterNo: z.string(), multiplier: z.number().int(), start: z.number().int(), end: z.number().int() })),
  comparison: BillComparison.nullable(),
  adjusted: z.object({ reason: z.string() }).nullable(),
}).meta({ id: 'BillDetail' });
export type BillDetail = z.infer<typeof BillDetail>;

export const getBillingOverview = defineEndpoint({
  ...routes.getBillingOverview,
  summary: 'Bills of one bound account, newest first, with the amount due, balance, tier card and 12-month usage',
  tag: 'bills',
  auth: 'customer',
  scope: 'account',
  params: AccountParams,
  response: z.object({ overview: BillingOverview, bills: z.array(BillSummary) }),
  statuses: { 404: 'not found or not bound to the caller' },
});

export const getBill = defineEndpoint({
  ...routes.getBill,
  summary: 'One issued bill: lines, tier and time-of-use split, readings, and what changed since the previous bill',
  tag: 'bills',
  auth: 'customer',
  scope: 'account',
  params: BillParams,
  response: z.object({ bill: BillDetail }),
  statuses: { 404: 'no issued bill for that month, or the account is not bound to the caller' },
});

export const setBalanceAlert = defineEndpoint({
  ...routes.setBalanceAlert,
  summary: 'Prepaid accounts: alert me when the balance falls below this amount',
  tag: 'bills',
  auth: 'customer',
  scope: 'account',
  params: AccountParams,
  body: z.object({ thresholdFen: z.number().int().min(0).max(10_000_00) }),
  response: z.object({ thresholdFen: Fen }),
  statuses: { 404: 'not found or not bound to the caller', 409: 'the account is not prepaid' },
});

// Staff: bill runs, reading imports, reviews, settings.

export const AnomalyCode = z.enum([
  'ZERO_USAGE',
  'SUDDEN_CHANGE',
  'CONSECUTIVE_DROPS',
  'READING_BELOW_PREVIOUS',
  'ESTIMATED_READING',
  'MISSING_READING',
  'TOU_REGISTER_MISMATCH',
  'REVERSE_ENERGY',
  'ABOVE_CONTRACT_CAPACITY',
  'WRONG_TARIFF_CLASS',
]);
export type AnomalyCode = z.infer<typeof AnomalyCode>;
export const Anomaly = z.object({ code: AnomalyCode, message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
export type Anomaly = z.infer<typeof Anomaly>;

export const BillingSettings = z
  .object({
    anomalies: z.object({
      /** Flag when the daily average moves more than this against the previous bill or the same month last year. */
      suddenChangePercent: z.number().int().min(1).max(1000),
      /** Comparisons start only when the base month had at least this many kWh. */
      suddenChangeMinKwh: z.number().int().min(0),
      consecutiveDrops: z.number().int().min(2).max(12),
      /** Each of those drops must be at least this much of the daily average (seasonal wobble is not a drop). */
      consecutiveDropMinPercent: z.number().int().min(0).max(100),
      /** Allowed difference between the TOU registers' sum and the total register, in hundredths of a kWh. */
      touToleranceHundredths: z.number().int().min(0),
      /** Flag when kWh exceed contracted kVA × hours in the period × this load factor (per cent). */
      capacityLoadFactorPercent: z.number().int().min(1).max(200),
      reverseEnergyMinKwh: z.number().int().min(0),
    }),
    dueDays: z.number().int().min(1).max(60),
    /** Late fee per day in per mille of the unpaid principal. */
    lateFeePermille: z.object({
      residential: z.number().int().min(0).max(10),
      otherCurrentYear: z.number().int().min(0).max(10),
      otherEarlierYears: z.number().int().min(0).max(10),
    }),
    defaultLowBalanceFen: z.number().int().min(0),
  })
  .meta({ id: 'BillingSettings' });
export type BillingSettings = z.infer<typeof BillingSettings>;

export const BillRun = z
  .object({
    id: z.number().int(),
    month: BillMonth,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    startedAt: z.iso.datetime({ offset: true }).nullable(),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
    counts: z.object({
      accounts: z.number().int(),
      computed: z.number().int(),
      published: z.number().int(),
      held: z.number().int(),
      skipped: z.number().int(),
      waitingForReview: z.number().int(),
    }),
    error: z.string().nullable(),
  })
  .meta({ id: 'BillRun' });
export type BillRun = z.infer<typeof BillRun>;

export const ReviewItem = z
  .object({
    billId: z.number().int(),
    accountId: z.number().int(),
    accountNo: z.string(),
    customerClass: z.string(),
    month: BillMonth,
    status: z.enum(['held', 'rereading']),
    kwh: Kwh,
    amountFen: Fen,
    anomalies: z.array(Anomaly),
    readings: BillDetail.shape.readings,
    computedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'BillReview' });
export type ReviewItem = z.infer<typeof ReviewItem>;

export const startBillRun = defineEndpoint({
  ...routes.startBillRun,
  summary: "Queue the month's bill run; running a month again only fills in bills that are missing",
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  body: z.object({ month: BillMonth }),
  response: z.object({ run: BillRun }),
  statuses: { 202: 'queued', 409: 'the month has not ended yet' },
});

export const getBillRun = defineEndpoint({
  ...routes.getBillRun,
  summary: 'Progress and counts of one bill run',
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  params: z.object({ runId: z.coerce.number().int().positive() }),
  response: z.object({ run: BillRun }),
});

export const importReadings = defineEndpoint({
  ...routes.importReadings,
  summary: 'Queue an import of meter readings from the metering system for a time range',
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  body: z.object({ from: z.iso.date(), to: z.iso.date(), interval: z.enum(['daily', 'monthly']) }),
  response: z.object({ queued: z.literal(true), jobId: z.string() }),
  statuses: { 202: 'queued' },
});

export const listReviews = defineEndpoint({
  ...routes.listReviews,
  summary: 'Bills held by the anomaly rules, oldest first',
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  query: z.object({ month: BillMonth.optional(), code: AnomalyCode.optional() }),
  response: z.object({ reviews: z.array(ReviewItem) }),
});

const ReviewParams = z.object({ billId: z.coerce.number().int().positive() });
const Reason = z.string().trim().min(4, 'say why, in a few words').max(500);
export const CorrectedReading = z.object({
  meterNo: z.string().min(1),
  total: z.number().int().nonnegative(),
  sharp: z.number().int().nonnegative().optional(),
  peak: z.number().int().nonnegative().optional(),
  flat: z.number().int().nonnegative().optional(),
  valley: z.number().int().nonnegative().optional(),
});

export const approveReview = defineEndpoint({
  ...routes.approveReview,
  summary: 'Issue a held bill as computed',
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  params: ReviewParams,
  body: z.object({ note: z.string().max(500).optional() }),
  response: z.object({ bill: BillSummary }),
  statuses: { 404: 'no such bill', 409: 'the bill is not held for review' },
});

export const adjustReview = defineEndpoint({
  ...routes.adjustReview,
  summary: "Correct a held bill's closing readings and/or the account's tariff, with a reason; the bill is recomputed and issued",
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  params: ReviewParams,
  body: z
    .object({ reason: Reason, readings: z.array(CorrectedReading).max(10).optional(), tariffCode: z.string().min(1).optional() })
    .refine((body) => body.readings?.length || body.tariffCode, 'give corrected readings, a tariff, or both'),
  response: z.object({ bill: BillSummary }),
  statuses: { 404: 'no such bill', 409: 'the bill is not held for review', 400: 'a reading or tariff that does not fit the account' },
});

export const rereadReview = defineEndpoint({
  ...routes.rereadReview,
  summary: 'Ask the metering system to read the meter again; the bill is recomputed when the new reading arrives',
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  params: ReviewParams,
  body: z.object({ reason: Reason }),
  response: z.object({ queued: z.literal(true) }),
  statuses: { 202: 'queued', 404: 'no such bill', 409: 'the bill is not held for review' },
});

export const getBillingSettings = defineEndpoint({
  ...routes.getBillingSettings,
  summary: 'Anomaly thresholds, due days, late-fee rates',
  tag: 'staff-billing',
  auth: 'staff',
  roles: STAFF_BILLING,
  response: z.object({ settings: BillingSettings }),
});

export const updateBillingSettings = defineEndpoint({
  ...routes.updateBillingSettings,
  summary: 'Replace the billing settings (admins)',
  tag: 'staff-billing',
  auth: 'staff',
  roles: ['admin'],
  body: BillingSettings,
  response: z.object({ settings: BillingSettings }),
});
