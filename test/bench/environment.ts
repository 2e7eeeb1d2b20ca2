import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startMockServer } from '../../mock/src/server';
import { loadConfig } from '../../server/src/config';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { loadOrCreatePaymentKeys, merchantKeysOf, type PaymentKeys } from '../../shared/node/payment-keys';
import { startRuntime } from '../../server/src/runtime';

/**
 * The server's environment for a benchmark: production's settings against the given database and
 * mock peers. Not NODE_ENV=production itself: that refuses the mocks' published credentials and
 * development keys, and seeds nothing, while the benchmarks measure the demo utility on the mocks.
 */
export function benchEnv(databaseUrl: string, mocksUrl: string, paymentKeys: PaymentKeys): Record<string, string> {
  const { wechatPay, alipay } = merchantKeysOf(paymentKeys);
  return {
    // What production would default to.
    MOCKS: 'off',
    DEMO_HISTORY: 'off',
    TRUST_PROXY_HOPS: '1',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    BACKOFFICE_URL: `${mocksUrl}/backoffice`,
    BACKOFFICE_SECRET: BENCH_SECRET,
    JWT_KEYS: 'bench:bench-signing-key-0123456789abcdef',
    WECHAT_API_BASE: `${mocksUrl}/wechat`,
    SMS_URL: `${mocksUrl}/sms`,
    AMI_URL: `${mocksUrl}/ami`,
    TERMINAL_SECRET_KEYS: 'bench:bench-terminal-key-0123456789abcdefghij',
    // Production requires the gateways' settings; notifications come back to the listening address.
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    WECHATPAY_API_BASE: `${mocksUrl}/wechatpay`,
    WECHATPAY_MERCHANT_PRIVATE_KEY: wechatPay.merchantPrivateKey,
    WECHATPAY_MERCHANT_SERIAL: wechatPay.merchantSerial,
    WECHATPAY_APIV3_KEY: wechatPay.apiV3Key,
    WECHATPAY_PUBLIC_KEY_ID: wechatPay.publicKeyId,
    WECHATPAY_PUBLIC_KEY: wechatPay.publicKey,
    ALIPAY_GATEWAY: `${mocksUrl}/alipay/gateway.do`,
    ALIPAY_APP_PRIVATE_KEY: alipay.appPrivateKey,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
  };
}

/** The same, as the server's configuration, for a server started in the benchmark's own process. */
export const benchConfig = (databaseUrl: string, mocksUrl: string, paymentKeys: PaymentKeys) => loadConfig(benchEnv(databaseUrl, mocksUrl, paymentKeys));

/**
 * The mock peers in a process of their own (`npm run mock`), as real gateways are elsewhere: the
 * figures then count only the server's own work. Their payment keys are made in `dataDir` first,
 * so the benchmark's server and the peers share them.
 */
export async function startMockProcess(dataDir: string) {
  const paymentKeys = await loadOrCreatePaymentKeys(dataDir);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'mock/src/main.ts'], {
    env: { ...process.env, MOCK_PORT: String(port), BACKOFFICE_SECRET: BENCH_SECRET, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, paymentKeys, close: async () => void child.kill('SIGTERM') };
}

export const BENCH_SECRET = 'bench-secret-0123456789';

/**
 * The real server on the embedded database in a scratch directory, seeded like `npm start`. The
 * mock peers run in this process, or (`mocks: 'process'`) in their own, as the gateways are
 * elsewhere, so their signing and handling are not counted as the server's.
 */
export async function startBenchServer(options: { mocks?: 'inline' | 'process'; pgSettings?: Record<string, string> } = {}) {
  // Request logs are written as in production, but to /dev/null so the figures stay readable.
  const log = pino({ level: 'info' }, pino.destination('/dev/null'));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-bench-'));
  await fs.chmod(dir, 0o755);
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    preferredPort: await freePort(),
    persistent: false,
    log,
    settings: options.pgSettings,
  });
  await ensureDatabase(cluster.urlFor('postgres'), 'power');
  const mocks = options.mocks === 'process' ? await startMockProcess(dir) : await startMockServer({ port: 0, backofficeSecret: BENCH_SECRET });
  const config = benchConfig(cluster.urlFor('power'), mocks.url, mocks.paymentKeys);
  const runtime = await startRuntime({ config, databaseUrl: cluster.urlFor('power'), logger: log, port: 0 });
  return {
    url: runtime.url,
    mocksUrl: mocks.url,
    paymentKeys: mocks.paymentKeys,
    runtime,
    databaseUrl: cluster.urlFor('power'),
    async stop() {
      await runtime.stop();
      await mocks.close();
      await cluster.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Log lines by pino level name, and the first warnings and errors in full. */
  logs(): { counts: Record<string, number>; notable: string[] };
  stop(): Promise<void>;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * `server/src/main.ts` as `npm start` runs it, in a process of its own, so its memory and CPU are
 * the server's alone. Its log lines are read as they come and only tallied (the first warnings
 * and errors kept), so a long run holds no growing copy of them.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const counts: Record<string, number> = {};
  const notable: string[] = [];
  const recent: string[] = [];
  let announce: (url: string) => void = () => undefined;
  const handle = (line: string) => {
    recent.push(line.slice(0, 400));
    if (recent.length > 20) recent.shift();
    const running = /running at (http:\/\/\S+)/.exec(line);
    if (running) return announce(running[1]!);
    if (!line.startsWith('{')) return;
    const level = LEVELS[(JSON.parse(line) as { level: number }).level] ?? 'other';
    counts[level] = (counts[level] ?? 0) + 1;
    if ((level === 'warn' || level === 'error' || level === 'fatal') && notable.length < 20) notable.push(line.slice(0, 600));
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
        handle(pending.slice(0, end));
        pending = pending.slice(end + 1);
      }
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    announce = resolve;
    void exited.then(() => reject(new Error(`the server exited during start-up:\n${recent.join('\n')}`)));
  });
  return {
    url,
    pid: child.pid!,
    logs: () => ({ counts: { ...counts }, notable: [...notable] }),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
