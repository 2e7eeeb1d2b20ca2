import type { Logger } from 'pino';
import type { BillSummary, ReviewItem } from '../../../../shared/contracts/billing';
import { shanghaiMidnight } from '../../../../shared/dates';
import { formatHundredths } from '../../../../shared/money';
import { addMonths } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { Clock } from '../../app';
import { and, asc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database';
import { billingProfiles, bills, meters } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { AmiClient, AmiReading } from '../../integrations/ami/client';
import type { JobQueue } from '../../jobs/queue';
import { accountLabels } from '../accounts/published';
import { computeDraft } from './compute';
import { replaceReading, validateReading } from './readings';
import { issueBills } from './issue';
import { draftInput, fetchChunk, loadTariffs } from './run';
import { loadBillingSettings } from './settings';
import { billSummaryById } from './views';
import type { BillReviewRecord } from './types';

export const REREAD_JOB = 'billing.reread';

type Bill = typeof bills.$inferSelect;
type HeldBill = Pick<Bill, 'id' | 'accountId' | 'month' | 'status'>;
const HELD_BILL = { id: bills.id, accountId: bills.accountId, month: bills.month, status: bills.status };

/** Appends review records to a bill's review history. */
const appendReview = (records: BillReviewRecord[]) => sql`${bills.review} || ${JSON.stringify(records)}::jsonb`;

interface CorrectedReading {
  meterNo: string;
  total: number;
  sharp?: number;
  peak?: number;
  flat?: number;
  valley?: number;
}

const hundredthsToRegister = (value: number | undefined) => (value === undefined ? undefined : formatHundredths(value));

/** Staff review of bills the anomaly rules held: approve, correct and issue, or have the meter read again. */
export function createBillReviews(deps: { database: Database; clock: Clock; jobs: JobQueue; ami: AmiClient; log: Logger }) {
  const { database } = deps;

  /** Locks a bill that must be in `expected`; a missing bill is 404, one in another state 409. */
  async function lockBill(tx: Tx, billId: number, expected: HeldBill['status']): Promise<HeldBill> {
    const [bill] = await tx.db.select(HELD_BILL).from(bills).where(eq(bills.id, billId)).for('update');
    if (!bill) throw notFound('Bill');
    if (bill.status !== expected) throw new AppError('BILL_NOT_HELD', `The bill is ${bill.status}, not ${expected}`);
    return bill;
  }

  /** Recomputes a bill from the readings now held and either issues it or holds it again. */
  async function recompute(tx: Tx, bill: HeldBill, record: BillReviewRecord, issue: 'always' | 'when_clean', adjusted?: { reason: string }) {
    const settings = await loadBillingSettings(tx);
    const {
      accounts: [account],
    } = await fetchChunk(tx.db, bill.month, 0, 1, bill.accountId);
    const tariff = account && tariffInForce(await loadTariffs(tx.db), account.tariffCode, bill.month);
    if (!account || !tariff) throw new AppError('TARIFF_UNKNOWN', 'The account has no tariff in force for that month');
    const draft = computeDraft(draftInput(account, bill.month, tariff), settings.anomalies);
    const status = issue === 'always' || draft.anomalies.length === 0 ? 'published' : 'held';
    const now = deps.clock.now();
    await tx.db
      .update(bills)
      .set({
        status,
        tariffCode: tariff.code,
        tariffVersion: tariff.version,
        kwh: draft.kwh,
        amountFen: draft.amountFen,
        tierCountedKwh: draft.tierCountedKwh,
        // Unknown months stay null in the history (the column's type says number[]).
        history: draft.history as number[],
        detail: { ...draft.detail, ...(adjusted ? { adjusted } : {}) },
        anomalies: draft.anomalies,
        computedAt: now,
        publishedAt: status === 'published' ? now : null,
        review: appendReview([{ ...record, anomalies: draft.anomalies }]),
      })
      .where(eq(bills.id, bill.id));
    if (status === 'published')
      await issueBills(
        tx,
        [{ billId: bill.id, accountId: bill.accountId, month: bill.month, amountFen: draft.amountFen, billingMode: account.billingMode }],
        settings,
        now,
      );
    return status;
  }

  const summary = (billId: number) => billSummaryById(database, billId);

  /** The closing boundary of the bill's period for a meter: month end, or the meter's removal. */
  async function closingMeters(tx: Tx, bill: HeldBill) {
    const end = shanghaiMidnight(addMonths(bill.month, 1));
    return tx.db
      .select({
        id: meters.id,
        meterNo: meters.meterNo,
        registers: meters.registers,
        closing: sql`least(${end}::timestamptz, coalesce(${meters.removedAt}, ${end}::timestamptz))`.mapWith(meters.installedAt),
      })
      .from(meters)
      .where(
        and(
          eq(meters.accountId, bill.accountId),
          lt(meters.installedAt, end),
          or(isNull(meters.removedAt), gt(meters.removedAt, shanghaiMidnight(bill.month))),
        ),
      );
  }

  return {
    async list(filter: { month?: string; code?: string }): Promise<ReviewItem[]> {
      const rows = await database.db
        .select({
          id: bills.id,
          accountId: bills.accountId,
          month: bills.month,
          status: bills.status,
          kwh: bills.kwh,
          amountFen: bills.amountFen,
          anomalies: bills.anomalies,
          detail: bills.detail,
          computedAt: bills.computedAt,
        })
        .from(bills)
        .where(
          and(
            ne(bills.status, 'published'),
            filter.month === undefined ? undefined : eq(bills.month, filter.month),
            filter.code === undefined ? undefined : sql`${bills.anomalies} @> jsonb_build_array(jsonb_build_object('code', ${filter.code}::text))`,
          ),
        )
        .orderBy(asc(bills.month), asc(bills.id))
        .limit(500);
      // Account number and class come from the accounts module, for the listed bills only.
      const labels = await accountLabels(
        database.db,
        rows.map((row) => row.accountId),
      );
      return rows.map((row) => ({
        billId: row.id,
        accountId: row.accountId,
        accountNo: labels.get(row.accountId)!.accountNo,
        customerClass: labels.get(row.accountId)!.customerClass,
        month: row.month,
        // Published bills are filtered out above.
        status: row.status as ReviewItem['status'],
        kwh: row.kwh,
        amountFen: row.amountFen,
        anomalies: row.anomalies,
        readings: row.detail.readings,
        computedAt: row.computedAt.toISOString(),
      }));
    },

    async approve(billId: number, staffId: number, note: string | undefined): Promise<BillSummary> {
      await database.transaction(async (tx) => {
        const bill = await lockBill(tx, billId, 'held');
        const now = deps.clock.now();
        const record: BillReviewRecord = { action: 'approve', staffId, at: now.toISOString(), ...(note ? { reason: note } : {}) };
        const [issued] = await tx.db
          .update(bills)
          .set({ status: 'published', publishedAt: now, review: appendReview([record]) })
          .from(billingProfiles)
          .where(and(eq(bills.id, billId), eq(bills.status, 'held'), eq(billingProfiles.accountId, bills.accountId)))
          .returning({ amountFen: bills.amountFen, billingMode: billingProfiles.billingMode });
        await issueBills(
          tx,
          [{ billId, accountId: bill.accountId, month: bill.month, amountFen: issued!.amountFen, billingMode: issued!.billingMode }],
          await loadBillingSettings(tx),
          now,
        );
      });
      return summary(billId);
    },

    /** Corrects closing readings and/or the tariff, then issues the recomputed bill: a reviewer has looked at it. */
    async adjust(billId: number, staffId: number, change: { reason: string; readings?: CorrectedReading[]; tariffCode?: string }): Promise<BillSummary> {
      await database.transaction(async (tx) => {
        const bill = await lockBill(tx, billId, 'held');
        const now = deps.clock.now();
        if (change.tariffCode) {
          if (!tariffInForce(await loadTariffs(tx.db), change.tariffCode, bill.month))
            throw new AppError('TARIFF_UNKNOWN', `No tariff ${change.tariffCode} in force for ${bill.month}`);
          await tx.db.update(billingProfiles).set({ tariffCode: change.tariffCode }).where(eq(billingProfiles.accountId, bill.accountId));
        }
        const onAccount = await closingMeters(tx, bill);
        for (const corrected of change.readings ?? []) {
          const meter = onAccount.find((candidate) => candidate.meterNo === corrected.meterNo);
          if (!meter) throw new AppError('READING_INVALID', `Meter ${corrected.meterNo} is not on this account for ${bill.month}`);
          const raw: AmiReading = {
            meterNo: corrected.meterNo,
            readAt: meter.closing.toISOString(),
            total: hundredthsToRegister(corrected.total)!,
            sharp: hundredthsToRegister(corrected.sharp),
            peak: hundredthsToRegister(corrected.peak),
            flat: hundredthsToRegister(corrected.flat),
            valley: hundredthsToRegister(corrected.valley),
            quality: 'actual',
          };
          const parsed = validateReading(raw, { id: meter.id, registers: meter.registers }, now);
          if ('reason' in parsed) throw new AppError('READING_INVALID', `Corrected reading for ${corrected.meterNo} refused: ${parsed.reason}`);
          await replaceReading(tx, parsed, 'manual', { reason: change.reason, staffId });
        }
        await recompute(tx, bill, { action: 'adjust', staffId, at: now.toISOString(), reason: change.reason }, 'always', { reason: change.reason });
      });
      return summary(billId);
    },

    async requestReread(billId: number, staffId: number, reason: string): Promise<void> {
      await database.transaction(async (tx) => {
        await lockBill(tx, billId, 'held');
        const record: BillReviewRecord = { action: 'reread', staffId, at: deps.clock.now().toISOString(), reason };
        await tx.db
          .update(bills)
          .set({ status: 'rereading', review: appendReview([record]) })
          .where(eq(bills.id, billId));
        await deps.jobs.sendInTx(tx, REREAD_JOB, { billId });
      });
    },

    /** The re-read job: fetch fresh closing readings, replace them, recompute; clean bills are issued. */
    async completeReread(billId: number): Promise<'published' | 'held' | 'skipped'> {
      const [pending] = await database.db.select(HELD_BILL).from(bills).where(eq(bills.id, billId));
      if (pending?.status !== 'rereading') return 'skipped';
      // Outside the transaction: a slow metering system must not hold the bill's lock.
      const onAccount = await database.transaction((tx) => closingMeters(tx, pending));
      const fresh = await Promise.all(onAccount.map(async (meter) => ({ meter, reading: await deps.ami.reread(meter.meterNo, meter.closing.toISOString()) })));
      return database.transaction(async (tx) => {
        const bill = await lockBill(tx, billId, 'rereading').catch(() => undefined);
        if (!bill) return 'skipped' as const;
        const now = deps.clock.now();
        for (const { meter, reading } of fresh) {
          const parsed = validateReading(reading, { id: meter.id, registers: meter.registers }, now);
          if ('reason' in parsed) throw new Error(`re-read of ${meter.meterNo} refused: ${parsed.reason}`);
          await replaceReading(tx, parsed, 'reread', { billId });
        }
        const status = await recompute(tx, bill, { action: 'reread_received', at: now.toISOString() }, 'when_clean');
        deps.log.info({ billId, status }, 're-read applied');
        return status;
      });
    },
  };
}

export type BillReviews = ReturnType<typeof createBillReviews>;
