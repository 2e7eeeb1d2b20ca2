/**
 * The server's process life: configuration, the embedded PostgreSQL when no DATABASE_URL is
 * given, the runtime, the ready line (and the demo's credentials), and the shutdown order. Entries
 * call it: `server/src/main.ts` alone, `scripts/start.ts` (`npm start`) with the mock peers beside it.
 * The server knows nothing of the peers' code: a launcher hands in how to start them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config';
import { startEmbeddedPostgres, type EmbeddedCluster } from './db/embedded';
import { ensureDatabase } from './db/ensure-database';
import { guardProcess } from './process-guard';
import { startRuntime, type Runtime } from './runtime';

/** Peers hosted in the same process, as the launcher started them. */
export interface HostedPeers {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Starts the mock peers when MOCKS is on; called after the database is up and before the API listens. */
  startPeers?: (config: Config) => Promise<HostedPeers>;
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export async function serve(options: ServeOptions = {}): Promise<void> {
  const config = readConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'power-server' } });
  guardProcess(logger);
  const startedAt = performance.now();

  let cluster: EmbeddedCluster | undefined;
  let mocks: HostedPeers | undefined;

  async function startAll(): Promise<Runtime> {
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      cluster = await startEmbeddedPostgres({ dataDir: config.database.embeddedDir, preferredPort: config.database.embeddedPort, log: logger });
      await ensureDatabase(cluster.urlFor('postgres'), 'power');
      databaseUrl = cluster.urlFor('power');
    }
    if (config.mocks.enabled && options.startPeers) {
      mocks = await options.startPeers(config);
      logger.info({ url: mocks.url }, 'mock peers listening');
    } else if (config.mocks.enabled) {
      logger.warn({ port: config.mocks.port }, 'MOCKS is on, but this entry hosts no mock peers: `npm start` hosts them, `npm run mock` runs them alone');
    }
    return startRuntime({ config, databaseUrl, logger });
  }

  let runtime: Runtime;
  try {
    runtime = await startAll();
  } catch (err) {
    // A port in use or a database that will not start: say so, and leave nothing running behind.
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else logger.fatal({ err }, 'start-up failed');
    await mocks?.close().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
    process.exit(1);
  }
  if (runtime.demo) {
    const demo = { url: runtime.url, mockUrl: mocks?.url, ...runtime.demo };
    await fs.mkdir(config.dataDir, { recursive: true });
    await fs.writeFile(path.join(config.dataDir, 'demo.json'), `${JSON.stringify(demo, null, 2)}\n`);
    logger.info({ ms: Math.round(performance.now() - startedAt) }, 'ready');
    process.stdout.write(
      `\n  Power customer channel is running at ${runtime.url}\n` +
        `  Demo credentials (also in ${path.join(config.dataDir, 'demo.json')}):\n` +
        `${JSON.stringify(demo, null, 2).replace(/^/gm, '    ')}\n\n`,
    );
  } else {
    logger.info({ ms: Math.round(performance.now() - startedAt), url: runtime.url, env: config.env }, 'ready');
  }

  let signals = 0;
  async function shutdown(signal: string): Promise<void> {
    signals += 1;
    if (signals > 1) process.exit(1);
    logger.info({ signal }, 'signal received');
    await runtime.stop();
    await mocks?.close();
    await cluster?.stop();
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
