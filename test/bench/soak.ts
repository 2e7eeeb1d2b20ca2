/**
 * Soak: the real server (`server/src/main.ts`, production mode) in a process of its own, on the
 * embedded PostgreSQL, with the mock peers in theirs, under a steady mix for SOAK_MINUTES (10) at
 * SOAK_RATE requests/s (150): SMS logins and token refreshes, bill lists and bill details, payment
 * orders with the gateways' signed notifications and the result page's check, signed terminal
 * pays, service requests with an upload and an Idempotency-Key, outage lists (soak-mix.ts).
 * SOAK_CUSTOMERS (400) customers each with an account billed for a year by the real bill runner.
 *
 * Prints requests, errors by status and route, p50/p99 per route, and the server's RSS (from
 * /proc) and heap (its /metrics) each minute. Exits non-zero on any error, on requests the
 * generator had to drop because too many were waiting, on an error in the server's log, when RSS
 * departs more than ±10 % from minute 2 in any later minute (minute 1 is warm-up), or when the
 * heap's floor (its lowest sample, just after a collection) in the last minute differs from
 * minute 2's by more than ±10 %.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { shanghaiMonth } from '../../shared/dates';
import { addMonths } from '../../shared/tariff/engine';
import { systemClock } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { openDatabase } from '../../server/src/db/database';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { createBillRunner } from '../../server/src/modules/billing/run';
import { benchEnv, startMockProcess, startServerProcess } from './environment';
import { reportFigure } from './report';
import { createMix } from './soak-mix';
import { createSoakStats } from './soak-stats';
import { startRedisServer, type RedisServer } from '../support/system';
import { generateMeteredAccounts } from './synthetic';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 150);
const CUSTOMERS = Number(process.env.SOAK_CUSTOMERS ?? 400);
/**
 * Rate-limit windows and terminal nonces in a real Redis, as a production deployment keeps them
 * (`SOAK_REDIS=off`: the in-process store). In the server's own heap they are state it must hold
 * (nonces 10 minutes, SMS windows an hour), growing for the whole of a 10-minute run by design.
 */
const USE_REDIS = process.env.SOAK_REDIS !== 'off';
const TERMINALS = 20;
const TERMINAL_ACCOUNTS = 1_000;
/** Operations started but not finished; past this the generator drops new ones and says so. */
const MAX_IN_FLIGHT = 400;
const FIRST_ID = 1_000_001;
const MB = 1_048_576;
const out = (line: string) => process.stdout.write(`${line}\n`);
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-soak-'));
await fs.chmod(dir, 0o755);
const quiet = pino({ level: 'warn' });
const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), preferredPort: await freePort(), persistent: false, log: quiet });
const mocks = await startMockProcess(dir);
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
let redis: RedisServer | undefined;
let failed: boolean;
try {
  await ensureDatabase(cluster.urlFor('postgres'), 'power');
  const port = await freePort();
  if (USE_REDIS) redis = await startRedisServer(await freePort());
  const env = {
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...benchEnv(cluster.urlFor('power'), mocks.url, mocks.paymentKeys),
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dir,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    // One proxy in front, as in production (its default): the soak stands in for it and names each
    // simulated client in X-Forwarded-For. Without it every request would come from 127.0.0.1, and
    // one address may ask for only 20 SMS codes and 60 WeChat logins an hour.
    TRUST_PROXY_HOPS: '1',
  };
  const config = loadConfig(env);
  server = await startServerProcess(env);
  out(
    `\nServer process ${server.pid} at ${server.url}; mock peers at ${mocks.url}; rate limits and nonces in ${redis ? `Redis at ${redis.url}` : 'the server process'}`,
  );

  const database = openDatabase(cluster.urlFor('power'), 4);
  const accounts = CUSTOMERS + TERMINAL_ACCOUNTS;
  const firstMonth = addMonths(shanghaiMonth(new Date()), -12);
  const setupStarted = performance.now();
  out(`Setting up ${accounts.toLocaleString('en')} metered accounts billed ${firstMonth} to ${addMonths(firstMonth, 11)} by the bill runner`);
  // On the demo's transformer areas, so customers' own outage lists have something in them.
  await generateMeteredAccounts((_label, text, values) => database.pool.query(text, values), {
    firstId: FIRST_ID,
    count: accounts,
    firstMonth,
    transformerAreas: ['TA-XH-001', 'TA-XH-002', 'TA-GS-014'],
  });
  const runner = createBillRunner({ database, clock: systemClock, log: quiet, chunkSize: 5_000 });
  for (let month = firstMonth; month <= addMonths(firstMonth, 11); month = addMonths(month, 1)) await runner.runMonth(await runner.createRun(month));
  await database.pool.query('ANALYZE');

  const terminalAccounts = Array.from({ length: TERMINAL_ACCOUNTS }, (_, i) => `9${String(FIRST_ID + CUSTOMERS + i).padStart(9, '0')}`);
  const mix = createMix({ serverUrl: server.url, mocksUrl: mocks.url, keys: mocks.paymentKeys, config, terminalAccounts });
  const setup = createSoakStats(performance.now());
  mix.setStats(setup);

  out(`Registering ${TERMINALS} terminals and signing each in; logging ${CUSTOMERS} customers in (half WeChat, half SMS) and binding each to an account`);
  const demo = JSON.parse(await fs.readFile(path.join(dir, 'demo.json'), 'utf8')) as { staff: Array<{ username: string; password: string }> };
  const admin = demo.staff.find((staff) => staff.username === 'admin')!;
  const staffIp = '10.250.0.1';
  const staff = await mix.call(
    'POST /api/staff/auth/login',
    '/api/staff/auth/login',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(admin), ip: staffIp },
    200,
  );
  if (!staff) throw new Error('staff login failed');
  for (let i = 0; i < TERMINALS; i += 1) {
    const terminalId = `SOAK-${String(i).padStart(3, '0')}`;
    const ip = `172.16.0.${i + 1}`;
    const body = { terminalId, organisation: { name: '压测银行', kind: 'bank' }, channel: 'counter', allowedIps: [ip], enabled: true };
    const created = await mix.call(
      'POST /api/staff/terminals',
      '/api/staff/terminals',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), ip: staffIp, token: staff.body.accessToken },
      201,
      (a) => a.body?.secret,
    );
    if (!created) throw new Error(`terminal ${terminalId} not registered`);
    await mix.addTerminal(terminalId, created.body.secret, ip);
  }
  const { rows: owed } = await database.pool.query<{ account_id: number; receivables: number[]; months: string[] }>(
    `SELECT b.account_id, array_agg(r.id ORDER BY r.month) FILTER (WHERE r.settled_at IS NULL) AS receivables, array_agg(b.month ORDER BY b.month) AS months
       FROM bills b LEFT JOIN receivables r ON r.bill_id = b.id WHERE b.status = 'published' AND b.account_id BETWEEN $1 AND $2 GROUP BY b.account_id`,
    [FIRST_ID, FIRST_ID + CUSTOMERS - 1],
  );
  const byAccount = new Map(owed.map((row) => [row.account_id, row]));
  let nextCustomer = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (nextCustomer < CUSTOMERS) {
        const n = nextCustomer++;
        const accountId = FIRST_ID + n;
        const bills = byAccount.get(accountId);
        const session = await mix.login(n);
        const profile = session && (await mix.profile(session));
        if (!session || !profile || !bills) continue;
        await database.pool.query('INSERT INTO account_bindings (customer_id, account_id, is_default) VALUES ($1, $2, true)', [profile.body.id, accountId]);
        mix.customers.push({
          ...session,
          id: profile.body.id,
          accountId,
          sessionAt: Date.now(),
          refreshing: false,
          openReceivables: bills.receivables ?? [],
          months: bills.months,
        });
      }
    }),
  );
  const setupReport = setup.report(() => undefined, 0);
  if (setupReport.errors > 0 || mix.customers.length < CUSTOMERS / 2) {
    setup.report(out, 0);
    throw new Error(`set-up failed: ${setupReport.errors} errors, ${mix.customers.length} customers ready`);
  }

  out(`  set-up ${((performance.now() - setupStarted) / 1000).toFixed(0)} s`);

  // The mix, open-loop: operations start on a schedule whatever the replies, as many users would.
  const operationRate = mix.operationRate(RATE);
  out(`\nSoak: ${MINUTES} min at ${RATE} requests/s (${operationRate.toFixed(1)} operations/s), ${mix.customers.length} customers, ${TERMINALS} terminals`);
  out(`  load average at start (1, 5, 15 min): ${load()}`);
  const startedAt = performance.now();
  const stats = createSoakStats(startedAt);
  mix.setStats(stats);
  let launched = 0;
  let inFlight = 0;
  let dropped = 0;
  const endAt = startedAt + MINUTES * 60_000;
  const ticker = setInterval(() => {
    const now = Math.min(performance.now(), endAt);
    const due = Math.floor(((now - startedAt) / 1000) * operationRate);
    for (; launched < due; launched += 1) {
      if (inFlight >= MAX_IN_FLIGHT) {
        dropped += 1;
        continue;
      }
      inFlight += 1;
      void mix.next().finally(() => (inFlight -= 1));
    }
  }, 10);

  // The server's memory every 5 s: RSS as the kernel counts it, heap from its own metrics.
  const sample = async () => {
    const status = await fs.readFile(`/proc/${server!.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    const metrics = (await mix.http.request(`${server!.url}/metrics`, { method: 'GET' })).text;
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    stats.memory({ rss, heap: gauge('nodejs_heap_size_used_bytes'), external: gauge('nodejs_external_memory_bytes'), inFlight });
  };
  let reported = 0;
  while (performance.now() < endAt) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, endAt - performance.now())));
    await sample();
    const minute = Math.floor((performance.now() - startedAt) / 60_000);
    for (; reported < minute && reported < MINUTES; reported += 1) out(stats.minuteLine(reported));
  }
  clearInterval(ticker);
  const drainUntil = performance.now() + 30_000;
  while (inFlight > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 100));
  for (; reported < MINUTES; reported += 1) out(stats.minuteLine(reported));
  const elapsed = (performance.now() - startedAt) / 1000;
  out(`  load average at end (1, 5, 15 min): ${load()}`);

  const { errors, drift } = stats.report(out, MINUTES);
  out(`  operations started ${launched - dropped}, dropped for lack of room ${dropped}, still running at the end ${inFlight}; ${elapsed.toFixed(0)} s`);

  const {
    rows: [tally],
  } = await database.pool.query(
    `SELECT (SELECT count(*)::int FROM payment_orders WHERE state = 'PAID') AS paid, (SELECT count(*)::int FROM payment_orders WHERE state = 'PAYING') AS paying,
            (SELECT count(*)::int FROM payment_reviews) AS reviews, (SELECT count(*)::int FROM work_orders) AS work_orders,
            (SELECT count(*)::int FROM terminal_transactions) AS terminal_pays, (SELECT count(*)::int FROM outbox WHERE relayed_at IS NULL) AS outbox_waiting`,
  );
  out(
    `  database: ${tally.paid} orders PAID, ${tally.paying} still paying (abandoned at the cashier), ${tally.reviews} notifications set aside for review,` +
      ` ${tally.work_orders} work orders, ${tally.terminal_pays} terminal pays, ${tally.outbox_waiting} outbox events not yet delivered`,
  );
  // The server's own count of 5xx replies, whoever asked.
  const counted = (await mix.http.request(`${server.url}/metrics`, { method: 'GET' })).text;
  const server5xx = [...counted.matchAll(/^http_requests_total\{[^}]*status="5\d\d"[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  out(`  5xx replies the server counted (its /metrics): ${server5xx}`);
  const serverLog = server.logs();
  out(
    `  server log lines by level: ${Object.entries(serverLog.counts)
      .map(([level, n]) => `${level} ${n}`)
      .join(', ')}`,
  );
  for (const line of serverLog.notable) out(`    ${line}`);
  out(`  load generator RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB`);

  const loggedErrors = (serverLog.counts.error ?? 0) + (serverLog.counts.fatal ?? 0);
  failed = errors > 0 || dropped > 0 || server5xx > 0 || loggedErrors > 0 || tally.reviews > 0 || Math.abs(drift.rss) > 10 || Math.abs(drift.heap) > 10;
  out(
    `\nResult: ${failed ? 'FAIL' : 'pass'} — ${errors} errors, ${dropped} dropped, ${server5xx} 5xx, ${loggedErrors} server errors logged; after warm-up RSS within ${drift.rss.toFixed(1)} % of minute 2, heap floor ${drift.heap.toFixed(1)} % (bound ±10 %)`,
  );
  reportFigure({
    name: `soak, ${MINUTES} min at ${RATE} req/s: server RSS drift after warm-up`,
    value: drift.rss,
    unit: '%',
    higherIsBetter: false,
    passed: !failed,
    note: `${errors} errors, ${server5xx} 5xx, heap floor ${drift.heap.toFixed(1)} % (bound ±10 %)`,
  });
  mix.http.close();
  await database.close();
} catch (err) {
  failed = true;
  out(`\n${(err as Error).stack}`);
} finally {
  await server?.stop();
  await redis?.stop();
  await mocks.close();
  await cluster.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
