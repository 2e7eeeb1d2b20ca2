/**
 * Business dates (bill months, due dates, accounting days) are in Asia/Shanghai, which has no
 * daylight saving: UTC+8 all year, so plain arithmetic is exact.
 */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The Shanghai calendar date of an instant, as YYYY-MM-DD. */
export function shanghaiDate(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The Shanghai bill month (YYYY-MM) of an instant. */
export function shanghaiMonth(instant: Date): string {
  return shanghaiDate(instant).slice(0, 7);
}

/** 00:00 in Shanghai on a date (YYYY-MM-DD) or on the first day of a month (YYYY-MM). */
export function shanghaiMidnight(dateOrMonth: string): Date {
  const date = dateOrMonth.length === 7 ? `${dateOrMonth}-01` : dateOrMonth;
  return new Date(Date.parse(`${date}T00:00:00Z`) - OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from date a to date b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}
