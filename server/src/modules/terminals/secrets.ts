import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Terminal secrets at rest. HMAC verification needs the secret itself, so it cannot be hashed like a
 * password; it is sealed with AES-256-GCM under a key from configuration (TERMINAL_SECRET_KEYS) and
 * stored as `kid.iv.tag.ciphertext`. The first key seals; every listed key opens, so the key can be
 * rotated by putting a new one first and re-sealing at leisure.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(keys: Array<{ kid: string; key: string }>): SecretBox {
  if (!keys.length) throw new Error('at least one terminal secret key is required');
  // A configured passphrase of any length becomes a 256-bit key.
  const material = new Map(keys.map(({ kid, key }) => [kid, createHash('sha256').update(key).digest()]));
  const [first] = keys;
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', material.get(first!.kid)!, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [first!.kid, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [kid, iv, tag, body] = sealed.split('.');
      const key = material.get(kid ?? '');
      // A missing key is a configuration fault, not the caller's: it surfaces as a 500 and in the log.
      if (!key || !iv || !tag || body === undefined) throw new Error(`terminal secret sealed with unknown key "${kid}"`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** A new terminal secret: 32 random bytes, base64url (43 characters). */
export const newTerminalSecret = () => randomBytes(32).toString('base64url');
