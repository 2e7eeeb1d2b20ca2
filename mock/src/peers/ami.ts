import Router, { type RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';
import { DEMO_METERS, type MeterProfile } from '../ami-profiles';
import { json, readRaw } from '../http';
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type AnomalySpec,
  BELOW_PREVIOUS_BY,
  DAY_MS,
  DEFAULT_LIMIT,
  EPOCH_MONTH,
  MAX_LIMIT,
  REAL_KINDS,
  type Reading,
  type Registers,
  SHANGHAI_OFFSET_MS,
  TOU_MISMATCH_BY,
  dateOf,
  dayOfDate,
  firstOfMonth,
  instantOf,
  lastDayBy,
  meterSeries,
  pad2,
  scaledTo,
  toReading,
} from '../ami-series';

export { DEMO_METERS } from '../ami-profiles';
export type { MeterProfile, RegisterLayout, TouPeriod } from '../ami-profiles';

export { ANOMALY_KINDS } from '../ami-series';
export type { AnomalyKind, AnomalySpec, Reading } from '../ami-series';

export interface AmiPeerOptions {
  apiKey: string;
  now?: () => Date;
  meters?: MeterProfile[];
  /** The starting scenario; without it, the default one relative to now() (see defaultAmiScenario). */
  anomalies?: AnomalySpec[];
}

/**
 * The default scenario: in L, the last complete month in Asia/Shanghai at `now`, meter 3's month-end
 * reading is below its month-start one, meter 4 spikes, meter 5's peak register disagrees with its
 * total, and meter 6 records nothing. Meters 1 and 2 stay clean. Only meters in `meters` are named.
 */
export function defaultAmiScenario(now: Date, meters: readonly MeterProfile[] = DEMO_METERS): AnomalySpec[] {
  const shanghai = new Date(now.getTime() + SHANGHAI_OFFSET_MS);
  const last = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - 1, 1));
  const month = `${last.getUTCFullYear()}-${pad2(last.getUTCMonth() + 1)}`;
  if (month < EPOCH_MONTH) return [];
  const known = new Set(meters.map((meter) => meter.meterNo));
  const scenario: AnomalySpec[] = [
    { meterNo: 'M3301000003', month, kind: 'below_previous' },
    { meterNo: 'M3301000004', month, kind: 'spike' },
    { meterNo: 'M3301000005', month, kind: 'tou_mismatch' },
    { meterNo: 'M3301000006', month, kind: 'zero' },
  ];
  return scenario.filter((anomaly) => known.has(anomaly.meterNo));
}

class BadRequest extends Error {}

function parseScenario(value: unknown, meters: ReadonlyMap<string, MeterProfile>): AnomalySpec[] {
  if (!Array.isArray(value)) throw new BadRequest('anomalies must be an array');
  return value.map((item: unknown, index) => {
    const anomaly = (item ?? {}) as Partial<Record<keyof AnomalySpec, unknown>>;
    const where = `anomalies[${index}]`;
    if (typeof anomaly.meterNo !== 'string' || !meters.has(anomaly.meterNo)) throw new BadRequest(`${where}.meterNo is not a known meter`);
    // A month before the epoch has no readings, so an anomaly in it could never be seen.
    if (typeof anomaly.month !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(anomaly.month) || anomaly.month < EPOCH_MONTH) {
      throw new BadRequest(`${where}.month must be YYYY-MM, ${EPOCH_MONTH} or later`);
    }
    if (!ANOMALY_KINDS.includes(anomaly.kind as AnomalyKind)) throw new BadRequest(`${where}.kind must be one of ${ANOMALY_KINDS.join(', ')}`);
    return { meterNo: anomaly.meterNo, month: anomaly.month, kind: anomaly.kind as AnomalyKind };
  });
}

async function readJson(ctx: Context): Promise<unknown> {
  try {
    return JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as unknown;
  } catch {
    throw new BadRequest('body is not JSON');
  }
}

/**
 * The metering system (AMI / MDMS) as a peer: register readings for the demo meters at 00:00 +08:00
 * of each day, computed deterministically, so billing can be tested against known numbers.
 *
 * A scenario of anomalies makes some of them abnormal. `spike` (usage ×3.5), `zero` (no usage) and
 * `reverse` (reverse register +30.00 over the month) are real: every later reading carries them.
 * `below_previous`, `tou_mismatch`, `estimated` and `missing` are glitches of the one reading at the
 * month's end (00:00 on the 1st of the next month), the same in the daily and the monthly feed, until
 * that instant is re-read. It also can be told to fail the next N authenticated requests.
 */
export function amiPeer(options: AmiPeerOptions): Router {
  const router = new Router({ prefix: '/ami' });
  const now = options.now ?? (() => new Date());
  const meters = [...(options.meters ?? DEMO_METERS)].sort((a, b) => (a.meterNo < b.meterNo ? -1 : 1));
  const byNo = new Map(meters.map((meter) => [meter.meterNo, meter]));
  let custom = options.anomalies ? parseScenario(options.anomalies, byNo) : undefined;
  /** Instants re-read since the scenario was set, as `meterNo|day`: they are served true from then on. */
  const reread = new Set<string>();
  const seriesCache = new Map<string, { key: string; at: (day: number) => Registers }>();
  let failNext = 0;

  // The default scenario moves with now(), so the scenario is worked out on every request.
  const scenario = () => custom ?? defaultAmiScenario(now(), meters);

  /** The true registers of a meter at a day boundary under the scenario's real anomalies. */
  function truth(meter: MeterProfile, anomalies: AnomalySpec[], day: number): Registers {
    const real = anomalies
      .filter((anomaly) => anomaly.meterNo === meter.meterNo && REAL_KINDS.has(anomaly.kind))
      .map((anomaly) => `${anomaly.month}:${anomaly.kind}`)
      .sort();
    const key = real.join(',');
    let cached = seriesCache.get(meter.meterNo);
    if (cached?.key !== key) {
      const kinds = new Map<string, Set<AnomalyKind>>();
      for (const entry of real) {
        const [month, kind] = entry.split(':') as [string, AnomalyKind];
        kinds.set(month, (kinds.get(month) ?? new Set()).add(kind));
      }
      cached = { key, at: meterSeries(meter, kinds) };
      seriesCache.set(meter.meterNo, cached);
    }
    return cached.at(day);
  }

  /** The reading the feed serves for a meter at a day boundary: the truth, or its glitch; null if missing. */
  function served(meter: MeterProfile, anomalies: AnomalySpec[], day: number): Reading | null {
    const registers = truth(meter, anomalies, day);
    if (reread.has(`${meter.meterNo}|${day}`)) return toReading(meter, day, registers, 'actual');
    const glitches = new Set(
      anomalies
        .filter((anomaly) => anomaly.meterNo === meter.meterNo && !REAL_KINDS.has(anomaly.kind) && firstOfMonth(anomaly.month, 1) === day)
        .map((anomaly) => anomaly.kind),
    );
    if (glitches.has('missing')) return null;
    let shown = registers;
    if (glitches.has('below_previous')) {
      const monthStart = truth(meter, anomalies, firstOfMonth(dateOf(day - 1).slice(0, 7)));
      shown = scaledTo(meter, registers, monthStart.total - BELOW_PREVIOUS_BY);
    }
    if (glitches.has('tou_mismatch') && meter.registers !== 'single') shown = { ...shown, peak: shown.peak + TOU_MISMATCH_BY };
    return toReading(meter, day, shown, glitches.has('estimated') ? 'estimated' : 'actual');
  }

  const authenticated: RouterMiddleware = async (ctx, next) => {
    if (ctx.get('Authorization') !== `Bearer ${options.apiKey}`) return json(ctx, 401, { code: 'BAD_API_KEY' });
    if (failNext > 0) {
      failNext -= 1;
      return json(ctx, 503, { code: 'UNAVAILABLE' });
    }
    try {
      await next();
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      json(ctx, 400, { code: 'BAD_REQUEST', message: error.message });
    }
  };

  router.get('/v1/meters', authenticated, (ctx) => {
    json(ctx, 200, {
      meters: meters.map(({ meterNo, accountNo, multiplier, registers }) => ({ meterNo, accountNo, multiplier, registers })),
    });
  });

  router.get('/v1/readings', authenticated, (ctx) => {
    const param = (name: string) => {
      const value = ctx.query[name];
      if (Array.isArray(value)) throw new BadRequest(`${name} is given more than once`);
      return value;
    };
    const interval = param('interval');
    if (interval !== 'daily' && interval !== 'monthly') throw new BadRequest('interval must be daily or monthly');
    const [from, to] = [param('from'), param('to')];
    const fromDay = from === undefined ? undefined : dayOfDate(from);
    const toDay = to === undefined ? undefined : dayOfDate(to);
    if (fromDay === undefined || toDay === undefined) throw new BadRequest('from and to must be dates, YYYY-MM-DD');
    if (fromDay > toDay) throw new BadRequest('from is after to');
    const limitParam = param('limit');
    const limit = limitParam === undefined ? DEFAULT_LIMIT : /^\d{1,4}$/.test(limitParam) ? Number(limitParam) : 0;
    if (limit < 1 || limit > MAX_LIMIT) throw new BadRequest(`limit must be 1..${MAX_LIMIT}`);
    const meterNo = param('meterNo');
    if (meterNo !== undefined && !byNo.has(meterNo)) return json(ctx, 404, { code: 'UNKNOWN_METER' });

    // The cursor is the last (day, meterNo) served, bound to the query it came from.
    const query = `${interval}|${from}|${to}|${meterNo ?? ''}`;
    let after: { day: number; meterNo: string } | undefined;
    const cursor = param('cursor');
    if (cursor !== undefined) {
      try {
        const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { q: unknown; d: unknown; m: unknown };
        if (decoded.q !== query || !Number.isInteger(decoded.d) || typeof decoded.m !== 'string') throw new Error();
        after = { day: decoded.d as number, meterNo: decoded.m };
      } catch {
        throw new BadRequest('cursor does not belong to this query');
      }
    }

    const anomalies = scenario();
    const selected = meterNo === undefined ? meters : [byNo.get(meterNo)!];
    // Nothing before the epoch exists and nothing after now has been read yet.
    const lastDay = Math.min(toDay, lastDayBy(now()));
    const page: Reading[] = [];
    let more = false;
    for (let day = Math.max(fromDay, 0, after?.day ?? 0); day <= lastDay && !more; day += 1) {
      if (interval === 'monthly' && !dateOf(day).endsWith('-01')) continue;
      for (const meter of selected) {
        if (after && (day < after.day || (day === after.day && meter.meterNo <= after.meterNo))) continue;
        const reading = served(meter, anomalies, day);
        if (!reading) continue;
        if (page.length === limit) {
          more = true;
          break;
        }
        page.push(reading);
      }
    }
    const last = page.at(-1);
    const nextCursor =
      more && last ? Buffer.from(JSON.stringify({ q: query, d: dayOfDate(last.readAt.slice(0, 10)), m: last.meterNo })).toString('base64url') : null;
    json(ctx, 200, { readings: page, nextCursor });
  });

  router.post('/v1/reread', authenticated, async (ctx) => {
    const body = (await readJson(ctx)) as { meterNo?: unknown; readAt?: unknown } | null;
    if (typeof body?.meterNo !== 'string' || typeof body.readAt !== 'string') throw new BadRequest('meterNo and readAt are required');
    const meter = byNo.get(body.meterNo);
    if (!meter) return json(ctx, 404, { code: 'UNKNOWN_METER' });
    const at = /^\d{4}-\d{2}-\d{2}T/.test(body.readAt) ? Date.parse(body.readAt) : Number.NaN;
    if (Number.isNaN(at) || (at - instantOf(0)) % DAY_MS !== 0) throw new BadRequest('readAt must be 00:00 +08:00 of a day');
    const day = (at - instantOf(0)) / DAY_MS;
    if (day < 0) throw new BadRequest('readAt is before the first reading (2024-01-01)');
    if (at > now().getTime()) throw new BadRequest('readAt is in the future');
    // A real meter is read again in the field: the glitch was in transport, so the truth is served from now on.
    reread.add(`${meter.meterNo}|${day}`);
    json(ctx, 200, { reading: toReading(meter, day, truth(meter, scenario(), day), 'actual') });
  });

  router.get('/_scenario', (ctx) => json(ctx, 200, { anomalies: scenario() }));

  router.post('/_scenario', async (ctx) => {
    try {
      const body = (await readJson(ctx)) as { anomalies?: unknown } | null;
      custom = parseScenario(body?.anomalies, byNo);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      return json(ctx, 400, { code: 'BAD_REQUEST', message: error.message });
    }
    reread.clear();
    json(ctx, 200, { anomalies: custom });
  });

  router.post('/_faults', async (ctx) => {
    const body = JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as { failNext?: number };
    failNext = Math.max(0, Number(body.failNext ?? 0));
    json(ctx, 200, { failNext });
  });

  return router;
}
