#!/usr/bin/env node
/**
 * Builds the H5 page unless h5/dist is newer than every source it is built from.
 * `npm start` and the browser tests call it; `npm run build:h5` always builds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const H5_INDEX = path.join(ROOT, 'h5/dist/index.html');
const SOURCES = ['miniapp/src', 'miniapp/config', 'miniapp/babel.config.cjs', 'shared', 'h5/index.html', 'h5/public'];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

export function ensureH5Build(log = (line) => process.stdout.write(`${line}\n`)) {
  const built = existsSync(H5_INDEX) ? statSync(H5_INDEX).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((source) => newestMtime(path.join(ROOT, source))));
  if (built > sources) return false;
  log('Building the H5 page (about 30 s on 2 cores)…');
  const started = Date.now();
  execFileSync('npm', ['run', 'build:h5', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`H5 page built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureH5Build();
