import { createCipheriv, createSign, createVerify, randomBytes } from 'node:crypto';
import { privateKeyObject, publicKeyObject } from '../../../shared/node/key-objects';

/** The scheme name of the `Authorization` header of API v3. */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

/** Parses `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",…`; undefined when any field is missing. */
export function parseAuthorization(header: string): AuthorizationFields | undefined {
  if (!header.startsWith(`${AUTH_SCHEME} `)) return undefined;
  const fields: Record<string, string> = {};
  for (const match of header.slice(AUTH_SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g)) fields[match[1]!] = match[2]!;
  const names = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const;
  return names.every((name) => fields[name]) ? (fields as unknown as AuthorizationFields) : undefined;
}

/** The message a merchant signs: `METHOD\nURL\ntimestamp\nnonce\nBODY\n` (URL = path and query). */
export function requestMessage(method: string, url: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function verifyRsa(message: string, signature: string, publicKey: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKeyObject(publicKey), signature, 'base64');
  } catch {
    return false;
  }
}

export function signRsa(message: string, privateKey: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKeyObject(privateKey), 'base64');
}

/** A random string of letters and digits, as WeChat's nonces are. */
export function nonce(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** Headers WeChat Pay puts on a signed response or notification; `probe` sends a deliberate SIGNTEST signature. */
export function signedHeaders(body: string, platform: { privateKey: string; publicKeyId: string }, at: Date, probe = false): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonceStr = nonce();
  const signature = signRsa(`${timestamp}\n${nonceStr}\n${body}\n`, platform.privateKey);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonceStr,
    // A probe keeps the real signature's length but is not valid: a merchant that accepts it does not verify.
    'Wechatpay-Signature': probe ? `WECHATPAY/SIGNTEST/${signature.slice(19)}` : signature,
    'Wechatpay-Serial': platform.publicKeyId,
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}

/** The `resource` of a notification: AES-256-GCM with the APIv3 key, the tag appended to the ciphertext. */
export function encryptResource(plaintext: string, apiV3Key: string, originalType: string) {
  const nonceStr = nonce(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonceStr, 'utf8'));
  cipher.setAAD(Buffer.from(originalType, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    original_type: originalType,
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: ciphertext.toString('base64'),
    associated_data: originalType,
    nonce: nonceStr,
  };
}
