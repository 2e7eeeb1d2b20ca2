/**
 * A Zhejiang peak/valley resident (浙江居民峰谷阶梯电价: peak 0.568, valley 0.288, tiers at 2760 and
 * 4800 kWh a calendar year, +0.05 and +0.30), written out by hand in the shapes of the billing
 * contracts. 2,900 kWh counted in 2026 so far: tier 2 since the September bill, 1,900 kWh to tier 3.
 */
import type { Account } from '../../shared/contracts/accounts';
import type { BillDetail, BillSummary, BillingOverview } from '../../shared/contracts/billing';

export const ACCOUNT: Account = {
  id: 7,
  accountNo: '3301000001',
  holderNameMasked: '张*',
  addressMasked: '杭州市西湖区文三路**号',
  customerClass: 'residential',
  isDefault: true,
};

export const PREPAID_ACCOUNT: Account = { ...ACCOUNT, id: 9, accountNo: '3301000002', addressMasked: '杭州市拱墅区**路**号', isDefault: false };

const paid = (dueDate: string) => ({ state: 'paid' as const, dueDate, outstandingFen: 0, lateFeeFen: 0 });

/** Month, days, kWh and fen; each amount is peak × 0.568 + valley × 0.288 (+ the tier adder in September). */
/** Each bill's receivable is numbered 1000 + its id. */
const summary = (
  id: number,
  month: string,
  days: number,
  kwh: number,
  amountFen: number,
  payment: Omit<BillSummary['payment'], 'receivableId'>,
): BillSummary => {
  const end = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
  return { id, month, periodStart: `${month}-01`, periodEnd: `${month}-${end}`, days, kwh, amountFen, payment: { receivableId: 1000 + id, ...payment } };
};

export const BILLS: BillSummary[] = [
  summary(110, '2026-09', 30, 300, 14660, { state: 'unpaid', dueDate: '2026-10-25', outstandingFen: 14660, lateFeeFen: 0 }),
  // ¥150 paid of ¥196.08; 38 fen of late fee so far.
  summary(109, '2026-08', 31, 430, 19608, { state: 'partly_paid', dueDate: '2026-09-25', outstandingFen: 4646, lateFeeFen: 38 }),
  summary(108, '2026-07', 31, 420, 19516, paid('2026-08-25')),
  summary(107, '2026-06', 30, 310, 14388, paid('2026-07-25')),
  summary(106, '2026-05', 31, 230, 10544, { state: 'settled_from_balance', dueDate: null, outstandingFen: 0, lateFeeFen: 0 }),
  summary(105, '2026-04', 30, 220, 10116, paid('2026-05-25')),
  summary(104, '2026-03', 31, 260, 11968, paid('2026-04-25')),
  summary(103, '2026-02', 28, 350, 16100, paid('2026-03-25')),
  summary(102, '2026-01', 31, 380, 17524, paid('2026-02-25')),
  summary(101, '2025-12', 31, 340, 15672, paid('2026-01-25')),
];

export const TIER: NonNullable<BillingOverview['tier']> = {
  basis: 'annual',
  countedFrom: '2026-01',
  countedKwh: 2900,
  tier: 2,
  limits: [2760, 4800],
  kwhToNextTier: 1900,
  rates: [
    { tier: 1, periods: { peak: 5680, valley: 2880 } },
    { tier: 2, periods: { peak: 6180, valley: 3380 } },
    { tier: 3, periods: { peak: 8680, valley: 5880 } },
  ],
};

export const OVERVIEW: BillingOverview = {
  accountId: ACCOUNT.id,
  billingMode: 'postpaid',
  tariffName: '浙江居民峰谷阶梯电价',
  contractKva: null,
  amountDueFen: 14660 + 4646,
  lateFeeFen: 38,
  balanceFen: 0,
  lowBalanceThresholdFen: null,
  pendingMonths: ['2026-10'],
  tier: TIER,
  // The account was opened in December 2025: the two months before have no bill.
  usage: [
    { month: '2025-10', kwh: null, amountFen: null },
    { month: '2025-11', kwh: null, amountFen: null },
    ...[...BILLS].reverse().map((bill) => ({ month: bill.month, kwh: bill.kwh, amountFen: bill.amountFen })),
  ],
};

export const PREPAID_OVERVIEW: BillingOverview = {
  ...OVERVIEW,
  accountId: PREPAID_ACCOUNT.id,
  billingMode: 'prepaid',
  amountDueFen: 0,
  lateFeeFen: 0,
  balanceFen: 4523,
  lowBalanceThresholdFen: 5000,
  pendingMonths: [],
};

/** September: 190 kWh peak, 110 valley; the last 140 kWh crossed 2760 into tier 2. */
export const SEPTEMBER: BillDetail = {
  ...BILLS[0]!,
  tariff: { code: 'zj-residential-tou', version: 1, name: '浙江居民峰谷阶梯电价' },
  lines: [
    { kind: 'energy', key: 'peak', quantity: 190, rate: 5680, amountFen: 10792 },
    { kind: 'energy', key: 'valley', quantity: 110, rate: 2880, amountFen: 3168 },
    { kind: 'tier_adder', key: '2', quantity: 140, rate: 500, amountFen: 700 },
  ],
  periods: [
    { period: 'peak', kwh: 190, rate: 5680 },
    { period: 'valley', kwh: 110, rate: 2880 },
  ],
  tiers: [
    { tier: 1, kwh: 160 },
    { tier: 2, kwh: 140 },
    { tier: 3, kwh: 0 },
  ],
  tierCard: TIER,
  readings: [{ meterNo: '3300123456', multiplier: 1, start: 1234567, end: 1264589 }],
  comparison: {
    previousMonth: '2026-08',
    days: { previous: 31, current: 30 },
    kwh: { previous: 430, current: 300 },
    amountFen: { previous: 19608, current: 14660 },
    tier: { previous: 1, current: 2 },
    peakSharePermille: { previous: 600, current: 633 },
  },
  adjusted: null,
};

/**
 * The demo factory's October (浙江大工业电价, 630 kVA by capacity, standard 0.90): the bill worked by
 * hand in test/unit/tariff-business.test.ts. Readings 291336.86 → 298654.22 at multiplier 40.
 */
export const FACTORY_OCTOBER: BillDetail = {
  ...summary(210, '2026-10', 31, 292_694, 21_732_505, { state: 'unpaid', dueDate: '2026-11-25', outstandingFen: 21_732_505, lateFeeFen: 0 }),
  tariff: { code: 'zj-large-industry', version: 1, name: '浙江大工业电价' },
  lines: [
    { kind: 'energy', key: 'sharp', quantity: 29_269, rate: 10_212, amountFen: 2_988_950 },
    { kind: 'energy', key: 'peak', quantity: 102_443, rate: 8_510, amountFen: 8_717_899 },
    { kind: 'energy', key: 'flat', quantity: 87_808, rate: 6_012, amountFen: 5_279_017 },
    { kind: 'energy', key: 'valley', quantity: 73_174, rate: 2_902, amountFen: 2_123_509 },
    { kind: 'demand', key: 'capacity', quantity: 630, rate: 300_000, amountFen: 1_890_000 },
    { kind: 'power_factor', key: '0.90', quantity: 92, rate: -30, amountFen: -62_998 },
    { kind: 'fund', key: 'water_project', name: '国家重大水利工程建设基金', quantity: 292_694, rate: 20, amountFen: 58_539 },
    { kind: 'fund', key: 'reservoir_resettlement', name: '大中型水库移民后期扶持资金', quantity: 292_694, rate: 62, amountFen: 181_470 },
    { kind: 'fund', key: 'renewable', name: '可再生能源电价附加', quantity: 292_694, rate: 190, amountFen: 556_119 },
  ],
  periods: [
    { period: 'sharp', kwh: 29_269, rate: 10_212 },
    { period: 'peak', kwh: 102_443, rate: 8_510 },
    { period: 'flat', kwh: 87_808, rate: 6_012 },
    { period: 'valley', kwh: 73_174, rate: 2_902 },
  ],
  tiers: [{ tier: 1, kwh: 292_694 }],
  tierCard: null,
  readings: [{ meterNo: 'M3301000005', multiplier: 40, start: 29_133_686, end: 29_865_422 }],
  comparison: null,
  adjusted: null,
};
