import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { DEMO_HISTORY: 'on' } });
});
afterAll(() => app?.stop());

const sql = (text: string, values: unknown[] = []) => app.runtime.deps.database.pool.query(text, values);

describe('a receivable belongs to an existing bill', () => {
  it('refuses a receivable for a bill that does not exist, in a bulk statement as in a single row', async () => {
    const {
      rows: [bill],
    } = await sql('SELECT id, account_id FROM bills ORDER BY id LIMIT 1');
    expect(bill).toBeDefined();
    const insert = (billIds: number[]) =>
      sql(
        `INSERT INTO receivables (account_id, bill_id, month, principal_fen, due_date)
         SELECT $1, id, '2099-01', 100, '2099-02-01' FROM unnest($2::bigint[]) AS id`,
        [bill.account_id, billIds],
      );
    await expect(insert([-1])).rejects.toMatchObject({ code: '23503' });
    // One missing bill among many refuses the whole statement.
    const { rows: free } = await sql('SELECT b.id FROM bills b WHERE NOT EXISTS (SELECT 1 FROM receivables r WHERE r.bill_id = b.id) LIMIT 3');
    const before = (await sql('SELECT count(*)::int AS n FROM receivables')).rows[0].n;
    await expect(insert([...free.map((row) => row.id), 987654321])).rejects.toMatchObject({ code: '23503' });
    expect((await sql('SELECT count(*)::int AS n FROM receivables')).rows[0].n).toBe(before);
  });

  it('keeps a receivable on its bill and refuses to delete a bill that has one', async () => {
    const {
      rows: [owed],
    } = await sql('SELECT id, bill_id FROM receivables ORDER BY id LIMIT 1');
    const {
      rows: [other],
    } = await sql('SELECT id FROM bills WHERE id <> $1 LIMIT 1', [owed.bill_id]);
    await expect(sql('UPDATE receivables SET bill_id = $2 WHERE id = $1', [owed.id, other.id])).rejects.toMatchObject({ code: '23000' });
    await expect(sql('DELETE FROM bills WHERE id = $1', [owed.bill_id])).rejects.toMatchObject({ code: '23503' });
    expect((await sql('SELECT count(*)::int AS n FROM bills WHERE id = $1', [owed.bill_id])).rows[0].n).toBe(1);
  });
});
