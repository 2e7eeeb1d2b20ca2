import { createHmac, timingSafeEqual } from 'node:crypto';
import { callJson, HttpStatusError } from '../http';

export interface BackofficeEvent {
  /** Stable id: the back office drops a repeated delivery of the same id. */
  id: string;
  type: string;
  occurredAt: string;
  data: unknown;
}

export interface BackofficeClient {
  deliver(event: BackofficeEvent): Promise<void>;
}

/**
 * Signs `timestamp + "." + body` with HMAC-SHA256 (base64) so the back office can check both the
 * sender and the freshness of every webhook.
 */
export function signBackofficeBody(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('base64');
}

/** Inbound calls from the back office are signed the same way; refused when forged or outside the window. */
export function checkBackofficeSignature(
  secret: string,
  headers: { timestamp: string; signature: string },
  rawBody: Buffer,
  nowMs: number,
  windowSeconds = 300,
): 'ok' | 'bad_signature' | 'stale' {
  const expected = createHmac('sha256', secret).update(`${headers.timestamp}.`).update(rawBody).digest();
  const given = Buffer.from(headers.signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
  if (!/^\d{9,11}$/.test(headers.timestamp) || Math.abs(nowMs / 1000 - Number(headers.timestamp)) > windowSeconds) return 'stale';
  return 'ok';
}

export function createBackofficeClient(options: { url: string; secret: string; timeoutMs?: number; now?: () => Date }): BackofficeClient {
  const now = options.now ?? (() => new Date());
  return {
    async deliver(event) {
      const body = JSON.stringify(event);
      const timestamp = String(Math.floor(now().getTime() / 1000));
      await callJson(`${options.url}/events`, {
        headers: {
          'X-Event-Id': event.id,
          'X-Timestamp': timestamp,
          'X-Signature': signBackofficeBody(options.secret, timestamp, body),
        },
        body,
        timeoutMs: options.timeoutMs,
      }).catch((err: unknown) => {
        throw err instanceof HttpStatusError ? new Error(`back office answered ${err.status}`) : err;
      });
    },
  };
}
