import getRawBody from 'raw-body';
import type { Middleware } from 'koa';
import { AppError } from '../errors';

declare module 'koa' {
  interface Request {
    /** The exact bytes received; signatures are always checked over these, never re-serialised JSON. */
    rawBody: Buffer;
    body: unknown;
  }
}

/**
 * Reads the body once, keeping the raw bytes, and parses JSON or form encoding.
 * Oversized bodies are refused with 413 before they are buffered whole.
 */
export function bodyReader(limitBytes: number): Middleware {
  return async (ctx, next) => {
    ctx.request.rawBody = Buffer.alloc(0);
    ctx.request.body = undefined;
    if (!ctx.request.length && !ctx.get('Transfer-Encoding')) return next();
    // File uploads are streamed by their route with its own size limit, never buffered here.
    if (ctx.request.is('multipart')) return next();
    const raw = await getRawBody(ctx.req, { limit: limitBytes, length: ctx.request.length });
    ctx.request.rawBody = raw;
    if (raw.length === 0) return next();
    if (ctx.request.is('json') || ctx.request.is('+json')) {
      try {
        ctx.request.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('MALFORMED_JSON', 'Request body is not valid JSON');
      }
    } else if (ctx.request.is('urlencoded')) {
      ctx.request.body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    }
    return next();
  };
}
