import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayFile, type TerminalClient } from '../../mock/src/terminal/client';
import { shanghaiDate } from '../../shared/dates';
import { startTestApp, type TestApp } from '../support/harness';
import { ledgerTotal, oweBills } from '../support/receivables';
import { nextSerial, registerTerminal } from '../support/terminals';

// Replays, races and a random day: whatever order and however often messages arrive, money moves
// once per accepted pay and is taken back once per reversal.
let app: TestApp;
const today = shanghaiDate(new Date());
const pool = () => app.runtime.deps.database.pool;
const ACCOUNTS = ['3301000001', '3301000003', '3301000004'];
let accountIds: number[];

beforeAll(async () => {
  app = await startTestApp();
  accountIds = [];
  for (const [index, accountNo] of ACCOUNTS.entries()) {
    // Something owed on each, with a late fee, so pays are split between receivables and prepayment.
    const { accountId } = await oweBills(pool(), accountNo, [
      { month: '2025-01', principalFen: 3_000 + index * 1_000, lateFeeMillifen: 150_000 },
      { month: '2025-02', principalFen: 2_500 },
    ]);
    accountIds.push(accountId);
  }
});
afterAll(() => app?.stop());

async function signedIn(): Promise<TerminalClient> {
  const terminal = await registerTerminal(app);
  expect((await terminal.signin(today)).status).toBe(200);
  return terminal;
}

const rowsFor = async (terminal: TerminalClient) =>
  (
    await pool().query(
      `SELECT t.serial, t.kind, t.status FROM terminal_transactions t JOIN terminals r ON r.id = t.terminal_pk WHERE r.terminal_id = $1 ORDER BY t.id`,
      [terminal.terminalId],
    )
  ).rows;

describe('replays', () => {
  it('posts the same pay sent 20 times at once exactly once; every sender gets the first reply', async () => {
    const terminal = await signedIn();
    const before = await ledgerTotal(pool(), accountIds);
    const pay = { serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[0]!, amountFen: 1_234 };
    const replies = await Promise.all(Array.from({ length: 20 }, () => terminal.pay(pay)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((reply) => JSON.stringify(reply.body))).size).toBe(1);
    expect(replies.filter((reply) => reply.headers.get('Idempotent-Replayed') === 'true')).toHaveLength(19);
    expect(await ledgerTotal(pool(), accountIds)).toBe(before + 1_234);
    expect(await rowsFor(terminal)).toEqual([{ serial: pay.serial, kind: 'pay', status: 'posted' }]);
    const { rows } = await pool().query('SELECT count(*)::int AS n FROM payment_allocations WHERE ref LIKE $1', [`%:${pay.serial}`]);
    expect(rows[0].n).toBe(1);
  });

  it('answers a reversal racing retries of its pay once: reversed, and the retries still get the first reply', async () => {
    const terminal = await signedIn();
    const before = await ledgerTotal(pool(), accountIds);
    const pay = { serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[1]!, amountFen: 2_000 };
    const first = await terminal.pay(pay);
    const reversal = { serial: nextSerial(), accountingDate: today, originalSerial: pay.serial, amountFen: 2_000 };
    const [reversed, ...retries] = await Promise.all([
      terminal.reverse(reversal),
      ...Array.from({ length: 5 }, () => terminal.pay(pay)),
      terminal.reverse(reversal),
    ]);
    expect(reversed!.status).toBe(200);
    expect(retries.slice(0, 5).map((reply) => reply.body)).toEqual(Array(5).fill(first.body));
    // The reversal's own retry is a replay of it, not a second reversal.
    expect(retries[5]!.status).toBe(200);
    expect(retries[5]!.body).toEqual(reversed!.body);
    expect(await ledgerTotal(pool(), accountIds)).toBe(before);
    expect(await rowsFor(terminal)).toEqual([
      { serial: pay.serial, kind: 'pay', status: 'reversed' },
      { serial: reversal.serial, kind: 'reverse', status: 'posted' },
    ]);
  });

  it('lets a pay and a reversal sent at the same moment never both take effect', async () => {
    const terminal = await signedIn();
    let net = 0;
    const before = await ledgerTotal(pool(), accountIds);
    for (let round = 0; round < 8; round += 1) {
      const pay = { serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[round % 3]!, amountFen: 500 + round };
      const [paid, reversed] = await Promise.all([
        terminal.pay(pay),
        terminal.reverse({ serial: nextSerial(), accountingDate: today, originalSerial: pay.serial, amountFen: pay.amountFen }),
      ]);
      expect(paid.status).toBe(200);
      // Either the reversal came first and found nothing to reverse, or it reversed the committed pay.
      expect([200, 404]).toContain(reversed.status);
      if (reversed.status === 404) expect(reversed.body.error.code).toBe('ORIGINAL_UNKNOWN');
      const [row] = (await rowsFor(terminal)).filter((candidate) => candidate.serial === pay.serial);
      expect(row.status).toBe(reversed.status === 200 ? 'reversed' : 'posted');
      if (reversed.status === 404) net += pay.amountFen;
    }
    expect(await ledgerTotal(pool(), accountIds)).toBe(before + net);
  });

  it('gives one serial to one message when a pay and a reversal claim it together', async () => {
    const terminal = await signedIn();
    const target = nextSerial();
    await terminal.pay({ serial: target, accountingDate: today, accountNo: ACCOUNTS[2]!, amountFen: 700 });
    const shared = nextSerial();
    const [pay, reverse] = await Promise.all([
      terminal.pay({ serial: shared, accountingDate: today, accountNo: ACCOUNTS[2]!, amountFen: 700 }),
      terminal.reverse({ serial: shared, accountingDate: today, originalSerial: target, amountFen: 700 }),
    ]);
    const statuses = [pay.status, reverse.status].sort();
    expect(statuses).toEqual([200, 422]);
    expect([pay, reverse].find((reply) => reply.status === 422)!.body.error.code).toBe('SERIAL_REUSED');
    expect((await rowsFor(terminal)).filter((row) => row.serial === shared)).toHaveLength(1);
  });

  it('reverses a payment once when two different reversals of it race', async () => {
    const terminal = await signedIn();
    const before = await ledgerTotal(pool(), accountIds);
    const pay = { serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[0]!, amountFen: 900 };
    await terminal.pay(pay);
    const replies = await Promise.all(
      [1, 2, 3].map(() => terminal.reverse({ serial: nextSerial(), accountingDate: today, originalSerial: pay.serial, amountFen: 900 })),
    );
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409, 409]);
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.error.code === 'ALREADY_REVERSED')).toBe(true);
    expect(await ledgerTotal(pool(), accountIds)).toBe(before);
  });
});

describe('the end of the day', () => {
  it('counts at sign-out exactly the pays accepted before it, and refuses those after', async () => {
    const terminal = await signedIn();
    const pays = Array.from({ length: 20 }, (_, index) => ({
      serial: nextSerial(),
      accountingDate: today,
      accountNo: ACCOUNTS[index % 3]!,
      amountFen: 100 + index,
    }));
    const sent = pays.map((pay) => terminal.pay(pay));
    // Sign-out goes as soon as the first pay is answered, while the others are still on their way.
    const [signout, replies] = await Promise.all([Promise.race(sent).then(() => terminal.signout(today)), Promise.all(sent)]);
    const accepted = pays.filter((_, index) => replies[index]!.status === 200);
    expect(accepted.length).toBeGreaterThan(0);
    for (const reply of replies.filter((candidate) => candidate.status !== 200)) expect(reply.body.error.code).toBe('DAY_CLOSED');
    expect(signout.body).toMatchObject({ count: accepted.length, totalFen: accepted.reduce((sum, pay) => sum + pay.amountFen, 0) });

    // After sign-out: a new pay is refused, a retry of an accepted one still gets its first reply.
    const late = await terminal.pay({ serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[0]!, amountFen: 100 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('DAY_CLOSED');
    const retry = await terminal.pay(accepted[0]!);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
  });

  it('reconciles a day once when the file is sent twice at once', async () => {
    const terminal = await signedIn();
    const pay = { serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[1]!, amountFen: 4_321 };
    await terminal.pay(pay);
    await terminal.signout(today);
    // Their file has a payment we never received: one short mismatch, recorded once.
    const file = dayFile(today, [pay, { serial: 'THEIRS-ONLY', accountNo: ACCOUNTS[1]!, amountFen: 50 }]);
    const [first, second] = await Promise.all([terminal.reconcile(today, file), terminal.reconcile(today, file)]);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body).toMatchObject({ matched: 1, short: 1, mismatches: [{ serial: 'THEIRS-ONLY', kind: 'short', ourAmountFen: null, theirAmountFen: 50 }] });
    const { rows } = await pool().query(
      `SELECT count(*)::int AS n FROM terminal_mismatches m JOIN terminals t ON t.id = m.terminal_pk WHERE t.terminal_id = $1`,
      [terminal.terminalId],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('a random day', () => {
  type Step = { kind: 'pay'; account: number; amountFen: number; repeat: boolean } | { kind: 'reverse'; pick: number; repeat: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('pay' as const), account: fc.nat(2), amountFen: fc.integer({ min: 1, max: 20_000 }), repeat: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat(), repeat: fc.boolean() }) },
  );

  it('moves the ledger by accepted pays minus reversals, and the terminal’s honest file reconciles with no mismatch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const terminal = await signedIn();
        const before = await ledgerTotal(pool(), accountIds);
        // The terminal's own journal: what it was told was accepted, and what it reversed.
        const journal: Array<{ serial: string; accountNo: string; amountFen: number; reversed: boolean }> = [];
        for (const item of steps) {
          if (item.kind === 'pay') {
            const pay = { serial: nextSerial(), accountingDate: today, accountNo: ACCOUNTS[item.account]!, amountFen: item.amountFen };
            const replies = await Promise.all(item.repeat ? [terminal.pay(pay), terminal.pay(pay)] : [terminal.pay(pay)]);
            expect(replies.every((reply) => reply.status === 200)).toBe(true);
            journal.push({ ...pay, reversed: false });
          } else {
            const open = journal.filter((entry) => !entry.reversed);
            if (!open.length) continue;
            const target = open[item.pick % open.length]!;
            const reversal = { serial: nextSerial(), accountingDate: today, originalSerial: target.serial, amountFen: target.amountFen };
            const replies = await Promise.all(item.repeat ? [terminal.reverse(reversal), terminal.reverse(reversal)] : [terminal.reverse(reversal)]);
            expect(replies.every((reply) => reply.status === 200)).toBe(true);
            target.reversed = true;
          }
        }
        const standing = journal.filter((entry) => !entry.reversed);
        const net = standing.reduce((sum, entry) => sum + entry.amountFen, 0);
        expect(await ledgerTotal(pool(), accountIds)).toBe(before + net);
        const closed = await terminal.signout(today);
        expect(closed.body).toMatchObject({ count: standing.length, totalFen: net });
        const reconciled = await terminal.reconcile(today, dayFile(today, standing));
        expect(reconciled.body).toMatchObject({ matched: standing.length, long: 0, short: 0, amountMismatch: 0, accountMismatch: 0, mismatches: [] });
      }),
      { numRuns: 10 },
    );
  });
});
