/**
 * The `wx` object a mini-program sees, for the APIs this app's flows use: HTTP to the real test
 * server, `wx.login` codes from the mock WeChat, `wx.requestPayment` played against the mock
 * gateway's signature check, storage, and navigation handed to the page stack. Everything else
 * falls through to miniprogram-simulate's stand-ins (system info, nextTick, selector queries).
 */

type Callbacks = { success?: (res: object) => void; fail?: (res: object) => void; complete?: (res: object) => void };
type Options = Callbacks & Record<string, any>;

/** What the page stack does with a navigation; it throws a message for wx to report as `…:fail`. */
export interface Navigator {
  navigateTo(url: string): Promise<void>;
  redirectTo(url: string): Promise<void>;
  switchTab(url: string): Promise<void>;
  reLaunch(url: string): Promise<void>;
  navigateBack(delta: number): Promise<void>;
}

export interface WxOptions {
  /** The origin the build calls (its API_BASE) and the real server that answers for it. */
  apiBase: string;
  serverUrl: string;
  mocksUrl: string;
  /** The mini-program's appid, which the WeChat client adds to a payment it launches. */
  appId: string;
  /** The WeChat user on this phone: `wx.login` codes are for this openid. */
  openid?: string;
}

/** What the app asked of WeChat, for tests to read and steer. */
export interface WxRecord {
  storage: Map<string, unknown>;
  requests: Array<{ method: string; url: string; status: number }>;
  navigations: Array<{ api: string; url: string }>;
  toasts: string[];
  modals: Array<{ title: string; content: string }>;
  payments: Array<{ params: Record<string, unknown>; errMsg: string }>;
  /** How the customer answers the payment sheet and modals. */
  payer: 'pay' | 'cancel';
  confirmModals: boolean;
  /** How the customer answers WeChat's privacy popup, and how often it was asked for. */
  privacy: 'agree' | 'disagree';
  privacyRequests: number;
}

class WxError extends Error {}

/**
 * A wx API around an async body, answering `name:ok` or `name:fail reason` to the callbacks, or,
 * called without any (as Taro passes some APIs straight through), through the Promise the base
 * library returns then.
 */
function api(name: string, body: (options: Options) => Promise<object | void>) {
  return (options: Options = {}) => {
    const settled = body(options).then(
      (result) => ({ ok: true, res: { errMsg: `${name}:ok`, ...(result ?? {}) } }),
      (err: unknown) => ({ ok: false, res: { errMsg: err instanceof WxError ? err.message : `${name}:fail ${String(err)}` } }),
    );
    if (!options.success && !options.fail && !options.complete) {
      return settled.then(({ ok, res }) => (ok ? res : Promise.reject(res)));
    }
    void settled.then(({ ok, res }) => {
      (ok ? options.success : options.fail)?.(res);
      options.complete?.(res);
    });
    return undefined;
  };
}

async function postJson(url: string, body: unknown): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

export function createWx(options: WxOptions, navigator: Navigator): { wx: Record<string, unknown>; record: WxRecord } {
  const record: WxRecord = {
    storage: new Map(),
    requests: [],
    navigations: [],
    toasts: [],
    modals: [],
    payments: [],
    payer: 'pay',
    confirmModals: true,
    privacy: 'agree',
    privacyRequests: 0,
  };
  const allowed = new URL(options.apiBase).origin;

  const request = api('request', async ({ url, method = 'GET', data, header = {}, dataType = 'json' }) => {
    // As on a phone: only HTTPS to the domains whitelisted for the app.
    if (typeof url !== 'string' || !url.startsWith('https://') || new URL(url).origin !== allowed) {
      throw new WxError(`request:fail url not in domain list: ${String(url)}`);
    }
    const target = new URL(url.slice(allowed.length), options.serverUrl);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...lowerKeys(header) };
    let body: string | undefined;
    if (method === 'GET' || method === 'HEAD') {
      for (const [key, value] of Object.entries((data ?? {}) as Record<string, unknown>)) target.searchParams.set(key, String(value));
    } else if (data !== undefined) {
      body = typeof data === 'string' ? data : JSON.stringify(data);
    }
    const response = await fetch(target, { method, headers, body }).catch((err: Error) => {
      throw new WxError(`request:fail ${err.message}`);
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (dataType === 'json') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // wx keeps a body that is not JSON as text
      }
    }
    record.requests.push({ method, url, status: response.status });
    return { statusCode: response.status, data: parsed, header: Object.fromEntries(response.headers) };
  });

  const navigation = (name: keyof Navigator) =>
    api(name, async ({ url, delta }) => {
      record.navigations.push({ api: name, url: url ?? `-${delta ?? 1}` });
      try {
        await (name === 'navigateBack' ? navigator.navigateBack(delta ?? 1) : navigator[name](url));
      } catch (err) {
        throw new WxError(`${name}:fail ${(err as Error).message}`);
      }
    });

  const wx: Record<string, unknown> = {
    request,
    login: api('login', async () => {
      const { code } = await postJson(`${options.mocksUrl}/wechat/_login`, options.openid ? { openid: options.openid } : {});
      return { code };
    }),
    requestPayment: api('requestPayment', async (params) => {
      const { success: _s, fail: _f, complete: _c, ...fields } = params;
      // The WeChat client pays for the app it runs in, and checks paySign with the merchant's key.
      const reply = await postJson(`${options.mocksUrl}/wechatpay/_requestPayment`, { appId: options.appId, ...fields, action: record.payer });
      record.payments.push({ params: fields, errMsg: reply.errMsg });
      if (reply.errMsg !== 'requestPayment:ok') throw new WxError(reply.errMsg ?? `requestPayment:fail ${JSON.stringify(reply)}`);
    }),
    requestSubscribeMessage: api('requestSubscribeMessage', async ({ tmplIds = [] }) => Object.fromEntries((tmplIds as string[]).map((id) => [id, 'reject']))),
    requirePrivacyAuthorize: api('requirePrivacyAuthorize', async () => {
      record.privacyRequests += 1;
      if (record.privacy !== 'agree') throw new WxError('requirePrivacyAuthorize:fail privacy permission is not authorized');
    }),
    showModal: api('showModal', async ({ title = '', content = '' }) => {
      record.modals.push({ title, content });
      return { confirm: record.confirmModals, cancel: !record.confirmModals };
    }),
    showToast: api('showToast', async ({ title = '' }) => void record.toasts.push(title)),
    hideToast: api('hideToast', async () => undefined),
    showLoading: api('showLoading', async () => undefined),
    hideLoading: api('hideLoading', async () => undefined),
    makePhoneCall: api('makePhoneCall', async () => undefined),
    navigateTo: navigation('navigateTo'),
    redirectTo: navigation('redirectTo'),
    switchTab: navigation('switchTab'),
    reLaunch: navigation('reLaunch'),
    navigateBack: navigation('navigateBack'),
    // wx storage keeps any value and answers '' for a key it does not have.
    getStorageSync: (key: string) => (record.storage.has(key) ? record.storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => void record.storage.set(key, value),
    removeStorageSync: (key: string) => void record.storage.delete(key),
    clearStorageSync: () => record.storage.clear(),
  };
  return { wx, record };
}

function lowerKeys(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), String(value)]));
}
