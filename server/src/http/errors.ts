import type { Middleware } from 'koa';
import type { ErrorEnvelope } from '../../../shared/errors';
import { AppError } from '../errors';

/**
 * Turns every failure into the one error envelope. AppErrors keep their code; errors from Koa's
 * own machinery (http-errors with `expose`) map to a code by status; everything else is a 500
 * whose message reveals nothing and whose stack goes only to the log.
 */
export function errorEnvelope(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('ROUTE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'INTERNAL') ctx.state.log.error({ err }, 'unhandled error');
      ctx.status = appError.status;
      for (const [name, value] of Object.entries(appError.headers ?? {})) ctx.set(name, value);
      const body: ErrorEnvelope = {
        error: {
          code: appError.code,
          message: appError.message,
          ...(appError.details === undefined ? {} : { details: appError.details }),
          requestId: ctx.state.requestId,
        },
      };
      ctx.body = body;
    }
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  const exposed = typeof err === 'object' && err !== null && (err as { expose?: unknown }).expose === true;
  if (typeof status === 'number' && exposed) {
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type');
    if (status === 405) return new AppError('METHOD_NOT_ALLOWED', 'Method not allowed');
    if (status === 404) return new AppError('NOT_FOUND', 'Not found');
    if (status >= 400 && status < 500) return new AppError('VALIDATION_FAILED', (err as Error).message);
  }
  return new AppError('INTERNAL', 'Internal server error');
}
