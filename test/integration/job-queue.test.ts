import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue, type JobQueue } from '../../server/src/jobs/queue';
import { createTestDatabase } from '../support/harness';

// Workers that poll only every 30 s: anything that runs sooner was woken by the send itself.
const POLLING_SECONDS = 30;

let queue: JobQueue;
const ran: { at: number; data: object }[] = [];

beforeAll(async () => {
  queue = createJobQueue({ url: await createTestDatabase(), poolMax: 4, log: pino({ level: 'silent' }), pollingSeconds: POLLING_SECONDS });
  queue.define<{ n: number }>({
    name: 'probe',
    handler: async (data) => {
      ran.push({ at: Date.now(), data });
    },
  });
  await queue.start();
  // pg-boss's workers make their first fetch as they start; let that empty one pass.
  await new Promise((resolve) => setTimeout(resolve, 500));
});
afterAll(() => queue?.stop());

describe('job queue', () => {
  it('runs a job this instance sends without waiting for the workers’ next poll', async () => {
    for (const n of [1, 2, 3]) {
      const sentAt = Date.now();
      await queue.send('probe', { n });
      const deadline = sentAt + 5_000;
      while (!ran.some((job) => (job.data as { n: number }).n === n) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const job = ran.find((entry) => (entry.data as { n: number }).n === n);
      expect(job, `job ${n} ran`).toBeDefined();
      expect(job!.at - sentAt).toBeLessThan(5_000);
    }
  });
});
