import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQLWrapper } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = NodePgDatabase<Schema>;

/** A transaction: Drizzle for queries, and its raw client for anything that must join it (pg-boss). */
export interface Tx {
  db: Db;
  /** The connection itself: call `flush()` before using it, so queued writes go first. */
  client: pg.PoolClient;
  /** Runs `effect` once the transaction has committed (never if it rolls back); its failure is its own to handle. */
  afterCommit(effect: () => Promise<unknown>): void;
  /**
   * Queues a write whose answer nobody in the transaction needs (an insert, an update by key):
   * queued writes reach the database together, as one statement, just before the transaction's
   * next query through `db` or its commit, so a later read still sees them. Their failure (a
   * constraint, say) surfaces there and rolls the transaction back. They run in the order queued.
   * Writes queued together must not touch the same row, as the parts of one statement cannot see
   * each other's changes, and carry no RETURNING (nobody reads it).
   */
  defer(write: SQLWrapper): void;
  /** Sends the queued writes now (before raw `client` use). */
  flush(): Promise<void>;
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

/**
 * A pooled connection as its transactions see it: writes queued by `defer` wait here and are sent
 * as one statement (`WITH w0 AS (… RETURNING 1), w1 AS (…) SELECT ARRAY[(SELECT count(*) FROM w0), …]`)
 * before the next query or the commit,
 * which saves a round trip for every write but the first.
 */
/** Queued writes sent in one statement at most. */
const FLUSH_PARTS = 32;

class DeferringClient {
  private queued: SQLWrapper[] = [];
  // Building Drizzle's relational view of the schema costs more than a small transaction's
  // queries, so each pooled connection keeps its instance (through this wrapper) for every transaction.
  readonly db: Db;

  constructor(readonly client: pg.PoolClient) {
    this.db = drizzle({ client: this as unknown as pg.PoolClient, schema });
  }

  /** What Drizzle calls: the queued writes first, then the query itself. */
  query(...args: Parameters<pg.PoolClient['query']>): unknown {
    if (!this.queued.length) return (this.client.query as (...a: unknown[]) => unknown)(...args);
    return this.flush().then(() => (this.client.query as (...a: unknown[]) => unknown)(...args));
  }

  defer(write: SQLWrapper): void {
    this.queued.push(write);
  }

  async flush(): Promise<void> {
    const queued = this.queued;
    this.queued = [];
    // A statement of a few dozen parts plans quickly; thousands (a transaction that queues an event
    // per account) take PostgreSQL far longer to plan than to run as several statements.
    for (let start = 0; start < queued.length; start += FLUSH_PARTS) await this.send(queued.slice(start, start + FLUSH_PARTS));
  }

  private async send(writes: SQLWrapper[]): Promise<void> {
    // PostgreSQL runs the parts of a WITH in no promised order unless the main query reads them:
    // reading each in turn (an ARRAY's elements are evaluated first to last) runs the writes in the
    // order they were queued, so sequence values (an outbox's ids) follow that order too.
    const names = writes.map((_, index) => sql.raw(`w${index}`));
    const statement =
      writes.length === 1
        ? writes[0]!
        : sql`WITH ${sql.join(
            writes.map((write, index) => sql`${names[index]} AS (${write.getSQL()} RETURNING 1)`),
            sql`, `,
          )} SELECT ARRAY[${sql.join(
            names.map((name) => sql`(SELECT count(*) FROM ${name})`),
            sql`, `,
          )}]`;
    await this.db.execute(statement);
  }

  /** Writes queued by a transaction that failed are dropped with it. */
  discard(): void {
    this.queued = [];
  }
}

/**
 * A hot statement built and prepared once per connection: Drizzle's query building and
 * PostgreSQL's parse and plan are paid on first use only. `build` gets the connection's `Db` and
 * takes its values as `sql.placeholder(name)`; the result is called with the caller's `Db` (a
 * transaction's, or the pool's) and executed with the values. `name` is unique in the product.
 */
export function preparedStatement<B extends { prepare(name: string): unknown }>(name: string, build: (db: Db) => B) {
  const byDb = new WeakMap<Db, ReturnType<B['prepare']>>();
  return (db: Db): ReturnType<B['prepare']> => {
    let statement = byDb.get(db);
    if (!statement) byDb.set(db, (statement = build(db).prepare(name) as ReturnType<B['prepare']>));
    return statement;
  };
}

const deferringOf = new WeakMap<pg.PoolClient, DeferringClient>();
function deferringFor(client: pg.PoolClient): DeferringClient {
  let wrapper = deferringOf.get(client);
  if (!wrapper) deferringOf.set(client, (wrapper = new DeferringClient(client)));
  return wrapper;
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
      const connection = deferringFor(client);
      const effects: (() => Promise<unknown>)[] = [];
      try {
        await client.query('BEGIN');
        const result = await work({
          db: connection.db,
          client,
          afterCommit: (effect) => void effects.push(effect),
          defer: (write) => connection.defer(write),
          flush: () => connection.flush(),
        });
        await connection.flush();
        await client.query('COMMIT');
        for (const effect of effects) effect().catch(() => undefined);
        return result;
      } catch (err) {
        connection.discard();
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
