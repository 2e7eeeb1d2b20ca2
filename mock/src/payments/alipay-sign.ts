import { createSign, createVerify } from 'node:crypto';
import { privateKeyObject, publicKeyObject } from '../../../shared/node/key-objects';

/**
 * Alipay's string to sign: every parameter but `sign` (and, for what Alipay sends, `sign_type`)
 * with a non-empty value, sorted by name, as `k=v` joined by `&`, values not URL-encoded.
 */
export function signContent(params: Record<string, string>, exclude: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((key) => !exclude.includes(key) && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKey: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyObject(privateKey), 'base64');
}

export function rsa2Verify(content: string, signature: string, publicKey: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyObject(publicKey), signature, 'base64');
  } catch {
    return false;
  }
}

/** Parameters Alipay sends (notifications, return redirects), signed without `sign` and `sign_type`. */
export function signOutgoing(params: Record<string, string>, privateKey: string): Record<string, string> {
  const signed = { ...params, sign_type: 'RSA2' };
  return { ...signed, sign: rsa2Sign(signContent(signed, ['sign', 'sign_type']), privateKey) };
}

/** `{"method_response":{…},"sign":"…"}`: the signature covers the inner object's text exactly. */
export function signedResponse(responseKey: string, inner: Record<string, unknown>, privateKey: string): string {
  const text = JSON.stringify(inner);
  return `{"${responseKey}":${text},"sign":"${rsa2Sign(text, privateKey)}"}`;
}
