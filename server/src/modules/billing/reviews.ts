import type { Logger } from 'pino';
import type { BillSummary, ReviewItem } from '../../../../shared/contracts/billing';
import { shanghaiMidnight } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { AppError, notFound } from '../../errors';
import type { AmiClient, AmiReading } from '../../integrations/ami/client';
import type { JobQueue } from '../../jobs/queue';
import { computeDraft } from './compute';
import { replaceReading, validateReading } from './readings';
import { issueBills, type IssuedBill } from './issue';
import { draftInput, fetchChunk, loadTariffs } from './run';
import { loadBillingSettings } from './settings';
import { billSummaryById } from './views';
import type { BillReviewRecord } from './types';

export const REREAD_JOB = 'billing.reread';

interface HeldBill {
  id: number;
  account_id: number;
  month: string;
  status: 'held' | 'rereading' | 'published';
}

interface CorrectedReading {
  meterNo: string;
  total: number;
  sharp?: number;
  peak?: number;
  flat?: number;
  valley?: number;
}

const hundredthsToRegister = (value: number | undefined) =>
  value === undefined ? undefined : `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;

/** Staff review of bills the anomaly rules held: approve, correct and issue, or have the meter read again. */
export function createBillReviews(deps: { database: Database; clock: Clock; jobs: JobQueue; ami: AmiClient; log: Logger }) {
  const { database } = deps;

  /** Locks a bill that must be in `expected`; a missing bill is 404, one in another state 409. */
  async function lockBill(tx: Tx, billId: number, expected: HeldBill['status']): Promise<HeldBill> {
    const {
      rows: [bill],
    } = await tx.client.query<HeldBill>('SELECT id, account_id, month, status FROM bills WHERE id = $1 FOR UPDATE', [billId]);
    if (!bill) throw notFound('Bill');
    if (bill.status !== expected) throw new AppError('BILL_NOT_HELD', `The bill is ${bill.status}, not ${expected}`);
    return bill;
  }

  /** Recomputes a bill from the readings now held and either issues it or holds it again. */
  async function recompute(tx: Tx, bill: HeldBill, record: BillReviewRecord, issue: 'always' | 'when_clean', adjusted?: { reason: string }) {
    const settings = await loadBillingSettings(tx);
    const {
      accounts: [account],
    } = await fetchChunk(tx.client, bill.month, 0, 1, bill.account_id);
    const tariff = account && tariffInForce(await loadTariffs(tx.client), account.tariffCode, bill.month);
    if (!account || !tariff) throw new AppError('TARIFF_UNKNOWN', 'The account has no tariff in force for that month');
    const draft = computeDraft(draftInput(account, bill.month, tariff), settings.anomalies);
    const status = issue === 'always' || draft.anomalies.length === 0 ? 'published' : 'held';
    const now = deps.clock.now();
    await tx.client.query(
      `UPDATE bills SET status = $2, tariff_code = $3, tariff_version = $4, kwh = $5, amount_fen = $6, tier_counted_kwh = $7,
              history = $8::int[], detail = $9, anomalies = $10, computed_at = $11,
              published_at = CASE WHEN $2 = 'published' THEN $11::timestamptz END,
              review = review || $12::jsonb
        WHERE id = $1`,
      [
        bill.id,
        status,
        tariff.code,
        tariff.version,
        draft.kwh,
        draft.amountFen,
        draft.tierCountedKwh,
        draft.history,
        { ...draft.detail, ...(adjusted ? { adjusted } : {}) },
        JSON.stringify(draft.anomalies),
        now,
        JSON.stringify([{ ...record, anomalies: draft.anomalies }]),
      ],
    );
    if (status === 'published')
      await issueBills(
        tx,
        [{ billId: bill.id, accountId: bill.account_id, month: bill.month, amountFen: draft.amountFen, billingMode: account.billingMode }],
        settings,
        now,
      );
    return status;
  }

  const summary = (billId: number) => billSummaryById(database, billId);

  /** The closing boundary of the bill's period for a meter: month end, or the meter's removal. */
  async function closingMeters(tx: Tx, bill: HeldBill) {
    const end = shanghaiMidnight(addMonths(bill.month, 1));
    const { rows } = await tx.client.query<{ id: number; meter_no: string; registers: 'single' | 'peak_valley' | 'four'; closing: Date }>(
      `SELECT id, meter_no, registers, least($2::timestamptz, coalesce(removed_at, $2::timestamptz)) AS closing FROM meters
        WHERE account_id = $1 AND installed_at < $2 AND (removed_at IS NULL OR removed_at > $3)`,
      [bill.account_id, end, shanghaiMidnight(bill.month)],
    );
    return rows;
  }

  return {
    async list(filter: { month?: string; code?: string }): Promise<ReviewItem[]> {
      const { rows } = await database.pool.query(
        `SELECT b.id, b.account_id, a.account_no, a.customer_class, b.month, b.status, b.kwh, b.amount_fen, b.anomalies, b.detail, b.computed_at
           FROM bills b JOIN electricity_accounts a ON a.id = b.account_id
          WHERE b.status <> 'published' AND ($1::text IS NULL OR b.month = $1)
            AND ($2::text IS NULL OR b.anomalies @> jsonb_build_array(jsonb_build_object('code', $2::text)))
          ORDER BY b.month, b.id LIMIT 500`,
        [filter.month ?? null, filter.code ?? null],
      );
      return rows.map((row) => ({
        billId: row.id,
        accountId: row.account_id,
        accountNo: row.account_no,
        customerClass: row.customer_class,
        month: row.month,
        status: row.status,
        kwh: row.kwh,
        amountFen: row.amount_fen,
        anomalies: row.anomalies,
        readings: row.detail.readings,
        computedAt: row.computed_at.toISOString(),
      }));
    },

    async approve(billId: number, staffId: number, note: string | undefined): Promise<BillSummary> {
      await database.transaction(async (tx) => {
        const bill = await lockBill(tx, billId, 'held');
        const now = deps.clock.now();
        const record: BillReviewRecord = { action: 'approve', staffId, at: now.toISOString(), ...(note ? { reason: note } : {}) };
        const {
          rows: [issued],
        } = await tx.client.query<{ amount_fen: number; billing_mode: IssuedBill['billingMode'] }>(
          `UPDATE bills b SET status = 'published', published_at = $2, review = review || $3::jsonb FROM billing_profiles p
            WHERE b.id = $1 AND b.status = 'held' AND p.account_id = b.account_id RETURNING b.amount_fen, p.billing_mode`,
          [billId, now, JSON.stringify([record])],
        );
        await issueBills(
          tx,
          [{ billId, accountId: bill.account_id, month: bill.month, amountFen: issued!.amount_fen, billingMode: issued!.billing_mode }],
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
          if (!tariffInForce(await loadTariffs(tx.client), change.tariffCode, bill.month))
            throw new AppError('TARIFF_UNKNOWN', `No tariff ${change.tariffCode} in force for ${bill.month}`);
          await tx.client.query('UPDATE billing_profiles SET tariff_code = $2 WHERE account_id = $1', [bill.account_id, change.tariffCode]);
        }
        const meters = await closingMeters(tx, bill);
        for (const corrected of change.readings ?? []) {
          const meter = meters.find((candidate) => candidate.meter_no === corrected.meterNo);
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
        await tx.client.query(`UPDATE bills SET status = 'rereading', review = review || $2::jsonb WHERE id = $1`, [billId, JSON.stringify([record])]);
        await deps.jobs.sendInTx(tx, REREAD_JOB, { billId });
      });
    },

    /** The re-read job: fetch fresh closing readings, replace them, recompute; clean bills are issued. */
    async completeReread(billId: number): Promise<'published' | 'held' | 'skipped'> {
      const {
        rows: [pending],
      } = await database.pool.query<HeldBill>('SELECT id, account_id, month, status FROM bills WHERE id = $1', [billId]);
      if (pending?.status !== 'rereading') return 'skipped';
      // Outside the transaction: a slow metering system must not hold the bill's lock.
      const meters = await database.transaction((tx) => closingMeters(tx, pending));
      const fresh = await Promise.all(meters.map(async (meter) => ({ meter, reading: await deps.ami.reread(meter.meter_no, meter.closing.toISOString()) })));
      return database.transaction(async (tx) => {
        const bill = await lockBill(tx, billId, 'rereading').catch(() => undefined);
        if (!bill) return 'skipped' as const;
        const now = deps.clock.now();
        for (const { meter, reading } of fresh) {
          const parsed = validateReading(reading, { id: meter.id, registers: meter.registers }, now);
          if ('reason' in parsed) throw new Error(`re-read of ${meter.meter_no} refused: ${parsed.reason}`);
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
