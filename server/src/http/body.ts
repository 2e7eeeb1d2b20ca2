import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import type { Context, Middleware } from 'koa';
import { AppError } from '../errors';

declare module 'koa' {
  interface Request {
    /** The exact bytes received; signatures are always checked over these, never re-serialised JSON. */
    rawBody: Buffer;
    body: unknown;
  }
}

/**
 * Whatever goes wrong while a body arrives becomes one AppError: the client closed the connection
 * mid-body, sent fewer or more bytes than it announced, sent too many, or was too slow.
 */
export function bodyFailure(err: unknown, limitBytes: number): AppError {
  if (err instanceof AppError) return err;
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  if (type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', `Request bodies may be at most ${limitBytes} bytes`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding');
  return new AppError('BODY_INCOMPLETE', 'The request body ended before it was complete');
}

/** Refusing a body the client is still sending: the connection closes after the reply so no stray bytes follow. */
export function closeAfterReply(ctx: Context): void {
  ctx.set('Connection', 'close');
}

/**
 * Runs `read` with a deadline: a client that trickles its body (or never finishes it) gets 408
 * instead of holding a connection and a buffer open indefinitely.
 */
export async function withBodyDeadline<T>(request: IncomingMessage, timeoutMs: number, read: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('BODY_TIMEOUT', `The request body did not arrive within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  try {
    return await Promise.race([read(), deadline]);
  } finally {
    clearTimeout(timer);
    // A reader that lost the race must not keep buffering: stop reading from the socket.
    if (!request.complete) request.pause();
  }
}

/**
 * Reads the body once, keeping the raw bytes, and parses JSON or form encoding. Oversized bodies
 * are refused with 413 before they are buffered whole; truncated, aborted or slow ones with a 4xx.
 */
export function bodyReader(limitBytes: number, timeoutMs: number): Middleware {
  return async (ctx, next) => {
    ctx.request.rawBody = Buffer.alloc(0);
    ctx.request.body = undefined;
    if (!ctx.request.length && !ctx.get('Transfer-Encoding')) return next();
    // File uploads are streamed by their route with its own size limit, never buffered here.
    if (ctx.request.is('multipart')) return next();
    // Compressed request bodies are not accepted: nothing we serve sends them, and inflating is a bomb risk.
    const encoding = ctx.get('Content-Encoding').toLowerCase();
    if (encoding && encoding !== 'identity') {
      closeAfterReply(ctx);
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Compressed request bodies are not accepted');
    }
    let raw: Buffer;
    try {
      raw = await withBodyDeadline(ctx.req, timeoutMs, () => getRawBody(ctx.req, { limit: limitBytes, length: ctx.request.length }));
    } catch (err) {
      closeAfterReply(ctx);
      throw bodyFailure(err, limitBytes);
    }
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
