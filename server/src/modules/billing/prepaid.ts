import type { Logger } from 'pino';
import { addDays, shanghaiMidnight } from '../../../../shared/dates';
import { computeBill, registerAdvance, registerDelta, tierYearStart } from '../../../../shared/tariff/engine';
import { tariffInForce } from '../../../../shared/tariff/presets';
import { PERIODS } from '../../../../shared/tariff/types';
import { sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database, Db } from '../../db/database';
import { balanceEntries, billingProfiles, bills, meterReadings, meters } from '../../db/schema';
import { postBalanceEntry } from './ledger';
import { fields, orNull, type RowOf } from './repository';
import { loadTariffs } from './run';
import { loadBillingSettings } from './settings';

type Reading = typeof meterReadings.$inferSelect;
/** A day's registers as read: total, then sharp, peak, flat and valley (null where the meter lacks one, or no reading). */
type Registers = [Reading['total'] | null, Reading['sharp'], Reading['peak'], Reading['flat'], Reading['valley']];

const opening = alias(meterReadings, 's');
const closing = alias(meterReadings, 'e');
const prev = alias(bills, 'prev');
const daily = alias(balanceEntries, 'd');
const registersOf = (reading: typeof opening | typeof closing) =>
  sql<Registers>`json_build_array(${reading.total}, ${reading.sharp}, ${reading.peak}, ${reading.flat}, ${reading.valley})`;

/** Every prepaid account's meter with the day's opening and closing readings and where its tiers stand. */
async function prepaidDay(db: Db, day: string) {
  const month = day.slice(0, 7);
  const list = {
    accountId: billingProfiles.accountId,
    tariffCode: billingProfiles.tariffCode,
    multiplier: meters.multiplier,
    registerDigits: meters.registerDigits,
    opening: registersOf(opening),
    closing: registersOf(closing),
    prevMonth: orNull(prev.month),
    prevCounted: orNull(prev.tierCountedKwh),
    monthKwhBefore: sql<number>`coalesce((SELECT sum((${daily.details}->>'kwh')::int) FROM ${balanceEntries} ${daily}
                       WHERE ${daily.accountId} = ${billingProfiles.accountId} AND ${daily.kind} = 'daily_charge' AND ${daily.details}->>'month' = ${month}
                         AND ${daily.details}->>'day' < ${day}), 0)::int`,
  };
  const { rows } = await db.execute<RowOf<typeof list>>(sql`
    SELECT ${fields(list)}
      FROM ${billingProfiles}
      JOIN ${meters} ON ${meters.accountId} = ${billingProfiles.accountId} AND ${meters.removedAt} IS NULL
      LEFT JOIN ${meterReadings} ${opening} ON ${opening.meterId} = ${meters.id} AND ${opening.readAt} = ${shanghaiMidnight(day)}
      LEFT JOIN ${meterReadings} ${closing} ON ${closing.meterId} = ${meters.id} AND ${closing.readAt} = ${shanghaiMidnight(addDays(day, 1))}
      LEFT JOIN LATERAL (SELECT ${prev.month}, ${prev.tierCountedKwh} FROM ${bills} ${prev}
                          WHERE ${prev.accountId} = ${billingProfiles.accountId} AND ${prev.month} < ${month} ORDER BY ${prev.month} DESC LIMIT 1) ${prev} ON true
     WHERE ${billingProfiles.billingMode} = 'prepaid'`);
  return rows;
}

/**
 * Prepaid fee control: each completed day, every prepaid account is charged for that day's kWh
 * (from the day's opening and closing readings, priced with the tier position so far) against its
 * balance. The monthly bill later trues the month up to exactly the bill's amount.
 * One entry per (account, day): running a day again charges nothing.
 */
export async function settlePrepaidDay(deps: { database: Database; log: Logger }, day: string): Promise<{ charged: number; waiting: number }> {
  const { database } = deps;
  const settings = await loadBillingSettings(database);
  const tariffs = await loadTariffs(database.db);
  const month = day.slice(0, 7);
  const rows = await prepaidDay(database.db, day);
  let charged = 0;
  let waiting = 0;
  for (const row of rows) {
    const tariff = tariffInForce(tariffs, row.tariffCode, month);
    const wrapAt = 10 ** row.registerDigits * 100;
    const [from, to] = [row.opening[0], row.closing[0]];
    const kwh = from === null || to === null ? null : registerDelta(from, to, row.multiplier, wrapAt);
    // The day's total is charged; the period registers only divide it, as on the monthly bill.
    const periodAdvance = Object.fromEntries(
      PERIODS.map((period, index) => {
        const [start, end] = [row.opening[index + 1], row.closing[index + 1]];
        return [period, start == null || end == null ? 0 : (registerAdvance(start, end, wrapAt) ?? 0) * row.multiplier];
      }),
    );
    // No readings yet (or a bad pair): the day is charged when they arrive; the monthly true-up covers the rest.
    if (!tariff || kwh === null) {
      waiting += 1;
      continue;
    }
    let before = row.monthKwhBefore;
    if (tariff.tiers?.basis === 'annual' && row.prevMonth && row.prevMonth >= tierYearStart(month, tariff.tiers)) before += row.prevCounted!;
    // Daily charges are energy only: a two-part tariff's capacity charge is billed monthly.
    const cost = computeBill({ tariff, month, totalKwh: kwh, ...(tariff.pricing.kind === 'tou' ? { periodAdvance } : {}), tierYearKwhBefore: before });
    const posted = await database.transaction((tx) =>
      postBalanceEntry(
        tx,
        {
          accountId: row.accountId,
          kind: 'daily_charge',
          ref: `daily_charge:${row.accountId}:${day}`,
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
