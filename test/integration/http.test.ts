import pg from 'pg';
import Router from '@koa/router';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineEndpoint } from '../../shared/contracts/endpoint';
import { mount } from '../../server/src/http/validate';
import { createApp } from '../../server/src/app';
import { request, serve, startTestApp, type TestApp } from '../support/harness';

let app: TestApp;
let extra: { url: string; close(): Promise<void> } | undefined;
beforeAll(async () => {
  app = await startTestApp({ env: { BODY_LIMIT_BYTES: '1024' } });
  // Routes standing in for later modules: an endpoint with a contract, and one that fails the way
  // a bug or a broken dependency would. They sit behind the real middleware chain.
  const router = new Router();
  mount(router, echoEndpoint, ({ body, query }) => ({ echoed: `${body.name}:${query.times}` }));
  router.get('/api/broken', () => {
    throw new Error('connection to 10.0.0.7 refused at /srv/secret/path');
  });
  extra = await serve(createApp(app.runtime.deps, { routers: [router] }));
});

const echoEndpoint = defineEndpoint({
  method: 'post',
  path: '/api/echo',
  summary: 'test endpoint',
  tag: 'test',
  auth: 'none',
  body: z.object({ name: z.string().min(2) }),
  query: z.object({ times: z.coerce.number().int().min(1) }),
  response: z.object({ echoed: z.string() }),
});
afterAll(async () => {
  await extra?.close();
  await app.stop();
});

describe('HTTP foundation', () => {
  it('reports the database and the in-process store as up', async () => {
    const res = await app.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      redis: { status: 'up', kind: 'in-process' },
    });
  });

  it('echoes a caller request id and generates one otherwise', async () => {
    const given = await app.request('GET', '/healthz', { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = await app.request('GET', '/healthz', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the error envelope and 404', async () => {
    const res = await app.request('GET', '/api/nothing-here', { headers: { 'X-Request-Id': 'r-404' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: 'No route for GET /api/nothing-here', requestId: 'r-404' } });
  });

  it('validates body and query against the contract, listing every problem with 400', async () => {
    const ok = await request(extra!.url, 'POST', '/api/echo?times=3', { body: { name: 'Li' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ echoed: 'Li:3' });
    const bad = await request(extra!.url, 'POST', '/api/echo?times=zero', { body: { name: 'L' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain('body.name');
    const missing = await request(extra!.url, 'POST', '/api/echo?times=1');
    expect(missing.status).toBe(400);
  });

  it('refuses text no column can store (NUL, an unpaired surrogate) with 400 naming the field, not a database error', async () => {
    for (const name of ['Li\u0000', 'Li\ud800', 'x\udfffLi']) {
      const res = await request(extra!.url, 'POST', '/api/echo?times=1', { body: { name } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.body.error.details.issues).toEqual([{ path: 'body.name', message: 'must not contain NUL or unpaired surrogate characters' }]);
    }
    const query = await request(extra!.url, 'POST', '/api/echo?times=1&times=%00', { body: { name: 'Li' } });
    expect(query.status).toBe(400);
    // A whole emoji is a surrogate pair, and a field the contract does not take is dropped before the check.
    const ok = await request(extra!.url, 'POST', '/api/echo?times=1', { body: { name: '李😀', ignored: '\u0000' } });
    expect(ok.body).toEqual({ echoed: '李😀:1' });
    // The fuzz found these answering 500: a staff login is refused before the database sees the name.
    const login = await app.request('POST', '/api/staff/auth/login', { body: { username: 'admin\u0000', password: 'x' } });
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('hides internals of an unexpected failure behind a 500 envelope', async () => {
    const res = await request(extra!.url, 'GET', '/api/broken', { headers: { 'X-Request-Id': 'r-500' } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: 'r-500' } });
    expect(res.text).not.toContain('10.0.0.7');
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await app.request('POST', '/api/anything', { body: '{"unterminated": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('refuses a body over the limit with 413 before reading it all', async () => {
    const res = await app.request('POST', '/api/anything', { body: { blob: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a wrong method on a known route with 405', async () => {
    const res = await app.request('DELETE', '/healthz');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('counts requests by route template in /metrics', async () => {
    await app.request('GET', '/healthz');
    const res = await app.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const line = res.text.split('\n').find((l) => l.startsWith('http_requests_total{method="GET",route="/healthz",status="200"}'));
    expect(Number(line?.split(' ').pop())).toBeGreaterThanOrEqual(1);
    expect(res.text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}');
    expect(res.text).toContain('route="unmatched",status="404"');
  });

  it('serves an OpenAPI 3.1 document generated from the shared contracts', async () => {
    const res = await app.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const health = res.body.paths['/healthz'].get;
    expect(health.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Health');
    expect(res.body.components.schemas.Health.properties.database).toBeDefined();
  });

  it('reports 503 with the database down, naming the failure, and recovers', async () => {
    const name = new URL(app.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: app.databaseUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      const down = await app.request('GET', '/healthz');
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('degraded');
      expect(down.body.database.status).toBe('down');
      expect(down.body.database.error).toBeTruthy();
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const up = await app.request('GET', '/healthz');
    expect(up.status).toBe(200);
  });
});
