import type { BillingSettings } from '../../../../shared/contracts/billing';
import type { Database } from '../../db/database';

/**
 * Accrues late fees on every unpaid receivable for each day after its due date up to and
 * including `through` (a Shanghai date). Residential accounts pay the residential rate; others the
 * current-year rate for days in the bill's own year and the earlier-years rate after it. The fee is
 * kept exactly in thousandths of a fen (fen × per-mille), so daily accrual never rounds.
 * Each receivable moves only from the state it was read in, so a repeated or concurrent run adds nothing.
 */
export async function accrueLateFees(database: Database, settings: BillingSettings, through: string): Promise<{ receivables: number }> {
  const rates = settings.lateFeePermille;
  const result = await database.pool.query(
    `WITH due AS (
       SELECT r.id, r.principal_fen - r.principal_paid_fen AS outstanding, a.customer_class,
              substr(r.month, 1, 4)::int AS bill_year, coalesce(r.late_fee_through, r.due_date) AS accrued_to
         FROM receivables r JOIN electricity_accounts a ON a.id = r.account_id
        WHERE r.settled_at IS NULL AND r.principal_paid_fen < r.principal_fen
          AND coalesce(r.late_fee_through, r.due_date) < $1::date),
     fees AS (
       SELECT due.id, due.accrued_to,
              sum(due.outstanding * CASE WHEN due.customer_class = 'residential' THEN $2::int
                                         WHEN extract(year FROM day)::int = due.bill_year THEN $3::int ELSE $4::int END)::bigint AS millifen
         FROM due, generate_series(due.accrued_to + 1, $1::date, interval '1 day') AS day
        GROUP BY due.id, due.accrued_to)
     UPDATE receivables r SET late_fee_millifen = r.late_fee_millifen + fees.millifen, late_fee_through = $1::date
       FROM fees
      WHERE r.id = fees.id AND coalesce(r.late_fee_through, r.due_date) = fees.accrued_to`,
    [through, rates.residential, rates.otherCurrentYear, rates.otherEarlierYears],
  );
  return { receivables: result.rowCount ?? 0 };
}

/** The late fee a customer sees: the exact accrual rounded half-up to the fen. */
export const lateFeeFen = (millifen: number) => Math.floor((millifen + 500) / 1000);
