import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { pino } from 'pino';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { openDatabase, runMigrations } from '../../server/src/db/database';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { ensureH5Build } from '../../scripts/ensure-h5.mjs';
import { startRedisServer } from './system';

import { TEMPLATE_DATABASE } from './constants';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgUrlBase: string;
    redisUrl: string;
  }
}

/**
 * One real PostgreSQL cluster and one real Redis for the whole run. The template database is
 * migrated (with the job queue's schema) once; each test file copies it, which takes milliseconds.
 */
export default async function setup(project: TestProject) {
  const log = pino({ level: 'warn' });
  // The browser tests serve the built page; build it first if the sources changed since.
  ensureH5Build((line) => process.stdout.write(`${line}\n`));
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-test-pg-'));
  // As root the server runs as the postgres user, who must be able to reach its data directory.
  await fs.chmod(dataDir, 0o755);
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'pg'),
    preferredPort: await freePort(),
    persistent: false,
    log,
  });
  await ensureDatabase(cluster.urlFor('postgres'), TEMPLATE_DATABASE);
  const template = openDatabase(cluster.urlFor(TEMPLATE_DATABASE), 2);
  await runMigrations(template);
  await template.close();
  const boss = new PgBoss({ connectionString: cluster.urlFor(TEMPLATE_DATABASE), max: 1, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });

  const redis = await startRedisServer(await freePort());
  project.provide('pgAdminUrl', cluster.urlFor('postgres'));
  project.provide('pgUrlBase', cluster.urlFor(''));
  project.provide('redisUrl', redis.url);

  return async () => {
    await redis.stop();
    await cluster.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
