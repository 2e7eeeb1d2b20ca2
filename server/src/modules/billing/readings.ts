import type { Logger } from 'pino';
import type { Clock } from '../../app';
import { and, eq, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database';
import { meterReadings, meters, readingRejections } from '../../db/schema';
import type { AmiClient, AmiReading } from '../../integrations/ami/client';
import type { ReadingValues } from './types';

type MeterReading = typeof meterReadings.$inferSelect;

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
    const rows = await database.db.select({ id: meters.id, meterNo: meters.meterNo, registers: meters.registers }).from(meters);
    return new Map(rows.map((row) => [row.meterNo, { id: row.id, registers: row.registers }]));
  }

  async function reject(reading: AmiReading, reason: string): Promise<void> {
    await database.db
      .insert(readingRejections)
      .values({ meterNo: String(reading.meterNo ?? ''), readAt: String(reading.readAt ?? ''), reason, payload: reading })
      .onConflictDoNothing({ target: [readingRejections.meterNo, readingRejections.readAt, readingRejections.reason] });
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
    const column = <K extends keyof ParsedReading>(key: K) =>
      sql.param(valid.map(({ reading }) => (key === 'readAt' ? reading.readAt.toISOString() : (reading[key] ?? null))));
    const r = meterReadings;
    const list = sql.join(
      [r.meterId, r.readAt, r.total, r.sharp, r.peak, r.flat, r.valley, r.reverse, r.quality, r.reactive, r.maxDemand, r.source].map((c) =>
        sql.identifier(c.name),
      ),
      sql`, `,
    );
    const inserted = await database.db.execute<{ meterId: MeterReading['meterId']; readAtMs: number }>(sql`
      INSERT INTO ${r} (${list})
      SELECT *, 'ami' FROM unnest(${column('meterId')}::bigint[], ${column('readAt')}::timestamptz[], ${column('total')}::bigint[], ${column('sharp')}::bigint[],
                                  ${column('peak')}::bigint[], ${column('flat')}::bigint[], ${column('valley')}::bigint[], ${column('reverse')}::bigint[],
                                  ${column('quality')}::text[], ${column('reactive')}::bigint[], ${column('maxDemand')}::bigint[])
      ON CONFLICT (${sql.identifier(r.meterId.name)}, ${sql.identifier(r.readAt.name)}) DO NOTHING
      RETURNING ${r.meterId} AS "meterId", (extract(epoch FROM ${r.readAt}) * 1000)::float8 AS "readAtMs"`);
    counts.stored += inserted.rowCount ?? 0;
    const fresh = new Set(inserted.rows.map((row) => `${row.meterId}@${row.readAtMs}`));
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

export async function storedReading(
  executor: Database | Tx,
  meterId: number,
  readAt: Date,
): Promise<(ReadingValues & { source: MeterReading['source'] }) | undefined> {
  const r = meterReadings;
  const [row] = await executor.db
    .select({
      total: r.total,
      sharp: r.sharp,
      peak: r.peak,
      flat: r.flat,
      valley: r.valley,
      reverse: r.reverse,
      reactive: r.reactive,
      maxDemand: r.maxDemand,
      quality: r.quality,
      source: r.source,
    })
    .from(r)
    .where(and(eq(r.meterId, meterId), eq(r.readAt, readAt)));
  return row;
}

/** `excluded.<column>`: the value an upsert tried to insert. */
const excluded = (column: (typeof meterReadings)[keyof typeof meterReadings & string] & { name: string }) => sql`excluded.${sql.identifier(column.name)}`;

/**
 * Replaces the values held for one (meter, instant) — a re-read or a staff correction — keeping
 * the replaced values in the row's revision list.
 */
export async function replaceReading(tx: Tx, reading: ParsedReading, source: 'reread' | 'manual', note: Record<string, unknown>): Promise<void> {
  const r = meterReadings;
  await tx.db
    .insert(r)
    .values({
      meterId: reading.meterId,
      readAt: reading.readAt,
      total: reading.total,
      sharp: reading.sharp,
      peak: reading.peak,
      flat: reading.flat,
      valley: reading.valley,
      reverse: reading.reverse,
      quality: reading.quality,
      source,
      reactive: reading.reactive ?? null,
      maxDemand: reading.maxDemand ?? null,
    })
    .onConflictDoUpdate({
      target: [r.meterId, r.readAt],
      set: {
        total: excluded(r.total),
        sharp: excluded(r.sharp),
        peak: excluded(r.peak),
        flat: excluded(r.flat),
        valley: excluded(r.valley),
        reverse: excluded(r.reverse),
        reactive: excluded(r.reactive),
        maxDemand: excluded(r.maxDemand),
        quality: excluded(r.quality),
        source: excluded(r.source),
        importedAt: sql`now()`,
        revisions: sql`${r.revisions} || jsonb_build_array(jsonb_build_object(
          'total', ${r.total}, 'sharp', ${r.sharp}, 'peak', ${r.peak}, 'flat', ${r.flat}, 'valley', ${r.valley}, 'reverse', ${r.reverse},
          'reactive', ${r.reactive}, 'max_demand', ${r.maxDemand}, 'quality', ${r.quality}, 'source', ${r.source}, 'replacedAt', now())) || ${JSON.stringify(note)}::jsonb`,
      },
    });
}
