import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { pino } from 'pino';
import { inject } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/src/server';
import type { Clock } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { merchantKeysOf } from '../../shared/node/payment-keys';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { startRuntime, type Runtime } from '../../server/src/runtime';

import { TEMPLATE_DATABASE } from './constants';
export const TEST_BACKOFFICE_SECRET = 'test-backoffice-secret-0123456789';
export const TEST_JWT_KEYS = 'k1:test-signing-key-one-0123456789abcdef';

/** A fresh database copied from the migrated template; unique per call. */
export async function createTestDatabase(): Promise<string> {
  const name = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(inject('pgAdminUrl'), name, TEMPLATE_DATABASE);
  return `${inject('pgUrlBase')}${name}`;
}

export interface TestApp {
  url: string;
  runtime: Runtime;
  mocks: MockServer;
  databaseUrl: string;
  request(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  stop(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function request(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const hasBody = options.body !== undefined;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
    body: hasBody ? (typeof options.body === 'string' ? options.body : JSON.stringify(options.body)) : undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, text };
}

/**
 * The real server on a random port, against its own fresh database and its own mock peers,
 * configured the way `npm start` configures it.
 */
export async function startTestApp(options: { env?: Record<string, string>; databaseUrl?: string; mocks?: MockServer; clock?: Clock } = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const mocks = options.mocks ?? (await startMockServer({ port: 0, backofficeSecret: TEST_BACKOFFICE_SECRET }));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BACKOFFICE_URL: `${mocks.url}/backoffice`,
    BACKOFFICE_SECRET: TEST_BACKOFFICE_SECRET,
    SHUTDOWN_TIMEOUT_MS: '2000',
    JWT_KEYS: TEST_JWT_KEYS,
    WECHAT_API_BASE: `${mocks.url}/wechat`,
    SMS_URL: `${mocks.url}/sms`,
    AMI_URL: `${mocks.url}/ami`,
    ...paymentEnv(mocks),
    // Most tests do not need a year of bills; the billing tests turn it on.
    DEMO_HISTORY: 'off',
    ...options.env,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const runtime = await startRuntime({ config, databaseUrl, logger, port: 0, clock: options.clock });
  return {
    url: runtime.url,
    runtime,
    mocks,
    databaseUrl,
    request: (method, path, requestOptions) => request(runtime.url, method, path, requestOptions),
    async stop() {
      await runtime.stop();
      if (!options.mocks) await mocks.close();
    },
  };
}

/** The server's payment settings for these mock peers: their URLs and the merchant's half of their keys. */
export function paymentEnv(mocks: MockServer): Record<string, string> {
  const { wechatPay, alipay } = merchantKeysOf(mocks.paymentKeys);
  return {
    WECHATPAY_API_BASE: `${mocks.url}/wechatpay`,
    WECHATPAY_MERCHANT_PRIVATE_KEY: wechatPay.merchantPrivateKey,
    WECHATPAY_MERCHANT_SERIAL: wechatPay.merchantSerial,
    WECHATPAY_APIV3_KEY: wechatPay.apiV3Key,
    WECHATPAY_PUBLIC_KEY_ID: wechatPay.publicKeyId,
    WECHATPAY_PUBLIC_KEY: wechatPay.publicKey,
    ALIPAY_GATEWAY: `${mocks.url}/alipay/gateway.do`,
    ALIPAY_APP_PRIVATE_KEY: alipay.appPrivateKey,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
  };
}

/**
 * The environment of a server started as its own process (`spawnServer`) on `port`, against its
 * database and the test's mock peers: what `startTestApp` configures, as environment variables.
 */
export function serverProcessEnv(mocks: MockServer, databaseUrl: string, port: number): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    MOCKS: 'off',
    LOG_LEVEL: 'info',
    DEMO_HISTORY: 'off',
    JWT_KEYS: TEST_JWT_KEYS,
    BACKOFFICE_URL: `${mocks.url}/backoffice`,
    BACKOFFICE_SECRET: TEST_BACKOFFICE_SECRET,
    WECHAT_API_BASE: `${mocks.url}/wechat`,
    SMS_URL: `${mocks.url}/sms`,
    AMI_URL: `${mocks.url}/ami`,
    ...paymentEnv(mocks),
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Serves a Koa app on a random loopback port (for apps a test composes itself). */
export async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A clock a test moves by hand: starts at the real time. */
export function manualClock(start = new Date()): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

/** Several server instances on one database and one set of mock peers, as in a scaled-out deployment. */
export async function startInstances(count: number, env: Record<string, string> = {}) {
  const mocks = await startMockServer({ port: 0, backofficeSecret: TEST_BACKOFFICE_SECRET });
  const databaseUrl = await createTestDatabase();
  const apps: TestApp[] = [];
  for (let i = 0; i < count; i += 1) apps.push(await startTestApp({ databaseUrl, mocks, env }));
  return {
    mocks,
    apps,
    async stop() {
      await Promise.all(apps.map((app) => app.stop()));
      await mocks.close();
    },
  };
}
