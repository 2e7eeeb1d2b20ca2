import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness';
import { wechatCode } from '../support/identity';
import { launchWeapp, type MiniProgram } from '../support/weapp';
import { CONSENT_VERSION } from '../../shared/consent';

let app: TestApp;
let mp: MiniProgram;
const openid = `o_weapp_login_${process.pid}`;

beforeAll(async () => {
  app = await startTestApp();
  mp = await launchWeapp(app, { url: 'pages/me/index', openid });
});
afterAll(async () => {
  mp?.close();
  await app?.stop();
});

describe('mini-program login in the WeChat runtime', () => {
  it('logs in with one tap: the wx.login code reaches the server, the tokens are stored, 我的 shows the WeChat user', async () => {
    const me = mp.page;
    // The service card comes from the server: requests work before anyone logs in.
    await me.waitForText('95598');
    await me.tap('登录 / 注册 ›');
    expect(mp.routes).toEqual(['pages/me/index', 'packages/account/pages/login/index']);

    // Unticked: no WeChat login, no privacy popup, a clear message.
    await mp.page.tap('微信一键登录');
    await mp.page.waitForText('请先阅读并勾选同意《用户服务协议》和《隐私政策》');
    expect(mp.record.privacyRequests).toBe(0);
    await mp.page.tap('我已阅读并同意');
    await mp.page.waitForText('✓我已阅读并同意');
    // Refusing WeChat's privacy popup stops the login too.
    mp.record.privacy = 'disagree';
    await mp.page.tap('微信一键登录');
    await mp.page.waitForText('需要同意微信的隐私保护指引后才能登录');
    expect(mp.record.requests.some(({ url }) => url.endsWith('/api/auth/wechat'))).toBe(false);
    mp.record.privacy = 'agree';
    await mp.page.tap('微信一键登录');
    await expect.poll(() => mp.routes).toEqual(['pages/me/index']);
    expect(mp.record.privacyRequests).toBe(2);
    await mp.page.waitForText('微信用户');
    expect(mp.record.navigations.map(({ api, url }) => `${api} ${url}`)).toEqual([
      'navigateTo /packages/account/pages/login/index',
      'switchTab /pages/me/index',
    ]);

    const access = mp.record.storage.get('auth.access');
    expect(typeof access).toBe('string');
    expect(typeof mp.record.storage.get('auth.refresh')).toBe('string');
    const profile = await app.request('GET', '/api/me', { headers: { Authorization: `Bearer ${access}` } });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ hasWechat: true, phoneMasked: null });
    const { rows } = await app.runtime.deps.database.pool.query('SELECT consent_version FROM customers WHERE id = $1', [profile.body.id]);
    expect(rows).toEqual([{ consent_version: '2026-12' }]);
    // The tokens are this WeChat user's: a later login with a code for the same openid is the same customer.
    const again = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app, openid) } });
    const sameCustomer = await app.request('GET', '/api/me', { headers: { Authorization: `Bearer ${again.body.accessToken}` } });
    expect(sameCustomer.body.id).toBe(profile.body.id);
    expect(mp.record.requests).toContainEqual({ method: 'POST', url: 'https://api.power.example/api/auth/wechat', status: 200 });
  });
});
