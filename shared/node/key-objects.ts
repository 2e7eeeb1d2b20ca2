import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/*
 * RSA keys parsed once. Node parses a PEM string on every sign or verify it is handed, which costs
 * more than the RSA operation itself (on a 2-core machine: about 1,100 signatures a second from a
 * PEM against 3,800 from a parsed key), so every signer and verifier of the gateways' protocols,
 * ours and the mock peers', takes its key from here. Keyed by the PEM text: a rotated key is a new
 * entry, and there are only ever a handful.
 */
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

export function privateKeyObject(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (!key) privateKeys.set(pem, (key = createPrivateKey(pem)));
  return key;
}

export function publicKeyObject(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) publicKeys.set(pem, (key = createPublicKey(pem)));
  return key;
}
