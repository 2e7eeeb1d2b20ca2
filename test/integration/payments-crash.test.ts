import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/src/server';
import { freePort } from '../../server/src/db/embedded';
import { createTestDatabase, eventually, request, serverProcessEnv, TEST_BACKOFFICE_SECRET } from '../support/harness';
import { spawnServer, type ServerProcess } from '../support/process';
import { oweBills } from '../support/receivables';
import { CONSENT_VERSION } from '../../shared/consent';

// The server is killed with SIGKILL right after the customer paid, before the gateway's notification
// could be handled; the restarted server still books the payment, once.
let mocks: MockServer;
let pool: pg.Pool;
let env: Record<string, string>;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  mocks = await startMockServer({ port: 0, backofficeSecret: TEST_BACKOFFICE_SECRET });
  await request(mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.01 } });
  const databaseUrl = await createTestDatabase();
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const port = await freePort();
  env = { ...serverProcessEnv(mocks, databaseUrl, port), PAYMENT_QUERY_AFTER_SECONDS: '600' };
});
afterAll(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await pool?.end();
  await mocks?.close();
});

async function start(): Promise<ServerProcess> {
  const server = spawnServer(env);
  servers.push(server);
  await server.waitForLog('server listening');
  return server;
}

it('a payment made while the server was killed is applied once after the restart', async () => {
  const base = env.PUBLIC_BASE_URL!;
  const first = await start();
  const openid = `o${randomUUID().replace(/-/g, '').slice(0, 27)}`;
  const { body: code } = await request(mocks.url, 'POST', '/wechat/_login', { body: { openid } });
  const login = await request(base, 'POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: code.code } });
  const auth = { Authorization: `Bearer ${login.body.accessToken}` };
  const {
    rows: [customer],
  } = await pool.query('SELECT id FROM customers WHERE wechat_openid = $1', [openid]);
  const {
    rows: [account],
  } = await pool.query(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     VALUES ('7799000001', '测试户', '杭州市西湖区测试路 3 号', 'residential', 'TA-XH-001', '13800009999') RETURNING id`,
  );
  await pool.query(`INSERT INTO billing_profiles (account_id, tariff_code, billing_mode) VALUES ($1, 'zj-residential', 'postpaid')`, [account.id]);
  await pool.query('INSERT INTO account_bindings (customer_id, account_id, is_default) VALUES ($1, $2, true)', [customer.id, account.id]);
  await oweBills(pool, '7799000001', [{ month: '2025-01', principalFen: 2_345 }]);

  const created = await request(base, 'POST', '/api/payments', {
    headers: { ...auth, 'Idempotency-Key': randomUUID() },
    body: { purpose: 'bills', accountId: account.id, channel: 'wechat_jsapi' },
  });
  expect(created.status).toBe(201);
  const order = created.body.order;

  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  // The person pays while no server is there: the gateway's first notifications find nobody.
  expect((await request(mocks.url, 'POST', '/wechatpay/_requestPayment', { body: { ...order.launch.params, action: 'pay' } })).body.errMsg).toBe(
    'requestPayment:ok',
  );
  await eventually(async () => {
    const { body } = await request(mocks.url, 'GET', `/wechatpay/_notifications?out_trade_no=${order.outTradeNo}`);
    const attempts = body.notifications.flatMap((record: any) => record.attempts);
    return attempts.length >= 1 && attempts.every((attempt: any) => !attempt.acknowledged) ? true : undefined;
  });
  const {
    rows: [before],
  } = await pool.query('SELECT state FROM payment_orders WHERE id = $1', [order.id]);
  expect(before.state).toBe('PAYING');

  await start();
  // The gateway's retry reaches the restarted server (the sweep would not ask for another ten minutes).
  await eventually(async () => {
    const {
      rows: [row],
    } = await pool.query('SELECT state FROM payment_orders WHERE id = $1', [order.id]);
    return row.state === 'PAID' ? true : undefined;
  }, 30_000);
  const {
    rows: [tally],
  } = await pool.query(
    `SELECT (SELECT count(*) FROM payment_receipts WHERE order_id = $1)::int AS receipts,
            (SELECT count(*) FROM payment_allocations WHERE ref = $2)::int AS allocations,
            (SELECT principal_paid_fen FROM receivables WHERE account_id = $3)::int AS paid`,
    [order.id, `wechatpay:${order.outTradeNo}`, account.id],
  );
  expect(tally).toEqual({ receipts: 1, allocations: 1, paid: 2_345 });
  const { body } = await request(mocks.url, 'GET', `/wechatpay/_notifications?out_trade_no=${order.outTradeNo}`);
  expect(body.notifications.some((record: any) => record.attempts.some((attempt: any) => attempt.error))).toBe(true);
});
