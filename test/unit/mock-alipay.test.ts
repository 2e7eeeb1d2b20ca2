import { generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/src/server';
import { createAlipayClient, type AlipayClient } from '../../server/src/integrations/alipay/client';
import { merchantKeysOf } from '../../shared/node/payment-keys';
import { formFields, startMerchant, unzip } from '../support/payment-peers';

const APP_ID = '2021000000000001';
const SELLER_ID = '2088000000000001';

let mocks: MockServer;
let merchant: Awaited<ReturnType<typeof startMerchant>>;
let client: AlipayClient;
let sdk: AlipaySdk;
let stranger: { privateKey: string; publicKey: string };
let counter = 0;

const gateway = () => `${mocks.url}/alipay/gateway.do`;
const orderNo = () => `ALI${Date.now()}${String((counter += 1)).padStart(3, '0')}`;
const notifyUrl = () => `${merchant.url}/api/payments/notify/alipay`;
const returnUrl = 'http://127.0.0.1:3000/pay/alipay/return';
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
  redirect: 'manual' as const,
});

async function control(path: string, body: unknown) {
  return (await fetch(`${mocks.url}/alipay${path}`, { method: 'POST', body: JSON.stringify(body) })).json();
}

/** Opens the cashier for a signed wap.pay URL (following the gateway's redirect) and returns its token. */
async function openCashier(url: string): Promise<string> {
  const gatewayAnswer = await fetch(url, { redirect: 'manual' });
  expect(gatewayAnswer.status).toBe(302);
  const cashier = new URL(gatewayAnswer.headers.get('location')!);
  expect(cashier.pathname).toBe('/alipay/cashier');
  return cashier.searchParams.get('token')!;
}

async function payAtCashier(token: string): Promise<URL> {
  const paid = await fetch(`${mocks.url}/alipay/cashier/pay`, form({ token }));
  expect(paid.status).toBe(302);
  return new URL(paid.headers.get('location')!);
}

/** A trade paid at the cashier, with its TRADE_SUCCESS notification received. */
async function paidTrade(totalFen: number, subject = '电费缴纳') {
  const outTradeNo = orderNo();
  await payAtCashier(await openCashier(client.wapPayUrl({ outTradeNo, totalFen, subject, notifyUrl: notifyUrl(), returnUrl })));
  const notify = await notificationFor(outTradeNo, 'TRADE_SUCCESS');
  return { outTradeNo, notify };
}

async function notificationFor(outTradeNo: string, status: string, extra: (fields: Record<string, string>) => boolean = () => true) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = merchant.received
      .map((request) => formFields(request.body))
      .find((fields) => fields.out_trade_no === outTradeNo && fields.trade_status === status && extra(fields));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${status} notification for ${outTradeNo}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  mocks = await startMockServer({ port: 0, backofficeSecret: 'test-backoffice-secret-0123456789', payments: { timeScale: 0.001 } });
  merchant = await startMerchant(() => ({ status: 200, body: 'success' }));
  const keys = merchantKeysOf(mocks.paymentKeys).alipay;
  client = createAlipayClient({ gateway: gateway(), appId: APP_ID, sellerId: SELLER_ID, keys, timeoutMs: 2000 });
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  stranger = {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
  sdk = new AlipaySdk({
    appId: APP_ID,
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: gateway(),
    keyType: 'PKCS8',
    signType: 'RSA2',
  });
});

afterAll(async () => {
  await mocks.close();
  await merchant.close();
});

describe('Alipay mock driven by alipay-sdk', () => {
  it('opens the wap cashier from pageExecute (GET), pays, returns with signed parameters and notifies, verifiable with checkNotifySignV2', async () => {
    const outTradeNo = orderNo();
    const url = client.wapPayUrl({
      outTradeNo,
      totalFen: 12_345,
      subject: '电费缴纳（含 5% 违约金）',
      notifyUrl: notifyUrl(),
      returnUrl,
      quitUrl: 'http://127.0.0.1:3000/pay/alipay/quit',
    });
    const token = await openCashier(url);
    expect(await client.query(outTradeNo)).toMatchObject({ ok: true, data: { tradeStatus: 'WAIT_BUYER_PAY', totalFen: 12_345 } });

    const page = await (await fetch(`${mocks.url}/alipay/cashier?token=${token}`)).text();
    expect(page).toContain('￥123.45');
    expect(page).toContain('确认付款');

    const back = await payAtCashier(token);
    expect(`${back.origin}${back.pathname}`).toBe(returnUrl);
    const returned = Object.fromEntries(back.searchParams);
    expect(returned).toMatchObject({
      method: 'alipay.trade.wap.pay.return',
      out_trade_no: outTradeNo,
      total_amount: '123.45',
      app_id: APP_ID,
      seller_id: SELLER_ID,
      sign_type: 'RSA2',
    });
    expect(sdk.checkNotifySignV2(returned)).toBe(true);

    const notify = await notificationFor(outTradeNo, 'TRADE_SUCCESS');
    expect(notify).toMatchObject({ app_id: APP_ID, seller_id: SELLER_ID, total_amount: '123.45', notify_type: 'trade_status_sync', sign_type: 'RSA2' });
    expect(JSON.parse(notify.fund_bill_list!)).toEqual([{ amount: '123.45', fundChannel: 'ALIPAYACCOUNT' }]);
    expect(client.verifyNotify(notify)).toMatchObject({ ok: true, notify: { outTradeNo, tradeStatus: 'TRADE_SUCCESS', totalFen: 12_345 } });
    expect(client.verifyNotify({ ...notify, total_amount: '1.00' })).toEqual({ ok: false, problem: 'bad_signature' });
    // The older check URL-decodes every value and cannot read the "%" in this subject.
    expect(() => sdk.checkNotifySign(notify)).toThrow(URIError);

    expect(await client.query(outTradeNo)).toMatchObject({
      ok: true,
      data: { tradeStatus: 'TRADE_SUCCESS', totalFen: 12_345, sendPayDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) },
    });
  });

  it('accepts the wap.pay form from pageExecute (POST) and the query string from sdkExecute', async () => {
    const bizContent = { out_trade_no: orderNo(), total_amount: '8.00', subject: '电费', product_code: 'QUICK_WAP_WAY' };
    const html = sdk.pageExecute('alipay.trade.wap.pay', 'POST', { bizContent, notifyUrl: notifyUrl(), returnUrl });
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const fields = Object.fromEntries([...html.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((match) => [match[1]!, match[2]!.replace(/&quot;/g, '"')]));
    const posted = await fetch(action, form(fields));
    expect(posted.status).toBe(302);
    expect(posted.headers.get('location')).toMatch(/\/alipay\/cashier\?token=/);

    const other = { ...bizContent, out_trade_no: orderNo() };
    const token = await openCashier(`${gateway()}?${sdk.sdkExecute('alipay.trade.wap.pay', { bizContent: other, notifyUrl: notifyUrl(), returnUrl })}`);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('shows Alipay error pages for a bad signature, a changed amount and a paid trade', async () => {
    const outTradeNo = orderNo();
    const url = new URL(client.wapPayUrl({ outTradeNo, totalFen: 100, subject: '电费', notifyUrl: notifyUrl(), returnUrl }));
    const forged = new URL(url);
    forged.searchParams.set('biz_content', url.searchParams.get('biz_content')!.replace('"1.00"', '"0.01"'));
    const refused = await fetch(forged, { redirect: 'manual' });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain('isv.invalid-signature');

    await payAtCashier(await openCashier(url.toString()));
    expect(await (await fetch(url, { redirect: 'manual' })).text()).toContain('ACQ.TRADE_HAS_SUCCESS');
    const changed = client.wapPayUrl({ outTradeNo, totalFen: 200, subject: '电费', notifyUrl: notifyUrl(), returnUrl });
    expect(await (await fetch(changed, { redirect: 'manual' })).text()).toContain('ACQ.CONTEXT_INCONSISTENT');
  });

  it('closes an unpaid trade (the cashier then refuses), refuses to close a paid one, and says ACQ.TRADE_NOT_EXIST for a trade never opened', async () => {
    const outTradeNo = orderNo();
    const token = await openCashier(client.wapPayUrl({ outTradeNo, totalFen: 100, subject: '电费', notifyUrl: notifyUrl(), returnUrl }));
    expect(await client.close(outTradeNo)).toMatchObject({ ok: true, data: { outTradeNo } });
    expect(await client.query(outTradeNo)).toMatchObject({ ok: true, data: { tradeStatus: 'TRADE_CLOSED' } });
    const late = await fetch(`${mocks.url}/alipay/cashier/pay`, form({ token }));
    expect(await late.text()).toContain('交易已经关闭');

    const { outTradeNo: paid } = await paidTrade(100);
    expect(await client.close(paid)).toMatchObject({ ok: false, code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' });
    expect(await client.query('NEVER-OPENED-1')).toEqual({
      ok: false,
      code: '40004',
      msg: 'Business Failed',
      subCode: 'ACQ.TRADE_NOT_EXIST',
      subMsg: '交易不存在',
    });
  });

  it('refunds once per out_request_no; a partial refund notifies TRADE_SUCCESS with refund fields, the full one TRADE_CLOSED', async () => {
    const { outTradeNo } = await paidTrade(10_000);
    const first = await client.refund({ outTradeNo, refundFen: 3_000, outRequestNo: `${outTradeNo}-R1`, reason: '多缴退费' });
    expect(first).toMatchObject({ ok: true, data: { fundChange: 'Y', refundedFen: 3_000 } });
    expect(await client.refund({ outTradeNo, refundFen: 3_000, outRequestNo: `${outTradeNo}-R1` })).toMatchObject({
      ok: true,
      data: { fundChange: 'N', refundedFen: 3_000 },
    });
    expect(await client.refund({ outTradeNo, refundFen: 2_000, outRequestNo: `${outTradeNo}-R1` })).toMatchObject({
      ok: false,
      subCode: 'ACQ.DISCORDANT_REPEAT_REQUEST',
    });
    expect(await client.refund({ outTradeNo, refundFen: 7_001, outRequestNo: `${outTradeNo}-R2` })).toMatchObject({
      ok: false,
      subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
    });
    const partial = await notificationFor(outTradeNo, 'TRADE_SUCCESS', (fields) => fields.refund_fee !== undefined);
    expect(partial).toMatchObject({ refund_fee: '30.00', out_biz_no: `${outTradeNo}-R1` });
    expect(client.verifyNotify(partial)).toMatchObject({ ok: true, notify: { tradeStatus: 'TRADE_SUCCESS', refundFen: 3_000, outBizNo: `${outTradeNo}-R1` } });

    expect(await client.refund({ outTradeNo, refundFen: 7_000, outRequestNo: `${outTradeNo}-R2` })).toMatchObject({
      ok: true,
      data: { fundChange: 'Y', refundedFen: 10_000 },
    });
    const closed = await notificationFor(outTradeNo, 'TRADE_CLOSED');
    expect(closed).toMatchObject({ refund_fee: '100.00', gmt_close: expect.any(String) });
    expect(await client.query(outTradeNo)).toMatchObject({ ok: true, data: { tradeStatus: 'TRADE_CLOSED' } });
    expect(await client.refundQuery(outTradeNo, `${outTradeNo}-R2`)).toEqual({ ok: true, data: { refundFen: 7_000, status: 'REFUND_SUCCESS' } });
    // A refund never made is not an error, just an answer without a refund in it.
    expect(await client.refundQuery(outTradeNo, `${outTradeNo}-R9`)).toEqual({ ok: true, data: { refundFen: undefined, status: undefined } });
  });

  it("serves a finished day's bill as a zip of GBK CSV files with # comment lines and refunds as negative rows", async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(await client.billDownloadUrl(today)).toMatchObject({ ok: false, subCode: 'isp.bill_not_exist' });
    const { outTradeNo } = await paidTrade(2_000, '电费缴纳');
    await client.refund({ outTradeNo, refundFen: 500, outRequestNo: `${outTradeNo}-R1` });
    await control('/_settings', { billsForToday: true });
    try {
      const url = await client.billDownloadUrl(today);
      if (!url.ok) throw new Error(JSON.stringify(url));
      const archive = Buffer.from(await (await fetch(url.data)).arrayBuffer());
      const files = unzip(archive);
      const names = [...files.keys()];
      expect(names).toHaveLength(2);
      const detailName = names.find((name) => name.endsWith('_业务明细.csv'))!;
      const detail = new TextDecoder('gbk').decode(files.get(detailName));
      const lines = detail.trimEnd().split('\r\n');
      expect(lines[0]).toBe('#支付宝业务明细查询');
      expect(lines.find((line) => !line.startsWith('#'))).toMatch(/^支付宝交易号,商户订单号,业务类型,/);
      const rows = lines.filter((line) => line.includes(`${outTradeNo}\t`));
      expect(rows.map((row) => row.split(',')[2])).toEqual(['交易', '退款']);
      expect(rows[0]!.split(',')[11]).toBe('20.00');
      expect(rows[1]!.split(',')[11]).toBe('-5.00');
      expect(lines.at(-1)).toMatch(/^#导出时间：\[/);
      expect(names.some((name) => name.endsWith('_业务明细(汇总).csv'))).toBe(true);
    } finally {
      await control('/_settings', { billsForToday: false });
    }
  });
});

describe('Alipay mock: signatures and faults', () => {
  it('answers a request signed with another key with isv.invalid-signature, in the signed `xxx_response` shape', async () => {
    const keys = merchantKeysOf(mocks.paymentKeys).alipay;
    const impostor = createAlipayClient({ gateway: gateway(), appId: APP_ID, sellerId: SELLER_ID, keys: { ...keys, appPrivateKey: stranger.privateKey } });
    expect(await impostor.query('ANY-1')).toMatchObject({
      ok: false,
      code: '40002',
      msg: 'Invalid Arguments',
      subCode: 'isv.invalid-signature',
      subMsg: expect.stringContaining('验签出错'),
    });

    const raw = await (
      await fetch(
        `${gateway()}?app_id=${APP_ID}&method=alipay.trade.query&charset=utf-8&sign_type=RSA2&timestamp=2026-01-01%2000:00:00&version=1.0&sign=AAAA`,
        form({ biz_content: '{"out_trade_no":"ANY-1"}' }),
      )
    ).text();
    expect(raw).toMatch(
      /^\{"alipay_trade_query_response":\{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature",.*\},"sign":"[A-Za-z0-9+/=]+"\}$/,
    );
    const unknownApp = await (
      await fetch(
        `${gateway()}?app_id=2021999999999999&method=alipay.trade.query&charset=utf-8&sign_type=RSA2&timestamp=2026-01-01%2000:00:00&version=1.0&sign=AAAA`,
      )
    ).json();
    expect(unknownApp.alipay_trade_query_response).toMatchObject({ code: '40002', sub_code: 'isv.invalid-app-id' });
    const noMethod = await (await fetch(`${gateway()}?app_id=${APP_ID}`)).json();
    expect(noMethod.error_response).toMatchObject({ code: '40001', sub_code: 'isv.missing-method' });
  });

  it('signs its answers: an SDK holding the wrong Alipay public key refuses them', async () => {
    const keys = merchantKeysOf(mocks.paymentKeys).alipay;
    const fooled = createAlipayClient({ gateway: gateway(), appId: APP_ID, sellerId: SELLER_ID, keys: { ...keys, alipayPublicKey: stranger.publicKey } });
    await expect(fooled.query('ANY-2')).rejects.toThrow(/验签失败/);
  });

  it('fails with HTTP 502, with a 20000 system error, or by taking a call and losing the answer', async () => {
    await control('/_faults', { failNext: 1 });
    await expect(client.query('ANY-3')).rejects.toThrow(/status: 502/);
    await control('/_faults', { systemErrorNext: 1 });
    expect(await client.query('ANY-3')).toMatchObject({ ok: false, code: '20000', subCode: 'isp.unknow-error' });

    const outTradeNo = orderNo();
    await openCashier(client.wapPayUrl({ outTradeNo, totalFen: 100, subject: '电费', notifyUrl: notifyUrl(), returnUrl }));
    await control('/_faults', { timeoutNext: 1, hangMs: 3000 });
    const quick = createAlipayClient({
      gateway: gateway(),
      appId: APP_ID,
      sellerId: SELLER_ID,
      keys: merchantKeysOf(mocks.paymentKeys).alipay,
      timeoutMs: 300,
    });
    await expect(quick.close(outTradeNo)).rejects.toThrow(/HttpClient Request error/);
    expect(await client.query(outTradeNo)).toMatchObject({ ok: true, data: { tradeStatus: 'TRADE_CLOSED' } });
  });
});
