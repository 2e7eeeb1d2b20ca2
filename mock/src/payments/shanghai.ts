/** Both gateways speak Beijing time (UTC+8, no daylight saving) whatever the machine's zone is. */
const OFFSET_MS = 8 * 3600_000;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function parts(at: Date) {
  const shifted = new Date(at.getTime() + OFFSET_MS);
  return {
    y: shifted.getUTCFullYear(),
    mo: pad(shifted.getUTCMonth() + 1),
    d: pad(shifted.getUTCDate()),
    h: pad(shifted.getUTCHours()),
    mi: pad(shifted.getUTCMinutes()),
    s: pad(shifted.getUTCSeconds()),
  };
}

/** `2026-11-28T20:47:28+08:00`: WeChat Pay's RFC 3339 form. */
export function rfc3339(at: Date): string {
  const p = parts(at);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}+08:00`;
}

/** `2026-11-28 20:47:28`: Alipay's timestamps and both gateways' bill files. */
export function dateTime(at: Date): string {
  const p = parts(at);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`;
}

/** `2026-11-28`: the business date in Beijing. */
export function businessDate(at: Date): string {
  const p = parts(at);
  return `${p.y}-${p.mo}-${p.d}`;
}

/** `20261128204728`: the date part of gateway-made ids. */
export function compact(at: Date): string {
  const p = parts(at);
  return `${p.y}${p.mo}${p.d}${p.h}${p.mi}${p.s}`;
}

/** Parses an RFC 3339 time with an explicit offset (`time_expire`); undefined when it is not one. */
export function parseRfc3339(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Parses Alipay's `yyyy-MM-dd HH:mm:ss` as Beijing time; undefined when malformed. */
export function parseDateTime(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - OFFSET_MS);
  return dateTime(at) === text ? at : undefined;
}

/** The instant a Beijing business date (`yyyy-MM-dd`) starts; undefined when it is not a real date. */
export function startOfDate(date: string): Date | undefined {
  return parseDateTime(`${date} 00:00:00`);
}
