import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';

/** Creates `name` on the cluster behind `adminUrl` unless it exists (optionally from a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // The cluster's catalog, not the product's schema: plain SQL, the names bound or quoted as identifiers.
    const admin = drizzle(client);
    const exists = await admin.execute(sql`SELECT 1 FROM pg_database WHERE datname = ${name}`);
    if (exists.rowCount) return;
    await admin.execute(sql`CREATE DATABASE ${sql.identifier(name)}${template ? sql` TEMPLATE ${sql.identifier(template)}` : sql``}`);
  } finally {
    await client.end();
  }
}
