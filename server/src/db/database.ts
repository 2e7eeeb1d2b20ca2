import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = NodePgDatabase<Schema>;

/** A transaction: Drizzle for queries, and its raw client for anything that must join it (pg-boss). */
export interface Tx {
  db: Db;
  client: pg.PoolClient;
  /** Runs `effect` once the transaction has committed (never if it rolls back); its failure is its own to handle. */
  afterCommit(effect: () => Promise<unknown>): void;
}

export interface Database {
  pool: pg.Pool;
  db: Db;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<number>;
  close(): Promise<void>;
}

// Bigint columns (fen, ids) come back as JS numbers: every amount the product handles is far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`bigint ${value} exceeds the safe integer range`);
  return parsed;
});

// Bigint arrays (lists of ids) likewise; an id list never holds NULL.
pg.types.setTypeParser(1016 as Parameters<typeof pg.types.setTypeParser>[0] /* INT8[] */, (value) =>
  value === '{}' ? [] : value.slice(1, -1).split(',').map(Number),
);

// Building Drizzle's relational view of the schema costs more than a small transaction's queries;
// a pooled connection keeps its instance for every transaction it runs.
const drizzleOfClient = new WeakMap<pg.PoolClient, Db>();
function drizzleFor(client: pg.PoolClient): Db {
  let db = drizzleOfClient.get(client);
  if (!db) drizzleOfClient.set(client, (db = drizzle(client, { schema })));
  return db;
}

export function openDatabase(url: string, poolMax: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, application_name: 'power-server' });
  // An idle client's connection can drop (server restart); the pool replaces it, so do not crash.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });
  return {
    pool,
    db,
    async transaction(work) {
      const client = await pool.connect();
      const effects: (() => Promise<unknown>)[] = [];
      try {
        await client.query('BEGIN');
        const result = await work({ db: drizzleFor(client), client, afterCommit: (effect) => void effects.push(effect) });
        await client.query('COMMIT');
        for (const effect of effects) effect().catch(() => undefined);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      const started = performance.now();
      await db.execute(sql`SELECT 1`);
      return Math.round(performance.now() - started);
    },
    close: () => pool.end(),
  };
}

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
// Any constant works; it only has to be the same for every instance of this product.
const MIGRATION_LOCK_KEY = 7_250_001;

/** Applies the committed migrations; an advisory lock keeps instances starting together from racing. */
export async function runMigrations(database: Database): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/**
 * Takes a transaction-scoped advisory lock (released at commit or rollback): `key` alone, or a
 * (`key`, `subKey`) pair of int4s for one lock per subject within a purpose.
 */
export async function advisoryXactLock(db: Db, key: number, subKey?: number): Promise<void> {
  await db.execute(subKey === undefined ? sql`SELECT pg_advisory_xact_lock(${key}::bigint)` : sql`SELECT pg_advisory_xact_lock(${key}::int, ${subKey}::int)`);
}
