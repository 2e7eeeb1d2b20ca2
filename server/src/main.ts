/**
 * `npm start`: the whole product on one machine. Without DATABASE_URL it starts an embedded
 * PostgreSQL in .data/pg; it migrates, seeds the demo utility once, starts the mock peers and
 * serves the API (and the H5 page when built).
 *
 * With NODE_ENV=production it seeds nothing, writes and prints no credentials, and refuses
 * development secrets (see config-production.ts); staff come from `npm run staff:create`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { startMockServer, type MockServer } from '../../mock/src/server';
import { ConfigError, loadConfig, type Config } from './config';
import { startEmbeddedPostgres, type EmbeddedCluster } from './db/embedded';
import { ensureDatabase } from './db/ensure-database';
import { mockOptionsFrom } from '../../mock/src/options';
import { guardProcess } from './process-guard';
import { startRuntime, type Runtime } from './runtime';

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

const config = readConfig();
const logger = pino({ level: config.logLevel, base: { service: 'power-server' } });
guardProcess(logger);
const startedAt = performance.now();

let cluster: EmbeddedCluster | undefined;
let mocks: MockServer | undefined;

async function startAll(): Promise<Runtime> {
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    cluster = await startEmbeddedPostgres({ dataDir: config.database.embeddedDir, preferredPort: config.database.embeddedPort, log: logger });
    await ensureDatabase(cluster.urlFor('postgres'), 'power');
    databaseUrl = cluster.urlFor('power');
  }
  if (config.mocks.enabled) {
    mocks = await startMockServer(await mockOptionsFrom(config));
    logger.info({ url: mocks.url }, 'mock peers listening');
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
