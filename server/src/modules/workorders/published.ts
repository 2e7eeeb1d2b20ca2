/**
 * What other modules may do with work orders' tables: plain functions taking the caller's `db`
 * (so they join its transaction), typed by the schema.
 */
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { serviceGrids } from '../../db/schema';

/** Auth's `staff:create`: makes the new user the manager of these grids; answers the codes that exist (and were changed). */
export async function assignGridManager(db: Db, staffId: number, gridCodes: string[]): Promise<(typeof serviceGrids.$inferSelect)['code'][]> {
  if (gridCodes.length === 0) return [];
  const updated = await db
    .update(serviceGrids)
    .set({ managerStaffId: staffId })
    .where(inArray(serviceGrids.code, gridCodes))
    .returning({ code: serviceGrids.code });
  return updated.map((row) => row.code);
}
