import { sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Database } from '../../db/database';
import { utilityProfile } from '../../db/schema';

/**
 * Writes the utility's identity from configuration (production has no demo seed to provide it), so the
 * app's first call (`GET /api/meta`) answers from the first start instead of reporting it unconfigured.
 */
export async function applyUtilityProfile(database: Database, profile: NonNullable<Config['utility']>): Promise<void> {
  await database.db
    .insert(utilityProfile)
    .values({ id: 1, ...profile })
    .onConflictDoUpdate({ target: utilityProfile.id, set: { ...profile, updatedAt: sql`now()` } });
}
