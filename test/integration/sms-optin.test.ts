import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { smsLogin, type LoggedIn } from '../support/identity';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const confirmations = async (phone: string, template = 'outage_optin_confirm') =>
  (await request(app.mocks.url, 'GET', `/sms/messages?phone=${phone}`)).body.messages.filter((m: { template: string }) => m.template === template);
const setSms = (customer: LoggedIn, enabled: boolean, topic = 'outage') =>
  app.request('PUT', '/api/notifications/sms', { headers: customer.auth, body: { topic, enabled } });
const queuedFor = async (phone: string) =>
  (
    await app.runtime.deps.database.pool.query(
      `SELECT count(*)::int AS n FROM notifications n JOIN customers c ON c.id = n.customer_id WHERE c.phone = $1 AND n.event_key LIKE 'sms-optin:%'`,
      [phone],
    )
  ).rows[0].n as number;

describe('SMS opt-in confirmation', () => {
  it('sends one confirmation text when outage messages are turned on, none when saved on again, one more after off and on', async () => {
    const customer = await smsLogin(app);
    const on = await setSms(customer, true);
    expect(on.status).toBe(200);
    expect(on.body.preferences.topics.find((t: { topic: string }) => t.topic === 'outage').sms).toBe(true);
    await eventually(async () => ((await confirmations(customer.phone)).length === 1 ? true : undefined));

    expect((await setSms(customer, true)).status).toBe(200);
    expect(await queuedFor(customer.phone)).toBe(1);

    expect((await setSms(customer, false)).status).toBe(200);
    expect(await queuedFor(customer.phone)).toBe(1);
    expect((await setSms(customer, true)).status).toBe(200);
    await eventually(async () => ((await confirmations(customer.phone)).length === 2 ? true : undefined));
    expect(await queuedFor(customer.phone)).toBe(2);
    // The login code was the only other text; no confirmation for a topic not touched.
    expect(await confirmations(customer.phone, 'workorder_optin_confirm')).toHaveLength(0);
  });

  it('confirms once when two saves turn it on at the same moment', async () => {
    const customer = await smsLogin(app);
    const [first, second] = await Promise.all([setSms(customer, true), setSms(customer, true)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await eventually(async () => ((await confirmations(customer.phone)).length === 1 ? true : undefined));
    expect(await queuedFor(customer.phone)).toBe(1);
  });

  it('sends nothing when turning it off, or when the customer never had it on', async () => {
    const customer = await smsLogin(app);
    expect((await setSms(customer, false)).status).toBe(200);
    expect(await queuedFor(customer.phone)).toBe(0);
    expect(await confirmations(customer.phone)).toHaveLength(0);
  });
});
