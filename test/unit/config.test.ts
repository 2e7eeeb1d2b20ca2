import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config';

describe('configuration', () => {
  it('runs on defaults alone: embedded database, mocks on, in-process store', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.embeddedDir).toMatch(/\.data\/pg$/);
    expect(config.mocks).toEqual({ enabled: true, port: 3100 });
    expect(config.redisUrl).toBeUndefined();
    expect(config.backoffice.url).toBe('http://127.0.0.1:3100/backoffice');
    // Outside production: the socket's address, and a demo terminal to try the protocol with.
    expect(config.trustProxyHops).toBe(0);
    expect(config.terminals.demo).toEqual({ terminalId: 'DEMO-BANK-001', secret: 'demo-terminal-secret-not-for-production', seed: true });
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
    });
    expect(config.auth.jwtKeys?.map((key) => key.kid)).toEqual(['k2026', 'k2025']);
    expect(config.terminals.secretKeys.map((key) => key.kid)).toEqual(['t2026']);
    // Behind one proxy by default, and no demo terminal with a well-known secret.
    expect(config.trustProxyHops).toBe(1);
    expect(config.terminals.demo.seed).toBe(false);
    expect(config.mocks.enabled).toBe(false);
    expect(config.backoffice.secret).toBe('a-long-production-secret');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).port).toBe(3000);
  });
});
