/** WeChat's server API for mini-program login (`jscode2session`). */
export type Code2SessionResult =
  | { ok: true; openid: string; sessionKey: string; unionid?: string }
  | { ok: false; errcode: number; errmsg: string };

export interface WechatClient {
  code2session(code: string): Promise<Code2SessionResult>;
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
  };
}
