import { createSign, createVerify, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_MOCK_KEYS_DIR } from '../../mock/src/server';
import { loadOrCreatePaymentKeys, merchantKeysOf, type RsaPair } from '../../shared/node/payment-keys';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'payment-keys-'));
  dirs.push(dir);
  return dir;
}

function works(pair: RsaPair): boolean {
  const signature = createSign('RSA-SHA256').update('电费').sign(pair.privateKey, 'base64');
  return createVerify('RSA-SHA256').update('电费').verify(pair.publicKey, signature, 'base64');
}

describe('development payment keys', () => {
  it('are made on first use into payment-keys.json (owner-only), as working RSA-2048 pairs with WeChat-style ids', async () => {
    const dir = await tempDir();
    const keys = await loadOrCreatePaymentKeys(path.join(dir, '.data'));
    const file = path.join(dir, '.data', 'payment-keys.json');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(keys);

    for (const pair of [keys.wechatPay.merchant, keys.wechatPay.platform, keys.alipay.app, keys.alipay.platform]) expect(works(pair)).toBe(true);
    expect(
      new Set([keys.wechatPay.merchant.publicKey, keys.wechatPay.platform.publicKey, keys.alipay.app.publicKey, keys.alipay.platform.publicKey]).size,
    ).toBe(4);
    expect(keys.wechatPay.merchant.serialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(keys.wechatPay.platform.publicKeyId).toMatch(/^PUB_KEY_ID_\d{28}$/);
    expect(Buffer.byteLength(keys.wechatPay.apiV3Key)).toBe(32);
    // No certificate is made: nothing in the set is one.
    expect(() => new X509Certificate(keys.wechatPay.merchant.publicKey)).toThrow();

    // The merchant's share holds no gateway private key.
    const merchant = merchantKeysOf(keys);
    expect(JSON.stringify(merchant)).not.toContain(keys.wechatPay.platform.privateKey);
    expect(JSON.stringify(merchant)).not.toContain(keys.alipay.platform.privateKey);
    expect(merchant.wechatPay.publicKeyId).toBe(keys.wechatPay.platform.publicKeyId);
  });

  it('are read back from the file on a later start, not made again', async () => {
    // The machine-wide set the mock tests use stands in for the first start (made only if missing).
    const made = await loadOrCreatePaymentKeys(SHARED_MOCK_KEYS_DIR);
    const later = await tempDir();
    await fs.copyFile(path.join(SHARED_MOCK_KEYS_DIR, 'payment-keys.json'), path.join(later, 'payment-keys.json'));
    expect(await loadOrCreatePaymentKeys(later)).toEqual(made);
  });
});
