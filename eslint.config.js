// Lint rules for every TypeScript file in the repository: the recommended sets of ESLint and
// typescript-eslint, plus the few rules that catch real bugs in this codebase's style (floating
// promises are left to review: they need type information, which would triple the lint time).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readFileSync } from 'node:fs';

// Which module owns each table (docs/architecture.md); a module may import only its own tables.
const tableOwners = JSON.parse(readFileSync(new URL('./server/src/db/schema/owners.json', import.meta.url), 'utf8'));

/** For the files of one owner: every other owner's tables are refused as values (types stay free). */
function ownTablesOnly(owner, files) {
  const foreign = Object.entries(tableOwners).flatMap(([other, tables]) => (other === owner ? [] : tables));
  const message = `this table belongs to another module: call its service or its published.ts (${owner} owns ${tableOwners[owner].join(', ')}).`;
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['../../db/schema', '../db/schema'].map((name) => ({ name, importNames: foreign, message, allowTypeImports: true })),
          patterns: [{ regex: '(^|/)db/schema/[a-z]+$', message: 'import tables from db/schema, so ownership is checked.', allowTypeImports: true }],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'h5/dist/**',
      'miniapp/dist/**',
      'console/dist/**',
      'coverage/**',
      '.data/**',
      'miniapp/.swc/**',
      'server/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // Rows and gateway payloads are typed at the boundary; `any` stays visible in review instead of failing lint.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // Plain Node scripts: TypeScript's checker does not see them, so name Node's globals here.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
  {
    // The server never depends on the mock peers, not even for a type: only `npm start` (scripts/start.ts)
    // and the tests start them (test/unit/import-boundaries.test.ts also covers dynamic imports).
    files: ['server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)mock(/|$)', message: 'server/ must not import mock/: shared code goes in shared/ (shared/node/ for Node-only code).' }] },
      ],
    },
  },
  {
    // The peers stand for outside systems: they do not use the server's code (only the glue that reads the
    // server's configuration does: mock/src/options.ts, main.ts, terminal/cli.ts).
    files: ['mock/src/peers/**', 'mock/src/payments/**', 'mock/src/server.ts', 'mock/src/http.ts', 'mock/src/ami-*.ts', 'mock/src/terminal/client.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)server/src(/|$)', message: "a mock peer must not use the server's code." }] }],
    },
  },
  {
    // Node-only shared code (dev payment keys) never goes into the mini-program's bundle.
    files: ['miniapp/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)shared/node(/|$)', message: 'shared/node/ is Node-only.' }] }],
    },
  },
  {
    // SQL is written with Drizzle (builder, or `sql` templates over the schema's objects) so the type
    // check catches a column the schema lacks; text SQL is left only to server/src/db (transaction
    // control, the migration lock, COPY) and pg-boss's adapter.
    files: ['server/src/**'],
    ignores: ['server/src/db/**', 'server/src/jobs/queue.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Literal', 'TemplateLiteral'].map((type) => ({
          selector: `CallExpression[callee.property.name='query'] > ${type}.arguments:first-child`,
          message: 'SQL text is not type-checked: use the Drizzle builder or an sql`` template over the schema (see docs/decisions.md).',
        })),
      ],
    },
  },
  ...Object.keys(tableOwners)
    .filter((owner) => owner !== 'platform')
    .map((owner) => ownTablesOnly(owner, [`server/src/modules/${owner}/**`])),
  ownTablesOnly('platform', ['server/src/jobs/**', 'server/src/seed/**', 'server/src/*.ts']),
);
