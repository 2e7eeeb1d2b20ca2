import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNudge } from '../../server/src/jobs/nudge';

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-03-02T08:00:00Z') }));
afterEach(() => vi.useRealTimers());

describe('coalescing nudge', () => {
  it('follows every request with a send made after it, and sends at most once per gap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 250 }), { minLength: 1, maxLength: 40 }), async (pauses) => {
        const sends: number[] = [];
        const nudge = createNudge(
          async () => void sends.push(Date.now()),
          () => {},
          100,
        );
        const requests: number[] = [];
        for (const pause of pauses) {
          await vi.advanceTimersByTimeAsync(pause);
          requests.push(Date.now());
          await nudge();
        }
        await vi.advanceTimersByTimeAsync(200);
        for (const at of requests) expect(sends.some((sent) => sent >= at)).toBe(true);
        for (let i = 1; i < sends.length; i += 1) expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(100);
        expect(sends.length).toBeLessThanOrEqual(requests.length);
      }),
      { numRuns: 100 },
    );
  });

  it('reports a failed send and still sends for the next request', async () => {
    const errors: string[] = [];
    let calls = 0;
    const nudge = createNudge(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('queue unavailable');
      },
      (err) => void errors.push(err.message),
    );
    await nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['queue unavailable']);
    await nudge();
    await vi.advanceTimersByTimeAsync(150);
    expect(calls).toBe(2);
  });
});
