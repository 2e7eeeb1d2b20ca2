import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, startTestApp, type TestApp } from '../support/harness';

let app: TestApp;
const clock = manualClock();
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.stop());

/** A raw GET that does not decompress, so the encoding on the wire can be checked. */
function rawGet(urlPath: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(`${app.url}${urlPath}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the H5 page served by the server', () => {
  it('serves index.html at / uncached, so a new build is picked up at once', async () => {
    const res = await rawGet('/', { Accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body.toString()).toContain('<div id="app">');
  });

  it('answers a deep link to a page with index.html for the browser router', async () => {
    const res = await rawGet('/pages/bills/index', { Accept: 'text/html,*/*' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('<div id="app">');
  });

  it('serves hashed assets brotli-compressed and cached for a year, byte-identical to the build', async () => {
    const html = (await rawGet('/')).body.toString();
    const script = /src="(\/js\/app\.[0-9a-f]{8}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const res = await rawGet(script!, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toContain('Accept-Encoding');
    const onDisk = readFileSync(path.join('h5/dist', script!));
    expect(zlib.brotliDecompressSync(res.body).equals(onDisk)).toBe(true);
    expect(res.body.length).toBeLessThan(onDisk.length / 2);

    const gzip = await rawGet(script!, { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.body).equals(onDisk)).toBe(true);
  });

  it('counts page files under one metrics label, not one per file', async () => {
    await rawGet('/favicon.svg');
    const metrics = (await rawGet('/metrics')).body.toString();
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="h5-static",status="200"\} \d+/);
    expect(metrics).not.toContain('route="/favicon.svg"');
  });

  it('answers 304 to a matching ETag', async () => {
    const first = await rawGet('/favicon.svg');
    expect(first.headers.etag).toBeTruthy();
    const again = await rawGet('/favicon.svg', { 'If-None-Match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('does not serve files outside the build or invent missing assets', async () => {
    expect((await rawGet('/..%2f..%2fpackage.json')).status).toBe(404);
    const missing = await rawGet('/js/app.00000000.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('keeps API paths away from the page fallback', async () => {
    const res = await rawGet('/api/unknown', { Accept: 'text/html' });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
  });
});

describe('GET /api/meta', () => {
  it('returns the seeded utility and its notices, urgent first, cacheable for a minute', async () => {
    const res = await app.request('GET', '/api/meta');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.body.utility).toEqual({ name: '江南示范供电公司', shortName: '江南供电', hotline: '95598', serviceHours: '全天 24 小时' });
    expect(res.body.notices).toHaveLength(3);
    expect(res.body.notices[0].level).toBe('important');
  });

  it('leaves out notices not yet published or expired, and orders by urgency then date', async () => {
    const { pool } = app.runtime.deps.database;
    await pool.query(`INSERT INTO notices (title, summary, level, published_at, expires_at) VALUES
      ('future', 's', 'urgent', now() + interval '1 day', NULL),
      ('expired', 's', 'urgent', now() - interval '3 days', now() - interval '1 day'),
      ('outage now', 's', 'urgent', now() - interval '1 hour', now() + interval '1 day')`);
    // Served from the few-second cache until it lapses.
    const cached = await app.request('GET', '/api/meta');
    expect(cached.body.notices.map((notice: { title: string }) => notice.title)).not.toContain('outage now');
    clock.advance(5_001);
    const res = await app.request('GET', '/api/meta');
    const titles = res.body.notices.map((notice: { title: string }) => notice.title);
    expect(titles[0]).toBe('outage now');
    expect(titles).not.toContain('future');
    expect(titles).not.toContain('expired');
  });
});

describe('a new H5 build while the server runs', () => {
  it('is served from the next request on, without a restart', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const dist = await fs.mkdtemp(path.join(os.tmpdir(), 'power-dist-'));
    await fs.writeFile(path.join(dist, 'index.html'), '<div id="app"></div><!-- build 1 -->');
    const other = await startTestApp({ env: { H5_DIST: dist } });
    try {
      expect((await other.request('GET', '/')).text).toContain('build 1');
      await fs.writeFile(path.join(dist, 'index.html'), '<div id="app"></div><!-- build 2 -->');
      const later = new Date(Date.now() + 2000);
      await fs.utimes(path.join(dist, 'index.html'), later, later);
      expect((await other.request('GET', '/')).text).toContain('build 2');
    } finally {
      await other.stop();
      await fs.rm(dist, { recursive: true, force: true });
    }
  });
});
