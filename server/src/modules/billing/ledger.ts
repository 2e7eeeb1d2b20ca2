import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database';
import { accountBalances, balanceEntries, customerEvents } from '../../db/schema';

/**
 * Account balances: the one place money is added to or taken from what an account holds
 * (prepaid balance, or prepayment on a postpaid account). Payments and terminals post here too.
 */
export interface BalanceEntry {
  accountId: number;
  kind: 'daily_charge' | 'true_up' | 'top_up' | 'prepayment' | 'bill_settlement' | 'refund' | 'reversal';
  /** What caused the entry, unique: replaying the cause finds the entry and changes nothing. */
  ref: string;
  amountFen: number;
  details?: Record<string, unknown>;
}

export interface PostedEntry {
  posted: boolean;
  balanceFen: number;
}

/**
 * Posts one entry and moves the balance, once per `ref`. Crossing below the account's alert
 * threshold (or below zero) records a customer event, once per crossing; rising back above re-arms it.
 */
export async function postBalanceEntry(tx: Tx, entry: BalanceEntry, defaultThresholdFen: number): Promise<PostedEntry> {
  const { db } = tx;
  await db.insert(accountBalances).values({ accountId: entry.accountId }).onConflictDoNothing({ target: accountBalances.accountId });
  // The row lock serialises every posting to one account.
  const [before] = await db
    .select({
      balanceFen: accountBalances.balanceFen,
      lowThresholdFen: accountBalances.lowThresholdFen,
      lowAlerted: accountBalances.lowAlerted,
      overdrawnAlerted: accountBalances.overdrawnAlerted,
    })
    .from(accountBalances)
    .where(eq(accountBalances.accountId, entry.accountId))
    .for('update');
  const balanceFen = before!.balanceFen + entry.amountFen;
  const inserted = await db
    .insert(balanceEntries)
    .values({
      accountId: entry.accountId,
      kind: entry.kind,
      ref: entry.ref,
      amountFen: entry.amountFen,
      balanceAfterFen: balanceFen,
      details: entry.details ?? {},
    })
    .onConflictDoNothing({ target: balanceEntries.ref });
  if (!inserted.rowCount) return { posted: false, balanceFen: before!.balanceFen };

  const threshold = before!.lowThresholdFen ?? defaultThresholdFen;
  let lowAlerted = before!.lowAlerted;
  let overdrawnAlerted = before!.overdrawnAlerted;
  const event = async (type: string, key: string) =>
    db
      .insert(customerEvents)
      .values({ accountId: entry.accountId, type, dedupeKey: key, payload: { balanceFen, thresholdFen: threshold, cause: entry.ref } })
      .onConflictDoNothing({ target: customerEvents.dedupeKey });
  if (balanceFen < threshold && !lowAlerted) {
    lowAlerted = true;
    await event('balance.low', `balance.low:${entry.ref}`);
  } else if (balanceFen >= threshold) lowAlerted = false;
  if (balanceFen < 0 && !overdrawnAlerted) {
    // Prepaid control: below zero a disconnection is scheduled; the event carries that to the customer.
    overdrawnAlerted = true;
    await event('balance.overdrawn', `balance.overdrawn:${entry.ref}`);
  } else if (balanceFen >= 0) overdrawnAlerted = false;
  await db
    .update(accountBalances)
    .set({ balanceFen, lowAlerted, overdrawnAlerted, updatedAt: sql`now()` })
    .where(eq(accountBalances.accountId, entry.accountId));
  return { posted: true, balanceFen };
}
