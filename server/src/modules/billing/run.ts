import { and, eq, ne, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { BillRun } from '../../../../shared/contracts/billing';
import { shanghaiMidnight } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { CustomerClass, PowerFactorStandard, TariffVersion } from '../../../../shared/tariff/types';
import type { Clock } from '../../app';
import type { Database, Db } from '../../db/database';
import { billingProfiles, billRuns, tariffs } from '../../db/schema';
import { computeDraft, type AccountBillingInput, type BillDraft } from './compute';
import { writeBills, type IssuedBill } from './issue';
import { chunkMeters, nextChunkAccounts, withSessionLock, type ChunkMeterRow } from './repository';
import { loadBillingSettings } from './settings';
import type { MeterInput, PreviousBill, ReadingValues } from './types';

type Tariff = typeof tariffs.$inferSelect;

/** Every tariff version, as the engine reads them. */
export async function loadTariffs(db: Db): Promise<TariffVersion[]> {
  const rows: Pick<Tariff, 'definition' | 'effectiveFrom' | 'description'>[] = await db
    .select({ definition: tariffs.definition, effectiveFrom: tariffs.effectiveFrom, description: tariffs.description })
    .from(tariffs);
  // The stored definition is the engine's own tariff; the version row adds when it is in force.
  return rows.map((row) => ({ ...(row.definition as TariffVersion), effectiveFrom: row.effectiveFrom, description: row.description }));
}

interface ChunkAccount {
  id: number;
  customerClass: CustomerClass;
  tariffCode: string;
  billingMode: IssuedBill['billingMode'];
  contractKva: number | null;
  demandBasis: 'capacity' | 'max_demand' | null;
  powerFactorStandard: PowerFactorStandard | null;
  hasSolar: boolean;
  vacant: boolean;
  previous: PreviousBill | null;
  meters: MeterInput[];
}

const REGISTER_KEYS = ['total', 'sharp', 'peak', 'flat', 'valley', 'reverse', 'reactive', 'maxDemand', 'quality'] as const;
// Column names per side, built once: this runs twice per meter in a million-account run.
const columnsOf = <P extends 's' | 'e'>(prefix: P) =>
  Object.fromEntries(REGISTER_KEYS.map((key) => [key, `${prefix}_${key}`])) as { [K in (typeof REGISTER_KEYS)[number]]: `${P}_${K}` };
const OPENING = columnsOf('s');
const CLOSING = columnsOf('e');

function readingFrom(row: ChunkMeterRow, columns: typeof OPENING | typeof CLOSING): ReadingValues | null {
  const total = row[columns.total];
  if (total === null) return null;
  return {
    total,
    sharp: row[columns.sharp],
    peak: row[columns.peak],
    flat: row[columns.flat],
    valley: row[columns.valley],
    reverse: row[columns.reverse] ?? 0,
    reactive: row[columns.reactive],
    maxDemand: row[columns.maxDemand],
    quality: row[columns.quality]!,
  };
}

interface Chunk {
  /** The accounts still to bill (a reviewer's one account, billed or not). */
  accounts: ChunkAccount[];
  /** The last account id looked at, where the next chunk starts; null when none were left. */
  lastId: number | null;
}

/**
 * The next `limit` accounts by id after `afterId`, keeping those with no bill for the month yet
 * (or just `onlyAccount`, billed or not, when a reviewer recomputes one), with everything their
 * bills need: profile, previous bill, and each meter's opening and closing reading. Two set-based
 * queries per chunk, never one per account.
 */
export async function fetchChunk(db: Db, month: string, afterId: number, limit: number, onlyAccount?: number): Promise<Chunk> {
  const rows = await nextChunkAccounts(db, month, afterId, limit, onlyAccount);
  const lastId = rows.length ? rows[rows.length - 1]!.id : null;
  const accounts = onlyAccount ? rows : rows.filter((row) => row.prevMonth !== month);
  if (!accounts.length) return { accounts: [], lastId };
  const start = shanghaiMidnight(month);
  const end = shanghaiMidnight(addMonths(month, 1));
  const meterRows = await chunkMeters(
    db,
    accounts.map((row) => row.id),
    start,
    end,
  );
  const metersByAccount = new Map<number, MeterInput[]>();
  for (const row of meterRows) {
    const list = metersByAccount.get(row.accountId) ?? [];
    list.push({
      meterNo: row.meterNo,
      multiplier: row.multiplier,
      registers: row.registers,
      registerDigits: row.registerDigits,
      start: readingFrom(row, OPENING),
      end: readingFrom(row, CLOSING),
    });
    metersByAccount.set(row.accountId, list);
  }
  return {
    lastId,
    accounts: accounts.map((row) => ({
      id: row.id,
      customerClass: row.customerClass,
      tariffCode: row.tariffCode,
      billingMode: row.billingMode,
      contractKva: row.contractKva,
      demandBasis: row.demandBasis,
      powerFactorStandard: row.powerFactorStandard as PowerFactorStandard | null,
      hasSolar: row.hasSolar,
      vacant: row.vacant,
      previous: row.prevMonth
        ? { month: row.prevMonth, status: row.prevStatus!, kwh: row.prevKwh!, tierCountedKwh: row.prevCounted!, history: row.prevHistory! }
        : null,
      meters: metersByAccount.get(row.id) ?? [],
    })),
  };
}

export function draftInput(account: ChunkAccount, month: string, tariff: TariffVersion): AccountBillingInput {
  return {
    month,
    customerClass: account.customerClass,
    tariff,
    contractKva: account.contractKva,
    demandBasis: account.demandBasis,
    powerFactorStandard: account.powerFactorStandard,
    hasSolar: account.hasSolar,
    vacant: account.vacant,
    meters: account.meters,
    previous: account.previous,
  };
}

type Counts = BillRun['counts'];
type Draft = { accountId: number; billingMode: IssuedBill['billingMode']; tariff: TariffVersion; draft: BillDraft };
const RUN_LOCK = 7_250_200;
/** Chunks being written at once: two keep both cores busy while Node prices the next chunk. */
const WRITES_IN_FLIGHT = Number(process.env.BILL_RUN_WRITERS ?? 2);

/** The monthly bill run: every account's bill for the month, in chunks, restartable at any point. */
export function createBillRunner(deps: { database: Database; clock: Clock; log: Logger; chunkSize: number }) {
  const { database } = deps;

  /**
   * Prices every unbilled account of the month. The next chunk is read while this one is priced,
   * and chunks are written while the next is priced, so the database and Node work at the same time.
   */
  async function billChunks(month: string, runId: number, counts: Counts, progress: () => Promise<void>): Promise<void> {
    const settings = await loadBillingSettings(database);
    const tariffs = await loadTariffs(database.db);
    let pending = fetchChunk(database.db, month, 0, deps.chunkSize);
    const writing: Promise<void>[] = [];
    try {
      for (;;) {
        const { accounts, lastId } = await pending;
        if (lastId === null) break;
        pending = fetchChunk(database.db, month, lastId, deps.chunkSize);
        pending.catch(() => undefined); // awaited on the next turn, where a failure surfaces
        if (!accounts.length) continue; // all billed already: a restarted run passing what it did
        const drafts: Draft[] = [];
        for (const account of accounts) {
          const tariff = tariffInForce(tariffs, account.tariffCode, month);
          // The previous month must be settled first: its closing reading opens this month.
          if (account.previous && account.previous.status !== 'published' && account.previous.month === addMonths(month, -1)) counts.waitingForReview += 1;
          else if (!tariff || account.meters.length === 0) counts.skipped += 1;
          else
            drafts.push({
              accountId: account.id,
              billingMode: account.billingMode,
              tariff,
              draft: computeDraft(draftInput(account, month, tariff), settings.anomalies),
            });
        }
        if (writing.length >= WRITES_IN_FLIGHT) await writing.shift();
        await progress();
        const now = deps.clock.now();
        const write = database
          .transaction(async (tx) => {
            // A restartable run can afford to lose its last commits in a crash: the rerun recomputes them.
            await tx.db.execute(sql`SET LOCAL synchronous_commit = off`);
            await writeBills(tx, month, runId, drafts, settings, now);
          })
          .then(() => {
            counts.computed += drafts.length;
            for (const { draft } of drafts) counts[draft.status] += 1;
          });
        write.catch(() => undefined);
        writing.push(write);
      }
      for (const write of writing.splice(0)) await write;
    } finally {
      await Promise.allSettled([pending, ...writing]);
    }
  }

  const setCounts = (runId: number, counts: Counts) => database.db.update(billRuns).set({ counts }).where(eq(billRuns.id, runId));

  async function runMonth(runId: number): Promise<Counts> {
    const [run] = await database.db
      .update(billRuns)
      .set({ status: 'running', startedAt: sql`coalesce(${billRuns.startedAt}, now())`, error: null })
      .where(and(eq(billRuns.id, runId), ne(billRuns.status, 'completed')))
      .returning({ month: billRuns.month });
    if (!run) {
      const [done] = await database.db.select({ counts: billRuns.counts }).from(billRuns).where(eq(billRuns.id, runId));
      return done?.counts as Counts;
    }
    const { month } = run;
    const log = deps.log.child({ billRun: runId, month });
    const accounts = await database.db.$count(billingProfiles);
    const counts: Counts = { accounts, computed: 0, published: 0, held: 0, skipped: 0, waitingForReview: 0 };
    const started = performance.now();
    let lastLog = started;
    const progress = async () => {
      const now = performance.now();
      if (now - lastLog < 5_000) return;
      lastLog = now;
      log.info({ ...counts, perSecond: Math.round(counts.computed / ((now - started) / 1000)) }, 'bill run progress');
      await setCounts(runId, counts);
    };

    // One run per month at a time: a second run waits here, then finds every bill written and adds none.
    const monthKey = Number(month.replace('-', ''));
    await withSessionLock(database.pool, [RUN_LOCK, monthKey], async () => {
      try {
        log.info({ accounts }, 'bill run started');
        await billChunks(month, runId, counts, progress);
      } catch (err) {
        await database.db
          .update(billRuns)
          .set({ status: 'failed', error: (err as Error).message.slice(0, 500), counts })
          .where(eq(billRuns.id, runId));
        log.error({ err, ...counts }, 'bill run failed; running it again continues where it stopped');
        throw err;
      }
    });
    const seconds = (performance.now() - started) / 1000;
    await database.db
      .update(billRuns)
      .set({ status: 'completed', finishedAt: sql`now()`, counts })
      .where(eq(billRuns.id, runId));
    log.info({ ...counts, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round(counts.computed / seconds) }, 'bill run completed');
    return counts;
  }

  return {
    runMonth,
    /** Records a run for the month (a second run of a month is allowed: it fills in only what is missing). */
    async createRun(month: string): Promise<number> {
      const [row] = await database.db.insert(billRuns).values({ month }).returning({ id: billRuns.id });
      return row!.id;
    },
  };
}
