import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { isWorkday as packageIsWorkday } from 'chinese-days';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/dates';
import { ConfigError } from '../../server/src/config';
import {
  buildWorkCalendar,
  calendarCoverage,
  loadWorkCalendar,
  packageYears,
  readCalendarFile,
  warnIfUncovered,
} from '../../server/src/modules/workorders/calendar';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'work-calendar-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** An operator file with this content (an object is written as JSON). */
function calendarFile(content: unknown) {
  const file = path.join(dir, `holidays-${(files += 1)}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return { file, required: true };
}
const noFile = { file: path.join(dir, 'absent.json'), required: false };
/** 10:00 in Shanghai on a date: the faked "now" of each check. */
const on = (date: string) => new Date(`${date}T10:00:00+08:00`);

describe('the calendar from the chinese-days package', () => {
  const calendar = loadWorkCalendar(noFile);

  it('agrees with the package on every day of 2025 and 2026', () => {
    for (let date = '2025-01-01'; date <= '2026-12-31'; date = addDays(date, 1)) {
      expect([date, calendar.isWorkday(date)]).toEqual([date, packageIsWorkday(date)]);
    }
  });

  it('has the 2026 Spring Festival and its make-up Saturdays right', () => {
    expect(calendar.isWorkday('2026-02-14')).toBe(true); // Saturday, worked
    expect(calendar.isWorkday('2026-02-16')).toBe(false); // Monday, 除夕 week
    expect(calendar.isWorkday('2026-02-23')).toBe(false); // the last added day
    expect(calendar.isWorkday('2026-02-24')).toBe(true);
    expect(calendar.isWorkday('2026-02-28')).toBe(true); // Saturday, worked
    // Accepted on Friday 13 February with 3 working days: 14 (Sat), 24, 25.
    expect(calendar.addWorkdays('2026-02-13', 3)).toBe('2026-02-25');
    expect(calendar.isWorkday('2026-10-08')).toBe(true); // 2026's National Day ends on the 7th
  });

  it('covers the package years and nothing after', () => {
    const years = [...packageYears().keys()];
    expect(Math.max(...years)).toBe(2026);
    expect(calendar.covers('2026-12-31')).toBe(true);
    expect(calendar.covers('2027-01-01')).toBe(false);
  });
});

describe('coverage of the next 90 days', () => {
  const calendar = loadWorkCalendar(noFile);

  it('is ok while the next 90 days lie in known years', () => {
    expect(calendarCoverage(calendar, on('2026-09-01'))).toEqual({
      status: 'ok',
      today: '2026-09-01',
      coveredThrough: '2026-12-31',
      firstUncoveredDate: '2027-01-01',
      daysAhead: 122,
      horizonDays: 90,
      horizonEnd: '2026-11-29',
    });
    // 2 October + 89 days is 30 December: still inside 2026.
    expect(calendarCoverage(calendar, on('2026-10-03')).status).toBe('ok');
  });

  it('is degraded once the horizon reaches an unknown year, naming its first day', () => {
    expect(calendarCoverage(calendar, on('2026-10-04'))).toMatchObject({ status: 'degraded', daysAhead: 89, firstUncoveredDate: '2027-01-01' });
    expect(calendarCoverage(calendar, on('2026-12-06'))).toMatchObject({
      status: 'degraded',
      daysAhead: 26,
      coveredThrough: '2026-12-31',
      horizonEnd: '2027-03-05',
    });
    // Already inside the unknown year: nothing ahead is known.
    expect(calendarCoverage(calendar, on('2027-02-01'))).toMatchObject({
      status: 'degraded',
      daysAhead: 0,
      coveredThrough: null,
      firstUncoveredDate: '2027-02-01',
    });
  });

  it('dates "today" in Shanghai: 20:00 UTC on 3 October is already the 4th there', () => {
    expect(calendarCoverage(calendar, new Date('2026-10-03T20:00:00Z'))).toMatchObject({ today: '2026-10-04', status: 'degraded' });
  });

  it('warns at start-up in one log line naming the first uncovered date, and stays quiet when covered', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino(new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    warnIfUncovered(calendar, on('2026-09-01'), noFile, log);
    expect(lines).toEqual([]);
    warnIfUncovered(calendar, on('2026-12-06'), noFile, log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, firstUncoveredDate: '2027-01-01', horizonEnd: '2027-03-05', calendarFile: noFile.file });
    expect(lines[0]!.msg).toContain('holidays from 2027-01-01 on are unknown');
  });
});

describe('the operator file', () => {
  // Only New Year's Day, the one holiday fixed by law every year: the file format is under test, not a 2027 arrangement.
  const year2027 = { years: { '2027': { source: 'test fixture', holidays: ['2027-01-01'], makeUpWorkdays: [] } } };

  it('extends the calendar by the years it lists, which then count as covered', () => {
    const calendar = loadWorkCalendar(calendarFile(year2027));
    expect(calendar.isWorkday('2027-01-01')).toBe(false); // a Friday, listed as a holiday
    expect(calendar.isWorkday('2027-01-04')).toBe(true);
    expect(calendar.isWorkday('2026-02-16')).toBe(false); // the package's years are still there
    expect(calendarCoverage(calendar, on('2026-12-06'))).toMatchObject({ status: 'ok', coveredThrough: '2027-12-31', firstUncoveredDate: '2028-01-01' });
  });

  it('replaces the package for a year it lists', () => {
    const calendar = loadWorkCalendar(calendarFile({ years: { '2026': { holidays: ['2026-01-01'], makeUpWorkdays: [] } } }));
    expect(calendar.isWorkday('2026-02-16')).toBe(true); // the package's Spring Festival is gone
    expect(calendar.isWorkday('2026-01-01')).toBe(false);
    expect(calendar.isWorkday('2025-10-01')).toBe(false); // other years untouched
  });

  it('is optional at the default path but required when named', () => {
    expect(readCalendarFile(noFile).size).toBe(0);
    expect(() => readCalendarFile({ ...noFile, required: true })).toThrow(`Configuration error: WORK_CALENDAR_FILE ${noFile.file}: no such file`);
  });

  it.each([
    ['not JSON', '{"years": ', /is not valid JSON/],
    ['no years', { holidays: [] }, /years expected record, received undefined/],
    ['a bad year key', { years: { '27': { holidays: [], makeUpWorkdays: [] } } }, /years\.27 is not a four-digit year/],
    ['a malformed date', { years: { '2027': { holidays: ['2027-1-1'], makeUpWorkdays: [] } } }, /years\.2027\.holidays\.0 must be a YYYY-MM-DD date/],
    [
      'an impossible date',
      { years: { '2027': { holidays: ['2027-02-30'], makeUpWorkdays: [] } } },
      /years\.2027: holiday is not a calendar date: "2027-02-30"/,
    ],
    [
      'a date of another year',
      { years: { '2027': { holidays: ['2026-12-31'], makeUpWorkdays: [] } } },
      /years\.2027\.holidays lists 2026-12-31, which is not in 2027/,
    ],
    [
      'a weekday make-up day',
      { years: { '2027': { holidays: [], makeUpWorkdays: ['2027-01-04'] } } },
      /years\.2027: make-up working day 2027-01-04 is not a Saturday or Sunday/,
    ],
    ['a missing list', { years: { '2027': { holidays: [] } } }, /years\.2027\.makeUpWorkdays expected array/],
    ['an unknown field', { years: { '2027': { holidays: [], makeUpWorkdays: [], workdays: [] } } }, /years\.2027 Unrecognized key: "workdays"/],
  ])('refuses %s with one line naming the file and the problem', (_case, content, message) => {
    const setting = calendarFile(content);
    let error: unknown;
    try {
      loadWorkCalendar(setting);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.startsWith(`Configuration error: WORK_CALENDAR_FILE ${setting.file}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('is laid over the package year by year', () => {
    const calendar = buildWorkCalendar(packageYears(), new Map([[2027, { holidays: ['2027-01-01'], makeUpWorkdays: [] }]]));
    expect(calendar.firstUncovered('2004-01-01')).toBe('2028-01-01');
    expect(calendar.covers('2003-12-31')).toBe(false);
  });
});
