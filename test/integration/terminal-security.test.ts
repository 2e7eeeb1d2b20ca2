import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, stringToSign } from '../../mock/src/terminal/client';
import { shanghaiDate } from '../../shared/dates';
import { manualClock, startTestApp, type TestApp } from '../support/harness';
import { staffSession } from '../support/identity';
import { demoTerminal, nextSerial, registerTerminal } from '../support/terminals';

// Who may speak the terminal protocol: signature, freshness, nonce, source address, enabled flag
// and secret rotation. The server sits behind one proxy here (TRUST_PROXY_HOPS=1), as in production.
let app: TestApp;
const clock = manualClock();
const today = shanghaiDate(clock.now());
/** Timestamps from the server's clock, which the rotation test moves forward. */
const now = () => String(Math.floor(clock.now().getTime() / 1000));
const code = (reply: { status: number; body: any }) => [reply.status, reply.body.error?.code];

beforeAll(async () => {
  app = await startTestApp({ clock, env: { TRUST_PROXY_HOPS: '1' } });
});
afterAll(() => app?.stop());

describe('signed requests', () => {
  it('accepts a request signed with the terminal secret', async () => {
    expect((await demoTerminal(app).signin(today, { timestamp: now() })).status).toBe(200);
  });

  it('refuses a wrong secret, a missing signature and an unknown terminal', async () => {
    const terminal = demoTerminal(app);
    expect(code(await terminal.query('3301000001', { timestamp: now(), secret: 'not-the-secret-0123456789abcdef0123' }))).toEqual([401, 'SIGNATURE_INVALID']);
    expect(code(await terminal.query('3301000001', { timestamp: now(), headers: { 'X-Signature': '' } }))).toEqual([401, 'SIGNATURE_INVALID']);
    expect(code(await terminal.query('3301000001', { timestamp: now(), headers: { 'X-Terminal-Id': 'NO-SUCH-TERMINAL' } }))).toEqual([401, 'TERMINAL_UNKNOWN']);
    expect(code(await terminal.query('3301000001', { timestamp: now(), headers: { 'X-Terminal-Id': '' } }))).toEqual([401, 'TERMINAL_UNKNOWN']);
  });

  it('refuses a body changed after signing, and writes nothing', async () => {
    const terminal = demoTerminal(app);
    const serial = nextSerial();
    const signed = { serial, accountingDate: today, accountNo: '3301000001', amountFen: 100 };
    const reply = await terminal.pay(signed, { timestamp: now(), sendBody: JSON.stringify({ ...signed, amountFen: 100_000 }) });
    expect(code(reply)).toEqual([401, 'SIGNATURE_INVALID']);
    const { rows } = await app.runtime.deps.database.pool.query('SELECT 1 FROM terminal_transactions WHERE serial = $1', [serial]);
    expect(rows).toEqual([]);
  });

  it('refuses a signature made for another message path', async () => {
    const { terminalId, secret } = app.runtime.deps.config.terminals.demo;
    const body = JSON.stringify({ accountNo: '3301000001' });
    const nonce = 'path-test-nonce-0000000001';
    const timestamp = now();
    const reply = await fetch(`${app.url}/api/terminal/v1/signout`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Terminal-Id': terminalId,
        'X-Timestamp': timestamp,
        'X-Nonce': nonce,
        'X-Signature': sign(secret, stringToSign('POST', '/api/terminal/v1/query', timestamp, nonce, body)),
      },
      body,
    });
    expect(reply.status).toBe(401);
    expect((await reply.json()).error.code).toBe('SIGNATURE_INVALID');
  });

  it('refuses timestamps more than five minutes from the server’s time, either way', async () => {
    const terminal = demoTerminal(app);
    const at = (offsetSeconds: number) => String(Number(now()) + offsetSeconds);
    const stale = await terminal.query('3301000001', { timestamp: at(-301) });
    expect(code(stale)).toEqual([401, 'TIMESTAMP_STALE']);
    expect(stale.body.error.details.serverTime).toBe(Number(now()));
    expect(code(await terminal.query('3301000001', { timestamp: at(301) }))).toEqual([401, 'TIMESTAMP_STALE']);
    expect((await terminal.query('3301000001', { timestamp: at(-290) })).status).toBe(200);
    expect(code(await terminal.query('3301000001', { timestamp: '17000000000000' }))).toEqual([401, 'SIGNATURE_INVALID']);
  });

  it('refuses a nonce used before, even in an otherwise new and valid request', async () => {
    const terminal = demoTerminal(app);
    const nonce = `nonce-${nextSerial()}-abcdef`;
    expect((await terminal.query('3301000001', { timestamp: now(), nonce })).status).toBe(200);
    expect(code(await terminal.query('3301000001', { timestamp: now(), nonce }))).toEqual([401, 'NONCE_REUSED']);
    expect(code(await terminal.query('3301000002', { timestamp: now(), nonce }))).toEqual([401, 'NONCE_REUSED']);
    expect(code(await terminal.query('3301000001', { timestamp: now(), nonce: 'short' }))).toEqual([401, 'SIGNATURE_INVALID']);
  });
});

describe('source addresses', () => {
  it('refuses addresses not on the terminal’s list, trusting only the entry our proxy added', async () => {
    const terminal = await registerTerminal(app, { allowedIps: ['203.0.113.7', '198.51.100.0/24'] });
    const from = (forwardedFor?: string) => terminal.signin(today, { timestamp: now(), headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {} });
    // Loopback itself is not listed.
    const direct = await from();
    expect(code(direct)).toEqual([403, 'IP_NOT_ALLOWED']);
    expect(direct.body.error.details).toEqual({ ip: '127.0.0.1' });
    expect((await from('203.0.113.7')).status).toBe(200);
    expect((await from('198.51.100.23')).status).toBe(200);
    // A client writing an allowed address first: our proxy appends the real one, and that is what counts.
    expect(code(await from('203.0.113.7, 192.0.2.50'))).toEqual([403, 'IP_NOT_ALLOWED']);
    expect((await from('192.0.2.50, 203.0.113.7')).status).toBe(200);
  });
});

describe('the registry', () => {
  it('disables and re-enables a terminal, each change audited', async () => {
    const terminal = await registerTerminal(app);
    const admin = await staffSession(app, 'admin');
    const set = (enabled: boolean) => app.request('PATCH', `/api/staff/terminals/${terminal.terminalId}`, { headers: admin, body: { enabled } });
    expect((await set(false)).body.terminal.enabled).toBe(false);
    expect(code(await terminal.signin(today, { timestamp: now() }))).toEqual([403, 'TERMINAL_DISABLED']);
    expect((await set(true)).status).toBe(200);
    expect((await terminal.signin(today, { timestamp: now() })).status).toBe(200);
    const { rows } = await app.runtime.deps.database.pool.query(
      `SELECT a.action, s.username FROM terminal_audit a JOIN terminals t ON t.id = a.terminal_pk JOIN staff_users s ON s.id = a.staff_id WHERE t.terminal_id = $1 ORDER BY a.id`,
      [terminal.terminalId],
    );
    expect(rows).toEqual([
      { action: 'created', username: 'admin' },
      { action: 'disabled', username: 'admin' },
      { action: 'enabled', username: 'admin' },
    ]);
  });

  it('keeps secrets sealed at rest and shows each only once', async () => {
    const terminal = await registerTerminal(app);
    const {
      rows: [row],
    } = await app.runtime.deps.database.pool.query('SELECT * FROM terminals WHERE terminal_id = $1', [terminal.terminalId]);
    expect(JSON.stringify(row)).not.toContain(terminal.secret);
    const listed = await app.request('GET', '/api/staff/terminals', { headers: await staffSession(app, 'backoffice') });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(terminal.secret);
    expect(listed.body.terminals.find((t: { terminalId: string }) => t.terminalId === terminal.terminalId)).toMatchObject({
      enabled: true,
      channel: 'pos',
      previousSecretValidUntil: null,
    });
  });

  it('rotates a secret: the old one verifies until the overlap ends, then only the new one does', async () => {
    const terminal = await registerTerminal(app);
    const admin = await staffSession(app, 'admin');
    const rotated = await app.request('POST', `/api/staff/terminals/${terminal.terminalId}/secret`, { headers: admin, body: { overlapHours: 1 } });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(terminal.secret);
    expect(rotated.body.terminal.previousSecretValidUntil).toBe(new Date(clock.now().getTime() + 3_600_000).toISOString());
    expect((await terminal.signin(today, { timestamp: now() })).status).toBe(200);
    expect((await terminal.query('3301000001', { timestamp: now(), secret: fresh })).status).toBe(200);

    clock.advance(61 * 60_000);
    expect(code(await terminal.query('3301000001', { timestamp: now() }))).toEqual([401, 'SIGNATURE_INVALID']);
    expect((await terminal.query('3301000001', { timestamp: now(), secret: fresh })).status).toBe(200);

    // Without an overlap the old secret stops at once (a new staff session: the clock moved past the first one's expiry).
    const again = await app.request('POST', `/api/staff/terminals/${terminal.terminalId}/secret`, {
      headers: await staffSession(app, 'admin'),
      body: { overlapHours: 0 },
    });
    expect(code(await terminal.query('3301000001', { timestamp: now(), secret: fresh }))).toEqual([401, 'SIGNATURE_INVALID']);
    expect((await terminal.query('3301000001', { timestamp: now(), secret: again.body.secret })).status).toBe(200);
  });

  it('lets only admins change the registry, and refuses bad addresses and duplicate ids', async () => {
    const backoffice = await staffSession(app, 'backoffice');
    const admin = await staffSession(app, 'admin');
    const input = { terminalId: 'REG-TEST-1', organisation: { name: '某代收点', kind: 'agent' }, channel: 'counter', allowedIps: ['10.0.0.0/8'] };
    expect(code(await app.request('POST', '/api/staff/terminals', { headers: backoffice, body: input }))).toEqual([403, 'FORBIDDEN']);
    expect(code(await app.request('POST', '/api/staff/terminals', { headers: admin, body: { ...input, allowedIps: ['10.0.0.0/33'] } }))).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    expect(code(await app.request('POST', '/api/staff/terminals', { headers: admin, body: { ...input, allowedIps: ['999.1.1.1'] } }))).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    expect((await app.request('POST', '/api/staff/terminals', { headers: admin, body: input })).status).toBe(201);
    expect(code(await app.request('POST', '/api/staff/terminals', { headers: admin, body: input }))).toEqual([409, 'CONFLICT']);
    expect(code(await app.request('PATCH', '/api/staff/terminals/NO-SUCH-ONE', { headers: admin, body: { enabled: false } }))).toEqual([404, 'NOT_FOUND']);
  });
});
