import { request, type TestApp } from './harness';

let phoneCounter = 0;
/** A phone number no other test in this run uses. */
export function uniquePhone(): string {
  phoneCounter += 1;
  return `15${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(6, '0')}`;
}

/** The newest code the mock SMS gateway delivered to `phone`. */
export async function lastSmsCode(app: TestApp, phone: string): Promise<string> {
  const { body } = await request(app.mocks.url, 'GET', `/sms/messages?phone=${phone}`);
  const message = body.messages.at(-1);
  if (!message) throw new Error(`no SMS to ${phone}`);
  return message.params.code as string;
}

export interface LoggedIn {
  phone: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

/** Logs a new customer in through the H5 path: send code, read it from the mock, verify. */
export async function smsLogin(app: TestApp, phone = uniquePhone()): Promise<LoggedIn> {
  const sent = await app.request('POST', '/api/auth/sms/send', { body: { phone } });
  if (sent.status !== 200) throw new Error(`send failed: ${sent.text}`);
  const verified = await app.request('POST', '/api/auth/sms/verify', { body: { phone, code: await lastSmsCode(app, phone) } });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.text}`);
  const { accessToken, refreshToken } = verified.body;
  return { phone, accessToken, refreshToken, auth: { Authorization: `Bearer ${accessToken}` } };
}

/** A one-time wx.login code from the mock WeChat, as the phone would get it. */
export async function wechatCode(app: TestApp, openid?: string): Promise<string> {
  const { body } = await request(app.mocks.url, 'POST', '/wechat/_login', { body: openid ? { openid } : {} });
  return body.code as string;
}
