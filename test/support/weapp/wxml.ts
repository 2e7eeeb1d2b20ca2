import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** What WeChat's template compiler makes of a .wxml file: a function from page data to a virtual tree. */
export type GenerateFunc = (...args: unknown[]) => unknown;

function filesUnder(root: string, ext: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const relative = dir ? `${dir}/${name}` : name;
    if (statSync(path.join(root, relative)).isDirectory()) return filesUnder(root, ext, relative);
    return name.endsWith(ext) ? [relative] : [];
  });
}

/**
 * Compiles every .wxml and .wxs of a built mini-program with wcc, WeChat's own template compiler
 * (shipped for Linux in the miniprogram-compiler package), and returns `$gwx`: the function the
 * WeChat client calls with a page's .wxml path. The binary is run from a private copy made
 * executable there: the installed file is hard-linked with other checkouts and stays as it is.
 */
export function compileWxml(root: string): (wxmlPath: string) => GenerateFunc {
  const installed = path.join(path.dirname(createRequire(import.meta.url).resolve('miniprogram-compiler/package.json')), 'bin/linux/wcc');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'power-wcc-'));
  try {
    const wcc = path.join(dir, 'wcc');
    copyFileSync(installed, wcc);
    // The package ships the Linux binary without its execute bit.
    chmodSync(wcc, 0o755);
    // `-cc 0`: no custom-component table (Taro's pages only use `comp`, resolved at run time).
    const result = spawnSync(wcc, ['-d', '-cc', '0', ...filesUnder(root, '.wxml'), ...filesUnder(root, '.wxs'), '-gn', '$gwx'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`wcc failed (${result.status ?? result.error}): ${result.stderr?.toString()}`);
    // The compiler's output is a script that defines the global `$gwx`; run it and hand that back.
    const gwx = new Function(`${result.stdout.toString()}\nreturn $gwx;`)() as (wxmlPath: string) => GenerateFunc | undefined;
    return (wxmlPath) => {
      const generate = gwx(wxmlPath);
      if (typeof generate !== 'function') throw new Error(`wcc compiled no template for ${wxmlPath}`);
      return generate;
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
