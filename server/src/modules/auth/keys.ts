import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SigningKey {
  kid: string;
  secret: string;
}

/**
 * Development and demo only (production requires JWT_KEYS): a signing key made at first start and
 * kept in the data directory, so tokens survive restarts.
 */
export async function loadOrCreateDevKeys(dataDir: string): Promise<SigningKey[]> {
  const file = path.join(dataDir, 'jwt-keys.json');
  if (existsSync(file)) return JSON.parse(await fs.readFile(file, 'utf8')) as SigningKey[];
  const keys = [{ kid: `dev-${randomBytes(3).toString('hex')}`, secret: randomBytes(32).toString('base64url') }];
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
