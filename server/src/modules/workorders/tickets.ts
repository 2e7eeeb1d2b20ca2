import { and, eq, sql } from 'drizzle-orm';
import { shanghaiDate } from '../../../../shared/dates';
import type { Db } from '../../db/database';
import { workOrderTicketCounters as counters } from '../../db/schema';

export const TICKET_PREFIX = 'GD';
const SEQUENCE_DIGITS = 6;

/**
 * The next ticket number of the Shanghai business date of `now`, e.g. GD20261206000123. The counter
 * row stays locked until the submitting transaction (`db`) ends, so concurrent submissions queue for
 * it and numbers are handed out in commit order without duplicates.
 */
export async function nextTicketNo(db: Db, now: Date): Promise<{ ticketNo: string; release: () => Promise<void> }> {
  const businessDate = shanghaiDate(now);
  const [row] = await db
    .insert(counters)
    .values({ businessDate, lastSeq: 1 })
    .onConflictDoUpdate({ target: counters.businessDate, set: { lastSeq: sql`${counters.lastSeq} + 1` } })
    .returning({ lastSeq: counters.lastSeq });
  const seq = row!.lastSeq;
  return {
    ticketNo: `${TICKET_PREFIX}${businessDate.replaceAll('-', '')}${String(seq).padStart(SEQUENCE_DIGITS, '0')}`,
    // A number taken for a submission that turned out to be a repeat is given back: no gap. Safe
    // because this transaction still holds the counter row, so no one has taken a later number.
    release: async () => {
      await db
        .update(counters)
        .set({ lastSeq: sql`${counters.lastSeq} - 1` })
        .where(and(eq(counters.businessDate, businessDate), eq(counters.lastSeq, seq)));
    },
  };
}
