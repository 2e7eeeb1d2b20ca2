import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { loadOrCreatePaymentKeys, SHARED_DEV_KEYS_DIR, type PaymentKeys } from '../../shared/node/payment-keys';
import { alipayPeer } from './peers/alipay';
import { amiPeer } from './peers/ami';
import { backofficePeer } from './peers/backoffice';
import { smsPeer } from './peers/sms';
import { wechatPeer } from './peers/wechat';
import { wechatPayPeer } from './peers/wechatpay';

export interface MockOptions {
  port: number;
  host?: string;
  backofficeSecret: string;
  wechat?: { appId: string; secret: string };
  smsApiKey?: string;
  amiApiKey?: string;
  payments?: {
    /** Both sides' keys; without them a set kept in the system's temp directory is used (made once). */
    keys?: PaymentKeys;
    wechatPay?: { mchId: string; appId: string };
    alipay?: { appId: string; sellerId: string };
    /** Multiplies notification retry delays (1 = the real schedule, 0.001 turns minutes into tenths of a second). */
    timeScale?: number;
  };
}

/** The credentials the mock peers expect when none are given: the same defaults the server's config has. */
export const MOCK_DEFAULTS = {
  wechat: { appId: 'wx_demo_appid', secret: 'demo-wechat-app-secret' },
  smsApiKey: 'demo-sms-api-key',
  amiApiKey: 'demo-ami-api-key',
  wechatPay: { mchId: '1900000109', appId: 'wx_demo_appid' },
  alipay: { appId: '2021000000000001', sellerId: '2088000000000001' },
};

export interface MockServer {
  url: string;
  /** The keys the payment gateways sign and verify with; the merchant's half is what the server needs. */
  paymentKeys: PaymentKeys;
  close(): Promise<void>;
}

/** Where tests and `npm run mock` without a data directory keep their payment keys (made once per machine). */
export const SHARED_MOCK_KEYS_DIR = SHARED_DEV_KEYS_DIR;

/** Every outside system the product talks to, hosted in one process on loopback under its own prefix. */
export async function startMockServer(options: MockOptions): Promise<MockServer> {
  const app = new Koa();
  const payments = options.payments ?? {};
  const paymentKeys = payments.keys ?? (await loadOrCreatePaymentKeys(SHARED_MOCK_KEYS_DIR));
  const wechatPay = wechatPayPeer({ ...(payments.wechatPay ?? MOCK_DEFAULTS.wechatPay), keys: paymentKeys.wechatPay, timeScale: payments.timeScale });
  const alipay = alipayPeer({ ...(payments.alipay ?? MOCK_DEFAULTS.alipay), keys: paymentKeys.alipay, timeScale: payments.timeScale });
  const peers = [
    backofficePeer(options.backofficeSecret),
    wechatPeer(options.wechat ?? MOCK_DEFAULTS.wechat),
    smsPeer({ apiKey: options.smsApiKey ?? MOCK_DEFAULTS.smsApiKey }),
    amiPeer({ apiKey: options.amiApiKey ?? MOCK_DEFAULTS.amiApiKey }),
    wechatPay.router,
    alipay.router,
  ];
  app.use(async (ctx, next) => {
    if (ctx.path !== '/') return next();
    ctx.body = { peers: peers.map((peer) => peer.opts.prefix) };
  });
  for (const peer of peers) app.use(peer.routes()).use(peer.allowedMethods());
  const server = http.createServer(app.callback());
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    paymentKeys,
    close: () =>
      new Promise<void>((resolve) => {
        wechatPay.close();
        alipay.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
