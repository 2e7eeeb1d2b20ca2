import type { Tx } from '../../db/database';

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
  const { client } = tx;
  await client.query('INSERT INTO account_balances (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING', [entry.accountId]);
  // The row lock serialises every posting to one account.
  const {
    rows: [before],
  } = await client.query<{ balance_fen: number; low_threshold_fen: number | null; low_alerted: boolean; overdrawn_alerted: boolean }>(
    'SELECT balance_fen, low_threshold_fen, low_alerted, overdrawn_alerted FROM account_balances WHERE account_id = $1 FOR UPDATE',
    [entry.accountId],
  );
  const balanceFen = before!.balance_fen + entry.amountFen;
  const inserted = await client.query(
    `INSERT INTO balance_entries (account_id, kind, ref, amount_fen, balance_after_fen, details)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ref) DO NOTHING`,
    [entry.accountId, entry.kind, entry.ref, entry.amountFen, balanceFen, entry.details ?? {}],
  );
  if (!inserted.rowCount) return { posted: false, balanceFen: before!.balance_fen };

  const threshold = before!.low_threshold_fen ?? defaultThresholdFen;
  let lowAlerted = before!.low_alerted;
  let overdrawnAlerted = before!.overdrawn_alerted;
  const event = async (type: string, key: string) =>
    client.query(`INSERT INTO customer_events (account_id, type, dedupe_key, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (dedupe_key) DO NOTHING`, [
      entry.accountId,
      type,
      key,
      { balanceFen, thresholdFen: threshold, cause: entry.ref },
    ]);
  if (balanceFen < threshold && !lowAlerted) {
    lowAlerted = true;
    await event('balance.low', `balance.low:${entry.ref}`);
  } else if (balanceFen >= threshold) lowAlerted = false;
  if (balanceFen < 0 && !overdrawnAlerted) {
    // Prepaid control: below zero a disconnection is scheduled; the event carries that to the customer.
    overdrawnAlerted = true;
    await event('balance.overdrawn', `balance.overdrawn:${entry.ref}`);
  } else if (balanceFen >= 0) overdrawnAlerted = false;
  await client.query('UPDATE account_balances SET balance_fen = $2, low_alerted = $3, overdrawn_alerted = $4, updated_at = now() WHERE account_id = $1', [
    entry.accountId,
    balanceFen,
    lowAlerted,
    overdrawnAlerted,
  ]);
  return { posted: true, balanceFen };
}
