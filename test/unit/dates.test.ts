import { describe, expect, it } from 'vitest';
import {
  parseRfc3339,
  parseShanghaiDateTime,
  shanghaiCompact,
  shanghaiDate,
  shanghaiDateTime,
  shanghaiMonthDayTime,
  shanghaiRfc3339,
} from '../../shared/dates';

// 2026-11-28 12:47:28 UTC is 20:47:28 in Beijing; 2026-12-31 16:30 UTC is already 2027-01-01 there.
const evening = new Date(Date.UTC(2026, 10, 28, 12, 47, 28, 900));
const newYear = new Date(Date.UTC(2026, 11, 31, 16, 30, 5));

describe('Beijing wall-clock forms', () => {
  it('writes each form in Beijing time whatever the machine zone', () => {
    expect(shanghaiRfc3339(evening)).toBe('2026-11-28T20:47:28+08:00');
    expect(shanghaiDateTime(evening)).toBe('2026-11-28 20:47:28');
    expect(shanghaiCompact(evening)).toBe('20261128204728');
    expect(shanghaiMonthDayTime(evening)).toBe('11月28日 20:47');
  });

  it('crosses the date line eight hours before UTC does', () => {
    expect(shanghaiDate(newYear)).toBe('2027-01-01');
    expect(shanghaiDateTime(newYear)).toBe('2027-01-01 00:30:05');
    expect(shanghaiMonthDayTime(newYear)).toBe('1月1日 00:30');
  });

  it('parses what it writes back to the same second, for instants across years', () => {
    for (let step = 0; step < 500; step++) {
      const at = new Date(Date.UTC(2024, 0, 1) + step * 7_919_000_123);
      const second = new Date(Math.floor(at.getTime() / 1000) * 1000);
      expect(parseShanghaiDateTime(shanghaiDateTime(at))?.getTime()).toBe(second.getTime());
      expect(parseRfc3339(shanghaiRfc3339(at))?.getTime()).toBe(second.getTime());
    }
  });

  it('refuses malformed or impossible times', () => {
    for (const text of ['2026-02-30 10:00:00', '2026-11-28T20:47:28', '2026-11-28 24:00:00', '2026-11-28 20:47', '']) {
      expect(parseShanghaiDateTime(text)).toBeUndefined();
    }
    expect(parseRfc3339('2026-11-28 20:47:28')).toBeUndefined();
    expect(parseRfc3339('2026-11-28T20:47:28')).toBeUndefined();
  });
});
