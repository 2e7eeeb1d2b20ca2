import type { Logger } from 'pino';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import type { AmiClient, AmiReading } from '../../integrations/ami/client';
import type { ReadingValues } from './types';

const REGISTER = /^\d{1,9}\.\d{2}$/;
const REGISTERS_BY_KIND = { single: [], peak_valley: ['peak', 'valley'], four: ['sharp', 'peak', 'flat', 'valley'] } as const;

interface KnownMeter {
  id: number;
  registers: keyof typeof REGISTERS_BY_KIND;
}

export interface ParsedReading extends ReadingValues {
  meterId: number;
  readAt: Date;
}

/** "12345.67" → 1234567 hundredths, exactly. */
export function parseRegister(value: string | undefined): number | null {
  if (value === undefined || !REGISTER.test(value)) return null;
  return Number(value.replace('.', ''));
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO instant with an explicit offset, refusing what `new Date` would quietly repair
 * (30 February becomes 2 March; no offset means the server's own zone).
 */
export function parseInstant(value: unknown): Date | undefined {
  const match = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return new Date(value as string);
}

/** Checks one reading from the metering system; returns the parsed reading or why it is refused. */
export function validateReading(reading: AmiReading, meter: KnownMeter | undefined, now: Date): ParsedReading | { reason: string } {
  if (!meter) return { reason: 'UNKNOWN_METER' };
  const readAt = parseInstant(reading.readAt);
  if (!readAt) return { reason: 'BAD_TIMESTAMP' };
  if (readAt.getTime() > now.getTime()) return { reason: 'IN_THE_FUTURE' };
  if (reading.quality !== 'actual' && reading.quality !== 'estimated') return { reason: 'BAD_QUALITY' };
  const total = parseRegister(reading.total);
  if (total === null) return { reason: 'BAD_TOTAL_REGISTER' };
  const reverse = reading.reverse === undefined ? 0 : parseRegister(reading.reverse);
  if (reverse === null) return { reason: 'BAD_REVERSE_REGISTER' };
  const reactive = reading.reactive === undefined ? null : parseRegister(reading.reactive);
  if (reading.reactive !== undefined && reactive === null) return { reason: 'BAD_REACTIVE_REGISTER' };
  const maxDemand = reading.maxDemand === undefined ? null : parseRegister(reading.maxDemand);
  if (reading.maxDemand !== undefined && maxDemand === null) return { reason: 'BAD_MAX_DEMAND_REGISTER' };
  const periods: Record<'sharp' | 'peak' | 'flat' | 'valley', number | null> = { sharp: null, peak: null, flat: null, valley: null };
  for (const period of REGISTERS_BY_KIND[meter.registers]) {
    const value = parseRegister(reading[period]);
    if (value === null) return { reason: `BAD_${period.toUpperCase()}_REGISTER` };
    periods[period] = value;
  }
  return { meterId: meter.id, readAt, total, reverse, reactive, maxDemand, quality: reading.quality, ...periods };
}

const sameValues = (a: ReadingValues, b: ReadingValues) =>
  a.total === b.total &&
  a.sharp === b.sharp &&
  a.peak === b.peak &&
  a.flat === b.flat &&
  a.valley === b.valley &&
  a.reverse === b.reverse &&
  (a.reactive ?? null) === (b.reactive ?? null) &&
  (a.maxDemand ?? null) === (b.maxDemand ?? null) &&
  a.quality === b.quality;

export interface ImportCounts {
  received: number;
  stored: number;
  unchanged: number;
  rejected: number;
}

export function createReadingImport(deps: { database: Database; ami: AmiClient; clock: Clock; log: Logger }) {
  const { database } = deps;

  async function knownMeters(): Promise<Map<string, KnownMeter>> {
    const { rows } = await database.pool.query<{ id: string; meter_no: string; registers: KnownMeter['registers'] }>(
      'SELECT id, meter_no, registers FROM meters',
    );
    return new Map(rows.map((row) => [row.meter_no, { id: Number(row.id), registers: row.registers }]));
  }

  async function reject(reading: AmiReading, reason: string): Promise<void> {
    await database.pool.query(
      `INSERT INTO reading_rejections (meter_no, read_at, reason, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (meter_no, read_at, reason) DO NOTHING`,
      [String(reading.meterNo ?? ''), String(reading.readAt ?? ''), reason, reading],
    );
  }

  /** Stores one page: new readings are inserted, identical repeats change nothing, conflicting repeats are refused. */
  async function storePage(page: AmiReading[], meters: Map<string, KnownMeter>, counts: ImportCounts): Promise<void> {
    const now = deps.clock.now();
    const valid: { reading: ParsedReading; raw: AmiReading }[] = [];
    for (const raw of page) {
      const parsed = validateReading(raw, meters.get(raw.meterNo), now);
      if ('reason' in parsed) {
        counts.rejected += 1;
        await reject(raw, parsed.reason);
      } else valid.push({ reading: parsed, raw });
    }
    if (!valid.length) return;
    const column = <K extends keyof ParsedReading>(key: K) => valid.map(({ reading }) => (key === 'readAt' ? reading.readAt.toISOString() : reading[key]));
    const inserted = await database.pool.query<{ meter_id: string; read_at: Date }>(
      `INSERT INTO meter_readings (meter_id, read_at, total, sharp, peak, flat, valley, reverse, quality, reactive, max_demand, source)
       SELECT *, 'ami' FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::bigint[], $11::bigint[])
       ON CONFLICT (meter_id, read_at) DO NOTHING
       RETURNING meter_id, read_at`,
      [
        column('meterId'),
        column('readAt'),
        column('total'),
        column('sharp'),
        column('peak'),
        column('flat'),
        column('valley'),
        column('reverse'),
        column('quality'),
        column('reactive'),
        column('maxDemand'),
      ],
    );
    counts.stored += inserted.rowCount ?? 0;
    const fresh = new Set(inserted.rows.map((row) => `${row.meter_id}@${row.read_at.getTime()}`));
    const repeats = valid.filter(({ reading }) => !fresh.has(`${reading.meterId}@${reading.readAt.getTime()}`));
    for (const { reading, raw } of repeats) {
      const stored = await storedReading(database, reading.meterId, reading.readAt);
      // A repeat of what we hold is the import being idempotent; a different value for the same
      // instant is refused (a correction arrives as a re-read, never as a silent overwrite).
      if (stored && (sameValues(stored, reading) || stored.source !== 'ami')) counts.unchanged += 1;
      else {
        counts.rejected += 1;
        await reject(raw, 'CONFLICTS_WITH_STORED');
      }
    }
  }

  return {
    /** Pulls every reading in the range from the metering system; safe to run again. */
    async importRange(query: { interval: 'daily' | 'monthly'; from: string; to: string; meterNo?: string }): Promise<ImportCounts> {
      const meters = await knownMeters();
      const counts: ImportCounts = { received: 0, stored: 0, unchanged: 0, rejected: 0 };
      let pages = 0;
      for await (const page of deps.ami.readings(query)) {
        counts.received += page.length;
        await storePage(page, meters, counts);
        pages += 1;
        if (pages % 20 === 0) deps.log.info({ ...query, ...counts }, 'reading import progress');
      }
      deps.log.info({ ...query, ...counts }, 'reading import finished');
      return counts;
    },
    knownMeters,
  };
}

export async function storedReading(executor: Database | Tx, meterId: number, readAt: Date): Promise<(ReadingValues & { source: string }) | undefined> {
  const client = 'pool' in executor ? executor.pool : executor.client;
  const { rows } = await client.query<ReadingValues & { source: string }>(
    `SELECT total, sharp, peak, flat, valley,
            reverse, reactive, max_demand AS "maxDemand", quality, source
       FROM meter_readings WHERE meter_id = $1 AND read_at = $2`,
    [meterId, readAt],
  );
  return rows[0];
}

/**
 * Replaces the values held for one (meter, instant) — a re-read or a staff correction — keeping
 * the replaced values in the row's revision list.
 */
export async function replaceReading(tx: Tx, reading: ParsedReading, source: 'reread' | 'manual', note: Record<string, unknown>): Promise<void> {
  await tx.client.query(
    `INSERT INTO meter_readings AS r (meter_id, read_at, total, sharp, peak, flat, valley, reverse, quality, source, reactive, max_demand)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13)
     ON CONFLICT (meter_id, read_at) DO UPDATE SET
       total = EXCLUDED.total, sharp = EXCLUDED.sharp, peak = EXCLUDED.peak, flat = EXCLUDED.flat, valley = EXCLUDED.valley,
       reverse = EXCLUDED.reverse, reactive = EXCLUDED.reactive, max_demand = EXCLUDED.max_demand, quality = EXCLUDED.quality, source = EXCLUDED.source, imported_at = now(),
       revisions = r.revisions || jsonb_build_array(jsonb_build_object(
         'total', r.total, 'sharp', r.sharp, 'peak', r.peak, 'flat', r.flat, 'valley', r.valley, 'reverse', r.reverse,
         'reactive', r.reactive, 'max_demand', r.max_demand, 'quality', r.quality, 'source', r.source, 'replacedAt', now()) || $11::jsonb)`,
    [
      reading.meterId,
      reading.readAt,
      reading.total,
      reading.sharp,
      reading.peak,
      reading.flat,
      reading.valley,
      reading.reverse,
      reading.quality,
      source,
      note,
      reading.reactive ?? null,
      reading.maxDemand ?? null,
    ],
  );
}
