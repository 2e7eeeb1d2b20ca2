import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { paymentAllocations } from '../../db/schema';

/**
 * Functions other modules call to read or write billing's tables (see the module ownership table
 * in docs): plain functions over the caller's `Db`, typed by the schema.
 */

/** Payments' electronic receipt: how a payment was split over bill months and prepayment, by its allocation ref. */
export async function allocationByRef(db: Db, ref: string) {
  const [row] = await db
    .select({ lines: paymentAllocations.lines, prepaymentFen: paymentAllocations.prepaymentFen, amountFen: paymentAllocations.amountFen })
    .from(paymentAllocations)
    .where(eq(paymentAllocations.ref, ref));
  return row;
}
