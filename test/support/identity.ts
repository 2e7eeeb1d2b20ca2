import { request, type TestApp } from './harness';
import { CONSENT_VERSION } from '../../shared/consent';

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
  const verified = await app.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code: await lastSmsCode(app, phone) } });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.text}`);
  const { accessToken, refreshToken } = verified.body;
  return { phone, accessToken, refreshToken, auth: { Authorization: `Bearer ${accessToken}` } };
}

/** A one-time wx.login code from the mock WeChat, as the phone would get it. */
export async function wechatCode(app: TestApp, openid?: string): Promise<string> {
  const { body } = await request(app.mocks.url, 'POST', '/wechat/_login', { body: openid ? { openid } : {} });
  return body.code as string;
}

/** A demo staff member's session (passwords are made at seed time and kept in the demo credentials). */
export async function staffSession(app: TestApp, username = 'backoffice'): Promise<{ Authorization: string }> {
  const password = (app.runtime.demo!.staff as Array<{ username: string; password: string }>).find((staff) => staff.username === username)!.password;
  const { body, status } = await app.request('POST', '/api/staff/auth/login', { body: { username, password } });
  if (status !== 200) throw new Error(`staff login failed: ${JSON.stringify(body)}`);
  return { Authorization: `Bearer ${body.accessToken}` };
}

const DEMO_HOLDERS: Record<string, [string, string]> = {
  '3301000001': ['张伟', '0001'],
  '3301000002': ['王芳', '0002'],
  '3301000003': ['李娜', '0003'],
  '3301000004': ['欧阳明', '0004'],
  '3301000005': ['杭州绿源食品有限公司', '0005'],
  '3301000006': ['陈刚', '0006'],
};

/** Binds a demo account to a logged-in customer and returns its id. */
export async function bindDemoAccount(app: TestApp, customer: LoggedIn, accountNo: string): Promise<number> {
  const [holderName, phoneLast4] = DEMO_HOLDERS[accountNo]!;
  const { body, status } = await app.request('POST', '/api/accounts/bind', {
    headers: customer.auth,
    body: { method: 'holder', accountNo, holderName, phoneLast4 },
  });
  if (status !== 200) throw new Error(`bind failed: ${JSON.stringify(body)}`);
  return body.account.id as number;
}
