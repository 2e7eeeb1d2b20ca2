import { describe, expect, it } from 'vitest';
import { outboxBackoffSeconds } from '../../server/src/jobs/outbox';

describe('outbox retry delay', () => {
  it('doubles from ten seconds and stops growing at an hour', () => {
    expect([1, 2, 3, 4].map(outboxBackoffSeconds)).toEqual([10, 20, 40, 80]);
    expect(outboxBackoffSeconds(20)).toBe(3600);
    for (let attempt = 1; attempt < 40; attempt += 1) {
      expect(outboxBackoffSeconds(attempt + 1)).toBeGreaterThanOrEqual(outboxBackoffSeconds(attempt));
    }
  });
});
