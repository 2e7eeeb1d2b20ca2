/** WeChat's server API for mini-program login (`jscode2session`). */
export type Code2SessionResult =
  | { ok: true; openid: string; sessionKey: string; unionid?: string }
  | { ok: false; errcode: number; errmsg: string };

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
  sendSubscribeMessage(accessToken: string, message: SubscribeMessage): Promise<SubscribeSendResult>;
}

/** WeChat's own error codes the sender acts on. */
export const WECHAT_ERRORS = { tokenInvalid: [40001, 42001], userRefused: 43101, systemBusy: -1 } as const;

/** The peer answered with an HTTP error status: it did not take the request, so retrying is safe. */
export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export function createWechatClient(options: { apiBase: string; appId: string; secret: string; timeoutMs?: number }): WechatClient {
  return {
    async code2session(code) {
      const query = new URLSearchParams({ appid: options.appId, secret: options.secret, js_code: code, grant_type: 'authorization_code' });
      const response = await fetch(`${options.apiBase}/sns/jscode2session?${query}`, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      if (!response.ok) throw new Error(`jscode2session answered HTTP ${response.status}`);
      const body = (await response.json()) as { openid?: string; session_key?: string; unionid?: string; errcode?: number; errmsg?: string };
      if (body.errcode) return { ok: false, errcode: body.errcode, errmsg: body.errmsg ?? '' };
      if (!body.openid || !body.session_key) throw new Error('jscode2session answered without openid');
      return { ok: true, openid: body.openid, sessionKey: body.session_key, unionid: body.unionid };
    },

    async stableToken(forceRefresh) {
      const response = await fetch(`${options.apiBase}/cgi-bin/stable_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: options.appId, secret: options.secret, force_refresh: forceRefresh }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new Error(`stable_token answered HTTP ${response.status}`);
      const body = (await response.json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
      if (!body.access_token) throw new Error(`stable_token refused: ${body.errcode} ${body.errmsg}`);
      return { accessToken: body.access_token, expiresIn: body.expires_in ?? 7200 };
    },

    async sendSubscribeMessage(accessToken, message) {
      const response = await fetch(`${options.apiBase}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          touser: message.touser,
          template_id: message.templateId,
          page: message.page,
          data: Object.fromEntries(Object.entries(message.data).map(([key, value]) => [key, { value }])),
          miniprogram_state: 'formal',
          lang: 'zh_CN',
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new HttpStatusError(response.status);
      const body = (await response.json()) as { errcode?: number; errmsg?: string; msgid?: number };
      return body.errcode ? { ok: false, errcode: body.errcode, errmsg: body.errmsg ?? '' } : { ok: true, msgid: body.msgid ?? 0 };
    },
  };
}
