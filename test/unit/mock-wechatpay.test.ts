import { createVerify } from 'node:crypto';
import Pay from 'wechatpay-node-v3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/src/server';
import { merchantKeysOf, type PaymentKeys } from '../../shared/node/payment-keys';
import { createWechatPayClient, WechatPaySignatureError, type WechatPayClient } from '../../server/src/integrations/wechatpay/client';
import { checkWechatPaySignature, decryptResource, ResourceDecryptError, type EncryptedResource } from '../../server/src/integrations/wechatpay/verify';
import { startMerchant, wechatPayCall } from '../support/payment-peers';

const APPID = 'wx_demo_appid';
const MCHID = '1900000109';

let mocks: MockServer;
let keys: PaymentKeys['wechatPay'];
let merchant: Awaited<ReturnType<typeof startMerchant>>;
let client: WechatPayClient;
let counter = 0;

const orderNo = (prefix = 'WX') => `${prefix}${Date.now()}${String((counter += 1)).padStart(3, '0')}`;
const notifyUrl = () => `${merchant.url}/api/payments/notify/wechat`;
const verifier = () => ({ publicKeyId: keys.platform.publicKeyId, publicKey: keys.platform.publicKey });

async function control(path: string, body?: unknown) {
  const response = await fetch(`${mocks.url}/wechatpay${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return (await response.json()) as Record<string, any>;
}

/** The notifications the merchant received for one order, opened with our own code (not the SDK's). */
async function notificationsFor(outTradeNo: string, count: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const opened = merchant.received.map((request) => {
      expect(checkWechatPaySignature(request.headers, request.body, verifier(), Date.now())).toBe('ok');
      const envelope = JSON.parse(request.body.toString('utf8')) as { id: string; event_type: string; resource: EncryptedResource };
      return { envelope, resource: JSON.parse(decryptResource(envelope.resource, keys.apiV3Key)) as Record<string, any>, request };
    });
    const mine = opened.filter((entry) => entry.resource.out_trade_no === outTradeNo);
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) throw new Error(`expected ${count} notifications for ${outTradeNo}, got ${mine.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  mocks = await startMockServer({ port: 0, backofficeSecret: 'test-backoffice-secret-0123456789', payments: { timeScale: 0.001 } });
  keys = mocks.paymentKeys.wechatPay;
  merchant = await startMerchant();
  client = createWechatPayClient({
    apiBase: `${mocks.url}/wechatpay`,
    appId: APPID,
    mchId: MCHID,
    keys: merchantKeysOf(mocks.paymentKeys).wechatPay,
    timeoutMs: 2000,
  });
});

afterAll(async () => {
  await mocks.close();
  await merchant.close();
});

describe('WeChat Pay mock driven by wechatpay-node-v3 (through the server wrapper)', () => {
  it('takes a JSAPI order, is paid from the mini-program step, notifies, and answers queries by either number', async () => {
    const outTradeNo = orderNo();
    const created = await client.createJsapiOrder({
      outTradeNo,
      description: '电费缴纳-3301000001',
      totalFen: 12_345,
      openid: 'oUserA',
      notifyUrl: notifyUrl(),
      attach: 'acct=3301000001',
    });
    if (!created.ok) throw new Error(JSON.stringify(created));
    expect(created.data.prepayId).toMatch(/^wx\d{14}[0-9a-f]{22}$/);
    const params = created.data.requestPayment;
    expect(params.package).toBe(`prepay_id=${created.data.prepayId}`);
    // paySign is the merchant's signature over appId, timeStamp, nonceStr and package.
    const paySignValid = createVerify('RSA-SHA256')
      .update(`${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`)
      .verify(keys.merchant.publicKey, params.paySign, 'base64');
    expect(paySignValid).toBe(true);

    const before = await client.queryByOutTradeNo(outTradeNo);
    expect(before).toMatchObject({ ok: true, data: { trade_state: 'NOTPAY', amount: { total: 12_345 } } });

    // Another WeChat user cannot pay it; a forged paySign is refused; the payer can.
    expect(await control('/_requestPayment', { ...params, openid: 'oSomeoneElse' })).toEqual({ errMsg: 'requestPayment:fail 当前用户不是下单用户' });
    expect(await control('/_requestPayment', { ...params, paySign: params.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).toEqual({
      errMsg: 'requestPayment:fail 支付验证签名失败',
    });
    expect(await control('/_requestPayment', { ...params, openid: 'oUserA' })).toEqual({ errMsg: 'requestPayment:ok' });
    expect(await control('/_requestPayment', params)).toEqual({ errMsg: 'requestPayment:fail 该订单已支付' });

    const [notified] = await notificationsFor(outTradeNo, 1);
    expect(notified!.envelope).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', summary: '支付成功' });
    expect(notified!.request.headers['wechatpay-serial']).toBe(keys.platform.publicKeyId);
    const paid = notified!.resource;
    expect(paid).toMatchObject({
      appid: APPID,
      mchid: MCHID,
      out_trade_no: outTradeNo,
      trade_state: 'SUCCESS',
      trade_type: 'JSAPI',
      attach: 'acct=3301000001',
      payer: { openid: 'oUserA' },
      amount: { total: 12_345, payer_total: 12_345 },
    });
    expect(paid.transaction_id).toMatch(/^4200\d{24}$/);
    expect(paid.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);

    const byNo = await client.queryByOutTradeNo(outTradeNo);
    const byId = await client.queryByTransactionId(paid.transaction_id as string);
    expect(byNo).toMatchObject({ ok: true, data: { trade_state: 'SUCCESS', transaction_id: paid.transaction_id } });
    expect(byId).toEqual(byNo);
  });

  it('signs every answer over its exact bytes: verifiable with the WeChat Pay public key, and a changed byte fails', async () => {
    const outTradeNo = orderNo();
    await client.createJsapiOrder({ outTradeNo, description: '电费', totalFen: 100, openid: 'oUserB', notifyUrl: notifyUrl() });
    const answer = await wechatPayCall(mocks.url, keys, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${MCHID}`);
    expect(answer.status).toBe(200);
    expect(checkWechatPaySignature(answer.headers, answer.raw, verifier(), Date.now())).toBe('ok');
    const altered = Buffer.from(answer.raw.toString('utf8').replace('"total":100', '"total":101'));
    expect(checkWechatPaySignature(answer.headers, altered, verifier(), Date.now())).toBe('bad_signature');
    // A five-minute window: the same answer checked six minutes later is refused.
    expect(checkWechatPaySignature(answer.headers, answer.raw, verifier(), Date.now() + 6 * 60_000)).toBe('stale');
  });

  it('seals notification resources with AES-256-GCM: our decryption refuses a changed tag, where the SDK decrypts it anyway', async () => {
    const outTradeNo = orderNo('H5');
    const created = await client.createH5Order({ outTradeNo, description: '电费', totalFen: 500, payerClientIp: '203.0.113.7', notifyUrl: notifyUrl() });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const url = new URL(created.data.h5Url);
    await fetch(`${mocks.url}/wechatpay/cashier/h5/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prepay_id: url.searchParams.get('prepay_id')!, package: url.searchParams.get('package')!, redirect_url: '' }),
      redirect: 'manual',
    });
    const [notified] = await notificationsFor(outTradeNo, 1);
    const resource = notified!.envelope.resource;
    expect(resource).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction', original_type: 'transaction' });
    expect(resource.nonce).toHaveLength(12);

    const sealed = Buffer.from(resource.ciphertext, 'base64');
    sealed[sealed.length - 1]! ^= 0x01; // the last byte of the tag
    const tampered = { ...resource, ciphertext: sealed.toString('base64') };
    expect(() => decryptResource(tampered, keys.apiV3Key)).toThrow(ResourceDecryptError);
    expect(() => decryptResource({ ...resource, associated_data: 'refund' }, keys.apiV3Key)).toThrow(ResourceDecryptError);
    expect(() => decryptResource(resource, 'x'.repeat(32))).toThrow(ResourceDecryptError);

    // The reason for our own code: the SDK's decipher_gcm never checks the tag.
    const sdk = new Pay({
      appid: APPID,
      mchid: MCHID,
      serial_no: keys.merchant.serialNo,
      publicKey: Buffer.from('unused'),
      privateKey: Buffer.from(keys.merchant.privateKey),
      key: keys.apiV3Key,
    });
    const sdkOpened = sdk.decipher_gcm<{ out_trade_no: string }>(tampered.ciphertext, tampered.associated_data!, tampered.nonce);
    expect(sdkOpened.out_trade_no).toBe(outTradeNo);
  });

  it('serves an H5 cashier page that pays or cancels and returns to redirect_url; close and the cashier agree afterwards', async () => {
    const paidNo = orderNo('H5');
    const created = await client.createH5Order({
      outTradeNo: paidNo,
      description: '电费缴纳',
      totalFen: 100,
      payerClientIp: '203.0.113.7',
      notifyUrl: notifyUrl(),
    });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const redirect = 'http://127.0.0.1:3000/pay/result?order=1';
    const page = await fetch(`${created.data.h5Url}&redirect_url=${encodeURIComponent(redirect)}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('￥1.00');
    expect(html).toContain('确认支付');
    expect(html).toContain('取消支付');
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [match[1], match[2]!.replace(/&#38;/g, '&')]),
    );
    expect(fields.redirect_url).toBe(redirect);

    const paid = await fetch(`${mocks.url}/wechatpay/cashier/h5/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });
    expect(paid.status).toBe(302);
    expect(paid.headers.get('location')).toBe(redirect);
    const [notified] = await notificationsFor(paidNo, 1);
    expect(notified!.resource).toMatchObject({ trade_state: 'SUCCESS', trade_type: 'MWEB', amount: { total: 100 } });
    expect(await client.close(paidNo)).toMatchObject({ ok: false, status: 400, code: 'ORDERPAID' });

    const cancelledNo = orderNo('H5');
    const other = await client.createH5Order({
      outTradeNo: cancelledNo,
      description: '电费缴纳',
      totalFen: 200,
      payerClientIp: '203.0.113.7',
      notifyUrl: notifyUrl(),
    });
    if (!other.ok) throw new Error(JSON.stringify(other));
    const link = new URL(other.data.h5Url);
    const form = { prepay_id: link.searchParams.get('prepay_id')!, package: link.searchParams.get('package')!, redirect_url: redirect };
    const cancelled = await fetch(`${mocks.url}/wechatpay/cashier/h5/cancel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    expect(cancelled.headers.get('location')).toBe(redirect);
    expect(await client.queryByOutTradeNo(cancelledNo)).toMatchObject({ ok: true, data: { trade_state: 'NOTPAY' } });
    expect(await client.close(cancelledNo)).toEqual({ ok: true, data: null });
    expect(await client.queryByOutTradeNo(cancelledNo)).toMatchObject({ ok: true, data: { trade_state: 'CLOSED', trade_state_desc: '订单已关闭' } });
    const late = await fetch(`${mocks.url}/wechatpay/cashier/h5/pay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('订单已关闭');
    expect((await fetch(other.data.h5Url)).status).toBe(409);
  });

  it('answers a repeated order with the same prepay_id, and refuses a changed, a paid or a closed one', async () => {
    const outTradeNo = orderNo();
    const order = { outTradeNo, description: '电费', totalFen: 300, openid: 'oUserC', notifyUrl: notifyUrl() };
    const first = await client.createJsapiOrder(order);
    const again = await client.createJsapiOrder(order);
    expect(first.ok && again.ok && again.data.prepayId === first.data.prepayId).toBe(true);
    expect(await client.createJsapiOrder({ ...order, totalFen: 301 })).toMatchObject({ ok: false, status: 403, code: 'OUT_TRADE_NO_USED' });
    await client.close(outTradeNo);
    expect(await client.createJsapiOrder(order)).toMatchObject({ ok: false, status: 400, code: 'ORDER_CLOSED' });
    expect(await client.queryByOutTradeNo('NEVER-PLACED-1')).toMatchObject({ ok: false, status: 404, code: 'ORDER_NOT_EXIST' });
  });

  it('checks order fields as WeChat does: out_trade_no, amount, and a notify_url without a query string', async () => {
    const base = { description: '电费', totalFen: 100, openid: 'oUserD', notifyUrl: notifyUrl() };
    expect(await client.createJsapiOrder({ ...base, outTradeNo: 'ab1' })).toMatchObject({ ok: false, status: 400, code: 'PARAM_ERROR' });
    expect(await client.createJsapiOrder({ ...base, outTradeNo: orderNo(), totalFen: 0 })).toMatchObject({ ok: false, status: 400, code: 'PARAM_ERROR' });
    expect(await client.createJsapiOrder({ ...base, outTradeNo: orderNo(), notifyUrl: `${notifyUrl()}?order=1` })).toMatchObject({
      ok: false,
      status: 400,
      code: 'PARAM_ERROR',
      message: expect.stringContaining('查询串'),
    });
    expect(await client.createJsapiOrder({ ...base, outTradeNo: orderNo(), notifyUrl: 'http://merchant.example/notify' })).toMatchObject({
      ok: false,
      code: 'PARAM_ERROR',
      message: expect.stringContaining('https'),
    });
    expect(await client.createJsapiOrder({ ...base, outTradeNo: orderNo(), timeExpire: new Date(Date.now() - 60_000) })).toMatchObject({
      ok: false,
      code: 'PARAM_ERROR',
    });
  });

  it('refunds once per out_refund_no, settles PROCESSING to SUCCESS, and notifies the refund', async () => {
    const outTradeNo = orderNo();
    const created = await client.createJsapiOrder({ outTradeNo, description: '电费', totalFen: 10_000, openid: 'oUserE', notifyUrl: notifyUrl() });
    if (!created.ok) throw new Error(JSON.stringify(created));
    expect(await client.refund({ outTradeNo, outRefundNo: `R${outTradeNo}`, refundFen: 100, totalFen: 10_000 })).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
    await control('/_requestPayment', created.data.requestPayment);

    const refund = { outTradeNo, outRefundNo: `R${outTradeNo}`, refundFen: 3_000, totalFen: 10_000, reason: '多缴退费', notifyUrl: notifyUrl() };
    const first = await client.refund(refund);
    expect(first).toMatchObject({ ok: true, data: { out_refund_no: refund.outRefundNo, status: 'PROCESSING', amount: { refund: 3_000, total: 10_000 } } });
    const repeat = await client.refund(refund);
    expect(repeat.ok && first.ok && repeat.data.refund_id === first.data.refund_id).toBe(true);
    expect(await client.refund({ ...refund, refundFen: 3_001 })).toMatchObject({ ok: false, status: 400, code: 'INVALID_REQUEST' });
    expect(await client.refund({ ...refund, outRefundNo: `R2${outTradeNo}`, refundFen: 7_001 })).toMatchObject({
      ok: false,
      status: 400,
      code: 'INVALID_REQUEST',
    });

    const notes = await notificationsFor(outTradeNo, 2);
    const refunded = notes.find((note) => note.envelope.event_type === 'REFUND.SUCCESS');
    expect(refunded?.envelope.resource).toMatchObject({ original_type: 'refund', associated_data: 'refund' });
    expect(refunded?.resource).toMatchObject({ out_refund_no: refund.outRefundNo, refund_status: 'SUCCESS', amount: { refund: 3_000, total: 10_000 } });
    expect(await client.queryRefund(refund.outRefundNo)).toMatchObject({ ok: true, data: { status: 'SUCCESS', success_time: expect.any(String) } });
    expect(await client.queryByOutTradeNo(outTradeNo)).toMatchObject({ ok: true, data: { trade_state: 'REFUND', trade_state_desc: '转入退款' } });
    expect(await client.queryRefund('NO-SUCH-REFUND')).toMatchObject({ ok: false, status: 404, code: 'RESOURCE_NOT_EXISTS' });
  });

  it('issues a trade bill for a finished day only; the wrapper checks its SHA1 and gets the backtick CSV', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(await client.tradeBill(today)).toMatchObject({ ok: false, status: 400, code: 'NO_STATEMENT_EXIST' });
    expect(await client.tradeBill('2026-02-30')).toMatchObject({ ok: false, status: 400, code: 'PARAM_ERROR' });

    const outTradeNo = orderNo();
    const created = await client.createJsapiOrder({ outTradeNo, description: '电费', totalFen: 2_000, openid: 'oUserF', notifyUrl: notifyUrl() });
    if (!created.ok) throw new Error(JSON.stringify(created));
    await control('/_requestPayment', created.data.requestPayment);
    await control('/_settings', { billsForToday: true });
    try {
      const bill = await client.tradeBill(today);
      if (!bill.ok) throw new Error(JSON.stringify(bill));
      const lines = bill.data.trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^交易时间,公众账号ID,商户号,/);
      const row = lines.find((line) => line.includes(`\`${outTradeNo}`));
      expect(row?.split(',').every((field) => field.startsWith('`'))).toBe(true);
      expect(row).toContain('`SUCCESS,`OTHERS,`CNY,`20.00,');
      expect(row).toContain('`0.12000,`0.60%'); // 0.6 % of 20.00 yuan
      expect(lines.at(-2)).toBe('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    } finally {
      await control('/_settings', { billsForToday: false });
    }
  });
});

describe('WeChat Pay mock: request signatures and faults', () => {
  const queryPath = (no: string) => `/v3/pay/transactions/out-trade-no/${no}?mchid=${MCHID}`;

  it('refuses a request signed with another key with SIGN_ERROR in the real shape, itself signed', async () => {
    const stranger = (await import('node:crypto'))
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const refused = await wechatPayCall(mocks.url, keys, 'GET', queryPath('ANY-ORDER-1'), undefined, { privateKey: stranger });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({
      code: 'SIGN_ERROR',
      message: expect.any(String),
      detail: {
        field: 'signature',
        location: 'authorization',
        sign_information: { method: 'GET', url: queryPath('ANY-ORDER-1'), truncated_sign_message: expect.stringMatching(/^GET\n/) },
      },
    });
    expect(checkWechatPaySignature(refused.headers, refused.raw, verifier(), Date.now())).toBe('ok');

    expect(
      (await wechatPayCall(mocks.url, keys, 'GET', queryPath('ANY-ORDER-1'), undefined, { timestamp: Math.floor(Date.now() / 1000) - 600 })).json,
    ).toMatchObject({ code: 'SIGN_ERROR' });
    expect((await wechatPayCall(mocks.url, keys, 'GET', queryPath('ANY-ORDER-1'), undefined, { serial: '0'.repeat(40) })).json).toMatchObject({
      code: 'SIGN_ERROR',
      detail: { field: 'serial_no' },
    });
    const unsigned = await fetch(`${mocks.url}/wechatpay${queryPath('ANY-ORDER-1')}`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'SIGN_ERROR' });

    // The body is part of what is signed: the same signature over a changed body fails.
    const wrongKeyClient = createWechatPayClient({
      apiBase: `${mocks.url}/wechatpay`,
      appId: APPID,
      mchId: MCHID,
      keys: { ...merchantKeysOf(mocks.paymentKeys).wechatPay, merchantPrivateKey: stranger },
    });
    expect(
      await wrongKeyClient.createJsapiOrder({ outTradeNo: orderNo(), description: '电费', totalFen: 1, openid: 'o', notifyUrl: notifyUrl() }),
    ).toMatchObject({ ok: false, status: 401, code: 'SIGN_ERROR' });
  });

  it('answers with 500 SYSTEM_ERROR or 429 without acting, and can take an order and lose the answer', async () => {
    await control('/_faults', { failNext: 1, busyNext: 1 });
    const order = { description: '电费', totalFen: 100, openid: 'oUserG', notifyUrl: notifyUrl() };
    const failed = orderNo();
    expect(await client.createJsapiOrder({ ...order, outTradeNo: failed })).toMatchObject({ ok: false, status: 500, code: 'SYSTEM_ERROR' });
    const busy = orderNo();
    expect(await client.createJsapiOrder({ ...order, outTradeNo: busy })).toMatchObject({ ok: false, status: 429, code: 'FREQUENCY_LIMITED' });
    expect(await client.queryByOutTradeNo(failed)).toMatchObject({ ok: false, code: 'ORDER_NOT_EXIST' });
    expect(await client.queryByOutTradeNo(busy)).toMatchObject({ ok: false, code: 'ORDER_NOT_EXIST' });

    await control('/_faults', { timeoutNext: 1, hangMs: 3000 });
    const lost = orderNo();
    const quick = createWechatPayClient({
      apiBase: `${mocks.url}/wechatpay`,
      appId: APPID,
      mchId: MCHID,
      keys: merchantKeysOf(mocks.paymentKeys).wechatPay,
      timeoutMs: 300,
    });
    await expect(quick.createJsapiOrder({ ...order, outTradeNo: lost })).rejects.toThrow(/did not answer within 300 ms/);
    // The order was taken: asking again (same parameters) gets it, with its prepay_id.
    expect(await client.queryByOutTradeNo(lost)).toMatchObject({ ok: true, data: { trade_state: 'NOTPAY' } });
    expect(await client.createJsapiOrder({ ...order, outTradeNo: lost })).toMatchObject({ ok: true });
  });

  it('sends WECHATPAY/SIGNTEST probes when asked, which the wrapper refuses to act on', async () => {
    await control('/_faults', { signTestNext: 1 });
    const probed = client.queryByOutTradeNo('NEVER-PLACED-2');
    // An error reply with a probe signature is not trusted either: only its status is kept.
    expect(await probed).toMatchObject({ ok: false, status: 404, code: 'UNVERIFIED_ERROR' });

    const outTradeNo = orderNo();
    await client.createJsapiOrder({ outTradeNo, description: '电费', totalFen: 100, openid: 'oUserH', notifyUrl: notifyUrl() });
    await control('/_faults', { signTestNext: 1 });
    const error = await client.queryByOutTradeNo(outTradeNo).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WechatPaySignatureError);
    expect((error as WechatPaySignatureError).problem).toBe('probe');
  });
});
