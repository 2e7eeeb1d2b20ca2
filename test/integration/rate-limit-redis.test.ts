import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startInstances, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';
import { CONSENT_VERSION } from '../../shared/consent';

let instances: Awaited<ReturnType<typeof startInstances>>;
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  instances = await startInstances(2, { REDIS_URL: inject('redisUrl') });
  [first, second] = instances.apps as [TestApp, TestApp];
});
afterAll(() => instances?.stop());

describe('rate limits shared through Redis by two server instances', () => {
  it('counts one phone’s SMS codes across both instances', async () => {
    const phone = uniquePhone();
    expect((await first.request('POST', '/api/auth/sms/send', { body: { phone } })).status).toBe(200);
    const elsewhere = await second.request('POST', '/api/auth/sms/send', { body: { phone } });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.headers.get('retry-after')).toBeTruthy();
  });

  it('counts binding failures across both instances', async () => {
    const phone = uniquePhone();
    await first.request('POST', '/api/auth/sms/send', { body: { phone } });
    const session = (
      await first.request('POST', '/api/auth/sms/verify', { body: { consentVersion: CONSENT_VERSION, phone, code: await lastSmsCode(first, phone) } })
    ).body;
    const headers = { Authorization: `Bearer ${session.accessToken}` };
    const attempt = (app: TestApp, i: number) =>
      app.request('POST', '/api/accounts/bind', { headers, body: { method: 'holder', accountNo: `35000000${i}0`, holderName: '某', phoneLast4: '0000' } });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt(i % 2 ? second : first, i)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });
});
