import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../server/src/redis/memory';

// Keys written once and never read again (terminal nonces, one client's rate-limit window) must
// not stay in a long-running single instance after they expire, as they would not in Redis.
describe('in-process store', () => {
  it('sweeps out expired values that are never read again', async () => {
    let clock = 1_000_000;
    const store = createMemoryStore(() => clock);
    for (let i = 0; i < 1_000; i += 1) await store.set(`nonce:${i}`, '1', { ttlMs: 10_000, onlyIfAbsent: true });
    await store.set('kept', 'x');
    expect(store.size).toBe(1_001);
    clock += 61_000;
    await store.set('later', 'y', { ttlMs: 10_000 });
    expect(store.size).toBe(2);
    expect(await store.get('kept')).toBe('x');
    expect(await store.get('later')).toBe('y');
  });

  it('sweeps out rate-limit windows whose hits have all left the window, and keeps live ones', async () => {
    const store = createMemoryStore();
    const t0 = 5_000_000;
    for (let i = 0; i < 500; i += 1) await store.hit(`ip:${i}`, 10_000, 20, t0);
    await store.hit('hourly', 3_600_000, 1, t0);
    expect(store.size).toBe(501);
    await store.hit('fresh', 10_000, 20, t0 + 61_000);
    expect(store.size).toBe(2);
    // The hour-long window still holds its hit: the next one is refused.
    expect((await store.hit('hourly', 3_600_000, 1, t0 + 61_000)).allowed).toBe(false);
  });
});
