/**
 * Working-day calendar for service time limits (new connections are limited in working days,
 * repairs in hours). China's rule: Saturday and Sunday are rest days unless the State Council
 * makes them make-up working days (调休上班); public holidays (法定节假日 and the days added around
 * them) are rest days even on weekdays. The holidays change every year and are published late,
 * so they are configuration handed to `createWorkCalendar`, never code.
 *
 * Dates are Shanghai business dates (YYYY-MM-DD, see ./dates); arithmetic is on whole days, and
 * instants are converted with the fixed UTC+8 offset, so no Intl or time-zone database is involved.
 */
import { addDays, daysBetween, shanghaiDate, shanghaiMidnight } from './dates';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface CalendarConfig {
  /** Rest days: every day of each holiday span (weekend days inside a span may be listed or not). */
  holidays: string[];
  /** Saturdays and Sundays that are working days. */
  makeUpWorkdays: string[];
}

/** A stage's time limit: whole working days (new connections) or wall-clock hours (repairs). */
export type TimeLimit = { workdays: number } | { hours: number };

export interface WorkCalendar {
  isWorkday(date: string): boolean;
  /**
   * The day on which `days` full working days have passed, counting from the day AFTER `date`
   * (the day a request is accepted does not count). `days = 0` is `date` itself when it is a
   * working day, else the next working day.
   */
  addWorkdays(date: string, days: number): string;
  /** Working days in (from, to]; negative, −(working days in (to, from]), when to < from. */
  workdaysBetween(from: string, to: string): number;
  /** Workdays: 23:59:59.999 Shanghai on the due day. Hours: exactly start + n hours. */
  deadline(startInstant: Date, limit: TimeLimit): Date;
  /**
   * Share of the allowed time used, in integer per mille (800 = the 80 % warning, ≥ 1000 = late).
   * `limit` is the one the deadline was computed from: it says which clock to measure with.
   */
  elapsedShare(startInstant: Date, deadlineInstant: Date, now: Date, limit: TimeLimit): number;
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** Rejects anything but a real calendar date: "2025-02-30" round-trips to March, so it fails. */
function checkDate(date: string, what: string): string {
  if (typeof date !== 'string' || !DATE_SHAPE.test(date)) throw new RangeError(`${what} is not a YYYY-MM-DD date: "${date}"`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`${what} is not a calendar date: "${date}"`);
  return date;
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday (4). */
function weekday(date: string): number {
  return (((daysBetween('1970-01-01', date) + 4) % 7) + 7) % 7;
}

function isWeekend(date: string): boolean {
  const day = weekday(date);
  return day === 0 || day === 6;
}

function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative whole number, got ${value}`);
  return value;
}

export function createWorkCalendar(config: CalendarConfig): WorkCalendar {
  const holidays = new Set(config.holidays.map((date) => checkDate(date, 'holiday')));
  const makeUp = new Set(config.makeUpWorkdays.map((date) => checkDate(date, 'make-up working day')));
  for (const date of makeUp) {
    if (holidays.has(date)) throw new RangeError(`${date} is listed both as a holiday and as a make-up working day`);
    // A make-up day on a weekday changes nothing, so it can only be a typo (e.g. the day after the
    // real Sunday) that would silently lose a working day from every limit crossing it.
    if (!isWeekend(date)) throw new RangeError(`make-up working day ${date} is not a Saturday or Sunday`);
  }

  function isWorkday(date: string): boolean {
    checkDate(date, 'date');
    if (holidays.has(date)) return false;
    if (makeUp.has(date)) return true;
    return !isWeekend(date);
  }

  function addWorkdays(date: string, days: number): string {
    checkDate(date, 'date');
    checkCount(days, 'working days');
    let current = date;
    if (days === 0) {
      while (!isWorkday(current)) current = addDays(current, 1);
      return current;
    }
    // Terminates: only finitely many weekdays can be listed as holidays.
    for (let counted = 0; counted < days; ) {
      current = addDays(current, 1);
      if (isWorkday(current)) counted += 1;
    }
    return current;
  }

  function workdaysBetween(from: string, to: string): number {
    checkDate(from, 'from');
    checkDate(to, 'to');
    const span = daysBetween(from, to);
    const [low, sign] = span >= 0 ? [from, 1] : [to, -1];
    let count = 0;
    for (let offset = 1; offset <= Math.abs(span); offset += 1) if (isWorkday(addDays(low, offset))) count += 1;
    return count === 0 ? 0 : sign * count; // never −0
  }

  function deadline(startInstant: Date, limit: TimeLimit): Date {
    if ('hours' in limit) {
      // Repairs run around the clock: weekends and holidays do not stop this clock.
      if (!Number.isFinite(limit.hours) || limit.hours < 0) throw new RangeError(`hours must be a non-negative number, got ${limit.hours}`);
      return new Date(startInstant.getTime() + limit.hours * HOUR_MS);
    }
    const due = addWorkdays(shanghaiDate(startInstant), checkCount(limit.workdays, 'working days'));
    return new Date(shanghaiMidnight(addDays(due, 1)).getTime() - 1);
  }

  /**
   * Working time from the Shanghai date of `start` up to `instant`, in ms: a full day for each
   * working day strictly between the two dates, plus the clock time already passed on the instant's
   * own date if that is a working day. The start date itself never counts (the limit starts the
   * next day) and rest days add nothing (the clock stops over weekends and holidays).
   */
  function workingMs(startDate: string, instant: Date): number {
    const date = shanghaiDate(instant);
    if (date <= startDate) return 0;
    const whole = workdaysBetween(startDate, addDays(date, -1));
    const today = isWorkday(date) ? instant.getTime() - shanghaiMidnight(date).getTime() : 0;
    return whole * DAY_MS + today;
  }

  function elapsedShare(startInstant: Date, deadlineInstant: Date, now: Date, limit: TimeLimit): number {
    const start = startInstant.getTime();
    if (deadlineInstant.getTime() < start) throw new RangeError('deadline is before the start');
    if (now.getTime() <= start) return 0;
    let used: number;
    let allowed: number;
    if ('workdays' in limit) {
      const startDate = shanghaiDate(startInstant);
      used = workingMs(startDate, now);
      allowed = workingMs(startDate, deadlineInstant);
    } else {
      used = 0;
      allowed = 0;
    }
    // Hour limits, and a same-day working-day limit (0 working days from a working day: the
    // working measure above gives it no room at all), are measured on the wall clock.
    if (allowed === 0) {
      used = now.getTime() - start;
      allowed = deadlineInstant.getTime() - start;
    }
    // A zero-length allowance is simply used up once it has started.
    if (allowed === 0) return 1000;
    // Integers: a 60-working-day limit is ~5.2e9 ms, × 1000 stays far below 2^53.
    return Math.floor((used * 1000) / allowed);
  }

  return { isWorkday, addWorkdays, workdaysBetween, deadline, elapsedShare };
}

/** Every date from `first` to `last` inclusive, to write holiday spans as they are announced. */
function span(first: string, last: string): string[] {
  return Array.from({ length: daysBetween(first, last) + 1 }, (_, offset) => addDays(first, offset));
}

/**
 * The State Council's holiday arrangements (国务院办公厅关于…部分节假日安排的通知) for 2025 and 2026.
 * This is configuration: a deployment replaces or extends it each November when the next year's
 * notice is published. Dates outside these years fall back to the plain Saturday/Sunday rule.
 *
 * 2025 (国办发明电〔2024〕12号), confident:
 *   New Year Jan 1; Spring Festival Jan 28–Feb 4, make-up Jan 26 (Sun) and Feb 8 (Sat);
 *   Qingming Apr 4–6; Labour Day May 1–5, make-up Apr 27 (Sun); Dragon Boat May 31–Jun 2;
 *   National Day + Mid-Autumn Oct 1–8, make-up Sep 28 (Sun) and Oct 11 (Sat).
 * 2026: from memory of the notice published in November 2025 and NOT verified against it —
 *   every 2026 figure below is (check) before relying on it:
 *   New Year Jan 1–3, make-up Jan 4 (Sun) (check); Spring Festival Feb 15–23, make-up Feb 14 (Sat)
 *   and Feb 28 (Sat) (check); Qingming Apr 4–6 (check); Labour Day May 1–5, make-up May 9 (Sat)
 *   (check); Dragon Boat Jun 19–21 (check); Mid-Autumn Sep 25–27 (check); National Day Oct 1–7,
 *   make-up Sep 20 (Sun) and Oct 10 (Sat) (check).
 */
export const CALENDAR_2025_2026: CalendarConfig = {
  holidays: [
    // 2025
    '2025-01-01',
    ...span('2025-01-28', '2025-02-04'),
    ...span('2025-04-04', '2025-04-06'),
    ...span('2025-05-01', '2025-05-05'),
    ...span('2025-05-31', '2025-06-02'),
    ...span('2025-10-01', '2025-10-08'),
    // 2026 (check)
    ...span('2026-01-01', '2026-01-03'),
    ...span('2026-02-15', '2026-02-23'),
    ...span('2026-04-04', '2026-04-06'),
    ...span('2026-05-01', '2026-05-05'),
    ...span('2026-06-19', '2026-06-21'),
    ...span('2026-09-25', '2026-09-27'),
    ...span('2026-10-01', '2026-10-07'),
  ],
  makeUpWorkdays: [
    // 2025
    '2025-01-26',
    '2025-02-08',
    '2025-04-27',
    '2025-09-28',
    '2025-10-11',
    // 2026 (check)
    '2026-01-04',
    '2026-02-14',
    '2026-02-28',
    '2026-05-09',
    '2026-09-20',
    '2026-10-10',
  ],
};
