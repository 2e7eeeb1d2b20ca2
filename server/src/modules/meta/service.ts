import { and, desc, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Meta } from '../../../../shared/contracts/meta';
import type { Db } from '../../db/database';
import { notices, utilityProfile } from '../../db/schema';
import { AppError } from '../../errors';

const MAX_NOTICES = 10;

/** The utility's identity and the notices in force at `now`: urgent first, then newest. */
export async function getMeta(db: Db, now: Date): Promise<Meta> {
  const [[profile], rows] = await Promise.all([
    db.select().from(utilityProfile).limit(1),
    db
      .select()
      .from(notices)
      .where(and(lte(notices.publishedAt, now), or(isNull(notices.expiresAt), gt(notices.expiresAt, now))))
      .orderBy(sql`CASE ${notices.level} WHEN 'urgent' THEN 0 WHEN 'important' THEN 1 ELSE 2 END`, desc(notices.publishedAt))
      .limit(MAX_NOTICES),
  ]);
  if (!profile) throw new AppError('SERVICE_UNAVAILABLE', 'The utility profile has not been configured');
  return {
    utility: { name: profile.name, shortName: profile.shortName, hotline: profile.hotline, serviceHours: profile.serviceHours },
    notices: rows.map((row) => ({
      id: row.id,
      title: row.title,
      summary: row.summary,
      level: row.level,
      publishedAt: row.publishedAt.toISOString(),
    })),
  };
}
