/**
 * How other modules tell customers something. Nobody writes notifications' tables (notifications,
 * subscribe_grants, sms_opt_ins) but this module: a business change calls the service's
 * `publish(tx, event)` inside its own transaction (`deps.notifications.publish`), which queues the
 * fan-out only if that transaction commits. The audience an event names is registered once with
 * `registerAudience(name, (params) => query)`, the query built from the owner's published functions
 * (e.g. accounts' `customersInAreas`) or `customerAudience` below.
 */
import { sql } from 'drizzle-orm';
import type { customers } from '../../db/schema';

export type { AudienceQuery, NotificationEvent, Notifications } from './service';
export type { MessagePayload } from './sender';

/** Work orders (and any event for one person): an audience of exactly this customer. */
export const customerAudience = (customerId: (typeof customers.$inferSelect)['id']) => sql`SELECT ${customerId}::bigint AS customer_id`;
