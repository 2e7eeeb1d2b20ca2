import { createRedisStore } from './ioredis';
import { createMemoryStore } from './memory';
import type { KeyValueStore } from './store';

export type { KeyValueStore, SlidingWindowResult } from './store';

export function openKeyValueStore(redisUrl: string | undefined): Promise<KeyValueStore> {
  return redisUrl ? createRedisStore(redisUrl) : Promise.resolve(createMemoryStore());
}
