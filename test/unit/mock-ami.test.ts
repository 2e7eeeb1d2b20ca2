import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, describe, expect, it } from 'vitest';
import { amiPeer, DEMO_METERS, defaultAmiScenario, type AmiPeerOptions, type AnomalySpec, type Reading } from '../../mock/src/peers/ami';
import { MOCK_DEFAULTS, startMockServer } from '../../mock/src/server';

const KEY = 'test-ami-api-key';
// L, the last complete month, is 2026-10; its month-end boundary is 2026-11-01 00:00 +08:00.
const NOW = new Date('2026-11-28T10:00:00+08:00');
const auth = { Authorization: `Bearer ${KEY}` };

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

/** A bare Koa app hosting only the AMI peer, so now() and the scenario can be fixed. */
async function startAmi(options: Partial<AmiPeerOptions> = {}): Promise<string> {
  const app = new Koa();
  const router = amiPeer({ apiKey: KEY, now: () => NOW, ...options });
  app.use(router.routes()).use(router.allowedMethods());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ami`;
}

async function call(base: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'Content-Type': 'application/json', ...(init.headers ?? auth) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface Page {
  readings: Reading[];
  nextCursor: string | null;
}

/** Every reading of a query, following cursors; also the number of pages it took. */
async function readAll(base: string, params: Record<string, string>): Promise<{ readings: Reading[]; pages: number }> {
  const readings: Reading[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const { status, body } = await call(base, `/v1/readings?${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    const page = body as unknown as Page;
    readings.push(...page.readings);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  return { readings, pages };
}

async function readingAt(base: string, meterNo: string, date: string): Promise<Reading | undefined> {
  const { readings } = await readAll(base, { interval: 'daily', from: date, to: date, meterNo });
  return readings[0];
}

/** '12345.67' → 1234567, exactly. */
const hundredths = (value: string) => Number(value.replace('.', ''));
const periodSum = (reading: Reading) =>
  [reading.sharp, reading.peak, reading.flat, reading.valley].reduce((sum, value) => sum + (value ? hundredths(value) : 0), 0);

describe('mock AMI peer', () => {
  it('refuses requests without the API key, except the test knobs', async () => {
    const base = await startAmi();
    const refused: Array<Record<string, string>> = [{}, { Authorization: 'Bearer wrong' }, { Authorization: KEY }];
    for (const headers of refused) {
      expect(await call(base, '/v1/readings?interval=daily&from=2026-10-01&to=2026-10-01', { headers })).toEqual({
        status: 401,
        body: { code: 'BAD_API_KEY' },
      });
      expect((await call(base, '/v1/reread', { headers, body: { meterNo: 'M3301000001', readAt: '2026-10-01T00:00:00+08:00' } })).status).toBe(401);
    }
    expect((await call(base, '/_scenario', { headers: {} })).status).toBe(200);
    expect((await call(base, '/_faults', { headers: {}, body: { failNext: 0 } })).status).toBe(200);
  });

  it('is hosted by the mock server under /ami with the default key', async () => {
    const mocks = await startMockServer({ port: 0, backofficeSecret: 'x'.repeat(16) });
    closers.push(() => mocks.close());
    const peers = (await (await fetch(mocks.url)).json()) as { peers: string[] };
    expect(peers.peers).toContain('/ami');
    const response = await fetch(`${mocks.url}/ami/v1/readings?interval=monthly&from=2024-01-01&to=2024-03-01`, {
      headers: { Authorization: `Bearer ${MOCK_DEFAULTS.amiApiKey}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    expect(page.readings).toHaveLength(3 * DEMO_METERS.length);
  });

  it('sends the documented reading shape, raw and with two decimals', async () => {
    const base = await startAmi({ anomalies: [] });
    const { readings } = await readAll(base, { interval: 'daily', from: '2024-01-01', to: '2024-01-01' });
    expect(readings.map((reading) => reading.meterNo)).toEqual(DEMO_METERS.map((meter) => meter.meterNo));
    const [single, peakValley, four] = [readings[1]!, readings[0]!, readings[4]!];
    expect(peakValley).toEqual({
      meterNo: 'M3301000001',
      readAt: '2024-01-01T00:00:00+08:00',
      total: '8000.00',
      peak: '4800.00',
      valley: '3200.00',
      reverse: '0.00',
      quality: 'actual',
    });
    expect(Object.keys(peakValley)).toEqual(['meterNo', 'readAt', 'total', 'peak', 'valley', 'reverse', 'quality']);
    expect(Object.keys(single)).toEqual(['meterNo', 'readAt', 'total', 'reverse', 'quality']);
    // The factory's meter also has a reactive and a maximum-demand register.
    expect(Object.keys(four)).toEqual(['meterNo', 'readAt', 'total', 'sharp', 'peak', 'flat', 'valley', 'reverse', 'reactive', 'maxDemand', 'quality']);
    for (const reading of readings) {
      for (const value of [reading.total, reading.sharp, reading.peak, reading.flat, reading.valley, reading.reverse]) {
        if (value !== undefined) expect(value).toMatch(/^\d+\.\d{2}$/);
      }
    }
  });

  it('is deterministic and follows the usage profile', async () => {
    const [one, two] = [await startAmi({ anomalies: [] }), await startAmi({ anomalies: [] })];
    const params = { interval: 'monthly', from: '2024-01-01', to: '2026-11-28' };
    const [a, b] = [await readAll(one, params), await readAll(two, params)];
    expect(a.readings).toEqual(b.readings);
    const monthly = (meterNo: string, from: string, to: string) => {
      const at = (date: string) => a.readings.find((reading) => reading.meterNo === meterNo && reading.readAt.startsWith(date))!;
      return (hundredths(at(to).total) - hundredths(at(from).total)) / 100;
    };
    // Meter 4 (~40 kWh/day) in April (×1 season): 30 days × 40 × noise in [0.8, 1.2].
    expect(monthly('M3301000004', '2025-04-01', '2025-05-01')).toBeGreaterThan(30 * 40 * 0.8);
    expect(monthly('M3301000004', '2025-04-01', '2025-05-01')).toBeLessThan(30 * 40 * 1.2);
    // Meter 6 irrigates in summer: July is about double March.
    expect(monthly('M3301000006', '2025-07-01', '2025-08-01') / monthly('M3301000006', '2025-03-01', '2025-04-01')).toBeGreaterThan(1.4);
  });

  it('keeps time-of-use registers summing to the total on clean data', async () => {
    const base = await startAmi({ anomalies: [] });
    for (const meterNo of ['M3301000001', 'M3301000005']) {
      const { readings } = await readAll(base, { interval: 'daily', from: '2024-01-01', to: '2026-11-28', meterNo, limit: '1000' });
      expect(readings.length).toBe(1063);
      for (const reading of readings) expect(periodSum(reading), reading.readAt).toBe(hundredths(reading.total));
    }
  });

  it('paginates in (readAt, meterNo) order, every reading exactly once', async () => {
    const base = await startAmi();
    const params = { interval: 'daily', from: '2026-09-20', to: '2026-10-10' };
    const whole = await readAll(base, { ...params, limit: '1000' });
    expect(whole.pages).toBe(1);
    expect(whole.readings).toHaveLength(21 * DEMO_METERS.length);
    const paged = await readAll(base, { ...params, limit: '7' });
    expect(paged.pages).toBe(Math.ceil(whole.readings.length / 7));
    expect(paged.readings).toEqual(whole.readings);
    const keys = paged.readings.map((reading) => `${reading.readAt}|${reading.meterNo}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
    // An exact multiple of the limit ends with a null cursor, not an empty extra page.
    const exact = await readAll(base, { ...params, limit: String(DEMO_METERS.length) });
    expect(exact.pages).toBe(21);
    // A cursor only continues the query it came from.
    const first = (await call(base, `/v1/readings?${new URLSearchParams({ ...params, limit: '7' })}`)).body as unknown as Page;
    const other = await call(base, `/v1/readings?${new URLSearchParams({ ...params, to: '2026-10-11', cursor: first.nextCursor! })}`);
    expect(other.status).toBe(400);
  });

  it('agrees between the daily and the monthly feed at every month boundary, glitches included', async () => {
    const base = await startAmi();
    const params = { from: '2024-01-01', to: '2026-11-28', limit: '1000' };
    const daily = (await readAll(base, { ...params, interval: 'daily' })).readings;
    const monthly = (await readAll(base, { ...params, interval: 'monthly' })).readings;
    expect(monthly.every((reading) => reading.readAt.slice(8, 10) === '01')).toBe(true);
    expect(monthly).toEqual(daily.filter((reading) => reading.readAt.slice(8, 10) === '01'));
    expect(monthly).toHaveLength(35 * DEMO_METERS.length);
  });

  it('serves nothing later than now', async () => {
    const base = await startAmi();
    const { readings } = await readAll(base, { interval: 'daily', from: '2026-11-20', to: '2027-01-31' });
    expect(readings.at(-1)!.readAt).toBe('2026-11-28T00:00:00+08:00');
    expect((await readAll(base, { interval: 'monthly', from: '2026-12-01', to: '2027-06-01' })).readings).toEqual([]);
    // A reading taken exactly now is served.
    const atMidnight = await startAmi({ now: () => new Date('2026-11-28T00:00:00+08:00') });
    expect((await readingAt(atMidnight, 'M3301000001', '2026-11-28'))?.readAt).toBe('2026-11-28T00:00:00+08:00');
    const justBefore = await startAmi({ now: () => new Date('2026-11-27T23:59:59.999+08:00') });
    expect(await readingAt(justBefore, 'M3301000001', '2026-11-28')).toBeUndefined();
  });

  it('refuses bad feed parameters', async () => {
    const base = await startAmi();
    for (const query of [
      'from=2026-10-01&to=2026-10-02',
      'interval=hourly&from=2026-10-01&to=2026-10-02',
      'interval=daily&from=2026-10-01',
      'interval=daily&from=2026-02-30&to=2026-03-02',
      'interval=daily&from=2026-10-05&to=2026-10-02',
      'interval=daily&from=2026-10-01&to=2026-10-02&limit=0',
      'interval=daily&from=2026-10-01&to=2026-10-02&limit=1001',
      'interval=daily&from=2026-10-01&to=2026-10-02&cursor=garbage',
    ]) {
      const { status, body } = await call(base, `/v1/readings?${query}`);
      expect(status, query).toBe(400);
      expect(body.code).toBe('BAD_REQUEST');
      expect(typeof body.message).toBe('string');
    }
    expect((await call(base, '/v1/readings?interval=daily&from=2026-10-01&to=2026-10-02&meterNo=M999')).body).toEqual({ code: 'UNKNOWN_METER' });
  });

  describe('anomalies', () => {
    const month = '2026-09';
    const anomalies: AnomalySpec[] = [
      { meterNo: 'M3301000001', month, kind: 'below_previous' },
      { meterNo: 'M3301000006', month: '2026-07', kind: 'reverse' },
      { meterNo: 'M3301000002', month, kind: 'estimated' },
      { meterNo: 'M3301000003', month, kind: 'missing' },
      { meterNo: 'M3301000004', month, kind: 'spike' },
      { meterNo: 'M3301000005', month, kind: 'tou_mismatch' },
      { meterNo: 'M3301000006', month, kind: 'zero' },
    ];
    const bases = Promise.all([startAmi({ anomalies }), startAmi({ anomalies: [] })]);
    const both = async (meterNo: string, date: string) => {
      const [abnormal, clean] = await bases;
      return { abnormal: (await readingAt(abnormal, meterNo, date))!, clean: (await readingAt(clean, meterNo, date))! };
    };

    it('spike: the month uses 3.5 times as much, and later readings carry it', async () => {
      const start = await both('M3301000004', '2026-09-01');
      const end = await both('M3301000004', '2026-10-01');
      const later = await both('M3301000004', '2026-11-15');
      expect(start.abnormal).toEqual(start.clean);
      const used = (side: 'abnormal' | 'clean') => hundredths(end[side].total) - hundredths(start[side].total);
      expect(used('abnormal') / used('clean')).toBeCloseTo(3.5, 2);
      const extra = hundredths(end.abnormal.total) - hundredths(end.clean.total);
      expect(hundredths(later.abnormal.total) - hundredths(later.clean.total)).toBe(extra);
    });

    it('zero: the register stands still all month', async () => {
      const start = await both('M3301000006', '2026-09-01');
      for (const date of ['2026-09-15', '2026-10-01']) expect((await both('M3301000006', date)).abnormal.total).toBe(start.abnormal.total);
      expect(hundredths((await both('M3301000006', '2026-10-02')).abnormal.total)).toBeGreaterThan(hundredths(start.abnormal.total));
    });

    it('reverse: the reverse register gains 30.00 over the month and keeps it', async () => {
      expect((await both('M3301000006', '2026-07-01')).abnormal.reverse).toBe('0.00');
      expect(hundredths((await both('M3301000006', '2026-07-16')).abnormal.reverse)).toBeGreaterThan(0);
      expect((await both('M3301000006', '2026-08-01')).abnormal.reverse).toBe('30.00');
      const after = await both('M3301000006', '2026-08-15');
      expect(after.abnormal).toEqual({ ...after.clean, reverse: '30.00' });
      expect((await both('M3301000006', '2026-11-01')).abnormal.reverse).toBe('30.00');
    });

    it('below_previous: the month-end reading is 123.45 below the month start, registers scaled consistently', async () => {
      const start = await both('M3301000001', '2026-09-01');
      const end = await both('M3301000001', '2026-10-01');
      expect(hundredths(end.abnormal.total)).toBe(hundredths(start.abnormal.total) - 12345);
      expect(periodSum(end.abnormal)).toBe(hundredths(end.abnormal.total));
      expect(hundredths(end.abnormal.peak!)).toBeLessThan(hundredths(end.clean.peak!));
      expect(hundredths(end.abnormal.valley!)).toBeLessThan(hundredths(end.clean.valley!));
      expect(end.abnormal.quality).toBe('actual');
      // Only that instant: the day after is the truth again.
      const next = await both('M3301000001', '2026-10-02');
      expect(next.abnormal).toEqual(next.clean);
    });

    it('tou_mismatch: the month-end peak register is 50.00 high, the total is not', async () => {
      const end = await both('M3301000005', '2026-10-01');
      expect(hundredths(end.abnormal.peak!)).toBe(hundredths(end.clean.peak!) + 5000);
      expect(end.abnormal.total).toBe(end.clean.total);
      expect(periodSum(end.abnormal)).toBe(hundredths(end.abnormal.total) + 5000);
      expect((await both('M3301000005', '2026-09-30')).abnormal).toEqual((await both('M3301000005', '2026-09-30')).clean);
    });

    it('estimated: the month-end reading is flagged, its values true', async () => {
      const end = await both('M3301000002', '2026-10-01');
      expect(end.abnormal).toEqual({ ...end.clean, quality: 'estimated' });
    });

    it('missing: the month-end reading is absent from both feeds', async () => {
      const [abnormal] = await bases;
      expect(await readingAt(abnormal, 'M3301000003', '2026-10-01')).toBeUndefined();
      const monthly = await readAll(abnormal, { interval: 'monthly', from: '2026-09-01', to: '2026-11-01', meterNo: 'M3301000003' });
      expect(monthly.readings.map((reading) => reading.readAt)).toEqual(['2026-09-01T00:00:00+08:00', '2026-11-01T00:00:00+08:00']);
      expect(await readingAt(abnormal, 'M3301000003', '2026-09-30')).toBeDefined();
      expect(await readingAt(abnormal, 'M3301000003', '2026-10-02')).toBeDefined();
    });

    it('a re-read returns the truth and clears every glitch at that instant', async () => {
      const [abnormal] = await bases;
      for (const meterNo of ['M3301000001', 'M3301000002', 'M3301000003', 'M3301000005']) {
        const { clean } = await both(meterNo, '2026-10-01');
        const reread = await call(abnormal, '/v1/reread', { body: { meterNo, readAt: '2026-10-01T00:00:00+08:00' } });
        expect(reread).toEqual({ status: 200, body: { reading: clean } });
        expect(await readingAt(abnormal, meterNo, '2026-10-01')).toEqual(clean);
        const monthly = await readAll(abnormal, { interval: 'monthly', from: '2026-10-01', to: '2026-10-01', meterNo });
        expect(monthly.readings).toEqual([clean]);
      }
    });
  });

  it('starts with the default scenario: glitches and anomalies in the last complete month', async () => {
    expect(defaultAmiScenario(NOW)).toEqual([
      { meterNo: 'M3301000003', month: '2026-10', kind: 'below_previous' },
      { meterNo: 'M3301000004', month: '2026-10', kind: 'spike' },
      { meterNo: 'M3301000005', month: '2026-10', kind: 'tou_mismatch' },
      { meterNo: 'M3301000006', month: '2026-10', kind: 'zero' },
    ]);
    // Months are counted in Shanghai: 2027-01-01 00:30 there is still 2026-12-31 in UTC.
    expect(defaultAmiScenario(new Date('2027-01-01T00:30:00+08:00'))[0]!.month).toBe('2026-12');
    const base = await startAmi();
    expect((await call(base, '/_scenario', { headers: {} })).body).toEqual({ anomalies: defaultAmiScenario(NOW) });
    const start = (await readingAt(base, 'M3301000003', '2026-10-01'))!;
    const end = (await readingAt(base, 'M3301000003', '2026-11-01'))!;
    expect(hundredths(end.total)).toBe(hundredths(start.total) - 12345);
    for (const meterNo of ['M3301000001', 'M3301000002']) {
      const clean = await startAmi({ anomalies: [] });
      expect(await readingAt(base, meterNo, '2026-11-01')).toEqual(await readingAt(clean, meterNo, '2026-11-01'));
    }
  });

  it('re-reads only known meters at a past 00:00 +08:00', async () => {
    const base = await startAmi();
    const reread = (meterNo: string, readAt: string) => call(base, '/v1/reread', { body: { meterNo, readAt } });
    expect(await reread('M999', '2026-10-01T00:00:00+08:00')).toEqual({ status: 404, body: { code: 'UNKNOWN_METER' } });
    for (const readAt of [
      '2026-10-01T01:00:00+08:00',
      '2026-10-01T00:00:00Z',
      '2026-10-01',
      'yesterday',
      '2026-11-29T00:00:00+08:00',
      '2023-12-31T00:00:00+08:00',
    ]) {
      const { status, body } = await reread('M3301000001', readAt);
      expect(status, readAt).toBe(400);
      expect(body.code).toBe('BAD_REQUEST');
    }
    // The same instant written in UTC is accepted and answered in +08:00.
    const utc = await reread('M3301000001', '2026-09-30T16:00:00Z');
    expect((utc.body.reading as Reading).readAt).toBe('2026-10-01T00:00:00+08:00');
  });

  it('replacing the scenario clears re-reads', async () => {
    const base = await startAmi({ anomalies: [{ meterNo: 'M3301000002', month: '2026-09', kind: 'estimated' }] });
    await call(base, '/v1/reread', { body: { meterNo: 'M3301000002', readAt: '2026-10-01T00:00:00+08:00' } });
    expect((await readingAt(base, 'M3301000002', '2026-10-01'))!.quality).toBe('actual');
    const replaced = await call(base, '/_scenario', { headers: {}, body: { anomalies: [{ meterNo: 'M3301000002', month: '2026-09', kind: 'estimated' }] } });
    expect(replaced.status).toBe(200);
    expect((await readingAt(base, 'M3301000002', '2026-10-01'))!.quality).toBe('estimated');
    for (const anomalies of [
      undefined,
      [{ meterNo: 'M999', month: '2026-09', kind: 'spike' }],
      [{ meterNo: 'M3301000002', month: '2026-13', kind: 'spike' }],
      [{ meterNo: 'M3301000002', month: '2026-09', kind: 'odd' }],
    ]) {
      expect((await call(base, '/_scenario', { headers: {}, body: { anomalies } })).status).toBe(400);
    }
  });

  it('fails the next N authenticated requests when told to', async () => {
    const base = await startAmi();
    const feed = '/v1/readings?interval=daily&from=2026-10-01&to=2026-10-01';
    expect((await call(base, '/_faults', { headers: {}, body: { failNext: 2 } })).body).toEqual({ failNext: 2 });
    // A request without the key is refused before it can use up a fault.
    expect((await call(base, feed, { headers: {} })).status).toBe(401);
    expect(await call(base, feed)).toEqual({ status: 503, body: { code: 'UNAVAILABLE' } });
    expect((await call(base, '/v1/reread', { body: { meterNo: 'M3301000001', readAt: '2026-10-01T00:00:00+08:00' } })).status).toBe(503);
    expect((await call(base, feed)).status).toBe(200);
  });
});
