import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Tx } from '../db/database';

export interface JobDefinition<Data extends object = object> {
  name: string;
  handler: (data: Data) => Promise<void>;
  /** pg-boss queue policy; `stately` keeps at most one queued and one running job. */
  policy?: 'standard' | 'singleton' | 'stately';
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Cron (minute resolution) on which the job is also enqueued, as a safety sweep. */
  cron?: string;
  /** Jobs of this queue this instance runs at the same time (default 1). */
  workers?: number;
}

/**
 * The one job mechanism: durable pg-boss queues in the product's own PostgreSQL, so a job can be
 * enqueued inside the transaction that makes the business change and exists only if it commits.
 */
export interface JobQueue {
  define<Data extends object>(job: JobDefinition<Data>): void;
  send(name: string, data?: object): Promise<string | null>;
  /** Enqueues through the transaction's own connection: rolled back with it, visible only on commit. */
  sendInTx(tx: Tx, name: string, data?: object): Promise<string | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly boss: PgBoss;
}

export function createJobQueue(options: { url: string; poolMax: number; log: Logger; pollingSeconds?: number }): JobQueue {
  const boss = new PgBoss({ connectionString: options.url, max: options.poolMax, application_name: 'power-jobs' });
  let started = false;
  let stopped = false;
  boss.on('error', (err: Error & { code?: string }) => {
    // Connections closing as the database shuts down after us are not worth an alarm.
    if (stopped) return;
    options.log.error({ err: { message: err.message, code: err.code } }, 'job queue error');
  });
  const definitions = new Map<string, JobDefinition>();
  const workers = new Map<string, string[]>();

  return {
    boss,
    define(job) {
      if (started) throw new Error(`job ${job.name} defined after the queue started`);
      definitions.set(job.name, job as unknown as JobDefinition);
    },
    async send(name, data = {}) {
      const id = await boss.send(name, data);
      // This instance's workers fetch now instead of at their next poll (up to a second away);
      // other instances' find the job at theirs.
      for (const worker of workers.get(name) ?? []) boss.notifyWorker(worker);
      return id;
    },
    sendInTx: async (tx, name, data = {}) => {
      await tx.flush();
      return boss.send(name, data, { db: { executeSql: (text, values) => tx.client.query(text, values) } });
    },
    async start() {
      await boss.start();
      for (const job of definitions.values()) {
        await boss.createQueue(job.name, {
          name: job.name,
          policy: job.policy ?? 'standard',
          retryLimit: job.retryLimit ?? 5,
          retryDelay: job.retryDelaySeconds ?? 5,
          retryBackoff: true,
        });
        for (let worker = 0; worker < (job.workers ?? 1); worker += 1) {
          const worker = await boss.work(job.name, { pollingIntervalSeconds: options.pollingSeconds ?? 1 }, async (jobs) => {
            for (const { id, data } of jobs) {
              const log = options.log.child({ job: job.name, jobId: id });
              log.debug('job started');
              await job.handler(data as object);
              log.debug('job finished');
            }
          });
          workers.set(job.name, [...(workers.get(job.name) ?? []), worker]);
        }
        if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'Asia/Shanghai' });
      }
      started = true;
    },
    async stop() {
      stopped = true;
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
