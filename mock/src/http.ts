import getRawBody from 'raw-body';
import type { Context } from 'koa';

/** Reads the exact request bytes: peers verify signatures over them, as the real gateways do. */
export async function readRaw(ctx: Context): Promise<Buffer> {
  return getRawBody(ctx.req, { limit: '5mb' });
}

export function json(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.body = body;
}

/** Where the caller reached this server (Koa 3's `ctx.origin` is the Origin header instead). */
export function selfBase(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}
