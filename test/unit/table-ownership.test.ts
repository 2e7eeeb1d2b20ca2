import path from 'node:path';
import { ESLint } from 'eslint';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../../server/src/db/schema';
import owners from '../../server/src/db/schema/owners.json';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tableExports = Object.entries(schema)
  .filter(([, value]) => is(value, PgTable))
  .map(([name, table]) => ({ name, sqlName: getTableName(table as PgTable) }));

describe('each table has one owning module, and only its owner touches it', () => {
  it('names every table of the schema exactly once in owners.json', () => {
    const owned = Object.values(owners).flat();
    expect(new Set(owned).size).toBe(owned.length);
    expect([...owned].sort()).toEqual(tableExports.map((table) => table.name).sort());
  });

  it('lint refuses another module’s table and SQL text, and allows own tables and foreign types', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const probe = [
      "import { paymentOrders, customers } from '../../db/schema';",
      "import type { bills } from '../../db/schema';",
      "import { receivables } from '../../db/schema/billing';",
      "import type { Database } from '../../db/database';",
      'export type Bill = typeof bills.$inferSelect;',
      "export const probe = (database: Database) => [paymentOrders, customers, receivables, database.pool.query('SELECT 1'), database.pool.query(`SELECT 2`)];",
    ].join('\n');
    const [result] = await eslint.lintText(probe, { filePath: path.join(ROOT, 'server/src/modules/payments/probe.ts') });
    const found = result!.messages.map((message) => `${message.line}:${message.ruleId}`);
    expect(found).toEqual([
      '1:@typescript-eslint/no-restricted-imports',
      '3:@typescript-eslint/no-restricted-imports',
      '6:no-restricted-syntax',
      '6:no-restricted-syntax',
    ]);
    expect(result!.messages[0]!.message).toContain("'customers'");
  }, 30_000);
});
