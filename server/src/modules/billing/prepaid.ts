import type { Logger } from 'pino';
import { addDays, shanghaiMidnight } from '../../../../shared/dates';
import { computeBill, registerAdvance, registerDelta, tierYearStart } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import { PERIODS } from '../../../../shared/tariff/types';
import type { Database } from '../../db/database';
import { postBalanceEntry } from './ledger';
import { loadTariffs } from './run';
import { loadBillingSettings } from './settings';

/**
 * Prepaid fee control: each completed day, every prepaid account is charged for that day's kWh
 * (from the day's opening and closing readings, priced with the tier position so far) against its
 * balance. The monthly bill later trues the month up to exactly the bill's amount.
 * One entry per (account, day): running a day again charges nothing.
 */
export async function settlePrepaidDay(deps: { database: Database; log: Logger }, day: string): Promise<{ charged: number; waiting: number }> {
  const { database } = deps;
  const settings = await loadBillingSettings(database);
  const tariffs = await loadTariffs(database.pool);
  const month = day.slice(0, 7);
  const { rows } = await database.pool.query(
    `SELECT p.account_id, p.tariff_code, m.multiplier, m.register_digits,
            json_build_array(s.total, s.sharp, s.peak, s.flat, s.valley) AS opening,
            json_build_array(e.total, e.sharp, e.peak, e.flat, e.valley) AS closing,
            prev.month AS prev_month, prev.tier_counted_kwh AS prev_counted,
            coalesce((SELECT sum((d.details->>'kwh')::int) FROM balance_entries d
                       WHERE d.account_id = p.account_id AND d.kind = 'daily_charge' AND d.details->>'month' = $3
                         AND d.details->>'day' < $4), 0)::int AS month_kwh_before
       FROM billing_profiles p
       JOIN meters m ON m.account_id = p.account_id AND m.removed_at IS NULL
       LEFT JOIN meter_readings s ON s.meter_id = m.id AND s.read_at = $1
       LEFT JOIN meter_readings e ON e.meter_id = m.id AND e.read_at = $2
       LEFT JOIN LATERAL (SELECT month, tier_counted_kwh FROM bills b WHERE b.account_id = p.account_id AND b.month < $3 ORDER BY month DESC LIMIT 1) prev ON true
      WHERE p.billing_mode = 'prepaid'`,
    [shanghaiMidnight(day), shanghaiMidnight(addDays(day, 1)), month, day],
  );
  let charged = 0;
  let waiting = 0;
  for (const row of rows) {
    const tariff = tariffInForce(tariffs, row.tariff_code, month);
    const wrapAt = 10 ** row.register_digits * 100;
    const [from, to] = [row.opening[0] as number | null, row.closing[0] as number | null];
    const kwh = from === null || to === null ? null : registerDelta(from, to, row.multiplier, wrapAt);
    // The day's total is charged; the period registers only divide it, as on the monthly bill.
    const periodAdvance = Object.fromEntries(
      PERIODS.map((period, index) => {
        const [start, end] = [row.opening[index + 1] as number | null, row.closing[index + 1] as number | null];
        return [period, start === null || end === null ? 0 : (registerAdvance(start, end, wrapAt) ?? 0) * row.multiplier];
      }),
    );
    // No readings yet (or a bad pair): the day is charged when they arrive; the monthly true-up covers the rest.
    if (!tariff || kwh === null) {
      waiting += 1;
      continue;
    }
    let before = row.month_kwh_before as number;
    if (tariff.tiers?.basis === 'annual' && row.prev_month && row.prev_month >= tierYearStart(month, tariff.tiers)) before += row.prev_counted;
    // Daily charges are energy only: a two-part tariff's capacity charge is billed monthly.
    const cost = computeBill({ tariff, month, totalKwh: kwh, ...(tariff.pricing.kind === 'tou' ? { periodAdvance } : {}), tierYearKwhBefore: before });
    const posted = await database.transaction((tx) =>
      postBalanceEntry(
        tx,
        {
          accountId: row.account_id,
          kind: 'daily_charge',
          ref: `daily_charge:${row.account_id}:${day}`,
          amountFen: -cost.totalFen,
          details: { month, day, kwh: cost.kwh },
        },
        settings.defaultLowBalanceFen,
      ),
    );
    if (posted.posted) charged += 1;
  }
  deps.log.info({ day, charged, waiting }, 'prepaid accounts settled for the day');
  return { charged, waiting };
}
