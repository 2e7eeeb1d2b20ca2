/**
 * Service requests under load: 50 customers at once each uploading a small photo (multipart) and
 * filing a complaint that carries it (JSON, with an Idempotency-Key), over HTTP on loopback; and the
 * outbox delivering every new work order to the mock back office, which runs as its own process.
 *
 * Baselines in the same run:
 * - submissions: the same two service calls (store the document, file the request) made directly,
 *   without HTTP, auth or multipart, at the same concurrency;
 * - delivery: the same number of signed webhooks sent straight to the back office from 16 loops at
 *   once (the relay's deliveries in flight), and from one loop, without the outbox's rows, locks
 *   and updates.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { createBackofficeClient } from '../../server/src/integrations/backoffice/client';
import { startRuntime } from '../../server/src/runtime';
import { cpuDuring, cpuPerItem } from './cpu';
import { complaint, createHttpClient, multipart, PHOTO, type RequestOptions } from './client';
import { BENCH_SECRET, benchConfig, startMockProcess } from './environment';
import { reportFigure } from './report';

const CONCURRENCY = 50;
/** The relay's deliveries in flight (its default concurrency). */
const RELAY_LANES = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const out = (line: string) => process.stdout.write(`${line}\n`);
function percentile(sorted: number[], share: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]! : 0;
}

/** Runs `once` from `CONCURRENCY` loops for `SECONDS`; returns submissions per second and latencies in ms. */
async function load(once: (worker: number) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (performance.now() < until) {
        const begun = performance.now();
        try {
          await once(worker);
          latencies.push(performance.now() - begun);
        } catch (err) {
          if (errors++ === 0) out(`  first error: ${(err as Error).message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, count: latencies.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors };
}

const client = createHttpClient(CONCURRENCY);
async function send(url: string, options: RequestOptions) {
  const reply = await client.request(url, options);
  if (reply.status >= 300) throw new Error(`HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
  return reply;
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-bench-requests-'));
await fs.chmod(dir, 0o755);
const quiet = pino({ level: 'warn' });
const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), preferredPort: await freePort(), persistent: false, log: quiet });
const mocks = await startMockProcess(dir);
const mocksUrl = mocks.url;
try {
  await ensureDatabase(cluster.urlFor('postgres'), 'power');
  const config = { ...benchConfig(cluster.urlFor('power'), mocksUrl, mocks.paymentKeys), logLevel: 'warn', dataDir: dir };
  const runtime = await startRuntime({ config, databaseUrl: cluster.urlFor('power'), logger: quiet, port: 0 });
  const { database, tokens, documents, workOrders } = runtime.deps;
  const { rows: customers } = await database.pool.query<{ id: number }>(
    `INSERT INTO customers (phone) SELECT '16' || lpad(i::text, 9, '0') FROM generate_series(1, $1::int) i RETURNING id`,
    [CONCURRENCY * 2],
  );
  const direct = customers.slice(0, CONCURRENCY).map((row) => row.id);
  const viaHttp = customers.slice(CONCURRENCY).map((row) => ({ id: row.id, token: tokens.issue({ audience: 'customer', id: row.id, roles: ['customer'] }) }));

  /** Waits until the outbox has delivered every event written since `fromId`; returns the delivery figures. */
  async function drained(fromId: number) {
    // A cheap check while waiting (it shares the CPU with the relay), the figures once.
    const waiting = async () =>
      (await database.pool.query('SELECT EXISTS (SELECT 1 FROM outbox WHERE id > $1 AND relayed_at IS NULL) AS waiting', [fromId])).rows[0].waiting;
    while (await waiting()) await new Promise((resolve) => setTimeout(resolve, 10));
    const {
      rows: [state],
    } = await database.pool.query(
      `SELECT count(*)::int AS events,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM relayed_at - created_at) * 1000) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM relayed_at - created_at) * 1000) AS p99
         FROM outbox WHERE id > $1 AND topic = 'backoffice'`,
      [fromId],
    );
    return state as { events: number; p50: number; p99: number };
  }
  const lastOutboxId = async () => (await database.pool.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM outbox')).rows[0]!.id;

  out(`\nBaseline: the same service calls without HTTP, ${CONCURRENCY} at once, ${SECONDS} s`);
  let counter = 0;
  let mark = await lastOutboxId();
  const base = await load(async (worker) => {
    const customer = direct[worker]!;
    const document = await documents.store(customer, { kind: 'photo', filename: 'meter.png', bytes: PHOTO });
    await workOrders.submit(customer, `base-${counter++}`, complaint(document.id));
  });
  out(
    `  ${base.perSecond.toFixed(0)} submissions/s  p50 ${base.p50.toFixed(1)} ms  p99 ${base.p99.toFixed(1)} ms  (${base.count} filed, ${base.errors} errors)`,
  );
  const baseDelivery = await drained(mark);

  out(`\nOver HTTP: upload the photo, then file the request with it, ${CONCURRENCY} customers at once, ${SECONDS} s`);
  mark = await lastOutboxId();
  const viaApi = await load(async (worker) => {
    const customer = viaHttp[worker]!;
    const auth = { Authorization: `Bearer ${customer.token}` };
    const upload = multipart({ kind: 'photo' }, { name: 'meter.png', type: 'image/png', bytes: PHOTO });
    const { body: stored } = await send(`${runtime.url}/api/service-requests/documents`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': upload.contentType },
      body: upload.body,
    });
    const filed = await send(`${runtime.url}/api/service-requests`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify(complaint(stored.document.id)),
    });
    if (filed.status !== 201) throw new Error(`expected 201, got ${filed.status}`);
  });
  out(
    `  ${viaApi.perSecond.toFixed(0)} submissions/s  p50 ${viaApi.p50.toFixed(1)} ms  p99 ${viaApi.p99.toFixed(1)} ms  (${viaApi.count} filed, ${viaApi.errors} errors)`,
  );
  const delivery = await drained(mark);

  const BACKLOG = 5_000;
  const cpuOf = { pgDataDir: path.join(dir, 'pg'), peersPid: mocks.pid };
  const client = createBackofficeClient({ url: `${mocksUrl}/backoffice`, secret: BENCH_SECRET, timeoutMs: 5000 });
  /** The same number of signed webhooks sent straight to the back office by `lanes` loops; webhooks per second. */
  async function bareLoop(lanes: number, prefix: string) {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let index = next++; index < BACKLOG; index = next++) {
          const orderId = index % 1000;
          await client.deliver({
            id: `${prefix}-${index}`,
            type: 'workorder.changed',
            occurredAt: new Date().toISOString(),
            data: { orderId, type: 'complaint', step: Math.floor(index / 1000) },
          });
        }
      }),
    );
    return BACKLOG / ((performance.now() - started) / 1000);
  }
  // The back office's first thousands of requests run slower (its JIT, its heap growing): warm it
  // up first, unmeasured, so the relay and the bare loops below all meet it warm.
  await bareLoop(RELAY_LANES, 'bench-warm');

  // The relay's own pace: a backlog of events committed at once (as after a back-office outage),
  // drained; then the same webhooks from bare loops. Rounds alternate the two, and the medians count.
  const ROUNDS = 3;
  const relayRates: number[] = [];
  const bareRates: number[] = [];
  let outOfOrder = 0;
  let relayEvents = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    out(`\nOutbox backlog, round ${round} of ${ROUNDS}: ${BACKLOG} work-order events committed at once, delivered by the relay`);
    mark = await lastOutboxId();
    const writeStarted = performance.now();
    await database.transaction(async (tx) => {
      for (let index = 0; index < BACKLOG; index += 1) {
        // Five events for each of 1,000 orders: each order's go out in order, orders in parallel.
        const orderId = round * 10_000 + (index % 1000);
        await runtime.deps.outbox.write(
          tx,
          'backoffice',
          { type: 'workorder.changed', occurredAt: new Date().toISOString(), data: { orderId, type: 'complaint', step: Math.floor(index / 1000) } },
          `workorder:${orderId}`,
        );
      }
    });
    const committed = performance.now();
    const { result: backlog, ...relayCpu } = await cpuDuring(cpuOf, () => drained(mark));
    // From the commit (not the rows' transaction start) to the last delivery, polled every 10 ms.
    const drainSeconds = (performance.now() - committed) / 1000;
    relayRates.push(backlog.events / drainSeconds);
    relayEvents += backlog.events;
    out(
      `  written and committed in ${((committed - writeStarted) / 1000).toFixed(2)} s; ${relayRates.at(-1)!.toFixed(0)} events/s, last one delivered ${drainSeconds.toFixed(2)} s after commit`,
    );
    out(`  ${cpuPerItem(relayCpu, backlog.events, 'event')}`);
    out(`  baseline: the same webhooks from ${RELAY_LANES} bare loops at once (the relay's deliveries in flight)`);
    const { result: bareRate, ...bareCpu } = await cpuDuring(cpuOf, () => bareLoop(RELAY_LANES, `bench-par-${round}`));
    bareRates.push(bareRate);
    out(`  ${bareRate.toFixed(0)} webhooks/s; ${cpuPerItem(bareCpu, BACKLOG, 'webhook')}`);
  }
  const { events: backofficeEvents } = (await (await fetch(`${mocksUrl}/backoffice/events`)).json()) as {
    events: { id: string; type: string; data: { orderId: number; step?: number } }[];
  };
  // The back office lists events as they arrived: each order's steps must come 0, 1, 2, 3, 4.
  const lastStep = new Map<number, number>();
  for (const { id, type, data } of backofficeEvents) {
    if (!id.startsWith('evt_') || type !== 'workorder.changed' || data.step === undefined) continue; // the relay's, not the bare loops'
    if ((lastStep.get(data.orderId) ?? -1) !== data.step - 1) outOfOrder += 1;
    lastStep.set(data.orderId, data.step);
  }
  out(`\n${outOfOrder} of ${relayEvents} relayed events arrived out of their order's sequence`);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const backlogRate = median(relayRates);
  const bareRate = median(bareRates);

  out(`\nBaseline: ${BACKLOG} signed webhooks sent straight to the back office, one after another`);
  const sequentialRate = await bareLoop(1, 'bench-seq');
  out(`  ${sequentialRate.toFixed(0)} webhooks/s`);

  out(`\nResult:`);
  out(
    `  submissions over HTTP: ${viaApi.perSecond.toFixed(0)}/s, p50 ${viaApi.p50.toFixed(1)} ms, p99 ${viaApi.p99.toFixed(1)} ms — ${(viaApi.perSecond / base.perSecond).toFixed(2)} × the direct service calls (${base.perSecond.toFixed(0)}/s)`,
  );
  out(
    `  outbox while customers file: ${delivery.events} events, commit to back office p50 ${Math.round(delivery.p50)} ms, p99 ${Math.round(delivery.p99)} ms` +
      ` (during the direct-call baseline: ${baseDelivery.events} events, p99 ${Math.round(baseDelivery.p99)} ms)`,
  );
  out(
    `  outbox backlog (medians of ${ROUNDS}): ${backlogRate.toFixed(0)} events/s — ${(backlogRate / bareRate).toFixed(2)} × ${RELAY_LANES} bare webhook loops (${bareRate.toFixed(0)}/s),` +
      ` ${(backlogRate / sequentialRate).toFixed(2)} × one loop (${sequentialRate.toFixed(0)}/s); the back office holds ${backofficeEvents.length} events`,
  );
  reportFigure({
    name: 'Service request filed over HTTP (upload + file)',
    value: viaApi.perSecond,
    unit: '/s',
    baselineName: 'same service calls, no HTTP',
    baseline: base.perSecond,
    higherIsBetter: true,
    note: `p99 ${viaApi.p99.toFixed(0)} ms`,
  });
  reportFigure({
    name: 'Outbox backlog delivered, 5 events per order in order',
    value: backlogRate,
    unit: '/s',
    baselineName: `${RELAY_LANES} bare signed-webhook loops`,
    baseline: bareRate,
    higherIsBetter: true,
    target: { atLeast: 0.8 },
    note: `medians of ${ROUNDS} rounds; one bare loop ${sequentialRate.toFixed(0)}/s; ${outOfOrder} out of order`,
  });
  reportFigure({
    name: 'Outbox commit → back office p99 while customers file',
    value: delivery.p99,
    unit: 'ms',
    higherIsBetter: false,
    passed: delivery.p99 <= 1000,
    note: `${delivery.events} events, p50 ${Math.round(delivery.p50)} ms; goal ≤ 1000 ms`,
  });
  await runtime.stop();
} finally {
  client.close();
  await mocks.close();
  await cluster.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
