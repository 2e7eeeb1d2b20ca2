import type { Logger } from 'pino';
import type { BillingSettings, BillRun } from '../../../../shared/contracts/billing';
import { addDays, shanghaiDate, shanghaiMonth } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import type { Clock } from '../../app';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/database';
import { billRuns } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { AmiClient } from '../../integrations/ami/client';
import type { JobQueue } from '../../jobs/queue';
import { accrueLateFees } from './late-fees';
import { settlePrepaidDay } from './prepaid';
import { createReadingImport } from './readings';
import { createBillReviews, REREAD_JOB } from './reviews';
import { createBillRunner } from './run';
import { loadBillingSettings, saveBillingSettings } from './settings';
import { createBillViews } from './views';

export const BILLING_JOBS = {
  run: 'billing.run',
  import: 'billing.import',
  reread: REREAD_JOB,
  daily: 'billing.daily',
  monthly: 'billing.monthly',
} as const;

type ImportQuery = { interval: 'daily' | 'monthly'; from: string; to: string };

const presentRun = (row: typeof billRuns.$inferSelect): BillRun => ({
  id: row.id,
  month: row.month,
  status: row.status,
  startedAt: row.startedAt?.toISOString() ?? null,
  finishedAt: row.finishedAt?.toISOString() ?? null,
  counts: { accounts: 0, computed: 0, published: 0, held: 0, skipped: 0, waitingForReview: 0, ...row.counts },
  error: row.error,
});

/**
 * Billing: meter readings in, bills out. Readings are imported from the metering system; a monthly
 * run prices every account with the shared tariff engine and holds what the anomaly rules flag;
 * issued bills become receivables; daily jobs settle prepaid accounts and accrue late fees.
 */
export function createBillingService(deps: { database: Database; clock: Clock; jobs: JobQueue; ami: AmiClient; log: Logger; runChunkSize: number }) {
  const { database, jobs, clock } = deps;
  const log = deps.log.child({ module: 'billing' });
  const views = createBillViews({ database, clock });
  const reviews = createBillReviews({ database, clock, jobs, ami: deps.ami, log });
  const runner = createBillRunner({ database, clock, log, chunkSize: deps.runChunkSize });
  const readings = createReadingImport({ database, ami: deps.ami, clock, log });

  async function getRun(runId: number): Promise<BillRun> {
    const [row] = await database.db.select().from(billRuns).where(eq(billRuns.id, runId));
    if (!row) throw notFound('Bill run');
    return presentRun(row);
  }

  const service = {
    views,
    reviews,
    readings,
    runner,
    getRun,

    /** Queues a bill run for an ended month; the job does the work and logs progress. */
    async startRun(month: string): Promise<BillRun> {
      if (month >= shanghaiMonth(clock.now())) throw new AppError('MONTH_NOT_ENDED', `${month} has not ended yet`);
      const runId = await runner.createRun(month);
      await jobs.send(BILLING_JOBS.run, { runId });
      return getRun(runId);
    },

    async queueImport(query: ImportQuery): Promise<string> {
      if (query.from > query.to) throw new AppError('VALIDATION_FAILED', '`from` must not be after `to`');
      return (await jobs.send(BILLING_JOBS.import, query))!;
    },

    getSettings: () => loadBillingSettings(database),
    updateSettings: (settings: BillingSettings) => saveBillingSettings(database, settings),

    /** Yesterday (Shanghai): pull its closing readings, charge prepaid accounts, accrue late fees. */
    async runDaily(day = addDays(shanghaiDate(clock.now()), -1)): Promise<void> {
      await readings.importRange({ interval: 'daily', from: day, to: addDays(day, 1) });
      await settlePrepaidDay({ database, log }, day);
      const result = await accrueLateFees(database, await loadBillingSettings(database), day);
      log.info({ day, ...result }, 'late fees accrued');
    },

    /** Early in a month: import last month's closing readings and run its bills. */
    async runMonthly(): Promise<BillRun> {
      const month = addMonths(shanghaiMonth(clock.now()), -1);
      await readings.importRange({ interval: 'monthly', from: `${month}-01`, to: `${addMonths(month, 1)}-01` });
      const runId = await runner.createRun(month);
      await runner.runMonth(runId);
      return getRun(runId);
    },
  };

  jobs.define<{ runId: number }>({ name: BILLING_JOBS.run, retryLimit: 3, handler: async ({ runId }) => void (await runner.runMonth(runId)) });
  jobs.define<ImportQuery>({ name: BILLING_JOBS.import, retryLimit: 5, handler: async (query) => void (await readings.importRange(query)) });
  jobs.define<{ billId: number }>({
    name: BILLING_JOBS.reread,
    retryLimit: 8,
    retryDelaySeconds: 30,
    handler: async ({ billId }) => void (await reviews.completeReread(billId)),
  });
  jobs.define({ name: BILLING_JOBS.daily, policy: 'stately', cron: '30 0 * * *', handler: () => service.runDaily() });
  jobs.define({ name: BILLING_JOBS.monthly, policy: 'stately', cron: '0 2 2 * *', handler: async () => void (await service.runMonthly()) });
  return service;
}

export type BillingService = ReturnType<typeof createBillingService>;
