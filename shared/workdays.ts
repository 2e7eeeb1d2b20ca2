/**
 * Working-day calendar for service time limits (new connections are limited in working days,
 * repairs in hours). China's rule: Saturday and Sunday are rest days unless the State Council
 * makes them make-up working days (调休上班); public holidays (法定节假日 and the days added around
 * them) are rest days even on weekdays. The holidays change every year and are published late
 * (each November for the next year), so they are data handed to `createWorkCalendar`, never code:
 * the server builds it from the chinese-days package plus an operator file
 * (server/src/modules/workorders/calendar.ts). The calendar knows which years it holds in full; on
 * other dates it still answers by the weekend rule, but `covers` says the answer may be wrong.
 *
 * Dates are Shanghai business dates (YYYY-MM-DD, see ./dates); arithmetic is on whole days, and
 * instants are converted with the fixed UTC+8 offset, so no Intl or time-zone database is involved.
 */
import { addDays, daysBetween, shanghaiDate, shanghaiMidnight } from './dates';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface CalendarConfig {
  /** The years whose arrangement the two lists hold in full; every listed date lies in one of them. */
  years: number[];
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
  /** Whether `date` lies in a year whose holidays are known (else only the weekend rule applies). */
  covers(date: string): boolean;
  /** The first date on or after `from` that the calendar does not cover (there always is one). */
  firstUncovered(from: string): string;
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

const yearOf = (date: string) => Number(date.slice(0, 4));

export function createWorkCalendar(config: CalendarConfig): WorkCalendar {
  const years = new Set(config.years);
  for (const year of years) if (!Number.isSafeInteger(year) || year < 1970 || year > 9999) throw new RangeError(`${year} is not a calendar year`);
  const inCoveredYear = (date: string, what: string) => {
    // A date of a year not declared covered would be half an arrangement: refuse it, so coverage stays honest.
    if (!years.has(yearOf(date))) throw new RangeError(`${what} ${date} is outside the covered years`);
    return date;
  };
  const holidays = new Set(config.holidays.map((date) => inCoveredYear(checkDate(date, 'holiday'), 'holiday')));
  const makeUp = new Set(config.makeUpWorkdays.map((date) => inCoveredYear(checkDate(date, 'make-up working day'), 'make-up working day')));
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
    for (let counted = 0; counted < days;) {
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

  function covers(date: string): boolean {
    return years.has(yearOf(checkDate(date, 'date')));
  }

  function firstUncovered(from: string): string {
    if (!covers(from)) return from;
    let year = yearOf(from) + 1;
    while (years.has(year)) year += 1;
    return `${year}-01-01`;
  }

  return { isWorkday, addWorkdays, workdaysBetween, deadline, elapsedShare, covers, firstUncovered };
}
