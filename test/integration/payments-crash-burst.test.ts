import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/src/server';
import { fenToYuan } from '../../shared/money';
import { loadConfig } from '../../server/src/config';
import { freePort } from '../../server/src/db/embedded';
import { lateFeeFen } from '../../server/src/modules/billing/late-fees';
import { createTestDatabase, request, serverProcessEnv, TEST_BACKOFFICE_SECRET } from '../support/harness';
import { alipayNotification, postRaw, wechatNotification, type NotificationSigner } from '../support/payments';
import { spawnServer, type ServerProcess } from '../support/process';
import { inParallel, seeded } from '../support/seeded';
import { oweBills } from '../support/receivables';
import { CONSENT_VERSION } from '../../shared/consent';

/*
 * A burst of genuine gateway notifications for many accounts, the server SIGKILLed in the middle of
 * it (a seeded point, with requests in flight), restarted, and everything sent again twice. For every
 * account: what it holds moved by exactly its PAID orders, each applied once.
 *
 * "What an account holds" = principal and late fee paid on its receivables + its balance (prepaid
 * balance, or prepayment of a postpaid account). A payment moves one or both. What else can move
 * them, and how this test would show it rather than absorb it: a prepaid daily charge, a true-up, a
 * prepayment applied to a newly issued bill or a reversal are balance entries (the entries check
 * allows only payment entries); an issued bill is a new receivable (checked: none). Late-fee accrual
 * (the daily job) changes what is owed, not what is held, and each receivable is checked against the
 * fee accrued by then. Not every balance change is a payment: a prepaid bill is issued already paid
 * from daily charges, and `payment_allocations` also holds prepayment applied to bills, so neither
 * "receivables paid" nor "sum of allocations" alone is a payment total.
 */
const SEED = Number(process.env.BURST_SEED ?? 20_261_206);
const POSTPAID = 26;
const PREPAID = 14;
const ACCOUNTS_PER_CUSTOMER = 4;
const WIDTH = 24;

let mocks: MockServer;
let pool: pg.Pool;
let env: Record<string, string>;
let signer: NotificationSigner;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  mocks = await startMockServer({ port: 0, backofficeSecret: TEST_BACKOFFICE_SECRET });
  // The gateways' own notifications are dropped: the test's burst is the only delivery.
  for (const gateway of ['wechatpay', 'alipay']) await request(mocks.url, 'POST', `/${gateway}/_faults`, { body: { dropNotifications: 100_000 } });
  const databaseUrl = await createTestDatabase();
  pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const port = await freePort();
  env = {
    ...serverProcessEnv(mocks, databaseUrl, port),
    REDIS_URL: inject('redisUrl'),
    // The sweep stays out of it: every order is decided by the notifications alone.
    PAYMENT_QUERY_AFTER_SECONDS: '600',
  };
  signer = { mocks, runtime: { deps: { config: loadConfig(env) } } };
});
afterAll(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await Promise.all(servers.map((server) => server.exited));
  await pool?.end();
  await mocks?.close();
});

async function start(): Promise<ServerProcess> {
  const server = spawnServer(env);
  servers.push(server);
  await server.waitForLog('server listening');
  return server;
}

type Channel = 'wechat_jsapi' | 'alipay_wap';
interface Order {
  id: number;
  outTradeNo: string;
  accountId: number;
  channel: Channel;
  amountFen: number;
  launch: { kind: string; params?: Record<string, string>; url?: string };
}

/** The person pays at the gateway: wx.requestPayment in WeChat, the cashier page at Alipay. */
async function payAtGateway(order: Order): Promise<void> {
  if (order.channel === 'wechat_jsapi') {
    const { body } = await request(mocks.url, 'POST', '/wechatpay/_requestPayment', { body: { ...order.launch.params, action: 'pay' } });
    if (body.errMsg !== 'requestPayment:ok') throw new Error(`not paid: ${body.errMsg}`);
    return;
  }
  const opened = await fetch(order.launch.url!, { redirect: 'manual' });
  const token = new URL(opened.headers.get('location')!).searchParams.get('token')!;
  const paid = await fetch(`${mocks.url}/alipay/cashier/pay`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  if (paid.status !== 302) throw new Error(`not paid: ${paid.status} ${await paid.text()}`);
}

/** The gateway's notification of a paid order, signed and sealed as the gateway does; `ok` is the answer that stops its retries. */
function notificationOf(order: Order, tradeNo: string) {
  if (order.channel === 'wechat_jsapi') {
    const note = wechatNotification(signer, { out_trade_no: order.outTradeNo, total: order.amountFen, transaction_id: tradeNo });
    return { path: '/api/payments/notify/wechat', ...note, ok: (reply: { status: number }) => reply.status === 204 };
  }
  const note = alipayNotification(signer, { out_trade_no: order.outTradeNo, total_amount: fenToYuan(order.amountFen), trade_no: tradeNo });
  return { path: '/api/payments/notify/alipay', ...note, ok: (reply: { status: number; text: string }) => reply.status === 200 && reply.text === 'success' };
}

/** What each account holds and what moved it: receivables paid, balance, entries, allocations. */
async function holdings(accountIds: number[]) {
  const { rows } = await pool.query<{ account_id: number; paid: number; balance: number; entries: number; receivables: number }>(
    `SELECT a.id AS account_id,
            (SELECT coalesce(sum(principal_paid_fen + late_fee_paid_fen), 0) FROM receivables r WHERE r.account_id = a.id)::int AS paid,
            (SELECT coalesce(sum(balance_fen), 0) FROM account_balances b WHERE b.account_id = a.id)::int AS balance,
            (SELECT count(*) FROM balance_entries e WHERE e.account_id = a.id)::int AS entries,
            (SELECT count(*) FROM receivables r WHERE r.account_id = a.id)::int AS receivables
       FROM electricity_accounts a WHERE a.id = ANY($1)`,
    [accountIds],
  );
  return new Map(rows.map((row) => [row.account_id, row]));
}

it('a burst of notifications cut by SIGKILL and sent again moves each account by exactly its PAID orders', async () => {
  const rng = seeded(SEED);
  const base = env.PUBLIC_BASE_URL!;
  const server = await start();

  // Customers, each with a few accounts: postpaid ones owing 1–3 bills (some with late fees), prepaid ones with a balance.
  const accounts: Array<{ id: number; mode: 'postpaid' | 'prepaid'; auth: Record<string, string>; customerId: number; receivableIds: number[] }> = [];
  for (let index = 0; index < POSTPAID + PREPAID; index += 1) {
    let customer: { auth: Record<string, string>; customerId: number } | undefined = accounts[index - (index % ACCOUNTS_PER_CUSTOMER)];
    if (!customer) {
      const openid = `o${randomUUID().replace(/-/g, '').slice(0, 27)}`;
      const { body: code } = await request(mocks.url, 'POST', '/wechat/_login', { body: { openid } });
      const login = await request(base, 'POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: code.code } });
      expect(login.status).toBe(200);
      const {
        rows: [row],
      } = await pool.query<{ id: number }>('SELECT id FROM customers WHERE wechat_openid = $1', [openid]);
      customer = { auth: { Authorization: `Bearer ${login.body.accessToken}` }, customerId: row!.id };
    }
    const { auth, customerId } = customer;
    const mode = index < POSTPAID ? 'postpaid' : 'prepaid';
    const accountNo = `78${String(process.pid % 10_000).padStart(4, '0')}${String(index).padStart(4, '0')}`;
    const {
      rows: [account],
    } = await pool.query<{ id: number }>(
      `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
       VALUES ($1, '测试户', '杭州市西湖区测试路 5 号', 'residential', 'TA-XH-001', '13800009999') RETURNING id`,
      [accountNo],
    );
    await pool.query('INSERT INTO billing_profiles (account_id, tariff_code, billing_mode) VALUES ($1, $2, $3)', [account!.id, 'zj-residential', mode]);
    await pool.query('INSERT INTO account_bindings (customer_id, account_id, is_default) VALUES ($1, $2, $3)', [
      customerId,
      account!.id,
      index % ACCOUNTS_PER_CUSTOMER === 0,
    ]);
    const bills =
      mode === 'prepaid'
        ? []
        : Array.from({ length: rng.int(1, 3) }, (_, month) => ({
            month: `2025-0${month + 1}`,
            principalFen: rng.int(300, 9_000),
            lateFeeMillifen: rng.next() < 0.4 ? rng.int(1, 60_000) : 0,
          }));
    const { receivableIds } = await oweBills(pool, accountNo, bills);
    const opening = mode === 'prepaid' ? rng.int(0, 5_000) : rng.next() < 0.2 ? rng.int(1, 800) : 0;
    if (opening) {
      await pool.query('INSERT INTO account_balances (account_id, balance_fen) VALUES ($1, $2)', [account!.id, opening]);
      await pool.query(`INSERT INTO balance_entries (account_id, kind, ref, amount_fen, balance_after_fen) VALUES ($1, 'top_up', $2, $3, $3)`, [
        account!.id,
        `opening:${account!.id}`,
        opening,
      ]);
    }
    accounts.push({ id: account!.id, mode, auth, customerId, receivableIds });
  }
  const accountIds = accounts.map((account) => account.id);

  // Several orders per account, all created while every bill is open: the second order for the same
  // bills finds them settled when it is applied (its money becomes prepayment, flagged).
  const intents = accounts.flatMap((account) => {
    const bodies: Record<string, unknown>[] = [];
    if (account.mode === 'postpaid') {
      bodies.push({ purpose: 'bills' }, { purpose: 'bills' });
      if (rng.next() < 0.6) bodies.push({ purpose: 'bills', receivableIds: [account.receivableIds[rng.int(0, account.receivableIds.length - 1)]] });
    }
    for (let n = account.mode === 'prepaid' ? rng.int(2, 4) : rng.int(0, 2); n > 0; n -= 1) bodies.push({ purpose: 'top_up', amountFen: rng.int(1, 20_000) });
    return bodies.map((body) => ({
      account,
      body: { ...body, accountId: account.id, channel: (rng.next() < 0.6 ? 'wechat_jsapi' : 'alipay_wap') as Channel },
      pay: rng.next() < 0.85,
    }));
  });
  // Kept in intent order, so the seed alone decides the burst.
  const orders: Array<Order & { pay: boolean }> = [];
  await inParallel(intents, 6, async ({ account, body, pay }, index) => {
    const reply = await request(base, 'POST', '/api/payments', { headers: { ...account.auth, 'Idempotency-Key': randomUUID() }, body });
    if (reply.status !== 201) throw new Error(`order not created: ${reply.status} ${reply.text}`);
    orders[index] = { ...reply.body.order, pay };
  });
  await inParallel(
    orders.filter((order) => order.pay),
    8,
    payAtGateway,
  );

  // What the gateways took, by their own records.
  const [{ body: wechat }, { body: alipay }] = await Promise.all([
    request(mocks.url, 'GET', '/wechatpay/_orders'),
    request(mocks.url, 'GET', '/alipay/_trades'),
  ]);
  const taken = new Map<string, string>([
    ...wechat.orders
      .filter((trade: any) => trade.trade_state === 'SUCCESS')
      .map((trade: any) => [trade.out_trade_no, trade.transaction_id] as [string, string]),
    ...alipay.trades
      .filter((trade: any) => trade.trade_status === 'TRADE_SUCCESS')
      .map((trade: any) => [trade.out_trade_no, trade.trade_no] as [string, string]),
  ]);
  expect([...taken.keys()].sort()).toEqual(
    orders
      .filter((order) => order.pay)
      .map((order) => order.outTradeNo)
      .sort(),
  );
  const { rows: open } = await pool.query(`SELECT state, count(*)::int AS n FROM payment_orders WHERE account_id = ANY($1) GROUP BY state`, [accountIds]);
  expect(open).toEqual([{ state: 'PAYING', n: orders.length }]);
  const before = await holdings(accountIds);
  const entriesBefore = (await pool.query<{ max: number }>('SELECT coalesce(max(id), 0)::int AS max FROM balance_entries')).rows[0]!.max;

  // The burst: one notification per paid order, a third of them twice (same bytes, as a gateway's
  // duplicate), in seeded order, WIDTH at a time; SIGKILL when the seeded request goes out.
  const paid = orders.filter((order) => taken.has(order.outTradeNo));
  const burst = rng.shuffle(
    paid.flatMap((order) => {
      const note = notificationOf(order, taken.get(order.outTradeNo)!);
      return rng.next() < 0.35
        ? [
            { order, note },
            { order, note },
          ]
        : [{ order, note }];
    }),
  );
  const killAt = Math.floor(burst.length * (0.25 + 0.5 * rng.next()));
  const outcomes: Array<{ order: Order; ok?: boolean; status?: number; text?: string; error?: string; afterKill: boolean }> = [];
  const killed = server;
  let openAtKill = 0;
  await inParallel(burst, WIDTH, async ({ order, note }, index) => {
    if (index === killAt) {
      // The server's transactions open this moment (the other requests are being handled), then the kill.
      const {
        rows: [busy],
      } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query !~* 'pgboss'`,
      );
      openAtKill = busy!.n;
      killed.child.kill('SIGKILL');
    }
    const sending = postRaw(base, note.path, note.body, note.headers);
    const afterKill = index >= killAt;
    await sending.then(
      (reply) => void outcomes.push({ order, ok: note.ok(reply), status: reply.status, text: reply.text, afterKill }),
      (err: Error) => void outcomes.push({ order, error: (err.cause as Error | undefined)?.message ?? err.message, afterKill }),
    );
  });
  expect((await killed.exited).signal).toBe('SIGKILL');
  const answered = outcomes.filter((outcome) => outcome.status !== undefined);
  // Every answer the gateway got before the kill was the acknowledgement (never a 4xx or 5xx).
  expect(answered.filter((outcome) => !outcome.ok).map((outcome) => `${outcome.order.outTradeNo}: ${outcome.status} ${outcome.text}`)).toEqual([]);
  const inFlight = outcomes.filter((outcome) => outcome.error && !outcome.afterKill);
  // The kill fell in the middle of the burst: some acknowledged, some cut off while being handled.
  expect(answered.length).toBeGreaterThan(0);
  expect(inFlight.length).toBeGreaterThan(0);
  expect(openAtKill).toBeGreaterThan(0);
  const { rows: paidAtKill } = await pool.query<{ out_trade_no: string }>(
    `SELECT out_trade_no FROM payment_orders WHERE account_id = ANY($1) AND state = 'PAID'`,
    [accountIds],
  );
  const acknowledged = new Set(answered.map((outcome) => outcome.order.outTradeNo));
  // An acknowledged notification was committed first.
  expect([...acknowledged].filter((no) => !paidAtKill.some((row) => row.out_trade_no === no))).toEqual([]);

  // Restart; the gateway sends everything again, twice, freshly signed, all at once.
  await start();
  const resend = rng.shuffle(paid.flatMap((order) => [order, order]));
  const replies: string[] = [];
  await inParallel(resend, WIDTH, async (order) => {
    const note = notificationOf(order, taken.get(order.outTradeNo)!);
    const reply = await postRaw(base, note.path, note.body, note.headers);
    if (!note.ok(reply)) replies.push(`${order.outTradeNo}: ${reply.status} ${reply.text}`);
  });
  expect(replies).toEqual([]);

  // Every order the gateway took is PAID, with the gateway's trade number; the others are still open.
  const { rows: stored } = await pool.query<{
    out_trade_no: string;
    account_id: number;
    amount_fen: number;
    state: string;
    gateway_trade_no: string | null;
    flag: string | null;
    channel: Channel;
  }>('SELECT out_trade_no, account_id, amount_fen, state, gateway_trade_no, flag, channel FROM payment_orders WHERE account_id = ANY($1)', [accountIds]);
  expect(stored.map((row) => [row.out_trade_no, row.state, row.gateway_trade_no]).sort()).toEqual(
    orders.map((order) => [order.outTradeNo, taken.has(order.outTradeNo) ? 'PAID' : 'PAYING', taken.get(order.outTradeNo) ?? null]).sort(),
  );
  const refOf = (row: { channel: Channel; out_trade_no: string }) => `${row.channel === 'alipay_wap' ? 'alipay' : 'wechatpay'}:${row.out_trade_no}`;
  const paidRows = stored.filter((row) => row.state === 'PAID');

  // One allocation per PAID order (of its amount, its lines + prepayment adding up to it), one receipt, one back-office event.
  const { rows: allocations } = await pool.query<{
    ref: string;
    account_id: number;
    amount_fen: number;
    lines: Array<{ receivableId: number; principalFen: number; lateFeeFen: number }>;
    prepayment_fen: number;
    reversed_ref: string | null;
  }>('SELECT ref, account_id, amount_fen, lines, prepayment_fen, reversed_ref FROM payment_allocations WHERE account_id = ANY($1)', [accountIds]);
  expect(allocations.map((row) => [row.ref, row.account_id, row.amount_fen, row.reversed_ref]).sort()).toEqual(
    paidRows.map((row) => [refOf(row), row.account_id, row.amount_fen, null]).sort(),
  );
  for (const row of allocations) expect(row.lines.reduce((sum, line) => sum + line.principalFen + line.lateFeeFen, row.prepayment_fen)).toBe(row.amount_fen);
  const {
    rows: [tally],
  } = await pool.query(
    `SELECT (SELECT count(*) FROM payment_receipts r JOIN payment_orders o ON o.id = r.order_id WHERE o.account_id = ANY($1) AND r.amount_fen = o.amount_fen)::int AS receipts,
            (SELECT count(DISTINCT order_id) FROM payment_receipts r JOIN payment_orders o ON o.id = r.order_id WHERE o.account_id = ANY($1))::int AS receipted_orders,
            (SELECT count(*) FROM outbox WHERE payload->>'type' = 'payment.paid' AND (payload->'data'->>'accountId')::bigint = ANY($1))::int AS events,
            (SELECT count(*) FROM payment_reviews WHERE out_trade_no = ANY($2))::int AS reviews`,
    [accountIds, orders.map((order) => order.outTradeNo)],
  );
  expect(tally).toEqual({ receipts: paidRows.length, receipted_orders: paidRows.length, events: paidRows.length, reviews: 0 });

  // Per receivable: what was paid on it is exactly what the allocations say, never more than owed.
  const { rows: receivables } = await pool.query<{
    id: number;
    account_id: number;
    principal_fen: number;
    principal_paid_fen: number;
    late_fee_millifen: number;
    late_fee_paid_fen: number;
    settled: boolean;
  }>(
    'SELECT id, account_id, principal_fen, principal_paid_fen, late_fee_millifen, late_fee_paid_fen, settled_at IS NOT NULL AS settled FROM receivables WHERE account_id = ANY($1)',
    [accountIds],
  );
  const lines = allocations.flatMap((row) => row.lines);
  for (const receivable of receivables) {
    const mine = lines.filter((line) => line.receivableId === receivable.id);
    const principal = mine.reduce((sum, line) => sum + line.principalFen, 0);
    const lateFee = mine.reduce((sum, line) => sum + line.lateFeeFen, 0);
    expect({ id: receivable.id, principal: receivable.principal_paid_fen, lateFee: receivable.late_fee_paid_fen }).toEqual({
      id: receivable.id,
      principal,
      lateFee,
    });
    expect(principal).toBeLessThanOrEqual(receivable.principal_fen);
    expect(lateFee).toBeLessThanOrEqual(lateFeeFen(receivable.late_fee_millifen));
    expect(receivable.settled).toBe(principal === receivable.principal_fen && lateFee === lateFeeFen(receivable.late_fee_millifen));
  }

  // The balance ledger: since the burst began, one entry per PAID order that left prepayment, nothing else.
  const { rows: entries } = await pool.query<{ account_id: number; kind: string; ref: string; amount_fen: number }>(
    'SELECT account_id, kind, ref, amount_fen FROM balance_entries WHERE account_id = ANY($1) AND id > $2',
    [accountIds, entriesBefore],
  );
  const modeOf = new Map(accounts.map((account) => [account.id, account.mode]));
  expect(entries.map((row) => [row.account_id, row.kind, row.ref, row.amount_fen]).sort()).toEqual(
    allocations
      .filter((row) => row.prepayment_fen > 0)
      .map((row) => [row.account_id, modeOf.get(row.account_id) === 'prepaid' ? 'top_up' : 'prepayment', `payment:${row.ref}`, row.prepayment_fen])
      .sort(),
  );

  // And per account, the conservation itself.
  const after = await holdings(accountIds);
  const moved = accountIds.map((id) => {
    const [was, now] = [before.get(id)!, after.get(id)!];
    return {
      id,
      held: now.paid + now.balance - was.paid - was.balance,
      receivables: now.receivables - was.receivables,
      balanceMatchesEntries: now.balance === was.balance + entries.filter((row) => row.account_id === id).reduce((sum, row) => sum + row.amount_fen, 0),
    };
  });
  expect(moved).toEqual(
    accountIds.map((id) => ({
      id,
      held: paidRows.filter((row) => row.account_id === id).reduce((sum, row) => sum + row.amount_fen, 0),
      receivables: 0,
      balanceMatchesEntries: true,
    })),
  );

  // Not vacuous: bills were paid, prepayment was made, and some orders found their bills already settled.
  const flagged = paidRows.filter((row) => row.flag === 'receivable_already_settled').length;
  expect(lines.length).toBeGreaterThan(0);
  expect(entries.length).toBeGreaterThan(0);
  expect(flagged).toBeGreaterThan(0);
  console.info(
    JSON.stringify({
      seed: SEED,
      accounts: accountIds.length,
      orders: orders.length,
      paid: paidRows.length,
      burst: burst.length,
      killAt,
      acknowledgedBeforeKill: answered.length,
      cutInFlight: inFlight.length,
      openAtKill,
      refusedAfterKill: outcomes.filter((outcome) => outcome.afterKill).length,
      paidAtKill: paidAtKill.length,
      committedButUnanswered: paidAtKill.filter((row) => !acknowledged.has(row.out_trade_no)).length,
      resent: resend.length,
      flagged,
      fen: paidRows.reduce((sum, row) => sum + row.amount_fen, 0),
    }),
  );
});
