import { createSign, randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import type { PaymentKeys } from '../../shared/node/payment-keys';

/** One request the merchant endpoint received. */
export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type MerchantReply = { status: number; body?: string } | { hang: true };

/**
 * A merchant's notify endpoint on loopback: records every request with its exact bytes and
 * answers as the test scripts it (by the request's position in arrival order).
 */
export async function startMerchant(initial: (request: Received, index: number) => MerchantReply | Promise<MerchantReply> = () => ({ status: 204 })) {
  const received: Received[] = [];
  let reply = initial;
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { at: Date.now(), path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      const index = received.push(request) - 1;
      for (const wake of waiters) wake();
      void Promise.resolve(reply(request, index)).then((answer) => {
        if ('hang' in answer) return;
        res.writeHead(answer.status, { 'Content-Type': 'text/plain' });
        res.end(answer.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    setReply(next: typeof initial) {
      reply = next;
    },
    /** Resolves once `count` requests have arrived. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<Received[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${received.length}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, 50);
          waiters.add(wake);
        });
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A WeChat Pay API call signed by hand (not through the SDK), so a test can send exactly what it
 * means to, including wrong signatures. `path` is what follows /wechatpay, e.g. /v3/pay/….
 */
export async function wechatPayCall(
  base: string,
  keys: PaymentKeys['wechatPay'],
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  tamper: { privateKey?: string; serial?: string; timestamp?: number; mchid?: string } = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const timestamp = String(tamper.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256')
    .update(`${method}\n${path}\n${timestamp}\n${nonce}\n${text}\n`)
    .sign(tamper.privateKey ?? keys.merchant.privateKey, 'base64');
  const mchid = tamper.mchid ?? '1900000109';
  const authorization = `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${tamper.serial ?? keys.merchant.serialNo}"`;
  const response = await fetch(`${base}/wechatpay${path}`, {
    method,
    headers: { Authorization: authorization, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : text,
  });
  const raw = Buffer.from(await response.arrayBuffer());
  const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value]));
  return { status: response.status, headers, raw, json: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, any>) : undefined };
}

/** The files of a zip archive, read as a merchant's zip library reads them. */
export function unzip(archive: Buffer): Map<string, Buffer> {
  return new Map(Object.entries(unzipSync(archive)).map(([name, data]) => [name, Buffer.from(data)]));
}

/** Reads a notification form body as the merchant's framework would. */
export function formFields(body: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}
