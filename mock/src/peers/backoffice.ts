import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { json, readRaw } from '../http';

export interface ReceivedEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: unknown;
  receivedAt: string;
  deliveries: number;
}

const WINDOW_SECONDS = 300;

/**
 * The utility's back-office system as a peer: it accepts signed webhooks and keeps each event id
 * once (counting repeats). Faults for tests: fail the next N deliveries with 503, answer slowly,
 * or record the next N deliveries and then drop the connection without answering, as a back office
 * that processed an event but whose reply was lost does.
 */
export function backofficePeer(secret: string): Router {
  const router = new Router({ prefix: '/backoffice' });
  const events = new Map<string, ReceivedEvent>();
  let failNext = 0;
  let delayMs = 0;
  let dropReplyNext = 0;

  router.post('/events', async (ctx) => {
    const raw = await readRaw(ctx);
    const timestamp = ctx.get('X-Timestamp');
    const signature = Buffer.from(ctx.get('X-Signature'), 'base64');
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest();
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      return json(ctx, 401, { code: 'BAD_SIGNATURE' });
    }
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > WINDOW_SECONDS) {
      return json(ctx, 401, { code: 'STALE_TIMESTAMP' });
    }
    if (failNext > 0) {
      failNext -= 1;
      return json(ctx, 503, { code: 'TEMPORARILY_UNAVAILABLE' });
    }
    const event = JSON.parse(raw.toString('utf8')) as Omit<ReceivedEvent, 'receivedAt' | 'deliveries'>;
    const known = events.get(event.id);
    if (known) known.deliveries += 1;
    else events.set(event.id, { ...event, receivedAt: new Date().toISOString(), deliveries: 1 });
    if (dropReplyNext > 0) {
      dropReplyNext -= 1;
      ctx.req.socket.destroy();
      ctx.respond = false;
      return;
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    json(ctx, 200, { received: event.id });
  });

  router.get('/events', (ctx) => json(ctx, 200, { events: [...events.values()] }));

  // Plays a back-office clerk moving a work order: a signed callback to the product, as the real
  // back office sends it. The product's URL comes with the request (tests and demos know it).
  router.post('/_advance', async (ctx) => {
    const body = JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as {
      callbackUrl?: string;
      orderId?: number;
      action?: string;
      note?: string;
      eventId?: string;
    };
    if (!body.callbackUrl || !body.orderId || !body.action)
      return json(ctx, 400, { code: 'BAD_REQUEST', message: 'callbackUrl, orderId and action are required' });
    const payload = JSON.stringify({ orderId: body.orderId, action: body.action, ...(body.note ? { note: body.note } : {}) });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('base64');
    const response = await fetch(body.callbackUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Event-Id': body.eventId ?? `bo-${randomUUID()}`, 'X-Timestamp': timestamp, 'X-Signature': signature },
      body: payload,
    });
    json(ctx, 200, { status: response.status, reply: await response.json().catch(() => null) });
  });

  router.post('/_faults', async (ctx) => {
    const body = JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as { failNext?: number; delayMs?: number; dropReplyNext?: number };
    failNext = Math.max(0, Number(body.failNext ?? 0));
    delayMs = Math.max(0, Number(body.delayMs ?? 0));
    dropReplyNext = Math.max(0, Number(body.dropReplyNext ?? 0));
    json(ctx, 200, { failNext, delayMs, dropReplyNext });
  });

  return router;
}
