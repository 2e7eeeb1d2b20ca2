#!/usr/bin/env node
/**
 * The system packages the tests use: a real Redis server, Debian's Chromium (for the H5 page), a
 * Chinese font for its screenshots, and libfaketime for runs under a faked date (`--today=`).
 * As root, installs whatever is missing with apt-get; otherwise says the one line to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  { pkg: 'redis-server', paths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'] },
  { pkg: 'chromium', paths: ['/usr/bin/chromium', '/usr/bin/chromium-browser'] },
  // Chinese glyphs for the page screenshots a person looks at.
  { pkg: 'fonts-wqy-microhei', paths: ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'] },
  { pkg: 'faketime', paths: ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'] },
];
const missing = needed.filter(({ paths }) => !paths.some((path) => existsSync(path))).map(({ pkg }) => pkg);
if (missing.length === 0) process.exit(0);

if (process.getuid?.() !== 0) {
  console.error(`Missing system packages for the tests; run: sudo apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}
console.log(`Installing system packages for the tests: ${missing.join(', ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
