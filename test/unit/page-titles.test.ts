import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../miniapp/src');
// The config files call Taro's compile-time globals; here they hand back what they are given.
Object.assign(globalThis, { defineAppConfig: (config: unknown) => config, definePageConfig: (config: unknown) => config });

type AppConfig = { pages: string[]; subPackages: Array<{ root: string; pages: string[] }>; window: Record<string, string> };

describe('page titles', () => {
  it('gives every page of both targets a Chinese title, shown in a navigation bar on H5 too', async () => {
    const app = ((await import(path.join(SRC, 'app.config.ts'))) as { default: AppConfig }).default;
    expect(app.window.navigationStyle).toBe('default');
    const pages = [...app.pages, ...app.subPackages.flatMap((pkg) => pkg.pages.map((page) => `${pkg.root}/${page}`))];
    expect(pages).toContain('packages/account/pages/privacy/index');
    const untitled: string[] = [];
    for (const page of pages) {
      const file = path.join(SRC, `${page}.config.ts`);
      const title = existsSync(file) ? ((await import(file)) as { default: { navigationBarTitleText?: string } }).default.navigationBarTitleText : undefined;
      if (!title || !/^[\u4e00-\u9fff]/.test(title)) untitled.push(page);
    }
    expect(untitled).toEqual([]);
  });
});
