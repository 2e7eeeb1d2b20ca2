import type { BillComparison, BillDetail, BillingOverview, BillSummary, TierCard } from '../../../../shared/contracts/billing';
import { shanghaiMonth } from '../../../../shared/dates';
import { addMonths, tierPosition, tierYearStart } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import type { Period, TariffVersion } from '../../../../shared/tariff/types';
import type { Clock } from '../../app';
import { and, asc, desc, eq, lte, ne, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/database';
import { accountBalances, billingProfiles, bills, receivables } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import { billPeriod, daysInMonth } from './compute';
import { lateFeeFen } from './late-fees';
import { loadTariffs } from './run';
import { loadBillingSettings } from './settings';

type Balance = typeof accountBalances.$inferSelect;

const BILL_FIELDS = {
  id: bills.id,
  month: bills.month,
  kwh: bills.kwh,
  amountFen: bills.amountFen,
  tariffCode: bills.tariffCode,
  tariffVersion: bills.tariffVersion,
  tierCountedKwh: bills.tierCountedKwh,
  detail: bills.detail,
  billingMode: billingProfiles.billingMode,
  receivableId: receivables.id,
  principalFen: receivables.principalFen,
  principalPaidFen: receivables.principalPaidFen,
  lateFeeMillifen: receivables.lateFeeMillifen,
  lateFeePaidFen: receivables.lateFeePaidFen,
  dueDate: receivables.dueDate,
  settledAt: receivables.settledAt,
};

/** Bills with their account's billing mode and their receivable (none while held). */
const selectBills = (db: Db) =>
  db
    .select(BILL_FIELDS)
    .from(bills)
    .innerJoin(billingProfiles, eq(billingProfiles.accountId, bills.accountId))
    .leftJoin(receivables, eq(receivables.billId, bills.id));
type BillRow = Awaited<ReturnType<typeof selectBills>>[number];

function summarise(row: BillRow): BillSummary {
  const period = billPeriod(row.month);
  // What is still owed: unpaid principal, and the late fee accrued less what was paid of it.
  const lateFee = Math.max(0, lateFeeFen(row.lateFeeMillifen ?? 0) - (row.lateFeePaidFen ?? 0));
  const principalOwed = (row.principalFen ?? 0) - (row.principalPaidFen ?? 0);
  const outstandingFen = principalOwed + lateFee;
  let state: BillSummary['payment']['state'] = 'unpaid';
  if (row.billingMode === 'prepaid') state = 'settled_from_balance';
  else if (outstandingFen <= 0) state = 'paid';
  else if ((row.principalPaidFen ?? 0) > 0) state = 'partly_paid';
  return {
    id: row.id,
    month: row.month,
    periodStart: period.start,
    periodEnd: period.end,
    days: period.days,
    kwh: row.kwh,
    amountFen: row.amountFen,
    payment: { receivableId: row.receivableId, state, dueDate: row.dueDate, outstandingFen: Math.max(0, outstandingFen), lateFeeFen: lateFee },
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
    amountFen: { previous: previous.amountFen, current: current.amountFen },
    tier: tiered ? { previous: previous.detail.tierReached, current: current.detail.tierReached } : null,
    peakSharePermille: share(current) !== null && share(previous) !== null ? { previous: share(previous)!, current: share(current)! } : null,
  };
}

/** One bill's summary as customers see it, issued or not (reviewers' replies use it too). */
export async function billSummaryById(database: Database, billId: number): Promise<BillSummary> {
  const [row] = await selectBills(database.db).where(eq(bills.id, billId));
  if (!row) throw notFound('Bill');
  return summarise(row);
}

/** What customers read about their bills. Only issued bills are shown; held ones appear as pending months. */
export function createBillViews(deps: { database: Database; clock: Clock }) {
  const { database } = deps;
  let tariffCache: { at: number; versions: TariffVersion[] } | undefined;
  // Tariffs change a few times a year; a minute-old copy is fine for display.
  const tariffs = async () => {
    if (!tariffCache || Date.now() - tariffCache.at > 60_000) tariffCache = { at: Date.now(), versions: await loadTariffs(database.db) };
    return tariffCache.versions;
  };

  return {
    async overview(accountId: number): Promise<{ overview: BillingOverview; bills: BillSummary[] }> {
      const [published, [profile], pending, versions, settings] = await Promise.all([
        selectBills(database.db)
          .where(and(eq(bills.accountId, accountId), eq(bills.status, 'published')))
          .orderBy(desc(bills.month))
          .limit(36),
        database.db
          .select({
            tariffCode: billingProfiles.tariffCode,
            billingMode: billingProfiles.billingMode,
            contractKva: billingProfiles.contractKva,
            balanceFen: sql<Balance['balanceFen']>`coalesce(${accountBalances.balanceFen}, 0)`,
            lowThresholdFen: accountBalances.lowThresholdFen,
          })
          .from(billingProfiles)
          .leftJoin(accountBalances, eq(accountBalances.accountId, billingProfiles.accountId))
          .where(eq(billingProfiles.accountId, accountId)),
        database.db
          .select({ month: bills.month })
          .from(bills)
          .where(and(eq(bills.accountId, accountId), ne(bills.status, 'published')))
          .orderBy(asc(bills.month)),
        tariffs(),
        loadBillingSettings(database),
      ]);
      if (!profile) throw notFound('Billing account');
      const summaries = published.map(summarise);
      const currentMonth = shanghaiMonth(deps.clock.now());
      const latest = published[0];
      const tariff = tariffInForce(versions, profile.tariffCode, currentMonth) ?? tariffInForce(versions, profile.tariffCode, latest?.month ?? currentMonth);
      // The tier card counts the tier year the customer is in now: a new year starts from zero.
      let tier: TierCard | null = null;
      if (tariff?.tiers?.basis === 'monthly') tier = tierCard(tariff, latest?.month ?? currentMonth, latest?.kwh ?? 0);
      else if (tariff?.tiers) {
        const inThisYear = latest !== undefined && latest.month >= tierYearStart(currentMonth, tariff.tiers);
        tier = tierCard(tariff, currentMonth, inThisYear ? latest.tierCountedKwh : 0);
      }
      const byMonth = new Map(published.map((bill) => [bill.month, bill]));
      const lastMonth = latest?.month ?? addMonths(currentMonth, -1);
      const usage = Array.from({ length: 12 }, (_, index) => {
        const month = addMonths(lastMonth, index - 11);
        const bill = byMonth.get(month);
        return { month, kwh: bill?.kwh ?? null, amountFen: bill?.amountFen ?? null };
      });
      const owed = summaries.filter((bill) => bill.payment.state === 'unpaid' || bill.payment.state === 'partly_paid');
      return {
        overview: {
          accountId,
          billingMode: profile.billingMode,
          tariffName: tariff?.name ?? profile.tariffCode,
          contractKva: profile.contractKva,
          amountDueFen: owed.reduce((sum, bill) => sum + bill.payment.outstandingFen, 0),
          lateFeeFen: owed.reduce((sum, bill) => sum + bill.payment.lateFeeFen, 0),
          balanceFen: profile.balanceFen,
          // The threshold in force: the customer's own, or the default the alerts use.
          lowBalanceThresholdFen: profile.billingMode === 'prepaid' ? (profile.lowThresholdFen ?? settings.defaultLowBalanceFen) : null,
          pendingMonths: pending.map((row) => row.month),
          tier,
          usage,
        },
        bills: summaries,
      };
    },

    async detail(accountId: number, month: string): Promise<BillDetail> {
      const rows = await selectBills(database.db)
        .where(and(eq(bills.accountId, accountId), eq(bills.status, 'published'), lte(bills.month, month)))
        .orderBy(desc(bills.month))
        .limit(2);
      const [current, previous] = rows;
      if (!current || current.month !== month) throw notFound('Bill');
      const versions = await tariffs();
      const tariff = tariffInForce(versions, current.tariffCode, month);
      const billedWith = versions.find((version) => version.code === current.tariffCode && version.version === current.tariffVersion);
      return {
        ...summarise(current),
        tariff: { code: current.tariffCode, version: current.tariffVersion, name: billedWith?.name ?? current.tariffCode },
        lines: current.detail.lines,
        // The time-of-use split is the bill's energy lines by period (single-rate bills have none).
        periods: current.detail.lines
          .filter((line) => line.kind === 'energy' && line.key !== 'single')
          .map((line) => ({ period: line.key as Period, kwh: line.quantity, rate: line.rate })),
        tiers: current.detail.tierKwh.map((kwh, index) => ({ tier: index + 1, kwh })),
        tierCard: tierCard(tariff, month, current.tierCountedKwh),
        readings: current.detail.readings,
        comparison: compare(current, previous),
        adjusted: current.detail.adjusted ?? null,
      };
    },

    async setBalanceAlert(accountId: number, thresholdFen: number): Promise<number> {
      const [profile] = await database.db
        .select({ billingMode: billingProfiles.billingMode })
        .from(billingProfiles)
        .where(eq(billingProfiles.accountId, accountId));
      if (profile?.billingMode !== 'prepaid') throw new AppError('NOT_PREPAID', 'Balance alerts are for prepaid accounts');
      // A new threshold re-arms the alert: if the balance is already below it, the next charge alerts.
      await database.db
        .insert(accountBalances)
        .values({ accountId, lowThresholdFen: thresholdFen })
        .onConflictDoUpdate({ target: accountBalances.accountId, set: { lowThresholdFen: thresholdFen, lowAlerted: false, updatedAt: sql`now()` } });
      return thresholdFen;
    },
  };
}

export type BillViews = ReturnType<typeof createBillViews>;
