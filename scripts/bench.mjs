#!/usr/bin/env node
/** `npm run bench`: every benchmark in test/bench, one after the other, printing their figures. */
import { spawnSync } from 'node:child_process';
import { ensureBuild } from './ensure-build.mjs';

ensureBuild('h5');
for (const bench of [
  'test/bench/api.ts',
  'test/bench/h5-load.ts',
  'test/bench/terminal-pay.ts',
  'test/bench/bill-run.ts',
  'test/bench/fanout.ts',
  'test/bench/requests.ts',
  'test/bench/payment-notify.ts',
  'test/bench/soak.ts',
]) {
  process.stdout.write(`\n== ${bench}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', bench], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
