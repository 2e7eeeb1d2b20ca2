/**
 * One outage event fanned out to 100,000 affected customers (BENCH_CUSTOMERS to change): a fifth
 * on the mini-program with a subscribe-message grant, the rest opted in to SMS. Measured from the
 * event's job onwards: the fan-out (one row per customer, set-based), then delivery by the send
 * jobs the fan-out queues, to the mock WeChat and SMS gateways running as their own process
 * (`npm run mock`, HTTP on loopback, as real gateways are elsewhere), until no row is left to send.
 * Baseline in the same run: inserting the same number of message rows directly.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { NOTIFICATION_JOBS } from '../../server/src/modules/notifications/service';
import { startRuntime } from '../../server/src/runtime';
import { benchConfig, startMockProcess } from './environment';
import { reportFigure } from './report';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const WECHAT_SHARE = 5;
const out = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-bench-fanout-'));
await fs.chmod(dir, 0o755);
const quiet = pino({ level: 'warn' });
const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), preferredPort: await freePort(), persistent: false, log: quiet });
const mocks = await startMockProcess(dir);
try {
  await ensureDatabase(cluster.urlFor('postgres'), 'power');
  const config = { ...benchConfig(cluster.urlFor('power'), mocks.url, mocks.paymentKeys), logLevel: 'warn' };
  const runtime = await startRuntime({ config, databaseUrl: cluster.urlFor('power'), logger: quiet, port: 0, seed: false });
  const { database } = runtime.deps;
  const sql = (text: string, values: unknown[] = []) => database.pool.query(text, values);

  out(`\nSetting up ${CUSTOMERS.toLocaleString('en')} customers on one transformer area (1 in ${WECHAT_SHARE} on WeChat with a grant, the rest SMS)`);
  let started = performance.now();
  await sql(
    `INSERT INTO customers (phone, wechat_openid)
     SELECT '17' || lpad(i::text, 9, '0'), CASE WHEN i % $2 = 0 THEN 'oBench' || i END FROM generate_series(1, $1::int) i`,
    [CUSTOMERS, WECHAT_SHARE],
  );
  await sql(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     SELECT '7' || lpad(i::text, 9, '0'), '住户' || i, '测试小区 ' || i, 'residential', 'TA-BENCH-01', '17' || lpad(i::text, 9, '0') FROM generate_series(1, $1::int) i`,
    [CUSTOMERS],
  );
  await sql(
    `INSERT INTO account_bindings (customer_id, account_id, is_default) SELECT c.id, a.id, true FROM customers c JOIN electricity_accounts a ON a.phone_on_file = c.phone`,
  );
  await sql(`INSERT INTO sms_opt_ins (customer_id, topic, enabled) SELECT id, 'outage', true FROM customers WHERE wechat_openid IS NULL`);
  await sql(
    `INSERT INTO subscribe_grants (customer_id, template_id, remaining) SELECT id, 'TPL_OUTAGE_NOTICE', 1 FROM customers WHERE wechat_openid IS NOT NULL`,
  );
  const { rows: openids } = await sql(`SELECT wechat_openid FROM customers WHERE wechat_openid IS NOT NULL`);
  // The same grants on WeChat's side, given on each customer's phone.
  for (let index = 0; index < openids.length; index += 200) {
    await Promise.all(
      openids.slice(index, index + 200).map(({ wechat_openid: openid }) =>
        fetch(`${mocks.url}/wechat/_subscribe`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ openid, results: { TPL_OUTAGE_NOTICE: 'accept' } }),
        }).then((r) => r.arrayBuffer()),
      ),
    );
  }
  await sql('ANALYZE');
  out(`  ${seconds(performance.now() - started)}`);

  const payload = {
    page: 'packages/outages/pages/detail/index?id=1',
    wechat: { thing1: '文三路线路检修', time2: '2026-12-01 08:00', time3: '2026-12-01 12:00', thing4: '西湖区 1 个台区', thing5: '计划停电，请提前做好准备' },
    sms: {
      template: 'outage_notice' as const,
      params: { title: '文三路线路检修', start: '2026-12-01 08:00', end: '2026-12-01 12:00', district: '西湖区', remark: '计划停电，请提前做好准备' },
    },
  };

  out(`\nBaseline: inserting ${CUSTOMERS.toLocaleString('en')} message rows directly`);
  started = performance.now();
  await sql(
    `INSERT INTO notifications (customer_id, event_key, topic, channel, payload, status)
     SELECT id, 'baseline', 'outage', 'sms', $1::jsonb, 'sent' FROM customers`,
    [JSON.stringify(payload)],
  );
  const baselineMs = performance.now() - started;
  out(`  ${seconds(baselineMs)}  ${Math.round(CUSTOMERS / (baselineMs / 1000)).toLocaleString('en')} rows/s`);

  out('\nFan-out and delivery of one outage event, through the jobs');
  const messagesBefore = (await (await fetch(`${mocks.url}/sms/messages`)).json()).messages.length as number;
  const eventKey = 'outage:bench:published:1';
  started = performance.now();
  await runtime.deps.jobs.send(NOTIFICATION_JOBS.fanOut, { eventKey, topic: 'outage', audience: { name: 'outage-areas', params: [['TA-BENCH-01']] }, payload });
  let fannedMs = 0;
  let made = 0;
  for (;;) {
    const {
      rows: [progress],
    } = await sql(
      `SELECT count(*)::int AS made, count(*) FILTER (WHERE status IN ('queued', 'sending'))::int AS pending FROM notifications WHERE event_key = $1`,
      [eventKey],
    );
    if (progress.made === CUSTOMERS && !fannedMs) {
      fannedMs = performance.now() - started;
      made = progress.made;
    }
    if (fannedMs && progress.pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const totalMs = performance.now() - started;
  const { rows: statuses } = await sql(`SELECT status, channel, count(*)::int AS n FROM notifications WHERE event_key = $1 GROUP BY 1, 2 ORDER BY 1, 2`, [
    eventKey,
  ]);
  const sent = statuses.filter((row) => row.status === 'sent').reduce((sum, row) => sum + row.n, 0);
  const smsDelivered = (await (await fetch(`${mocks.url}/sms/messages`)).json()).messages.length - messagesBefore;
  const wechatDelivered = (await (await fetch(`${mocks.url}/wechat/_stats`)).json()).delivered as number;
  out(`  fan-out: ${made.toLocaleString('en')} rows ${seconds(fannedMs)} after the event was queued`);
  out(
    `  delivered: ${sent.toLocaleString('en')} sent (the gateways received ${wechatDelivered.toLocaleString('en')} subscribe messages and ${smsDelivered.toLocaleString('en')} SMS) ${seconds(totalMs)} after the event`,
  );
  out(`  rows by status: ${statuses.map((row) => `${row.status}/${row.channel} ${row.n}`).join(', ')}`);
  out(
    `\nResult: ${Math.round(sent / ((totalMs - fannedMs) / 1000)).toLocaleString('en')} messages/s handed to the gateways once fanned out; ${seconds(totalMs)} from event to the last message;` +
      ` ${(totalMs / baselineMs).toFixed(1)} × the time of the bare row insert (${seconds(baselineMs)})`,
  );
  reportFigure({
    name: `outage event fanned out to ${CUSTOMERS.toLocaleString('en')} customers`,
    value: fannedMs / 1000,
    unit: 's',
    baselineName: 'bare insert of the rows',
    baseline: baselineMs / 1000,
    higherIsBetter: false,
    note: `all delivered in ${seconds(totalMs)}`,
  });
  await runtime.stop();
} finally {
  await mocks.close();
  await cluster.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
