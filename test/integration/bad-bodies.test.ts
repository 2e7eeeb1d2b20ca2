import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/src/server';
import { freePort } from '../../server/src/db/embedded';
import { createTestDatabase, request, serverProcessEnv, TEST_BACKOFFICE_SECRET } from '../support/harness';
import { spawnServer, type ServerProcess } from '../support/process';
import { CONSENT_VERSION } from '../../shared/consent';

// Every malformed, truncated, oversized, wrong-type or slow body is sent to a real server process over a
// raw socket; each must end in a 4xx envelope (or, when the client itself went away, in nothing), and the
// process must still be serving afterwards, with the process guard never having had to step in.
const UPLOAD_MAX_BYTES = 64 * 1024;
const BODY_LIMIT_BYTES = 32 * 1024;
const BODY_TIMEOUT_MS = 1_500;
const BOUNDARY = 'FuzzBoundary7MA4YWxkTrZu0gW';

let mocks: MockServer;
let server: ServerProcess;
let pool: pg.Pool;
let port: number;
let base: string;
let bearer: string;

beforeAll(async () => {
  mocks = await startMockServer({ port: 0, backofficeSecret: TEST_BACKOFFICE_SECRET });
  const databaseUrl = await createTestDatabase();
  pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawnServer({
    ...serverProcessEnv(mocks, databaseUrl, port),
    UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES),
    BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
    BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  });
  await server.waitForLog('server listening');
  const phone = '13912345678';
  await request(base, 'POST', '/api/auth/sms/send', { body: { phone } });
  const { body: sms } = await request(mocks.url, 'GET', `/sms/messages?phone=${phone}`);
  const verified = await request(base, 'POST', '/api/auth/sms/verify', {
    body: { consentVersion: CONSENT_VERSION, phone, code: sms.messages.at(-1).params.code },
  });
  bearer = `Bearer ${verified.body.accessToken}`;
}, 90_000);

afterAll(async () => {
  server?.child.kill('SIGKILL');
  await pool?.end();
  await mocks?.close();
});

interface RawReply {
  status?: number;
  body?: any;
  /** The socket closed without a complete reply (expected only when the client itself cut the connection). */
  closedWithoutReply: boolean;
}

/**
 * Writes `head` and the parts of a body, pausing `gapMs` between parts, then ends the request in one of
 * three ways: waits for the reply, half-closes its side, or resets the connection outright.
 */
function rawExchange(head: string, parts: (string | Buffer)[], options: { finish?: 'wait' | 'half-close' | 'reset'; gapMs?: number } = {}): Promise<RawReply> {
  const { finish = 'wait', gapMs = 0 } = options;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const settle = () => {
      const text = received.toString('utf8');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!match) return resolve({ closedWithoutReply: true });
      const [, ...rest] = text.split('\r\n\r\n');
      const payload = rest.join('\r\n\r\n');
      let body: unknown = payload;
      try {
        body = JSON.parse(payload);
      } catch {
        // not JSON (or chunked): kept as text
      }
      resolve({ status: Number(match[1]), body, closedWithoutReply: false });
    };
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      // A reply with a length is complete once that many bytes arrived; the connection may stay open.
      const text = received.toString('utf8');
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text.slice(0, headerEnd));
      if (headerEnd >= 0 && length && received.length >= Buffer.byteLength(text.slice(0, headerEnd + 4)) + Number(length[1])) {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', settle);
    socket.on('connect', async () => {
      socket.write(head);
      for (const part of parts) {
        if (socket.destroyed) return;
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        socket.write(part);
      }
      if (finish === 'half-close') socket.end();
      if (finish === 'reset') socket.resetAndDestroy();
      setTimeout(() => socket.destroy(), BODY_TIMEOUT_MS * 4);
    });
  });
}

const multipartHead = (length: number | 'chunked', path = '/api/service-requests/documents', contentType = `multipart/form-data; boundary=${BOUNDARY}`) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${bearer}\r\nContent-Type: ${contentType}\r\n` +
  (length === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`) +
  '\r\n';
const jsonHead = (path: string, length: number | 'chunked', extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${bearer}\r\nContent-Type: application/json\r\n${extra}` +
  (length === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`) +
  '\r\n';
const chunk = (data: string | Buffer) => Buffer.concat([Buffer.from(`${Buffer.byteLength(data).toString(16)}\r\n`), Buffer.from(data), Buffer.from('\r\n')]);

// A PNG's first bytes, so the part is a plausible document right up to where it is cut.
const PNG_START = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const openPart = Buffer.concat([
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nbusiness_licence\r\n`),
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="licence.png"\r\nContent-Type: image/png\r\n\r\n`),
  PNG_START,
  Buffer.alloc(2_000, 7),
]);

function expectEnvelope(reply: RawReply, status: number, code: string) {
  expect(reply.closedWithoutReply, 'the server answered').toBe(false);
  expect(reply.status).toBe(status);
  expect(reply.body).toMatchObject({ error: { code, message: expect.any(String), requestId: expect.any(String) } });
}

async function stillServing() {
  expect(server.child.exitCode, server.output().slice(-2000)).toBeNull();
  const health = await request(base, 'GET', '/healthz');
  expect(health.status).toBe(200);
  // The fixes are at each cause: the process guard (the last line of defence) never had to catch anything.
  expect(server.output()).not.toContain('process guard');
}

async function documentRows(): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM documents');
  return Number(rows[0]!.n);
}

describe('multipart uploads', () => {
  it('a body that simply ends before its final boundary is refused with 400, nothing stored', async () => {
    expectEnvelope(await rawExchange(multipartHead(openPart.length), [openPart]), 400, 'BODY_INCOMPLETE');
    expect(await documentRows()).toBe(0);
    await stillServing();
  });

  it('a chunked body whose last chunk comes before the final boundary is refused with 400', async () => {
    expectEnvelope(await rawExchange(multipartHead('chunked'), [chunk(openPart), '0\r\n\r\n']), 400, 'BODY_INCOMPLETE');
    await stillServing();
  });

  it('a client that half-closes or resets the connection mid-upload leaves the server serving', async () => {
    for (const finish of ['half-close', 'reset'] as const) {
      const reply = await rawExchange(multipartHead(openPart.length + 50_000), [openPart], { finish });
      if (!reply.closedWithoutReply) expect(reply.status).toBeGreaterThanOrEqual(400);
      if (!reply.closedWithoutReply) expect(reply.status).toBeLessThan(500);
      await stillServing();
    }
    expect(await documentRows()).toBe(0);
  });

  it('no boundary, or bytes that are not multipart at all, are refused with 400', async () => {
    expectEnvelope(await rawExchange(multipartHead(10, undefined, 'multipart/form-data'), ['0123456789']), 400, 'DOCUMENT_INVALID');
    const garbage = Buffer.alloc(3_000, 0x41);
    const reply = await rawExchange(multipartHead(garbage.length), [garbage]);
    expect(reply.status).toBe(400);
    expect(['DOCUMENT_INVALID', 'BODY_INCOMPLETE']).toContain(reply.body.error.code);
    await stillServing();
  });

  it('a file over the limit is refused with 413, declared or streamed', async () => {
    const big = Buffer.concat([openPart, Buffer.alloc(UPLOAD_MAX_BYTES * 2, 1), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
    expectEnvelope(await rawExchange(multipartHead(big.length), [big]), 413, 'DOCUMENT_TOO_LARGE');
    expectEnvelope(await rawExchange(multipartHead('chunked'), [chunk(big), '0\r\n\r\n']), 413, 'DOCUMENT_TOO_LARGE');
    expect(await documentRows()).toBe(0);
    await stillServing();
  });

  it('an upload that trickles in slower than the deadline is refused with 408', async () => {
    const parts = Array.from({ length: 8 }, (_, i) => openPart.subarray(i * 10, i * 10 + 10));
    expectEnvelope(await rawExchange(multipartHead(openPart.length + 100), parts, { gapMs: BODY_TIMEOUT_MS / 3 }), 408, 'BODY_TIMEOUT');
    await stillServing();
  });

  it('a complete upload still works after all of that', async () => {
    const whole = Buffer.concat([openPart, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
    const reply = await rawExchange(multipartHead(whole.length), [whole]);
    expect(reply.status).toBe(201);
    expect(await documentRows()).toBe(1);
  });
});

describe('JSON and form bodies', () => {
  const path = '/api/service-requests';

  it('truncated JSON with a matching length is malformed (400)', async () => {
    expectEnvelope(await rawExchange(jsonHead(path, 12), ['{"type":"fau']), 400, 'MALFORMED_JSON');
    await stillServing();
  });

  it('a body shorter than its Content-Length, then a half-close or reset, leaves the server serving', async () => {
    for (const finish of ['half-close', 'reset'] as const) {
      const reply = await rawExchange(jsonHead(path, 500), ['{"type":"fault_repair"'], { finish });
      if (!reply.closedWithoutReply) expect(reply, JSON.stringify(reply)).toMatchObject({ status: 400, body: { error: { code: 'BODY_INCOMPLETE' } } });
      await stillServing();
    }
  });

  it('an oversized body is refused with 413, declared or chunked', async () => {
    expectEnvelope(await rawExchange(jsonHead(path, BODY_LIMIT_BYTES + 1), ['{']), 413, 'PAYLOAD_TOO_LARGE');
    const filler = `{"x":"${'a'.repeat(BODY_LIMIT_BYTES)}"}`;
    expectEnvelope(await rawExchange(jsonHead(path, 'chunked'), [chunk(filler), '0\r\n\r\n']), 413, 'PAYLOAD_TOO_LARGE');
    await stillServing();
  });

  it('a body that trickles in slower than the deadline is refused with 408', async () => {
    const parts = ['{"ty', 'pe":', '"fau', 'lt_r', 'epai', 'r"', ',"x"'];
    expectEnvelope(await rawExchange(jsonHead(path, 200), parts, { gapMs: BODY_TIMEOUT_MS / 3 }), 408, 'BODY_TIMEOUT');
    await stillServing();
  });

  it('a compressed body is refused with 415', async () => {
    expectEnvelope(await rawExchange(jsonHead(path, 4, 'Content-Encoding: gzip\r\n'), ['\x1f\x8b\x08\x00']), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await stillServing();
  });

  it('deeply nested JSON, invalid UTF-8 and the wrong content type are refused with 4xx', async () => {
    const nested = `${'['.repeat(15_000)}${']'.repeat(15_000)}`;
    const deep = await rawExchange(jsonHead(path, nested.length), [nested]);
    expect(deep.status).toBe(400);
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]);
    expect((await rawExchange(jsonHead(path, invalidUtf8.length), [invalidUtf8])).status).toBe(400);
    const textHead = jsonHead(path, 5).replace('application/json', 'text/plain');
    expect((await rawExchange(textHead, ['hello'])).status).toBe(400);
    const badType = jsonHead(path, 2).replace('application/json', 'application/json; charset=');
    const typed = await rawExchange(badType, ['{}']);
    expect(typed.status).toBeGreaterThanOrEqual(400);
    expect(typed.status).toBeLessThan(500);
    const form = jsonHead('/api/auth/sms/send', 11).replace('application/json', 'application/x-www-form-urlencoded');
    expect((await rawExchange(form, ['phone=%zz%%'])).status).toBe(400);
    await stillServing();
  });
});

describe('raw bodies of signed inbound calls', () => {
  const inbound = ['/api/payments/notify/wechat', '/api/payments/notify/alipay', '/api/terminal/v1/pay', '/api/staff/workorders/callbacks'];

  it('truncated, reset, oversized and garbage bodies get a 4xx or a refusal, never a crash', async () => {
    for (const path of inbound) {
      const truncated = await rawExchange(jsonHead(path, 300), ['{"id":"EV'], { finish: 'half-close' });
      if (!truncated.closedWithoutReply) expect(truncated.status, path).toBeLessThan(500);
      await rawExchange(jsonHead(path, 300), ['{"id":"EV'], { finish: 'reset' });
      const oversized = await rawExchange(jsonHead(path, BODY_LIMIT_BYTES + 10), ['{']);
      expect(oversized.status, path).toBe(413);
      const garbage = Buffer.from([0, 1, 2, 255, 254, 0x7b]);
      const reply = await rawExchange(jsonHead(path, garbage.length), [garbage]);
      expect(reply.status, path).toBeGreaterThanOrEqual(400);
      expect(reply.status, path).toBeLessThan(500);
    }
    await stillServing();
  });
});
