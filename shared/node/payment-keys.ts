/**
 * Development payment keys, both sides' halves: the server reads the merchant's (runtime.ts, and
 * config-production.ts to refuse them in production), the mock gateways sign with theirs. Here,
 * not in server/ or mock/, so that neither imports the other; Node-only (shared/node/ never goes
 * into the mini-program: a lint rule says so).
 */
import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface RsaPair {
  /** PKCS#8 PEM */
  privateKey: string;
  /** SPKI PEM */
  publicKey: string;
}

/**
 * Both sides of both payment channels, for development and the demo only: the merchant's keys
 * (what the server signs with) and the gateways' keys (what the mock gateways sign with). Real
 * deployments take the merchant's keys and the gateways' public keys from configuration.
 */
export interface PaymentKeys {
  wechatPay: {
    /** The merchant API key; WeChat knows its public half by the certificate serial. */
    merchant: RsaPair & { serialNo: string };
    /** The APIv3 key: 32 ASCII characters, used as the AES-256-GCM key of notification resources. */
    apiV3Key: string;
    /** WeChat Pay's own key ("WeChat Pay public key" mode): signs responses and notifications. */
    platform: RsaPair & { publicKeyId: string };
  };
  alipay: {
    /** The application's key pair; Alipay holds the public half. */
    app: RsaPair;
    /** Alipay's key pair; the merchant holds the public half ("支付宝公钥"). */
    platform: RsaPair;
  };
}

const KEY_FILE = 'payment-keys.json';

/**
 * Where tests and `npm run mock` without a data directory keep their payment keys: generating four
 * RSA keys takes seconds on a busy machine, so they are made once per machine, not per start.
 */
export const SHARED_DEV_KEYS_DIR = path.join(os.tmpdir(), 'power-mock-payment-keys-v1');

/**
 * The secret values of the development key sets found on this machine (in these directories):
 * the mocks know them, so production must never sign with them. Read synchronously, for the
 * configuration check at start.
 */
export function developmentKeySecrets(dirs: string[]): Set<string> {
  const secrets = new Set<string>();
  for (const dir of dirs) {
    const file = path.resolve(dir, KEY_FILE);
    if (!existsSync(file)) continue;
    try {
      const { wechatPay, alipay } = merchantKeysOf(JSON.parse(readFileSync(file, 'utf8')) as PaymentKeys);
      for (const value of [wechatPay.merchantPrivateKey, wechatPay.apiV3Key, alipay.appPrivateKey]) secrets.add(value);
    } catch {
      // An unreadable development file holds nothing a production key could equal.
    }
  }
  return secrets;
}
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function rsaPair(): Promise<RsaPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey })),
    ),
  );
}

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');

/** A fresh set: four RSA-2048 pairs (about a second of CPU), a merchant serial, an APIv3 key. */
export async function generatePaymentKeys(): Promise<PaymentKeys> {
  const [merchant, wechatPlatform, app, alipayPlatform] = await Promise.all([rsaPair(), rsaPair(), rsaPair(), rsaPair()]);
  return {
    wechatPay: {
      // A certificate serial as WeChat shows it: 40 uppercase hex digits. No certificate is made:
      // the SDK and the gateway only need the serial string and the key (see docs/decisions.md).
      merchant: { ...merchant, serialNo: randomBytes(20).toString('hex').toUpperCase() },
      apiV3Key: Array.from({ length: 32 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join(''),
      platform: { ...wechatPlatform, publicKeyId: `PUB_KEY_ID_01${digits(26)}` },
    },
    alipay: { app, platform: alipayPlatform },
  };
}

const inFlight = new Map<string, Promise<PaymentKeys>>();

/**
 * The development key set kept in `dir/payment-keys.json` (made on first use, mode 0600, never
 * committed: `.data/` is ignored). Calls in one process share one read; two processes racing on
 * first use each write a whole file (rename), and the last one stays.
 */
export function loadOrCreatePaymentKeys(dir: string): Promise<PaymentKeys> {
  const file = path.resolve(dir, KEY_FILE);
  let keys = inFlight.get(file);
  if (!keys) {
    keys = readOrCreate(file);
    inFlight.set(file, keys);
    keys.catch(() => inFlight.delete(file));
  }
  return keys;
}

async function readOrCreate(file: string): Promise<PaymentKeys> {
  if (existsSync(file)) return JSON.parse(await fs.readFile(file, 'utf8')) as PaymentKeys;
  const keys = await generatePaymentKeys();
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(temporary, file);
  return keys;
}

/** What the server (the merchant) holds for WeChat Pay: its own private key, and WeChat's public key. */
export interface WechatPayMerchantKeys {
  merchantPrivateKey: string;
  merchantSerial: string;
  apiV3Key: string;
  publicKeyId: string;
  publicKey: string;
}

/** What the server holds for Alipay: the app's private key and Alipay's public key. */
export interface AlipayMerchantKeys {
  appPrivateKey: string;
  alipayPublicKey: string;
}

/** The merchant's share of a development key set, in the shape configuration gives real keys. */
export function merchantKeysOf(keys: PaymentKeys): { wechatPay: WechatPayMerchantKeys; alipay: AlipayMerchantKeys } {
  const { merchant, apiV3Key, platform } = keys.wechatPay;
  return {
    wechatPay: {
      merchantPrivateKey: merchant.privateKey,
      merchantSerial: merchant.serialNo,
      apiV3Key,
      publicKeyId: platform.publicKeyId,
      publicKey: platform.publicKey,
    },
    alipay: { appPrivateKey: keys.alipay.app.privateKey, alipayPublicKey: keys.alipay.platform.publicKey },
  };
}
