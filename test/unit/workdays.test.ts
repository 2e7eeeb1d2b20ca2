import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../shared/dates';
import { createWorkCalendar } from '../../shared/workdays';
import { buildWorkCalendar, packageYears } from '../../server/src/modules/workorders/calendar';

// The arrangements the server runs on: the chinese-days package's.
const calendar = buildWorkCalendar(packageYears());
const plain = createWorkCalendar({ years: [], holidays: [], makeUpWorkdays: [] });
/** An instant written in Shanghai wall-clock time. */
const shanghai = (local: string) => new Date(`${local}+08:00`);

describe('working days: the weekly rule and its exceptions', () => {
  it('works Monday to Friday and rests at weekends', () => {
    // 2025-03-03 is a Monday, with no holiday that week.
    expect(['03', '04', '05', '06', '07', '08', '09'].map((day) => plain.isWorkday(`2025-03-${day}`))).toEqual([true, true, true, true, true, false, false]);
    expect(calendar.isWorkday('2025-03-07')).toBe(true);
    expect(calendar.isWorkday('2025-03-08')).toBe(false);
  });

  it('rests on a holiday that falls on a weekday', () => {
    expect(plain.isWorkday('2025-10-01')).toBe(true); // a Wednesday…
    expect(calendar.isWorkday('2025-10-01')).toBe(false); // …but National Day
    expect(calendar.isWorkday('2025-10-08')).toBe(false); // the last added day of the week
    expect(calendar.isWorkday('2025-01-01')).toBe(false);
  });

  it('works on a make-up Saturday or Sunday', () => {
    expect(calendar.isWorkday('2025-10-11')).toBe(true); // Saturday
    expect(calendar.isWorkday('2025-09-28')).toBe(true); // Sunday
    expect(calendar.isWorkday('2025-10-12')).toBe(false); // the Sunday after is an ordinary rest day
  });

  it('counts 248 working days in 2025', () => {
    // 365 days − 104 weekend days − 18 holidays on weekdays + 5 make-up days.
    expect(calendar.workdaysBetween('2024-12-31', '2025-12-31')).toBe(248);
  });
});

describe('addWorkdays', () => {
  it('counts from the day after: Friday + 1 is Monday', () => {
    expect(calendar.addWorkdays('2025-03-07', 1)).toBe('2025-03-10');
    expect(calendar.addWorkdays('2025-03-07', 5)).toBe('2025-03-14');
    // Accepted at the weekend: Monday is the first working day.
    expect(calendar.addWorkdays('2025-03-08', 1)).toBe('2025-03-10');
  });

  it('jumps the 2025 National Day week and lands on the make-up Saturday', () => {
    expect(calendar.addWorkdays('2025-09-26', 1)).toBe('2025-09-28'); // Friday → make-up Sunday
    expect(calendar.addWorkdays('2025-09-30', 1)).toBe('2025-10-09');
    expect(calendar.addWorkdays('2025-10-10', 1)).toBe('2025-10-11');
    expect(calendar.addWorkdays('2025-10-11', 1)).toBe('2025-10-13');
    expect(calendar.addWorkdays('2025-09-30', 5)).toBe('2025-10-14'); // 9, 10, 11, 13, 14
  });

  it('works the make-up Sunday before Spring Festival 2025 and the Saturday after', () => {
    expect(calendar.addWorkdays('2025-01-24', 1)).toBe('2025-01-26');
    expect(calendar.addWorkdays('2025-01-26', 1)).toBe('2025-01-27');
    expect(calendar.addWorkdays('2025-01-27', 1)).toBe('2025-02-05'); // Jan 28 – Feb 4 off
    expect(calendar.addWorkdays('2025-02-07', 1)).toBe('2025-02-08');
    // 26, 27 Jan; 5, 6, 7, 8, 10 Feb.
    expect(calendar.workdaysBetween('2025-01-24', '2025-02-10')).toBe(7);
  });

  it('returns the day itself for 0 days if it is a working day, else the next working day', () => {
    expect(calendar.addWorkdays('2025-03-07', 0)).toBe('2025-03-07');
    expect(calendar.addWorkdays('2025-03-08', 0)).toBe('2025-03-10');
    expect(calendar.addWorkdays('2025-10-01', 0)).toBe('2025-10-09');
    expect(calendar.addWorkdays('2025-10-11', 0)).toBe('2025-10-11');
  });

  it('refuses negative or fractional counts and malformed dates', () => {
    expect(() => calendar.addWorkdays('2025-03-07', -1)).toThrow(/non-negative whole number/);
    expect(() => calendar.addWorkdays('2025-03-07', 1.5)).toThrow(/non-negative whole number/);
    expect(() => calendar.addWorkdays('2025/03/07', 1)).toThrow(/YYYY-MM-DD/);
    expect(() => calendar.isWorkday('2025-02-29')).toThrow(/not a calendar date/);
  });
});

describe('workdaysBetween', () => {
  it('counts (from, to] and is negative backwards', () => {
    expect(calendar.workdaysBetween('2025-03-07', '2025-03-10')).toBe(1);
    expect(calendar.workdaysBetween('2025-03-10', '2025-03-07')).toBe(-1);
    expect(calendar.workdaysBetween('2025-03-07', '2025-03-07')).toBe(0);
    expect(calendar.workdaysBetween('2025-09-30', '2025-10-08')).toBe(0);
  });

  it('inverts addWorkdays for any 2025 start and up to 60 working days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 364 }), fc.integer({ min: 0, max: 60 }), (offset, n) => {
        const start = addDays('2025-01-01', offset);
        const due = calendar.addWorkdays(start, n);
        if (n > 0) {
          expect(calendar.workdaysBetween(start, due)).toBe(n);
          expect(calendar.isWorkday(due)).toBe(true);
        } else if (calendar.isWorkday(start)) {
          expect(due).toBe(start);
        } else {
          // 0 days from a rest day moves to the next working day, which is then 1 day away.
          expect(calendar.workdaysBetween(start, due)).toBe(1);
          expect(calendar.isWorkday(due)).toBe(true);
        }
        expect(calendar.workdaysBetween(due, start) + calendar.workdaysBetween(start, due)).toBe(0);
      }),
    );
  });
});

describe('deadline', () => {
  it('ends a working-day limit at 23:59:59.999 Shanghai on the due day', () => {
    expect(calendar.deadline(shanghai('2025-09-30T10:00:00'), { workdays: 1 }).toISOString()).toBe('2025-10-09T15:59:59.999Z');
    expect(calendar.deadline(shanghai('2025-10-10T09:00:00'), { workdays: 0 }).toISOString()).toBe('2025-10-10T15:59:59.999Z');
  });

  it('dates the start in Shanghai, not UTC', () => {
    // 16:30 UTC on Friday 10 Oct is 00:30 on the make-up Saturday in Shanghai: due Monday, not Saturday.
    expect(calendar.deadline(new Date('2025-10-10T16:30:00Z'), { workdays: 1 }).toISOString()).toBe('2025-10-13T15:59:59.999Z');
  });

  it('runs an hour limit around the clock, holidays included', () => {
    const start = shanghai('2025-09-30T22:15:00');
    expect(calendar.deadline(start, { hours: 24 }).getTime() - start.getTime()).toBe(24 * 3_600_000);
    expect(calendar.deadline(start, { hours: 24 }).toISOString()).toBe('2025-10-01T14:15:00.000Z');
  });
});

describe('elapsedShare', () => {
  // Accepted on the eve of National Day with 5 working days: due Tuesday 14 Oct.
  const start = shanghai('2025-09-30T10:00:00');
  const limit = { workdays: 5 };
  const due = calendar.deadline(start, limit);
  const share = (now: string) => calendar.elapsedShare(start, due, shanghai(now), limit);

  it('starts at 0 and stands still over holidays and weekends', () => {
    expect(calendar.elapsedShare(start, due, start, limit)).toBe(0);
    expect(share('2025-09-30T18:00:00')).toBe(0); // the day of acceptance does not count
    expect(share('2025-10-05T12:00:00')).toBe(0);
    expect(share('2025-10-09T12:00:00')).toBe(100); // half of the first of five days
    expect(share('2025-10-12T18:00:00')).toBe(600); // Sunday: three days done, clock stopped
  });

  it('reaches the 80 % warning after four of five working days', () => {
    expect(share('2025-10-13T23:59:00')).toBeLessThan(800);
    expect(share('2025-10-14T00:00:00')).toBe(800);
  });

  it('reaches 1000 at the deadline and goes past it when late', () => {
    expect(calendar.elapsedShare(start, due, due, limit)).toBe(1000);
    expect(share('2025-10-15T12:00:00')).toBe(1100);
  });

  it('measures an hour limit on the wall clock', () => {
    const repair = shanghai('2025-10-01T08:00:00');
    const hours = { hours: 24 };
    const end = calendar.deadline(repair, hours);
    const at = (h: number) => calendar.elapsedShare(repair, end, new Date(repair.getTime() + h * 3_600_000), hours);
    expect(at(0)).toBe(0);
    expect(at(19.2)).toBe(800);
    expect(at(24)).toBe(1000);
    expect(at(36)).toBe(1500);
  });

  it('measures a same-day working-day limit on the wall clock', () => {
    const noon = shanghai('2025-10-09T12:00:00');
    const zero = { workdays: 0 };
    const end = calendar.deadline(noon, zero);
    expect(calendar.elapsedShare(noon, end, shanghai('2025-10-09T18:00:00'), zero)).toBe(500);
  });

  it('refuses a deadline before the start', () => {
    expect(() => calendar.elapsedShare(start, new Date(start.getTime() - 1), start, { hours: 1 })).toThrow(/before the start/);
  });
});

describe('calendar configuration', () => {
  const config = (holidays: string[], makeUpWorkdays: string[]) => createWorkCalendar({ years: [2025], holidays, makeUpWorkdays });

  it('rejects malformed dates', () => {
    expect(() => config(['2025-1-1'], [])).toThrow(/holiday is not a YYYY-MM-DD date: "2025-1-1"/);
    expect(() => config(['2025-02-30'], [])).toThrow(/not a calendar date/);
    expect(() => config([], ['2025-13-01'])).toThrow(/make-up working day is not a calendar date/);
  });

  it('rejects a date that is both a holiday and a make-up day', () => {
    expect(() => config(['2025-10-11'], ['2025-10-11'])).toThrow(/both as a holiday and as a make-up/);
  });

  it('rejects a make-up day that is not a weekend (a typo that would lose a working day)', () => {
    expect(() => config([], ['2025-09-29'])).toThrow(/not a Saturday or Sunday/);
  });

  it('rejects a date outside the years it declares covered', () => {
    expect(() => config(['2026-01-01'], [])).toThrow('holiday 2026-01-01 is outside the covered years');
  });

  it('knows which dates it covers, and answers by the weekend rule outside them', () => {
    const only2025 = config(['2025-10-01'], []);
    expect(only2025.covers('2025-12-31')).toBe(true);
    expect(only2025.covers('2026-01-01')).toBe(false);
    expect(only2025.firstUncovered('2025-06-01')).toBe('2026-01-01');
    expect(only2025.firstUncovered('2024-06-01')).toBe('2024-06-01');
    // 2026-10-01 is a Thursday: a working day by the weekend rule, whatever the real arrangement.
    expect(only2025.isWorkday('2026-10-01')).toBe(true);
    const twoYears = createWorkCalendar({ years: [2025, 2026, 2028], holidays: [], makeUpWorkdays: [] });
    expect(twoYears.firstUncovered('2025-03-01')).toBe('2027-01-01');
  });
});
