import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { serviceGrids } from '../../db/schema';

/** Creating a staff user (auth) makes them manager of the grids named; returns the codes that exist, so the caller can refuse the rest. */
export async function assignGridManager(db: Db, staffId: number, gridCodes: string[]): Promise<string[]> {
  const rows = await db
    .update(serviceGrids)
    .set({ managerStaffId: staffId })
    .where(inArray(serviceGrids.code, gridCodes))
    .returning({ code: serviceGrids.code });
  return rows.map((row) => row.code);
}
