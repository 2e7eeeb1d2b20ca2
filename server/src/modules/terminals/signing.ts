import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The terminal protocol's request signature (docs/terminal-api.md): base64 HMAC-SHA256, keyed with
 * the terminal's secret, over
 *   METHOD \n PATH \n X-Timestamp \n X-Nonce \n hex(sha256(raw body)) \n
 * METHOD in capitals; PATH as sent (with its query string, if any); an empty body hashes as "".
 */
export function stringToSign(method: string, path: string, timestamp: string, nonce: string, rawBody: Buffer | string): string {
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  return `${method.toUpperCase()}\n${path}\n${timestamp}\n${nonce}\n${bodyHash}\n`;
}

export function signTerminalRequest(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64');
}

/** True when the signature matches under any of the secrets (the current one, and a rotated-out one during its overlap). */
export function signatureMatches(secrets: string[], text: string, signature: string): boolean {
  const given = Buffer.from(signature, 'base64');
  return secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(text).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export const TIMESTAMP_WINDOW_SECONDS = 300;
/** Nonces are remembered for twice the window: a request older than that is refused by its timestamp anyway. */
export const NONCE_TTL_MS = 2 * TIMESTAMP_WINDOW_SECONDS * 1000;
