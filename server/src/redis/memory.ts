import type { KeyValueStore, SlidingWindowResult } from './store';

interface Entry {
  value: string;
  expiresAt: number;
}

/** In-process stand-in for Redis: one instance only. Expired keys are dropped when read. */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const values = new Map<string, Entry>();
  const windows = new Map<string, number[]>();

  const live = (key: string): Entry | undefined => {
    const entry = values.get(key);
    if (entry && entry.expiresAt <= now()) {
      values.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    kind: 'in-process',
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, options = {}) {
      if (options.onlyIfAbsent && live(key)) return false;
      values.set(key, { value, expiresAt: options.ttlMs ? now() + options.ttlMs : Infinity });
      return true;
    },
    async del(key) {
      const existed = live(key) !== undefined || windows.has(key);
      values.delete(key);
      windows.delete(key);
      return existed ? 1 : 0;
    },
    async incr(key, ttlMs) {
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + 1;
      values.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? (ttlMs ? now() + ttlMs : Infinity) });
      return next;
    },
    async hit(key, windowMs, limit, nowMs): Promise<SlidingWindowResult> {
      const hits = (windows.get(key) ?? []).filter((at) => at > nowMs - windowMs);
      if (hits.length >= limit) {
        windows.set(key, hits);
        return { allowed: false, count: hits.length, retryAfterMs: hits[0]! + windowMs - nowMs };
      }
      hits.push(nowMs);
      windows.set(key, hits);
      return { allowed: true, count: hits.length, retryAfterMs: 0 };
    },
    async ping() {
      return 0;
    },
    async close() {
      values.clear();
      windows.clear();
    },
  };
}
