import { createHash } from 'node:crypto';
import Router, { type RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';
import { DEMO_METERS, type MeterProfile, type TouPeriod } from '../ami-profiles';
import { json, readRaw } from '../http';

export { DEMO_METERS } from '../ami-profiles';
export type { MeterProfile, RegisterLayout, TouPeriod } from '../ami-profiles';

export const ANOMALY_KINDS = ['spike', 'zero', 'reverse', 'below_previous', 'tou_mismatch', 'estimated', 'missing'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Something wrong with one meter in one month ('YYYY-MM'); see amiPeer for what each kind does. */
export interface AnomalySpec {
  meterNo: string;
  month: string;
  kind: AnomalyKind;
}

/** One register snapshot as the metering system sends it: raw register kWh (not multiplied), two decimals. */
export interface Reading {
  meterNo: string;
  readAt: string;
  total: string;
  sharp?: string;
  peak?: string;
  flat?: string;
  valley?: string;
  reverse: string;
  quality: 'actual' | 'estimated';
}

export interface AmiPeerOptions {
  apiKey: string;
  now?: () => Date;
  meters?: MeterProfile[];
  /** The starting scenario; without it, the default one relative to now() (see defaultAmiScenario). */
  anomalies?: AnomalySpec[];
}

/** Kinds that change what the meter really measured; the rest are glitches of one served reading. */
const REAL_KINDS: ReadonlySet<AnomalyKind> = new Set(['spike', 'zero', 'reverse']);
const REVERSE_PER_MONTH = 3000; // 30.00 kWh
const BELOW_PREVIOUS_BY = 12345; // 123.45 kWh
const TOU_MISMATCH_BY = 5000; // 50.00 kWh
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 500;

// Calendar arithmetic on whole days: day index d is the date 2024-01-01 + d, and its reading is taken at
// 00:00 +08:00 of that date. Shanghai has no DST, so a fixed offset is exact.
const DAY_MS = 86_400_000;
const EPOCH_DATE_MS = Date.UTC(2024, 0, 1);
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const EPOCH_MONTH = '2024-01';
const instantOf = (day: number) => EPOCH_DATE_MS - SHANGHAI_OFFSET_MS + day * DAY_MS;
const dateOf = (day: number) => new Date(EPOCH_DATE_MS + day * DAY_MS).toISOString().slice(0, 10);
const readAtOf = (day: number) => `${dateOf(day)}T00:00:00+08:00`;
const dayOfUtcMs = (ms: number) => Math.round((ms - EPOCH_DATE_MS) / DAY_MS);
/** The last day whose 00:00 +08:00 has already happened at `now`. */
const lastDayBy = (now: Date) => Math.floor((now.getTime() - instantOf(0)) / DAY_MS);
const pad2 = (n: number) => String(n).padStart(2, '0');

/** 'YYYY-MM-DD' that is a real calendar date, as a day index (possibly negative); otherwise undefined. */
function dayOfDate(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? dayOfUtcMs(ms) : undefined;
}

/** The day index of the 1st of 'YYYY-MM' plus `plusMonths` months. */
function firstOfMonth(month: string, plusMonths = 0): number {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return dayOfUtcMs(Date.UTC(year, mon - 1 + plusMonths, 1));
}

/** Hundredths of a kWh as the meter prints them, e.g. 1234567 → '12345.67'. */
function formatHundredths(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${pad2(abs % 100)}`;
}

interface Registers {
  total: number;
  sharp: number;
  peak: number;
  flat: number;
  valley: number;
  reverse: number;
}

const PERIODS: Record<MeterProfile['registers'], readonly TouPeriod[]> = {
  single: [],
  peak_valley: ['peak', 'valley'],
  four: ['sharp', 'peak', 'flat', 'valley'],
};

/**
 * Splits hundredths over the meter's time-of-use registers with integer arithmetic: every period but
 * the last is floored by its share in basis points and the last takes the rest, so they add up exactly.
 */
function touSplitter(meter: MeterProfile): (hundredths: number) => Record<TouPeriod, number> {
  const bp = (share: number) => Math.round(share * 10_000);
  const shares =
    meter.registers === 'four'
      ? (meter.touShares ?? { sharp: 0.1, peak: 0.35, flat: 0.3, valley: 0.25 })
      : { sharp: 0, peak: meter.registers === 'peak_valley' ? (meter.peakShare ?? 0.5) : 0, flat: 0, valley: 0 };
  const [sharp, peak, flat] = [bp(shares.sharp), bp(shares.peak), bp(shares.flat)];
  return (hundredths) => {
    if (meter.registers === 'single') return { sharp: 0, peak: 0, flat: 0, valley: 0 };
    const part = (basisPoints: number) => Math.floor((hundredths * basisPoints) / 10_000);
    const split = { sharp: part(sharp), peak: part(peak), flat: part(flat) };
    return { ...split, valley: hundredths - split.sharp - split.peak - split.flat };
  };
}

// Seasons change gradually (no month more than about 20 % off the one before), as real load does;
// the billing anomaly rules must see a clean year of the demo data as clean.
const SEASONS: Record<MeterProfile['season'], number[]> = {
  residential: [1200, 1150, 1000, 920, 920, 1050, 1250, 1300, 1120, 960, 1000, 1150],
  irrigation: [1000, 1000, 1000, 1100, 1250, 1500, 1800, 1800, 1500, 1500, 1200, 1000],
};

function seasonPermille(meter: MeterProfile, month: number): number {
  return SEASONS[meter.season][month - 1]!;
}

/** Noise in [800, 1200] per mille, fixed by (meter, date) so every run and every process agrees. */
function noisePermille(meterNo: string, date: string): number {
  return 800 + (createHash('sha256').update(`${meterNo}|${date}`).digest().readUInt32BE(0) % 401);
}

/**
 * What one meter really measured, as register values at each day boundary, built forward from the
 * epoch and kept: each day's usage is rounded to whole hundredths once and then only ever added.
 */
function meterSeries(meter: MeterProfile, realKinds: Map<string, Set<AnomalyKind>>): (day: number) => Registers {
  const split = touSplitter(meter);
  const base = Math.round(meter.dailyKwh * 100);
  const start = split(meter.startHundredths);
  const series: Registers[] = [{ total: meter.startHundredths, ...start, reverse: 0 }];
  const extend = () => {
    const day = series.length - 1;
    const previous = series[day]!;
    const date = dateOf(day);
    const [year, month, dayOfMonth] = date.split('-').map(Number) as [number, number, number];
    const kinds = realKinds.get(date.slice(0, 7));
    const spike = kinds?.has('spike') ? 35 : 10;
    const usage = kinds?.has('zero')
      ? 0
      : Math.round((base * seasonPermille(meter, month) * noisePermille(meter.meterNo, date) * spike) / 10_000_000);
    let reverse = 0;
    if (kinds?.has('reverse')) {
      // 30.00 kWh spread over the month's days, the remainder on its first days, so the month adds exactly 30.00.
      const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
      reverse = Math.floor(REVERSE_PER_MONTH / days) + (dayOfMonth <= REVERSE_PER_MONTH % days ? 1 : 0);
    }
    const parts = split(usage);
    series.push({
      total: previous.total + usage,
      sharp: previous.sharp + parts.sharp,
      peak: previous.peak + parts.peak,
      flat: previous.flat + parts.flat,
      valley: previous.valley + parts.valley,
      reverse: previous.reverse + reverse,
    });
  };
  return (day) => {
    while (series.length <= day) extend();
    return series[day]!;
  };
}

/** Every TOU register scaled to a new total in integers; the last period takes the rest so they still add up. */
function scaledTo(meter: MeterProfile, registers: Registers, total: number): Registers {
  const scaled = { ...registers, total };
  const periods = PERIODS[meter.registers];
  let rest = total;
  periods.forEach((period, index) => {
    if (index === periods.length - 1) {
      scaled[period] = rest;
      return;
    }
    const value = registers.total === 0 ? 0 : Number((BigInt(registers[period]) * BigInt(total)) / BigInt(registers.total));
    scaled[period] = value;
    rest -= value;
  });
  return scaled;
}

function toReading(meter: MeterProfile, day: number, registers: Registers, quality: Reading['quality']): Reading {
  // Only the registers the meter has: none on a single-rate meter, peak/valley or all four on TOU ones.
  const periods = Object.fromEntries(PERIODS[meter.registers].map((period) => [period, formatHundredths(registers[period])]));
  return {
    meterNo: meter.meterNo,
    readAt: readAtOf(day),
    total: formatHundredths(registers.total),
    ...periods,
    reverse: formatHundredths(registers.reverse),
    quality,
  };
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
