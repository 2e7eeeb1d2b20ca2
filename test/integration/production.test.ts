import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/src/db/embedded';
import { generatePaymentKeys, merchantKeysOf } from '../../shared/node/payment-keys';
import { createTestDatabase, request } from '../support/harness';
import { spawnServer, type ServerProcess } from '../support/process';

const ROOT = path.resolve(import.meta.dirname, '../..');
const secret = () => randomBytes(24).toString('base64url'); // 32 random characters

/** Runs `npm run staff:create -- …args` as a process, with `stdin` piped in. */
function staffCreate(args: string[], stdin: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/staff-create.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('a production start', () => {
  let env: Record<string, string>;
  let dataDir: string;
  let server: ServerProcess;
  let url: string;
  let db: pg.Client;
  const password = 'Blue-Kettle-42-Morning';

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-production-'));
    // Keys of their own: the development sets the mocks hold are refused in production.
    const { wechatPay, alipay } = merchantKeysOf(await generatePaymentKeys());
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const unreachable = 'http://127.0.0.1:9';
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: await createTestDatabase(),
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      BACKOFFICE_URL: `${unreachable}/backoffice`,
      BACKOFFICE_SECRET: secret(),
      JWT_KEYS: `k1:${secret()}`,
      TERMINAL_SECRET_KEYS: `t1:${secret()}`,
      WECHAT_API_BASE: `${unreachable}/wechat`,
      WECHAT_APPID: 'wx8a3f5c0d2e1b4967',
      WECHAT_SECRET: randomBytes(16).toString('hex'),
      SMS_URL: `${unreachable}/sms`,
      SMS_API_KEY: secret(),
      AMI_URL: `${unreachable}/ami`,
      AMI_API_KEY: secret(),
      PUBLIC_BASE_URL: 'https://pay.power.example',
      UTILITY_NAME: '东江县供电公司',
      UTILITY_SHORT_NAME: '东江供电',
      UTILITY_HOTLINE: '0571-95598',
      WECHATPAY_API_BASE: `${unreachable}/wechatpay`,
      WECHATPAY_MCHID: '1611223344',
      WECHATPAY_MERCHANT_PRIVATE_KEY: wechatPay.merchantPrivateKey,
      WECHATPAY_MERCHANT_SERIAL: wechatPay.merchantSerial,
      WECHATPAY_APIV3_KEY: wechatPay.apiV3Key,
      WECHATPAY_PUBLIC_KEY_ID: wechatPay.publicKeyId,
      WECHATPAY_PUBLIC_KEY: wechatPay.publicKey,
      ALIPAY_GATEWAY: `${unreachable}/alipay/gateway.do`,
      ALIPAY_APPID: '2021004433221100',
      ALIPAY_SELLER_ID: '2088731946285310',
      ALIPAY_APP_PRIVATE_KEY: alipay.appPrivateKey,
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
    };
    server = spawnServer(env);
    await server.waitForLog('ready');
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('seeds nothing: no staff, customers, accounts, grids, terminals, notices or seed runs', async () => {
    const tables = ['staff_users', 'customers', 'electricity_accounts', 'service_grids', 'grid_areas', 'terminals', 'notices', 'outages', 'bills', 'seed_runs'];
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    expect(counts).toEqual(Object.fromEntries(tables.map((table) => [table, 0])));
    // The shipped tariff versions are configuration, not demo data: bills need them.
    expect(Number((await db.query('SELECT count(*) FROM tariffs')).rows[0].count)).toBeGreaterThan(0);
    expect((await request(url, 'GET', '/healthz')).status).toBe(200);
  });

  it('serves the utility profile from its configuration from the first start', async () => {
    const meta = await request(url, 'GET', '/api/meta');
    expect(meta.status).toBe(200);
    expect(meta.body.utility).toEqual({ name: '东江县供电公司', shortName: '东江供电', hotline: '0571-95598', serviceHours: '全天 24 小时' });
    expect(meta.body.notices).toEqual([]);
  });

  it('writes no demo file or development keys, and prints no credentials', async () => {
    const files = await fs.readdir(dataDir);
    expect(files).not.toContain('demo.json');
    expect(files).not.toContain('jwt-keys.json');
    expect(files).not.toContain('payment-keys.json');
    const output = server.output();
    expect(output).not.toMatch(/password|credentials|"msg":"seeding demo data"/i);
    for (const key of ['BACKOFFICE_SECRET', 'JWT_KEYS', 'TERMINAL_SECRET_KEYS', 'SMS_API_KEY', 'AMI_API_KEY', 'WECHAT_SECRET', 'WECHATPAY_APIV3_KEY']) {
      expect(output).not.toContain(env[key]!.split(':').pop());
    }
  });

  it('creates a staff user from a piped password, who can then log in', async () => {
    const created = await staffCreate(['--username', 'ops-li', '--role', 'back_office', '--role', 'admin', '--name', '李运维'], `${password}\n`, {
      NODE_ENV: 'production',
      DATABASE_URL: env.DATABASE_URL!,
    });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^created staff user ops-li \(id \d+; roles back_office, admin\)\n$/);
    const login = await request(url, 'POST', '/api/staff/auth/login', { body: { username: 'ops-li', password } });
    expect(login.status).toBe(200);
    const me = await request(url, 'GET', '/api/staff/me', { headers: { Authorization: `Bearer ${login.body.accessToken}` } });
    expect(me.body).toMatchObject({ username: 'ops-li', displayName: '李运维', roles: ['back_office', 'admin'] });
    expect((await request(url, 'POST', '/api/staff/auth/login', { body: { username: 'ops-li', password: `${password}x` } })).status).toBe(401);
    expect(server.output()).not.toContain(password);
  });

  it('refuses a taken username with exit code 3, changing nothing', async () => {
    const again = await staffCreate(['--username', 'ops-li', '--role', 'grid_manager'], 'Another-Strong-Pass-9\n', {
      NODE_ENV: 'production',
      DATABASE_URL: env.DATABASE_URL!,
    });
    expect(again).toMatchObject({ code: 3, stdout: '', stderr: 'staff:create: staff user "ops-li" already exists; nothing was changed\n' });
    const { rows } = await db.query("SELECT roles FROM staff_users WHERE username = 'ops-li'");
    expect(rows).toEqual([{ roles: ['back_office', 'admin'] }]);
  });

  it.each([
    ['a short password', ['--username', 'ops-wang', '--role', 'admin'], 'short-Pw1\n', 'staff:create: the password must be at least 12 characters\n'],
    [
      'a one-kind password',
      ['--username', 'ops-wang', '--role', 'admin'],
      'alllowercaseletters\n',
      'staff:create: the password needs three of: lower case, upper case, digits, other characters (or 20+ characters)\n',
    ],
    ['an empty stdin', ['--username', 'ops-wang', '--role', 'admin'], '', 'staff:create: the password must be at least 12 characters\n'],
    [
      'an unknown role',
      ['--username', 'ops-wang', '--role', 'owner'],
      `${password}\n`,
      'staff:create: unknown role "owner"; roles are admin, back_office, grid_manager\n',
    ],
    [
      'an unknown grid',
      ['--username', 'ops-wang', '--role', 'grid_manager', '--grid', 'GRID-NOWHERE'],
      `${password}\n`,
      'staff:create: no service grid GRID-NOWHERE; nothing was changed\n',
    ],
  ])('refuses %s with exit code 2 and creates no one', async (_case, args, stdin, message) => {
    const refused = await staffCreate(args, stdin, { NODE_ENV: 'production', DATABASE_URL: env.DATABASE_URL! });
    expect(refused).toMatchObject({ code: 2, stdout: '', stderr: message });
    expect(Number((await db.query("SELECT count(*) FROM staff_users WHERE username = 'ops-wang'")).rows[0].count)).toBe(0);
  });

  it('needs DATABASE_URL in production rather than making an embedded database', async () => {
    const refused = await staffCreate(['--username', 'ops-wang', '--role', 'admin'], `${password}\n`, { NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(refused).toMatchObject({ code: 2, stderr: 'Configuration error: DATABASE_URL is required in production (unset)\n' });
    expect(await fs.readdir(dataDir)).not.toContain('pg');
  });

  it('refuses to start with a development secret, naming the setting in one line without its value', async () => {
    const refused = spawnServer({ ...env, PORT: String(await freePort()), TERMINAL_SECRET_KEYS: 'dev:dev-terminal-secret-key-not-for-production' });
    expect((await refused.exited).code).toBe(1);
    expect(refused.output()).toBe('Configuration error: TERMINAL_SECRET_KEYS is a development default, not allowed in production (value not shown)\n');
  });
});

describe('staff:create on the demo’s embedded database', () => {
  it('starts the embedded database when no server runs, and uses the running server’s otherwise', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-staff-embedded-'));
    await fs.chmod(dataDir, 0o755);
    const env = { DATA_DIR: dataDir, PG_PORT: String(await freePort()) };
    const port = await freePort();
    let server: ServerProcess | undefined;
    try {
      // No server yet: the command initialises the cluster, migrates it, and stops it again.
      const first = await staffCreate(['--username', 'ops-zhao', '--role', 'grid_manager'], 'Quiet-River-2026-Lamp\n', env);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      await expect(fs.access(path.join(dataDir, 'pg', 'postmaster.pid'))).rejects.toThrow();

      server = spawnServer({ ...env, PORT: String(port), MOCKS: 'off', DEMO_HISTORY: 'off', LOG_LEVEL: 'info' });
      await server.waitForLog('ready');
      // The server's own database, while it runs.
      const second = await staffCreate(['--username', 'ops-qian', '--role', 'back_office', '--grid', 'GRID-XH'], 'Paper-Crane-77-Window\n', env);
      expect(second).toMatchObject({ code: 0, stderr: '' });
      const base = `http://127.0.0.1:${port}`;
      for (const [username, password] of [
        ['ops-zhao', 'Quiet-River-2026-Lamp'],
        ['ops-qian', 'Paper-Crane-77-Window'],
      ]) {
        expect((await request(base, 'POST', '/api/staff/auth/login', { body: { username, password } })).status).toBe(200);
      }
      // The demo's own staff are there too: the demo still seeds.
      expect(JSON.parse(await fs.readFile(path.join(dataDir, 'demo.json'), 'utf8')).staff).toHaveLength(3);
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    } finally {
      server?.child.kill('SIGKILL');
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
