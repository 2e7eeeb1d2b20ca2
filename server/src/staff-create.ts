/**
 * `npm run staff:create -- --username NAME --role ROLE [--role …] [--name 显示名] [--grid CODE …]`
 *
 * Creates a staff user in the database at DATABASE_URL (unset: the demo's embedded database, the
 * running server's if there is one). The password comes from stdin when piped (its first line) or
 * is asked for twice without echo on a terminal; it is never printed or logged.
 *
 * Exit codes: 0 created, 2 bad arguments or a weak password, 3 the username exists, 1 anything else.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config';
import { openDatabase, runMigrations } from './db/database';
import { runningClusterUrl, startEmbeddedPostgres, type EmbeddedCluster } from './db/embedded';
import { ensureDatabase } from './db/ensure-database';
import { checkNewStaffUser, createStaffUser, STAFF_ROLES, StaffUserError } from './modules/auth/staff-users';

const USAGE = `usage: npm run staff:create -- --username NAME --role ${STAFF_ROLES.join('|')} [--role …] [--name 显示名] [--grid GRID-CODE …]
  the password is read from stdin (first line) or asked for on a terminal`;

function exit(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function readArguments() {
  try {
    const { values } = parseArgs({
      options: {
        username: { type: 'string' },
        role: { type: 'string', multiple: true },
        name: { type: 'string' },
        grid: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!values.username) exit(2, `--username is required\n${USAGE}`);
    return {
      username: values.username,
      displayName: values.name ?? values.username,
      roles: (values.role ?? []).flatMap((role) => role.split(',')).filter(Boolean),
      grids: values.grid ?? [],
    };
  } catch (err) {
    return exit(2, `${(err as Error).message}\n${USAGE}`);
  }
}

/** The first line of piped stdin. */
async function readPipedPassword(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** Asks on the terminal with echo off (raw mode: each key arrives as typed and is not shown). */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return (finish(), resolve(value));
        if (char === '\u0003' || char === '\u0004') return (finish(), reject(new StaffUserError('cancelled', 'invalid')));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    input.on('data', onData);
  });
}

async function readPassword(username: string): Promise<string> {
  if (!process.stdin.isTTY) return readPipedPassword();
  const password = await promptHidden(`Password for ${username}: `);
  if ((await promptHidden('Again: ')) !== password) throw new StaffUserError('the two passwords differ', 'invalid');
  return password;
}

/** DATABASE_URL, or the demo's embedded database (started here only if no server has it running). */
async function databaseUrl(): Promise<{ url: string; cluster?: EmbeddedCluster }> {
  const env = process.env;
  let config;
  try {
    // Only the database settings: the server's other production requirements do not apply here.
    config = loadConfig({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: env.DATA_DIR, PG_PORT: env.PG_PORT, LOG_LEVEL: env.LOG_LEVEL });
  } catch (err) {
    if (err instanceof ConfigError) exit(2, err.message);
    throw err;
  }
  if (config.database.url) return { url: config.database.url };
  if (env.NODE_ENV === 'production') exit(2, 'Configuration error: DATABASE_URL is required in production (unset)');
  const running = await runningClusterUrl(config.database.embeddedDir, 'power');
  if (running) return { url: running };
  const log = pino({ level: 'warn' }, pino.destination(2));
  const cluster = await startEmbeddedPostgres({ dataDir: config.database.embeddedDir, preferredPort: config.database.embeddedPort, log });
  await ensureDatabase(cluster.urlFor('postgres'), 'power');
  return { url: cluster.urlFor('power'), cluster };
}

const input = readArguments();
let password: string;
try {
  password = await readPassword(input.username);
  checkNewStaffUser({ ...input, password });
} catch (err) {
  exit(err instanceof StaffUserError ? 2 : 1, `staff:create: ${(err as Error).message}`);
}
const { url, cluster } = await databaseUrl();
const database = openDatabase(url, 2);
let code = 0;
try {
  // A database no server has started yet gets its tables first.
  await runMigrations(database);
  const user = await createStaffUser(database, { ...input, password });
  process.stdout.write(`created staff user ${user.username} (id ${user.id}; roles ${user.roles.join(', ')})\n`);
} catch (err) {
  code = err instanceof StaffUserError ? (err.kind === 'exists' ? 3 : 2) : 1;
  process.stderr.write(`staff:create: ${(err as Error).message}\n`);
} finally {
  await database.close();
  await cluster?.stop();
}
process.exit(code);
