import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, date, index, integer, json, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { electricityAccounts } from './accounts';
import { staffUsers } from './auth';

/**
 * Payment terminals of banks, store chains and agents. The signing secret is kept encrypted
 * (AES-256-GCM under a key from configuration): HMAC verification needs the secret itself, so a
 * hash will not do. After a rotation the previous secret verifies until its overlap ends.
 */
export const terminals = pgTable('terminals', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  terminalId: text('terminal_id').notNull().unique(),
  organisationName: text('organisation_name').notNull(),
  organisationKind: text('organisation_kind', { enum: ['bank', 'store_chain', 'agent'] }).notNull(),
  channel: text('channel', { enum: ['counter', 'self_service', 'pos', 'online'] }).notNull(),
  allowedIps: text('allowed_ips').array().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  secretEnc: text('secret_enc').notNull(),
  previousSecretEnc: text('previous_secret_enc'),
  previousSecretUntil: timestamp('previous_secret_until', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A terminal's accounting days: opened by sign-in, closed by sign-out with the day's count and total. */
export const terminalDays = pgTable(
  'terminal_days',
  {
    terminalPk: bigint('terminal_pk', { mode: 'number' })
      .notNull()
      .references(() => terminals.id),
    accountingDate: date('accounting_date').notNull(),
    status: text('status', { enum: ['open', 'closed'] })
      .notNull()
      .default('open'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    payCount: integer('pay_count'),
    totalFen: bigint('total_fen', { mode: 'number' }),
  },
  (table) => [
    primaryKey({ columns: [table.terminalPk, table.accountingDate] }),
    // At most one open day per terminal: sign out before signing in to the next.
    uniqueIndex('terminal_days_one_open')
      .on(table.terminalPk)
      .where(sql`status = 'open'`),
  ],
);

/**
 * Every accepted pay and reversal, idempotent on (terminal, accounting date, serial). `digest`
 * fingerprints the request's content so a repeat can be told from a reuse; `result` is the reply
 * a repeat gets again.
 */
export const terminalTransactions = pgTable(
  'terminal_transactions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    terminalPk: bigint('terminal_pk', { mode: 'number' })
      .notNull()
      .references(() => terminals.id),
    accountingDate: date('accounting_date').notNull(),
    serial: text('serial').notNull(),
    kind: text('kind', { enum: ['pay', 'reverse'] }).notNull(),
    digest: text('digest').notNull(),
    accountId: bigint('account_id', { mode: 'number' }).references(() => electricityAccounts.id),
    accountNo: text('account_no').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    originalSerial: text('original_serial'),
    /** Pays: `posted`, or `reversed` once a reversal (or a reconciliation resolution) undid them. */
    status: text('status', { enum: ['posted', 'reversed'] }).notNull(),
    reversedBy: text('reversed_by'),
    allocationRef: text('allocation_ref'),
    // json, not jsonb: a replay gets the first reply byte for byte, keys in their original order.
    result: json('result'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('terminal_transactions_serial').on(table.terminalPk, table.accountingDate, table.serial),
    check('terminal_transactions_amount_positive', sql`${table.amountFen} > 0`),
  ],
);

/** One reconciliation per terminal and day, remembered by the file's digest so the same file again is a replay. */
export const terminalReconciliations = pgTable(
  'terminal_reconciliations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    terminalPk: bigint('terminal_pk', { mode: 'number' })
      .notNull()
      .references(() => terminals.id),
    accountingDate: date('accounting_date').notNull(),
    fileDigest: text('file_digest').notNull(),
    matched: integer('matched').notNull(),
    mismatches: integer('mismatches').notNull(),
    result: json('result').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('terminal_reconciliations_day').on(table.terminalPk, table.accountingDate)],
);

/** What a reconciliation could not match, for staff to settle: accept ours or theirs, with a reason. */
export const terminalMismatches = pgTable(
  'terminal_mismatches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reconciliationId: bigint('reconciliation_id', { mode: 'number' })
      .notNull()
      .references(() => terminalReconciliations.id),
    terminalPk: bigint('terminal_pk', { mode: 'number' })
      .notNull()
      .references(() => terminals.id),
    accountingDate: date('accounting_date').notNull(),
    serial: text('serial').notNull(),
    kind: text('kind', { enum: ['long', 'short', 'amount', 'account'] }).notNull(),
    ourAccountNo: text('our_account_no'),
    ourAmountFen: bigint('our_amount_fen', { mode: 'number' }),
    theirAccountNo: text('their_account_no'),
    theirAmountFen: bigint('their_amount_fen', { mode: 'number' }),
    status: text('status', { enum: ['open', 'accepted_ours', 'accepted_theirs'] })
      .notNull()
      .default('open'),
    reason: text('reason'),
    resolvedBy: bigint('resolved_by', { mode: 'number' }).references(() => staffUsers.id),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** Accepting theirs may post the terminal's line: the allocation made for it. */
    resolutionRef: text('resolution_ref'),
  },
  (table) => [
    uniqueIndex('terminal_mismatches_serial').on(table.terminalPk, table.accountingDate, table.serial),
    index('terminal_mismatches_open_idx')
      .on(table.id)
      .where(sql`status = 'open'`),
  ],
);

/** Who changed what about a terminal, and how each mismatch was settled. */
export const terminalAudit = pgTable(
  'terminal_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    terminalPk: bigint('terminal_pk', { mode: 'number' })
      .notNull()
      .references(() => terminals.id),
    action: text('action').notNull(),
    staffId: bigint('staff_id', { mode: 'number' }).references(() => staffUsers.id),
    details: jsonb('details').notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('terminal_audit_terminal_idx').on(table.terminalPk, table.id)],
);
