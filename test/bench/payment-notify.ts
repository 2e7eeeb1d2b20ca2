/**
 * WeChat Pay notification throughput: the real server (production settings, embedded PostgreSQL,
 * the mock gateways in a process of their own) takes
 * signed, AES-GCM-sealed TRANSACTION.SUCCESS notifications for 2,000 paying orders from 50
 * concurrent connections (autocannon), each one verified over its raw body, decrypted, checked
 * against its order and applied (allocation, receipt, customer message, back-office event) in one
 * transaction. Then the same notifications again, as the gateway's duplicates: each must be a
 * no-op. Baseline in the same run: the same number of other orders applied through the identical
 * transaction (the service's applyEvent, as after a verified notification) by 50 concurrent loops,
 * with no HTTP, signature or decryption; and the floor, a bare transaction (compare-and-set on an
 * order, one ledger insert) from 16 connections. Target: the notifications over HTTP at least
 * 0.5 × the bare transaction. Checks that every order was applied exactly once. Last, order
 * creation: 50 customers starting WeChat Pay orders (`POST /api/payments`, each with a fresh
 * Idempotency-Key; the server prices what is due and places the order with the mock gateway,
 * signed), per second and p99, against what RSA-2048 signing alone allows on one core (two signatures
 * an order: the request to the gateway, and the mini-program's paySign).
 */
import { createSign, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { privateKeyObject } from '../../shared/node/key-objects';
import { signedWechatNotification } from '../support/payments';
import { bareTransactionRate } from './bare-transaction';
import { startBenchServer } from './environment';
import { reportFigure } from './report';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2_000);
/** The accounts and orders: the first half for the baseline, the second half over HTTP. */
const TOTAL = ORDERS * 2;
const CONNECTIONS = 50;
const CREATE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const out = (line: string) => process.stdout.write(`${line}\n`);

const server = await startBenchServer({ mocks: 'process' });
const { database, config } = server.runtime.deps;
const keys = server.paymentKeys;

/** RSA-2048 SHA256 signatures one core makes in about a second, with the merchant's own key, parsed once. */
function signingRate(privateKey: string): number {
  const key = privateKeyObject(privateKey);
  const message = `POST\n/v3/pay/transactions/jsapi\n${Date.now()}\n${randomUUID()}\n${'{"amount":{"total":12345}}'.repeat(8)}\n`;
  let signed = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    createSign('RSA-SHA256').update(message).sign(key, 'base64');
    signed += 1;
  }
  return signed / ((performance.now() - started) / 1000);
}

try {
  out(`\nSetting up ${TOTAL.toLocaleString('en')} accounts owing a bill, each with a WeChat Pay order being paid`);
  const {
    rows: [customer],
  } = await database.pool.query<{ id: number }>(`INSERT INTO customers (wechat_openid) VALUES ('oBENCHPAYER') RETURNING id`);
  await database.pool.query(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     SELECT '55' || lpad(i::text, 8, '0'), '住户' || i, '杭州市西湖区测试路 ' || i || ' 号', 'residential', 'TA-BENCH-01', '13800000000' FROM generate_series(1, $1::int) i`,
    [TOTAL],
  );
  await database.pool.query(
    `INSERT INTO billing_profiles (account_id, tariff_code) SELECT id, 'zj-residential' FROM electricity_accounts WHERE account_no LIKE '55%'`,
  );
  await database.pool.query(
    `WITH b AS (INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, computed_at, published_at)
                SELECT id, '2025-01', 'published', 'zj-residential', 1, 100, 12345, 100, '{}', '{}', now(), now() FROM electricity_accounts WHERE account_no LIKE '55%' RETURNING id, account_id)
     INSERT INTO receivables (account_id, bill_id, month, principal_fen, due_date) SELECT account_id, id, '2025-01', 12345, '2025-01-20' FROM b`,
  );
  const { rows: orders } = await database.pool.query<{ out_trade_no: string }>(
    `INSERT INTO payment_orders (out_trade_no, customer_id, account_id, channel, purpose, receivable_ids, amount_fen, state, idempotency_key, request_digest, expires_at)
     SELECT 'PBENCH' || lpad(a.id::text, 10, '0'), $1, a.id, 'wechat_jsapi', 'bills', ARRAY[r.id], 12345, 'PAYING', 'bench-' || a.id, 'bench', now() + interval '1 hour'
       FROM electricity_accounts a JOIN receivables r ON r.account_id = a.id WHERE a.account_no LIKE '55%' ORDER BY a.id RETURNING out_trade_no`,
    [customer!.id],
  );
  await database.pool.query('ANALYZE');
  const direct = orders.slice(0, ORDERS);
  const viaHttp = orders.slice(ORDERS);

  out(`\nFloor: a bare transaction (compare-and-set on an order row, one ledger insert), 16 connections`);
  const bareRate = await bareTransactionRate(server.databaseUrl);
  out(`  ${bareRate.toFixed(0).padStart(6)} transactions/s`);

  out(`\nBaseline: the same transaction for ${ORDERS.toLocaleString('en')} other orders, called directly by ${CONNECTIONS} loops`);
  const latencies: number[] = [];
  let next = 0;
  const baselineStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < direct.length) {
        const { out_trade_no: outTradeNo } = direct[next++]!;
        const begun = performance.now();
        await server.runtime.deps.payments.applyEvent('wechatpay', { kind: 'paid', outTradeNo, tradeNo: `42${outTradeNo.slice(-10)}`, amountFen: 12345 });
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const baselineRate = direct.length / ((performance.now() - baselineStarted) / 1000);
  latencies.sort((a, b) => a - b);
  out(
    `  ${baselineRate.toFixed(0).padStart(6)} orders/s  p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(0)} ms  p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(0)} ms`,
  );

  // Sealed and signed up front; the signatures' timestamps stay inside the 5-minute window for the run.
  const bodies = viaHttp.map(({ out_trade_no }) =>
    signedWechatNotification(keys.wechatPay, config.wechatPay, { out_trade_no, total: 12345, transaction_id: `42${Date.now()}${out_trade_no.slice(-6)}` }),
  );

  const rates: number[] = [];
  async function send(label: string) {
    let next = 0;
    const result = await autocannon({
      url: `${server.url}/api/payments/notify/wechat`,
      method: 'POST',
      connections: CONNECTIONS,
      amount: bodies.length,
      requests: [{ setupRequest: (request) => ({ ...request, ...bodies[next++ % bodies.length]! }) }],
    });
    const rps = result.requests.total / (result.duration || 1);
    rates.push(rps);
    out(
      `  ${label.padEnd(44)} ${rps.toFixed(0).padStart(6)} notifications/s  p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(5)} ms  non-2xx ${result.non2xx + result.errors}`,
    );
  }

  out(`\nWeChat Pay notifications, ${CONNECTIONS} connections, ${ORDERS.toLocaleString('en')} orders`);
  await send('first delivery (verify, decrypt, apply)');
  await send('the same again (duplicates: no-ops)');
  const {
    rows: [tally],
  } = await database.pool.query(
    `SELECT count(*) FILTER (WHERE state = 'PAID')::int AS paid,
            (SELECT count(*)::int FROM payment_receipts) AS receipts,
            (SELECT count(*)::int FROM payment_allocations WHERE ref LIKE 'wechatpay:PBENCH%') AS allocations
       FROM payment_orders WHERE out_trade_no LIKE 'PBENCH%'`,
  );
  out(`\nResult: ${tally.paid} of ${TOTAL} orders PAID, ${tally.receipts} receipts, ${tally.allocations} allocations (each must equal the order count)`);
  out(
    `  notifications over HTTP (verify, decrypt, apply): ${rates[0]!.toFixed(0)}/s — ${(rates[0]! / bareRate).toFixed(2)} × the bare transaction (${bareRate.toFixed(0)}/s; the target is 0.5 ×),` +
      ` ${(rates[0]! / baselineRate).toFixed(2)} × the service's own transaction called directly (${baselineRate.toFixed(0)}/s)`,
  );
  reportFigure({
    name: 'WeChat Pay notification over HTTP',
    value: rates[0]!,
    unit: '/s',
    baselineName: 'bare CAS + ledger insert, 16 conns',
    baseline: bareRate,
    higherIsBetter: true,
    target: { atLeast: 0.5 },
    note: `direct service transaction ${baselineRate.toFixed(0)}/s; duplicates ${rates[1]!.toFixed(0)}/s`,
  });
  if (tally.paid !== TOTAL || tally.receipts !== TOTAL || tally.allocations !== TOTAL) process.exitCode = 1;

  out(`\nOrder creation: ${CONNECTIONS} customers on WeChat, each paying what their own account owes, ${CREATE_SECONDS} s`);
  const { rows: payers } = await database.pool.query<{ customer_id: number; account_id: number }>(
    `WITH c AS (INSERT INTO customers (wechat_openid) SELECT 'oBENCHBUYER' || i FROM generate_series(1, $1::int) i RETURNING id),
          a AS (INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
                SELECT '56' || lpad(i::text, 8, '0'), '住户' || i, '杭州市西湖区测试路 ' || i || ' 号', 'residential', 'TA-BENCH-01', '13800000000'
                  FROM generate_series(1, $1::int) i RETURNING id),
          pairs AS (SELECT c.id AS customer_id, a.id AS account_id FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM c) c JOIN (SELECT id, row_number() OVER (ORDER BY id) n FROM a) a USING (n))
     INSERT INTO account_bindings (customer_id, account_id, is_default) SELECT customer_id, account_id, true FROM pairs RETURNING customer_id, account_id`,
    [CONNECTIONS],
  );
  await database.pool.query(`INSERT INTO billing_profiles (account_id, tariff_code) SELECT unnest($1::bigint[]), 'zj-residential'`, [
    payers.map((payer) => payer.account_id),
  ]);
  await database.pool.query(
    `WITH b AS (INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, computed_at, published_at)
                SELECT unnest($1::bigint[]), '2025-01', 'published', 'zj-residential', 1, 100, 12345, 100, '{}', '{}', now(), now() RETURNING id, account_id)
     INSERT INTO receivables (account_id, bill_id, month, principal_fen, due_date) SELECT account_id, id, '2025-01', 12345, '2025-01-20' FROM b`,
    [payers.map((payer) => payer.account_id)],
  );
  const tokens = payers.map((payer) => server.runtime.deps.tokens.issue({ audience: 'customer', id: payer.customer_id, roles: ['customer'] }));
  let created = 0;
  const creation = await autocannon({
    url: `${server.url}/api/payments`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: CREATE_SECONDS,
    requests: [
      {
        setupRequest: (request) => {
          const index = created++ % payers.length;
          return {
            ...request,
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens[index]}`, 'Idempotency-Key': randomUUID() },
            body: JSON.stringify({ purpose: 'bills', accountId: payers[index]!.account_id, channel: 'wechat_jsapi' }),
          };
        },
      },
    ],
  });
  const {
    rows: [placed],
  } = await database.pool.query(`SELECT count(*)::int AS n FROM payment_orders WHERE account_id = ANY($1) AND state = 'PAYING'`, [
    payers.map((payer) => payer.account_id),
  ]);
  out(
    `  ${creation.requests.average.toFixed(0)} orders/s  p50 ${creation.latency.p50} ms  p99 ${creation.latency.p99} ms  non-2xx ${creation.non2xx + creation.errors}; ${placed.n} orders placed with the gateway`,
  );
  const signsPerSecond = signingRate(keys.wechatPay.merchant.privateKey);
  out(`  RSA-2048 signing alone, one core: ${signsPerSecond.toFixed(0)} signatures/s, so ${(signsPerSecond / 2).toFixed(0)} orders/s at two an order`);
  reportFigure({
    name: 'WeChat Pay order creation over HTTP',
    value: creation.requests.average,
    unit: '/s',
    baselineName: 'RSA-2048 signing ceiling, 1 core, 2 signs an order',
    baseline: signsPerSecond / 2,
    higherIsBetter: true,
    target: { atLeast: 0.5 },
    note: `p50 ${creation.latency.p50} ms, p99 ${creation.latency.p99} ms (goal ≤ 100 ms)`,
  });
  if (creation.non2xx + creation.errors > 0) process.exitCode = 1;
} finally {
  await server.stop();
}
