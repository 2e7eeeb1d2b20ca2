import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../mock/src/server';
import { eventually, request, startInstances, type TestApp } from '../support/harness';
import { staffSession } from '../support/identity';

interface ReceivedEvent {
  id: string;
  type: string;
  data: { n: number };
  deliveries: number;
}

let instances: Awaited<ReturnType<typeof startInstances>>;
let mocks: MockServer;
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  // A short delivery timeout, so the slow back office below is "too slow" within a test's time.
  instances = await startInstances(2, { BACKOFFICE_TIMEOUT_MS: '400' });
  ({ mocks } = instances);
  [first, second] = instances.apps as [TestApp, TestApp];
});
afterAll(() => instances?.stop());

const received = async () => (await request(mocks.url, 'GET', '/backoffice/events')).body.events as ReceivedEvent[];

/** Writes a probe event numbered `n` (under `key`, if given); returns its outbox id. */
async function writeEvent(app: TestApp, n: number, key?: string): Promise<number> {
  const { database, outbox } = app.runtime.deps;
  await database.transaction((tx) => outbox.write(tx, 'backoffice', { type: 'probe.changed', data: { n } }, key));
  const { rows } = await database.pool.query<{ id: number }>(`SELECT id FROM outbox WHERE payload->'data'->>'n' = $1`, [String(n)]);
  return rows[0]!.id;
}
const faults = (body: Record<string, number>) => request(mocks.url, 'POST', '/backoffice/_faults', { body });

describe('transactional outbox relayed to the back office', () => {
  it('never relays an event whose transaction rolled back', async () => {
    const { database, outbox } = first.runtime.deps;
    await expect(
      database.transaction(async (tx) => {
        await outbox.write(tx, 'backoffice', { type: 'probe.changed', data: { n: -1 } });
        throw new Error('business rule failed after the event was written');
      }),
    ).rejects.toThrow('business rule failed');
    await writeEvent(first, 0);
    await eventually(async () => ((await received()).some((event) => event.data.n === 0) ? true : undefined));
    await Promise.all([first.runtime.deps.outbox.relay(), second.runtime.deps.outbox.relay()]);
    expect((await received()).some((event) => event.data.n === -1)).toBe(false);
    const pending = await database.pool.query("SELECT count(*)::int AS n FROM outbox WHERE payload->'data'->>'n' = '-1'");
    expect(pending.rows[0].n).toBe(0);
  });

  it('delivers each committed event exactly once while two instances relay at the same time', async () => {
    const numbers = Array.from({ length: 40 }, (_, i) => i + 1);
    await Promise.all(numbers.map((n) => writeEvent(n % 2 ? first : second, n)));
    // Both instances' jobs are running; add explicit relays from both to force contention.
    await Promise.all([first, second, first, second].map((app) => app.runtime.deps.outbox.relay()));
    const events = await eventually(async () => {
      const all = (await received()).filter((event) => event.data.n > 0);
      return all.length === numbers.length ? all : undefined;
    });
    expect(events.map((event) => event.data.n).sort((a, b) => a - b)).toEqual(numbers);
    expect(events.every((event) => event.deliveries === 1)).toBe(true);
    // Delivery happens inside the relay's transaction; the rows show as relayed once it commits.
    await eventually(async () => {
      const { rows } = await first.runtime.deps.database.pool.query('SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL');
      return rows[0].n === 0 ? true : undefined;
    });
  });

  it('keeps an event whose delivery failed and delivers it on a later attempt', async () => {
    await request(mocks.url, 'POST', '/backoffice/_faults', { body: { failNext: 1 } });
    const { database, outbox } = first.runtime.deps;
    const id = await writeEvent(first, 1000);
    const failed = await eventually(async () => {
      const { rows } = await database.pool.query('SELECT attempts, last_error, available_at > now() AS later FROM outbox WHERE id = $1', [id]);
      return rows[0].attempts === 1 ? rows[0] : undefined;
    });
    expect(failed).toMatchObject({ last_error: 'back office answered 503', later: true });
    // Let the retry fall due now instead of in ten seconds.
    await database.pool.query('UPDATE outbox SET available_at = now() WHERE id = $1', [id]);
    await outbox.relay();
    const event = (await received()).find((e) => e.data.n === 1000);
    expect(event).toMatchObject({ id: `evt_${id}`, type: 'probe.changed', deliveries: 1 });
  });

  /** Runs the relay until the event is relayed, making its retry due at once each time. */
  async function relayUntilDelivered(id: number) {
    const { database, outbox } = first.runtime.deps;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await database.pool.query('UPDATE outbox SET available_at = now() WHERE id = $1 AND relayed_at IS NULL', [id]);
      await outbox.relay();
      const { rows } = await database.pool.query('SELECT relayed_at IS NOT NULL AS relayed, attempts, last_error FROM outbox WHERE id = $1', [id]);
      if (rows[0].relayed) return rows[0];
    }
    throw new Error(`event ${id} was never relayed`);
  }

  it('retries a delivery the back office answered too slowly, with the same event id, which it keeps once', async () => {
    const { database } = first.runtime.deps;
    await request(mocks.url, 'POST', '/backoffice/_faults', { body: { delayMs: 1500 } });
    const id = await writeEvent(first, 2000);
    const timedOut = await eventually(async () => {
      const { rows } = await database.pool.query('SELECT attempts, last_error FROM outbox WHERE id = $1', [id]);
      return rows[0].attempts >= 1 ? rows[0] : undefined;
    });
    expect(timedOut.last_error).toMatch(/did not answer within 400 ms/);
    // The back office did take the first delivery, late.
    expect((await received()).find((event) => event.data.n === 2000)).toMatchObject({ id: `evt_${id}`, deliveries: 1 });

    await request(mocks.url, 'POST', '/backoffice/_faults', { body: { delayMs: 0 } });
    expect(await relayUntilDelivered(id)).toMatchObject({ relayed: true });
    const copies = (await received()).filter((event) => event.data.n === 2000);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ id: `evt_${id}`, deliveries: 2 });
  });

  it('delivers again when the back office took an event but its reply was lost; the repeat carries the same id', async () => {
    await request(mocks.url, 'POST', '/backoffice/_faults', { body: { dropReplyNext: 2 } });
    const id = await writeEvent(first, 3000);
    const outcome = await relayUntilDelivered(id);
    // The first relay attempt failed (a lost reply is an unknown outcome, so it is retried later).
    expect(outcome.attempts).toBeGreaterThan(1);
    // Two lost replies, then an answer: three deliveries of one event, one event at the back office.
    const copies = (await received()).filter((event) => event.data.n === 3000);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ id: `evt_${id}`, deliveries: 3 });
  });

  it('is refused by the back office when the signature is wrong', async () => {
    const res = await request(mocks.url, 'POST', '/backoffice/events', {
      body: { id: 'evt_forged', type: 'x', occurredAt: new Date().toISOString(), data: {} },
      headers: { 'X-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-Signature': 'AAAA' },
    });
    expect(res.status).toBe(401);
  });

  it('parks an event after repeated failures, and a staff replay delivers it once', async () => {
    const { outbox, database } = first.runtime.deps;
    // The back office refuses every delivery until the event has used up its attempts.
    await request(mocks.url, 'POST', '/backoffice/_faults', { body: { failNext: 1000 } });
    const id = await writeEvent(first, 900);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await database.pool.query('UPDATE outbox SET available_at = now() WHERE id = $1', [id]);
      await outbox.relay();
    }
    const staff = await staffSession(first, 'backoffice');
    const parked = await first.request('GET', '/api/staff/outbox/parked', { headers: staff });
    expect(parked.body.events.find((event: { id: number }) => event.id === id)).toMatchObject({ topic: 'backoffice', type: 'probe.changed', attempts: 10 });
    expect((await received()).some((event) => event.data.n === 900)).toBe(false);

    await request(mocks.url, 'POST', '/backoffice/_faults', { body: { failNext: 0 } });
    expect((await first.request('POST', `/api/staff/outbox/${id}/replay`, { headers: staff })).body).toEqual({ queued: true });
    expect((await first.request('POST', `/api/staff/outbox/${id}/replay`, { headers: staff })).status).toBe(404);
    const delivered = await eventually(async () => (await received()).find((event) => event.data.n === 900));
    expect(delivered.deliveries).toBe(1);
  });

  it('holds back the later events of a key whose earlier one failed, while other keys go on; then delivers them in order', async () => {
    const { database, outbox } = first.runtime.deps;
    await faults({ failNext: 1 });
    const a1 = await writeEvent(first, 5001, 'probe:A');
    await eventually(async () => {
      const { rows } = await database.pool.query('SELECT attempts FROM outbox WHERE id = $1', [a1]);
      return rows[0].attempts === 1 ? true : undefined;
    });
    await writeEvent(first, 5002, 'probe:A');
    await writeEvent(first, 5003, 'probe:B');
    await Promise.all([first.runtime.deps.outbox.relay(), second.runtime.deps.outbox.relay()]);
    await eventually(async () => ((await received()).some((event) => event.data.n === 5003) ? true : undefined));
    // A's second event waits behind its first, which is backing off.
    expect((await received()).some((event) => event.data.n === 5001 || event.data.n === 5002)).toBe(false);

    await database.pool.query('UPDATE outbox SET available_at = now() WHERE id = $1', [a1]);
    await outbox.relay();
    const order = await eventually(async () => {
      const numbers = (await received()).map((event) => event.data.n).filter((n) => n === 5001 || n === 5002);
      return numbers.length === 2 ? numbers : undefined;
    });
    expect(order).toEqual([5001, 5002]);
  });

  it('delivers different keys at the same time and one key’s events one after another, in order, across two relaying instances', async () => {
    await faults({ delayMs: 250 });
    const keys = Array.from({ length: 8 }, (_, index) => `probe:P${index}`);
    // Three events for each of eight keys, written key by key.
    for (const [index, key] of keys.entries()) for (let step = 0; step < 3; step += 1) await writeEvent(first, 6000 + index * 10 + step, key);
    const started = performance.now();
    await Promise.all([first.runtime.deps.outbox.relay(), second.runtime.deps.outbox.relay()]);
    const events = await eventually(async () => {
      const mine = (await received()).filter((event) => event.data.n >= 6000 && event.data.n < 7000);
      return mine.length === 24 ? mine : undefined;
    });
    const elapsed = performance.now() - started;
    await faults({ delayMs: 0 });
    // One at a time, 24 replies of 250 ms would take 6 s; each key's three in a row take 0.75 s.
    expect(elapsed).toBeLessThan(4_000);
    for (const [index] of keys.entries()) {
      const ofKey = events.map((event) => event.data.n).filter((n) => Math.floor((n - 6000) / 10) === index);
      expect(ofKey).toEqual([6000 + index * 10, 6000 + index * 10 + 1, 6000 + index * 10 + 2]);
    }
    expect(events.every((event) => event.deliveries === 1)).toBe(true);
  });
});
