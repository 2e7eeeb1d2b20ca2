/** Sends fuzz cases over keep-alive HTTP, signs the ones that need a real signature, and judges each answer. */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { ERROR_CODES } from '../../../shared/errors';
import { signTerminalRequest, stringToSign } from '../../../server/src/modules/terminals/signing';
import type { Case } from './cases';
import { toJson } from './schema';

export interface Signers {
  bearer: Record<string, string>;
  terminal: { terminalId: string; secret: string };
  backofficeSecret: string;
  nowSeconds: () => number;
}

export interface Outcome {
  case: Case;
  status: number;
  problem?: string;
  code?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function bytesOf(body: Case['body']): { bytes?: Buffer; type?: string } {
  if (!body) return {};
  if ('json' in body) return { bytes: Buffer.from(toJson(body.json)), type: 'application/json' };
  return { bytes: Buffer.from(body.raw), type: body.type };
}

/** The headers that make `auth: 'valid'` true for this operation's security scheme. */
function validAuth(scheme: string | undefined, op: string, method: string, target: string, bytes: Buffer, signers: Signers): Record<string, string> {
  if (scheme && signers.bearer[scheme]) return { Authorization: signers.bearer[scheme]! };
  const timestamp = String(signers.nowSeconds());
  if (scheme === 'terminalSignature') {
    const nonce = randomBytes(12).toString('base64url');
    const signature = signTerminalRequest(signers.terminal.secret, stringToSign(method, target, timestamp, nonce, bytes));
    return { 'X-Terminal-Id': signers.terminal.terminalId, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': signature };
  }
  // The back office's callback is the one `signature` operation we can sign; the payment gateways' notifications get only forgeries.
  if (scheme === 'signature' && op.endsWith('/callbacks')) {
    const signature = createHmac('sha256', signers.backofficeSecret).update(`${timestamp}.`).update(bytes).digest('base64');
    return { 'X-Timestamp': timestamp, 'X-Signature': signature, 'X-Event-Id': `fuzz-${randomBytes(8).toString('hex')}` };
  }
  return {};
}

export function send(base: URL, c: Case, scheme: string | undefined, signers: Signers): Promise<{ status: number; type: string; text: string }> {
  const { bytes, type } = bytesOf(c.body);
  const target = c.query ? `${c.path}?${c.query}` : c.path;
  const method = c.op.split(' ')[0]!;
  const headers: Record<string, string> = { ...c.headers };
  if (type) headers['Content-Type'] = type;
  if (bytes) headers['Content-Length'] = String(bytes.length);
  if (c.auth === 'valid') Object.assign(headers, validAuth(scheme, c.op, method, target, bytes ?? Buffer.alloc(0), signers));
  else if (c.auth !== 'none') Object.assign(headers, 'authorization' in c.auth ? { Authorization: c.auth.authorization } : c.auth.headers);
  // Creating endpoints want a fresh key per attempt; a case that tests the key sets its own.
  if (method !== 'GET' && !('Idempotency-Key' in headers)) headers['Idempotency-Key'] = `fuzz-${randomBytes(8).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path: target, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** The payment gateways' notifications answer in the gateway's own protocol, as the gateway requires. */
const PEER_REPLIES: Record<string, (status: number, text: string) => boolean> = {
  'POST /api/payments/notify/wechat': (status, text) => status === 401 && /^\{"code":"FAIL","message":"[^"]*"\}$/.test(text),
  'POST /api/payments/notify/alipay': (status, text) => status === 400 && text === 'failure',
};

/** What is wrong with an answer, if anything: a 5xx, an error outside the envelope, a 2xx to input the document forbids. */
export function judge(c: Case, status: number, text: string): { problem?: string; code?: string } {
  if (status >= 500) return { problem: `${status}`, code: codeOf(text) };
  if (status >= 200 && status < 300) return c.expect === 'reject' ? { problem: '2xx to forbidden input' } : {};
  if (status < 400) return { problem: `unexpected ${status}` };
  if (PEER_REPLIES[c.op]?.(status, text)) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: 'error body is not JSON' };
  }
  const error = (body as { error?: Record<string, unknown> })?.error;
  const keysOk = body !== null && typeof body === 'object' && Object.keys(body).join() === 'error';
  const fieldsOk =
    error !== undefined &&
    typeof error.code === 'string' &&
    typeof error.message === 'string' &&
    typeof error.requestId === 'string' &&
    Object.keys(error).every((key) => ['code', 'message', 'requestId', 'details'].includes(key));
  if (!keysOk || !fieldsOk) return { problem: 'not the error envelope' };
  if (!((error!.code as string) in ERROR_CODES)) return { problem: 'unknown error code', code: error!.code as string };
  if (ERROR_CODES[error!.code as keyof typeof ERROR_CODES] !== status) return { problem: `code ${String(error!.code)} with status ${status}` };
  return { code: error!.code as string };
}

function codeOf(text: string): string | undefined {
  try {
    return JSON.parse(text)?.error?.code;
  } catch {
    return undefined;
  }
}

/** Runs `items` through `worker` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await worker(items[i]!);
      }
    }),
  );
  return results;
}

/** Exact row counts of every table in the app's schema (pg-boss keeps its own schema and is not counted). */
export async function tableCounter(databaseUrl: string, excluded: Set<string>) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const tables = rows.map((row) => row.name).filter((name) => !excluded.has(name));
  const sql = tables.map((name) => `SELECT '${name}' AS name, count(*)::int AS n FROM "${name}"`).join(' UNION ALL ');
  return {
    tables,
    async counts(): Promise<Record<string, number>> {
      const result = await client.query<{ name: string; n: number }>(sql);
      return Object.fromEntries(result.rows.map((row) => [row.name, row.n]));
    },
    close: () => client.end(),
  };
}

export function diff(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(before)
    .filter((name) => before[name] !== after[name])
    .map((name) => `${name} ${before[name]}→${after[name]}`);
}

export const closeAgent = () => agent.destroy();
