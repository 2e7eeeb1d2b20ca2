import type { TestApp } from '../harness';
import { MiniProgram } from './runtime';

export { MiniProgram } from './runtime';
export type { WeappPage } from './page';

/** The origin the weapp build calls (miniapp/config's default API_BASE); the stand-in routes it to the test server. */
export const WEAPP_API_BASE = 'https://api.power.example';
/** The mini-program's appid as the server and the mock WeChat know it (WECHAT_APPID's default). */
export const WEAPP_APP_ID = 'wx_demo_appid';

/** The built mini-program against a running test app, opened on `url`. */
export async function launchWeapp(app: TestApp, options: { url: string; openid?: string }): Promise<MiniProgram> {
  const mp = new MiniProgram({ apiBase: WEAPP_API_BASE, serverUrl: app.url, mocksUrl: app.mocks.url, appId: WEAPP_APP_ID, openid: options.openid });
  await mp.launch(options.url);
  return mp;
}
