import { describe, expect, it } from 'vitest';
import { memoize } from '../../server/src/memo';

function clockAt(ms: number) {
  const clock = { ms, now: () => new Date(clock.ms) };
  return clock;
}

describe('memoize', () => {
  it('computes once per ttl and shares the computation among concurrent callers', async () => {
    const clock = clockAt(0);
    let calls = 0;
    const get = memoize(async () => ++calls, 1000, clock);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    clock.ms = 999;
    expect(await get()).toBe(1);
    clock.ms = 1000;
    expect(await get()).toBe(2);
  });

  it('does not keep a failure', async () => {
    const clock = clockAt(0);
    let fail = true;
    const get = memoize(
      async () => {
        if (fail) throw new Error('database down');
        return 'ok';
      },
      60_000,
      clock,
    );
    await expect(get()).rejects.toThrow('database down');
    fail = false;
    expect(await get()).toBe('ok');
  });
});
