import type { KeyValueStore, SlidingWindowResult } from './store';

interface Entry {
  value: string;
  expiresAt: number;
}

interface Window {
  hits: number[];
  windowMs: number;
}

/** How often expired keys are swept out, as Redis expires them: keys written once and never read (nonces) would otherwise pile up. */
const SWEEP_EVERY_MS = 60_000;

/**
 * In-process stand-in for Redis: one instance only. Expired keys are dropped when read, and swept
 * out at most once a minute on a write. `size` (keys held) is for tests.
 */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore & { readonly size: number } {
  const values = new Map<string, Entry>();
  const windows = new Map<string, Window>();
  let valuesSweptAt = now();
  let windowsSweptAt = -Infinity;

  const sweepValues = () => {
    const at = now();
    if (at - valuesSweptAt < SWEEP_EVERY_MS) return;
    valuesSweptAt = at;
    for (const [key, entry] of values) if (entry.expiresAt <= at) values.delete(key);
  };
  // Windows run on the caller's clock (hit's nowMs), so they are swept on it too.
  const sweepWindows = (nowMs: number) => {
    if (nowMs - windowsSweptAt < SWEEP_EVERY_MS) return;
    windowsSweptAt = nowMs;
    for (const [key, window] of windows) if ((window.hits.at(-1) ?? -Infinity) <= nowMs - window.windowMs) windows.delete(key);
  };

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
    get size() {
      return values.size + windows.size;
    },
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, options = {}) {
      sweepValues();
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
      sweepValues();
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + 1;
      values.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? (ttlMs ? now() + ttlMs : Infinity) });
      return next;
    },
    async hit(key, windowMs, limit, nowMs): Promise<SlidingWindowResult> {
      sweepWindows(nowMs);
      const hits = (windows.get(key)?.hits ?? []).filter((at) => at > nowMs - windowMs);
      if (hits.length >= limit) {
        windows.set(key, { hits, windowMs });
        return { allowed: false, count: hits.length, retryAfterMs: hits[0]! + windowMs - nowMs };
      }
      hits.push(nowMs);
      windows.set(key, { hits, windowMs });
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
