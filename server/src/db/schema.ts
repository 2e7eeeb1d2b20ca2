/**
 * The database schema, one file per capability; drizzle-kit reads this module to generate migrations.
 */
export * from './schema/foundation';
export * from './schema/auth';
export * from './schema/accounts';
export * from './schema/billing';
export * from './schema/outages';
export * from './schema/notifications';
export * from './schema/workorders';
export * from './schema/terminals';
export * from './schema/payments';
