import Router from '@koa/router';
import Koa from 'koa';
import compress from 'koa-compress';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/database';
import { bodyReader } from './http/body';
import { errorEnvelope } from './http/errors';
import { createHttpMetrics } from './http/metrics';
import { buildOpenApiDocument } from './http/openapi';
import { requestContext } from './http/request-context';
import { h5Static } from './http/static';
import type { AmiClient } from './integrations/ami/client';
import type { BackofficeClient } from './integrations/backoffice/client';
import type { SmsClient } from './integrations/sms/client';
import type { WechatClient } from './integrations/wechat/client';
import { securityContext } from './http/security';
import type { Outbox } from './jobs/outbox';
import type { JobQueue } from './jobs/queue';
import { healthRoutes } from './modules/health/routes';
import { accountRoutes } from './modules/accounts/routes';
import type { AccountsService } from './modules/accounts/service';
import { authRoutes } from './modules/auth/routes';
import type { AuthService } from './modules/auth/service';
import { billingRoutes } from './modules/billing/routes';
import type { BillingService } from './modules/billing/service';
import { notificationRoutes } from './modules/notifications/routes';
import type { Notifications } from './modules/notifications/service';
import { outageRoutes } from './modules/outages/routes';
import { paymentRoutes } from './modules/payments/routes';
import type { Payments } from './modules/payments/service';
import type { Outages } from './modules/outages/service';
import { operationsRoutes } from './modules/operations/routes';
import { workOrderRoutes } from './modules/workorders/routes';
import type { Documents } from './modules/workorders/documents';
import type { WorkOrders } from './modules/workorders/service';
import type { SmsCodes } from './modules/auth/sms-codes';
import type { AccessTokens } from './modules/auth/tokens';
import { metaRoutes } from './modules/meta/routes';
import type { Terminals } from './modules/terminals';
import { terminalRoutes } from './modules/terminals/routes';
import type { KeyValueStore } from './redis';
import type { WorkCalendar } from '../../shared/workdays';
import { calendarCoverage } from './modules/workorders/calendar';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Peers {
  backoffice: BackofficeClient;
  wechat: WechatClient;
  sms: SmsClient;
  ami: AmiClient;
}

/** Everything the HTTP app needs, passed in so tests can build it around real or substitute parts. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** The working-day calendar work-order limits run on (and health reports the reach of). */
  calendar: WorkCalendar;
  database: Database;
  store: KeyValueStore;
  jobs: JobQueue;
  outbox: Outbox;
  peers: Peers;
  tokens: AccessTokens;
  smsCodes: SmsCodes;
  auth: AuthService;
  accounts: AccountsService;
  billing: BillingService;
  notifications: Notifications;
  outages: Outages;
  workOrders: WorkOrders;
  documents: Documents;
  terminals: Terminals;
  payments: Payments;
}

export const APP_VERSION = '0.1.0';

/** The HTTP app: operations endpoints and every module's routes, behind one middleware chain. */
export function createApp(deps: AppDeps, options: { routers?: Router[] } = {}): Koa {
  // Only the entries our own proxies appended to X-Forwarded-For are believed: the leftmost ones are
  // whatever the client wrote, and terminal IP allow-lists and rate limits must not trust those.
  const hops = deps.config.trustProxyHops;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const metrics = createHttpMetrics({ calendarCoverage: () => calendarCoverage(deps.calendar, deps.clock.now()) });
  let openApiDocument: object | undefined;

  const operations = new Router();
  operations.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  operations.get('/api/openapi.json', (ctx) => {
    openApiDocument ??= buildOpenApiDocument(APP_VERSION);
    ctx.body = openApiDocument;
  });

  app.use(requestContext(deps.logger));
  app.use(metrics.middleware);
  app.use(errorEnvelope());
  // API replies are compressed on the fly at a quick brotli level; static files bring their own.
  app.use(compress({ threshold: 1024, br: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } } }));
  app.use(h5Static(deps.config.h5Dist));
  app.use(bodyReader(deps.config.bodyLimitBytes, deps.config.bodyTimeoutMs));
  app.use(securityContext(deps));
  const modules = [
    healthRoutes(deps),
    metaRoutes(deps),
    authRoutes(deps),
    accountRoutes(deps),
    billingRoutes(deps),
    outageRoutes(deps),
    notificationRoutes(deps),
    workOrderRoutes(deps),
    operationsRoutes(deps),
    terminalRoutes(deps),
    paymentRoutes(deps),
  ];
  for (const router of [operations, ...modules, ...(options.routers ?? [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  return app;
}
