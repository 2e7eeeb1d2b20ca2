import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayFile } from '../../mock/src/terminal/client';
import { addDays, shanghaiDate } from '../../shared/dates';
import { startTestApp, type TestApp } from '../support/harness';
import { ledgerTotal, oweBills } from '../support/receivables';
import { staffSession } from '../support/identity';
import { demoTerminal, nextSerial, registerTerminal } from '../support/terminals';

// Every message of the terminal protocol through the reference terminal, and every refusal a
// terminal can meet in its day (the security refusals are in terminal-security.test.ts).
let app: TestApp;
const today = shanghaiDate(new Date());
const sql = (text: string, values: unknown[] = []) => app.runtime.deps.database.pool.query(text, values);
const receivable = async (id: number) =>
  (await sql('SELECT principal_paid_fen AS principal, late_fee_paid_fen AS "lateFee", settled_at IS NOT NULL AS settled FROM receivables WHERE id = $1', [id]))
    .rows[0];

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('a day at the demo terminal', () => {
  let owed: { accountId: number; receivableIds: number[] };
  const paid: Array<{ serial: string; accountNo: string; amountFen: number }> = [];

  it('signs in, and signing in again to the open day changes nothing', async () => {
    const terminal = demoTerminal(app);
    const first = await terminal.signin(today);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ terminalId: terminal.terminalId, accountingDate: today, status: 'open' });
    const again = await terminal.signin(today);
    expect(again.body).toEqual(first.body);
  });

  it('queries an account: masked holder and address, receivables oldest first with late fees, prepayment', async () => {
    owed = await oweBills(app.runtime.deps.database.pool, '3301000003', [
      { month: '2025-02', principalFen: 8_000 },
      // 1,234.5 fen of late fee shows as 1,235 (half up).
      { month: '2025-01', principalFen: 12_000, lateFeeMillifen: 1_234_500 },
    ]);
    const { status, body } = await demoTerminal(app).query('3301000003');
    expect(status).toBe(200);
    expect(body).toEqual({
      accountNo: '3301000003',
      holderName: '李*',
      address: '杭州市拱墅区****',
      billingMode: 'postpaid',
      receivables: [
        { receivableId: owed.receivableIds[1], month: '2025-01', dueDate: '2025-01-20', principalFen: 12_000, principalOwedFen: 12_000, lateFeeFen: 1_235 },
        { receivableId: owed.receivableIds[0], month: '2025-02', dueDate: '2025-02-20', principalFen: 8_000, principalOwedFen: 8_000, lateFeeFen: 0 },
      ],
      totalOwedFen: 21_235,
      prepaymentFen: 0,
    });
  });

  it('pays the late fee first, then the oldest principal, then the next bill', async () => {
    const serial = nextSerial();
    const { status, body, headers } = await demoTerminal(app).pay({ serial, accountingDate: today, accountNo: '3301000003', amountFen: 15_000 });
    expect(status).toBe(200);
    expect(headers.get('Idempotent-Replayed')).toBeNull();
    expect(body).toMatchObject({
      serial,
      accountingDate: today,
      amountFen: 15_000,
      status: 'accepted',
      allocation: {
        lines: [
          { receivableId: owed.receivableIds[1], month: '2025-01', lateFeeFen: 1_235, principalFen: 12_000 },
          { receivableId: owed.receivableIds[0], month: '2025-02', lateFeeFen: 0, principalFen: 1_765 },
        ],
        prepaymentFen: 0,
      },
    });
    expect(await receivable(owed.receivableIds[1]!)).toEqual({ principal: 12_000, lateFee: 1_235, settled: true });
    expect(await receivable(owed.receivableIds[0]!)).toEqual({ principal: 1_765, lateFee: 0, settled: false });
    paid.push({ serial, accountNo: '3301000003', amountFen: 15_000 });
  });

  it('puts what is left after the debts into prepayment', async () => {
    const serial = nextSerial();
    const { body } = await demoTerminal(app).pay({ serial, accountingDate: today, accountNo: '3301000003', amountFen: 10_000 });
    expect(body.allocation).toEqual({
      lines: [{ receivableId: owed.receivableIds[0], month: '2025-02', lateFeeFen: 0, principalFen: 6_235 }],
      prepaymentFen: 3_765,
    });
    expect((await demoTerminal(app).query('3301000003')).body).toMatchObject({ receivables: [], totalOwedFen: 0, prepaymentFen: 3_765 });
    paid.push({ serial, accountNo: '3301000003', amountFen: 10_000 });
  });

  it('pays only the receivables listed, when the terminal names them', async () => {
    const {
      receivableIds: [older, newer],
    } = await oweBills(app.runtime.deps.database.pool, '3301000004', [
      { month: '2025-03', principalFen: 5_000 },
      { month: '2025-04', principalFen: 7_000 },
    ]);
    const serial = nextSerial();
    const { body } = await demoTerminal(app).pay({ serial, accountingDate: today, accountNo: '3301000004', amountFen: 7_000, receivableIds: [newer!] });
    expect(body.allocation).toEqual({ lines: [{ receivableId: newer, month: '2025-04', lateFeeFen: 0, principalFen: 7_000 }], prepaymentFen: 0 });
    expect(await receivable(older!)).toEqual({ principal: 0, lateFee: 0, settled: false });
    paid.push({ serial, accountNo: '3301000004', amountFen: 7_000 });
  });

  it('reverses a payment of the day: exactly what it did is undone', async () => {
    const before = await ledgerTotal(app.runtime.deps.database.pool, [owed.accountId]);
    const {
      receivableIds: [fresh],
    } = await oweBills(app.runtime.deps.database.pool, '3301000003', [{ month: '2025-05', principalFen: 4_000 }]);
    const original = nextSerial();
    const pay = await demoTerminal(app).pay({ serial: original, accountingDate: today, accountNo: '3301000003', amountFen: 5_000 });
    expect(pay.body.allocation).toEqual({ lines: [{ receivableId: fresh, month: '2025-05', lateFeeFen: 0, principalFen: 4_000 }], prepaymentFen: 1_000 });
    const serial = nextSerial();
    const reversal = await demoTerminal(app).reverse({ serial, accountingDate: today, originalSerial: original, amountFen: 5_000 });
    expect(reversal.status).toBe(200);
    expect(reversal.body).toMatchObject({ serial, originalSerial: original, amountFen: 5_000, status: 'reversed' });
    expect(await receivable(fresh!)).toEqual({ principal: 0, lateFee: 0, settled: false });
    expect(await ledgerTotal(app.runtime.deps.database.pool, [owed.accountId])).toBe(before);
    const entries = await sql(`SELECT kind, amount_fen FROM balance_entries WHERE account_id = $1 ORDER BY id`, [owed.accountId]);
    expect(entries.rows).toEqual([
      { kind: 'prepayment', amount_fen: 3_765 },
      { kind: 'prepayment', amount_fen: 1_000 },
      { kind: 'reversal', amount_fen: -1_000 },
    ]);
  });

  it('signs out with the count and total of the payments that stand', async () => {
    const { status, body } = await demoTerminal(app).signout(today);
    expect(status).toBe(200);
    expect(body).toMatchObject({ accountingDate: today, status: 'closed', count: 3, totalFen: 32_000 });
    expect((await demoTerminal(app).signout(today)).body).toEqual(body);
  });

  it('reconciles its own honest file with no mismatches, and the same file again gives the same answer', async () => {
    const file = dayFile(today, paid);
    const first = await demoTerminal(app).reconcile(today, file);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      accountingDate: today,
      ours: { count: 3, totalFen: 32_000 },
      theirs: { count: 3, totalFen: 32_000 },
      matched: 3,
      long: 0,
      short: 0,
      amountMismatch: 0,
      accountMismatch: 0,
      mismatches: [],
    });
    const again = await demoTerminal(app).reconcile(today, file);
    expect(again.body).toEqual(first.body);
    const refused = await demoTerminal(app).reconcile(today, dayFile(today, paid.slice(1)));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ALREADY_RECONCILED');
  });
});

describe('what a terminal is refused during its day', () => {
  const code = (reply: { status: number; body: any }) => [reply.status, reply.body.error?.code];

  it('needs a signed-in day for every message, and a date within a day of today to sign in', async () => {
    const terminal = await registerTerminal(app);
    expect(code(await terminal.query('3301000001'))).toEqual([409, 'NOT_SIGNED_IN']);
    expect(code(await terminal.pay({ serial: nextSerial(), accountingDate: today, accountNo: '3301000001', amountFen: 100 }))).toEqual([409, 'NOT_SIGNED_IN']);
    expect(code(await terminal.reverse({ serial: nextSerial(), accountingDate: today, originalSerial: 'X1', amountFen: 100 }))).toEqual([409, 'NOT_SIGNED_IN']);
    expect(code(await terminal.signout(today))).toEqual([409, 'NOT_SIGNED_IN']);
    expect(code(await terminal.reconcile(today, dayFile(today, [])))).toEqual([409, 'NOT_SIGNED_IN']);
    expect(code(await terminal.signin(addDays(today, -3)))).toEqual([400, 'ACCOUNTING_DATE_INVALID']);
  });

  it('keeps one day open at a time, never reopens a closed one, and reconciles only after sign-out', async () => {
    const terminal = await registerTerminal(app);
    const yesterday = addDays(today, -1);
    expect((await terminal.signin(yesterday)).status).toBe(200);
    const second = await terminal.signin(today);
    expect(code(second)).toEqual([409, 'DAY_STILL_OPEN']);
    expect(second.body.error.details).toEqual({ openDay: yesterday });
    expect(code(await terminal.reconcile(yesterday, dayFile(yesterday, [])))).toEqual([409, 'DAY_NOT_CLOSED']);
    expect((await terminal.signout(yesterday)).status).toBe(200);
    expect(code(await terminal.signin(yesterday))).toEqual([409, 'DAY_CLOSED']);
    expect(code(await terminal.pay({ serial: nextSerial(), accountingDate: yesterday, accountNo: '3301000001', amountFen: 100 }))).toEqual([409, 'DAY_CLOSED']);
    expect(code(await terminal.reverse({ serial: nextSerial(), accountingDate: yesterday, originalSerial: 'X1', amountFen: 100 }))).toEqual([
      409,
      'DAY_CLOSED',
    ]);
    expect((await terminal.signin(today)).status).toBe(200);
    // A pay for a day other than the open one has no day to go in.
    expect(code(await terminal.pay({ serial: nextSerial(), accountingDate: addDays(today, 1), accountNo: '3301000001', amountFen: 100 }))).toEqual([
      409,
      'NOT_SIGNED_IN',
    ]);
  });

  it('refuses unknown accounts, bad amounts, foreign receivables and reused serials, writing nothing', async () => {
    const terminal = await registerTerminal(app);
    await terminal.signin(today);
    const pay = (fields: Partial<{ serial: string; accountNo: string; amountFen: number; receivableIds: number[] }>) =>
      terminal.pay({ serial: nextSerial(), accountingDate: today, accountNo: '3301000001', amountFen: 100, ...fields });
    expect(code(await terminal.query('9999999999'))).toEqual([404, 'ACCOUNT_UNKNOWN']);
    expect(code(await pay({ accountNo: '9999999999' }))).toEqual([404, 'ACCOUNT_UNKNOWN']);
    expect(code(await pay({ amountFen: 0 }))).toEqual([400, 'AMOUNT_INVALID']);
    expect(code(await pay({ amountFen: -500 }))).toEqual([400, 'AMOUNT_INVALID']);
    expect(code(await pay({ amountFen: 100_000_001 }))).toEqual([400, 'AMOUNT_INVALID']);
    expect(code(await terminal.send('pay', { serial: nextSerial(), accountingDate: today, accountNo: '3301000001', amountFen: 12.5 }))).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    const {
      receivableIds: [foreign],
    } = await oweBills(app.runtime.deps.database.pool, '3301000006', [{ month: '2025-06', principalFen: 900 }]);
    const notOurs = await pay({ receivableIds: [foreign!] });
    expect(code(notOurs)).toEqual([409, 'RECEIVABLE_NOT_OPEN']);
    expect(notOurs.body.error.details).toEqual({ receivableIds: [foreign] });

    const serial = nextSerial();
    expect((await pay({ serial, amountFen: 300 })).status).toBe(200);
    const reused = await pay({ serial, amountFen: 301 });
    expect(code(reused)).toEqual([422, 'SERIAL_REUSED']);
    const { rows } = await sql('SELECT count(*)::int AS n FROM terminal_transactions t JOIN terminals r ON r.id = t.terminal_pk WHERE r.terminal_id = $1', [
      terminal.terminalId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('answers malformed requests with the generic codes the guide lists', async () => {
    const terminal = demoTerminal(app);
    expect(code(await terminal.send('query', {}, { sendBody: '{"accountNo":' }))).toEqual([400, 'MALFORMED_JSON']);
    const tooLarge = await terminal.reconcile(today, `H|${today}|0|0\n${'#'.repeat(1_100_000)}`);
    expect(code(tooLarge)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(code(await app.request('POST', '/api/terminal/v1/refund', { body: {} }))).toEqual([404, 'ROUTE_NOT_FOUND']);
    expect(code(await app.request('GET', '/api/terminal/v1/pay'))).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });

  it('reverses only a known payment of the day, once, for its full amount', async () => {
    const terminal = await registerTerminal(app);
    await terminal.signin(today);
    const original = nextSerial();
    await terminal.pay({ serial: original, accountingDate: today, accountNo: '3301000001', amountFen: 2_000 });
    const reverse = (fields: Partial<{ serial: string; originalSerial: string; amountFen: number }>) =>
      terminal.reverse({ serial: nextSerial(), accountingDate: today, originalSerial: original, amountFen: 2_000, ...fields });
    expect(code(await reverse({ originalSerial: 'NEVER-SENT' }))).toEqual([404, 'ORIGINAL_UNKNOWN']);
    expect(code(await reverse({ amountFen: 1_000 }))).toEqual([400, 'AMOUNT_INVALID']);
    const first = await reverse({});
    expect(first.status).toBe(200);
    // The reversal's own serial is not a payment that can be reversed.
    expect(code(await reverse({ originalSerial: first.body.serial }))).toEqual([404, 'ORIGINAL_UNKNOWN']);
    const second = await reverse({});
    expect(code(second)).toEqual([409, 'ALREADY_REVERSED']);
    expect(second.body.error.details).toEqual({ reversedBy: first.body.serial });
  });

  it('refuses a file whose header does not add up, saying which line is wrong', async () => {
    const terminal = await registerTerminal(app);
    await terminal.signin(today);
    await terminal.signout(today);
    const bad = await terminal.reconcile(today, 'H|2020-01-01|1|100\nD|A1|3301000001|100\nD|A1|3301000001|abc\n');
    expect(code(bad)).toEqual([400, 'RECONCILE_FILE_INVALID']);
    expect(bad.body.error.details.problems).toEqual([`line 1: the file is for 2020-01-01, not ${today}`, 'line 3: "abc" is not a positive amount in fen']);
    const totals = await terminal.reconcile(today, `H|${today}|2|150\nD|A1|3301000001|100\n`);
    expect(totals.body.error.details.problems).toEqual(['header: count 2, but the file has 1 lines']);
  });
});

describe('reconciliation mismatches, settled by staff', () => {
  const accountId = async (accountNo: string) => (await sql('SELECT id FROM electricity_accounts WHERE account_no = $1', [accountNo])).rows[0].id as number;
  const held = async (accountNo: string) => ledgerTotal(app.runtime.deps.database.pool, [await accountId(accountNo)]);

  it('classifies long, short, amount and account differences, and staff accept ours or theirs with a reason', async () => {
    const terminal = await registerTerminal(app);
    await terminal.signin(today);
    const line = (accountNo: string, amountFen: number) => ({ serial: nextSerial(), accountNo, amountFen });
    const [a, b, c, d] = [line('3301000001', 1_000), line('3301000001', 2_000), line('3301000003', 3_000), line('3301000004', 4_000)];
    for (const pay of [a, b, c, d]) expect((await terminal.pay({ ...pay!, accountingDate: today })).status).toBe(200);
    await terminal.signout(today);
    const e = line('3301000001', 500);
    const f = line('9999999999', 800);
    const theirs = [a!, { ...c!, amountFen: 3_500 }, { ...d!, accountNo: '3301000006' }, e, f];
    const reconciled = await terminal.reconcile(today, dayFile(today, theirs));
    expect(reconciled.body).toMatchObject({
      ours: { count: 4, totalFen: 10_000 },
      theirs: { count: 5, totalFen: 9_800 },
      matched: 1,
      long: 1,
      short: 2,
      amountMismatch: 1,
      accountMismatch: 1,
    });

    const staff = await staffSession(app, 'backoffice');
    const listed = await app.request('GET', `/api/staff/terminals/mismatches?terminalId=${terminal.terminalId}`, { headers: staff });
    expect(listed.status).toBe(200);
    const bySerial = Object.fromEntries(listed.body.mismatches.map((m: { serial: string }) => [m.serial, m]));
    expect(bySerial[b!.serial]).toMatchObject({
      kind: 'long',
      ours: { accountNo: '3301000001', amountFen: 2_000 },
      theirs: null,
      status: 'open',
      resolution: null,
    });
    expect(bySerial[c!.serial]).toMatchObject({ kind: 'amount', ours: { amountFen: 3_000 }, theirs: { amountFen: 3_500 } });
    expect(bySerial[d!.serial]).toMatchObject({ kind: 'account', ours: { accountNo: '3301000004' }, theirs: { accountNo: '3301000006' } });
    expect(bySerial[e.serial]).toMatchObject({ kind: 'short', ours: null, theirs: { accountNo: '3301000001', amountFen: 500 } });
    expect(Object.keys(bySerial)).toHaveLength(5);

    const resolve = (serial: string, accept: 'ours' | 'theirs', reason = 'checked against the bank statement') =>
      app.request('POST', `/api/staff/terminals/mismatches/${bySerial[serial].id}/resolve`, { headers: staff, body: { accept, reason } });
    const before = { r1: await held('3301000001'), r3: await held('3301000003'), r4: await held('3301000004'), r6: await held('3301000006') };

    // Long, accepted as ours: the bank owes us; nothing moves.
    const kept = await resolve(b!.serial, 'ours', 'bank confirmed the payment by phone');
    expect(kept.body.mismatch).toMatchObject({ status: 'accepted_ours', resolution: { reason: 'bank confirmed the payment by phone', by: 'backoffice' } });
    // Amount, accepted as theirs: our 3,000 undone and their 3,500 posted.
    expect((await resolve(c!.serial, 'theirs')).body.mismatch.status).toBe('accepted_theirs');
    // Account, accepted as theirs: the money moves from 3301000004 to 3301000006.
    await resolve(d!.serial, 'theirs');
    // Short, accepted as theirs: their payment is posted now.
    await resolve(e.serial, 'theirs');
    expect({ r1: await held('3301000001'), r3: await held('3301000003'), r4: await held('3301000004'), r6: await held('3301000006') }).toEqual({
      r1: before.r1 + 500,
      r3: before.r3 + 500,
      r4: before.r4 - 4_000,
      r6: before.r6 + 4_000,
    });

    // Their line names an account we do not have: theirs cannot be posted, so it stays open until ours is accepted.
    const unknown = await resolve(f.serial, 'theirs');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ACCOUNT_UNKNOWN']);
    expect((await resolve(f.serial, 'ours', 'no such account; bank refunds the customer')).status).toBe(200);
    const twice = await resolve(b!.serial, 'theirs');
    expect([twice.status, twice.body.error.code]).toEqual([409, 'MISMATCH_RESOLVED']);
    expect((await resolve(e.serial, 'ours', 'no')).status).toBe(400);

    const open = await app.request('GET', `/api/staff/terminals/mismatches?terminalId=${terminal.terminalId}`, { headers: staff });
    expect(open.body.mismatches).toEqual([]);
    const resolved = await app.request('GET', `/api/staff/terminals/mismatches?status=resolved&terminalId=${terminal.terminalId}`, { headers: staff });
    expect(resolved.body.mismatches.map((m: { status: string }) => m.status).sort()).toEqual([
      'accepted_ours',
      'accepted_ours',
      'accepted_theirs',
      'accepted_theirs',
      'accepted_theirs',
    ]);
    const { rows: audit } = await sql(
      `SELECT a.details->>'serial' AS serial, a.details->>'accept' AS accept, a.details->>'reason' AS reason, s.username
         FROM terminal_audit a JOIN terminals t ON t.id = a.terminal_pk JOIN staff_users s ON s.id = a.staff_id
        WHERE t.terminal_id = $1 AND a.action = 'mismatch_resolved' ORDER BY a.id`,
      [terminal.terminalId],
    );
    expect(audit.map((row) => [row.serial, row.accept, row.username])).toEqual([
      [b!.serial, 'ours', 'backoffice'],
      [c!.serial, 'theirs', 'backoffice'],
      [d!.serial, 'theirs', 'backoffice'],
      [e.serial, 'theirs', 'backoffice'],
      [f.serial, 'ours', 'backoffice'],
    ]);

    const days = await app.request('GET', `/api/staff/terminals/${terminal.terminalId}/days`, { headers: staff });
    expect(days.body.days).toEqual([
      expect.objectContaining({
        accountingDate: today,
        status: 'closed',
        count: 4,
        totalFen: 10_000,
        reconciled: expect.objectContaining({ matched: 1, mismatches: 5 }),
      }),
    ]);
    expect((await app.request('GET', '/api/staff/terminals/mismatches', { headers: await staffSession(app, 'grid-xh') })).status).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('describes every terminal message with its signed headers, security scheme and error statuses', async () => {
    const { body } = await app.request('GET', '/api/openapi.json');
    for (const message of ['signin', 'query', 'pay', 'reverse', 'signout', 'reconcile']) {
      const operation = body.paths[`/api/terminal/v1/${message}`].post;
      expect(operation.security).toEqual([{ terminalSignature: [] }]);
      expect(operation.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name)).toEqual([
        'X-Terminal-Id',
        'X-Timestamp',
        'X-Nonce',
        'X-Signature',
      ]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    }
    expect(body.components.securitySchemes.terminalSignature.description).toContain('docs/terminal-api.md');
    expect(body.paths['/api/terminal/v1/pay'].post.requestBody.content['application/json'].schema.required).toEqual([
      'serial',
      'accountingDate',
      'accountNo',
      'amountFen',
    ]);
    expect(body.paths['/api/staff/terminals/mismatches/{mismatchId}/resolve'].post.security).toEqual([{ staffToken: [] }]);
  });
});
