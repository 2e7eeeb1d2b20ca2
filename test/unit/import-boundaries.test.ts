import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** A module specifier naming mock/ (relative or not) after `from`, `import(`, `require(` or a bare `import`. */
const MOCK_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s*)['"`](?:[^'"`\n]*\/)?mock(?:\/|['"`])/m;

function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.[cm]?[jt]sx?$/.test(file))
    .map((file) => path.join(dir, file));
}

describe('the server does not depend on the mock peers', () => {
  it('lint refuses an import of mock/ from server/, a type-only one and a re-export too', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const probe = [
      "import { startMockServer } from '../../mock/src/server';",
      "import type { MockOptions } from '../../mock/src/server';",
      "export { mockOptionsFrom } from '../../mock/src/options';",
      'export const used: [unknown, MockOptions?] = [startMockServer];',
    ].join('\n');
    const [result] = await eslint.lintText(probe, { filePath: path.join(ROOT, 'server/src/probe.ts') });
    expect(result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.line)).toEqual([1, 2, 3]);
    // Loading ESLint and typescript-eslint takes seconds on a busy machine.
  }, 30_000);

  it('no file under server/ loads mock/ in any way, dynamic imports and require included', () => {
    for (const line of [
      "await import('../../mock/src/server')",
      "const m = require('../mock/src/x')",
      "import '../../mock/src/x';",
      "} from 'mock/src/server';",
    ])
      expect(MOCK_IMPORT.test(line), line).toBe(true);
    expect(MOCK_IMPORT.test("import { mocks } from './mocks';")).toBe(false);
    const offenders = sourcesUnder('server').filter((file) => MOCK_IMPORT.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
