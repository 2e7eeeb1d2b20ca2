import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Anomaly, BillingSettings } from '../../../shared/contracts/billing';
import type { Tariff } from '../../../shared/tariff/types';
import type { BillReviewRecord, StoredBillDetail } from '../modules/billing/types';

/**
 * Events written in the same transaction as the business change that caused them, and relayed
 * to their destination afterwards by a job. A rolled-back change leaves no event behind.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    relayedAt: timestamp('relayed_at', { withTimezone: true }),
    parkedAt: timestamp('parked_at', { withTimezone: true }),
  },
  (table) => [index('outbox_pending_idx').on(table.availableAt).where(sql`relayed_at IS NULL AND parked_at IS NULL`)],
);

/** Which one-off data loads (the demo seed) have been applied to this database. */
export const seedRuns = pgTable('seed_runs', {
  name: text('name').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  summary: jsonb('summary').notNull().default({}),
});

/** The utility this deployment serves: one row. */
export const utilityProfile = pgTable(
  'utility_profile',
  {
    id: smallint('id').primaryKey().default(1),
    name: text('name').notNull(),
    shortName: text('short_name').notNull(),
    hotline: text('hotline').notNull(),
    serviceHours: text('service_hours').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('utility_profile_single_row', sql`${table.id} = 1`)],
);

/** Notices shown on the home page while published and not expired. */
export const notices = pgTable(
  'notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    level: text('level', { enum: ['info', 'important', 'urgent'] }).notNull().default('info'),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (table) => [
    index('notices_published_idx').on(table.publishedAt),
    check('notices_level_known', sql`${table.level} IN ('info', 'important', 'urgent')`),
  ],
);

/** A person using the app: found by WeChat openid (mini-program) or phone (H5), or both once linked. */
export const customers = pgTable('customers', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  phone: text('phone').unique(),
  wechatOpenid: text('wechat_openid').unique(),
  wechatUnionid: text('wechat_unionid'),
  // WeChat's session key stays here: it decrypts user data and must never reach a client.
  wechatSessionKey: text('wechat_session_key'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
});

export const staffUsers = pgTable('staff_users', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  roles: text('roles').array().notNull(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Refresh tokens, stored only as hashes. Each use rotates the token within its family; presenting
 * a token that was already rotated means it leaked, and revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    familyId: text('family_id').notNull(),
    subjectType: text('subject_type', { enum: ['customer', 'staff'] }).notNull(),
    subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('refresh_tokens_family_idx').on(table.familyId)],
);

/** One-time SMS codes, hashed; five wrong tries lock a code. */
export const smsCodes = pgTable(
  'sms_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phone: text('phone').notNull(),
    purpose: text('purpose', { enum: ['login', 'link', 'bind'] }).notNull(),
    /** For `bind`: the account the code proves ownership of. */
    subject: text('subject').notNull().default(''),
    codeHash: text('code_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (table) => [index('sms_codes_lookup_idx').on(table.phone, table.purpose, table.createdAt)],
);

export const electricityAccounts = pgTable('electricity_accounts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountNo: text('account_no').notNull().unique(),
  holderName: text('holder_name').notNull(),
  address: text('address').notNull(),
  customerClass: text('customer_class', { enum: ['residential', 'commercial', 'large_industry', 'agricultural'] }).notNull(),
  transformerArea: text('transformer_area').notNull(),
  phoneOnFile: text('phone_on_file').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Which customers may act on which accounts; several family members may bind one account. */
export const accountBindings = pgTable(
  'account_bindings',
  {
    customerId: bigint('customer_id', { mode: 'number' }).notNull().references(() => customers.id),
    accountId: bigint('account_id', { mode: 'number' }).notNull().references(() => electricityAccounts.id),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.customerId, table.accountId] }),
    uniqueIndex('account_bindings_one_default').on(table.customerId).where(sql`is_default`),
  ],
);

// ---- Billing ------------------------------------------------------------------------------------

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
  accountId: bigint('account_id', { mode: 'number' }).primaryKey().references(() => electricityAccounts.id),
  tariffCode: text('tariff_code').notNull(),
  billingMode: text('billing_mode', { enum: ['postpaid', 'prepaid'] }).notNull().default('postpaid'),
  contractKva: integer('contract_kva'),
  hasSolar: boolean('has_solar').notNull().default(false),
  /** Registered as vacant: zero consumption is expected and not flagged. */
  vacant: boolean('vacant').notNull().default(false),
});

export const meters = pgTable(
  'meters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    meterNo: text('meter_no').notNull().unique(),
    accountId: bigint('account_id', { mode: 'number' }).notNull().references(() => electricityAccounts.id),
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
    meterId: bigint('meter_id', { mode: 'number' }).notNull().references(() => meters.id),
    readAt: timestamp('read_at', { withTimezone: true }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    sharp: bigint('sharp', { mode: 'number' }),
    peak: bigint('peak', { mode: 'number' }),
    flat: bigint('flat', { mode: 'number' }),
    valley: bigint('valley', { mode: 'number' }),
    reverse: bigint('reverse', { mode: 'number' }).notNull().default(0),
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
  status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] }).notNull().default('queued'),
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
    accountId: bigint('account_id', { mode: 'number' }).notNull().references(() => electricityAccounts.id),
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
    index('bills_review_idx').on(table.month).where(sql`status <> 'published'`),
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
    billId: bigint('bill_id', { mode: 'number' }).notNull().unique().references(() => bills.id),
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
    index('receivables_open_idx').on(table.accountId).where(sql`settled_at IS NULL`),
    check('receivables_paid_within', sql`${table.principalPaidFen} BETWEEN 0 AND ${table.principalFen}`),
  ],
);

/** Money held for an account: the prepaid balance, or prepayment on a postpaid account. */
export const accountBalances = pgTable('account_balances', {
  accountId: bigint('account_id', { mode: 'number' }).primaryKey().references(() => electricityAccounts.id),
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
    accountId: bigint('account_id', { mode: 'number' }).notNull().references(() => electricityAccounts.id),
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
    accountId: bigint('account_id', { mode: 'number' }).notNull().references(() => electricityAccounts.id),
    type: text('type').notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('customer_events_account_idx').on(table.accountId, table.id)],
);

// ---- Outages and notifications ------------------------------------------------------------------

/** Feeders (10 kV lines) and the transformer areas they supply: an outage may be published on a feeder. */
export const feeders = pgTable('feeders', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  district: text('district').notNull(),
  areas: text('areas').array().notNull(),
});

export const outages = pgTable(
  'outages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['planned', 'unplanned'] }).notNull(),
    status: text('status', { enum: ['scheduled', 'in_progress', 'restored', 'cancelled'] }).notNull(),
    title: text('title').notNull(),
    reason: text('reason').notNull(),
    district: text('district').notNull(),
    areas: text('areas').array().notNull(),
    feeder: text('feeder'),
    scheduledStart: timestamp('scheduled_start', { withTimezone: true }).notNull(),
    scheduledEnd: timestamp('scheduled_end', { withTimezone: true }).notNull(),
    restoredAt: timestamp('restored_at', { withTimezone: true }),
    /** Bumped by every change customers are told about; an update names the version it changes. */
    version: integer('version').notNull().default(1),
    /** A schedule line's own reference: importing the same schedule again publishes nothing twice. */
    importRef: text('import_ref').unique(),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('outages_areas_idx').using('gin', table.areas),
    index('outages_status_idx').on(table.status, table.scheduledStart),
    check('outages_status_known', sql`${table.status} IN ('scheduled', 'in_progress', 'restored', 'cancelled')`),
    check('outages_times_ordered', sql`${table.scheduledEnd} > ${table.scheduledStart}`),
  ],
);

export const outageChanges = pgTable(
  'outage_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    outageId: bigint('outage_id', { mode: 'number' }).notNull().references(() => outages.id),
    event: text('event', { enum: ['published', 'updated', 'started', 'restored', 'cancelled'] }).notNull(),
    changes: jsonb('changes').notNull().default({}),
    staffId: bigint('staff_id', { mode: 'number' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('outage_changes_outage_idx').on(table.outageId, table.id)],
);

/** Fault reports by transformer area: a burst from one area suggests an unplanned outage there. */
export const faultReports = pgTable(
  'fault_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    transformerArea: text('transformer_area').notNull(),
    accountId: bigint('account_id', { mode: 'number' }),
    source: text('source').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('fault_reports_area_idx').on(table.transformerArea, table.reportedAt)],
);

/** One-time subscribe-message grants a customer gave in the mini-program, per template; each message uses one. */
export const subscribeGrants = pgTable(
  'subscribe_grants',
  {
    customerId: bigint('customer_id', { mode: 'number' }).notNull().references(() => customers.id),
    templateId: text('template_id').notNull(),
    remaining: integer('remaining').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.customerId, table.templateId] }), check('subscribe_grants_not_negative', sql`${table.remaining} >= 0`)],
);

export const smsOptIns = pgTable(
  'sms_opt_ins',
  {
    customerId: bigint('customer_id', { mode: 'number' }).notNull().references(() => customers.id),
    topic: text('topic').notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.customerId, table.topic] })],
);

/**
 * One message to one customer about one event. Unique on (customer, event): fan-out may run again,
 * or twice at once, and still makes one row; the sender moves each row from `queued` once.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    eventKey: text('event_key').notNull(),
    topic: text('topic').notNull(),
    channel: text('channel', { enum: ['wechat', 'sms'] }).notNull(),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'refused', 'failed', 'unknown'] }).notNull().default('queued'),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('notifications_once').on(table.customerId, table.eventKey),
    index('notifications_queued_idx').on(table.availableAt, table.id).where(sql`status = 'queued'`),
    index('notifications_event_idx').on(table.eventKey),
  ],
);

// ---- Service requests and work orders -------------------------------------------------------------

/** Service grids: a community or several transformer areas, each with a manager who owns its work orders. */
export const serviceGrids = pgTable('service_grids', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  managerStaffId: bigint('manager_staff_id', { mode: 'number' }).references(() => staffUsers.id),
});

export const gridAreas = pgTable('grid_areas', {
  transformerArea: text('transformer_area').primaryKey(),
  gridCode: text('grid_code').notNull().references(() => serviceGrids.code),
});

/**
 * A customer's request and the work order it became, one row: the form as submitted, where the
 * order stands (stage, deadline, warnings), who owns it, and the customer's rating at the end.
 */
export const workOrders = pgTable(
  'work_orders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull().references(() => customers.id),
    accountId: bigint('account_id', { mode: 'number' }).references(() => electricityAccounts.id),
    type: text('type').notNull(),
    form: jsonb('form').notNull(),
    /** The client's key: a double tap or a retried submission finds the first order. */
    idempotencyKey: text('idempotency_key').notNull(),
    state: text('state', { enum: ['stage', 'awaiting_documents', 'completed', 'cancelled', 'closed'] }).notNull(),
    stage: text('stage'),
    stageStartedAt: timestamp('stage_started_at', { withTimezone: true }),
    stageDeadline: timestamp('stage_deadline', { withTimezone: true }),
    warnedAt: timestamp('warned_at', { withTimezone: true }),
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    gridCode: text('grid_code').references(() => serviceGrids.code),
    assigneeStaffId: bigint('assignee_staff_id', { mode: 'number' }).references(() => staffUsers.id),
    version: integer('version').notNull().default(1),
    rating: smallint('rating'),
    ratingComment: text('rating_comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('work_orders_idempotency').on(table.customerId, table.idempotencyKey),
    index('work_orders_customer_idx').on(table.customerId, table.id),
    index('work_orders_open_deadline_idx').on(table.stageDeadline).where(sql`state IN ('stage', 'awaiting_documents')`),
    check('work_orders_rating_range', sql`${table.rating} BETWEEN 1 AND 5`),
  ],
);

/** Every change to a work order, in order: the audit trail and the customer's timeline. */
export const workOrderEvents = pgTable(
  'work_order_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workOrderId: bigint('work_order_id', { mode: 'number' }).notNull().references(() => workOrders.id),
    action: text('action').notNull(),
    fromState: jsonb('from_state'),
    toState: jsonb('to_state').notNull(),
    actor: text('actor', { enum: ['customer', 'staff', 'backoffice', 'system'] }).notNull(),
    actorId: text('actor_id'),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('work_order_events_order_idx').on(table.workOrderId, table.id)],
);

/** Back-office callbacks already applied, by their event id: a replay gets the first result. */
export const backofficeCallbacks = pgTable('backoffice_callbacks', {
  eventId: text('event_id').primaryKey(),
  workOrderId: bigint('work_order_id', { mode: 'number' }).notNull(),
  result: jsonb('result').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Uploaded documents: a customer's until linked to one of their work orders; bytes in document storage. */
export const documents = pgTable(
  'documents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull().references(() => customers.id),
    workOrderId: bigint('work_order_id', { mode: 'number' }).references(() => workOrders.id),
    kind: text('kind').notNull(),
    filename: text('filename').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('documents_customer_idx').on(table.customerId), index('documents_order_idx').on(table.workOrderId)],
);
