import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { json, readRaw } from '../http';
import { mountSubscribeApi, type SubscribeApiOptions } from './wechat-subscribe';

export {
  ACCESS_TOKEN_TTL_SECONDS,
  SUBSCRIBE_TEMPLATES,
  fitsSubscribeField,
  type SubscribeChoice,
  type SubscribeFieldKind,
  type SubscribeMessage,
  type SubscribeTemplates,
} from './wechat-subscribe';

/** appId and secret are what both jscode2session and the token endpoints check. */
export type WechatPeerOptions = SubscribeApiOptions;

const CODE_TTL_MS = 5 * 60_000;

/**
 * WeChat's server API as a peer. `jscode2session` answers as WeChat does, including its error
 * codes; `POST /wechat/_login` plays the phone's side of `wx.login`, handing out a one-time code for
 * an openid (a new one when none is given).
 *
 * Access tokens and one-time subscribe messages are in ./wechat-subscribe (`/cgi-bin/token`,
 * `/cgi-bin/stable_token`, `/cgi-bin/message/subscribe/send` and their knobs); an openid `_login`
 * handed out is one WeChat knows there.
 */
export function wechatPeer(options: WechatPeerOptions): Router {
  const router = new Router({ prefix: '/wechat' });
  const codes = new Map<string, { openid: string; issuedAt: number; used: boolean }>();
  const knownOpenids = new Set<string>();

  router.post('/_login', async (ctx) => {
    const body = JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as { openid?: string };
    const openid = body.openid ?? `o${randomBytes(14).toString('base64url')}`;
    const code = randomBytes(16).toString('hex');
    codes.set(code, { openid, issuedAt: Date.now(), used: false });
    knownOpenids.add(openid);
    json(ctx, 200, { code, openid });
  });

  router.get('/sns/jscode2session', (ctx) => {
    const { appid, secret, js_code: jsCode, grant_type: grantType } = ctx.query as Record<string, string>;
    if (appid !== options.appId) return json(ctx, 200, { errcode: 40013, errmsg: 'invalid appid' });
    if (secret !== options.secret) return json(ctx, 200, { errcode: 40125, errmsg: 'invalid appsecret' });
    if (grantType !== 'authorization_code') return json(ctx, 200, { errcode: 40002, errmsg: 'invalid grant_type' });
    const entry = jsCode ? codes.get(jsCode) : undefined;
    if (!entry || Date.now() - entry.issuedAt > CODE_TTL_MS) return json(ctx, 200, { errcode: 40029, errmsg: 'invalid code' });
    if (entry.used) return json(ctx, 200, { errcode: 40163, errmsg: 'code been used' });
    entry.used = true;
    json(ctx, 200, {
      openid: entry.openid,
      session_key: randomBytes(16).toString('base64'),
      unionid: `u${entry.openid.slice(1)}`,
    });
  });

  mountSubscribeApi(router, options, knownOpenids);
  return router;
}
