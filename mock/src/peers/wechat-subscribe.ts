import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { json, readRaw } from '../http';

/** The kinds of subscribe-message field this mock checks (the ones the product's templates use). */
export type SubscribeFieldKind = 'thing' | 'time' | 'character_string' | 'phrase';
/** templateId → (field key → kind), as the template is declared on the WeChat platform. */
export type SubscribeTemplates = Readonly<Record<string, Readonly<Record<string, SubscribeFieldKind>>>>;

/** The templates the peer knows when none are given. */
export const SUBSCRIBE_TEMPLATES = {
  /** 停电通知: title, start, expected end, area, remark. */
  TPL_OUTAGE_NOTICE: { thing1: 'thing', time2: 'time', time3: 'time', thing4: 'thing', thing5: 'thing' },
  /** 工单进度: work-order number, status, time, note. */
  TPL_WORKORDER_PROGRESS: { character_string1: 'character_string', phrase2: 'phrase', time3: 'time', thing4: 'thing' },
  /** 缴费成功: order number, amount, time, account. */
  TPL_PAYMENT_RESULT: { character_string1: 'character_string', thing2: 'thing', time3: 'time', thing4: 'thing' },
} as const satisfies SubscribeTemplates;

/** What the user tapped in the `wx.requestSubscribeMessage` dialog for one template. */
export type SubscribeChoice = 'accept' | 'reject' | 'ban' | 'filter';

/** One message WeChat accepted, as `GET /wechat/_messages` lists it. */
export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page: string | null;
  data: Record<string, { value: string }>;
  miniprogram_state: string;
  lang: string;
  msgid: number;
  sentAt: string;
}

export interface SubscribeApiOptions {
  appId: string;
  secret: string;
  templates?: SubscribeTemplates;
  now?: () => Date;
  /** How long a stable token stays valid after `force_refresh` replaced it; 30 s by default. */
  stableTokenGraceMs?: number;
}

export const ACCESS_TOKEN_TTL_SECONDS = 7200;
/** A stable token in its last 5 minutes is renewed by a plain (not forced) call, as WeChat does. */
const STABLE_EARLY_REFRESH_MS = 5 * 60_000;
const DEFAULT_STABLE_GRACE_MS = 30_000;
const MAX_TIMES = 1_000_000;

const INVALID_TOKEN = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' } as const;
const EXPIRED_TOKEN = { errcode: 42001, errmsg: 'access_token expired' } as const;
const DATA_FORMAT_ERROR = { errcode: 47001, errmsg: 'data format error' } as const;
const argumentInvalid = (detail: string) => ({ errcode: 47003, errmsg: `argument invalid! ${detail}` });

interface TokenEntry {
  expiresAt: number;
  /** Replaced by a newer token (its end is then "not latest", not "expired"). */
  superseded: boolean;
}

// 'time': 24-hour time, optionally with a date before it, or a range of two such points joined by '~',
// e.g. '15:01', '2019年10月1日 15:01', '2026-11-28 09:00', '2026/11/28 09:00:00~2026/11/28 18:00'.
// ISO strings with 'T' or a zone (what Date#toISOString gives) are refused, as WeChat refuses them.
const TIME_POINT = String.raw`(?:(\d{4})(?:年(\d{1,2})月(\d{1,2})日|-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2}))\s*)?(\d{1,2}):(\d{2})(?::(\d{2}))?`;
const TIME_POINT_RE = new RegExp(`^${TIME_POINT}$`);

function isTimePoint(text: string): boolean {
  const match = TIME_POINT_RE.exec(text.trim());
  if (!match) return false;
  const month = Number(match[2] ?? match[4] ?? match[6] ?? 1);
  const day = Number(match[3] ?? match[5] ?? match[7] ?? 1);
  const [hour, minute, second] = [Number(match[8]), Number(match[9]), Number(match[10] ?? 0)];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59;
}

/** Whether `value` fits a field of `kind`, with WeChat's limits. */
export function fitsSubscribeField(kind: SubscribeFieldKind, value: string): boolean {
  const length = [...value].length;
  switch (kind) {
    case 'thing': // 20 characters at most: Chinese, letters, digits or symbols
      return length >= 1 && length <= 20;
    case 'character_string': // 32 at most: digits, letters or symbols (no Chinese)
      return /^[\x20-\x7e]{1,32}$/.test(value);
    case 'phrase': // 5 Chinese characters at most
      return /^\p{Script=Han}{1,5}$/u.test(value);
    case 'time': {
      const parts = value.split('~');
      return parts.length <= 2 && parts.every(isTimePoint);
    }
  }
}

const MINIPROGRAM_STATES = new Set(['developer', 'trial', 'formal']);
const LANGS = new Set(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']);
const CHOICES: ReadonlySet<string> = new Set<SubscribeChoice>(['accept', 'reject', 'ban', 'filter']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const queryString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readJson(ctx: Context): Promise<unknown> {
  const text = (await readRaw(ctx)).toString('utf8');
  try {
    return JSON.parse(text || '{}') as unknown;
  } catch {
    return undefined;
  }
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Access tokens (`/cgi-bin/token`, `/cgi-bin/stable_token`) and one-time subscribe messages
 * (`/cgi-bin/message/subscribe/send`) on the WeChat peer's router, plus their test knobs
 * (`_subscribe`, `_messages`, `_grants`, `_faults`, `_stats`). `knownOpenids` is shared with `_login`:
 * an openid is known once `_login` or `_subscribe` has seen it. Every send is O(1): Maps keyed by
 * token and by (openid, template).
 */
export function mountSubscribeApi(router: Router, options: SubscribeApiOptions, knownOpenids: Set<string>): void {
  const templates: SubscribeTemplates = options.templates ?? SUBSCRIBE_TEMPLATES;
  const templateEntries = new Map(Object.entries(templates).map(([id, fields]) => [id, Object.entries(fields)] as const));
  const nowMs = () => (options.now ? options.now().getTime() : Date.now());
  const graceMs = options.stableTokenGraceMs ?? DEFAULT_STABLE_GRACE_MS;
  const ttlMs = ACCESS_TOKEN_TTL_SECONDS * 1000;

  /** Every token that may still be valid; `invalidateTokens` empties it. */
  const tokens = new Map<string, TokenEntry>();
  let plainToken: string | undefined;
  let stableToken: string | undefined;

  /** remaining grants per `${openid}\n${templateId}` */
  const grants = new Map<string, number>();
  const grantKey = (openid: string, templateId: string) => `${openid}\n${templateId}`;

  const messages: SubscribeMessage[] = [];
  let nextMsgid = 3_000_000_001;
  const faults = { failNext: 0, busyNext: 0, delayMs: 0 };
  const stats = { tokenRequests: 0, stableTokenRequests: 0, sends: 0, delivered: 0 };

  function issueToken(at: number): string {
    if (tokens.size > 32) {
      for (const [token, entry] of tokens) if (entry.expiresAt <= at) tokens.delete(token);
    }
    const token = `${randomBytes(3).toString('hex')}_${randomBytes(60).toString('base64url')}`;
    tokens.set(token, { expiresAt: at + ttlMs, superseded: false });
    return token;
  }

  /** The token's entry if it is usable now. */
  function liveToken(token: string | undefined, at: number): TokenEntry | undefined {
    const entry = token === undefined ? undefined : tokens.get(token);
    return entry && entry.expiresAt > at ? entry : undefined;
  }

  function checkCredentials(grantType: unknown, appid: unknown, secret: unknown) {
    if (appid === undefined || appid === '') return { errcode: 41002, errmsg: 'appid missing' };
    if (appid !== options.appId) return { errcode: 40013, errmsg: 'invalid appid' };
    if (secret === undefined || secret === '') return { errcode: 41004, errmsg: 'appsecret missing' };
    if (secret !== options.secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    if (grantType !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
    return undefined;
  }

  // A new token from this endpoint makes the previous one from it "not latest" at once.
  router.get('/cgi-bin/token', (ctx) => {
    stats.tokenRequests += 1;
    const { grant_type: grantType, appid, secret } = ctx.query;
    const error = checkCredentials(queryString(grantType), queryString(appid), queryString(secret));
    if (error) return json(ctx, 200, error);
    if (plainToken !== undefined) tokens.delete(plainToken);
    plainToken = issueToken(nowMs());
    json(ctx, 200, { access_token: plainToken, expires_in: ACCESS_TOKEN_TTL_SECONDS });
  });

  // Independent of /cgi-bin/token: the same token while it is valid (and not in its last 5 minutes);
  // force_refresh gives a new one and leaves the old one valid for the grace period.
  router.post('/cgi-bin/stable_token', async (ctx) => {
    stats.stableTokenRequests += 1;
    const body = await readJson(ctx);
    if (!isObject(body)) return json(ctx, 200, DATA_FORMAT_ERROR);
    const error = checkCredentials(body.grant_type, body.appid, body.secret);
    if (error) return json(ctx, 200, error);
    if (body.force_refresh !== undefined && typeof body.force_refresh !== 'boolean') return json(ctx, 200, DATA_FORMAT_ERROR);
    const at = nowMs();
    const current = liveToken(stableToken, at);
    if (current && stableToken !== undefined && body.force_refresh !== true && current.expiresAt - at > STABLE_EARLY_REFRESH_MS) {
      return json(ctx, 200, { access_token: stableToken, expires_in: Math.floor((current.expiresAt - at) / 1000) });
    }
    if (current) {
      current.superseded = true;
      if (body.force_refresh === true) current.expiresAt = Math.min(current.expiresAt, at + graceMs);
    }
    stableToken = issueToken(at);
    json(ctx, 200, { access_token: stableToken, expires_in: ACCESS_TOKEN_TTL_SECONDS });
  });

  router.post('/cgi-bin/message/subscribe/send', async (ctx) => {
    stats.sends += 1;
    const body = await readJson(ctx);
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    if (faults.failNext > 0) {
      faults.failNext -= 1;
      ctx.status = 503;
      ctx.type = 'text/html';
      ctx.body = '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>';
      return;
    }
    if (faults.busyNext > 0) {
      faults.busyNext -= 1;
      return json(ctx, 200, { errcode: -1, errmsg: 'system error' });
    }

    const at = nowMs();
    const token = queryString(ctx.query.access_token);
    const entry = token === undefined ? undefined : tokens.get(token);
    if (!entry) return json(ctx, 200, INVALID_TOKEN);
    if (entry.expiresAt <= at) return json(ctx, 200, entry.superseded ? INVALID_TOKEN : EXPIRED_TOKEN);

    if (!isObject(body)) return json(ctx, 200, DATA_FORMAT_ERROR);
    const templateId = body.template_id;
    const fields = typeof templateId === 'string' ? templateEntries.get(templateId) : undefined;
    if (typeof templateId !== 'string' || !fields) return json(ctx, 200, { errcode: 40037, errmsg: 'invalid template_id' });
    const touser = body.touser;
    if (typeof touser !== 'string' || !knownOpenids.has(touser)) return json(ctx, 200, { errcode: 40003, errmsg: 'invalid openid' });
    if (!isObject(body.data)) return json(ctx, 200, argumentInvalid('data invalid'));
    const data = body.data;
    for (const [key, kind] of fields) {
      const field = data[key];
      const value = isObject(field) ? field.value : undefined;
      if (typeof value !== 'string' || !fitsSubscribeField(kind, value)) return json(ctx, 200, argumentInvalid(`data.${key}.value invalid`));
    }
    if (body.page !== undefined && typeof body.page !== 'string') return json(ctx, 200, argumentInvalid('page invalid'));
    const state = body.miniprogram_state ?? 'formal';
    if (typeof state !== 'string' || !MINIPROGRAM_STATES.has(state)) return json(ctx, 200, argumentInvalid('miniprogram_state invalid'));
    const lang = body.lang ?? 'zh_CN';
    if (typeof lang !== 'string' || !LANGS.has(lang)) return json(ctx, 200, argumentInvalid('lang invalid'));

    const key = grantKey(touser, templateId);
    const remaining = grants.get(key) ?? 0;
    if (remaining <= 0) return json(ctx, 200, { errcode: 43101, errmsg: 'user refuse to accept the msg' });
    if (remaining === 1) grants.delete(key);
    else grants.set(key, remaining - 1);

    const msgid = nextMsgid++;
    messages.push({
      touser,
      template_id: templateId,
      page: typeof body.page === 'string' ? body.page : null,
      data: data as SubscribeMessage['data'],
      miniprogram_state: state,
      lang,
      msgid,
      sentAt: new Date(at).toISOString(),
    });
    stats.delivered += 1;
    json(ctx, 200, { errcode: 0, errmsg: 'ok', msgid });
  });

  // The phone's side of wx.requestSubscribeMessage. Each 'accept' adds one one-time grant ('times'
  // adds that many, to feed benchmarks); 'ban' (the user switched the template off) drops every grant;
  // 'reject' and 'filter' change nothing. The reply is what the mini-program API resolves with.
  router.post('/_subscribe', async (ctx) => {
    const body = await readJson(ctx);
    if (!isObject(body) || typeof body.openid !== 'string' || !body.openid || !isObject(body.results)) {
      return json(ctx, 400, { error: 'expected { openid: string, results: { [templateId]: accept|reject|ban|filter }, times?: number }' });
    }
    const times = body.times === undefined ? 1 : nonNegativeInteger(body.times);
    if (times === undefined || times < 1 || times > MAX_TIMES) return json(ctx, 400, { error: `times must be an integer from 1 to ${MAX_TIMES}` });
    const results = Object.entries(body.results);
    const bad = results.find(([, choice]) => typeof choice !== 'string' || !CHOICES.has(choice));
    if (bad) return json(ctx, 400, { error: `results.${bad[0]} must be accept, reject, ban or filter` });
    if (results.length === 0 || results.some(([templateId]) => !templateEntries.has(templateId))) {
      // What the real API fails with for a template id the mini-program does not own.
      return json(ctx, 200, { errMsg: 'requestSubscribeMessage:fail:No template data return, verify the template id exist', errCode: 20001 });
    }
    const openid = body.openid;
    knownOpenids.add(openid);
    for (const [templateId, choice] of results) {
      const key = grantKey(openid, templateId);
      if (choice === 'accept') grants.set(key, (grants.get(key) ?? 0) + times);
      else if (choice === 'ban') grants.delete(key);
    }
    json(ctx, 200, { ...Object.fromEntries(results), errMsg: 'requestSubscribeMessage:ok' });
  });

  router.get('/_grants', (ctx) => {
    const openid = queryString(ctx.query.openid);
    if (!openid) return json(ctx, 400, { error: 'openid is required' });
    const remaining = Object.fromEntries([...templateEntries.keys()].map((templateId) => [templateId, grants.get(grantKey(openid, templateId)) ?? 0]));
    json(ctx, 200, { openid, grants: remaining });
  });

  router.get('/_messages', (ctx) => {
    const touser = queryString(ctx.query.touser);
    const templateId = queryString(ctx.query.template_id);
    json(ctx, 200, {
      messages: messages.filter((message) => (!touser || message.touser === touser) && (!templateId || message.template_id === templateId)),
    });
  });

  // Fields given are set; fields left out keep their value. invalidateTokens kills every token issued so far.
  router.post('/_faults', async (ctx) => {
    const body = await readJson(ctx);
    if (!isObject(body)) return json(ctx, 400, { error: 'expected a JSON object' });
    const names = ['failNext', 'busyNext', 'delayMs'] as const;
    const bad = names.find((name) => body[name] !== undefined && nonNegativeInteger(body[name]) === undefined);
    if (bad) return json(ctx, 400, { error: `${bad} must be a non-negative integer` });
    if (body.invalidateTokens !== undefined && typeof body.invalidateTokens !== 'boolean')
      return json(ctx, 400, { error: 'invalidateTokens must be a boolean' });
    for (const name of names) {
      const value = nonNegativeInteger(body[name]);
      if (value !== undefined) faults[name] = value;
    }
    if (body.invalidateTokens === true) {
      tokens.clear();
      plainToken = undefined;
      stableToken = undefined;
    }
    json(ctx, 200, { ...faults });
  });

  router.get('/_stats', (ctx) => json(ctx, 200, { ...stats }));
}
