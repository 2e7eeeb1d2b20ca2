import { shanghaiDate } from '../../../../shared/dates';
import type { Tx } from '../../db/database';

export const TICKET_PREFIX = 'GD';
const SEQUENCE_DIGITS = 6;

/**
 * The next ticket number of the Shanghai business date of `now`, e.g. GD20261206000123. The counter
 * row stays locked until the submitting transaction ends, so concurrent submissions queue for it and
 * numbers are handed out in commit order without duplicates.
 */
export async function nextTicketNo(tx: Tx, now: Date): Promise<{ ticketNo: string; release: () => Promise<void> }> {
  const businessDate = shanghaiDate(now);
  const {
    rows: [row],
  } = await tx.client.query<{ last_seq: number }>(
    `INSERT INTO work_order_ticket_counters (business_date, last_seq) VALUES ($1, 1)
     ON CONFLICT (business_date) DO UPDATE SET last_seq = work_order_ticket_counters.last_seq + 1 RETURNING last_seq`,
    [businessDate],
  );
  const seq = row!.last_seq;
  return {
    ticketNo: `${TICKET_PREFIX}${businessDate.replaceAll('-', '')}${String(seq).padStart(SEQUENCE_DIGITS, '0')}`,
    // A number taken for a submission that turned out to be a repeat is given back: no gap. Safe
    // because this transaction still holds the counter row, so no one has taken a later number.
    release: async () => {
      await tx.client.query('UPDATE work_order_ticket_counters SET last_seq = last_seq - 1 WHERE business_date = $1 AND last_seq = $2', [businessDate, seq]);
    },
  };
}
