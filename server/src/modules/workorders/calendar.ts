/**
 * The working-day calendar work-order time limits run on: the State Council's holiday arrangements
 * from the chinese-days package, extended or corrected by an operator file, and a check that they
 * reach far enough ahead. A year the calendar does not hold silently falls back to the weekend rule
 * (Spring Festival would count as working days), so a short horizon is reported, never hidden.
 *
 * The operator file (`WORK_CALENDAR_FILE`, default `$DATA_DIR/holidays.json`) lists whole years:
 *
 *   { "years": { "2027": { "source": "国办发明电〔2026〕…号",
 *                          "holidays": ["2027-01-01", …], "makeUpWorkdays": ["2027-…", …] } } }
 *
 * `holidays` are every rest day of each holiday span, `makeUpWorkdays` the Saturdays and Sundays
 * worked instead; a year in the file replaces the package's arrangement for that year.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { z } from 'zod';
import { addDays, daysBetween, shanghaiDate } from '../../../../shared/dates';
import { createWorkCalendar, type WorkCalendar } from '../../../../shared/workdays';
import { ConfigError } from '../../config';

/** Work-order limits run up to 60 working days: the calendar must know the next quarter. */
export const CALENDAR_HORIZON_DAYS = 90;

interface YearArrangement {
  holidays: string[];
  makeUpWorkdays: string[];
}

export type CalendarYears = Map<number, YearArrangement>;

/** chinese-days keeps every year in one file: date → "English,中文,days" for rest days and worked weekend days. */
const PackageData = z.object({ holidays: z.record(z.string(), z.string()), workdays: z.record(z.string(), z.string()) });

/** The arrangements the installed chinese-days package knows, by year. */
export function packageYears(): CalendarYears {
  const raw: unknown = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json');
  const data = PackageData.parse(raw);
  const years: CalendarYears = new Map();
  const entry = (date: string) => {
    const year = Number(date.slice(0, 4));
    if (!years.has(year)) years.set(year, { holidays: [], makeUpWorkdays: [] });
    return years.get(year)!;
  };
  // Every year it lists has holidays (New Year's Day at least), so the holiday keys name its years.
  for (const date of Object.keys(data.holidays)) entry(date).holidays.push(date);
  for (const date of Object.keys(data.workdays)) entry(date).makeUpWorkdays.push(date);
  return years;
}

const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date');
const CalendarFile = z.strictObject({
  years: z.record(z.string(), z.strictObject({ source: z.string().optional(), holidays: z.array(DateText), makeUpWorkdays: z.array(DateText) })),
});

export interface CalendarFileSetting {
  /** Absolute path of the operator's file. */
  file: string;
  /** Named explicitly (WORK_CALENDAR_FILE): then it must exist. */
  required: boolean;
}

/** The operator's years from the file, validated; throws ConfigError naming the file and the first problem. */
export function readCalendarFile(setting: CalendarFileSetting): CalendarYears {
  const fail = (problem: string): never => {
    throw new ConfigError(`Configuration error: WORK_CALENDAR_FILE ${setting.file}: ${problem}`);
  };
  if (!existsSync(setting.file)) return setting.required ? fail('no such file') : new Map();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(setting.file, 'utf8'));
  } catch (err) {
    return fail(`is not valid JSON (${(err as Error).message})`);
  }
  const parsed = CalendarFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(`${issue.path.join('.') || 'the top level'} ${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const years: CalendarYears = new Map();
  for (const [yearText, { holidays, makeUpWorkdays }] of Object.entries(parsed.data.years)) {
    if (!/^\d{4}$/.test(yearText)) fail(`years.${yearText} is not a four-digit year`);
    for (const [list, dates] of [
      ['holidays', holidays],
      ['makeUpWorkdays', makeUpWorkdays],
    ] as const) {
      const stray = dates.find((date) => !date.startsWith(`${yearText}-`));
      if (stray) fail(`years.${yearText}.${list} lists ${stray}, which is not in ${yearText}`);
    }
    years.set(Number(yearText), { holidays, makeUpWorkdays });
    // Checked one year at a time so the message can name the year of a bad date or a weekday make-up day.
    try {
      createWorkCalendar({ years: [Number(yearText)], holidays, makeUpWorkdays });
    } catch (err) {
      fail(`years.${yearText}: ${(err as Error).message}`);
    }
  }
  return years;
}

/** One calendar over the package's years with the operator's years laid over them. */
export function buildWorkCalendar(...layers: CalendarYears[]): WorkCalendar {
  const merged: CalendarYears = new Map();
  for (const layer of layers) for (const [year, arrangement] of layer) merged.set(year, arrangement);
  const arrangements = [...merged.values()];
  return createWorkCalendar({
    years: [...merged.keys()],
    holidays: arrangements.flatMap((year) => year.holidays),
    makeUpWorkdays: arrangements.flatMap((year) => year.makeUpWorkdays),
  });
}

/** The calendar the server runs on: the package, then the operator's file. */
export function loadWorkCalendar(setting: CalendarFileSetting): WorkCalendar {
  return buildWorkCalendar(packageYears(), readCalendarFile(setting));
}

export interface CalendarCoverage {
  status: 'ok' | 'degraded';
  /** The Shanghai date the check was made on. */
  today: string;
  /** The last day of the unbroken run of known days from today (null when today itself is unknown). */
  coveredThrough: string | null;
  /** The first day on or after today whose holidays are unknown. */
  firstUncoveredDate: string;
  /** Days from today (inclusive) that are known: the gauge `work_calendar_covered_days_ahead`. */
  daysAhead: number;
  horizonDays: number;
  /** The last day the horizon must reach. */
  horizonEnd: string;
}

/** Whether the next `horizonDays` days (today included) all have known holidays. */
export function calendarCoverage(calendar: WorkCalendar, now: Date, horizonDays = CALENDAR_HORIZON_DAYS): CalendarCoverage {
  const today = shanghaiDate(now);
  const firstUncoveredDate = calendar.firstUncovered(today);
  const daysAhead = daysBetween(today, firstUncoveredDate);
  return {
    status: daysAhead >= horizonDays ? 'ok' : 'degraded',
    today,
    coveredThrough: daysAhead > 0 ? addDays(firstUncoveredDate, -1) : null,
    firstUncoveredDate,
    daysAhead,
    horizonDays,
    horizonEnd: addDays(today, horizonDays - 1),
  };
}

/** The start-up check: a warning naming the first unknown date, so the gap is seen before limits go wrong. */
export function warnIfUncovered(calendar: WorkCalendar, now: Date, setting: CalendarFileSetting, log: Logger): CalendarCoverage {
  const coverage = calendarCoverage(calendar, now);
  if (coverage.status === 'degraded') {
    log.warn(
      {
        firstUncoveredDate: coverage.firstUncoveredDate,
        horizonEnd: coverage.horizonEnd,
        coveredThrough: coverage.coveredThrough,
        horizonDays: coverage.horizonDays,
        calendarFile: setting.file,
      },
      `working-day calendar does not cover the next ${coverage.horizonDays} days (through ${coverage.horizonEnd}): holidays from ${coverage.firstUncoveredDate} on are unknown and count as the weekend rule says; add that year to ${setting.file}`,
    );
  }
  return coverage;
}
