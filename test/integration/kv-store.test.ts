import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore } from '../../server/src/redis/ioredis';
import { createMemoryStore } from '../../server/src/redis/memory';
import type { KeyValueStore } from '../../server/src/redis';
import { startTestApp } from '../support/harness';

const stores: Array<[string, () => Promise<KeyValueStore>]> = [
  ['in-process', async () => createMemoryStore()],
  ['redis', () => createRedisStore(inject('redisUrl'), `kvtest:${Math.random().toString(36).slice(2)}:`)],
];

// The same behaviour from both implementations: the stand-in may replace Redis only if it keeps the contract.
describe.each(stores)('key-value store (%s)', (_kind, open) => {
  let store: KeyValueStore;
  afterAll(() => store?.close());

  it('sets, gets and deletes values; onlyIfAbsent refuses an existing key', async () => {
    store = await open();
    expect(await store.get('a')).toBeNull();
    expect(await store.set('a', '1')).toBe(true);
    expect(await store.set('a', '2', { onlyIfAbsent: true })).toBe(false);
    expect(await store.get('a')).toBe('1');
    expect(await store.del('a')).toBe(1);
    expect(await store.get('a')).toBeNull();
  });

  it('expires values after their ttl', async () => {
    await store.set('short', 'x', { ttlMs: 50 });
    expect(await store.get('short')).toBe('x');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('short')).toBeNull();
    expect(await store.set('short', 'y', { onlyIfAbsent: true })).toBe(true);
  });

  it('counts, keeping the expiry set at creation', async () => {
    expect(await store.incr('n', 60)).toBe(1);
    expect(await store.incr('n', 60)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 90));
    expect(await store.incr('n', 60)).toBe(1);
  });

  it('admits hits up to the limit within a sliding window and says when to retry', async () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i += 1) expect((await store.hit('w', 1000, 3, t0 + i * 100)).allowed).toBe(true);
    const refused = await store.hit('w', 1000, 3, t0 + 500);
    expect(refused).toEqual({ allowed: false, count: 3, retryAfterMs: 500 });
    // The first hit leaves the window at t0 + 1000.
    expect((await store.hit('w', 1000, 3, t0 + 1001)).allowed).toBe(true);
    expect((await store.hit('w', 1000, 3, t0 + 1002)).allowed).toBe(false);
  });

  it('counts concurrent hits exactly once each', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.hit('burst', 10_000, 20, 5_000_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(20);
  });

  it('answers a ping', async () => {
    expect(await store.ping()).toBeGreaterThanOrEqual(0);
  });
});

describe('server with REDIS_URL', () => {
  it('uses Redis for shared state and reports it in /healthz', async () => {
    const app = await startTestApp({ env: { REDIS_URL: inject('redisUrl') } });
    try {
      const res = await app.request('GET', '/healthz');
      expect(res.status).toBe(200);
      expect(res.body.redis).toMatchObject({ kind: 'redis', status: 'up' });
      await app.runtime.deps.store.set('visible-to-others', 'yes');
      const raw = new Redis(inject('redisUrl'));
      expect(await raw.get('power:visible-to-others')).toBe('yes');
      await raw.quit();
    } finally {
      await app.stop();
    }
  });
});
