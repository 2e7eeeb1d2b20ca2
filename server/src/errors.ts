import { statusOf, type ErrorCode } from '../../shared/errors';

/**
 * The one error type services throw. It carries a stable code (its HTTP status comes from the
 * shared code table) and optional details safe to show the caller. Anything else that escapes a
 * handler is reported as INTERNAL with no internals.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = statusOf(code);
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
