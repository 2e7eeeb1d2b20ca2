/**
 * The floor a money path is measured against: the smallest transaction that could record a
 * payment — a compare-and-set on an order row and one ledger insert — run by 16 connections over
 * tables of its own (same database, same server settings), with no application code at all.
 */
import pg from 'pg';

export async function bareTransactionRate(databaseUrl: string, transactions = 20_000, connections = 16): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections });
  try {
    await pool.query(`DROP TABLE IF EXISTS bench_bare_ledger, bench_bare_orders`);
    await pool.query(`CREATE TABLE bench_bare_orders (id bigint PRIMARY KEY, amount_fen bigint NOT NULL, state text NOT NULL)`);
    await pool.query(
      `CREATE TABLE bench_bare_ledger (id bigserial PRIMARY KEY, order_id bigint NOT NULL UNIQUE REFERENCES bench_bare_orders, amount_fen bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(`INSERT INTO bench_bare_orders SELECT i, 12345, 'PAYING' FROM generate_series(1, $1::int) i`, [transactions]);
    await pool.query('ANALYZE bench_bare_orders');
    let next = 1;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = await pool.connect();
        try {
          while (next <= transactions) {
            const id = next++;
            await client.query('BEGIN');
            await client.query(`UPDATE bench_bare_orders SET state = 'PAID' WHERE id = $1 AND state <> 'PAID'`, [id]);
            await client.query(`INSERT INTO bench_bare_ledger (order_id, amount_fen) VALUES ($1, 12345)`, [id]);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    return transactions / ((performance.now() - started) / 1000);
  } finally {
    await pool.query(`DROP TABLE IF EXISTS bench_bare_ledger, bench_bare_orders`).catch(() => undefined);
    await pool.end();
  }
}
