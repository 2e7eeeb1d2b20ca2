/**
 * The small shared-state interface the product needs: values with expiry, counters, and a sliding
 * window for rate limits. Redis backs it when REDIS_URL is set (shared by every server instance);
 * otherwise an in-process stand-in does, which is correct for a single instance only.
 */
export interface SlidingWindowResult {
  allowed: boolean;
  /** Hits counted in the window, including this one when allowed. */
  count: number;
  /** When refused: how long until the oldest hit leaves the window. */
  retryAfterMs: number;
}

export interface KeyValueStore {
  readonly kind: 'redis' | 'in-process';
  get(key: string): Promise<string | null>;
  /** Returns false when `onlyIfAbsent` is set and the key already exists. */
  set(key: string, value: string, options?: { ttlMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  del(key: string): Promise<number>;
  /** Increments and returns the counter; the expiry is set when the counter is created. */
  incr(key: string, ttlMs?: number): Promise<number>;
  /** Records a hit at `nowMs` unless `limit` hits already fall within the last `windowMs`. */
  hit(key: string, windowMs: number, limit: number, nowMs: number): Promise<SlidingWindowResult>;
  /** Round-trip time in milliseconds; throws when the store is unreachable. */
  ping(): Promise<number>;
  close(): Promise<void>;
}
