import { randomBytes } from 'node:crypto';
import { createTerminalClient, type TerminalClient } from '../../mock/src/terminal/client';
import type { TestApp } from './harness';
import { staffSession } from './identity';

/** The demo terminal seeded at start, signing with its configured secret, as `npm run terminal` does. */
export function demoTerminal(app: TestApp): TerminalClient {
  const { terminalId, secret } = app.runtime.deps.config.terminals.demo;
  return createTerminalClient({ baseUrl: app.url, terminalId, secret });
}

let counter = 0;

/** Registers a new terminal through the staff API (as an admin) and returns a client signing with its secret. */
export async function registerTerminal(
  app: TestApp,
  overrides: { allowedIps?: string[]; enabled?: boolean; terminalId?: string } = {},
): Promise<TerminalClient & { secret: string }> {
  counter += 1;
  const terminalId = overrides.terminalId ?? `T${process.pid % 10000}-${counter}-${randomBytes(2).toString('hex').toUpperCase()}`;
  const admin = await staffSession(app, 'admin');
  const { status, body } = await app.request('POST', '/api/staff/terminals', {
    headers: admin,
    body: {
      terminalId,
      organisation: { name: '测试便利店', kind: 'store_chain' },
      channel: 'pos',
      allowedIps: overrides.allowedIps ?? ['127.0.0.1', '::1'],
      enabled: overrides.enabled ?? true,
    },
  });
  if (status !== 201) throw new Error(`terminal registration failed: ${JSON.stringify(body)}`);
  return { ...createTerminalClient({ baseUrl: app.url, terminalId, secret: body.secret }), secret: body.secret as string };
}

let serialCounter = 0;
/** A serial no other request in this process used. */
export const nextSerial = () => `S${process.pid % 10000}${String((serialCounter += 1)).padStart(6, '0')}`;
