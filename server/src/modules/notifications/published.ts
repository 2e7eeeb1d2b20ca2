import { sql, type SQLWrapper } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { AudienceQuery } from './service';

const dialect = new PgDialect();

/** Audiences are written as Drizzle queries against their owners' schema; this renders one into the text and values a fan-out embeds. */
export function audienceQuery(query: SQLWrapper): ReturnType<AudienceQuery> {
  const { sql: text, params } = dialect.sqlToQuery(query.getSQL());
  return { sql: text, values: params };
}

/** One customer: work orders and payments tell the customer concerned. Registered once, by the composition root. */
export const CUSTOMER_AUDIENCE = 'customer';
export const customerAudience: AudienceQuery = ([customerId]) => audienceQuery(sql`SELECT ${customerId}::bigint AS customer_id`);
