/**
 * The monthly bill run over synthetic accounts (1,000,000 by default; BENCH_ACCOUNTS to change)
 * with a year of monthly readings, generated in SQL on a scratch embedded PostgreSQL.
 *
 * 1. Bill month M−1 (no earlier bills: the cold path), reported for information.
 * 2. Baseline: one plain INSERT … SELECT writing the same number of rows into the bills table
 *    itself (its indexes, checks and foreign key), reading the same readings and building a bill
 *    document of the same shape in SQL (one priced line, tier split, readings). The rows carry a
 *    month of their own and are deleted (and vacuumed away) before step 3.
 * 3. Bill month M through the real runner (the shared tariff engine, every anomaly rule, bills
 *    and receivables written), timed. The figure that matters is 3 ÷ 2.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { shanghaiMidnight } from '../../shared/dates';
import { addMonths } from '../../shared/tariff/engine';
import { openDatabase, runMigrations } from '../../server/src/db/database';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { createBillRunner } from '../../server/src/modules/billing/run';
import { ensureTariffPresets } from '../../server/src/modules/billing/seed';
import { postgresCpuSeconds } from './cpu';
import { reportFigure } from './report';
import { generateMeteredAccounts } from './synthetic';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const CHUNK = Number(process.env.BILL_RUN_CHUNK ?? 2_500);
const MONTH = '2026-10';
const FIRST = addMonths(MONTH, -11);
/** The baseline's rows get a month no run bills, so they never meet the run's rows. */
const BASELINE_MONTH = '1900-01';

const out = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = pino({ level: 'info', base: undefined, timestamp: false }, pino.destination(2));

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-bench-bills-'));
await fs.chmod(dir, 0o755);
// A database holding a million accounts' year of readings is sized for it: 1 GB of shared buffers
// (a quarter of a small server's memory) instead of the embedded default of 128 MB. Both the
// baseline and the run are measured on the same server.
const PG_SETTINGS = { shared_buffers: process.env.BENCH_SHARED_BUFFERS ?? '1GB', max_wal_size: '4GB' };
const cluster = await startEmbeddedPostgres({
  dataDir: path.join(dir, 'pg'),
  preferredPort: await freePort(),
  persistent: false,
  settings: PG_SETTINGS,
  log: pino({ level: 'warn' }),
});
try {
  await ensureDatabase(cluster.urlFor('postgres'), 'power');
  const database = openDatabase(cluster.urlFor('power'), 4);
  await runMigrations(database);
  await ensureTariffPresets(database);
  // Generation runs on one connection with foreign-key triggers off: the rows are consistent by
  // construction, and checking 13 million of them would only slow the set-up.
  const generator = await database.pool.connect();
  await generator.query(`SET session_replication_role = replica`);
  const sql = async (label: string, text: string, values: unknown[] = []) => {
    const started = performance.now();
    const result = await generator.query(text, values);
    out(
      `  ${label.padEnd(46)} ${seconds(performance.now() - started).padStart(8)}${result.rowCount ? `  (${result.rowCount.toLocaleString('en')} rows)` : ''}`,
    );
    return result;
  };

  out(`\nGenerating ${ACCOUNTS.toLocaleString('en')} accounts, meters and 13 monthly readings each (${FIRST} to ${MONTH}) in SQL`);
  await generateMeteredAccounts(sql, { firstId: 1, count: ACCOUNTS, firstMonth: FIRST });
  await sql('analyze', 'ANALYZE');
  // The connection goes back to the pool: the run and the baseline must check their keys.
  await generator.query('RESET session_replication_role');
  generator.release();
  out(
    `PostgreSQL: ${Object.entries(PG_SETTINGS)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
  );

  const clock = { now: () => shanghaiMidnight(`${addMonths(MONTH, 1)}-02`) };
  const runner = createBillRunner({ database, clock, log, chunkSize: CHUNK });
  const pgDataDir = path.join(dir, 'pg');
  const runMonth = async (month: string) => {
    const started = performance.now();
    const nodeBefore = process.cpuUsage();
    const pgBefore = await postgresCpuSeconds(pgDataDir);
    const counts = await runner.runMonth(await runner.createRun(month));
    const ms = performance.now() - started;
    const nodeUsed = process.cpuUsage(nodeBefore);
    const cpu = { node: (nodeUsed.user + nodeUsed.system) / 1e6, postgres: (await postgresCpuSeconds(pgDataDir)) - pgBefore };
    return { ms, counts, cpu };
  };
  const cpuLine = (cpu: { node: number; postgres: number }) => `  CPU: node ${cpu.node.toFixed(1)} s, PostgreSQL ${cpu.postgres.toFixed(1)} s`;

  out(`\nBill run ${addMonths(MONTH, -1)} (cold: no earlier bills)`);
  const cold = await runMonth(addMonths(MONTH, -1));
  out(`  ${seconds(cold.ms)}  ${Math.round(cold.counts.computed / (cold.ms / 1000)).toLocaleString('en')} accounts/s  ${JSON.stringify(cold.counts)}`);
  out(cpuLine(cold.cpu));

  out(`\nBaseline: INSERT … SELECT of the same number of bill rows for ${MONTH}`);
  const start = shanghaiMidnight(MONTH);
  const end = shanghaiMidnight(addMonths(MONTH, 1));
  const baselinePgBefore = await postgresCpuSeconds(pgDataDir);
  const baselineStarted = performance.now();
  const baseline = await database.pool.query(
    `INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, anomalies, computed_at, published_at)
     SELECT a.id, $1, 'published', p.tariff_code, 1, e.total / 100 - s.total / 100, (e.total / 100 - s.total / 100) * 538 / 10,
            e.total / 100 - s.total / 100, ARRAY[(e.total / 100 - s.total / 100)::int, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL],
            jsonb_build_object(
              'lines', jsonb_build_array(jsonb_build_object('kind', 'energy', 'key', 'single', 'quantity', e.total / 100 - s.total / 100, 'rate', 5380, 'amountFen', (e.total / 100 - s.total / 100) * 538 / 10)),
              'tierKwh', jsonb_build_array(e.total / 100 - s.total / 100, 0, 0),
              'readings', jsonb_build_array(jsonb_build_object('meterNo', m.meter_no, 'multiplier', 1, 'start', s.total, 'end', e.total)),
              'tierReached', 1, 'peakSharePermille', NULL),
            '[]', now(), now()
       FROM electricity_accounts a
       JOIN billing_profiles p ON p.account_id = a.id
       JOIN meters m ON m.account_id = a.id
       JOIN meter_readings s ON s.meter_id = m.id AND s.read_at = $2
       JOIN meter_readings e ON e.meter_id = m.id AND e.read_at = $3`,
    [BASELINE_MONTH, start, end],
  );
  const baselineMs = performance.now() - baselineStarted;
  out(
    `  ${seconds(baselineMs)}  ${Math.round((baseline.rowCount ?? 0) / (baselineMs / 1000)).toLocaleString('en')} rows/s  (${(baseline.rowCount ?? 0).toLocaleString('en')} rows)`,
  );
  out(`  CPU: PostgreSQL ${((await postgresCpuSeconds(pgDataDir)) - baselinePgBefore).toFixed(1)} s`);
  await database.pool.query('DELETE FROM bills WHERE month = $1', [BASELINE_MONTH]);
  await database.pool.query('VACUUM ANALYZE bills');

  out(`\nBill run ${MONTH} (tariff engine, anomaly rules, bills and receivables)`);
  peakRss = 0;
  const warm = await runMonth(MONTH);
  const perSecond = warm.counts.computed / (warm.ms / 1000);
  out(`  ${seconds(warm.ms)}  ${Math.round(perSecond).toLocaleString('en')} accounts/s  ${JSON.stringify(warm.counts)}`);
  out(cpuLine(warm.cpu));
  const {
    rows: [written],
  } = await database.pool.query(
    `SELECT (SELECT count(*) FROM bills WHERE month = $1)::int AS bills, (SELECT count(*) FROM receivables WHERE month = $1)::int AS receivables`,
    [MONTH],
  );
  out(
    `\nResult: ${warm.counts.computed.toLocaleString('en')} accounts billed in ${seconds(warm.ms)} (${Math.round(perSecond).toLocaleString('en')}/s);` +
      ` ${written.bills.toLocaleString('en')} bills and ${written.receivables.toLocaleString('en')} receivables written`,
  );
  out(`  ratio to the INSERT … SELECT baseline: ${(warm.ms / baselineMs).toFixed(2)} × (target ≤ 1.3 ×); under 2 minutes: ${warm.ms < 120_000 ? 'yes' : 'no'}`);
  out(`  peak server (node) memory during the run: ${Math.round(peakRss / 1_048_576)} MB RSS`);
  reportFigure({
    name: `Bill run, ${ACCOUNTS.toLocaleString('en')} accounts`,
    value: warm.ms / 1000,
    unit: 's',
    baselineName: 'INSERT … SELECT of the same bill rows',
    baseline: baselineMs / 1000,
    higherIsBetter: false,
    target: { atMost: 1.3 },
    note: `peak RSS ${Math.round(peakRss / 1_048_576)} MB (goal ≤ 300)`,
  });
  await database.close();
} finally {
  clearInterval(sampler);
  await cluster.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
