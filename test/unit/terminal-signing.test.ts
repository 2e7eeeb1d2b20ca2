import { describe, expect, it } from 'vitest';
import { sign, stringToSign as clientStringToSign } from '../../mock/src/terminal/client';
import { parseDayFile } from '../../server/src/modules/terminals/reconcile';
import { ipAllowed } from '../../server/src/modules/terminals/registry';
import { createSecretBox } from '../../server/src/modules/terminals/secrets';
import { signatureMatches, signTerminalRequest, stringToSign } from '../../server/src/modules/terminals/signing';

// The worked example in docs/terminal-api.md: an integrator checks their code against these values.
const EXAMPLE = {
  secret: 'demo-terminal-secret-not-for-production',
  path: '/api/terminal/v1/query',
  timestamp: '1767225600',
  nonce: '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99',
  body: '{"accountNo":"3301000001"}',
  bodySha256: '962a46afb20d014b44fb5d1a3fc28e944785baea64d0f89ad9a2c3ed9e9a4dcc',
  signature: 'hNiLc7Iy6RUkqedkiDN1JvGnmhpLH5yvsm1Q/+bGsmQ=',
};

describe('terminal request signatures', () => {
  it('match the documented worked example, on the server and in the reference terminal', () => {
    const text = stringToSign('post', EXAMPLE.path, EXAMPLE.timestamp, EXAMPLE.nonce, Buffer.from(EXAMPLE.body));
    expect(text).toBe(`POST\n${EXAMPLE.path}\n${EXAMPLE.timestamp}\n${EXAMPLE.nonce}\n${EXAMPLE.bodySha256}\n`);
    expect(clientStringToSign('POST', EXAMPLE.path, EXAMPLE.timestamp, EXAMPLE.nonce, EXAMPLE.body)).toBe(text);
    expect(signTerminalRequest(EXAMPLE.secret, text)).toBe(EXAMPLE.signature);
    expect(sign(EXAMPLE.secret, text)).toBe(EXAMPLE.signature);
  });

  it('verify under any of the given secrets, and under no other', () => {
    const text = stringToSign('POST', EXAMPLE.path, EXAMPLE.timestamp, EXAMPLE.nonce, EXAMPLE.body);
    expect(signatureMatches(['rotated-out-secret-0123456789abcdef', EXAMPLE.secret], text, EXAMPLE.signature)).toBe(true);
    expect(signatureMatches(['another-secret-0123456789abcdefghij'], text, EXAMPLE.signature)).toBe(false);
    expect(signatureMatches([EXAMPLE.secret], text.replace(EXAMPLE.timestamp, '1767225601'), EXAMPLE.signature)).toBe(false);
    expect(signatureMatches([EXAMPLE.secret], text, '')).toBe(false);
  });
});

describe('terminal secrets at rest', () => {
  const box = createSecretBox([
    { kid: 'k2', key: 'the-new-key-0123456789abcdefghijklmnop' },
    { kid: 'k1', key: 'the-old-key-0123456789abcdefghijklmnop' },
  ]);

  it('seal with the first key, open with any listed key, and never store the secret in the clear', () => {
    const sealed = box.seal(EXAMPLE.secret);
    expect(sealed.startsWith('k2.')).toBe(true);
    expect(sealed).not.toContain(EXAMPLE.secret);
    expect(box.seal(EXAMPLE.secret)).not.toBe(sealed);
    expect(box.open(sealed)).toBe(EXAMPLE.secret);
    const old = createSecretBox([{ kid: 'k1', key: 'the-old-key-0123456789abcdefghijklmnop' }]).seal('sealed-before-rotation');
    expect(box.open(old)).toBe('sealed-before-rotation');
  });

  it('refuse a tampered value or one sealed with a key no longer configured', () => {
    const sealed = box.seal(EXAMPLE.secret);
    const [kid, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([kid, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => createSecretBox([{ kid: 'k3', key: 'a-third-key-0123456789abcdefghijklmnop' }]).open(sealed)).toThrow(/unknown key "k2"/);
  });
});

describe('source address lists', () => {
  it('match exact addresses and ranges, IPv4 seen through a dual-stack socket, and nothing else', () => {
    expect(ipAllowed('203.0.113.7', ['203.0.113.7'])).toBe(true);
    expect(ipAllowed('::ffff:203.0.113.7', ['203.0.113.7'])).toBe(true);
    expect(ipAllowed('198.51.100.200', ['198.51.100.0/24'])).toBe(true);
    expect(ipAllowed('198.51.101.1', ['198.51.100.0/24'])).toBe(false);
    expect(ipAllowed('2001:db8::5', ['2001:db8::/32'])).toBe(true);
    expect(ipAllowed('127.0.0.1', [])).toBe(false);
    expect(ipAllowed('', ['127.0.0.1'])).toBe(false);
  });
});

describe('day files', () => {
  it('read a header and lines, with or without CRLF and a final newline', () => {
    expect(parseDayFile('H|2026-03-02|2|350\r\nD|A1|3301000001|100\r\nD|A2|3301000003|250\r\n', '2026-03-02')).toEqual({
      count: 2,
      totalFen: 350,
      lines: [
        { serial: 'A1', accountNo: '3301000001', amountFen: 100 },
        { serial: 'A2', accountNo: '3301000003', amountFen: 250 },
      ],
    });
    expect(parseDayFile('H|2026-03-02|0|0', '2026-03-02')).toEqual({ count: 0, totalFen: 0, lines: [] });
  });

  it('report every faulty line by number', () => {
    let problems: unknown;
    try {
      parseDayFile('H|2026-03-02|3|300\nD|A1|3301000001|100\nX|A2\nD|A1|3301000001|100\nD|A3|33|0', '2026-03-02');
    } catch (err) {
      problems = (err as { details: { problems: string[] } }).details.problems;
    }
    expect(problems).toEqual([
      'line 3: expected D|<serial>|<account no>|<amount fen>',
      'line 4: serial A1 appears twice',
      'line 5: "33" is not an account number',
    ]);
  });
});
