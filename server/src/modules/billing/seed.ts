import type { Logger } from 'pino';
import { addDays, shanghaiDate, shanghaiMidnight, shanghaiMonth } from '../../../../shared/dates';
import { addMonths } from '../../../../shared/tariff/engine';
import { TARIFF_PRESETS } from '../../../../shared/tariff/presets';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import type { Seeder } from '../../seed';
import { DEMO_ACCOUNTS } from '../accounts/seed';
import { postBalanceEntry } from './ledger';
import { accrueLateFees } from './late-fees';
import { settlePrepaidDay } from './prepaid';
import { createBillRunner } from './run';
import type { BillingService } from './service';
import { loadBillingSettings } from './settings';

/** The shipped tariff versions are configuration every deployment starts with; loading them again changes nothing. */
export async function ensureTariffPresets(database: Database): Promise<void> {
  for (const { effectiveFrom, description, ...tariff } of TARIFF_PRESETS) {
    await database.pool.query(
      `INSERT INTO tariffs (code, version, effective_from, name, description, customer_class, definition)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [tariff.code, tariff.version, effectiveFrom, tariff.name, description, tariff.customerClass, tariff],
    );
  }
}

/** Each demo account's tariff, metering and billing mode; meter numbers match the mock metering system. */
const DEMO_BILLING: Record<
  string,
  {
    tariffCode: string;
    registers: 'single' | 'peak_valley' | 'four';
    multiplier?: number;
    billingMode?: 'prepaid';
    contractKva?: number;
    demandBasis?: 'capacity' | 'max_demand';
    powerFactorStandard?: 90 | 85 | 80;
  }
> = {
  '3301000001': { tariffCode: 'zj-residential-tou', registers: 'peak_valley' },
  '3301000002': { tariffCode: 'zj-residential', registers: 'single', billingMode: 'prepaid' },
  '3301000003': { tariffCode: 'zj-residential', registers: 'single' },
  '3301000004': { tariffCode: 'zj-commercial', registers: 'single', contractKva: 20 },
  '3301000005': { tariffCode: 'zj-large-industry', registers: 'four', multiplier: 40, contractKva: 630, demandBasis: 'capacity', powerFactorStandard: 90 },
  '3301000006': { tariffCode: 'zj-agricultural', registers: 'single', contractKva: 30 },
};

export const billingSeeder: Seeder = {
  name: 'billing profiles and meters',
  async run(tx, demo) {
    const { rows } = await tx.client.query<{ id: number; account_no: string }>('SELECT id, account_no FROM electricity_accounts WHERE account_no = ANY($1)', [
      DEMO_ACCOUNTS.map((account) => account.accountNo),
    ]);
    for (const { id, account_no: accountNo } of rows) {
      const billing = DEMO_BILLING[accountNo]!;
      await tx.client.query(
        'INSERT INTO billing_profiles (account_id, tariff_code, billing_mode, contract_kva, demand_basis, power_factor_standard) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          id,
          billing.tariffCode,
          billing.billingMode ?? 'postpaid',
          billing.contractKva ?? null,
          billing.demandBasis ?? null,
          billing.powerFactorStandard ?? null,
        ],
      );
      await tx.client.query('INSERT INTO meters (meter_no, account_id, multiplier, registers, installed_at) VALUES ($1, $2, $3, $4, $5)', [
        `M${accountNo}`,
        id,
        billing.multiplier ?? 1,
        billing.registers,
        shanghaiMidnight('2024-01-01'),
      ]);
    }
    demo.billing = 'A year of bills comes from the mock metering system on first start; October-style anomalies wait at GET /api/staff/billing/reviews';
  },
};

const HISTORY_SEED = 'demo-billing-history';
const DEMO_TOP_UP_FEN = 12_000;

/**
 * The demo's year of billing, made the way production makes it: readings imported from the
 * metering system, one bill run per month (each "run" on the 2nd of the following month), prepaid
 * days settled, late fees accrued. Bills before the latest month are marked paid at the counter so
 * the demo resident owes one bill, not twelve. Runs once per database.
 */
export async function seedBillingHistory(deps: { database: Database; billing: BillingService; clock: Clock; log: Logger }): Promise<void> {
  const { database, billing, log } = deps;
  const client = await database.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7250003)');
    const { rowCount } = await client.query('SELECT 1 FROM seed_runs WHERE name = $1', [HISTORY_SEED]);
    if (rowCount) return;
    const today = shanghaiDate(deps.clock.now());
    const current = shanghaiMonth(deps.clock.now());
    const first = addMonths(current, -12);
    log.info({ from: first, to: addMonths(current, -1) }, 'demo billing history: importing readings');
    await billing.readings.importRange({ interval: 'monthly', from: `${first}-01`, to: `${current}-01` });
    await billing.readings.importRange({ interval: 'daily', from: `${current}-01`, to: today });

    const settings = await loadBillingSettings(database);
    // The counter top-ups and payments below are demo money: only the demo accounts get them.
    const demoAccountNos = DEMO_ACCOUNTS.map((account) => account.accountNo);
    const { rows: prepaid } = await database.pool.query<{ account_id: number }>(
      `SELECT p.account_id FROM billing_profiles p JOIN electricity_accounts a ON a.id = p.account_id WHERE p.billing_mode = 'prepaid' AND a.account_no = ANY($1)`,
      [demoAccountNos],
    );
    for (let month = first; month < current; month = addMonths(month, 1)) {
      const runDay = shanghaiMidnight(`${addMonths(month, 1)}-02`);
      for (const { account_id: accountId } of prepaid) {
        await database.transaction((tx) =>
          postBalanceEntry(
            tx,
            { accountId, kind: 'top_up', ref: `demo_top_up:${accountId}:${month}`, amountFen: DEMO_TOP_UP_FEN, details: { channel: 'counter' } },
            settings.defaultLowBalanceFen,
          ),
        );
      }
      const runner = createBillRunner({ database, clock: { now: () => new Date(runDay.getTime() + 2 * 3_600_000) }, log, chunkSize: 1000 });
      const counts = await runner.runMonth(await runner.createRun(month));
      log.info({ month, ...counts }, 'demo billing history: month billed');
    }
    await database.pool.query(
      `UPDATE receivables r SET principal_paid_fen = r.principal_fen, settled_at = (r.due_date - 3)::timestamptz
         FROM electricity_accounts a
        WHERE a.id = r.account_id AND a.account_no = ANY($2) AND r.month < $1 AND r.settled_at IS NULL`,
      [addMonths(current, -1), demoAccountNos],
    );
    for (let day = `${current}-01`; day < today; day = addDays(day, 1)) await settlePrepaidDay({ database, log }, day);
    await accrueLateFees(database, settings, addDays(today, -1));
    await client.query('INSERT INTO seed_runs (name) VALUES ($1)', [HISTORY_SEED]);
    log.info('demo billing history: done');
  } finally {
    await client.query('SELECT pg_advisory_unlock(7250003)').catch(() => undefined);
    client.release();
  }
}
