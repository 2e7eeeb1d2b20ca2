import { createDecipheriv, createVerify } from 'node:crypto';
import { publicKeyObject } from '../../../../shared/node/key-objects';

type Headers = Record<string, string | string[] | undefined>;

/** Why a WeChat Pay signature was not accepted. */
export type SignatureProblem = 'missing' | 'unknown_serial' | 'stale' | 'probe' | 'bad_signature';

export interface WechatPayVerifier {
  /** `PUB_KEY_ID_…`: the id WeChat puts in `Wechatpay-Serial`. */
  publicKeyId: string;
  publicKey: string;
}

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Checks the signature WeChat Pay puts on a response or a notification, over the exact bytes
 * received: `timestamp\nnonce\nbody\n`, SHA256withRSA, with the WeChat Pay public key named by
 * `Wechatpay-Serial`. Refuses timestamps more than `windowSeconds` away from now, and the
 * `WECHATPAY/SIGNTEST/` probes WeChat sends to see whether merchants really verify.
 * Header names are expected in lower case (as Node gives them).
 */
export function checkWechatPaySignature(
  headers: Headers,
  rawBody: Buffer | string,
  verifier: WechatPayVerifier,
  nowMs: number,
  windowSeconds = 300,
): SignatureProblem | 'ok' {
  const timestamp = header(headers, 'wechatpay-timestamp');
  const nonce = header(headers, 'wechatpay-nonce');
  const signature = header(headers, 'wechatpay-signature');
  const serial = header(headers, 'wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial) return 'missing';
  // Ids and serials are compared without case: WeChat shows serials in upper case, tools print lower.
  if (serial.toUpperCase() !== verifier.publicKeyId.toUpperCase()) return 'unknown_serial';
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) return 'probe';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > windowSeconds) return 'stale';
  const verify = createVerify('RSA-SHA256');
  verify.update(`${timestamp}\n${nonce}\n`);
  verify.update(rawBody);
  verify.update('\n');
  try {
    return verify.verify(publicKeyObject(verifier.publicKey), signature, 'base64') ? 'ok' : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

/** The resource could not be opened: wrong algorithm, malformed, or its tag did not verify (tampered or wrong key). */
export class ResourceDecryptError extends Error {
  override name = 'ResourceDecryptError';
}

const TAG_BYTES = 16;

/**
 * Opens a notification resource (AEAD_AES_256_GCM with the APIv3 key). The last 16 bytes of the
 * ciphertext are the tag, and `final()` checks it: the SDK's own `decipher_gcm` skips that call,
 * so a tampered resource would decrypt there.
 */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new ResourceDecryptError(`unsupported algorithm ${resource.algorithm}`);
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new ResourceDecryptError('the APIv3 key must be 32 bytes');
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= TAG_BYTES) throw new ResourceDecryptError('ciphertext too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(resource.nonce, 'utf8'), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new ResourceDecryptError(`resource did not decrypt: ${(err as Error).message}`);
  }
}

export interface WechatPayNotification {
  id: string;
  createTime: string;
  eventType: string;
  summary: string;
  originalType: string;
  /** The decrypted resource: a transaction for TRANSACTION.*, a refund for REFUND.*. */
  resource: Record<string, unknown>;
}

export type NotificationOutcome = { ok: true; notification: WechatPayNotification } | { ok: false; problem: SignatureProblem | 'malformed' | 'undecryptable' };

/**
 * A notification POSTed by WeChat Pay, checked and opened: signature over the raw body, time
 * window, then the resource decrypted with the APIv3 key. Business checks (amount, app id,
 * merchant, order) are the caller's.
 */
export function openNotification(headers: Headers, rawBody: Buffer, keys: WechatPayVerifier & { apiV3Key: string }, nowMs: number): NotificationOutcome {
  const check = checkWechatPaySignature(headers, rawBody, keys, nowMs);
  if (check !== 'ok') return { ok: false, problem: check };
  let envelope: { id?: unknown; create_time?: unknown; event_type?: unknown; summary?: unknown; resource?: EncryptedResource };
  try {
    envelope = JSON.parse(rawBody.toString('utf8')) as typeof envelope;
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const { id, create_time: createTime, event_type: eventType, resource } = envelope;
  if (
    typeof id !== 'string' ||
    typeof eventType !== 'string' ||
    typeof createTime !== 'string' ||
    !resource ||
    typeof resource.ciphertext !== 'string' ||
    typeof resource.nonce !== 'string'
  ) {
    return { ok: false, problem: 'malformed' };
  }
  let plaintext: unknown;
  try {
    plaintext = JSON.parse(decryptResource(resource, keys.apiV3Key));
  } catch {
    return { ok: false, problem: 'undecryptable' };
  }
  if (typeof plaintext !== 'object' || plaintext === null) return { ok: false, problem: 'malformed' };
  return {
    ok: true,
    notification: {
      id,
      createTime,
      eventType,
      summary: typeof envelope.summary === 'string' ? envelope.summary : '',
      originalType: resource.original_type ?? '',
      resource: plaintext as Record<string, unknown>,
    },
  };
}
