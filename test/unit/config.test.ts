import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_MOCK_KEYS_DIR } from '../../mock/src/server';
import { ConfigError, loadConfig } from '../../server/src/config';
import { loadOrCreatePaymentKeys, merchantKeysOf } from '../../server/src/integrations/payments/dev-keys';

const KEY_NAMES = ['WECHATPAY_MERCHANT_PRIVATE_KEY', 'WECHATPAY_MERCHANT_SERIAL', 'WECHATPAY_APIV3_KEY', 'WECHATPAY_PUBLIC_KEY_ID', 'WECHATPAY_PUBLIC_KEY', 'ALIPAY_APP_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY'] as const;
let keyEnv: Record<(typeof KEY_NAMES)[number], string>;

/** A full set of payment keys in the environment, as an operator would give real ones (the tests' shared set). */
beforeAll(async () => {
  const { wechatPay, alipay } = merchantKeysOf(await loadOrCreatePaymentKeys(SHARED_MOCK_KEYS_DIR));
  keyEnv = {
    WECHATPAY_MERCHANT_PRIVATE_KEY: wechatPay.merchantPrivateKey,
    WECHATPAY_MERCHANT_SERIAL: wechatPay.merchantSerial,
    WECHATPAY_APIV3_KEY: wechatPay.apiV3Key,
    WECHATPAY_PUBLIC_KEY_ID: wechatPay.publicKeyId,
    WECHATPAY_PUBLIC_KEY: wechatPay.publicKey,
    ALIPAY_APP_PRIVATE_KEY: alipay.appPrivateKey,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
  };
});

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
    expect(config.alipay).toEqual({ gateway: 'http://127.0.0.1:3100/alipay/gateway.do', appId: '2021000000000001', sellerId: '2088000000000001', keys: undefined });
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
    expect(message).toContain(value);
    expect(message).not.toContain('\n');
  });

  it('demands real settings in production instead of falling back to development ones', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL is required in production/);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db:5432/power',
      BACKOFFICE_URL: 'https://backoffice.example/hooks',
      BACKOFFICE_SECRET: 'a-long-production-secret',
      JWT_KEYS: 'k2026:a-production-signing-secret-of-32-chars,k2025:the-previous-signing-secret-32-chars',
      WECHAT_API_BASE: 'https://api.weixin.qq.com',
      SMS_URL: 'https://sms.example/v1',
      AMI_URL: 'https://mdms.example/api',
      TERMINAL_SECRET_KEYS: 't2026:a-production-terminal-key-of-32-chars-or-more',
      PUBLIC_BASE_URL: 'https://pay.power.example',
      WECHATPAY_API_BASE: 'https://api.mch.weixin.qq.com',
      ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
      ...keyEnv,
    });
    expect(config.auth.jwtKeys?.map((key) => key.kid)).toEqual(['k2026', 'k2025']);
    expect(config.terminals.secretKeys.map((key) => key.kid)).toEqual(['t2026']);
    // Behind one proxy by default, and no demo terminal with a well-known secret.
    expect(config.trustProxyHops).toBe(1);
    expect(config.terminals.demo.seed).toBe(false);
    expect(config.mocks.enabled).toBe(false);
    expect(config.backoffice.secret).toBe('a-long-production-secret');
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
