import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Finds a system binary the tests need, or fails with the one line that installs it. */
export function requireBinary(name: string, candidates: string[], aptPackage: string): string {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`${name} is not installed; run: apt-get install -y ${aptPackage} (or: node scripts/system-deps.mjs)`);
  return found;
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** A real redis-server on loopback, no persistence, for the tests that cover Redis. */
export async function startRedisServer(port: number): Promise<RedisServer> {
  const binary = requireBinary('redis-server', ['/usr/bin/redis-server', '/usr/local/bin/redis-server'], 'redis-server');
  // A faked-date run preloads libfaketime, which hangs redis-server's allocator at start. Redis only
  // keeps relative TTLs, so it runs on the real clock.
  const { LD_PRELOAD: _preload, ...env } = process.env;
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
