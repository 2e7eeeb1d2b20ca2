import { shanghaiDate, shanghaiMonthDayTime } from '../../shared/dates';

/** An instant (ISO text from the API) as China time, "11月29日 08:00". */
export function formatInstant(iso: string): string {
  return shanghaiMonthDayTime(new Date(iso));
}

/** The China date of an instant, "2026-11-29", as date fields and date pickers write it. */
export function chinaDate(iso: string): string {
  return shanghaiDate(new Date(iso));
}
