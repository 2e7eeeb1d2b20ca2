import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { amiPeer } from './peers/ami';
import { backofficePeer } from './peers/backoffice';
import { smsPeer } from './peers/sms';
import { wechatPeer } from './peers/wechat';

export interface MockOptions {
  port: number;
  host?: string;
  backofficeSecret: string;
  wechat?: { appId: string; secret: string };
  smsApiKey?: string;
  amiApiKey?: string;
}

/** The credentials the mock peers expect when none are given: the same defaults the server's config has. */
export const MOCK_DEFAULTS = { wechat: { appId: 'wx_demo_appid', secret: 'demo-wechat-app-secret' }, smsApiKey: 'demo-sms-api-key', amiApiKey: 'demo-ami-api-key' };

export interface MockServer {
  url: string;
  close(): Promise<void>;
}

/** Every outside system the product talks to, hosted in one process on loopback under its own prefix. */
export async function startMockServer(options: MockOptions): Promise<MockServer> {
  const app = new Koa();
  const peers = [
    backofficePeer(options.backofficeSecret),
    wechatPeer(options.wechat ?? MOCK_DEFAULTS.wechat),
    smsPeer({ apiKey: options.smsApiKey ?? MOCK_DEFAULTS.smsApiKey }),
    amiPeer({ apiKey: options.amiApiKey ?? MOCK_DEFAULTS.amiApiKey }),
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
