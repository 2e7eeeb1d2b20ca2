/**
 * Business dates (bill months, due dates, accounting days) are in Asia/Shanghai, which has no
 * daylight saving: UTC+8 all year, so plain arithmetic is exact.
 */
const OFFSET_MS = 8 * 3_600_000;
/** Beijing's offset from UTC, for arithmetic on day boundaries. */
export const SHANGHAI_OFFSET_MS = OFFSET_MS;
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

// Wall-clock forms of an instant in Beijing time, as the gateways, bill files and pages write it.
// Shifted by hand rather than through Intl's timeZone, which the mini-program's engines do not all support.

/** Two-digit zero padding for date and time fields. */
export const pad2 = (value: number) => String(value).padStart(2, '0');

/** `2026-11-28T20:47:28`: the Shanghai wall clock of an instant, to the second. */
function shanghaiClock(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 19);
}

/** `2026-11-28T20:47:28+08:00`: RFC 3339 with the Beijing offset (WeChat Pay's form). */
export function shanghaiRfc3339(at: Date): string {
  return `${shanghaiClock(at)}+08:00`;
}

/** `2026-11-28 20:47:28`: Alipay's timestamps and both gateways' bill files. */
export function shanghaiDateTime(at: Date): string {
  return shanghaiClock(at).replace('T', ' ');
}

/** `20261128204728`: the date-and-time part of order numbers and gateway ids. */
export function shanghaiCompact(at: Date): string {
  return shanghaiClock(at).replace(/\D/g, '');
}

/** `2026-11-28 20:47`: WeChat subscribe messages' `time` fields. */
export function shanghaiMinute(at: Date): string {
  return shanghaiDateTime(at).slice(0, 16);
}

/** `11月28日 20:47`: an instant as the pages show it. */
export function shanghaiMonthDayTime(at: Date): string {
  const clock = shanghaiClock(at);
  return `${Number(clock.slice(5, 7))}月${Number(clock.slice(8, 10))}日 ${clock.slice(11, 16)}`;
}

/** Parses an RFC 3339 time with an explicit offset (`time_expire`); undefined when it is not one. */
export function parseRfc3339(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Parses `yyyy-MM-dd HH:mm:ss` as Beijing time; undefined when malformed or not a real time. */
export function parseShanghaiDateTime(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const at = new Date(Date.parse(`${text.replace(' ', 'T')}Z`) - OFFSET_MS);
  return !Number.isNaN(at.getTime()) && shanghaiDateTime(at) === text ? at : undefined;
}
