import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, manualClock, request, startTestApp, TEST_JWT_KEYS, type TestApp } from '../support/harness';
import { lastSmsCode, smsLogin, uniquePhone, wechatCode } from '../support/identity';
import { CONSENT_VERSION } from '../../shared/consent';

let app: TestApp;
const clock = manualClock();
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app?.stop());

const me = (token: string) => app.request('GET', '/api/me', { headers: { Authorization: `Bearer ${token}` } });

describe('mini-program login with WeChat', () => {
  it('creates the customer on first login, finds it again on the next, and never returns the session key', async () => {
    const first = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app, 'oOpenidAlice') } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(first.text).not.toMatch(/session_?key/i);
    const second = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app, 'oOpenidAlice') } });
    const [a, b] = await Promise.all([me(first.body.accessToken), me(second.body.accessToken)]);
    expect(a.body).toMatchObject({ hasWechat: true, phoneMasked: null, accountCount: 0 });
    expect(b.body.id).toBe(a.body.id);
    const { rows } = await app.runtime.deps.database.pool.query('SELECT wechat_session_key FROM customers WHERE id = $1', [a.body.id]);
    expect(rows[0].wechat_session_key).toBeTruthy();
  });

  it('refuses a code used twice and a code WeChat never issued', async () => {
    const code = await wechatCode(app);
    expect((await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code } })).status).toBe(200);
    const reused = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code } });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('WECHAT_CODE_USED');
    const invented = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: 'not-from-wechat' } });
    expect(invented.body.error.code).toBe('WECHAT_CODE_INVALID');
  });

  it('links a phone number proven by SMS, and refuses one that belongs to someone else', async () => {
    const wx = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app) } });
    const auth = { Authorization: `Bearer ${wx.body.accessToken}` };
    const phone = uniquePhone();
    await app.request('POST', '/api/auth/sms/send', { body: { phone, purpose: 'link' } });
    const linked = await app.request('POST', '/api/me/phone', { headers: auth, body: { phone, code: await lastSmsCode(app, phone) } });
    expect(linked.status).toBe(200);
    expect((await me(wx.body.accessToken)).body.phoneMasked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    // Logging in by SMS with that phone now reaches the same customer.
    clock.advance(61_000);
    const viaSms = await smsLogin(app, phone);
    expect((await me(viaSms.accessToken)).body.id).toBe((await me(wx.body.accessToken)).body.id);

    const other = await smsLogin(app);
    clock.advance(61_000);
    await app.request('POST', '/api/auth/sms/send', { body: { phone: other.phone, purpose: 'link' } });
    const taken = await app.request('POST', '/api/me/phone', { headers: auth, body: { phone: other.phone, code: await lastSmsCode(app, other.phone) } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('PHONE_IN_USE');
  });
});

describe('H5 login with an SMS code', () => {
  it('logs in with the code the gateway delivered, once only', async () => {
    const phone = uniquePhone();
    const sent = await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    expect(sent.body).toEqual({ sent: true, expiresInSeconds: 300 });
    const code = await lastSmsCode(app, phone);
    expect(code).toMatch(/^\d{6}$/);
    expect((await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code } })).status).toBe(200);
    const again = await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('SMS_CODE_INVALID');
  });

  it('locks the code after five wrong tries, even against the right one', async () => {
    const phone = uniquePhone();
    await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    const code = await lastSmsCode(app, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const codes = [];
    for (let i = 0; i < 5; i += 1)
      codes.push((await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code: wrong } })).body.error.code);
    expect(codes).toEqual(['SMS_CODE_INVALID', 'SMS_CODE_INVALID', 'SMS_CODE_INVALID', 'SMS_CODE_INVALID', 'SMS_CODE_LOCKED']);
    const right = await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code } });
    expect(right.body.error.code).toBe('SMS_CODE_LOCKED');
    // It says how long until a new code can be sent: what is left of the minute since this one.
    const wait = right.body.error.details.retryAfterSeconds;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    const resend = await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    expect(resend.status).toBe(429);
    expect(Math.abs(resend.body.error.details.retryAfterSeconds - wait)).toBeLessThanOrEqual(1);
  });

  it('expires a code after five minutes', async () => {
    const phone = uniquePhone();
    await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    clock.advance(5 * 60_000 + 1);
    const late = await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code: await lastSmsCode(app, phone) } });
    expect(late.body.error.code).toBe('SMS_CODE_INVALID');
  });

  it('allows one code a minute per phone, answering 429 with Retry-After', async () => {
    const phone = uniquePhone();
    expect((await app.request('POST', '/api/auth/sms/send', { body: { phone } })).status).toBe(200);
    const soon = await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    expect(soon.status).toBe(429);
    expect(soon.body.error.code).toBe('RATE_LIMITED');
    expect(Number(soon.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(60_001);
    expect((await app.request('POST', '/api/auth/sms/send', { body: { phone } })).status).toBe(200);
  });

  it('reports a failing SMS gateway as 502 and keeps working after', async () => {
    await request(app.mocks.url, 'POST', '/sms/_faults', { body: { failNext: 1 } });
    const phone = uniquePhone();
    const failed = await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('SMS_SEND_FAILED');
  });

  it('refuses malformed phone numbers and codes with 400 before doing anything', async () => {
    const bad = await app.request('POST', '/api/auth/sms/send', { body: { phone: '12345' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('body.phone');
    const badCode = await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone: uniquePhone(), code: '12ab56' } });
    expect(badCode.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('consent to the user agreement and privacy policy', () => {
  const consentOf = async (where: string, value: string) =>
    (await app.runtime.deps.database.pool.query(`SELECT consent_version, consented_at FROM customers WHERE ${where} = $1`, [value])).rows;

  it('refuses an SMS login without a consent version, leaving the code usable, and records the version given', async () => {
    const phone = uniquePhone();
    await app.request('POST', '/api/auth/sms/send', { body: { phone } });
    const code = await lastSmsCode(app, phone);
    const without = await app.request('POST', '/api/auth/sms/verify', { body: { phone, code } });
    expect(without.status).toBe(400);
    expect(without.body.error.code).toBe('VALIDATION_FAILED');
    expect(without.body.error.details.issues[0].path).toBe('body.consentVersion');
    const unpublished = await app.request('POST', '/api/auth/sms/verify', { body: { phone, code, consentVersion: '2020-01' } });
    expect(unpublished.body.error.code).toBe('VALIDATION_FAILED');
    // Nothing was written: no customer, and the code was not spent.
    expect(await consentOf('phone', phone)).toEqual([]);

    const loggedIn = await app.request('POST', '/api/auth/sms/verify', { body: { phone, code, consentVersion: CONSENT_VERSION } });
    expect(loggedIn.status).toBe(200);
    expect(await consentOf('phone', phone)).toEqual([{ consent_version: '2026-12', consented_at: clock.now() }]);
  });

  it('refuses a WeChat login without a consent version and records it with one', async () => {
    const openid = `oConsent${process.pid}`;
    const without = await app.request('POST', '/api/auth/wechat', { body: { code: await wechatCode(app, openid) } });
    expect(without.status).toBe(400);
    expect(without.body.error.code).toBe('VALIDATION_FAILED');
    expect(await consentOf('wechat_openid', openid)).toEqual([]);

    clock.advance(1000);
    const loggedIn = await app.request('POST', '/api/auth/wechat', { body: { code: await wechatCode(app, openid), consentVersion: CONSENT_VERSION } });
    expect(loggedIn.status).toBe(200);
    expect(await consentOf('wechat_openid', openid)).toEqual([{ consent_version: '2026-12', consented_at: clock.now() }]);
  });
});

describe('tokens', () => {
  it('rotates the refresh token on every use', async () => {
    const session = await smsLogin(app);
    const rotated = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(session.refreshToken);
    expect((await me(rotated.body.accessToken)).status).toBe(200);
    const next = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(next.status).toBe(200);
  });

  it('treats reuse of a rotated refresh token as theft: the whole family is revoked', async () => {
    const session = await smsLogin(app);
    const legit = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    const replay = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const afterTheft = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: legit.body.refreshToken } });
    expect(afterTheft.status).toBe(401);
    expect(afterTheft.body.error.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('ends the session on logout', async () => {
    const session = await smsLogin(app);
    expect((await app.request('POST', '/api/auth/logout', { body: { refreshToken: session.refreshToken } })).status).toBe(200);
    const refreshed = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refreshed.body.error.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('expires access tokens after fifteen minutes', async () => {
    const session = await smsLogin(app);
    clock.advance(899_000);
    expect((await me(session.accessToken)).status).toBe(200);
    clock.advance(2_000);
    const expired = await me(session.accessToken);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses requests without a token, with a forged one, or with a tampered payload', async () => {
    expect((await app.request('GET', '/api/me')).body.error.code).toBe('UNAUTHENTICATED');
    const session = await smsLogin(app);
    const [header, payload, signature] = session.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${signature}`;
    expect((await me(tampered)).body.error.code).toBe('UNAUTHENTICATED');
    const none = `${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${payload}.`;
    expect((await me(none)).status).toBe(401);
  });
});

describe('signing key rotation', () => {
  it('keeps tokens signed by the previous key valid while a new key signs, until the old key is retired', async () => {
    const databaseUrl = await createTestDatabase();
    const oldOnly = await startTestApp({ databaseUrl });
    const session = await smsLogin(oldOnly);
    await oldOnly.stop();

    const newKey = 'k2:test-signing-key-two-0123456789abcdef';
    const rotated = await startTestApp({ databaseUrl, env: { JWT_KEYS: `${newKey},${TEST_JWT_KEYS}` } });
    try {
      const auth = { Authorization: `Bearer ${session.accessToken}` };
      expect((await rotated.request('GET', '/api/me', { headers: auth })).status).toBe(200);
      const renewed = await rotated.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
      const header = JSON.parse(Buffer.from(renewed.body.accessToken.split('.')[0], 'base64url').toString());
      expect(header.kid).toBe('k2');
    } finally {
      await rotated.stop();
    }

    const retired = await startTestApp({ databaseUrl, env: { JWT_KEYS: newKey } });
    try {
      const res = await retired.request('GET', '/api/me', { headers: { Authorization: `Bearer ${session.accessToken}` } });
      expect(res.status).toBe(401);
    } finally {
      await retired.stop();
    }
  });
});

describe('staff identities', () => {
  const staffLogin = (username: string, password: string) => app.request('POST', '/api/staff/auth/login', { body: { username, password } });
  const staffPassword = (username: string) =>
    (app.runtime.demo!.staff as Array<{ username: string; password: string }>).find((staff) => staff.username === username)!.password;

  it('logs staff in with a password and keeps customer and staff tokens apart', async () => {
    const staff = await staffLogin('backoffice', staffPassword('backoffice'));
    expect(staff.status).toBe(200);
    const staffAuth = { Authorization: `Bearer ${staff.body.accessToken}` };
    const profile = await app.request('GET', '/api/staff/me', { headers: staffAuth });
    expect(profile.body).toMatchObject({ username: 'backoffice', roles: ['back_office'] });

    const customer = await smsLogin(app);
    const refused = await app.request('GET', '/api/staff/me', { headers: customer.auth });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('WRONG_AUDIENCE');
    const alsoRefused = await app.request('GET', '/api/me', { headers: staffAuth });
    expect(alsoRefused.body.error.code).toBe('WRONG_AUDIENCE');

    const crossed = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: staff.body.refreshToken } });
    expect(crossed.body.error.code).toBe('REFRESH_TOKEN_INVALID');
    const renewed = await app.request('POST', '/api/staff/auth/refresh', { body: { refreshToken: staff.body.refreshToken } });
    expect((await app.request('GET', '/api/staff/me', { headers: { Authorization: `Bearer ${renewed.body.accessToken}` } })).status).toBe(200);
  });

  it('answers a wrong password and an unknown user alike, and locks out after five failures', async () => {
    const wrong = await staffLogin('admin', 'not-the-password');
    const unknown = await staffLogin('nobody', 'whatever');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    for (let i = 0; i < 4; i += 1) await staffLogin('admin', 'still-wrong');
    const locked = await staffLogin('admin', staffPassword('admin'));
    expect(locked.status).toBe(429);
  });
});
