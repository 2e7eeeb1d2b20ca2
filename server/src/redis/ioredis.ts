import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { KeyValueStore } from './store';

// Atomic sliding window: drop hits older than the window, refuse at the limit, else record this hit.
// A random member suffix keeps two hits in the same millisecond distinct.
const SLIDING_WINDOW = `
local key, window, limit, now, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, count, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', key, now, now .. ':' .. member)
redis.call('PEXPIRE', key, window)
return {1, count + 1, 0}
`;

const INCR_WITH_TTL = `
local value = redis.call('INCR', KEYS[1])
if value == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return value
`;

export async function createRedisStore(url: string, keyPrefix = 'power:'): Promise<KeyValueStore> {
  const redis = new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  await redis.connect();
  return {
    kind: 'redis',
    get: (key) => redis.get(key),
    async set(key, value, options = {}) {
      const args: (string | number)[] = [key, value];
      if (options.ttlMs) args.push('PX', options.ttlMs);
      if (options.onlyIfAbsent) args.push('NX');
      return (await redis.call('SET', ...args)) === 'OK';
    },
    del: (key) => redis.del(key),
    async incr(key, ttlMs = 0) {
      return Number(await redis.eval(INCR_WITH_TTL, 1, key, ttlMs));
    },
    async hit(key, windowMs, limit, nowMs) {
      const [allowed, count, retryAfterMs] = (await redis.eval(SLIDING_WINDOW, 1, key, windowMs, limit, nowMs, randomUUID())) as [number, number, number];
      return { allowed: allowed === 1, count, retryAfterMs };
    },
    async ping() {
      const started = performance.now();
      await redis.ping();
      return Math.round(performance.now() - started);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
