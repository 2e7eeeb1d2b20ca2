import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../app';
import type { Config } from '../config';
import { advisoryXactLock, type Database, type Tx } from '../db/database';
import { seedRuns } from '../db/schema';
import { accountsSeeder } from '../modules/accounts/seed';
import { staffSeeder } from '../modules/auth/seed';
import { billingSeeder } from '../modules/billing/seed';
import { metaSeeder } from '../modules/meta/seed';
import { outagesSeeder } from '../modules/outages/seed';
import { terminalsSeeder } from '../modules/terminals/seed';
import { gridsSeeder } from '../modules/workorders/seed';

/** What a person needs to try the demo: logins, account numbers, terminal credentials… */
export type DemoCredentials = Record<string, unknown>;

export interface Seeder {
  name: string;
  /** Writes its demo data and records what a person needs to use it in `demo`; dates come from `clock`. */
  run(tx: Tx, demo: DemoCredentials, log: Logger, config: Config, clock: Clock): Promise<void>;
}

const SEED_NAME = 'demo';

/** Each capability adds its seeder here; they run in order, in one transaction. */
export const seeders: Seeder[] = [metaSeeder, accountsSeeder, billingSeeder, outagesSeeder, staffSeeder, gridsSeeder, terminalsSeeder];

/**
 * Seeds the demo utility once, in one transaction: either every seeder's data is there or none
 * is. Later starts find the recorded run and return the same credentials.
 */
export async function seedDemoData(database: Database, log: Logger, config: Config, clock: Clock): Promise<DemoCredentials> {
  return database.transaction(async (tx) => {
    // Two instances starting together: the second waits here, then finds the seed done.
    await advisoryXactLock(tx.db, 7250002);
    const [done] = await tx.db.select({ summary: seedRuns.summary }).from(seedRuns).where(eq(seedRuns.name, SEED_NAME));
    if (done) return done.summary as DemoCredentials;
    const demo: DemoCredentials = {};
    for (const [index, seeder] of seeders.entries()) {
      log.info({ step: `${index + 1}/${seeders.length}`, seeder: seeder.name }, 'seeding demo data');
      await seeder.run(tx, demo, log, config, clock);
    }
    await tx.db.insert(seedRuns).values({ name: SEED_NAME, summary: demo });
    log.info({ seeders: seeders.length }, 'demo data seeded');
    return demo;
  });
}
