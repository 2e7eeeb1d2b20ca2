import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

// A stream error nobody listened for and a promise nobody awaited, in a real process with the guard on:
// both are logged and counted, and the process carries on to its normal end.
it('logs an uncaught exception and an unhandled rejection and keeps the process running', () => {
  const script = `
    import { pino } from 'pino';
    import { Readable } from 'node:stream';
    import { guardProcess, processFaults } from './server/src/process-guard.ts';
    guardProcess(pino());
    const stream = new Readable({ read() {} });
    stream.destroy(new Error('stream failed with no listener'));
    Promise.reject(new Error('nobody awaited this'));
    setTimeout(() => console.log(JSON.stringify({ msg: 'still running', faults: processFaults })), 100);
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  const lines = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
  expect(run.status, run.stderr).toBe(0);
  expect(lines.find((line) => line.err?.message === 'stream failed with no listener')?.msg).toMatch(/uncaught exception .* still serving/);
  expect(lines.find((line) => line.err?.message === 'nobody awaited this')?.msg).toMatch(/unhandled promise rejection .* still serving/);
  expect(lines.at(-1)).toMatchObject({ msg: 'still running', faults: { uncaughtException: 1, unhandledRejection: 1 } });
});
