import type { BillingSettings } from '../../../../shared/contracts/billing';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/database';
import { receivables } from '../../db/schema';
import { accountsReadModel as accounts } from '../accounts/published';

/**
 * Accrues late fees on every unpaid receivable for each day after its due date up to and
 * including `through` (a Shanghai date). Residential accounts pay the residential rate; others the
 * current-year rate for days in the bill's own year and the earlier-years rate after it. The fee is
 * kept exactly in thousandths of a fen (fen × per-mille), so daily accrual never rounds.
 * Each receivable moves only from the state it was read in, so a repeated or concurrent run adds nothing.
 */
export async function accrueLateFees(database: Database, settings: BillingSettings, through: string): Promise<{ receivables: number }> {
  const rates = settings.lateFeePermille;
  const r = receivables;
  const throughDate = sql`${through}::date`;
  // Set-based over every unpaid receivable; the class comes from the accounts module's read model.
  const result = await database.db.execute(sql`
    WITH due AS (
       SELECT ${r.id} AS id, ${r.principalFen} - ${r.principalPaidFen} AS outstanding, ${accounts.customerClass} AS customer_class,
              substr(${r.month}, 1, 4)::int AS bill_year, coalesce(${r.lateFeeThrough}, ${r.dueDate}) AS accrued_to
         FROM ${r} JOIN ${accounts} ON ${accounts.id} = ${r.accountId}
        WHERE ${r.settledAt} IS NULL AND ${r.principalPaidFen} < ${r.principalFen}
          AND coalesce(${r.lateFeeThrough}, ${r.dueDate}) < ${throughDate}),
     fees AS (
       SELECT due.id, due.accrued_to,
              sum(due.outstanding * CASE WHEN due.customer_class = 'residential' THEN ${rates.residential}::int
                                         WHEN extract(year FROM day)::int = due.bill_year THEN ${rates.otherCurrentYear}::int
                                         ELSE ${rates.otherEarlierYears}::int END)::bigint AS millifen
         FROM due, generate_series(due.accrued_to + 1, ${throughDate}, interval '1 day') AS day
        GROUP BY due.id, due.accrued_to)
     UPDATE ${r} SET ${sql.identifier(r.lateFeeMillifen.name)} = ${r.lateFeeMillifen} + fees.millifen, ${sql.identifier(r.lateFeeThrough.name)} = ${throughDate}
       FROM fees
      WHERE ${r.id} = fees.id AND coalesce(${r.lateFeeThrough}, ${r.dueDate}) = fees.accrued_to`);
  return { receivables: result.rowCount ?? 0 };
}

/** The late fee a customer sees: the exact accrual rounded half-up to the fen. */
export const lateFeeFen = (millifen: number) => Math.floor((millifen + 500) / 1000);
