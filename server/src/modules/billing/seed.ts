import type { Logger } from 'pino';
import { addDays, shanghaiDate, shanghaiMidnight, shanghaiMonth } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import { TARIFF_PRESETS } from '../../../../shared/tariff/presets';
import type { Clock } from '../../app';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/database';
import { billingProfiles, meters, receivables, tariffs } from '../../db/schema';
import type { Seeder } from '../../seed';
import { recordSeedRun, seedRunApplied } from '../../seed/published';
import { accountIdsByNo } from '../accounts/published';
import { DEMO_ACCOUNTS } from '../accounts/seed';
import { postBalanceEntry } from './ledger';
import { accrueLateFees } from './late-fees';
import { settlePrepaidDay } from './prepaid';
import { withSessionLock } from './repository';
import { createBillRunner } from './run';
import type { BillingService } from './service';
import { loadBillingSettings } from './settings';

/** The shipped tariff versions are configuration every deployment starts with; loading them again changes nothing. */
export async function ensureTariffPresets(database: Database): Promise<void> {
  for (const { effectiveFrom, description, ...tariff } of TARIFF_PRESETS) {
    await database.db
      .insert(tariffs)
      .values({
        code: tariff.code,
        version: tariff.version,
        effectiveFrom,
        name: tariff.name,
        description,
        customerClass: tariff.customerClass,
        definition: tariff,
      })
      .onConflictDoNothing();
  }
}

/** Each demo account's tariff, metering and billing mode; meter numbers match the mock metering system. */
const DEMO_BILLING: Record<
  string,
  {
    tariffCode: string;
    registers: 'single' | 'peak_valley' | 'four';
    multiplier?: number;
    billingMode?: 'prepaid';
    contractKva?: number;
    demandBasis?: 'capacity' | 'max_demand';
    powerFactorStandard?: 90 | 85 | 80;
  }
> = {
  '3301000001': { tariffCode: 'zj-residential-tou', registers: 'peak_valley' },
  '3301000002': { tariffCode: 'zj-residential', registers: 'single', billingMode: 'prepaid' },
  '3301000003': { tariffCode: 'zj-residential', registers: 'single' },
  '3301000004': { tariffCode: 'zj-commercial', registers: 'single', contractKva: 20 },
  '3301000005': { tariffCode: 'zj-large-industry', registers: 'four', multiplier: 40, contractKva: 630, demandBasis: 'capacity', powerFactorStandard: 90 },
  '3301000006': { tariffCode: 'zj-agricultural', registers: 'single', contractKva: 30 },
};

export const billingSeeder: Seeder = {
  name: 'billing profiles and meters',
  async run(tx, demo) {
    const accounts = await accountIdsByNo(
      tx.db,
      DEMO_ACCOUNTS.map((account) => account.accountNo),
    );
    for (const { id, accountNo } of accounts) {
      const billing = DEMO_BILLING[accountNo]!;
      await tx.db.insert(billingProfiles).values({
        accountId: id,
        tariffCode: billing.tariffCode,
        billingMode: billing.billingMode ?? 'postpaid',
        contractKva: billing.contractKva ?? null,
        demandBasis: billing.demandBasis ?? null,
        powerFactorStandard: billing.powerFactorStandard ?? null,
      });
      await tx.db.insert(meters).values({
        meterNo: `M${accountNo}`,
        accountId: id,
        multiplier: billing.multiplier ?? 1,
        registers: billing.registers,
        installedAt: shanghaiMidnight('2024-01-01'),
      });
    }
    demo.billing = 'A year of bills comes from the mock metering system on first start; October-style anomalies wait at GET /api/staff/billing/reviews';
  },
};

const HISTORY_SEED = 'demo-billing-history';
/** Two instances starting together: the second waits for the first's history, then finds it done. */
const HISTORY_LOCK = 7_250_003;
const DEMO_TOP_UP_FEN = 12_000;

/**
 * The demo's year of billing, made the way production makes it: readings imported from the
 * metering system, one bill run per month (each "run" on the 2nd of the following month), prepaid
 * days settled, late fees accrued. Bills before the latest month are marked paid at the counter so
 * the demo resident owes one bill, not twelve. Runs once per database.
 */
export async function seedBillingHistory(deps: { database: Database; billing: BillingService; clock: Clock; log: Logger }): Promise<void> {
  const { database, billing, log } = deps;
  await withSessionLock(database.pool, [HISTORY_LOCK], async () => {
    if (await seedRunApplied(database.db, HISTORY_SEED)) return;
    const today = shanghaiDate(deps.clock.now());
    const current = shanghaiMonth(deps.clock.now());
    const first = addMonths(current, -12);
    log.info({ from: first, to: addMonths(current, -1) }, 'demo billing history: importing readings');
    await billing.readings.importRange({ interval: 'monthly', from: `${first}-01`, to: `${current}-01` });
    await billing.readings.importRange({ interval: 'daily', from: `${current}-01`, to: today });

    const settings = await loadBillingSettings(database);
    // The counter top-ups and payments below are demo money: only the demo accounts get them.
    const demoAccountNos = DEMO_ACCOUNTS.map((account) => account.accountNo);
    const demoIds = (await accountIdsByNo(database.db, demoAccountNos)).map((account) => account.id);
    const prepaid = await database.db
      .select({ accountId: billingProfiles.accountId })
      .from(billingProfiles)
      .where(and(eq(billingProfiles.billingMode, 'prepaid'), inArray(billingProfiles.accountId, demoIds)));
    for (let month = first; month < current; month = addMonths(month, 1)) {
      const runDay = shanghaiMidnight(`${addMonths(month, 1)}-02`);
      for (const { accountId } of prepaid) {
        await database.transaction((tx) =>
          postBalanceEntry(
            tx,
            { accountId, kind: 'top_up', ref: `demo_top_up:${accountId}:${month}`, amountFen: DEMO_TOP_UP_FEN, details: { channel: 'counter' } },
            settings.defaultLowBalanceFen,
          ),
        );
      }
      const runner = createBillRunner({ database, clock: { now: () => new Date(runDay.getTime() + 2 * 3_600_000) }, log, chunkSize: 1000 });
      const counts = await runner.runMonth(await runner.createRun(month));
      log.info({ month, ...counts }, 'demo billing history: month billed');
    }
    await database.db
      .update(receivables)
      .set({ principalPaidFen: sql`${receivables.principalFen}`, settledAt: sql`(${receivables.dueDate} - 3)::timestamptz` })
      .where(and(inArray(receivables.accountId, demoIds), lt(receivables.month, addMonths(current, -1)), isNull(receivables.settledAt)));
    for (let day = `${current}-01`; day < today; day = addDays(day, 1)) await settlePrepaidDay({ database, log }, day);
    await accrueLateFees(database, settings, addDays(today, -1));
    await recordSeedRun(database.db, HISTORY_SEED);
    log.info('demo billing history: done');
  });
}
