import type { TestApp } from '../harness';
import { wechatCode, type LoggedIn } from '../identity';
import { MiniProgram } from './runtime';
import { CONSENT_VERSION } from '../../../shared/consent';

export { MiniProgram } from './runtime';
export type { WeappPage } from './page';

/** The origin the weapp build calls (miniapp/config's default API_BASE); the stand-in routes it to the test server. */
export const WEAPP_API_BASE = 'https://api.power.example';
/** The mini-program's appid as the server and the mock WeChat know it (WECHAT_APPID's default). */
export const WEAPP_APP_ID = 'wx_demo_appid';

/**
 * The built mini-program against a running test app, launched on `url`. `session` puts a customer's
 * tokens where the app keeps them, as a login in an earlier launch would have left them.
 */
export async function launchWeapp(app: TestApp, options: { url: string; openid?: string; session?: LoggedIn }): Promise<MiniProgram> {
  const mp = new MiniProgram({ apiBase: WEAPP_API_BASE, serverUrl: app.url, mocksUrl: app.mocks.url, appId: WEAPP_APP_ID, openid: options.openid });
  if (options.session) {
    mp.record.storage.set('auth.access', options.session.accessToken);
    mp.record.storage.set('auth.refresh', options.session.refreshToken);
  }
  await mp.launch(options.url);
  return mp;
}

/** A customer logged in through the mini-program's path (a wx.login code for `openid`), without the pages. */
export async function wechatLogin(app: TestApp, openid: string): Promise<LoggedIn> {
  const { status, body, text } = await app.request('POST', '/api/auth/wechat', {
    body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app, openid) },
  });
  if (status !== 200) throw new Error(`WeChat login failed: ${text}`);
  return { phone: '', accessToken: body.accessToken, refreshToken: body.refreshToken, auth: { Authorization: `Bearer ${body.accessToken}` } };
}
