import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { answerClientErrors } from './http/client-errors';
import { createApp, systemClock, type AppDeps, type Clock } from './app';
import type { Config } from './config';
import { openDatabase, runMigrations } from './db/database';
import { createAmiClient } from './integrations/ami/client';
import { createBackofficeClient } from './integrations/backoffice/client';
import { createSmsClient } from './integrations/sms/client';
import { createWechatClient } from './integrations/wechat/client';
import { createAccountsService } from './modules/accounts/service';
import { ensureTariffPresets, seedBillingHistory } from './modules/billing/seed';
import { createBillingService } from './modules/billing/service';
import { createNotifications } from './modules/notifications/service';
import { CUSTOMER_AUDIENCE, customerAudience } from './modules/notifications/published';
import { createOutages, OUTAGE_AUDIENCE, outageAudience } from './modules/outages/service';
import { createDocuments } from './modules/workorders/documents';
import { createWorkOrders } from './modules/workorders/service';
import { createTerminals } from './modules/terminals';
import { createAlipayClient } from './integrations/alipay/client';
import { loadOrCreatePaymentKeys, merchantKeysOf } from '../../shared/node/payment-keys';
import { createWechatPayClient } from './integrations/wechatpay/client';
import { alipayProvider, wechatPayProvider } from './modules/payments/providers';
import { createPayments } from './modules/payments/service';
import { applyUtilityProfile } from './modules/meta/profile';
import { ensureDemoTerminal } from './modules/terminals/seed';
import { localStorage } from './storage';
import { loadWorkCalendar, warnIfUncovered } from './modules/workorders/calendar';
import { loadOrCreateDevKeys } from './modules/auth/keys';
import { createAuthService } from './modules/auth/service';
import { createSmsCodes } from './modules/auth/sms-codes';
import { createAccessTokens } from './modules/auth/tokens';
import { createOutbox } from './jobs/outbox';
import { createJobQueue } from './jobs/queue';
import { openKeyValueStore } from './redis';
import { seedDemoData, type DemoCredentials } from './seed';

export interface Runtime {
  url: string;
  app: Koa;
  server: http.Server;
  deps: AppDeps;
  demo: DemoCredentials | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), then closes pools. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  databaseUrl: string;
  logger: Logger;
  clock?: Clock;
  /** Seed the demo utility (staff with printed passwords, accounts, grids…); default: outside production only. */
  seed?: boolean;
  /** Listen on this port instead of config.port (0 = any free port). */
  port?: number;
}

/** Builds the whole server around a database URL: migrate, seed, jobs, HTTP. Used by `npm start` and the tests. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  // Read before anything starts: a malformed holiday file stops start-up with one line.
  const calendar = loadWorkCalendar(config.workCalendar);
  warnIfUncovered(calendar, clock.now(), config.workCalendar, logger);
  const database = openDatabase(options.databaseUrl, config.database.poolMax);
  await runMigrations(database);
  await ensureTariffPresets(database);
  // Production starts empty: staff are made with `npm run staff:create`, nothing is seeded.
  const seed = options.seed ?? config.env !== 'production';
  const demo = seed ? await seedDemoData(database, logger, config, clock) : undefined;
  // The demo terminal comes with the demo, or in production only when DEMO_TERMINAL_SECRET is set.
  if (demo || config.env === 'production') await ensureDemoTerminal(database.db, config);
  if (config.utility) await applyUtilityProfile(database, config.utility);
  const store = await openKeyValueStore(config.redisUrl);
  const jobs = createJobQueue({ url: options.databaseUrl, poolMax: config.database.jobsPoolMax, log: logger });
  const peers = {
    backoffice: createBackofficeClient({ ...config.backoffice, now: () => clock.now() }),
    wechat: createWechatClient(config.wechat),
    sms: createSmsClient(config.sms),
    ami: createAmiClient(config.ami),
  };
  const tokens = createAccessTokens(config.auth.jwtKeys ?? (await loadOrCreateDevKeys(config.dataDir)), config.auth.accessTokenTtlSeconds, clock);
  const smsCodes = createSmsCodes({ database, store, clock, sms: peers.sms });
  const auth = createAuthService({ database, store, clock, tokens, smsCodes, wechat: peers.wechat, refreshTtlDays: config.auth.refreshTokenTtlDays });
  const accounts = createAccountsService({ database, store, clock, smsCodes });
  const outbox = createOutbox({
    database,
    jobs,
    log: logger,
    handlers: {
      // The back office learns of every change through its webhook; the outbox row id is the event id.
      backoffice: (event) => {
        const { type, data } = event.payload as { type: string; data: unknown };
        return peers.backoffice.deliver({ id: `evt_${event.id}`, type, data, occurredAt: event.createdAt.toISOString() });
      },
    },
  });
  const billing = createBillingService({ database, clock, jobs, ami: peers.ami, log: logger, runChunkSize: config.billing.runChunkSize });
  const notifications = createNotifications({
    database,
    store,
    jobs,
    wechat: peers.wechat,
    sms: peers.sms,
    templates: config.notifications.templates,
    sendConcurrency: config.notifications.sendConcurrency,
    log: logger,
  });
  // Every audience is registered here, once: work orders and payments both speak to one customer.
  notifications.registerAudience(CUSTOMER_AUDIENCE, customerAudience, { inline: true });
  notifications.registerAudience(OUTAGE_AUDIENCE, outageAudience(database.db));
  const outages = createOutages({
    database,
    clock,
    jobs,
    notifications,
    log: logger,
    signal: { reports: config.outages.signalReports, windowMinutes: config.outages.signalWindowMinutes },
  });
  jobs.define({ name: 'outages.start-due', policy: 'stately', cron: '* * * * *', handler: async () => void (await outages.startDue()) });
  const documents = createDocuments({ database, storage: localStorage(config.uploads.dir) });
  const workOrders = createWorkOrders({ database, clock, calendar, outbox, notifications, accounts, outages, documents, log: logger });
  jobs.define({ name: 'workorders.deadlines', policy: 'stately', cron: '* * * * *', handler: async () => void (await workOrders.sweepDeadlines()) });
  const terminals = createTerminals({ database, store, clock, secretKeys: config.terminals.secretKeys });
  // Without configured keys (development) the merchant's share of the local key file is used, as the mocks use it.
  const devKeys = config.wechatPay.keys && config.alipay.keys ? undefined : merchantKeysOf(await loadOrCreatePaymentKeys(config.dataDir));
  const wechatPayKeys = config.wechatPay.keys ?? devKeys!.wechatPay;
  const alipayKeys = config.alipay.keys ?? devKeys!.alipay;
  let listeningUrl = '';
  const payments = createPayments({
    database,
    clock,
    notifications,
    outbox,
    providers: {
      wechatpay: wechatPayProvider(
        createWechatPayClient({ ...config.wechatPay, keys: wechatPayKeys, now: () => clock.now() }),
        config.wechatPay,
        // Development keys mean the local mock gateway: the demo mini-program pays there.
        config.wechatPay.keys ? undefined : `${config.wechatPay.apiBase}/_requestPayment`,
      ),
      alipay: alipayProvider(createAlipayClient({ ...config.alipay, keys: alipayKeys, now: () => clock.now() })),
    },
    settings: config.payments,
    publicBaseUrl: () => config.payments.publicBaseUrl ?? listeningUrl,
    log: logger,
  });
  jobs.define({ name: 'payments.sweep', policy: 'stately', cron: '* * * * *', handler: async () => void (await payments.sweep()) });
  await jobs.start();
  if (demo && config.demoHistory) {
    // The demo's bills come from the metering system; if it cannot be reached the server still
    // starts, and the history is built at the next start.
    await seedBillingHistory({ database, billing, clock, log: logger }).catch((err: Error) =>
      logger.warn({ err: { message: err.message } }, 'demo billing history not built: the metering system could not be reached'),
    );
  }

  const deps: AppDeps = {
    config,
    logger,
    clock,
    calendar,
    database,
    store,
    jobs,
    outbox,
    peers,
    tokens,
    smsCodes,
    auth,
    accounts,
    billing,
    notifications,
    outages,
    workOrders,
    documents,
    terminals,
    payments,
  };
  const app = createApp(deps);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  // Backstops behind the body reader's own deadline: a client that never finishes its headers or its
  // request is cut off by Node itself rather than holding a socket open.
  server.headersTimeout = 20_000;
  server.requestTimeout = config.bodyTimeoutMs + 10_000;
  answerClientErrors(server, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  listeningUrl = url;
  logger.info({ url }, 'server listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: no new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = setTimeout(() => {
        logger.warn('shutdown timeout reached, closing remaining connections');
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timeout);
      await jobs.stop();
      await Promise.all([database.close(), store.close()]);
      logger.info('shutdown complete');
    })());

  return { url, app, server, deps, demo, stop };
}
