import { sql } from 'drizzle-orm';
import type { AudienceQuery } from './service';
import type { customers } from '../../db/schema';

/**
 * How other modules tell customers something. Nobody writes notifications' tables (notifications,
 * subscribe_grants, sms_opt_ins) but this module: a business change calls the service's
 * `publish(tx, event)` inside its own transaction (`deps.notifications.publish`), which queues the
 * fan-out only if that transaction commits. The audience an event names is registered once with
 * `registerAudience(name, (params) => query)`, the query built from the owner's published functions
 * (e.g. accounts' `customersInAreasQuery`) or `customerAudience` below.
 */

export type { AudienceQuery, NotificationEvent, Notifications } from './service';
export type { MessagePayload } from './sender';

/** One customer: work orders and payments tell the customer concerned. Registered once, by the composition root. */
export const CUSTOMER_AUDIENCE = 'customer';
export const customerAudience: AudienceQuery = ([customerId]) => sql`SELECT ${customerId as (typeof customers.$inferSelect)['id']}::bigint AS customer_id`;
