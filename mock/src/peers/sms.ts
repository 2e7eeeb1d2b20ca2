import Router from '@koa/router';
import { json, readRaw } from '../http';

interface SentMessage {
  phone: string;
  template: string;
  params: Record<string, string>;
  sentAt: string;
}

/**
 * An SMS gateway as a peer: it checks the API key, records every message so a developer (or a
 * test) can read the codes, and can be told to fail the next N sends.
 */
export function smsPeer(options: { apiKey: string }): Router {
  const router = new Router({ prefix: '/sms' });
  const messages: SentMessage[] = [];
  let failNext = 0;

  router.post('/send', async (ctx) => {
    if (ctx.get('X-Api-Key') !== options.apiKey) return json(ctx, 401, { code: 'BAD_API_KEY' });
    const body = JSON.parse((await readRaw(ctx)).toString('utf8')) as Omit<SentMessage, 'sentAt'>;
    if (!/^1[3-9]\d{9}$/.test(body.phone ?? '')) return json(ctx, 400, { code: 'BAD_PHONE' });
    if (failNext > 0) {
      failNext -= 1;
      return json(ctx, 503, { code: 'CARRIER_UNAVAILABLE' });
    }
    messages.push({ ...body, sentAt: new Date().toISOString() });
    json(ctx, 200, { accepted: true });
  });

  router.get('/messages', (ctx) => {
    const phone = typeof ctx.query.phone === 'string' ? ctx.query.phone : undefined;
    json(ctx, 200, { messages: messages.filter((message) => !phone || message.phone === phone) });
  });

  router.post('/_faults', async (ctx) => {
    const body = JSON.parse((await readRaw(ctx)).toString('utf8') || '{}') as { failNext?: number };
    failNext = Math.max(0, Number(body.failNext ?? 0));
    json(ctx, 200, { failNext });
  });
  return router;
}
