#!/usr/bin/env node
/**
 * `npm test`: makes sure the system packages are there, runs every vitest project, and ends with
 * one line `N passed, N failed` counted from vitest's JSON report.
 *
 * `npm test -- --today=2028-02-29 [vitest filters…]` (or TEST_TODAY=2028-02-29) runs the tests as if
 * today were that date, 10:00 in Asia/Shanghai: libfaketime is preloaded into vitest and everything it
 * starts (the server, the mock peers, the embedded PostgreSQL's now() and CURRENT_DATE), shifted by one
 * fixed offset so every process agrees on the time, and the clock still runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const LIBFAKETIME = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/faketime/libfaketime.so.1`;

const deps = spawnSync(process.execPath, ['scripts/system-deps.mjs'], { stdio: 'inherit' });
if (deps.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const args = process.argv.slice(2);
const todayArg = args.find((arg) => arg.startsWith('--today='));
const vitestArgs = args.filter((arg) => arg !== todayArg);
const today = todayArg?.slice('--today='.length) ?? process.env.TEST_TODAY;

/** The environment that makes vitest and its children see `date` as today. */
function fakedToday(date) {
  const at = Date.parse(`${date}T10:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== date) {
    console.error(`--today must be a calendar date, YYYY-MM-DD; got "${date}"`);
    return undefined;
  }
  if (!existsSync(LIBFAKETIME)) {
    console.error(`A faked date needs libfaketime (${LIBFAKETIME}); run: apt-get install -y faketime (or: node scripts/system-deps.mjs)`);
    return undefined;
  }
  // A relative offset, not an absolute start time: each process would otherwise start its own clock
  // at 10:00 whenever it was launched, and the server, PostgreSQL and the tests would disagree.
  const offset = Math.round((at - Date.now()) / 1000);
  console.log(`Tests run as if today were ${date} (from 10:00 Asia/Shanghai), through libfaketime`);
  return {
    TEST_TODAY: date,
    LD_PRELOAD: [LIBFAKETIME, process.env.LD_PRELOAD].filter(Boolean).join(' '),
    FAKETIME: `${offset >= 0 ? '+' : ''}${offset}`,
    // Timers and performance.now() keep the real monotonic clock; only the calendar moves.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

let env = process.env;
if (today) {
  const faked = fakedToday(today);
  if (!faked) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  env = { ...process.env, ...faked };
  // The faked clock must really be in effect, or the run would pass for the real date.
  const seen = spawnSync(process.execPath, ['-e', 'process.stdout.write(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10))'], {
    env,
    encoding: 'utf8',
  });
  if (seen.stdout !== today) {
    console.error(`libfaketime did not take: a child process sees ${seen.stdout || seen.stderr}, not ${today}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

mkdirSync('.data', { recursive: true });
const report = '.data/vitest-report.json';
rmSync(report, { force: true });
const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs], {
  stdio: 'inherit',
  env,
});

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  skipped = results.numPendingTests + results.numTodoTests;
  // A file that failed to load has no tests to count but is still a failure.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
} catch {
  failed += 1;
}
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
