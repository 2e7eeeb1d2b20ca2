import type { BillSummary } from '../../shared/contracts/billing';
import type { Period } from '../../shared/tariff/types';
import { formatHundredths } from '../../shared/money';

/** Words and links for bills, shared by the bills tab and the bill detail subpackage. */

export const PERIOD_LABEL: Record<Period, string> = { sharp: '尖', peak: '峰', flat: '平', valley: '谷' };

export const PAYMENT_LABEL: Record<BillSummary['payment']['state'], string> = {
  unpaid: '未缴',
  partly_paid: '部分缴费',
  paid: '已缴清',
  settled_from_balance: '余额已结',
};

const TIER_NAMES = ['', '第一档', '第二档', '第三档', '第四档', '第五档'];
export const tierName = (tier: number) => TIER_NAMES[tier] ?? `第 ${tier} 档`;

/** "2026-10" → "2026 年 10 月". */
export function formatMonth(month: string): string {
  return `${month.slice(0, 4)} 年 ${Number(month.slice(5, 7))} 月`;
}

/** "2026-10" → "10 月", where the year is plain from the context. */
export const shortMonth = (month: string) => `${Number(month.slice(5, 7))} 月`;

/** A meter register in hundredths of a kWh → "12345.67", without floating point. */
export const formatRegister = formatHundredths;

export const PAY_URL = '/packages/payments/pages/index/index';
export const billUrl = (accountId: number, month: string) => `/packages/bills/pages/detail/index?accountId=${accountId}&month=${month}`;
