/**
 * Synthetic metered accounts in SQL, for the benchmarks that need real bills: one account, billing
 * profile and meter per id, and 13 monthly readings from `firstMonth` (so a year of bills). One in
 * ten is commercial, three in ten residential on peak/valley, the rest residential single-rate;
 * about 250 kWh a month with per-meter wobble, and a few meters go quiet or read backwards in the
 * last month (bills the anomaly rules hold for review).
 */
import { shanghaiMidnight } from '../../shared/dates';

type Sql = (label: string, text: string, values?: unknown[]) => Promise<unknown>;

export interface SyntheticAccounts {
  /** Ids `firstId` … `firstId + count − 1`, used for the account, its profile and its meter. */
  firstId: number;
  count: number;
  /** The first reading's month (its first day); the year's bills are this month and the 11 after. */
  firstMonth: string;
  /** Transformer areas to spread the accounts over; by default 5,000 synthetic ones. */
  transformerAreas?: string[];
}

export async function generateMeteredAccounts(sql: Sql, { firstId, count, firstMonth, transformerAreas }: SyntheticAccounts): Promise<void> {
  const ids = [firstId, firstId + count - 1];
  const area = transformerAreas ? `($3::text[])[1 + i % ${transformerAreas.length}]` : `'TA-SYN-' || (i % 5000)`;
  await sql(
    'accounts',
    `INSERT INTO electricity_accounts (id, account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
    SELECT i, '9' || lpad(i::text, 9, '0'), '合成用户' || i, '合成路 ' || i || ' 号', CASE WHEN i % 10 = 0 THEN 'commercial' ELSE 'residential' END,
           ${area}, '139' || lpad((i % 100000000)::text, 8, '0')
      FROM generate_series($1::int, $2::int) i`,
    transformerAreas ? [...ids, transformerAreas] : ids,
  );
  await sql(
    'billing profiles',
    `INSERT INTO billing_profiles (account_id, tariff_code, contract_kva)
    SELECT i, CASE WHEN i % 10 = 0 THEN 'zj-commercial' WHEN i % 10 < 4 THEN 'zj-residential-tou' ELSE 'zj-residential' END,
           CASE WHEN i % 10 = 0 THEN 20 END
      FROM generate_series($1::int, $2::int) i`,
    ids,
  );
  await sql(
    'meters',
    `INSERT INTO meters (id, meter_no, account_id, registers, installed_at)
    SELECT i, 'S' || i, i, CASE WHEN i % 10 BETWEEN 1 AND 3 THEN 'peak_valley' ELSE 'single' END, $3
      FROM generate_series($1::int, $2::int) i`,
    [...ids, shanghaiMidnight('2024-01-01')],
  );
  await sql(
    'readings',
    `INSERT INTO meter_readings (meter_id, read_at, total, peak, valley, quality, source)
    SELECT i, ($3::date + make_interval(months => k))::timestamp AT TIME ZONE 'Asia/Shanghai', t,
           CASE WHEN i % 10 BETWEEN 1 AND 3 THEN t * 6 / 10 END, CASE WHEN i % 10 BETWEEN 1 AND 3 THEN t - t * 6 / 10 END, 'actual', 'ami'
      FROM generate_series($1::int, $2::int) i, generate_series(0, 12) k,
           LATERAL (SELECT CASE
             WHEN k = 12 AND i % 200 = 7 THEN 1000000 + 11 * 25000 + ((i * 37 + 121 * 11) % 5000)
             WHEN k = 12 AND i % 500 = 11 THEN 1000000 + 10 * 25000
             ELSE 1000000 + k * 25000 + ((i * 37 + k * k * 11) % 5000) END::bigint AS t) r`,
    [...ids, `${firstMonth}-01`],
  );
}
