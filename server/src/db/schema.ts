import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
