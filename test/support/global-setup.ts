import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { pino } from 'pino';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { openDatabase, runMigrations } from '../../server/src/db/database';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded';
import { ensureDatabase } from '../../server/src/db/ensure-database';
import { ensureBuild } from '../../scripts/ensure-build.mjs';
import { shanghaiDate } from '../../shared/dates';
import { startRedisServer } from './system';

import { TEMPLATE_DATABASE } from './constants';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgUrlBase: string;
    redisUrl: string;
  }
}

interface Infrastructure {
  pgAdminUrl: string;
  pgUrlBase: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * A faked-date run (`npm test -- --today=…`) must fake the date everywhere, or it proves nothing:
 * the tests' own clock and PostgreSQL's are checked before any test runs.
 */
async function checkFakedToday(database: ReturnType<typeof openDatabase>, today: string): Promise<void> {
  const { rows } = await database.pool.query<{ date: string }>(`SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS date`);
  const seen = { node: shanghaiDate(new Date()), postgres: rows[0]!.date };
  if (seen.node !== today || seen.postgres !== today)
    throw new Error(`TEST_TODAY is ${today} but today is ${JSON.stringify(seen)}: libfaketime is not in effect`);
}

/**
 * One real PostgreSQL cluster and one real Redis for the whole run. The template database is
 * migrated (with the job queue's schema) once; each test file copies it, which takes milliseconds.
 */
async function startInfrastructure(): Promise<Infrastructure> {
  const log = pino({ level: 'warn' });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-test-pg-'));
  // As root the server runs as the postgres user, who must be able to reach its data directory.
  await fs.chmod(dataDir, 0o755);
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'pg'),
    preferredPort: await freePort(),
    persistent: false,
    log,
  });
  try {
    await ensureDatabase(cluster.urlFor('postgres'), TEMPLATE_DATABASE);
    const template = openDatabase(cluster.urlFor(TEMPLATE_DATABASE), 2);
    await runMigrations(template);
    if (process.env.TEST_TODAY) await checkFakedToday(template, process.env.TEST_TODAY);
    await template.close();
    const boss = new PgBoss({ connectionString: cluster.urlFor(TEMPLATE_DATABASE), max: 1, supervise: false, schedule: false });
    await boss.start();
    await boss.stop({ graceful: false, wait: true });
    const redis = await startRedisServer(await freePort());
    return {
      pgAdminUrl: cluster.urlFor('postgres'),
      pgUrlBase: cluster.urlFor(''),
      redisUrl: redis.url,
      async stop() {
        await redis.stop();
        await cluster.stop();
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    // A failed setup gets no teardown call: the cluster would outlive the run.
    await cluster.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

// Each vitest project runs its own global setup, all in this one process: the projects that need
// the database (integration, weapp) share one cluster, stopped when the last of them is done.
const shared = globalThis as { powerTestInfrastructure?: { users: number; started: Promise<Infrastructure> } };

export async function provideInfrastructure(project: TestProject): Promise<() => Promise<void>> {
  shared.powerTestInfrastructure ??= { users: 0, started: startInfrastructure() };
  const entry = shared.powerTestInfrastructure;
  entry.users += 1;
  const infrastructure = await entry.started;
  project.provide('pgAdminUrl', infrastructure.pgAdminUrl);
  project.provide('pgUrlBase', infrastructure.pgUrlBase);
  project.provide('redisUrl', infrastructure.redisUrl);
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    shared.powerTestInfrastructure = undefined;
    await infrastructure.stop();
  };
}

export default async function setup(project: TestProject) {
  // The browser tests serve the built page; build it first if the sources changed since.
  ensureBuild('h5', (line) => process.stdout.write(`${line}\n`));
  return provideInfrastructure(project);
}
