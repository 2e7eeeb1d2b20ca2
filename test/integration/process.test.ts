import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../server/src/db/embedded';
import { createTestDatabase, request } from '../support/harness';
import { spawnServer } from '../support/process';

describe('the server process', () => {
  it('refuses to start on a bad setting, naming it in one line, with a non-zero exit', async () => {
    const server = spawnServer({ PORT: 'eighty', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.output().trim()).toBe('Configuration error: PORT expected number, received NaN (got "eighty")');
  });

  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    const port = await freePort();
    const server = spawnServer({ DATABASE_URL: await createTestDatabase(), MOCKS: 'off', PORT: String(port), LOG_LEVEL: 'info' });
    await server.waitForLog('server listening');

    // A client halfway through uploading a request body when the signal arrives.
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify({ note: 'sent in two parts' });
    socket.write(`POST /api/nothing HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.slice(0, 10));
    const reply = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    server.child.kill('SIGTERM');
    await server.waitForLog('shutting down: no new connections, finishing in-flight requests');
    await expect(request(`http://127.0.0.1:${port}`, 'GET', '/healthz')).rejects.toThrow();

    socket.end(body.slice(10));
    const response = await reply;
    expect(response).toMatch(/^HTTP\/1\.1 404 /);
    expect(response).toContain('"code":"ROUTE_NOT_FOUND"');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('"msg":"shutdown complete"');
  });

  it('keeps its data through kill -9 and a restart on the embedded database', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'power-restart-'));
    await fs.chmod(dataDir, 0o755);
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      PG_PORT: String(await freePort()),
      MOCK_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    const url = `http://127.0.0.1:${env.PORT}`;
    try {
      const started = Date.now();
      const first = spawnServer(env);
      await first.waitForLog('ready');
      const startupMs = Date.now() - started;
      expect((await request(url, 'GET', '/healthz')).status).toBe(200);
      expect(startupMs).toBeLessThan(60_000);
      const demo = JSON.parse(await fs.readFile(path.join(dataDir, 'demo.json'), 'utf8'));
      expect(demo.url).toBe(url);

      const pgStarted = await first.waitForLog('embedded PostgreSQL started');
      const secrets = JSON.parse(await fs.readFile(path.join(dataDir, 'pg.json'), 'utf8'));
      const connect = async (port: unknown) => {
        const client = new pg.Client({ host: '127.0.0.1', port: Number(port), user: secrets.user, password: secrets.password, database: 'power' });
        await client.connect();
        return client;
      };
      const writer = await connect(pgStarted.port);
      await writer.query("INSERT INTO seed_runs (name, summary) VALUES ('durability-probe', '{\"written\": true}')");
      await writer.end();

      first.child.kill('SIGKILL');
      await first.exited;

      const second = spawnServer(env);
      await second.waitForLog('ready');
      expect((await request(url, 'GET', '/healthz')).status).toBe(200);
      expect(second.output()).toContain('stopping a PostgreSQL server left running from an earlier start');
      expect(second.output()).not.toContain('"msg":"demo data seeded"');
      const reader = await connect((await second.waitForLog('embedded PostgreSQL started')).port);
      const { rows } = await reader.query("SELECT summary FROM seed_runs WHERE name = 'durability-probe'");
      await reader.end();
      expect(rows).toEqual([{ summary: { written: true } }]);

      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second server on the same data directory or port, leaving the first one serving', async () => {
    const dirs = await Promise.all([0, 1].map(() => fs.mkdtemp(path.join(os.tmpdir(), 'power-twice-'))));
    await Promise.all(dirs.map((dir) => fs.chmod(dir, 0o755)));
    const port = String(await freePort());
    const base = { MOCKS: 'off', LOG_LEVEL: 'info' };
    const first = spawnServer({ ...base, DATA_DIR: dirs[0]!, PORT: port, PG_PORT: String(await freePort()) });
    try {
      await first.waitForLog('ready');

      const sameData = spawnServer({ ...base, DATA_DIR: dirs[0]!, PORT: String(await freePort()), PG_PORT: String(await freePort()) });
      expect((await sameData.exited).code).toBe(1);
      expect(sameData.output()).toContain('is in use by another running server');

      const samePort = spawnServer({ ...base, DATA_DIR: dirs[1]!, PORT: port, PG_PORT: String(await freePort()) });
      expect((await samePort.exited).code).toBe(1);
      expect(samePort.output()).toContain('EADDRINUSE');
      // Its own database was stopped on the way out.
      expect(samePort.output()).not.toContain('"msg":"ready"');
      await expect(fs.access(path.join(dirs[1]!, 'pg', 'postmaster.pid'))).rejects.toThrow();

      expect((await request(`http://127.0.0.1:${port}`, 'GET', '/healthz')).status).toBe(200);
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    }
  });
});
