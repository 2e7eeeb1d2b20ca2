import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../shared/dates';
import { startTestApp, type TestApp } from '../support/harness';
import { ledgerTotal, oweBills } from '../support/receivables';

// `npm run terminal -- …` as a person demoing a day would type it, each command its own process.
const ROOT = path.resolve(import.meta.dirname, '../..');
let app: TestApp;
let dataDir: string;

async function terminal(...args: string[]): Promise<{ code: number; out: string; body: any }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'mock/src/terminal/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, TERMINAL_API_URL: app.url },
  });
  const { stdout, code } = await run.then(
    (result) => ({ stdout: result.stdout, code: 0 }),
    (err: { stdout: string; code: number }) => ({ stdout: err.stdout, code: err.code }),
  );
  const json = stdout.indexOf('{');
  return { code, out: stdout, body: json >= 0 ? JSON.parse(stdout.slice(json)) : undefined };
}

beforeAll(async () => {
  app = await startTestApp();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-terminal-cli-'));
});
afterAll(async () => {
  await app?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('npm run terminal', () => {
  it('runs a whole day as the demo terminal: sign in, query, pay, reverse, sign out, write the file, reconcile', async () => {
    const today = shanghaiDate(new Date());
    const { accountId } = await oweBills(app.runtime.deps.database.pool, '3301000001', [{ month: '2025-07', principalFen: 3_000 }]);
    expect((await terminal('signin')).body).toMatchObject({ accountingDate: today, status: 'open' });
    expect((await terminal('query', '3301000001')).body).toMatchObject({ holderName: '张*', totalOwedFen: 3_000 });
    const first = await terminal('pay', '3301000001', '5000');
    expect(first.code).toBe(0);
    expect(first.body).toMatchObject({ status: 'accepted', allocation: { prepaymentFen: 2_000 } });
    const second = await terminal('pay', '3301000001', '1200');
    expect((await terminal('reverse', first.body.serial)).body).toMatchObject({ originalSerial: first.body.serial, status: 'reversed' });
    expect(await ledgerTotal(app.runtime.deps.database.pool, [accountId])).toBe(1_200);
    expect((await terminal('signout')).body).toMatchObject({ count: 1, totalFen: 1_200 });
    const file = await terminal('file');
    expect(await fs.readFile(file.out.trim(), 'utf8')).toBe(`H|${today}|1|1200\nD|${second.body.serial}|3301000001|1200\n`);
    const reconciled = await terminal('reconcile');
    expect(reconciled.body).toMatchObject({ matched: 1, long: 0, short: 0, mismatches: [] });
    // A refusal exits non-zero with the error printed.
    const refused = await terminal('pay', '3301000001', '100');
    expect(refused.code).toBe(1);
    expect(refused.body.error.code).toBe('DAY_CLOSED');
  });
});
