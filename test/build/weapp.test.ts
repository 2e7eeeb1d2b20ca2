import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild } from '../../scripts/ensure-build.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'miniapp/dist/weapp');
const KB = 1024;

interface AppJson {
  pages: string[];
  subPackages?: Array<{ root: string; pages: string[] }>;
  subpackages?: Array<{ root: string; pages: string[] }>;
  tabBar: { list: Array<{ pagePath: string }> };
}

function sizeOf(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(target).reduce((total, name) => total + sizeOf(path.join(target, name)), 0);
}

let appJson: AppJson;
let declared: { pages: string[]; subPackages: Array<{ root: string; pages: string[] }> };

beforeAll(async () => {
  // Built once per run (here, or by the mini-program tests' setup) unless the output is newer than its sources.
  ensureBuild('weapp');
  appJson = JSON.parse(readFileSync(path.join(OUT, 'app.json'), 'utf8'));
  // The pages the source declares, read from app.config.ts itself.
  (globalThis as { defineAppConfig?: unknown }).defineAppConfig = (config: unknown) => config;
  declared = (await import('../../miniapp/src/app.config')).default as typeof declared;
}, 180_000);

describe('WeChat mini-program build', () => {
  it('lists every declared page and subpackage in app.json', () => {
    expect(appJson.pages).toEqual(declared.pages);
    const subpackages = appJson.subPackages ?? appJson.subpackages ?? [];
    expect(subpackages.map(({ root, pages }) => ({ root, pages }))).toEqual(declared.subPackages.map(({ root, pages }) => ({ root, pages })));
    for (const tab of appJson.tabBar.list) expect(appJson.pages).toContain(tab.pagePath);
  });

  it('emits .js, .json and .wxml for every page', () => {
    const subpackages = appJson.subPackages ?? appJson.subpackages ?? [];
    const all = [...appJson.pages, ...subpackages.flatMap(({ root, pages }) => pages.map((page) => `${root}/${page}`))];
    expect(all.length).toBe(declared.pages.length + declared.subPackages.reduce((n, sub) => n + sub.pages.length, 0));
    for (const page of all) {
      for (const ext of ['.js', '.json', '.wxml']) {
        expect(existsSync(path.join(OUT, page + ext)), `${page}${ext}`).toBe(true);
      }
    }
  });

  it('keeps the main package within 1.5 MB and each subpackage within 2 MB', () => {
    const subpackages = appJson.subPackages ?? appJson.subpackages ?? [];
    const subpackageBytes = Object.fromEntries(subpackages.map(({ root }) => [root, sizeOf(path.join(OUT, root))]));
    const mainBytes = sizeOf(OUT) - Object.values(subpackageBytes).reduce((a, b) => a + b, 0);
    const lines = [
      `main package ${(mainBytes / KB).toFixed(1)} KB`,
      ...Object.entries(subpackageBytes).map(([root, bytes]) => `${root} ${(bytes / KB).toFixed(1)} KB`),
    ];
    process.stdout.write(`weapp sizes: ${lines.join(', ')}\n`);
    expect(mainBytes).toBeLessThanOrEqual(1.5 * KB * KB);
    for (const bytes of Object.values(subpackageBytes)) expect(bytes).toBeLessThanOrEqual(2 * KB * KB);
  });
});
