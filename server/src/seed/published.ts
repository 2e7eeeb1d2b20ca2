import { eq } from 'drizzle-orm';
import type { Db } from '../db/database';
import { seedRuns } from '../db/schema';

/** Modules' one-off data loads (billing's demo history): whether `name` has been applied to this database. */
export async function seedRunApplied(db: Db, name: string): Promise<boolean> {
  const [row] = await db.select({ name: seedRuns.name }).from(seedRuns).where(eq(seedRuns.name, name));
  return row !== undefined;
}

/** Records that the one-off load `name` has been applied (the caller holds its own lock). */
export async function recordSeedRun(db: Db, name: string): Promise<void> {
  await db.insert(seedRuns).values({ name });
}
