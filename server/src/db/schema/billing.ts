import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Anomaly, BillingSettings } from '../../../../shared/contracts/billing';
import type { Tariff } from '../../../../shared/tariff/types';
import type { BillReviewRecord, StoredBillDetail } from '../../modules/billing/types';
import { electricityAccounts } from './accounts';

/** Tariff versions: the engine's definition as data, in force from a date (see shared/tariff). */
export const tariffs = pgTable(
  'tariffs',
  {
    code: text('code').notNull(),
    version: integer('version').notNull(),
    effectiveFrom: date('effective_from').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    customerClass: text('customer_class').notNull(),
    definition: jsonb('definition').$type<Tariff>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.code, table.version] }), uniqueIndex('tariffs_code_from').on(table.code, table.effectiveFrom)],
);

/** Billing facts about an account, kept beside it so identity stays small. */
export const billingProfiles = pgTable('billing_profiles', {
  accountId: bigint('account_id', { mode: 'number' })
    .primaryKey()
    .references(() => electricityAccounts.id),
  tariffCode: text('tariff_code').notNull(),
  billingMode: text('billing_mode', { enum: ['postpaid', 'prepaid'] })
    .notNull()
    .default('postpaid'),
  contractKva: integer('contract_kva'),
  hasSolar: boolean('has_solar').notNull().default(false),
  /** Registered as vacant: zero consumption is expected and not flagged. */
  vacant: boolean('vacant').notNull().default(false),
  /** Two-part tariffs: the basic charge by contracted capacity or by the month's maximum demand. */
  demandBasis: text('demand_basis', { enum: ['capacity', 'max_demand'] }),
  /** 《功率因数调整电费办法》 standard in hundredths (90, 85, 80); null when the account is not assessed. */
  powerFactorStandard: smallint('power_factor_standard'),
});

export const meters = pgTable(
  'meters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    meterNo: text('meter_no').notNull().unique(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    multiplier: integer('multiplier').notNull().default(1),
    registers: text('registers', { enum: ['single', 'peak_valley', 'four'] }).notNull(),
    /** Registers count to 10^digits kWh, then wrap to zero. */
    registerDigits: smallint('register_digits').notNull().default(6),
    installedAt: timestamp('installed_at', { withTimezone: true }).notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (table) => [index('meters_account_idx').on(table.accountId)],
);

/**
 * Register readings in hundredths of a kWh, one row per (meter, instant): the import is
 * idempotent on that key. A re-read or a staff correction replaces the values and keeps the
 * replaced ones in `revisions`.
 */
export const meterReadings = pgTable(
  'meter_readings',
  {
    meterId: bigint('meter_id', { mode: 'number' })
      .notNull()
      .references(() => meters.id),
    readAt: timestamp('read_at', { withTimezone: true }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    sharp: bigint('sharp', { mode: 'number' }),
    peak: bigint('peak', { mode: 'number' }),
    flat: bigint('flat', { mode: 'number' }),
    valley: bigint('valley', { mode: 'number' }),
    reverse: bigint('reverse', { mode: 'number' }).notNull().default(0),
    /** Reactive (lagging) energy register, hundredths of a kvarh; null on meters without one. */
    reactive: bigint('reactive', { mode: 'number' }),
    /** The month's maximum demand so far, hundredths of a kW before the multiplier; null without one. */
    maxDemand: bigint('max_demand', { mode: 'number' }),
    quality: text('quality', { enum: ['actual', 'estimated'] }).notNull(),
    source: text('source', { enum: ['ami', 'reread', 'manual'] }).notNull(),
    revisions: jsonb('revisions').$type<unknown[]>().notNull().default([]),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.meterId, table.readAt] })],
);

/** Readings the import refused, with why; one row per (meter, instant, reason) however often it is re-imported. */
export const readingRejections = pgTable(
  'reading_rejections',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    meterNo: text('meter_no').notNull(),
    readAt: text('read_at').notNull(),
    reason: text('reason').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('reading_rejections_once').on(table.meterNo, table.readAt, table.reason)],
);

export const billRuns = pgTable('bill_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  month: text('month').notNull(),
  status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] })
    .notNull()
    .default('queued'),
  counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
  error: text('error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/**
 * One bill per account and month. `history` holds this and the 12 previous months' kWh (newest
 * first, null where unknown) so the next run's anomaly rules read one row, not a year of bills.
 */
export const bills = pgTable(
  'bills',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    month: text('month').notNull(),
    status: text('status', { enum: ['held', 'rereading', 'published'] }).notNull(),
    tariffCode: text('tariff_code').notNull(),
    tariffVersion: integer('tariff_version').notNull(),
    kwh: bigint('kwh', { mode: 'number' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    tierCountedKwh: bigint('tier_counted_kwh', { mode: 'number' }).notNull(),
    history: integer('history').array().notNull(),
    detail: jsonb('detail').$type<StoredBillDetail>().notNull(),
    anomalies: jsonb('anomalies').$type<Anomaly[]>().notNull().default([]),
    review: jsonb('review').$type<BillReviewRecord[]>().notNull().default([]),
    runId: bigint('run_id', { mode: 'number' }),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('bills_account_month').on(table.accountId, table.month),
    index('bills_review_idx')
      .on(table.month)
      .where(sql`status <> 'published'`),
    check('bills_status_known', sql`${table.status} IN ('held', 'rereading', 'published')`),
  ],
);

/** What a published bill is owed: principal, and late fees accrued day by day after the due date. */
export const receivables = pgTable(
  'receivables',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // The bill's account, copied when the receivable is made; the bill's own key checks it exists.
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    // Checked per statement by a trigger (see migration 0008), not a per-row foreign key: a bill run
    // inserts a million receivables, and a foreign key locks each referenced bill row.
    billId: bigint('bill_id', { mode: 'number' }).notNull().unique(),
    month: text('month').notNull(),
    principalFen: bigint('principal_fen', { mode: 'number' }).notNull(),
    principalPaidFen: bigint('principal_paid_fen', { mode: 'number' }).notNull().default(0),
    dueDate: date('due_date').notNull(),
    /** Accrued late fee in thousandths of a fen, exact; shown rounded half-up to the fen. */
    lateFeeMillifen: bigint('late_fee_millifen', { mode: 'number' }).notNull().default(0),
    lateFeePaidFen: bigint('late_fee_paid_fen', { mode: 'number' }).notNull().default(0),
    /** The last day late fees have been accrued for. */
    lateFeeThrough: date('late_fee_through'),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('receivables_open_idx')
      .on(table.accountId)
      .where(sql`settled_at IS NULL`),
    check('receivables_paid_within', sql`${table.principalPaidFen} BETWEEN 0 AND ${table.principalFen}`),
  ],
);

/** Money held for an account: the prepaid balance, or prepayment on a postpaid account. */
export const accountBalances = pgTable('account_balances', {
  accountId: bigint('account_id', { mode: 'number' })
    .primaryKey()
    .references(() => electricityAccounts.id),
  balanceFen: bigint('balance_fen', { mode: 'number' }).notNull().default(0),
  lowThresholdFen: bigint('low_threshold_fen', { mode: 'number' }),
  /** Whether the low-balance alert has fired since the balance last rose above the threshold. */
  lowAlerted: boolean('low_alerted').notNull().default(false),
  overdrawnAlerted: boolean('overdrawn_alerted').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every change to a balance, keyed by what caused it, so a replay cannot move money twice. */
export const balanceEntries = pgTable(
  'balance_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    kind: text('kind').notNull(),
    ref: text('ref').notNull().unique(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    balanceAfterFen: bigint('balance_after_fen', { mode: 'number' }).notNull(),
    details: jsonb('details').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('balance_entries_account_idx').on(table.accountId, table.createdAt)],
);

export const billingSettings = pgTable(
  'billing_settings',
  {
    id: smallint('id').primaryKey().default(1),
    settings: jsonb('settings').$type<BillingSettings>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('billing_settings_single_row', sql`${table.id} = 1`)],
);

/**
 * Things that happened to an account that its customers may want to hear about (low balance,
 * bill issued…). Written in the transaction that caused them; the notifications module reads them
 * in id order. `dedupeKey` makes each event happen once however often its cause is replayed.
 */
export const customerEvents = pgTable(
  'customer_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    type: text('type').notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('customer_events_account_idx').on(table.accountId, table.id)],
);

/**
 * One payment's allocation, whatever the channel (terminal, WeChat Pay, Alipay): which receivables
 * it paid (late fee and principal per line) and what became prepayment. Keyed by the payment's own
 * ref, so a replay allocates nothing twice; a reversal undoes exactly these lines, once.
 */
export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    ref: text('ref').primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    lines: jsonb('lines').$type<Array<{ receivableId: number; month: string; lateFeeFen: number; principalFen: number }>>().notNull(),
    prepaymentFen: bigint('prepayment_fen', { mode: 'number' }).notNull(),
    source: jsonb('source').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    reversedRef: text('reversed_ref').unique(),
    reversedAt: timestamp('reversed_at', { withTimezone: true }),
  },
  (table) => [
    index('payment_allocations_account_idx').on(table.accountId, table.createdAt),
    check('payment_allocations_amount_positive', sql`${table.amountFen} > 0 AND ${table.prepaymentFen} >= 0`),
  ],
);
