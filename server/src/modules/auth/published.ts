import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { staffUsers } from '../../db/schema';

/** Work orders refuse to reassign to a colleague who is missing or disabled (a caller's mistake, not a foreign-key 500). */
export async function isActiveStaff(db: Db, staffId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.id, staffId), isNull(staffUsers.disabledAt)));
  return Boolean(row);
}

/** The demo seed of service grids names their managers by username (it runs after the staff seed). */
export async function staffIdsByUsername(db: Db, usernames: string[]): Promise<Map<string, number>> {
  const rows = await db.select({ id: staffUsers.id, username: staffUsers.username }).from(staffUsers).where(inArray(staffUsers.username, usernames));
  return new Map(rows.map((row) => [row.username, row.id]));
}
