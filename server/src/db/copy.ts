import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type CopyValue = string | number | boolean | null | object;

/** A PostgreSQL integer array literal, for an `int[]` column. */
export const pgIntArray = (values: readonly (number | null)[]) => `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** One value in COPY's text format: NULL as \N, objects and arrays as JSON; backslash, tab and newlines escaped. */
function copyText(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    // JSON text never holds a raw tab or newline; only its own escapes' backslashes need doubling.
    const json = JSON.stringify(value);
    return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
  }
  return !NEEDS_ESCAPE.test(value) ? value : value.replace(/[\\\t\n\r]/g, (char) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[char]!);
}

/**
 * Bulk-loads rows with COPY … FROM STDIN: the fastest way into PostgreSQL, several times quicker
 * than INSERT for thousands of rows with JSON columns. Runs on the caller's connection (and transaction).
 */
export async function copyRows(client: pg.PoolClient, table: string, columns: string[], rows: CopyValue[][]): Promise<void> {
  if (!rows.length) return;
  const text = rows.map((row) => `${row.map(copyText).join('\t')}\n`).join('');
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from([text]), stream);
}
