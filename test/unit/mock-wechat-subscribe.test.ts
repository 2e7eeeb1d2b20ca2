import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, describe, expect, it } from 'vitest';
import { SUBSCRIBE_TEMPLATES, fitsSubscribeField, wechatPeer, type SubscribeMessage, type WechatPeerOptions } from '../../mock/src/peers/wechat';
import { MOCK_DEFAULTS, startMockServer } from '../../mock/src/server';

const APPID = 'wx_test_appid';
const SECRET = 'test-wechat-secret';
const OUTAGE = 'TPL_OUTAGE_NOTICE';
const WORKORDER = 'TPL_WORKORDER_PROGRESS';
const PAYMENT = 'TPL_PAYMENT_RESULT';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

/** A settable clock, so token lifetimes can be crossed without waiting. */
function clock(start = Date.parse('2026-11-28T02:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** A bare Koa app hosting only the WeChat peer. */
async function startWechat(options: Partial<WechatPeerOptions> = {}): Promise<string> {
  const app = new Koa();
  const router = wechatPeer({ appId: APPID, secret: SECRET, ...options });
  app.use(router.routes()).use(router.allowedMethods());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat`;
}

type Body = Record<string, unknown>;

async function call(base: string, path: string, body?: unknown /* a string is sent as it is */): Promise<{ status: number; body: Body; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Body = {};
  try {
    parsed = JSON.parse(text) as Body;
  } catch {
    // a non-JSON answer (the 503 fault); callers look at `text`
  }
  return { status: response.status, body: parsed, text };
}

const tokenQuery = (overrides: Record<string, string> = {}) =>
  new URLSearchParams({ grant_type: 'client_credential', appid: APPID, secret: SECRET, ...overrides });

async function token(base: string): Promise<string> {
  const { body } = await call(base, `/cgi-bin/token?${tokenQuery()}`);
  expect(body.access_token, JSON.stringify(body)).toEqual(expect.any(String));
  return body.access_token as string;
}

async function stableToken(base: string, forceRefresh?: boolean): Promise<Body> {
  const { status, body } = await call(base, '/cgi-bin/stable_token', {
    grant_type: 'client_credential',
    appid: APPID,
    secret: SECRET,
    ...(forceRefresh === undefined ? {} : { force_refresh: forceRefresh }),
  });
  expect(status).toBe(200);
  return body;
}

const outageData = (overrides: Record<string, string> = {}) => {
  const values: Record<string, string> = {
    thing1: '计划停电通知',
    time2: '2026-12-01 08:00',
    time3: '2026-12-01 18:00',
    thing4: '城南片区幸福路10kV线路',
    thing5: '请提前做好准备',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }]));
};

const send = (base: string, accessToken: string | undefined, message: Body | string) =>
  call(base, `/cgi-bin/message/subscribe/send${accessToken === undefined ? '' : `?access_token=${encodeURIComponent(accessToken)}`}`, message);

const outageMessage = (touser: string, data = outageData()) => ({ touser, template_id: OUTAGE, page: 'pages/outage/index?id=42', data });

async function subscribe(base: string, openid: string, results: Record<string, string>, times?: number): Promise<Body> {
  const { status, body } = await call(base, '/_subscribe', { openid, results, ...(times === undefined ? {} : { times }) });
  expect(status).toBe(200);
  return body;
}

async function grants(base: string, openid: string): Promise<Record<string, number>> {
  return (await call(base, `/_grants?openid=${encodeURIComponent(openid)}`)).body.grants as Record<string, number>;
}

async function messages(base: string, query = ''): Promise<SubscribeMessage[]> {
  return (await call(base, `/_messages${query}`)).body.messages as SubscribeMessage[];
}

describe('mock WeChat peer: access tokens', () => {
  it('issues a token for the right appid, secret and grant_type, with WeChat’s errcodes otherwise', async () => {
    const base = await startWechat();
    const ok = await call(base, `/cgi-bin/token?${tokenQuery()}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ access_token: expect.any(String), expires_in: 7200 });

    const cases: Array<[Record<string, string>, number, string]> = [
      [{ appid: 'wx_other' }, 40013, 'invalid appid'],
      [{ secret: 'wrong' }, 40125, 'invalid appsecret'],
      [{ grant_type: 'authorization_code' }, 40002, 'invalid grant_type'],
      [{ appid: '' }, 41002, 'appid missing'],
    ];
    for (const [overrides, errcode, errmsg] of cases) {
      const { status, body } = await call(base, `/cgi-bin/token?${tokenQuery(overrides)}`);
      expect(status).toBe(200);
      expect(body).toEqual({ errcode, errmsg });
    }
    expect((await call(base, '/_stats')).body).toMatchObject({ tokenRequests: 5, stableTokenRequests: 0, sends: 0 });
  });

  it('makes the previous /cgi-bin/token token invalid when it issues a new one', async () => {
    const base = await startWechat();
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' }, 2);
    const first = await token(base);
    const second = await token(base);
    expect(second).not.toBe(first);
    expect((await send(base, first, outageMessage('oAlice'))).body).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential, access_token is invalid or not latest',
    });
    expect((await send(base, second, outageMessage('oAlice'))).body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 1, [WORKORDER]: 0, [PAYMENT]: 0 });
  });

  it('answers stable_token with the same token until force_refresh, and keeps the old one valid for 30 s', async () => {
    const time = clock();
    const base = await startWechat({ now: time.now });
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' }, 10);

    const first = await stableToken(base);
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    time.advance(600_000);
    const again = await stableToken(base, false);
    expect(again).toEqual({ access_token: first.access_token, expires_in: 6600 });

    const refreshed = await stableToken(base, true);
    expect(refreshed).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect((await stableToken(base)).access_token).toBe(refreshed.access_token);

    time.advance(29_000);
    expect((await send(base, first.access_token as string, outageMessage('oAlice'))).body.errcode).toBe(0);
    time.advance(2_000);
    expect((await send(base, first.access_token as string, outageMessage('oAlice'))).body.errcode).toBe(40001);
    expect((await send(base, refreshed.access_token as string, outageMessage('oAlice'))).body.errcode).toBe(0);

    // Stable tokens and /cgi-bin/token tokens are independent of each other.
    await token(base);
    expect((await send(base, refreshed.access_token as string, outageMessage('oAlice'))).body.errcode).toBe(0);
    expect((await call(base, '/_stats')).body).toMatchObject({ tokenRequests: 1, stableTokenRequests: 4, sends: 4 });
  });

  it('checks stable_token credentials and body as /cgi-bin/token does', async () => {
    const base = await startWechat();
    const post = (body: unknown) => call(base, '/cgi-bin/stable_token', body).then((response) => response.body);
    const valid = { grant_type: 'client_credential', appid: APPID, secret: SECRET };
    expect(await post({ ...valid, appid: 'wx_other' })).toEqual({ errcode: 40013, errmsg: 'invalid appid' });
    expect(await post({ ...valid, secret: 'wrong' })).toEqual({ errcode: 40125, errmsg: 'invalid appsecret' });
    expect(await post({ ...valid, grant_type: 'password' })).toEqual({ errcode: 40002, errmsg: 'invalid grant_type' });
    expect(await post('{not json')).toEqual({ errcode: 47001, errmsg: 'data format error' });
    expect(await post({ ...valid, force_refresh: 'yes' })).toEqual({ errcode: 47001, errmsg: 'data format error' });
  });

  it('lets tokens expire after 7200 s (42001), and renews a stable token in its last 5 minutes', async () => {
    const time = clock();
    const base = await startWechat({ now: time.now });
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    const plain = await token(base);
    const stable = await stableToken(base);
    time.advance(7200_000 - 299_000);
    const renewed = await stableToken(base);
    expect(renewed.access_token).not.toBe(stable.access_token);
    expect(renewed.expires_in).toBe(7200);
    time.advance(299_000);
    expect((await send(base, plain, outageMessage('oAlice'))).body).toEqual({ errcode: 42001, errmsg: 'access_token expired' });
    expect((await send(base, stable.access_token as string, outageMessage('oAlice'))).body.errcode).toBe(40001);
    expect((await send(base, renewed.access_token as string, outageMessage('oAlice'))).body.errcode).toBe(0);
  });
});

describe('mock WeChat peer: subscribe messages', () => {
  it('sends once per one-time grant, then refuses with 43101', async () => {
    const base = await startWechat();
    const accessToken = await token(base);
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 1, [WORKORDER]: 0, [PAYMENT]: 0 });

    const first = await send(base, accessToken, outageMessage('oAlice'));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 0, [WORKORDER]: 0, [PAYMENT]: 0 });

    const second = await send(base, accessToken, outageMessage('oAlice'));
    expect(second.body).toEqual({ errcode: 43101, errmsg: 'user refuse to accept the msg' });

    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    const third = await send(base, accessToken, outageMessage('oAlice'));
    expect(third.body.errcode).toBe(0);
    expect(third.body.msgid).not.toBe(first.body.msgid);

    const recorded = await messages(base, '?touser=oAlice');
    expect(recorded).toHaveLength(2);
    expect(recorded[0]).toEqual({
      touser: 'oAlice',
      template_id: OUTAGE,
      page: 'pages/outage/index?id=42',
      data: outageData(),
      miniprogram_state: 'formal',
      lang: 'zh_CN',
      msgid: first.body.msgid,
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await messages(base, `?template_id=${WORKORDER}`)).toEqual([]);
    expect(await messages(base, '?touser=oBob')).toEqual([]);
    expect((await call(base, '/_stats')).body).toEqual({ tokenRequests: 1, stableTokenRequests: 0, sends: 3, delivered: 2 });
  });

  it('refuses an unknown template, an unknown openid and data that does not fit, without using the grant', async () => {
    const base = await startWechat();
    const accessToken = await token(base);
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept', [WORKORDER]: 'accept' });

    expect((await send(base, accessToken, { ...outageMessage('oAlice'), template_id: 'TPL_NOPE' })).body).toEqual({
      errcode: 40037,
      errmsg: 'invalid template_id',
    });
    expect((await send(base, accessToken, outageMessage('oStranger'))).body).toEqual({ errcode: 40003, errmsg: 'invalid openid' });

    const { thing5: _dropped, ...missingField } = outageData();
    const badData: Array<Record<string, { value: string }>> = [
      missingField,
      outageData({ thing1: '一二三四五六七八九十一二三四五六七八九十一' }), // 21 characters
      outageData({ time2: '2026-12-01T00:00:00.000Z' }), // ISO, as Date#toISOString gives it
      outageData({ time3: '明天下午' }),
      outageData({ time3: '2026-13-01 08:00' }),
      outageData({ thing4: '' }),
    ];
    for (const data of badData) {
      const { body } = await send(base, accessToken, outageMessage('oAlice', data));
      expect(body.errcode, JSON.stringify(data)).toBe(47003);
      expect(body.errmsg).toMatch(/^argument invalid!/);
    }
    const workorder = (values: Record<string, string>) => ({
      touser: 'oAlice',
      template_id: WORKORDER,
      data: Object.fromEntries(
        Object.entries({ character_string1: 'WO20261128000123', phrase2: '处理中', time3: '15:01', thing4: '抢修人员已出发', ...values }).map(([k, v]) => [
          k,
          { value: v },
        ]),
      ),
    });
    const badWorkorders: Array<Record<string, string>> = [
      { character_string1: 'W'.repeat(33) },
      { character_string1: '工单123' },
      { phrase2: '正在处理中啊' },
      { phrase2: 'done' },
    ];
    for (const values of badWorkorders) {
      expect((await send(base, accessToken, workorder(values))).body.errcode, JSON.stringify(values)).toBe(47003);
    }
    expect((await send(base, accessToken, { ...outageMessage('oAlice'), miniprogram_state: 'beta' })).body.errcode).toBe(47003);
    expect((await send(base, accessToken, '{oops')).body).toEqual({ errcode: 47001, errmsg: 'data format error' });

    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 1, [WORKORDER]: 1, [PAYMENT]: 0 });
    expect(await messages(base)).toEqual([]);
    expect((await send(base, accessToken, workorder({ character_string1: 'W'.repeat(32), phrase2: '已完成' }))).body.errcode).toBe(0);
  });

  it('accepts WeChat’s time formats and rejects others', () => {
    for (const value of ['15:01', '2019年10月1日 15:01', '2026-12-01 08:00', '2026-12-01 08:00:30', '2026/12/01 08:00', '2026-12-01 08:00~2026-12-01 18:00']) {
      expect(fitsSubscribeField('time', value), value).toBe(true);
    }
    for (const value of ['', '2026-12-01', '2026-12-01T08:00:00+08:00', '25:00', '8点', '08:00~09:00~10:00']) {
      expect(fitsSubscribeField('time', value), value).toBe(false);
    }
    expect(fitsSubscribeField('thing', 'a'.repeat(20))).toBe(true);
    expect(fitsSubscribeField('thing', '停'.repeat(20))).toBe(true);
    expect(fitsSubscribeField('phrase', '已受理')).toBe(true);
  });

  it('refuses every token after invalidateTokens (40001) and works again with a new one', async () => {
    const base = await startWechat();
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    const plain = await token(base);
    const stable = (await stableToken(base)).access_token as string;
    expect((await call(base, '/_faults', { invalidateTokens: true })).status).toBe(200);
    for (const dead of [plain, stable]) {
      expect((await send(base, dead, outageMessage('oAlice'))).body.errcode).toBe(40001);
    }
    expect((await send(base, undefined, outageMessage('oAlice'))).body.errcode).toBe(40001);
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 1, [WORKORDER]: 0, [PAYMENT]: 0 });

    const fresh = (await stableToken(base)).access_token as string;
    expect(fresh).not.toBe(stable);
    expect((await send(base, fresh, outageMessage('oAlice'))).body.errcode).toBe(0);
  });

  it('answers busyNext sends with system error, without recording them or using the grant', async () => {
    const base = await startWechat();
    const accessToken = await token(base);
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    expect((await call(base, '/_faults', { busyNext: 2 })).body).toEqual({ failNext: 0, busyNext: 2, delayMs: 0 });
    for (let i = 0; i < 2; i += 1) {
      const { status, body } = await send(base, accessToken, outageMessage('oAlice'));
      expect(status).toBe(200);
      expect(body).toEqual({ errcode: -1, errmsg: 'system error' });
    }
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 1, [WORKORDER]: 0, [PAYMENT]: 0 });
    expect(await messages(base)).toEqual([]);
    expect((await send(base, accessToken, outageMessage('oAlice'))).body.errcode).toBe(0);
    expect(await messages(base)).toHaveLength(1);
  });

  it('answers failNext sends with HTTP 503, without using the grant', async () => {
    const base = await startWechat();
    const accessToken = await token(base);
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    await call(base, '/_faults', { failNext: 1 });
    const failed = await send(base, accessToken, outageMessage('oAlice'));
    expect(failed.status).toBe(503);
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 1, [WORKORDER]: 0, [PAYMENT]: 0 });
    const ok = await send(base, accessToken, outageMessage('oAlice'));
    expect(ok.status).toBe(200);
    expect(ok.body.errcode).toBe(0);
    expect((await call(base, '/_stats')).body).toMatchObject({ sends: 2, delivered: 1 });
    expect((await call(base, '/_faults', { failNext: -1 })).status).toBe(400);
  });

  it('delays sends by delayMs', async () => {
    const base = await startWechat();
    const accessToken = await token(base);
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept' });
    await call(base, '/_faults', { delayMs: 150 });
    const started = Date.now();
    expect((await send(base, accessToken, outageMessage('oAlice'))).body.errcode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await call(base, '/_faults', { delayMs: 0 });
  });
});

describe('mock WeChat peer: the phone side', () => {
  it('answers _subscribe as wx.requestSubscribeMessage resolves, adding grants only for accept', async () => {
    const base = await startWechat();
    expect(await subscribe(base, 'oAlice', { [OUTAGE]: 'accept', [WORKORDER]: 'reject' })).toEqual({
      [OUTAGE]: 'accept',
      [WORKORDER]: 'reject',
      errMsg: 'requestSubscribeMessage:ok',
    });
    await subscribe(base, 'oAlice', { [OUTAGE]: 'accept', [WORKORDER]: 'accept' }, 3);
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 4, [WORKORDER]: 3, [PAYMENT]: 0 });
    await subscribe(base, 'oAlice', { [OUTAGE]: 'ban' });
    expect(await grants(base, 'oAlice')).toEqual({ [OUTAGE]: 0, [WORKORDER]: 3, [PAYMENT]: 0 });

    expect(await subscribe(base, 'oAlice', { TPL_NOPE: 'accept' })).toEqual({
      errMsg: 'requestSubscribeMessage:fail:No template data return, verify the template id exist',
      errCode: 20001,
    });
    expect((await call(base, '/_subscribe', { openid: 'oAlice', results: { [OUTAGE]: 'maybe' } })).status).toBe(400);
    expect((await call(base, '/_subscribe', { results: {} })).status).toBe(400);
  });

  it('knows openids from _login, keeps jscode2session as it was, and is wired into the mock server', async () => {
    const mocks = await startMockServer({ port: 0, backofficeSecret: 'x'.repeat(16) });
    closers.push(() => mocks.close());
    const base = `${mocks.url}/wechat`;
    const { appId, secret } = MOCK_DEFAULTS.wechat;
    const login = await call(base, '/_login', { openid: 'oCarol' });
    expect(login.body).toEqual({ code: expect.any(String), openid: 'oCarol' });
    const session = await call(
      base,
      `/sns/jscode2session?${new URLSearchParams({ appid: appId, secret, js_code: login.body.code as string, grant_type: 'authorization_code' })}`,
    );
    expect(session.body).toMatchObject({ openid: 'oCarol', session_key: expect.any(String) });

    const { body } = await call(base, `/cgi-bin/token?${new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret })}`);
    const accessToken = body.access_token as string;
    // Known (from _login) but without a grant: refused by the user, not an invalid openid.
    expect((await send(base, accessToken, outageMessage('oCarol'))).body.errcode).toBe(43101);
    await call(base, '/_subscribe', { openid: 'oCarol', results: { [OUTAGE]: 'accept' } });
    expect((await send(base, accessToken, outageMessage('oCarol'))).body.errcode).toBe(0);
  });

  it('takes custom templates, and exports the default ones', async () => {
    expect(Object.keys(SUBSCRIBE_TEMPLATES)).toEqual([OUTAGE, WORKORDER, PAYMENT]);
    expect(SUBSCRIBE_TEMPLATES.TPL_OUTAGE_NOTICE).toEqual({ thing1: 'thing', time2: 'time', time3: 'time', thing4: 'thing', thing5: 'thing' });
    const base = await startWechat({ templates: { TPL_BILL: { amount1: 'character_string' } } });
    const accessToken = await token(base);
    await subscribe(base, 'oAlice', { TPL_BILL: 'accept' });
    expect(await grants(base, 'oAlice')).toEqual({ TPL_BILL: 1 });
    expect((await send(base, accessToken, outageMessage('oAlice'))).body.errcode).toBe(40037);
    expect((await send(base, accessToken, { touser: 'oAlice', template_id: 'TPL_BILL', data: { amount1: { value: '¥12.30' } } })).body.errcode).toBe(47003);
    expect((await send(base, accessToken, { touser: 'oAlice', template_id: 'TPL_BILL', data: { amount1: { value: '12.30' } } })).body.errcode).toBe(0);
  });

  it('takes grants in bulk (times) and uses exactly one per send under concurrency', async () => {
    const base = await startWechat();
    const accessToken = await token(base);
    await subscribe(base, 'oBulk', { [OUTAGE]: 'accept' }, 300);
    const errcodes: unknown[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 310) {
          next += 1;
          errcodes.push((await send(base, accessToken, outageMessage('oBulk'))).body.errcode);
        }
      }),
    );
    expect(errcodes.filter((errcode) => errcode === 0)).toHaveLength(300);
    expect(errcodes.filter((errcode) => errcode === 43101)).toHaveLength(10);
    expect(await grants(base, 'oBulk')).toEqual({ [OUTAGE]: 0, [WORKORDER]: 0, [PAYMENT]: 0 });
    const sent = await messages(base, '?touser=oBulk');
    expect(new Set(sent.map((message) => message.msgid)).size).toBe(300);
  });
});
