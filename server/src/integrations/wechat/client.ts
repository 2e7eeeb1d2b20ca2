import { callJson } from '../http';

/** WeChat's server API: mini-program login (`jscode2session`), access tokens and subscribe messages. */
export type Code2SessionResult = { ok: true; openid: string; sessionKey: string; unionid?: string } | { ok: false; errcode: number; errmsg: string };

/** The outcome of one subscribe-message send, as WeChat reports it. */
export type SubscribeSendResult = { ok: true; msgid: number } | { ok: false; errcode: number; errmsg: string };

export interface SubscribeMessage {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, string>;
}

export interface WechatClient {
  code2session(code: string): Promise<Code2SessionResult>;
  /** A server access token from `/cgi-bin/stable_token`; `forceRefresh` after WeChat called the last one invalid. */
  stableToken(forceRefresh: boolean): Promise<{ accessToken: string; expiresIn: number }>;
  /** Throws HttpStatusError when WeChat refused the request at the HTTP level (safe to retry). */
  sendSubscribeMessage(accessToken: string, message: SubscribeMessage): Promise<SubscribeSendResult>;
}

/** WeChat's own error codes the sender acts on. */
export const WECHAT_ERRORS = { tokenInvalid: [40001, 42001], userRefused: 43101, systemBusy: -1 } as const;

interface WechatReply {
  errcode?: number;
  errmsg?: string;
}

export function createWechatClient(options: { apiBase: string; appId: string; secret: string; timeoutMs?: number }): WechatClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async code2session(code) {
      const query = new URLSearchParams({ appid: options.appId, secret: options.secret, js_code: code, grant_type: 'authorization_code' });
      const body = await callJson<WechatReply & { openid?: string; session_key?: string; unionid?: string }>(`${options.apiBase}/sns/jscode2session?${query}`, {
        timeoutMs,
      });
      if (body.errcode) return { ok: false, errcode: body.errcode, errmsg: body.errmsg ?? '' };
      if (!body.openid || !body.session_key) throw new Error('jscode2session answered without openid');
      return { ok: true, openid: body.openid, sessionKey: body.session_key, unionid: body.unionid };
    },

    async stableToken(forceRefresh) {
      const body = await callJson<WechatReply & { access_token?: string; expires_in?: number }>(`${options.apiBase}/cgi-bin/stable_token`, {
        body: { grant_type: 'client_credential', appid: options.appId, secret: options.secret, force_refresh: forceRefresh },
        timeoutMs,
      });
      if (!body.access_token) throw new Error(`stable_token refused: ${body.errcode} ${body.errmsg}`);
      return { accessToken: body.access_token, expiresIn: body.expires_in ?? 7200 };
    },

    async sendSubscribeMessage(accessToken, message) {
      const body = await callJson<WechatReply & { msgid?: number }>(
        `${options.apiBase}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken)}`,
        {
          body: {
            touser: message.touser,
            template_id: message.templateId,
            page: message.page,
            data: Object.fromEntries(Object.entries(message.data).map(([key, value]) => [key, { value }])),
            miniprogram_state: 'formal',
            lang: 'zh_CN',
          },
          timeoutMs,
        },
      );
      return body.errcode ? { ok: false, errcode: body.errcode, errmsg: body.errmsg ?? '' } : { ok: true, msgid: body.msgid ?? 0 };
    },
  };
}
