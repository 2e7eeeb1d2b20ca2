import type { BillComparison, BillDetail, BillingOverview, BillSummary, TierCard } from '../../../../shared/contracts/billing';
import { shanghaiMonth } from '../../../../shared/dates';
import { addMonths, tierPosition, tierYearStart } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { Period, TariffVersion } from '../../../../shared/tariff/types';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { AppError, notFound } from '../../errors';
import { billPeriod, daysInMonth } from './compute';
import { lateFeeFen } from './late-fees';
import { loadTariffs } from './run';
import { loadBillingSettings } from './settings';
import type { StoredBillDetail } from './types';

interface BillRow {
  id: number;
  month: string;
  kwh: number;
  amount_fen: number;
  tariff_code: string;
  tariff_version: number;
  tier_counted_kwh: number;
  detail: StoredBillDetail;
  billing_mode: 'postpaid' | 'prepaid';
  receivable_id: number | null;
  principal_fen: number | null;
  principal_paid_fen: number | null;
  late_fee_millifen: number | null;
  late_fee_paid_fen: number | null;
  due_date: string | null;
  settled_at: Date | null;
}

const BILL_COLUMNS = `b.id, b.month, b.kwh, b.amount_fen, b.tariff_code, b.tariff_version, b.tier_counted_kwh, b.detail, p.billing_mode,
  r.id AS receivable_id, r.principal_fen, r.principal_paid_fen, r.late_fee_millifen, r.late_fee_paid_fen, to_char(r.due_date, 'YYYY-MM-DD') AS due_date, r.settled_at`;
const BILL_FROM = `bills b JOIN billing_profiles p ON p.account_id = b.account_id LEFT JOIN receivables r ON r.bill_id = b.id`;

function summarise(row: BillRow): BillSummary {
  const period = billPeriod(row.month);
  // What is still owed: unpaid principal, and the late fee accrued less what was paid of it.
  const lateFee = Math.max(0, lateFeeFen(row.late_fee_millifen ?? 0) - (row.late_fee_paid_fen ?? 0));
  const principalOwed = (row.principal_fen ?? 0) - (row.principal_paid_fen ?? 0);
  const outstandingFen = principalOwed + lateFee;
  let state: BillSummary['payment']['state'] = 'unpaid';
  if (row.billing_mode === 'prepaid') state = 'settled_from_balance';
  else if (outstandingFen <= 0) state = 'paid';
  else if ((row.principal_paid_fen ?? 0) > 0) state = 'partly_paid';
  return {
    id: row.id,
    month: row.month,
    periodStart: period.start,
    periodEnd: period.end,
    days: period.days,
    kwh: row.kwh,
    amountFen: row.amount_fen,
    payment: { receivableId: row.receivable_id, state, dueDate: row.due_date, outstandingFen: Math.max(0, outstandingFen), lateFeeFen: lateFee },
  };
}

function tierCard(tariff: TariffVersion | undefined, month: string, countedKwh: number): TierCard | null {
  if (!tariff?.tiers) return null;
  const position = tierPosition(tariff, month, countedKwh)!;
  const countedFrom = tariff.tiers.basis === 'annual' ? tierYearStart(month, tariff.tiers) : month;
  return { basis: tariff.tiers.basis, countedFrom, ...position };
}

function compare(current: BillRow, previous: BillRow | undefined): BillComparison | null {
  if (!previous) return null;
  const share = (row: BillRow) => row.detail.peakSharePermille;
  const tiered = current.detail.tierKwh.length > 1;
  return {
    previousMonth: previous.month,
    days: { previous: daysInMonth(previous.month), current: daysInMonth(current.month) },
    kwh: { previous: previous.kwh, current: current.kwh },
    amountFen: { previous: previous.amount_fen, current: current.amount_fen },
    tier: tiered ? { previous: previous.detail.tierReached, current: current.detail.tierReached } : null,
    peakSharePermille: share(current) !== null && share(previous) !== null ? { previous: share(previous)!, current: share(current)! } : null,
  };
}

/** One bill's summary as customers see it, issued or not (reviewers' replies use it too). */
export async function billSummaryById(database: Database, billId: number): Promise<BillSummary> {
  const {
    rows: [row],
  } = await database.pool.query<BillRow>(`SELECT ${BILL_COLUMNS} FROM ${BILL_FROM} WHERE b.id = $1`, [billId]);
  if (!row) throw notFound('Bill');
  return summarise(row);
}

/** What customers read about their bills. Only issued bills are shown; held ones appear as pending months. */
export function createBillViews(deps: { database: Database; clock: Clock }) {
  const { database } = deps;
  let tariffCache: { at: number; versions: TariffVersion[] } | undefined;
  // Tariffs change a few times a year; a minute-old copy is fine for display.
  const tariffs = async () => {
    if (!tariffCache || Date.now() - tariffCache.at > 60_000) tariffCache = { at: Date.now(), versions: await loadTariffs(database.pool) };
    return tariffCache.versions;
  };

  return {
    async overview(accountId: number): Promise<{ overview: BillingOverview; bills: BillSummary[] }> {
      const [
        { rows: bills },
        {
          rows: [profile],
        },
        { rows: pending },
        versions,
        settings,
      ] = await Promise.all([
        database.pool.query<BillRow>(
          `SELECT ${BILL_COLUMNS} FROM ${BILL_FROM} WHERE b.account_id = $1 AND b.status = 'published' ORDER BY b.month DESC LIMIT 36`,
          [accountId],
        ),
        database.pool.query(
          `SELECT p.tariff_code, p.billing_mode, p.contract_kva, coalesce(ab.balance_fen, 0) AS balance_fen, ab.low_threshold_fen
             FROM billing_profiles p LEFT JOIN account_balances ab ON ab.account_id = p.account_id WHERE p.account_id = $1`,
          [accountId],
        ),
        database.pool.query<{ month: string }>(`SELECT month FROM bills WHERE account_id = $1 AND status <> 'published' ORDER BY month`, [accountId]),
        tariffs(),
        loadBillingSettings(database),
      ]);
      if (!profile) throw notFound('Billing account');
      const summaries = bills.map(summarise);
      const currentMonth = shanghaiMonth(deps.clock.now());
      const latest = bills[0];
      const tariff = tariffInForce(versions, profile.tariff_code, currentMonth) ?? tariffInForce(versions, profile.tariff_code, latest?.month ?? currentMonth);
      // The tier card counts the tier year the customer is in now: a new year starts from zero.
      let tier: TierCard | null = null;
      if (tariff?.tiers?.basis === 'monthly') tier = tierCard(tariff, latest?.month ?? currentMonth, latest?.kwh ?? 0);
      else if (tariff?.tiers) {
        const inThisYear = latest !== undefined && latest.month >= tierYearStart(currentMonth, tariff.tiers);
        tier = tierCard(tariff, currentMonth, inThisYear ? latest.tier_counted_kwh : 0);
      }
      const byMonth = new Map(bills.map((bill) => [bill.month, bill]));
      const lastMonth = latest?.month ?? addMonths(currentMonth, -1);
      const usage = Array.from({ length: 12 }, (_, index) => {
        const month = addMonths(lastMonth, index - 11);
        const bill = byMonth.get(month);
        return { month, kwh: bill?.kwh ?? null, amountFen: bill?.amount_fen ?? null };
      });
      const owed = summaries.filter((bill) => bill.payment.state === 'unpaid' || bill.payment.state === 'partly_paid');
      return {
        overview: {
          accountId,
          billingMode: profile.billing_mode,
          tariffName: tariff?.name ?? profile.tariff_code,
          contractKva: profile.contract_kva,
          amountDueFen: owed.reduce((sum, bill) => sum + bill.payment.outstandingFen, 0),
          lateFeeFen: owed.reduce((sum, bill) => sum + bill.payment.lateFeeFen, 0),
          balanceFen: profile.balance_fen,
          // The threshold in force: the customer's own, or the default the alerts use.
          lowBalanceThresholdFen: profile.billing_mode === 'prepaid' ? (profile.low_threshold_fen ?? settings.defaultLowBalanceFen) : null,
          pendingMonths: pending.map((row) => row.month),
          tier,
          usage,
        },
        bills: summaries,
      };
    },

    async detail(accountId: number, month: string): Promise<BillDetail> {
      const { rows } = await database.pool.query<BillRow>(
        `SELECT ${BILL_COLUMNS} FROM ${BILL_FROM}
          WHERE b.account_id = $1 AND b.status = 'published' AND b.month <= $2 ORDER BY b.month DESC LIMIT 2`,
        [accountId, month],
      );
      const [current, previous] = rows;
      if (!current || current.month !== month) throw notFound('Bill');
      const versions = await tariffs();
      const tariff = tariffInForce(versions, current.tariff_code, month);
      const billedWith = versions.find((version) => version.code === current.tariff_code && version.version === current.tariff_version);
      return {
        ...summarise(current),
        tariff: { code: current.tariff_code, version: current.tariff_version, name: billedWith?.name ?? current.tariff_code },
        lines: current.detail.lines,
        // The time-of-use split is the bill's energy lines by period (single-rate bills have none).
        periods: current.detail.lines
          .filter((line) => line.kind === 'energy' && line.key !== 'single')
          .map((line) => ({ period: line.key as Period, kwh: line.quantity, rate: line.rate })),
        tiers: current.detail.tierKwh.map((kwh, index) => ({ tier: index + 1, kwh })),
        tierCard: tierCard(tariff, month, current.tier_counted_kwh),
        readings: current.detail.readings,
        comparison: compare(current, previous),
        adjusted: current.detail.adjusted ?? null,
      };
    },

    async setBalanceAlert(accountId: number, thresholdFen: number): Promise<number> {
      const {
        rows: [profile],
      } = await database.pool.query('SELECT billing_mode FROM billing_profiles WHERE account_id = $1', [accountId]);
      if (profile?.billing_mode !== 'prepaid') throw new AppError('NOT_PREPAID', 'Balance alerts are for prepaid accounts');
      // A new threshold re-arms the alert: if the balance is already below it, the next charge alerts.
      await database.pool.query(
        `INSERT INTO account_balances (account_id, low_threshold_fen) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET low_threshold_fen = EXCLUDED.low_threshold_fen, low_alerted = false, updated_at = now()`,
        [accountId, thresholdFen],
      );
      return thresholdFen;
    },
  };
}

export type BillViews = ReturnType<typeof createBillViews>;
