import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { bindDemoAccount, smsLogin, staffSession, wechatCode, type LoggedIn } from '../support/identity';
import { CONSENT_VERSION } from '../../shared/consent';

let app: TestApp;
let staff: { Authorization: string };
const HOUR = 3_600_000;
const at = (hoursFromNow: number) => new Date(Date.now() + hoursFromNow * HOUR).toISOString();
const sql = (text: string, values: unknown[] = []) => app.runtime.deps.database.pool.query(text, values);

beforeAll(async () => {
  // The 10,000-text fan-out below judges exactly-once delivery, not the gateway's latency on a busy
  // machine: a call that times out is (rightly) never resent, so give each call room.
  app = await startTestApp({ env: { SMS_TIMEOUT_MS: '30000' } });
  staff = await staffSession(app);
});
afterAll(() => app?.stop());

const publish = (body: Record<string, unknown>) =>
  app.request('POST', '/api/staff/outages', {
    headers: staff,
    body: { kind: 'planned', title: '线路检修', reason: '10kV 线路例行检修', district: '西湖区', scheduledStart: at(24), scheduledEnd: at(28), ...body },
  });

/** A mini-program customer: WeChat login, then the phone-side consent, recorded through our API. */
async function wechatCustomer(openid: string, grants: number): Promise<LoggedIn> {
  const login = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app, openid) } });
  const customer = {
    phone: '',
    accessToken: login.body.accessToken,
    refreshToken: login.body.refreshToken,
    auth: { Authorization: `Bearer ${login.body.accessToken}` },
  };
  for (let grant = 0; grant < grants; grant += 1) {
    const { body: results } = await request(app.mocks.url, 'POST', '/wechat/_subscribe', { body: { openid, results: { TPL_OUTAGE_NOTICE: 'accept' } } });
    const recorded = await app.request('POST', '/api/notifications/wechat-consent', {
      headers: customer.auth,
      body: { results: { TPL_OUTAGE_NOTICE: results.TPL_OUTAGE_NOTICE } },
    });
    expect(recorded.status).toBe(200);
  }
  return customer;
}

const smsTo = async (phone: string) =>
  (await request(app.mocks.url, 'GET', `/sms/messages?phone=${phone}`)).body.messages.filter((m: any) => m.template === 'outage_notice');
const wechatTo = async (openid: string) => (await request(app.mocks.url, 'GET', `/wechat/_messages?touser=${openid}`)).body.messages;

describe('outage lifecycle', () => {
  it('moves through its statuses, refusing what is not allowed and stale versions', async () => {
    const published = await publish({ areas: ['TA-XH-002'] });
    expect(published.status).toBe(201);
    const outage = published.body.outage;
    expect(outage).toMatchObject({ status: 'scheduled', version: 1, areas: ['TA-XH-002'], expectedBackAt: outage.scheduledEnd });
    const path = `/api/staff/outages/${outage.id}`;

    const stale = await app.request('PATCH', path, { headers: staff, body: { expectedVersion: 7, scheduledEnd: at(30) } });
    expect(stale.body.error.code).toBe('OUTAGE_CHANGED');
    const backwards = await app.request('PATCH', path, { headers: staff, body: { expectedVersion: 1, scheduledEnd: at(20) } });
    expect(backwards.status).toBe(400);
    const moved = await app.request('PATCH', path, { headers: staff, body: { expectedVersion: 1, scheduledEnd: at(30) } });
    expect(moved.body.outage).toMatchObject({ version: 2, scheduledEnd: at(30).slice(0, 16) + moved.body.outage.scheduledEnd.slice(16) });

    expect((await app.request('POST', `${path}/start`, { headers: staff, body: {} })).body.outage.status).toBe('in_progress');
    const cancelRunning = await app.request('POST', `${path}/cancel`, { headers: staff, body: { reason: '取消' } });
    expect(cancelRunning.status).toBe(409);
    expect(cancelRunning.body.error.code).toBe('OUTAGE_NOT_ALLOWED');
    const restored = await app.request('POST', `${path}/restore`, { headers: staff, body: {} });
    expect(restored.body.outage).toMatchObject({ status: 'restored', version: 3 });
    expect(restored.body.outage.expectedBackAt).toBe(restored.body.outage.restoredAt);
    expect((await app.request('POST', `${path}/restore`, { headers: staff, body: {} })).status).toBe(409);
    expect((await app.request('PATCH', path, { headers: staff, body: { expectedVersion: 3, reason: '再改' } })).status).toBe(409);

    const other = (await publish({ areas: ['TA-XH-002'] })).body.outage;
    expect((await app.request('POST', `/api/staff/outages/${other.id}/cancel`, { headers: staff, body: { reason: '天气原因取消' } })).body.outage.status).toBe(
      'cancelled',
    );

    const detail = await app.request('GET', `/api/outages/${outage.id}`);
    expect(detail.body.history.map((change: any) => change.event)).toEqual(['published', 'updated', 'started', 'restored']);
    expect(detail.body.history[1].changes.scheduledEnd.from).toBe(outage.scheduledEnd);
  });

  it('starts a scheduled outage when its start time has come', async () => {
    const due = (await publish({ areas: ['TA-XH-002'], scheduledStart: at(-0.5), scheduledEnd: at(2) })).body.outage;
    const later = (await publish({ areas: ['TA-XH-002'] })).body.outage;
    await app.runtime.deps.outages.startDue();
    const statusOf = async (id: number) => (await app.request('GET', `/api/outages/${id}`)).body;
    expect((await statusOf(due.id)).outage.status).toBe('in_progress');
    expect((await statusOf(due.id)).history.map((change: any) => change.event)).toEqual(['published', 'started']);
    expect((await statusOf(later.id)).outage.status).toBe('scheduled');
  });

  it('publishes on a feeder as its transformer areas, and refuses an unknown feeder', async () => {
    const onFeeder = await publish({ feeder: 'F-GS-03' });
    expect(onFeeder.body.outage.areas.sort()).toEqual(['TA-GS-014', 'TA-GS-015']);
    const unknown = await publish({ feeder: 'F-NOPE' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('FEEDER_UNKNOWN');
    expect((await publish({})).status).toBe(400);
    const { rows } = await sql(`SELECT count(*)::int AS n FROM outages WHERE feeder = 'F-NOPE'`);
    expect(rows[0].n).toBe(0);
  });

  it('imports a schedule: good lines once, each bad line reported with its number', async () => {
    const csv = [
      'ref,title,reason,district,areas,scheduled_start,scheduled_end',
      `S-1,春检一,"检修, 更换开关",西湖区,TA-XH-001|TA-XH-002,${at(48)},${at(52)}`,
      `S-2,春检二,例行检修,拱墅区,TA-GS-014,${at(72)},${at(76)}`,
      `S-3,时间反了,例行检修,拱墅区,TA-GS-014,${at(80)},${at(70)}`,
      `S-4,台区不对,例行检修,拱墅区,XH001,${at(80)},${at(84)}`,
      `S-1,重复,例行检修,西湖区,TA-XH-001,${at(90)},${at(94)}`,
      'S-5,字段不够,例行检修',
      `S-6,已过去,例行检修,西湖区,TA-XH-001,${at(-5)},${at(-1)}`,
    ].join('\r\n');
    const first = await app.request('POST', '/api/staff/outages/import', { headers: staff, body: { csv } });
    expect(first.body.published).toBe(2);
    expect(first.body.errors.map((error: any) => [error.line, error.ref])).toEqual([
      [4, 'S-3'],
      [5, 'S-4'],
      [6, 'S-1'],
      [7, 'S-5'],
      [8, 'S-6'],
    ]);
    expect(first.body.errors[0].message).toContain('scheduledEnd');
    const again = await app.request('POST', '/api/staff/outages/import', { headers: staff, body: { csv } });
    expect(again.body).toMatchObject({ published: 0, alreadyImported: 2 });
    const badHeader = await app.request('POST', '/api/staff/outages/import', { headers: staff, body: { csv: 'a,b\n1,2' } });
    expect(badHeader.body.errors[0]).toMatchObject({ line: 1 });
  });
});

describe('customers see outages on their accounts', () => {
  it('groups mine into now, upcoming and restored, and lists by district without login', async () => {
    const customer = await smsLogin(app);
    await bindDemoAccount(app, customer, '3301000003'); // TA-GS-014: the seeded fault in progress
    const mine = await app.request('GET', '/api/outages/mine', { headers: customer.auth });
    expect(mine.body.current.map((outage: any) => outage.title)).toContain('湖墅南路故障抢修');
    expect(mine.body.current[0].accounts).toEqual([{ accountId: expect.any(Number), accountNo: '3301000003' }]);
    expect(mine.body.upcoming.every((outage: any) => outage.areas.includes('TA-GS-014'))).toBe(true);
    expect((await app.request('GET', '/api/outages/mine')).status).toBe(401);

    const everyone = await app.request('GET', '/api/outages');
    expect(everyone.body.districts).toEqual(expect.arrayContaining(['拱墅区', '西湖区']));
    const gongshu = await app.request('GET', `/api/outages?district=${encodeURIComponent('拱墅区')}`);
    expect(gongshu.body.outages.length).toBeGreaterThan(0);
    expect(gongshu.body.outages.every((outage: any) => outage.district === '拱墅区')).toBe(true);
  });
});

describe('notifications', () => {
  it('sends each consenting customer one message per event, by subscribe message while grants last, then SMS', async () => {
    const smsCustomer = await smsLogin(app);
    await bindDemoAccount(app, smsCustomer, '3301000004'); // TA-SC-007
    expect(
      (await app.request('PUT', '/api/notifications/sms', { headers: smsCustomer.auth, body: { topic: 'outage', enabled: true } })).body.preferences.topics[0]
        .sms,
    ).toBe(true);
    const silent = await smsLogin(app);
    await bindDemoAccount(app, silent, '3301000004');
    const wechat = await wechatCustomer('oOutageFan', 2);
    await bindDemoAccount(app, { ...wechat, auth: wechat.auth }, '3301000004');
    expect((await app.request('GET', '/api/notifications/preferences', { headers: wechat.auth })).body.preferences.topics[0]).toMatchObject({
      topic: 'outage',
      wechatGrants: 2,
    });
    const noOpenid = await app.request('POST', '/api/notifications/wechat-consent', {
      headers: smsCustomer.auth,
      body: { results: { TPL_OUTAGE_NOTICE: 'accept' } },
    });
    expect(noOpenid.body.error.code).toBe('NO_WECHAT_LOGIN');

    const outage = (await publish({ areas: ['TA-SC-007'], district: '上城区' })).body.outage;
    await eventually(async () => ((await smsTo(smsCustomer.phone)).length === 1 && (await wechatTo('oOutageFan')).length === 1 ? true : undefined));

    // WeChat calls the cached token invalid: the sender refreshes it and the message still goes out, once.
    const statsBefore = (await request(app.mocks.url, 'GET', '/wechat/_stats')).body;
    await request(app.mocks.url, 'POST', '/wechat/_faults', { body: { invalidateTokens: true } });
    await app.request('PATCH', `/api/staff/outages/${outage.id}`, { headers: staff, body: { expectedVersion: 1, scheduledEnd: at(29) } });
    await eventually(async () => ((await smsTo(smsCustomer.phone)).length === 2 && (await wechatTo('oOutageFan')).length === 2 ? true : undefined));
    expect((await request(app.mocks.url, 'GET', '/wechat/_stats')).body.stableTokenRequests).toBeGreaterThan(statsBefore.stableTokenRequests);

    // Both grants are used: the third event cannot go by subscribe message, and this customer has no SMS opt-in.
    await app.request('POST', `/api/staff/outages/${outage.id}/restore`, { headers: staff, body: {} });
    await eventually(async () => ((await smsTo(smsCustomer.phone)).length === 3 ? true : undefined));
    await eventually(async () => {
      const { rows } = await sql(`SELECT count(*)::int AS n FROM notifications WHERE event_key LIKE $1 AND status <> 'queued' AND status <> 'sending'`, [
        `outage:${outage.id}:%`,
      ]);
      return rows[0].n === 5 ? true : undefined;
    });
    expect(await wechatTo('oOutageFan')).toHaveLength(2);
    expect((await request(app.mocks.url, 'GET', '/wechat/_grants?openid=oOutageFan')).body.grants.TPL_OUTAGE_NOTICE).toBe(0);
    expect(await smsTo(silent.phone)).toHaveLength(0);
    const texts = (await smsTo(smsCustomer.phone)).map((message: any) => message.params.remark);
    expect(texts).toEqual(['计划停电，请提前做好准备', '停电时间有调整，请以本通知为准', '已恢复供电']);
  });

  it('falls back to SMS when WeChat holds no grant, and retries a busy gateway without sending twice', async () => {
    const customer = await wechatCustomer('oFallback', 1);
    await bindDemoAccount(app, customer, '3301000006'); // TA-FY-031
    const phone = '13912340000';
    await sql(`UPDATE customers SET phone = $1 WHERE wechat_openid = 'oFallback'`, [phone]);
    await app.request('PUT', '/api/notifications/sms', { headers: customer.auth, body: { topic: 'outage', enabled: true } });
    // The grant was used up elsewhere: WeChat will answer 43101 though our count says 1.
    await request(app.mocks.url, 'POST', '/wechat/_subscribe', { body: { openid: 'oFallback', results: { TPL_OUTAGE_NOTICE: 'ban' } } });
    await publish({ areas: ['TA-FY-031'], district: '富阳区' });
    await eventually(async () => ((await smsTo(phone)).length === 1 ? true : undefined));
    expect(await wechatTo('oFallback')).toHaveLength(0);

    await request(app.mocks.url, 'POST', '/sms/_faults', { body: { failNext: 1 } });
    const second = (await publish({ areas: ['TA-FY-031'], district: '富阳区' })).body.outage;
    const key = `outage:${second.id}:published:1`;
    const row = await eventually(async () =>
      (await sql(`SELECT status, attempts FROM notifications WHERE event_key = $1`, [key])).rows.find((r) => r.status === 'queued' && r.attempts === 1),
    );
    expect(row).toBeTruthy();
    await sql(`UPDATE notifications SET available_at = now() WHERE event_key = $1`, [key]);
    await app.runtime.deps.notifications.sender.drain();
    // The server's own sender may have claimed the row first; wait for whichever worker has it to finish.
    const settled = await eventually(async () =>
      (await sql(`SELECT status, attempts FROM notifications WHERE event_key = $1`, [key])).rows.find((r) => r.status !== 'queued' && r.status !== 'sending'),
    );
    expect(settled).toEqual({ status: 'sent', attempts: 2 });
    expect(await smsTo(phone)).toHaveLength(2);
  });

  it('fans one event out to 10,000 subscribed accounts exactly once, with the fan-out repeated and two workers sending', async () => {
    const count = 10_000;
    await sql(`INSERT INTO customers (phone) SELECT '177' || lpad(i::text, 8, '0') FROM generate_series(1, $1::int) i`, [count]);
    await sql(
      `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
       SELECT '88' || lpad(i::text, 8, '0'), '住户' || i, '测试小区 ' || i, 'residential', 'TA-BULK-01', '177' || lpad(i::text, 8, '0') FROM generate_series(1, $1::int) i`,
      [count],
    );
    await sql(
      `INSERT INTO account_bindings (customer_id, account_id, is_default)
       SELECT c.id, a.id, true FROM customers c JOIN electricity_accounts a ON a.phone_on_file = c.phone WHERE a.transformer_area = 'TA-BULK-01'`,
    );
    await sql(`INSERT INTO sms_opt_ins (customer_id, topic, enabled) SELECT id, 'outage', true FROM customers WHERE phone LIKE '177%'`);

    const { notifications } = app.runtime.deps;
    const event = {
      eventKey: 'outage:bulk:published:1',
      topic: 'outage' as const,
      audience: { name: 'outage-areas', params: [['TA-BULK-01']] },
      payload: {
        page: 'packages/outages/pages/index/index',
        wechat: {},
        sms: { template: 'outage_notice' as const, params: { title: '批量测试', start: '', end: '', district: '', remark: '' } },
      },
    };
    const made = await Promise.all([notifications.fanOut(event), notifications.fanOut(event)]);
    expect(made.reduce((a, b) => a + b, 0)).toBe(count);
    await notifications.fanOut(event);
    await Promise.all([notifications.sender.drain(), notifications.sender.drain()]);
    // Wait until every row has left the queue, then look at where they all ended.
    await eventually(async () => {
      const { rows } = await sql(`SELECT count(*)::int AS n FROM notifications WHERE event_key = $1 AND status IN ('queued', 'sending')`, [event.eventKey]);
      return rows[0].n === 0 ? true : undefined;
    }, 150_000);
    const { rows: outcomes } = await sql(
      `SELECT status, left(last_error, 60) AS reason, count(*)::int AS n FROM notifications WHERE event_key = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [event.eventKey],
    );
    expect(outcomes).toEqual([{ status: 'sent', reason: null, n: count }]);
    const { body } = await request(app.mocks.url, 'GET', '/sms/messages');
    const bulk = body.messages.filter((message: any) => message.params.title === '批量测试');
    expect(bulk).toHaveLength(count);
    expect(new Set(bulk.map((message: any) => message.phone)).size).toBe(count);
  }, 180_000);
});

describe('repair-report signal', () => {
  it('suggests an unplanned outage for a burst of fault reports from an area with none published', async () => {
    const { outages } = app.runtime.deps;
    for (let report = 0; report < 3; report += 1) await outages.recordFaultReport(undefined, { transformerArea: 'TA-BJ-900', source: 'test' });
    await outages.recordFaultReport(undefined, { transformerArea: 'TA-BJ-901', source: 'test' });
    // The seeded fault in progress covers TA-GS-014: reports there are already explained.
    for (let report = 0; report < 3; report += 1) await outages.recordFaultReport(undefined, { transformerArea: 'TA-GS-014', source: 'test' });
    const { body } = await app.request('GET', '/api/staff/outages/suggestions', { headers: staff });
    expect(body.suggestions.map((suggestion: any) => [suggestion.transformerArea, suggestion.reports])).toEqual([['TA-BJ-900', 3]]);
  });
});
