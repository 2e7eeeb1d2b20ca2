import { randomUUID } from 'node:crypto';
import { signOutgoing } from '../../mock/src/payments/alipay-sign';
import { encryptResource, signedHeaders } from '../../mock/src/payments/wechatpay-crypto';
import type { MockServer } from '../../mock/src/server';
import type { Config } from '../../server/src/config';
import type { PaymentKeys } from '../../shared/node/payment-keys';
import { request, type TestApp } from './harness';
import { wechatCode } from './identity';
import { oweBills, type OwedBill } from './receivables';
import { CONSENT_VERSION } from '../../shared/consent';

let accountCounter = 0;

/** A customer logged in through WeChat (so JSAPI payments have an openid), owning a new account owing these bills. */
export async function payerOwing(app: TestApp, bills: readonly OwedBill[]) {
  const pool = app.runtime.deps.database.pool;
  const openid = `o${randomUUID().replace(/-/g, '').slice(0, 27)}`;
  const login = await app.request('POST', '/api/auth/wechat', { body: { consentVersion: CONSENT_VERSION, code: await wechatCode(app, openid) } });
  if (login.status !== 200) throw new Error(`wechat login failed: ${login.text}`);
  const {
    rows: [customer],
  } = await pool.query<{ id: number }>('SELECT id FROM customers WHERE wechat_openid = $1', [openid]);
  accountCounter += 1;
  const accountNo = `77${String(process.pid % 10000).padStart(4, '0')}${String(accountCounter).padStart(4, '0')}`;
  const {
    rows: [account],
  } = await pool.query<{ id: number }>(
    `INSERT INTO electricity_accounts (account_no, holder_name, address, customer_class, transformer_area, phone_on_file)
     VALUES ($1, '测试户', '杭州市西湖区测试路 2 号', 'residential', 'TA-XH-001', '13800009999') RETURNING id`,
    [accountNo],
  );
  await pool.query(`INSERT INTO billing_profiles (account_id, tariff_code, billing_mode) VALUES ($1, 'zj-residential', 'postpaid')`, [account!.id]);
  await pool.query('INSERT INTO account_bindings (customer_id, account_id, is_default) VALUES ($1, $2, true)', [customer!.id, account!.id]);
  const { receivableIds } = await oweBills(pool, accountNo, bills);
  return { auth: { Authorization: `Bearer ${login.body.accessToken}` }, customerId: customer!.id, accountId: account!.id, receivableIds, openid };
}

/** Starts an order as the client would; returns the order from the reply. */
export async function startOrder(app: TestApp, auth: Record<string, string>, body: Record<string, unknown>, key = randomUUID()) {
  const reply = await app.request('POST', '/api/payments', { headers: { ...auth, 'Idempotency-Key': key }, body });
  if (reply.status !== 201) throw new Error(`order not created: ${reply.status} ${reply.text}`);
  return reply.body.order;
}

/** Plays wx.requestPayment against the mock with the order's signed parameters. */
export async function payJsapi(app: TestApp, order: { launch: { kind: string; params?: Record<string, string> } }, action: 'pay' | 'cancel' = 'pay') {
  const reply = await request(app.mocks.url, 'POST', '/wechatpay/_requestPayment', { body: { ...order.launch.params, action } });
  return reply.body as { errMsg: string };
}

export interface TransactionFields {
  out_trade_no: string;
  total: number;
  trade_state?: string;
  mchid?: string;
  appid?: string;
  transaction_id?: string;
}

/**
 * What signing a gateway's notification needs: the mock gateways' keys and the merchant the server
 * is configured as. A TestApp is one; a test driving a server process builds one from its env.
 */
export interface NotificationSigner {
  mocks: Pick<MockServer, 'paymentKeys'>;
  runtime: { deps: { config: Pick<Config, 'wechatPay' | 'alipay'> } };
}

type NotificationOptions = { at?: Date; probe?: boolean; tamperTag?: boolean; signWith?: string };

/** A WeChat Pay TRANSACTION notification signed and sealed with the mock gateway's keys (or tampered as asked). */
export function wechatNotification(app: NotificationSigner, fields: TransactionFields, options: NotificationOptions = {}) {
  return signedWechatNotification(app.mocks.paymentKeys.wechatPay, app.runtime.deps.config.wechatPay, fields, options);
}

/** The same from the gateway's keys and the merchant's ids alone (the benchmarks have no TestApp). */
export function signedWechatNotification(
  wechatPay: PaymentKeys['wechatPay'],
  merchant: { appId: string; mchId: string },
  fields: TransactionFields,
  options: NotificationOptions = {},
) {
  const state = fields.trade_state ?? 'SUCCESS';
  const plaintext = JSON.stringify({
    appid: fields.appid ?? merchant.appId,
    mchid: fields.mchid ?? merchant.mchId,
    out_trade_no: fields.out_trade_no,
    transaction_id: fields.transaction_id ?? `4200${Date.now()}`,
    trade_type: 'JSAPI',
    trade_state: state,
    trade_state_desc: state,
    success_time: new Date().toISOString(),
    payer: { openid: 'oTEST' },
    amount: { total: fields.total, payer_total: fields.total, currency: 'CNY', payer_currency: 'CNY' },
  });
  const resource = encryptResource(plaintext, wechatPay.apiV3Key, 'transaction');
  if (options.tamperTag) {
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    resource.ciphertext = bytes.toString('base64');
  }
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: new Date().toISOString(),
    resource_type: 'encrypt-resource',
    event_type: state === 'SUCCESS' ? 'TRANSACTION.SUCCESS' : `TRANSACTION.${state}`,
    summary: '支付成功',
    resource,
  });
  const headers = signedHeaders(
    body,
    { privateKey: options.signWith ?? wechatPay.platform.privateKey, publicKeyId: wechatPay.platform.publicKeyId },
    options.at ?? new Date(),
    options.probe,
  );
  return { body, headers: { ...headers, 'Content-Type': 'application/json' } };
}

/** Posts a prepared notification body as raw bytes, as the gateway does. */
export async function postRaw(base: string, path: string, body: string, headers: Record<string, string>) {
  const reply = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  return { status: reply.status, text: await reply.text() };
}

type AlipayFields = {
  out_trade_no: string;
  total_amount: string;
  trade_no?: string;
  trade_status?: string;
  app_id?: string;
  seller_id?: string;
  refund_fee?: string;
  out_biz_no?: string;
};

/** An Alipay notify form signed with the mock Alipay's key, as its notifier sends it. */
export function alipayNotification(app: NotificationSigner, fields: AlipayFields) {
  return signedAlipayNotification(app.mocks.paymentKeys.alipay, app.runtime.deps.config.alipay, fields);
}

/** The same from the gateway's keys and the merchant's ids alone. */
export function signedAlipayNotification(keys: PaymentKeys['alipay'], alipay: { appId: string; sellerId: string }, fields: AlipayFields) {
  const beijing = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  const now = new Date();
  const signed = signOutgoing(
    Object.fromEntries(
      Object.entries({
        app_id: fields.app_id ?? alipay.appId,
        seller_id: fields.seller_id ?? alipay.sellerId,
        charset: 'utf-8',
        notify_id: randomUUID().replace(/-/g, ''),
        notify_time: beijing(now),
        notify_type: 'trade_status_sync',
        out_trade_no: fields.out_trade_no,
        trade_no: fields.trade_no ?? `2026${Date.now()}`,
        trade_status: fields.trade_status ?? 'TRADE_SUCCESS',
        total_amount: fields.total_amount,
        gmt_payment: beijing(now),
        refund_fee: fields.refund_fee,
        out_biz_no: fields.out_biz_no,
        version: '1.0',
      }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    keys.platform.privateKey,
  );
  return { body: new URLSearchParams(signed).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' } };
}
