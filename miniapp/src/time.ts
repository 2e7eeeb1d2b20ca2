const CHINA_OFFSET_MS = 8 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** The instant as China wall-clock fields. */
function chinaTime(iso: string): Date {
  return new Date(new Date(iso).getTime() + CHINA_OFFSET_MS);
}

/**
 * An instant as China time, "11月29日 08:00". Shifted by hand rather than with Intl's timeZone,
 * which the mini-program's JavaScript engines do not all support; China has no daylight saving.
 */
export function formatInstant(iso: string): string {
  const date = chinaTime(iso);
  return `${date.getUTCMonth() + 1}月${date.getUTCDate()}日 ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** The China date of an instant, "2026-11-29", as date fields and date pickers write it. */
export function chinaDate(iso: string): string {
  return chinaTime(iso).toISOString().slice(0, 10);
}
