import type { BillingSettings } from '../../../../shared/contracts/billing';
import { addDays, shanghaiDate } from '../../../../shared/dates';
import type { TariffVersion } from '../../../../shared/tariff/types';
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database';
import { balanceEntries } from '../../db/schema';
import type { BillDraft } from './compute';
import { applyPrepayment } from './allocation';
import { postBalanceEntry } from './ledger';
import { accountsHoldingBalance, copyBills, copyReceivables, drawBillIds } from './repository';

type BalanceEntryRow = typeof balanceEntries.$inferSelect;

export interface IssuedBill {
  billId: number;
  accountId: number;
  month: string;
  amountFen: number;
  billingMode: 'postpaid' | 'prepaid';
}

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
  const ids = await drawBillIds(tx, drafts.length);
  const stamp = now.toISOString();
  await copyBills(
    tx,
    drafts.map(({ accountId, tariff, draft }, index) => ({
      id: ids[index]!,
      accountId,
      month,
      status: draft.status,
      tariffCode: tariff.code,
      tariffVersion: tariff.version,
      kwh: draft.kwh,
      amountFen: draft.amountFen,
      tierCountedKwh: draft.tierCountedKwh,
      history: draft.history,
      detail: draft.detail,
      anomalies: draft.anomalies,
      runId,
      published: draft.status === 'published',
    })),
    stamp,
  );
  const issued = drafts.flatMap(({ accountId, billingMode, draft }, index) =>
    draft.status === 'published' ? [{ billId: ids[index]!, accountId, month, amountFen: draft.amountFen, billingMode }] : [],
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
  await copyReceivables(
    tx,
    bills.map((bill) => ({
      accountId: bill.accountId,
      billId: bill.billId,
      month: bill.month,
      principalFen: bill.amountFen,
      principalPaidFen: bill.billingMode === 'prepaid' ? bill.amountFen : 0,
      dueDate,
      settled: bill.billingMode === 'prepaid' || bill.amountFen === 0,
    })),
    stamp,
  );
  // Prepayment held by a postpaid account pays its new bill at once. Few accounts hold any: one
  // indexed query finds them, and only those take the per-account path.
  const postpaid = bills.filter((bill) => bill.billingMode === 'postpaid' && bill.amountFen > 0);
  if (postpaid.length) {
    const holding = await accountsHoldingBalance(
      tx.db,
      postpaid.map((bill) => bill.accountId),
    );
    const billOf = new Map(postpaid.map((bill) => [bill.accountId, bill.billId]));
    for (const accountId of holding) await applyPrepayment(tx, accountId, `prepayment:bill:${billOf.get(accountId)}`, now);
  }
  for (const bill of bills.filter((candidate) => candidate.billingMode === 'prepaid')) {
    const [charged] = await tx.db
      .select({ fen: sql<BalanceEntryRow['amountFen']>`coalesce(-sum(${balanceEntries.amountFen}), 0)::bigint` })
      .from(balanceEntries)
      .where(
        and(eq(balanceEntries.accountId, bill.accountId), eq(balanceEntries.kind, 'daily_charge'), sql`${balanceEntries.details}->>'month' = ${bill.month}`),
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
