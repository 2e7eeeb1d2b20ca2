/**
 * Terminal pay throughput: 50 terminals, each on its own keep-alive connection, sending signed pay
 * messages (a fresh serial each, a random one of 2,000 accounts that owe a bill) to the real server
 * (production mode, embedded PostgreSQL, request logging on) with autocannon. Baseline in the same
 * run: the identical database transaction (the service's pay: serial check, day share lock,
 * account, allocation, reply stored) called directly by 50 concurrent loops, with no HTTP and no
 * signature; and the floor, a bare transaction (compare-and-set on an order, one ledger insert)
 * from 16 connections. Target: the pays over HTTP at least 0.5 × the bare transaction.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { sign, stringToSign } from '../../mock/src/terminal/client';
import { shanghaiDate } from '../../shared/dates';
import type { TerminalIdentity } from '../../server/src/modules/terminals/registry';
import { bareTransactionRate } from './bare-transaction';
import { startBenchServer } from './environment';
import { reportFigure } from './report';

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TERMINALS = 50;
const ACCOUNTS = 2_000;
const out = (line: string) => process.stdout.write(`${line}\n`);

const server = await startBenchServer({ mocks: 'process' });
const { database, terminals: module } = server.runtime.deps;
const today = shanghaiDate(new Date());

interface BenchTerminal {
  identity: TerminalIdentity;
  secret: string;
  sent: number;
}

try {
  out(`\nSetting up ${ACCOUNTS.toLocaleString('en')} accounts owing a bill, and ${TERMINALS} signed-in terminals`);
  await database.pool.query(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     SELECT '66' || lpad(i::text, 8, '0'), '住户' || i, '杭州市西湖区测试路 ' || i || ' 号', 'residential', 'TA-BENCH-01', '13800000000' FROM generate_series(1, $1::int) i`,
    [ACCOUNTS],
  );
  await database.pool.query(
    `INSERT INTO billing_profiles (account_id, tariff_code) SELECT id, 'zj-residential' FROM electricity_accounts WHERE account_no LIKE '66%'`,
  );
  // A large bill each, so every pay is allocated to a receivable rather than all to prepayment.
  await database.pool.query(
    `WITH b AS (INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, computed_at, published_at)
                SELECT id, '2025-01', 'published', 'zj-residential', 1, 100, 1000000000, 100, '{}', '{}', now(), now() FROM electricity_accounts WHERE account_no LIKE '66%' RETURNING id, account_id)
     INSERT INTO receivables (account_id, bill_id, month, principal_fen, due_date, late_fee_millifen) SELECT account_id, id, '2025-01', 1000000000, '2025-01-20', 123456 FROM b`,
  );
  await database.pool.query('ANALYZE');
  const terminals: BenchTerminal[] = [];
  for (let index = 0; index < TERMINALS; index += 1) {
    const terminalId = `BENCH-${String(index).padStart(3, '0')}`;
    const { secret } = await module.registry.create(null, {
      terminalId,
      organisation: { name: '压测银行', kind: 'bank' },
      channel: 'counter',
      allowedIps: ['127.0.0.1', '::1'],
      enabled: true,
    });
    const {
      rows: [row],
    } = await database.pool.query('SELECT id FROM terminals WHERE terminal_id = $1', [terminalId]);
    const identity = { pk: row.id as number, terminalId };
    await module.protocol.signin(identity, today);
    terminals.push({ identity, secret, sent: 0 });
  }
  const message = (terminal: BenchTerminal, prefix: string) => ({
    serial: `${prefix}${String((terminal.sent += 1)).padStart(9, '0')}`,
    accountingDate: today,
    accountNo: `66${String(1 + Math.floor(Math.random() * ACCOUNTS)).padStart(8, '0')}`,
    amountFen: 100 + Math.floor(Math.random() * 10_000),
  });
  const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

  async function direct(seconds: number, prefix: string) {
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
      terminals.map(async (terminal) => {
        while (performance.now() < end) {
          const at = performance.now();
          try {
            await module.protocol.pay(terminal.identity, message(terminal, prefix));
            latencies.push(performance.now() - at);
          } catch {
            errors += 1;
          }
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return { rps: latencies.length / ((performance.now() - started) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
  }

  let nextClient = 0;
  async function overHttp(seconds: number, prefix: string) {
    const path = '/api/terminal/v1/pay';
    const result = await autocannon({
      url: `${server.url}${path}`,
      method: 'POST',
      connections: TERMINALS,
      duration: seconds,
      // Each connection is one terminal for the whole run.
      setupClient: (client) => {
        const iterator = (client as unknown as { requestIterator: { initialContext: object; resetContext(): void; rebuildRequest(): void } }).requestIterator;
        iterator.initialContext = { terminal: nextClient++ % TERMINALS };
        iterator.resetContext();
        iterator.rebuildRequest();
      },
      requests: [
        {
          setupRequest: (request, context: { terminal?: number }) => {
            const terminal = terminals[context.terminal ?? 0]!;
            const body = JSON.stringify(message(terminal, prefix));
            const timestamp = String(Math.floor(Date.now() / 1000));
            const nonce = randomBytes(16).toString('hex');
            return {
              ...request,
              body,
              headers: {
                'Content-Type': 'application/json',
                'X-Terminal-Id': terminal.identity.terminalId,
                'X-Timestamp': timestamp,
                'X-Nonce': nonce,
                'X-Signature': sign(terminal.secret, stringToSign('POST', path, timestamp, nonce, body)),
              },
            };
          },
        },
      ],
    });
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts };
  }

  // Warm-ups: connections, plans and the JIT.
  await direct(2, 'W');
  await overHttp(2, 'X');
  const bareRate = await bareTransactionRate(server.databaseUrl);
  const baseline = await direct(DURATION_SECONDS, 'B');
  const http = await overHttp(DURATION_SECONDS, 'H');
  const {
    rows: [posted],
  } = await database.pool.query(
    `SELECT count(*) FILTER (WHERE serial LIKE 'H%')::int AS http, count(*) FILTER (WHERE serial LIKE 'B%')::int AS direct,
            (SELECT count(*)::int FROM payment_allocations WHERE ref LIKE 'terminal:BENCH-%') AS allocations
       FROM terminal_transactions`,
  );

  out(`\nTerminal pay, ${TERMINALS} concurrent terminals, ${DURATION_SECONDS} s each (DB pool ${server.runtime.deps.config.database.poolMax})`);
  const row = (name: string, r: { rps: number; p50: number; p99: number; errors: number }) =>
    out(
      `  ${name.padEnd(52)} ${r.rps.toFixed(0).padStart(6)} pays/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms${r.errors ? `  (${r.errors} errors)` : ''}`,
    );
  out(`  ${'floor: bare CAS + ledger insert, 16 connections'.padEnd(52)} ${bareRate.toFixed(0).padStart(6)} transactions/s`);
  row('baseline: the pay transaction, no HTTP, no signature', baseline);
  row('POST /api/terminal/v1/pay (signed, over HTTP)', http);
  out(
    `\nResult: ${(http.rps / bareRate).toFixed(2)} × the bare transaction (target ≥ 0.5), ${(http.rps / baseline.rps).toFixed(2)} × the pay transaction called directly, p99 ${http.p99} ms; posted ${posted.http.toLocaleString('en')} over HTTP and ${posted.direct.toLocaleString('en')} directly, ${posted.allocations.toLocaleString('en')} allocations in all`,
  );
  reportFigure({
    name: 'terminal pay over HTTP (signed)',
    value: http.rps,
    unit: '/s',
    baselineName: 'bare CAS + ledger insert, 16 conns',
    baseline: bareRate,
    higherIsBetter: true,
    target: { atLeast: 0.5 },
    note: `direct pay transaction ${baseline.rps.toFixed(0)}/s; p99 ${http.p99} ms`,
  });
} finally {
  await server.stop();
}
