import { BillingSettings } from '../../../../shared/contracts/billing';
import type { Database, Tx } from '../../db/database';

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
  const client = 'pool' in executor ? executor.pool : executor.client;
  const { rows } = await client.query<{ settings: unknown }>('SELECT settings FROM billing_settings WHERE id = 1');
  // Stored settings are re-validated: a row written by an older version falls back field by field.
  return rows[0] ? BillingSettings.parse({ ...DEFAULT_BILLING_SETTINGS, ...(rows[0].settings as object) }) : DEFAULT_BILLING_SETTINGS;
}

export async function saveBillingSettings(database: Database, settings: BillingSettings): Promise<BillingSettings> {
  await database.pool.query(
    `INSERT INTO billing_settings (id, settings, updated_at) VALUES (1, $1, now())
     ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
    [settings],
  );
  return settings;
}
