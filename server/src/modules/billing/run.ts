import type pg from 'pg';
import type { Logger } from 'pino';
import type { BillRun } from '../../../../shared/contracts/billing';
import { shanghaiMidnight } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { CustomerClass, PowerFactorStandard, TariffVersion } from '../../../../shared/tariff/types';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { computeDraft, type AccountBillingInput, type BillDraft } from './compute';
import { writeBills, type IssuedBill } from './issue';
import { loadBillingSettings } from './settings';
import type { MeterInput, PreviousBill, ReadingValues } from './types';

export async function loadTariffs(client: pg.Pool | pg.PoolClient): Promise<TariffVersion[]> {
  const { rows } = await client.query<{ definition: TariffVersion; effective_from: string; description: string }>(
    `SELECT definition, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, description FROM tariffs`,
  );
  return rows.map((row) => ({ ...row.definition, effectiveFrom: row.effective_from, description: row.description }));
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

const REGISTER_COLUMNS = ['total', 'sharp', 'peak', 'flat', 'valley', 'reverse', 'reactive', 'max_demand', 'quality'] as const;
const READING_COLUMNS = (alias: string) => REGISTER_COLUMNS.map((column) => `${alias}.${column} AS ${alias}_${column}`).join(', ');
// Column names per alias, built once: this runs twice per meter in a million-account run.
const columnsOf = (alias: string) =>
  Object.fromEntries(REGISTER_COLUMNS.map((column) => [column, `${alias}_${column}`])) as Record<(typeof REGISTER_COLUMNS)[number], string>;
const OPENING = columnsOf('s');
const CLOSING = columnsOf('e');

function readingFrom(row: Record<string, unknown>, columns: typeof OPENING): ReadingValues | null {
  if (row[columns.total] === null) return null;
  return {
    total: row[columns.total] as number,
    sharp: row[columns.sharp] as number | null,
    peak: row[columns.peak] as number | null,
    flat: row[columns.flat] as number | null,
    valley: row[columns.valley] as number | null,
    reverse: (row[columns.reverse] as number | null) ?? 0,
    reactive: row[columns.reactive] as number | null,
    maxDemand: row[columns.max_demand] as number | null,
    quality: row[columns.quality] as ReadingValues['quality'],
  };
}

const ACCOUNTS_SQL = `SELECT a.id, a.customer_class, p.tariff_code, p.billing_mode, p.contract_kva, p.demand_basis, p.power_factor_standard, p.has_solar, p.vacant,
            prev.month AS prev_month, prev.status AS prev_status, prev.kwh AS prev_kwh,
            prev.tier_counted_kwh AS prev_counted,
            -- As JSON: JSON.parse is several times quicker than the driver's generic array parser.
            to_json(prev.history) AS prev_history
       FROM electricity_accounts a
       JOIN billing_profiles p ON p.account_id = a.id
       LEFT JOIN LATERAL (
         SELECT month, status, kwh, tier_counted_kwh, history FROM bills b
          WHERE b.account_id = a.id AND b.month %LATEST% $2 ORDER BY b.month DESC LIMIT 1) prev ON true
      -- The bound is stated for both sides: the planner carries equalities across a join, not ranges,
      -- and without it a merge join reads billing_profiles from its first row for every chunk.
      WHERE a.id > $1 AND p.account_id > $1 AND %FILTER%
      ORDER BY a.id LIMIT $3`;
// One probe of the (account, month) index answers both questions: the account's latest bill up to
// this month is either this month's (billed already: dropped after the query) or the previous bill
// the new one needs. Filtering after the LIMIT keeps the plan an ordered walk of the accounts.
const NEXT_ACCOUNTS_SQL = ACCOUNTS_SQL.replace('%LATEST%', '<=').replace('%FILTER%', 'true');
const ONE_ACCOUNT_SQL = ACCOUNTS_SQL.replace('%LATEST%', '<').replace('%FILTER%', 'a.id = $4');

const METER_SQL = `SELECT m.account_id, m.meter_no, m.multiplier, m.registers, m.register_digits, ${READING_COLUMNS('s')}, ${READING_COLUMNS('e')}
       FROM meters m
       -- LATERAL … LIMIT 1 keeps these as primary-key lookups: as plain joins on greatest()/least()
       -- the planner picks a hash join that scans every reading ever taken.
       LEFT JOIN LATERAL (SELECT * FROM meter_readings r WHERE r.meter_id = m.id AND r.read_at = greatest($2::timestamptz, m.installed_at) LIMIT 1) s ON true
       LEFT JOIN LATERAL (SELECT * FROM meter_readings r WHERE r.meter_id = m.id AND r.read_at = least($3::timestamptz, coalesce(m.removed_at, $3::timestamptz)) LIMIT 1) e ON true
      WHERE m.account_id = ANY($1::bigint[]) AND m.installed_at < $3 AND (m.removed_at IS NULL OR m.removed_at > $2)
      ORDER BY m.account_id, m.meter_no`;

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
export async function fetchChunk(client: pg.Pool | pg.PoolClient, month: string, afterId: number, limit: number, onlyAccount?: number): Promise<Chunk> {
  const { rows } = onlyAccount
    ? await client.query(ONE_ACCOUNT_SQL, [afterId, month, limit, onlyAccount])
    : await client.query(NEXT_ACCOUNTS_SQL, [afterId, month, limit]);
  const lastId = rows.length ? (rows[rows.length - 1].id as number) : null;
  const accounts = onlyAccount ? rows : rows.filter((row) => row.prev_month !== month);
  if (!accounts.length) return { accounts: [], lastId };
  const start = shanghaiMidnight(month);
  const end = shanghaiMidnight(addMonths(month, 1));
  const { rows: meterRows } = await client.query(METER_SQL, [accounts.map((row) => row.id), start, end]);
  const metersByAccount = new Map<number, MeterInput[]>();
  for (const row of meterRows) {
    const list = metersByAccount.get(row.account_id) ?? [];
    list.push({
      meterNo: row.meter_no,
      multiplier: row.multiplier,
      registers: row.registers,
      registerDigits: row.register_digits,
      start: readingFrom(row, OPENING),
      end: readingFrom(row, CLOSING),
    });
    metersByAccount.set(row.account_id, list);
  }
  return {
    lastId,
    accounts: accounts.map((row) => ({
      id: row.id,
      customerClass: row.customer_class,
      tariffCode: row.tariff_code,
      billingMode: row.billing_mode,
      contractKva: row.contract_kva,
      demandBasis: row.demand_basis,
      powerFactorStandard: row.power_factor_standard,
      hasSolar: row.has_solar,
      vacant: row.vacant,
      previous: row.prev_month
        ? { month: row.prev_month, status: row.prev_status, kwh: row.prev_kwh, tierCountedKwh: row.prev_counted, history: row.prev_history }
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
    const tariffs = await loadTariffs(database.pool);
    let pending = fetchChunk(database.pool, month, 0, deps.chunkSize);
    const writing: Promise<void>[] = [];
    try {
      for (;;) {
        const { accounts, lastId } = await pending;
        if (lastId === null) break;
        pending = fetchChunk(database.pool, month, lastId, deps.chunkSize);
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
            await tx.client.query('SET LOCAL synchronous_commit = off');
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

  async function runMonth(runId: number): Promise<Counts> {
    const {
      rows: [run],
    } = await database.pool.query<{ month: string }>(
      `UPDATE bill_runs SET status = 'running', started_at = coalesce(started_at, now()), error = NULL
        WHERE id = $1 AND status <> 'completed' RETURNING month`,
      [runId],
    );
    if (!run) return (await database.pool.query('SELECT counts FROM bill_runs WHERE id = $1', [runId])).rows[0]?.counts;
    const { month } = run;
    const log = deps.log.child({ billRun: runId, month });
    const {
      rows: [{ accounts }],
    } = await database.pool.query('SELECT count(*)::int AS accounts FROM billing_profiles');
    const counts: Counts = { accounts, computed: 0, published: 0, held: 0, skipped: 0, waitingForReview: 0 };
    const started = performance.now();
    let lastLog = started;
    const progress = async () => {
      const now = performance.now();
      if (now - lastLog < 5_000) return;
      lastLog = now;
      log.info({ ...counts, perSecond: Math.round(counts.computed / ((now - started) / 1000)) }, 'bill run progress');
      await database.pool.query('UPDATE bill_runs SET counts = $2 WHERE id = $1', [runId, counts]);
    };

    // One run per month at a time: a second run waits here, then finds every bill written and adds none.
    const lock = await database.pool.connect();
    const monthKey = Number(month.replace('-', ''));
    try {
      await lock.query('SELECT pg_advisory_lock($1, $2)', [RUN_LOCK, monthKey]);
      log.info({ accounts }, 'bill run started');
      await billChunks(month, runId, counts, progress);
    } catch (err) {
      await database.pool.query(`UPDATE bill_runs SET status = 'failed', error = $2, counts = $3 WHERE id = $1`, [
        runId,
        (err as Error).message.slice(0, 500),
        counts,
      ]);
      log.error({ err, ...counts }, 'bill run failed; running it again continues where it stopped');
      throw err;
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1, $2)', [RUN_LOCK, monthKey]).catch(() => undefined);
      lock.release();
    }
    const seconds = (performance.now() - started) / 1000;
    await database.pool.query(`UPDATE bill_runs SET status = 'completed', finished_at = now(), counts = $2 WHERE id = $1`, [runId, counts]);
    log.info({ ...counts, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round(counts.computed / seconds) }, 'bill run completed');
    return counts;
  }

  return {
    runMonth,
    /** Records a run for the month (a second run of a month is allowed: it fills in only what is missing). */
    async createRun(month: string): Promise<number> {
      const {
        rows: [row],
      } = await database.pool.query<{ id: number }>('INSERT INTO bill_runs (month) VALUES ($1) RETURNING id', [month]);
      return row!.id;
    },
  };
}
