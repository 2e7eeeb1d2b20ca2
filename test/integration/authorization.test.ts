import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type Endpoint } from '../../shared/contracts';
import { startTestApp, type TestApp } from '../support/harness';
import { smsLogin, type LoggedIn } from '../support/identity';

let app: TestApp;
let owner: LoggedIn;
let stranger: LoggedIn;
let ownersAccountId: number;
let staffToken: string;

const accountScoped = endpoints.filter((endpoint) => endpoint.scope === 'account');
/**
 * What the owner's own call needs beyond the account (other path parts, a body) and what it then
 * answers: 200, or the endpoint's own refusal once the account check has passed.
 */
const SAMPLES: Record<string, { path?: Record<string, string>; body?: unknown; own: { status: number; code?: string } }> = {
  '/api/bills/{accountId}/{month}': { path: { month: '2020-01' }, own: { status: 404, code: 'NOT_FOUND' } },
  '/api/accounts/{accountId}/balance-alert': { body: { thresholdFen: 2000 }, own: { status: 409, code: 'NOT_PREPAID' } },
};
const pathFor = (endpoint: Endpoint, accountId: number | string) =>
  Object.entries(SAMPLES[endpoint.path]?.path ?? {}).reduce(
    (path, [name, value]) => path.replace(`{${name}}`, value),
    endpoint.path.replace('{accountId}', String(accountId)),
  );
const call = (endpoint: Endpoint, accountId: number | string, headers: Record<string, string> = {}) =>
  app.request(endpoint.method.toUpperCase(), pathFor(endpoint, accountId), { headers, body: SAMPLES[endpoint.path]?.body });
const withoutRequestId = (body: { error: object }) => ({ ...body.error, requestId: undefined });

beforeAll(async () => {
  app = await startTestApp();
  [owner, stranger] = await Promise.all([smsLogin(app), smsLogin(app)]);
  const bound = await app.request('POST', '/api/accounts/bind', {
    headers: owner.auth,
    body: { method: 'holder', accountNo: '3301000005', holderName: '杭州绿源食品有限公司', phoneLast4: '0005' },
  });
  ownersAccountId = bound.body.account.id;
  await app.request('POST', '/api/accounts/bind', {
    headers: stranger.auth,
    body: { method: 'holder', accountNo: '3301000003', holderName: '李娜', phoneLast4: '0003' },
  });
  const password = (app.runtime.demo!.staff as Array<{ username: string; password: string }>).find((s) => s.username === 'admin')!.password;
  staffToken = (await app.request('POST', '/api/staff/auth/login', { body: { username: 'admin', password } })).body.accessToken;
});
afterAll(() => app?.stop());

describe('every account-scoped route', () => {
  it('is declared as such: each path with {accountId} carries the account scope', () => {
    const withParam = endpoints.filter((endpoint) => endpoint.path.includes('{accountId}'));
    expect(withParam.length).toBeGreaterThan(0);
    expect(withParam.filter((endpoint) => endpoint.scope !== 'account').map((e) => e.path)).toEqual([]);
  });

  // Unbind goes last so the owner keeps the account for the routes before it.
  const ordered = [...accountScoped].sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

  it.each(ordered.map((endpoint) => [`${endpoint.method.toUpperCase()} ${endpoint.path}`, endpoint] as const))(
    '%s: a stranger gets the same 404 as for an account that does not exist',
    async (_name, endpoint) => {
      const foreign = await call(endpoint, ownersAccountId, stranger.auth);
      const missing = await call(endpoint, 987654321, stranger.auth);
      expect(foreign.status).toBe(404);
      expect(withoutRequestId(foreign.body)).toEqual(withoutRequestId(missing.body));
      expect((await call(endpoint, ownersAccountId)).status).toBe(401);
      expect((await call(endpoint, ownersAccountId, { Authorization: `Bearer ${staffToken}` })).status).toBe(403);
      expect((await call(endpoint, 'not-a-number', stranger.auth)).status).toBe(404);
      const own = await call(endpoint, ownersAccountId, owner.auth);
      const expected = SAMPLES[endpoint.path]?.own ?? { status: 200 };
      expect(own.status).toBe(expected.status);
      if (expected.code) expect(own.body.error.code).toBe(expected.code);
      // Past the account check, the owner's answer is not the stranger's.
      expect(own.body).not.toEqual(missing.body);
    },
  );

  it('left the owner’s binding in place after every stranger attempt', async () => {
    const { rows } = await app.runtime.deps.database.pool.query('SELECT count(*)::int AS n FROM account_bindings WHERE account_id = $1', [ownersAccountId]);
    // The owner's own DELETE ran last; strangers removed nothing before it.
    expect(rows[0].n).toBe(0);
    expect((await app.request('GET', '/api/accounts', { headers: stranger.auth })).body.accounts.map((a: { accountNo: string }) => a.accountNo)).toEqual([
      '3301000003',
    ]);
  });
});

/** Sample values for path parameters of routes that are not account-scoped (numbers get `1`). */
const PATH_SAMPLES: Record<string, string> = { terminalId: 'DEMO-BANK-001', month: '2020-01' };
const samplePath = (endpoint: Endpoint) => endpoint.path.replace(/\{(\w+)\}/g, (_match, name: string) => PATH_SAMPLES[name] ?? '1');

describe('every authenticated route', () => {
  const customerRoutes = endpoints.filter((endpoint) => endpoint.auth === 'customer' && !endpoint.path.includes('{'));
  const staffRoutes = endpoints.filter((endpoint) => endpoint.auth === 'staff');
  const terminalRoutes = endpoints.filter((endpoint) => endpoint.auth === 'terminal');

  it.each(customerRoutes.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s refuses staff tokens and anonymous calls',
    async (_n, endpoint) => {
      expect((await app.request(endpoint.method.toUpperCase(), endpoint.path)).status).toBe(401);
      expect((await app.request(endpoint.method.toUpperCase(), endpoint.path, { headers: { Authorization: `Bearer ${staffToken}` } })).status).toBe(403);
    },
  );

  it.each(staffRoutes.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s refuses customer tokens and anonymous calls',
    async (_n, endpoint) => {
      expect((await app.request(endpoint.method.toUpperCase(), samplePath(endpoint), { headers: owner.auth })).status).toBe(403);
      expect((await app.request(endpoint.method.toUpperCase(), samplePath(endpoint))).status).toBe(401);
    },
  );

  it.each(terminalRoutes.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s refuses calls without a terminal signature, tokens included',
    async (_n, endpoint) => {
      for (const headers of [{}, owner.auth, { Authorization: `Bearer ${staffToken}` }]) {
        const reply = await app.request(endpoint.method.toUpperCase(), endpoint.path, { headers, body: {} });
        expect([reply.status, reply.body.error.code]).toEqual([401, 'TERMINAL_UNKNOWN']);
      }
    },
  );
});
