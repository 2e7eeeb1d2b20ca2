import type pg from 'pg';
import type { Logger } from 'pino';
import type { BillingSettings, BillRun } from '../../../../shared/contracts/billing';
import { addDays, shanghaiDate, shanghaiMidnight } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { CustomerClass, TariffVersion } from '../../../../shared/tariff/types';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { computeDraft, type AccountBillingInput, type BillDraft } from './compute';
import { postBalanceEntry } from './ledger';
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
  contractKva: number | null;
  hasSolar: boolean;
  vacant: boolean;
  previous: PreviousBill | null;
  meters: MeterInput[];
}

const READING_COLUMNS = (alias: string) =>
  ['total', 'sharp', 'peak', 'flat', 'valley', 'reverse', 'quality'].map((column) => `${alias}.${column} AS ${alias}_${column}`).join(', ');

function readingFrom(row: Record<string, unknown>, alias: string): ReadingValues | null {
  if (row[`${alias}_total`] === null) return null;
  const value = (column: string) => row[`${alias}_${column}`] as number | null;
  return {
    total: value('total')!,
    sharp: value('sharp'),
    peak: value('peak'),
    flat: value('flat'),
    valley: value('valley'),
    reverse: value('reverse') ?? 0,
    quality: row[`${alias}_quality`] as ReadingValues['quality'],
  };
}

/**
 * The next `limit` accounts (by id, after `afterId`) that have no bill for the month yet (or just
 * `onlyAccount`, billed or not, when a reviewer recomputes one), with
 * everything their bills need: profile, previous bill, and each meter's opening and closing reading.
 * Two set-based queries per chunk, never one per account.
 */
export async function fetchChunk(client: pg.Pool | pg.PoolClient, month: string, afterId: number, limit: number, onlyAccount?: number): Promise<ChunkAccount[]> {
  const { rows: accounts } = await client.query(
    `SELECT a.id, a.customer_class, p.tariff_code, p.contract_kva, p.has_solar, p.vacant,
            prev.month AS prev_month, prev.status AS prev_status, prev.kwh AS prev_kwh,
            prev.tier_counted_kwh AS prev_counted, prev.history AS prev_history
       FROM electricity_accounts a
       JOIN billing_profiles p ON p.account_id = a.id
       LEFT JOIN LATERAL (
         SELECT month, status, kwh, tier_counted_kwh, history FROM bills b
          WHERE b.account_id = a.id AND b.month < $2 ORDER BY b.month DESC LIMIT 1) prev ON true
      WHERE a.id > $1
        AND CASE WHEN $4::bigint IS NULL THEN NOT EXISTS (SELECT 1 FROM bills c WHERE c.account_id = a.id AND c.month = $2)
                 ELSE a.id = $4 END
      ORDER BY a.id LIMIT $3`,
    [afterId, month, limit, onlyAccount ?? null],
  );
  if (!accounts.length) return [];
  const start = shanghaiMidnight(month);
  const end = shanghaiMidnight(addMonths(month, 1));
  const { rows: meterRows } = await client.query(
    `SELECT m.account_id, m.meter_no, m.multiplier, m.registers, m.register_digits, ${READING_COLUMNS('s')}, ${READING_COLUMNS('e')}
       FROM meters m
       LEFT JOIN meter_readings s ON s.meter_id = m.id AND s.read_at = greatest($2::timestamptz, m.installed_at)
       LEFT JOIN meter_readings e ON e.meter_id = m.id AND e.read_at = least($3::timestamptz, coalesce(m.removed_at, $3::timestamptz))
      WHERE m.account_id = ANY($1::bigint[]) AND m.installed_at < $3 AND (m.removed_at IS NULL OR m.removed_at > $2)
      ORDER BY m.account_id, m.meter_no`,
    [accounts.map((row) => row.id), start, end],
  );
  const metersByAccount = new Map<number, MeterInput[]>();
  for (const row of meterRows) {
    const list = metersByAccount.get(row.account_id) ?? [];
    list.push({ meterNo: row.meter_no, multiplier: row.multiplier, registers: row.registers, registerDigits: row.register_digits, start: readingFrom(row, 's'), end: readingFrom(row, 'e') });
    metersByAccount.set(row.account_id, list);
  }
  return accounts.map((row) => ({
    id: row.id,
    customerClass: row.customer_class,
    tariffCode: row.tariff_code,
    contractKva: row.contract_kva,
    hasSolar: row.has_solar,
    vacant: row.vacant,
    previous: row.prev_month ? { month: row.prev_month, status: row.prev_status, kwh: row.prev_kwh, tierCountedKwh: row.prev_counted, history: row.prev_history } : null,
    meters: metersByAccount.get(row.id) ?? [],
  }));
}

export function draftInput(account: ChunkAccount, month: string, tariff: TariffVersion): AccountBillingInput {
  return { month, customerClass: account.customerClass, tariff, contractKva: account.contractKva, hasSolar: account.hasSolar, vacant: account.vacant, meters: account.meters, previous: account.previous };
}

const pgArray = (values: (number | null)[]) => `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`;

/** Inserts drafts; a bill that already exists for (account, month) is left as it is. Returns the new bills. */
export async function insertBills(tx: Tx, month: string, runId: number | null, drafts: { accountId: number; tariff: TariffVersion; draft: BillDraft }[], now: Date) {
  const { rows } = await tx.client.query<{ id: number; account_id: number; status: 'held' | 'published' }>(
    `INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, anomalies, run_id, computed_at, published_at)
     SELECT account_id, $1, status, tariff_code, tariff_version, kwh, amount_fen, counted, history::int[], detail::jsonb, anomalies::jsonb, $2, $3,
            CASE WHEN status = 'published' THEN $3::timestamptz END
       FROM unnest($4::bigint[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::text[])
         AS t(account_id, status, tariff_code, tariff_version, kwh, amount_fen, counted, history, detail, anomalies)
     ON CONFLICT (account_id, month) DO NOTHING
     RETURNING id, account_id, status`,
    [
      month,
      runId,
      now,
      drafts.map((d) => d.accountId),
      drafts.map((d) => d.draft.status),
      drafts.map((d) => d.tariff.code),
      drafts.map((d) => d.tariff.version),
      drafts.map((d) => d.draft.kwh),
      drafts.map((d) => d.draft.amountFen),
      drafts.map((d) => d.draft.tierCountedKwh),
      drafts.map((d) => pgArray(d.draft.history)),
      drafts.map((d) => JSON.stringify(d.draft.detail)),
      drafts.map((d) => JSON.stringify(d.draft.anomalies)),
    ],
  );
  return rows;
}

/**
 * What issuing bills means for the ledger: each gets a receivable due `dueDays` after today. A
 * prepaid account's bill is settled from its balance at once: its daily charges already took the
 * money, and a true-up entry moves the balance by the difference so the month costs exactly the bill.
 */
export async function publishBills(tx: Tx, billIds: number[], settings: BillingSettings, now: Date): Promise<void> {
  if (!billIds.length) return;
  const dueDate = addDays(shanghaiDate(now), settings.dueDays);
  await tx.client.query(
    `INSERT INTO receivables (account_id, bill_id, month, principal_fen, principal_paid_fen, due_date, settled_at, created_at)
     SELECT b.account_id, b.id, b.month, b.amount_fen,
            CASE WHEN p.billing_mode = 'prepaid' THEN b.amount_fen ELSE 0 END, $2::date,
            CASE WHEN p.billing_mode = 'prepaid' OR b.amount_fen = 0 THEN $3::timestamptz END, $3
       FROM bills b JOIN billing_profiles p ON p.account_id = b.account_id
      WHERE b.id = ANY($1::bigint[])
     ON CONFLICT (bill_id) DO NOTHING`,
    [billIds, dueDate, now],
  );
  const { rows: prepaid } = await tx.client.query<{ id: number; account_id: number; month: string; amount_fen: number; charged: number }>(
    `SELECT b.id, b.account_id, b.month, b.amount_fen,
            coalesce((SELECT -sum(e.amount_fen) FROM balance_entries e
                       WHERE e.account_id = b.account_id AND e.kind = 'daily_charge' AND e.details->>'month' = b.month), 0)::bigint AS charged
       FROM bills b JOIN billing_profiles p ON p.account_id = b.account_id
      WHERE b.id = ANY($1::bigint[]) AND p.billing_mode = 'prepaid'`,
    [billIds],
  );
  for (const bill of prepaid) {
    await postBalanceEntry(
      tx,
      { accountId: bill.account_id, kind: 'true_up', ref: `true_up:bill:${bill.id}`, amountFen: bill.charged - bill.amount_fen, details: { month: bill.month, billFen: bill.amount_fen, dailyChargesFen: bill.charged } },
      settings.defaultLowBalanceFen,
    );
  }
}

type Counts = BillRun['counts'];

/** The monthly bill run: every account's bill for the month, in chunks, restartable at any point. */
export function createBillRunner(deps: { database: Database; clock: Clock; log: Logger; chunkSize: number }) {
  const { database } = deps;

  async function runMonth(runId: number): Promise<Counts> {
    const { rows: [run] } = await database.pool.query<{ month: string; counts: Partial<Counts> }>(
      `UPDATE bill_runs SET status = 'running', started_at = coalesce(started_at, now()), error = NULL
        WHERE id = $1 AND status <> 'completed' RETURNING month, counts`,
      [runId],
    );
    if (!run) return (await database.pool.query('SELECT counts FROM bill_runs WHERE id = $1', [runId])).rows[0]?.counts;
    const { month } = run;
    const log = deps.log.child({ billRun: runId, month });
    const settings = await loadBillingSettings(database);
    const tariffs = await loadTariffs(database.pool);
    const { rows: [{ accounts }] } = await database.pool.query('SELECT count(*)::int AS accounts FROM billing_profiles');
    const counts: Counts = { accounts, computed: 0, published: 0, held: 0, skipped: 0, waitingForReview: 0 };
    const started = performance.now();
    let lastLog = started;
    log.info({ accounts }, 'bill run started');

    try {
      let afterId = 0;
      for (;;) {
        const chunk = await fetchChunk(database.pool, month, afterId, deps.chunkSize);
        if (!chunk.length) break;
        afterId = chunk[chunk.length - 1]!.id;
        const drafts: { accountId: number; tariff: TariffVersion; draft: BillDraft }[] = [];
        for (const account of chunk) {
          const tariff = tariffInForce(tariffs, account.tariffCode, month);
          // The previous month must be settled first: its closing reading opens this month.
          if (account.previous && account.previous.status !== 'published' && account.previous.month === addMonths(month, -1)) counts.waitingForReview += 1;
          else if (!tariff || account.meters.length === 0) counts.skipped += 1;
          else drafts.push({ accountId: account.id, tariff, draft: computeDraft(draftInput(account, month, tariff), settings.anomalies) });
        }
        const now = deps.clock.now();
        const inserted = await database.transaction(async (tx) => {
          // A restartable run can afford to lose its last commits in a crash: the rerun recomputes them.
          await tx.client.query('SET LOCAL synchronous_commit = off');
          const rows = await insertBills(tx, month, runId, drafts, now);
          await publishBills(tx, rows.filter((row) => row.status === 'published').map((row) => row.id), settings, now);
          return rows;
        });
        counts.computed += inserted.length;
        for (const row of inserted) counts[row.status] += 1;
        const elapsed = performance.now();
        if (elapsed - lastLog > 5_000) {
          lastLog = elapsed;
          log.info({ ...counts, perSecond: Math.round(counts.computed / ((elapsed - started) / 1000)) }, 'bill run progress');
          await database.pool.query('UPDATE bill_runs SET counts = $2 WHERE id = $1', [runId, counts]);
        }
      }
    } catch (err) {
      await database.pool.query(`UPDATE bill_runs SET status = 'failed', error = $2, counts = $3 WHERE id = $1`, [runId, (err as Error).message.slice(0, 500), counts]);
      log.error({ err, ...counts }, 'bill run failed; running it again continues where it stopped');
      throw err;
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
      const { rows: [row] } = await database.pool.query<{ id: number }>('INSERT INTO bill_runs (month) VALUES ($1) RETURNING id', [month]);
      return row!.id;
    },
  };
}
