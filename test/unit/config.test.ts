import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_MOCK_KEYS_DIR } from '../../mock/src/server';
import { ConfigError, loadConfig } from '../../server/src/config';
import { generatePaymentKeys, loadOrCreatePaymentKeys, merchantKeysOf, type PaymentKeys } from '../../shared/node/payment-keys';

const KEY_NAMES = [
  'WECHATPAY_MERCHANT_PRIVATE_KEY',
  'WECHATPAY_MERCHANT_SERIAL',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_PUBLIC_KEY',
  'ALIPAY_APP_PRIVATE_KEY',
  'ALIPAY_PUBLIC_KEY',
] as const;
let keyEnv: Record<(typeof KEY_NAMES)[number], string>;
/** A set of production's own: not one the mocks hold. */
let productionKeyEnv: Record<(typeof KEY_NAMES)[number], string>;

/** A full set of payment keys in the environment, as an operator gives them. */
function keyEnvOf(keys: PaymentKeys): Record<(typeof KEY_NAMES)[number], string> {
  const { wechatPay, alipay } = merchantKeysOf(keys);
  return {
    WECHATPAY_MERCHANT_PRIVATE_KEY: wechatPay.merchantPrivateKey,
    WECHATPAY_MERCHANT_SERIAL: wechatPay.merchantSerial,
    WECHATPAY_APIV3_KEY: wechatPay.apiV3Key,
    WECHATPAY_PUBLIC_KEY_ID: wechatPay.publicKeyId,
    WECHATPAY_PUBLIC_KEY: wechatPay.publicKey,
    ALIPAY_APP_PRIVATE_KEY: alipay.appPrivateKey,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
  };
}

beforeAll(async () => {
  keyEnv = keyEnvOf(await loadOrCreatePaymentKeys(SHARED_MOCK_KEYS_DIR));
  productionKeyEnv = keyEnvOf(await generatePaymentKeys());
});

const random = () => randomBytes(24).toString('base64url');
/** Everything production requires, with values of its own. */
function productionEnv(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://u:p@db:5432/power',
    BACKOFFICE_URL: 'https://backoffice.example/hooks',
    BACKOFFICE_SECRET: random(),
    JWT_KEYS: `k2026:${random()},k2025:${random()}`,
    WECHAT_API_BASE: 'https://api.weixin.qq.com',
    WECHAT_APPID: 'wx8a3f5c0d2e1b4967',
    WECHAT_SECRET: randomBytes(16).toString('hex'),
    SMS_URL: 'https://sms.example/v1',
    SMS_API_KEY: random(),
    AMI_URL: 'https://mdms.example/api',
    AMI_API_KEY: random(),
    TERMINAL_SECRET_KEYS: `t2026:${random()}`,
    PUBLIC_BASE_URL: 'https://pay.power.example',
    UTILITY_NAME: '江南示范供电公司',
    UTILITY_SHORT_NAME: '江南供电',
    WECHATPAY_API_BASE: 'https://api.mch.weixin.qq.com',
    WECHATPAY_MCHID: '1611223344',
    ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
    ALIPAY_APPID: '2021004433221100',
    ALIPAY_SELLER_ID: '2088731946285310',
    ...productionKeyEnv,
  };
}

/** The one line loadConfig refuses an environment with. */
function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration', () => {
  it('runs on defaults alone: embedded database, mocks on, in-process store', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.embeddedDir).toMatch(/\.data\/pg$/);
    expect(config.mocks).toEqual({ enabled: true, port: 3100, paymentTimeScale: 1 });
    expect(config.redisUrl).toBeUndefined();
    expect(config.backoffice.url).toBe('http://127.0.0.1:3100/backoffice');
    // Outside production: the socket's address, and a demo terminal to try the protocol with.
    expect(config.trustProxyHops).toBe(0);
    expect(config.terminals.demo).toEqual({ terminalId: 'DEMO-BANK-001', secret: 'demo-terminal-secret-not-for-production', seed: true });
    // The payment gateways default to the mocks, with development keys made at first start.
    expect(config.wechatPay).toEqual({ apiBase: 'http://127.0.0.1:3100/wechatpay', appId: 'wx_demo_appid', mchId: '1900000109', keys: undefined });
    expect(config.alipay).toEqual({
      gateway: 'http://127.0.0.1:3100/alipay/gateway.do',
      appId: '2021000000000001',
      sellerId: '2088000000000001',
      keys: undefined,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'http://localhost'],
    ['LOG_LEVEL', 'loud'],
    ['DB_POOL_MAX', '0'],
    ['MOCKS', 'maybe'],
    ['JWT_KEYS', 'k1:short'],
    ['ACCESS_TOKEN_TTL_SECONDS', '3600'],
    ['TERMINAL_SECRET_KEYS', 'k1:too-short'],
    ['DEMO_TERMINAL_ID', 'lower-case'],
    ['DEMO_TERMINAL_SECRET', 'short'],
    ['TRUST_PROXY_HOPS', '-1'],
  ])('names %s when it is malformed (%s) in a single line', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`Configuration error: ${name} `)).toBe(true);
    // A secret, even a malformed one, is not echoed.
    if (['JWT_KEYS', 'TERMINAL_SECRET_KEYS', 'DEMO_TERMINAL_SECRET'].includes(name)) expect(message.endsWith('(value not shown)')).toBe(true);
    else expect(message).toContain(value);
    expect(message).not.toContain('\n');
  });

  it('does not echo the password of a malformed database URL', () => {
    expect(refusal({ DATABASE_URL: 'mysql://power:s3cret-pw@db/power' })).toMatch(/DATABASE_URL .*\(got "mysql:\/\/power:\*\*\*@db\/power"\)$/);
  });

  it('demands real settings in production instead of falling back to development ones', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL is required in production/);
    const env = productionEnv();
    const config = loadConfig(env);
    expect(config.auth.jwtKeys?.map((key) => key.kid)).toEqual(['k2026', 'k2025']);
    expect(config.terminals.secretKeys.map((key) => key.kid)).toEqual(['t2026']);
    // Behind one proxy by default, and no demo terminal with a well-known secret.
    expect(config.trustProxyHops).toBe(1);
    expect(config.terminals.demo.seed).toBe(false);
    expect(config.mocks.enabled).toBe(false);
    expect(config.backoffice.secret).toBe(env.BACKOFFICE_SECRET);
  });

  it.each([
    ['BACKOFFICE_SECRET', 'dev-backoffice-secret-not-for-production', 'is a development default, not allowed in production'],
    ['JWT_KEYS', 'k1:dev-backoffice-secret-not-for-production', 'is a development default, not allowed in production'],
    ['TERMINAL_SECRET_KEYS', 'dev:dev-terminal-secret-key-not-for-production', 'is a development default, not allowed in production'],
    ['DEMO_TERMINAL_SECRET', 'demo-terminal-secret-not-for-production', 'is a development default, not allowed in production'],
    ['WECHAT_SECRET', 'demo-wechat-app-secret', 'is the demo default; production needs the real value'],
    ['SMS_API_KEY', 'demo-sms-api-key', 'is the demo default; production needs the real value'],
    ['AMI_API_KEY', 'demo-ami-api-key', 'is the demo default; production needs the real value'],
    ['WECHAT_APPID', undefined, 'is the demo default; production needs the real value'],
    ['WECHATPAY_MCHID', undefined, 'is the demo default; production needs the real value'],
    ['ALIPAY_APPID', undefined, 'is the demo default; production needs the real value'],
    ['ALIPAY_SELLER_ID', undefined, 'is the demo default; production needs the real value'],
    // Weak secrets: short, typed by hand, or a published test value.
    ['BACKOFFICE_SECRET', 'a-long-production-secret', 'must be at least 32 characters in production'],
    ['JWT_KEYS', `k1:${'x'.repeat(40)}`, 'is too weak for production'],
    ['JWT_KEYS', 'k1:test-signing-key-one-0123456789abcdef', 'is too weak for production'],
    ['BACKOFFICE_SECRET', 'test-backoffice-secret-0123456789', 'is too weak for production'],
    ['TERMINAL_SECRET_KEYS', 't1:changeme-changeme-changeme-changeme', 'is too weak for production'],
    ['SMS_API_KEY', 'short-key', 'must be at least 16 characters in production'],
  ])('refuses %s = %s in production, naming it without its value', (name, value, reason) => {
    const message = refusal({ ...productionEnv(), [name]: value });
    expect(message.startsWith(`Configuration error: ${name} ${reason}`)).toBe(true);
    if (value && !['WECHATPAY_MCHID', 'ALIPAY_APPID', 'ALIPAY_SELLER_ID', 'WECHAT_APPID'].includes(name)) {
      expect(message).not.toContain(value.split(':').pop());
      expect(message.endsWith('(value not shown)')).toBe(true);
    }
  });

  it.each(['WECHATPAY_MERCHANT_PRIVATE_KEY', 'WECHATPAY_APIV3_KEY', 'ALIPAY_APP_PRIVATE_KEY'] as const)('refuses the development %s the mocks hold', (name) => {
    // The mocks' whole set, so the key sets stay complete: the first development key is named.
    const message = refusal({
      ...productionEnv(),
      ...keyEnv,
      ...Object.fromEntries(KEY_NAMES.filter((key) => key !== name).map((key) => [key, productionKeyEnv[key]])),
    });
    expect(message).toBe(`Configuration error: ${name} is a development key (the mock gateways hold it), not allowed in production (value not shown)`);
  });

  it('accepts the development secrets outside production, for the demo', () => {
    expect(loadConfig({ BACKOFFICE_SECRET: 'dev-backoffice-secret-not-for-production', SMS_API_KEY: 'demo-sms-api-key' }).backoffice.secret).toBe(
      'dev-backoffice-secret-not-for-production',
    );
  });

  it('takes payment keys only as whole sets of valid PEM keys, and never echoes a private key', () => {
    const keys = keyEnv;
    const config = loadConfig({ ...keys, WECHATPAY_MERCHANT_PRIVATE_KEY: keys.WECHATPAY_MERCHANT_PRIVATE_KEY.replace(/\n/g, '\\n') });
    expect(config.wechatPay.keys).toEqual({
      merchantPrivateKey: keys.WECHATPAY_MERCHANT_PRIVATE_KEY,
      merchantSerial: keys.WECHATPAY_MERCHANT_SERIAL,
      apiV3Key: keys.WECHATPAY_APIV3_KEY,
      publicKeyId: keys.WECHATPAY_PUBLIC_KEY_ID,
      publicKey: keys.WECHATPAY_PUBLIC_KEY,
    });
    expect(config.alipay.keys).toEqual({ appPrivateKey: keys.ALIPAY_APP_PRIVATE_KEY, alipayPublicKey: keys.ALIPAY_PUBLIC_KEY });

    const { WECHATPAY_APIV3_KEY: _left, ...partial } = keys;
    expect(() => loadConfig(partial)).toThrow('Configuration error: WECHATPAY_APIV3_KEY is required when WECHATPAY_MERCHANT_PRIVATE_KEY is set (unset)');
    const secret = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7-not-a-key';
    let error: unknown;
    try {
      loadConfig({ ...keys, ALIPAY_APP_PRIVATE_KEY: secret });
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).toBe('Configuration error: ALIPAY_APP_PRIVATE_KEY must be a PEM private key (value not shown)');
    expect(() => loadConfig({ ...keys, WECHATPAY_PUBLIC_KEY_ID: 'PUB_0114' })).toThrow(/WECHATPAY_PUBLIC_KEY_ID must look like PUB_KEY_ID_/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).port).toBe(3000);
  });
});
