import type pg from 'pg';

export interface OwedBill {
  month: string;
  principalFen: number;
  /** Late fee accrued so far, in thousandths of a fen. */
  lateFeeMillifen?: number;
}

/**
 * Gives an account published bills with open receivables, as a bill run would leave them (the
 * bill's detail is a stub: these tests are about what is owed, not how it was computed).
 */
export async function oweBills(pool: pg.Pool, accountNo: string, bills: readonly OwedBill[]): Promise<{ accountId: number; receivableIds: number[] }> {
  const {
    rows: [account],
  } = await pool.query<{ id: number }>('SELECT id FROM electricity_accounts WHERE account_no = $1', [accountNo]);
  if (!account) throw new Error(`no account ${accountNo}`);
  const receivableIds: number[] = [];
  for (const bill of bills) {
    const {
      rows: [row],
    } = await pool.query<{ id: number }>(
      `WITH bill AS (
         INSERT INTO bills (account_id, month, status, tariff_code, tariff_version, kwh, amount_fen, tier_counted_kwh, history, detail, computed_at, published_at)
         VALUES ($1, $2, 'published', 'zj-residential', 1, 100, $3, 100, '{}', '{}', now(), now()) RETURNING id)
       INSERT INTO receivables (account_id, bill_id, month, principal_fen, due_date, late_fee_millifen)
       SELECT $1, bill.id, $2, $3, ($2 || '-20')::date, $4 FROM bill RETURNING id`,
      [account.id, bill.month, bill.principalFen, bill.lateFeeMillifen ?? 0],
    );
    receivableIds.push(row!.id);
  }
  return { accountId: account.id, receivableIds };
}

/** Everything an account holds or has paid: paid principal and late fees over all its receivables, plus its balance. */
export async function ledgerTotal(pool: pg.Pool, accountIds: readonly number[]): Promise<number> {
  const {
    rows: [row],
  } = await pool.query<{ total: number }>(
    `SELECT (SELECT coalesce(sum(principal_paid_fen + late_fee_paid_fen), 0) FROM receivables WHERE account_id = ANY($1))
          + (SELECT coalesce(sum(balance_fen), 0) FROM account_balances WHERE account_id = ANY($1)) AS total`,
    [accountIds],
  );
  return Number(row!.total);
}
