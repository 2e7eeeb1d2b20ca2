import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, startTestApp, type TestApp } from '../support/harness';

const DAY_MS = 86_400_000;
/** The gauge's value in a Prometheus text exposition. */
const gauge = (text: string, name: string) =>
  Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${name} `))
      ?.slice(name.length + 1),
  );

describe('the working-day calendar in health and metrics', () => {
  // 1 September 2026, 10:00 in Shanghai: the package's 2026 reaches past the 90-day horizon.
  const clock = manualClock(new Date('2026-09-01T02:00:00Z'));
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    app = await startTestApp({ clock });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'calendar-file-'));
  });
  afterAll(async () => {
    await app.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports the calendar as ok while the next 90 days are known', async () => {
    const health = await app.request('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.calendar).toEqual({
      status: 'ok',
      coveredThrough: '2026-12-31',
      firstUncoveredDate: '2027-01-01',
      horizonDays: 90,
      detail: 'holidays known through 2026-12-31',
    });
    const metrics = await app.request('GET', '/metrics');
    expect(gauge(metrics.text, 'work_calendar_covered')).toBe(1);
    expect(gauge(metrics.text, 'work_calendar_covered_days_ahead')).toBe(122);
  });

  it('reports the degraded check, still serving with 200, once the horizon reaches 2027', async () => {
    clock.advance(96 * DAY_MS); // 6 December 2026
    const health = await app.request('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.database.status).toBe('up');
    expect(health.body.calendar).toEqual({
      status: 'degraded',
      coveredThrough: '2026-12-31',
      firstUncoveredDate: '2027-01-01',
      horizonDays: 90,
      detail: 'not covered through 2027-03-05: holidays from 2027-01-01 on are unknown; add that year to the holiday file (WORK_CALENDAR_FILE)',
    });
    const metrics = await app.request('GET', '/metrics');
    expect(metrics.text).toContain('# TYPE work_calendar_covered gauge');
    expect(gauge(metrics.text, 'work_calendar_covered')).toBe(0);
    expect(gauge(metrics.text, 'work_calendar_covered_days_ahead')).toBe(26);
  });

  it('is covered again with the next year in the operator file', async () => {
    const file = path.join(dir, 'holidays.json');
    // New Year's Day only (fixed by law): the file's effect is under test, not a real 2027 arrangement.
    await fs.writeFile(file, JSON.stringify({ years: { '2027': { holidays: ['2027-01-01'], makeUpWorkdays: [] } } }));
    const extended = await startTestApp({ clock: manualClock(clock.now()), mocks: app.mocks, env: { WORK_CALENDAR_FILE: file } });
    try {
      const health = await extended.request('GET', '/healthz');
      expect(health.body.calendar).toMatchObject({ status: 'ok', coveredThrough: '2027-12-31' });
      expect(gauge((await extended.request('GET', '/metrics')).text, 'work_calendar_covered')).toBe(1);
    } finally {
      await extended.stop();
    }
  });

  it('refuses to start on a malformed operator file, naming it', async () => {
    const file = path.join(dir, 'broken.json');
    await fs.writeFile(file, JSON.stringify({ years: { '2027': { holidays: ['2027-01-01'], makeUpWorkdays: ['2027-01-05'] } } }));
    await expect(startTestApp({ clock: manualClock(clock.now()), mocks: app.mocks, env: { WORK_CALENDAR_FILE: file } })).rejects.toThrow(
      `Configuration error: WORK_CALENDAR_FILE ${file}: years.2027: make-up working day 2027-01-05 is not a Saturday or Sunday`,
    );
  });
});
