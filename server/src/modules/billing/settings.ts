import { BillingSettings } from '../../../../shared/contracts/billing';
import { eq, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database';
import { billingSettings } from '../../db/schema';

/** The shipped defaults; staff replace them through the settings endpoint. Rates per the handbook. */
export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  anomalies: {
    suddenChangePercent: 30,
    suddenChangeMinKwh: 50,
    consecutiveDrops: 3,
    consecutiveDropMinPercent: 10,
    touToleranceHundredths: 100,
    capacityLoadFactorPercent: 100,
    reverseEnergyMinKwh: 1,
  },
  dueDays: 15,
  lateFeePermille: { residential: 1, otherCurrentYear: 2, otherEarlierYears: 3 },
  defaultLowBalanceFen: 5000,
};

export async function loadBillingSettings(executor: Database | Tx): Promise<BillingSettings> {
  const [row] = await executor.db.select({ settings: billingSettings.settings }).from(billingSettings).where(eq(billingSettings.id, 1));
  // Stored settings are re-validated: a row written by an older version falls back field by field.
  return row ? BillingSettings.parse({ ...DEFAULT_BILLING_SETTINGS, ...row.settings }) : DEFAULT_BILLING_SETTINGS;
}

export async function saveBillingSettings(database: Database, settings: BillingSettings): Promise<BillingSettings> {
  await database.db
    .insert(billingSettings)
    .values({ id: 1, settings, updatedAt: sql`now()` })
    .onConflictDoUpdate({ target: billingSettings.id, set: { settings, updatedAt: sql`now()` } });
  return settings;
}
