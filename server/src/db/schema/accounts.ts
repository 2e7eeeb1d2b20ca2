import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { customers } from './auth';

/** The accounts module's tables: electricity accounts and who may act on them. */
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
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => electricityAccounts.id),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.customerId, table.accountId] }),
    uniqueIndex('account_bindings_one_default')
      .on(table.customerId)
      .where(sql`is_default`),
  ],
);
