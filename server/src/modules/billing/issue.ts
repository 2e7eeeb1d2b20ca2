import type { BillingSettings } from '../../../../shared/contracts/billing';
import { addDays, shanghaiDate } from '../../../../shared/dates';
import type { TariffVersion } from '../../../../shared/tariff/types';
import { copyRows, pgIntArray } from '../../db/copy';
import type { Tx } from '../../db/database';
import type { BillDraft } from './compute';
import { applyPrepayment } from './allocation';
import { postBalanceEntry } from './ledger';

export interface IssuedBill {
  billId: number;
  accountId: number;
  month: string;
  amountFen: number;
  billingMode: 'postpaid' | 'prepaid';
}

const BILL_COLUMNS = [
  'id',
  'account_id',
  'month',
  'status',
  'tariff_code',
  'tariff_version',
  'kwh',
  'amount_fen',
  'tier_counted_kwh',
  'history',
  'detail',
  'anomalies',
  'run_id',
  'computed_at',
  'published_at',
];
const RECEIVABLE_COLUMNS = ['account_id', 'bill_id', 'month', 'principal_fen', 'principal_paid_fen', 'due_date', 'settled_at', 'created_at'];

/**
 * Writes new bills with COPY, ids drawn from the sequence first so their receivables can be written
 * the same way. The caller guarantees no bill exists yet for these (account, month) pairs (the run
 * holds the month's lock); if one does, the unique index fails the whole batch and nothing is written.
 */
export async function writeBills(
  tx: Tx,
  month: string,
  runId: number | null,
  drafts: { accountId: number; billingMode: IssuedBill['billingMode']; tariff: TariffVersion; draft: BillDraft }[],
  settings: BillingSettings,
  now: Date,
): Promise<void> {
  if (!drafts.length) return;
  const { rows: ids } = await tx.client.query<{ id: number }>(`SELECT nextval('bills_id_seq') AS id FROM generate_series(1, $1::int)`, [drafts.length]);
  const stamp = now.toISOString();
  await copyRows(
    tx.client,
    'bills',
    BILL_COLUMNS,
    drafts.map(({ accountId, tariff, draft }, index) => [
      ids[index]!.id,
      accountId,
      month,
      draft.status,
      tariff.code,
      tariff.version,
      draft.kwh,
      draft.amountFen,
      draft.tierCountedKwh,
      pgIntArray(draft.history),
      draft.detail,
      draft.anomalies,
      runId,
      stamp,
      draft.status === 'published' ? stamp : null,
    ]),
  );
  const issued = drafts.flatMap(({ accountId, billingMode, draft }, index) =>
    draft.status === 'published' ? [{ billId: ids[index]!.id, accountId, month, amountFen: draft.amountFen, billingMode }] : [],
  );
  await issueBills(tx, issued, settings, now);
}

/**
 * What issuing bills means for the ledger: each gets a receivable due `dueDays` after today. A
 * prepaid account's bill is settled from its balance at once: its daily charges already took the
 * money, and a true-up entry moves the balance by the difference so the month costs exactly the bill.
 */
export async function issueBills(tx: Tx, bills: IssuedBill[], settings: BillingSettings, now: Date): Promise<void> {
  if (!bills.length) return;
  const dueDate = addDays(shanghaiDate(now), settings.dueDays);
  const stamp = now.toISOString();
  await copyRows(
    tx.client,
    'receivables',
    RECEIVABLE_COLUMNS,
    bills.map((bill) => {
      const settled = bill.billingMode === 'prepaid' || bill.amountFen === 0;
      return [
        bill.accountId,
        bill.billId,
        bill.month,
        bill.amountFen,
        bill.billingMode === 'prepaid' ? bill.amountFen : 0,
        dueDate,
        settled ? stamp : null,
        stamp,
      ];
    }),
  );
  // Prepayment held by a postpaid account pays its new bill at once. Few accounts hold any: one
  // indexed query finds them, and only those take the per-account path.
  const postpaid = bills.filter((bill) => bill.billingMode === 'postpaid' && bill.amountFen > 0);
  if (postpaid.length) {
    const { rows: holding } = await tx.client.query<{ account_id: number }>(
      'SELECT account_id FROM account_balances WHERE account_id = ANY($1::bigint[]) AND balance_fen > 0 ORDER BY account_id',
      [postpaid.map((bill) => bill.accountId)],
    );
    const billOf = new Map(postpaid.map((bill) => [bill.accountId, bill.billId]));
    for (const { account_id: accountId } of holding) await applyPrepayment(tx, accountId, `prepayment:bill:${billOf.get(accountId)}`, now);
  }
  for (const bill of bills.filter((candidate) => candidate.billingMode === 'prepaid')) {
    const {
      rows: [charged],
    } = await tx.client.query<{ fen: number }>(
      `SELECT coalesce(-sum(amount_fen), 0)::bigint AS fen FROM balance_entries
        WHERE account_id = $1 AND kind = 'daily_charge' AND details->>'month' = $2`,
      [bill.accountId, bill.month],
    );
    await postBalanceEntry(
      tx,
      {
        accountId: bill.accountId,
        kind: 'true_up',
        ref: `true_up:bill:${bill.billId}`,
        amountFen: charged!.fen - bill.amountFen,
        details: { month: bill.month, billFen: bill.amountFen, dailyChargesFen: charged!.fen },
      },
      settings.defaultLowBalanceFen,
    );
  }
}
