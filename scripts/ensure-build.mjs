#!/usr/bin/env node
/**
 * Builds a target (h5 or weapp) unless its output is newer than every source it is built from.
 * `npm start`, the benchmarks and the test setup call it; `npm run build:<target>` always builds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COMMON = ['miniapp/src', 'miniapp/config', 'miniapp/babel.config.cjs', 'shared'];
const TARGETS = {
  h5: { marker: 'h5/dist/index.html', sources: [...COMMON, 'h5/index.html', 'h5/public'], label: 'the H5 page', about: '30 s' },
  weapp: { marker: 'miniapp/dist/weapp/app.js', sources: COMMON, label: 'the mini-program', about: '12 s' },
};

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

export function ensureBuild(target, log = (line) => process.stdout.write(`${line}\n`)) {
  const { marker, sources, label, about } = TARGETS[target] ?? {};
  if (!marker) throw new Error(`unknown build target ${target}: expected ${Object.keys(TARGETS).join(' or ')}`);
  const built = existsSync(path.join(ROOT, marker)) ? statSync(path.join(ROOT, marker)).mtimeMs : 0;
  if (built > Math.max(...sources.map((source) => newestMtime(path.join(ROOT, source))))) return false;
  log(`Building ${label} (about ${about} on 2 cores)…`);
  const started = Date.now();
  execFileSync('npm', ['run', `build:${target}`, '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`Built ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuild(process.argv[2] ?? 'h5');
