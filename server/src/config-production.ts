/**
 * What production refuses: the demo's defaults (so `npm start` needs no settings, but a production
 * start with one of them would talk to the real world with a value everyone can read in this
 * repository), the development payment keys the mocks hold, and secrets weak enough to guess.
 */
import path from 'node:path';
import { developmentKeySecrets, SHARED_DEV_KEYS_DIR } from '../../shared/node/payment-keys';

/** Defaults that make the demo run against the mock peers; the mocks expect the same values. */
export const DEMO_DEFAULTS = {
  WECHAT_APPID: 'wx_demo_appid',
  WECHAT_SECRET: 'demo-wechat-app-secret',
  SMS_API_KEY: 'demo-sms-api-key',
  AMI_API_KEY: 'demo-ami-api-key',
  WECHATPAY_MCHID: '1900000109',
  ALIPAY_APPID: '2021000000000001',
  ALIPAY_SELLER_ID: '2088000000000001',
} as const;

/** Secrets the code falls back to outside production; published here, so never acceptable in it. */
export const DEVELOPMENT_SECRETS = {
  backoffice: 'dev-backoffice-secret-not-for-production',
  terminalSealKey: 'dev-terminal-secret-key-not-for-production',
  demoTerminal: 'demo-terminal-secret-not-for-production',
} as const;

/** Every setting whose value is secret: never echoed in an error line. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'BACKOFFICE_SECRET',
  'JWT_KEYS',
  'TERMINAL_SECRET_KEYS',
  'DEMO_TERMINAL_SECRET',
  'WECHAT_SECRET',
  'SMS_API_KEY',
  'AMI_API_KEY',
  'WECHATPAY_MERCHANT_PRIVATE_KEY',
  'WECHATPAY_APIV3_KEY',
  'ALIPAY_APP_PRIVATE_KEY',
]);

/** Secrets this deployment makes itself (shared HMAC and signing keys): long and random. */
const OWN_SECRETS = ['BACKOFFICE_SECRET', 'JWT_KEYS', 'TERMINAL_SECRET_KEYS', 'DEMO_TERMINAL_SECRET'] as const;
/** Credentials a vendor issues: their length is theirs, but a placeholder is still refused. */
const VENDOR_SECRETS = ['WECHAT_SECRET', 'SMS_API_KEY', 'AMI_API_KEY', 'WECHATPAY_APIV3_KEY'] as const;

const MARKERS = /not-for-production|changeme|change-me|example|password|placeholder/i;

/** Six or more consecutive ascending characters (012345, abcdef): typed by a person, not generated. */
function hasAscendingRun(value: string, length = 6): boolean {
  let run = 1;
  for (let i = 1; i < value.length; i += 1) {
    run = value.charCodeAt(i) === value.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= length) return true;
  }
  return false;
}

/** Why a secret is too weak for production, or undefined. */
function weakness(value: string, minLength: number): string | undefined {
  if (Object.values(DEVELOPMENT_SECRETS).includes(value as never) || Object.values(DEMO_DEFAULTS).includes(value as never))
    return 'is a development default, not allowed in production';
  if (value.length < minLength) return `must be at least ${minLength} characters in production`;
  if (new Set(value).size < Math.min(10, minLength / 2) || MARKERS.test(value) || hasAscendingRun(value))
    return 'is too weak for production (a placeholder, a run like 012345, or too few distinct characters); generate a random one';
  return undefined;
}

/** The secret parts of a `kid:secret[,kid:secret…]` list. */
const keyListSecrets = (value: string) => value.split(',').map((pair) => pair.slice(pair.indexOf(':') + 1));

/** Problems with a production environment's secrets and demo values, as [setting, message]. */
export function productionIssues(parsed: { DATA_DIR: string }): Array<[string, string]> {
  const env = parsed as Record<string, unknown> as Record<string, string | undefined> & { DATA_DIR: string };
  const issues: Array<[string, string]> = [];
  for (const key of Object.keys(DEMO_DEFAULTS) as Array<keyof typeof DEMO_DEFAULTS>) {
    if (env[key] === DEMO_DEFAULTS[key]) issues.push([key, 'is the demo default; production needs the real value']);
  }
  for (const key of OWN_SECRETS) {
    const value = env[key];
    if (value === undefined) continue;
    const problem = (key === 'JWT_KEYS' || key === 'TERMINAL_SECRET_KEYS' ? keyListSecrets(value) : [value])
      .map((secret) => weakness(secret, 32))
      .find(Boolean);
    if (problem) issues.push([key, problem]);
  }
  for (const key of VENDOR_SECRETS) {
    const value = env[key];
    const problem = value === undefined ? undefined : weakness(value, 16);
    if (problem) issues.push([key, problem]);
  }
  // The mocks sign with the other half of these: a production merchant key must be its own.
  const devKeys = developmentKeySecrets([path.resolve(env.DATA_DIR), SHARED_DEV_KEYS_DIR]);
  for (const key of ['WECHATPAY_MERCHANT_PRIVATE_KEY', 'WECHATPAY_APIV3_KEY', 'ALIPAY_APP_PRIVATE_KEY'] as const) {
    const value = env[key];
    if (value !== undefined && devKeys.has(value)) issues.push([key, 'is a development key (the mock gateways hold it), not allowed in production']);
  }
  return issues;
}
