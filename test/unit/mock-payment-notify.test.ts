import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlipaySdk } from 'alipay-sdk';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../mock/src/payments/notifier';
import { ALIPAY_RETRY_SCHEDULE_MS, alipayPeer } from '../../mock/src/peers/alipay';
import { WECHATPAY_RETRY_SCHEDULE_MS, wechatPayPeer } from '../../mock/src/peers/wechatpay';
import { MOCK_DEFAULTS, SHARED_MOCK_KEYS_DIR } from '../../mock/src/server';
import { createAlipayClient, type AlipayClient } from '../../server/src/integrations/alipay/client';
import { loadOrCreatePaymentKeys, merchantKeysOf, type PaymentKeys } from '../../shared/node/payment-keys';
import { createWechatPayClient, type WechatPayClient } from '../../server/src/integrations/wechatpay/client';
import { checkWechatPaySignature, decryptResource } from '../../server/src/integrations/wechatpay/verify';
import { formFields, startMerchant, type Received } from '../support/payment-peers';

const NOTIFY_TIMEOUT_MS = 300;

let base: string;
let server: http.Server;
let peers: Array<{ close(): void }>;
let keys: PaymentKeys;
let merchant: Awaited<ReturnType<typeof startMerchant>>;
let wechat: WechatPayClient;
let alipay: AlipayClient;
let alipaySdk: AlipaySdk;
let counter = 0;

const orderNo = (prefix: string) => `${prefix}${Date.now()}${String((counter += 1)).padStart(3, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

async function records(gateway: 'wechatpay' | 'alipay', outTradeNo: string): Promise<DeliveryRecord[]> {
  return ((await (await fetch(`${base}/${gateway}/_notifications?out_trade_no=${outTradeNo}`)).json()) as { notifications: DeliveryRecord[] }).notifications;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

/** A JSAPI order paid through the mini-program step; its notifications go to the test merchant. */
async function wechatPaid(beforePaying: () => Promise<unknown> = async () => undefined): Promise<string> {
  const outTradeNo = orderNo('WN');
  const created = await wechat.createJsapiOrder({
    outTradeNo,
    description: '电费',
    totalFen: 100,
    openid: 'oNotify',
    notifyUrl: `${merchant.url}/notify/wechat`,
  });
  if (!created.ok) throw new Error(JSON.stringify(created));
  await beforePaying();
  await post('/wechatpay/_requestPayment', created.data.requestPayment);
  return outTradeNo;
}

async function alipayPaid(): Promise<string> {
  const outTradeNo = orderNo('AN');
  const url = alipay.wapPayUrl({
    outTradeNo,
    totalFen: 100,
    subject: '电费',
    notifyUrl: `${merchant.url}/notify/alipay`,
    returnUrl: 'http://127.0.0.1:3000/return',
  });
  const cashier = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
  await fetch(`${base}/alipay/cashier/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: cashier.searchParams.get('token')! }),
    redirect: 'manual',
  });
  return outTradeNo;
}

const opened = (request: Received) => {
  const envelope = JSON.parse(request.body.toString('utf8')) as { id: string; event_type: string; resource: Parameters<typeof decryptResource>[0] };
  return { envelope, resource: JSON.parse(decryptResource(envelope.resource, keys.wechatPay.apiV3Key)) as Record<string, unknown> };
};

/** Checks each wait between attempts against the scaled schedule (counted from the end of the previous attempt). */
function expectScheduled(record: DeliveryRecord, schedule: readonly number[], scale: number): void {
  for (let index = 1; index < record.attempts.length; index += 1) {
    const previous = record.attempts[index - 1]!;
    const waited = Date.parse(record.attempts[index]!.at) - (Date.parse(previous.at) + previous.elapsedMs);
    const planned = schedule[index - 1]! * scale;
    expect(waited, `wait before attempt ${index + 1}`).toBeGreaterThanOrEqual(planned - 5);
    expect(waited, `wait before attempt ${index + 1}`).toBeLessThan(planned + 750);
  }
}

beforeAll(async () => {
  keys = await loadOrCreatePaymentKeys(SHARED_MOCK_KEYS_DIR);
  const app = new Koa();
  const wechatPay = wechatPayPeer({ ...MOCK_DEFAULTS.wechatPay, keys: keys.wechatPay, notifyTimeoutMs: NOTIFY_TIMEOUT_MS });
  const ali = alipayPeer({ ...MOCK_DEFAULTS.alipay, keys: keys.alipay, notifyTimeoutMs: NOTIFY_TIMEOUT_MS });
  peers = [wechatPay, ali];
  for (const peer of [wechatPay.router, ali.router]) app.use(peer.routes()).use(peer.allowedMethods());
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  merchant = await startMerchant();
  const merchantKeys = merchantKeysOf(keys);
  wechat = createWechatPayClient({ apiBase: `${base}/wechatpay`, ...MOCK_DEFAULTS.wechatPay, keys: merchantKeys.wechatPay });
  alipay = createAlipayClient({ gateway: `${base}/alipay/gateway.do`, ...MOCK_DEFAULTS.alipay, keys: merchantKeys.alipay });
  alipaySdk = new AlipaySdk({
    appId: MOCK_DEFAULTS.alipay.appId,
    privateKey: merchantKeys.alipay.appPrivateKey,
    alipayPublicKey: merchantKeys.alipay.alipayPublicKey,
    keyType: 'PKCS8',
  });
});

afterAll(async () => {
  for (const peer of peers) peer.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await merchant.close();
});

beforeEach(() => {
  merchant.received.length = 0;
});

describe('WeChat Pay notifications', () => {
  it('retries a failing merchant on the scaled schedule (errors, a timeout, a 400) and stops at its 204', async () => {
    const scale = 0.01;
    await post('/wechatpay/_settings', { timeScale: scale });
    const replies = [{ status: 500 }, { hang: true as const }, { status: 400 }, { status: 204 }];
    merchant.setReply((_request, index) => replies[index] ?? { status: 204 });
    const outTradeNo = await wechatPaid();
    const [record] = await until(async () => {
      const list = await records('wechatpay', outTradeNo);
      return list[0]?.state === 'acknowledged' ? list : undefined;
    });
    expect(record!.attempts.map((attempt) => attempt.status ?? attempt.error)).toEqual([500, `no answer within ${NOTIFY_TIMEOUT_MS} ms`, 400, 204]);
    expectScheduled(record!, WECHATPAY_RETRY_SCHEDULE_MS, scale);
    // The body is the same notification every time; each attempt carries a fresh, valid signature.
    expect(new Set(merchant.received.map((request) => request.body.toString('utf8'))).size).toBe(1);
    for (const request of merchant.received) expect(checkWechatPaySignature(request.headers, request.body, keys.wechatPay.platform, Date.now())).toBe('ok');
    await sleep(WECHATPAY_RETRY_SCHEDULE_MS[3]! * scale + 200);
    expect(merchant.received).toHaveLength(4);
  });

  it('gives up after the sixteenth attempt when the merchant never says yes', async () => {
    await post('/wechatpay/_settings', { timeScale: 0.00002 });
    merchant.setReply(() => ({ status: 503 }));
    const outTradeNo = await wechatPaid();
    const [record] = await until(async () => {
      const list = await records('wechatpay', outTradeNo);
      return list[0]?.state === 'gave_up' ? list : undefined;
    });
    expect(record!.attempts).toHaveLength(WECHATPAY_RETRY_SCHEDULE_MS.length + 1);
    expect(merchant.received).toHaveLength(16);
  });

  it('sends duplicates on demand: one concurrent with the original, one a second (scaled) later, all with the same id', async () => {
    await post('/wechatpay/_settings', { timeScale: 0.05 });
    // The first request is accepted only if a second arrives while it is open: only a concurrent copy does.
    merchant.setReply(async (_request, index) => {
      if (index > 0) return { status: 200 };
      const overlapped = await until(async () => (merchant.received.length >= 2 ? true : undefined), NOTIFY_TIMEOUT_MS - 100).then(
        () => true,
        () => false,
      );
      return { status: overlapped ? 200 : 500 };
    });
    await post('/wechatpay/_faults', { duplicateNotifications: 1, concurrentNotifications: 1 });
    const outTradeNo = await wechatPaid();
    const list = await until(async () => {
      const found = await records('wechatpay', outTradeNo);
      return found.length === 3 && found.every((record) => record.state === 'acknowledged') ? found : undefined;
    });
    expect(list.map((record) => record.kind)).toEqual(['original', 'concurrent', 'duplicate']);
    expect(new Set(list.map((record) => record.notificationId)).size).toBe(1);
    expect(list.map((record) => record.attempts.length)).toEqual([1, 1, 1]);
    const ids = merchant.received.map((request) => opened(request).envelope.id);
    expect(new Set(ids).size).toBe(1);
    const [original, , duplicate] = list;
    expect(Date.parse(duplicate!.attempts[0]!.at) - Date.parse(original!.attempts[0]!.at)).toBeGreaterThanOrEqual(1000 * 0.05 - 2);
  });

  it('sends a CLOSED state after SUCCESS when told to deliver out of order; the order itself stays paid', async () => {
    await post('/wechatpay/_settings', { timeScale: 0.01 });
    merchant.setReply(() => ({ status: 204 }));
    await post('/wechatpay/_faults', { outOfOrderNotifications: 1 });
    const outTradeNo = await wechatPaid();
    await merchant.waitFor(2);
    const [first, second] = merchant.received.map(opened);
    expect([first!.envelope.event_type, first!.resource.trade_state]).toEqual(['TRANSACTION.SUCCESS', 'SUCCESS']);
    expect([second!.envelope.event_type, second!.resource.trade_state]).toEqual(['TRANSACTION.CLOSED', 'CLOSED']);
    expect(second!.resource.out_trade_no).toBe(outTradeNo);
    expect(await wechat.queryByOutTradeNo(outTradeNo)).toMatchObject({ ok: true, data: { trade_state: 'SUCCESS' } });
  });

  it('drops a notification when told to: nothing arrives and only a query tells the merchant it was paid', async () => {
    await post('/wechatpay/_faults', { dropNotifications: 1 });
    const outTradeNo = await wechatPaid();
    await sleep(300);
    expect(merchant.received).toHaveLength(0);
    expect((await records('wechatpay', outTradeNo)).map((record) => record.state)).toEqual(['dropped']);
    expect(await wechat.queryByOutTradeNo(outTradeNo)).toMatchObject({ ok: true, data: { trade_state: 'SUCCESS' } });
  });

  it('can send a SIGNTEST probe that a verifying merchant refuses; the retry carries a real signature', async () => {
    await post('/wechatpay/_settings', { timeScale: 0.001 });
    merchant.setReply((request) =>
      checkWechatPaySignature(request.headers, request.body, keys.wechatPay.platform, Date.now()) === 'ok' ? { status: 204 } : { status: 401 },
    );
    // Set after the order is placed, so that the probe lands on the notification, not the order's answer.
    const outTradeNo = await wechatPaid(() => post('/wechatpay/_faults', { signTestNext: 1 }));
    await merchant.waitFor(2);
    expect(String(merchant.received[0]!.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(checkWechatPaySignature(merchant.received[0]!.headers, merchant.received[0]!.body, keys.wechatPay.platform, Date.now())).toBe('probe');
    const [record] = await until(async () => {
      const list = await records('wechatpay', outTradeNo);
      return list[0]?.state === 'acknowledged' ? list : undefined;
    });
    expect(record!.attempts.map((attempt) => attempt.status)).toEqual([401, 204]);
  });
});

describe('Alipay notifications', () => {
  it('counts only the exact reply "success": anything else is retried on the scaled schedule', async () => {
    const scale = 0.001;
    await post('/alipay/_settings', { timeScale: scale });
    const replies = [
      { status: 200, body: 'fail' },
      { status: 200, body: 'SUCCESS' },
      { status: 500, body: 'success' },
      { status: 200, body: 'success' },
    ];
    merchant.setReply((_request, index) => replies[index] ?? { status: 200, body: 'success' });
    const outTradeNo = await alipayPaid();
    const [record] = await until(async () => {
      const list = await records('alipay', outTradeNo);
      return list[0]?.state === 'acknowledged' ? list : undefined;
    });
    expect(record!.attempts.map((attempt) => [attempt.status, attempt.reply])).toEqual([
      [200, 'fail'],
      [200, 'SUCCESS'],
      [500, 'success'],
      [200, 'success'],
    ]);
    expectScheduled(record!, ALIPAY_RETRY_SCHEDULE_MS, scale);
    for (const request of merchant.received) expect(String(request.headers['content-type'])).toMatch(/^application\/x-www-form-urlencoded/);
    const forms = merchant.received.map((request) => formFields(request.body));
    expect(new Set(forms.map((fields) => fields.notify_id)).size).toBe(1);
    for (const fields of forms) {
      expect(alipaySdk.checkNotifySignV2(fields)).toBe(true);
      expect(alipay.verifyNotify(fields)).toMatchObject({ ok: true, notify: { outTradeNo, tradeStatus: 'TRADE_SUCCESS' } });
    }
  });

  it('gives up after the eighth attempt', async () => {
    await post('/alipay/_settings', { timeScale: 0.00002 });
    merchant.setReply(() => ({ status: 200, body: 'fail' }));
    const outTradeNo = await alipayPaid();
    const [record] = await until(async () => {
      const list = await records('alipay', outTradeNo);
      return list[0]?.state === 'gave_up' ? list : undefined;
    });
    expect(record!.attempts).toHaveLength(ALIPAY_RETRY_SCHEDULE_MS.length + 1);
  });

  it('duplicates, reorders (TRADE_CLOSED after TRADE_SUCCESS) and drops notifications when told to', async () => {
    await post('/alipay/_settings', { timeScale: 0.01 });
    merchant.setReply(() => ({ status: 200, body: 'success' }));
    await post('/alipay/_faults', { duplicateNotifications: 1 });
    const duplicated = await alipayPaid();
    await merchant.waitFor(2);
    const pair = merchant.received.map((request) => formFields(request.body));
    expect(pair.map((fields) => [fields.out_trade_no, fields.trade_status])).toEqual([
      [duplicated, 'TRADE_SUCCESS'],
      [duplicated, 'TRADE_SUCCESS'],
    ]);
    expect(pair[0]!.notify_id).toBe(pair[1]!.notify_id);

    merchant.received.length = 0;
    await post('/alipay/_faults', { outOfOrderNotifications: 1 });
    const reordered = await alipayPaid();
    await merchant.waitFor(2);
    const statuses = merchant.received.map((request) => formFields(request.body)).map((fields) => [fields.out_trade_no, fields.trade_status]);
    expect(statuses).toEqual([
      [reordered, 'TRADE_SUCCESS'],
      [reordered, 'TRADE_CLOSED'],
    ]);
    expect(alipay.verifyNotify(formFields(merchant.received[1]!.body))).toMatchObject({ ok: true });
    expect(await alipay.query(reordered)).toMatchObject({ ok: true, data: { tradeStatus: 'TRADE_SUCCESS' } });

    merchant.received.length = 0;
    await post('/alipay/_faults', { dropNotifications: 1 });
    const dropped = await alipayPaid();
    await sleep(300);
    expect(merchant.received).toHaveLength(0);
    expect((await records('alipay', dropped)).map((record) => record.state)).toEqual(['dropped']);
  });

  it('refuses unknown or malformed knobs without changing any', async () => {
    const refused = await fetch(`${base}/alipay/_faults`, { method: 'POST', body: JSON.stringify({ dropNotifications: 1, loseEverything: true }) });
    expect(refused.status).toBe(400);
    const negative = await fetch(`${base}/wechatpay/_faults`, { method: 'POST', body: JSON.stringify({ failNext: -1 }) });
    expect(await negative.json()).toEqual({ error: 'failNext must be a non-negative integer' });
    expect(await post('/alipay/_faults', {})).toMatchObject({ dropNotifications: 0 });
  });
});
