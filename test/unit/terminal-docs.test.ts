import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { endpoints } from '../../shared/contracts';
import { ERROR_CODES } from '../../shared/errors';

// The integrator's guide is a contract too: its error table must say what the server does.
const guide = readFileSync(new URL('../../docs/terminal-api.md', import.meta.url), 'utf8');
const table = new Map([...guide.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((match) => [match[1]!, Number(match[2])]));

describe('docs/terminal-api.md', () => {
  it('gives every error code in its table the status the server sends', () => {
    expect(table.size).toBeGreaterThan(20);
    for (const [code, status] of table) expect([code, ERROR_CODES[code as keyof typeof ERROR_CODES]]).toEqual([code, status]);
  });

  it('lists every code the terminal contracts name', () => {
    const named = endpoints
      .filter((endpoint) => endpoint.auth === 'terminal')
      .flatMap((endpoint) => Object.values(endpoint.statuses ?? {}).flatMap((text) => text.match(/\b[A-Z][A-Z_]{4,}\b/g) ?? []));
    const codes = [...new Set([...named, 'TERMINAL_UNKNOWN', 'TERMINAL_DISABLED', 'IP_NOT_ALLOWED', 'SIGNATURE_INVALID', 'TIMESTAMP_STALE', 'NONCE_REUSED'])];
    expect(codes.length).toBeGreaterThan(15);
    expect(codes.filter((code) => !table.has(code))).toEqual([]);
  });
});
