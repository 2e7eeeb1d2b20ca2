import type { Clock } from './app';

/**
 * Keeps one computed value for `ttlMs` by the given clock, for hot data that is the same for every
 * caller (public notices). Concurrent callers during a refresh share one computation; a failed
 * computation is not kept.
 */
export function memoize<T>(compute: () => Promise<T>, ttlMs: number, clock: Clock): () => Promise<T> {
  let cached: { value: Promise<T>; at: number } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (cached && now - cached.at < ttlMs) return cached.value;
    const value = compute();
    const entry = { value, at: now };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
