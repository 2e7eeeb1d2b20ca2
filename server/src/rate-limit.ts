import type { Clock } from './app';
import { AppError } from './errors';
import type { KeyValueStore } from './redis';

export interface LimitRule {
  name: string;
  limit: number;
  windowMs: number;
}

function refuse(retryAfterMs: number): never {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  throw new AppError('RATE_LIMITED', 'Too many requests; try again later', { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
}

/**
 * Counts one use against a sliding window (in Redis when configured, so every instance shares it)
 * and refuses with 429 and Retry-After once the window is full.
 */
export async function consume(store: KeyValueStore, clock: Clock, rule: LimitRule, key: string): Promise<void> {
  const result = await store.hit(`rl:${rule.name}:${key}`, rule.windowMs, rule.limit, clock.now().getTime());
  if (!result.allowed) refuse(result.retryAfterMs);
}

/** Failure budgets (wrong verification answers): checked before trying, counted only on failure. */
export const failureBudget = (store: KeyValueStore, rule: LimitRule, key: string) => {
  const storeKey = `fail:${rule.name}:${key}`;
  return {
    async check() {
      if (Number((await store.get(storeKey)) ?? 0) >= rule.limit) refuse(rule.windowMs);
    },
    async record() {
      await store.incr(storeKey, rule.windowMs);
    },
  };
};
