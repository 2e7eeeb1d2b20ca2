import { createPrivateKey, createPublicKey } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { DEMO_DEFAULTS, DEVELOPMENT_SECRETS, productionIssues, SECRET_SETTINGS } from './config-production';
import type { AlipayMerchantKeys, WechatPayMerchantKeys } from '../../shared/node/payment-keys';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['on', 'off']);

/** A PEM key given in one environment variable; a literal backslash-n stands for a line break. */
const pem = (kind: 'private' | 'public') =>
  z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n'))
    .refine((value) => {
      try {
        if (kind === 'private') createPrivateKey(value);
        else createPublicKey(value);
        return true;
      } catch {
        return false;
      }
    }, `must be a PEM ${kind} key`);

const WECHATPAY_KEYS = [
  'WECHATPAY_MERCHANT_PRIVATE_KEY',
  'WECHATPAY_MERCHANT_SERIAL',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_PUBLIC_KEY',
] as const;
const ALIPAY_KEYS = ['ALIPAY_APP_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY'] as const;

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().min(1).default('.data'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    PG_PORT: port.default(5433),
    DB_POOL_MAX: positiveInt.default(10),
    JOBS_POOL_MAX: positiveInt.default(4),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
    BODY_TIMEOUT_MS: positiveInt.max(300_000).default(30_000),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
    BACKOFFICE_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
    SMS_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
    MOCKS: flag.optional(),
    MOCK_PORT: port.default(3100),
    BACKOFFICE_URL: z.url().optional(),
    BACKOFFICE_SECRET: z.string().min(16).optional(),
    H5_DIST: z.string().min(1).default('h5/dist'),
    JWT_KEYS: z
      .string()
      .regex(/^[\w-]+:[^,:]{32,}(,[\w-]+:[^,:]{32,})*$/, 'must be "kid:secret[,kid:secret…]" with secrets of 32+ characters')
      .optional(),
    ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(900).default(900),
    REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
    WECHAT_API_BASE: z.url().optional(),
    WECHAT_APPID: z.string().min(1).default(DEMO_DEFAULTS.WECHAT_APPID),
    WECHAT_SECRET: z.string().min(1).default(DEMO_DEFAULTS.WECHAT_SECRET),
    SMS_URL: z.url().optional(),
    SMS_API_KEY: z.string().min(8).default(DEMO_DEFAULTS.SMS_API_KEY),
    AMI_URL: z.url().optional(),
    AMI_API_KEY: z.string().min(8).default(DEMO_DEFAULTS.AMI_API_KEY),
    DEMO_HISTORY: flag.optional(),
    WECHAT_TEMPLATE_OUTAGE: z.string().min(1).default('TPL_OUTAGE_NOTICE'),
    WECHAT_TEMPLATE_WORKORDER: z.string().min(1).default('TPL_WORKORDER_PROGRESS'),
    NOTIFY_SEND_CONCURRENCY: positiveInt.max(200).default(32),
    OUTAGE_SIGNAL_REPORTS: positiveInt.default(3),
    UPLOAD_MAX_BYTES: positiveInt.max(50 * 1_048_576).default(5 * 1_048_576),
    OUTAGE_SIGNAL_WINDOW_MINUTES: positiveInt.default(30),
    BILL_RUN_CHUNK: positiveInt.max(50_000).default(2_500),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).optional(),
    TERMINAL_SECRET_KEYS: z
      .string()
      .regex(/^[\w-]+:[^,:]{32,}(,[\w-]+:[^,:]{32,})*$/, 'must be "kid:key[,kid:key…]" with keys of 32+ characters')
      .optional(),
    DEMO_TERMINAL_ID: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, 'must be 3–32 capital letters, digits or -')
      .default('DEMO-BANK-001'),
    DEMO_TERMINAL_SECRET: z.string().min(32).optional(),
    MOCK_PAY_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
    WECHATPAY_API_BASE: z.url().optional(),
    WECHATPAY_MCHID: z
      .string()
      .regex(/^\d{8,12}$/, 'must be a WeChat Pay merchant id (digits)')
      .default(DEMO_DEFAULTS.WECHATPAY_MCHID),
    WECHATPAY_MERCHANT_PRIVATE_KEY: pem('private').optional(),
    WECHATPAY_MERCHANT_SERIAL: z
      .string()
      .regex(/^[0-9A-Fa-f]{8,40}$/, 'must be the merchant certificate serial in hex')
      .optional(),
    WECHATPAY_APIV3_KEY: z.string().length(32).optional(),
    WECHATPAY_PUBLIC_KEY_ID: z
      .string()
      .regex(/^PUB_KEY_ID_\w+$/, 'must look like PUB_KEY_ID_…')
      .optional(),
    WECHATPAY_PUBLIC_KEY: pem('public').optional(),
    ALIPAY_GATEWAY: z.url().optional(),
    ALIPAY_APPID: z
      .string()
      .regex(/^\d{16}$/, 'must be a 16-digit Alipay app id')
      .default(DEMO_DEFAULTS.ALIPAY_APPID),
    ALIPAY_SELLER_ID: z
      .string()
      .regex(/^2088\d{12}$/, 'must be a 2088… Alipay partner id')
      .default(DEMO_DEFAULTS.ALIPAY_SELLER_ID),
    ALIPAY_APP_PRIVATE_KEY: pem('private').optional(),
    ALIPAY_PUBLIC_KEY: pem('public').optional(),
    /** Where the gateways reach this server from outside (notify URLs, return pages); defaults to the listening address. */
    PUBLIC_BASE_URL: z.url().optional(),
    PAYMENT_ORDER_TTL_MINUTES: positiveInt.max(120).default(30),
    PAYMENT_QUERY_AFTER_SECONDS: positiveInt.default(180),
    WECHAT_TEMPLATE_PAYMENT: z.string().min(1).default('TPL_PAYMENT_RESULT'),
    WORK_CALENDAR_FILE: z.string().min(1).optional(),
    UTILITY_NAME: z.string().trim().min(2).max(60).optional(),
    UTILITY_SHORT_NAME: z.string().trim().min(2).max(20).optional(),
    UTILITY_HOTLINE: z
      .string()
      .regex(/^[\d-]{5,20}$/, 'must be a phone number (digits and -)')
      .default('95598'),
    UTILITY_SERVICE_HOURS: z.string().trim().min(2).max(40).default('全天 24 小时'),
  })
  .superRefine((env, ctx) => {
    // A gateway's keys come as a set: half a set would sign with one party's key and verify with another's.
    for (const group of [WECHATPAY_KEYS, ALIPAY_KEYS]) {
      const given = group.filter((key) => env[key] !== undefined);
      if (given.length === 0 || given.length === group.length) continue;
      for (const key of group) if (env[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is required when ${given[0]} is set` });
    }
    if (env.NODE_ENV !== 'production') return;
    for (const key of [
      'DATABASE_URL',
      'BACKOFFICE_URL',
      'BACKOFFICE_SECRET',
      'JWT_KEYS',
      'WECHAT_API_BASE',
      'SMS_URL',
      'AMI_URL',
      'TERMINAL_SECRET_KEYS',
      'WECHATPAY_API_BASE',
      'ALIPAY_GATEWAY',
      'PUBLIC_BASE_URL',
      'UTILITY_NAME',
      'UTILITY_SHORT_NAME',
      ...WECHATPAY_KEYS,
      ...ALIPAY_KEYS,
    ] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
    for (const [key, message] of productionIssues(env)) ctx.addIssue({ code: 'custom', path: [key], message });
  });

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: string;
  dataDir: string;
  database: { url?: string; embeddedDir: string; embeddedPort: number; poolMax: number; jobsPoolMax: number };
  redisUrl?: string;
  bodyLimitBytes: number;
  /** How long a client may take to send a request body (JSON, form or upload) before it is refused with 408. */
  bodyTimeoutMs: number;
  shutdownTimeoutMs: number;
  mocks: { enabled: boolean; port: number; /** Multiplies the mock gateways' notification retry delays (1 = the real schedule). */ paymentTimeScale: number };
  backoffice: { url: string; secret: string; timeoutMs: number };
  h5Dist: string;
  auth: {
    /** Signing keys by id; the first signs, all verify (so a retired key keeps working until its tokens expire). */
    jwtKeys: Array<{ kid: string; secret: string }> | undefined;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
  };
  wechat: { apiBase: string; appId: string; secret: string };
  /**
   * WeChat Pay v3. `apiBase` stands in for https://api.mch.weixin.qq.com; JSAPI and H5 orders use
   * the mini-program's app id. `keys` unset: development keys from `$DATA_DIR/payment-keys.json`.
   */
  wechatPay: { apiBase: string; appId: string; mchId: string; keys: WechatPayMerchantKeys | undefined };
  /** Alipay open platform; `sellerId` is the merchant's 2088… partner id notifications carry. */
  alipay: { gateway: string; appId: string; sellerId: string; keys: AlipayMerchantKeys | undefined };
  /** Online payments: orders live `orderTtlMinutes`; one still PAYING after `queryAfterSeconds` is asked about. */
  payments: { publicBaseUrl: string | undefined; orderTtlMinutes: number; queryAfterSeconds: number };
  sms: { url: string; apiKey: string; timeoutMs: number };
  ami: { url: string; apiKey: string };
  billing: { runChunkSize: number };
  /** Build the demo's year of bills from the metering system on first start. */
  demoHistory: boolean;
  notifications: { templates: { outage: string; workorder: string; payment: string }; sendConcurrency: number };
  outages: { signalReports: number; signalWindowMinutes: number };
  uploads: { maxBytes: number; dir: string };
  /** The operator's holiday file laid over the chinese-days package (see modules/workorders/calendar.ts). */
  workCalendar: { file: string; required: boolean };
  /** The utility's identity shown in the app, when configured (always in production; the demo seeds its own). */
  utility?: { name: string; shortName: string; hotline: string; serviceHours: string };
  /** Reverse proxies in front of the server whose X-Forwarded-For entries are believed (0: use the socket's address). */
  trustProxyHops: number;
  terminals: {
    /** Keys that encrypt terminal secrets at rest: the first encrypts, all decrypt (rotate by putting a new one first). */
    secretKeys: Array<{ kid: string; key: string }>;
    /** The demo terminal `npm run terminal` signs as; seeded only outside production unless its secret is given. */
    demo: { terminalId: string; secret: string; seed: boolean };
  };
}

/** A setting that is missing or malformed; its message is the one line start-up prints. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once; throws ConfigError naming the first bad setting. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(Object.keys(EnvSchema.shape).map((key) => [key, source[key] === '' ? undefined : source[key]]));
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    // Secrets are never echoed into logs, nor the password of a database URL.
    const shown = source[name]?.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
    const got = source[name] === undefined ? 'unset' : SECRET_SETTINGS.has(name) ? 'value not shown' : `got "${shown}"`;
    throw new ConfigError(`Configuration error: ${name} ${issue.message.replace(/^Invalid input: /, '')} (${got})`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const mocksEnabled = env.MOCKS ? env.MOCKS === 'on' : env.NODE_ENV !== 'production';
  const mockBase = `http://127.0.0.1:${env.MOCK_PORT}`;
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    dataDir,
    database: {
      url: env.DATABASE_URL,
      embeddedDir: path.join(dataDir, 'pg'),
      embeddedPort: env.PG_PORT,
      poolMax: env.DB_POOL_MAX,
      jobsPoolMax: env.JOBS_POOL_MAX,
    },
    redisUrl: env.REDIS_URL,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    bodyTimeoutMs: env.BODY_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    mocks: { enabled: mocksEnabled, port: env.MOCK_PORT, paymentTimeScale: env.MOCK_PAY_TIME_SCALE },
    backoffice: {
      url: env.BACKOFFICE_URL ?? `${mockBase}/backoffice`,
      // The development secret only ever signs traffic to the local mock back office.
      secret: env.BACKOFFICE_SECRET ?? DEVELOPMENT_SECRETS.backoffice,
      timeoutMs: env.BACKOFFICE_TIMEOUT_MS,
    },
    h5Dist: path.resolve(env.H5_DIST),
    auth: {
      jwtKeys: env.JWT_KEYS?.split(',').map((pair) => {
        const [kid, secret] = pair.split(':') as [string, string];
        return { kid, secret };
      }),
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    },
    wechat: { apiBase: env.WECHAT_API_BASE ?? `${mockBase}/wechat`, appId: env.WECHAT_APPID, secret: env.WECHAT_SECRET },
    wechatPay: {
      apiBase: env.WECHATPAY_API_BASE ?? `${mockBase}/wechatpay`,
      appId: env.WECHAT_APPID,
      mchId: env.WECHATPAY_MCHID,
      keys:
        env.WECHATPAY_MERCHANT_PRIVATE_KEY &&
        env.WECHATPAY_MERCHANT_SERIAL &&
        env.WECHATPAY_APIV3_KEY &&
        env.WECHATPAY_PUBLIC_KEY_ID &&
        env.WECHATPAY_PUBLIC_KEY
          ? {
              merchantPrivateKey: env.WECHATPAY_MERCHANT_PRIVATE_KEY,
              merchantSerial: env.WECHATPAY_MERCHANT_SERIAL,
              apiV3Key: env.WECHATPAY_APIV3_KEY,
              publicKeyId: env.WECHATPAY_PUBLIC_KEY_ID,
              publicKey: env.WECHATPAY_PUBLIC_KEY,
            }
          : undefined,
    },
    alipay: {
      gateway: env.ALIPAY_GATEWAY ?? `${mockBase}/alipay/gateway.do`,
      appId: env.ALIPAY_APPID,
      sellerId: env.ALIPAY_SELLER_ID,
      keys:
        env.ALIPAY_APP_PRIVATE_KEY && env.ALIPAY_PUBLIC_KEY ? { appPrivateKey: env.ALIPAY_APP_PRIVATE_KEY, alipayPublicKey: env.ALIPAY_PUBLIC_KEY } : undefined,
    },
    payments: {
      publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
      orderTtlMinutes: env.PAYMENT_ORDER_TTL_MINUTES,
      queryAfterSeconds: env.PAYMENT_QUERY_AFTER_SECONDS,
    },
    sms: { url: env.SMS_URL ?? `${mockBase}/sms`, apiKey: env.SMS_API_KEY, timeoutMs: env.SMS_TIMEOUT_MS },
    ami: { url: env.AMI_URL ?? `${mockBase}/ami`, apiKey: env.AMI_API_KEY },
    billing: { runChunkSize: env.BILL_RUN_CHUNK },
    demoHistory: env.DEMO_HISTORY ? env.DEMO_HISTORY === 'on' : env.NODE_ENV !== 'production',
    notifications: {
      templates: { outage: env.WECHAT_TEMPLATE_OUTAGE, workorder: env.WECHAT_TEMPLATE_WORKORDER, payment: env.WECHAT_TEMPLATE_PAYMENT },
      sendConcurrency: env.NOTIFY_SEND_CONCURRENCY,
    },
    outages: { signalReports: env.OUTAGE_SIGNAL_REPORTS, signalWindowMinutes: env.OUTAGE_SIGNAL_WINDOW_MINUTES },
    uploads: { maxBytes: env.UPLOAD_MAX_BYTES, dir: path.join(dataDir, 'uploads') },
    utility: env.UTILITY_NAME
      ? { name: env.UTILITY_NAME, shortName: env.UTILITY_SHORT_NAME ?? env.UTILITY_NAME, hotline: env.UTILITY_HOTLINE, serviceHours: env.UTILITY_SERVICE_HOURS }
      : undefined,
    workCalendar: { file: path.resolve(env.WORK_CALENDAR_FILE ?? path.join(dataDir, 'holidays.json')), required: env.WORK_CALENDAR_FILE !== undefined },
    trustProxyHops: env.TRUST_PROXY_HOPS ?? (env.NODE_ENV === 'production' ? 1 : 0),
    terminals: {
      secretKeys: (env.TERMINAL_SECRET_KEYS ?? `dev:${DEVELOPMENT_SECRETS.terminalSealKey}`).split(',').map((pair) => {
        const [kid, key] = pair.split(':') as [string, string];
        return { kid, key };
      }),
      demo: {
        terminalId: env.DEMO_TERMINAL_ID,
        // The development default only ever signs requests from this machine (the demo terminal allows loopback only).
        secret: env.DEMO_TERMINAL_SECRET ?? DEVELOPMENT_SECRETS.demoTerminal,
        seed: env.NODE_ENV !== 'production' || env.DEMO_TERMINAL_SECRET !== undefined,
      },
    },
  };
}
