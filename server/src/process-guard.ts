import type { Logger } from 'pino';

/** Faults the guard caught since start, by kind; `/metrics` reports them so an operator sees a guard that fired. */
export const processFaults = { unhandledRejection: 0, uncaughtException: 0 };

let installed = false;

/**
 * The last line of defence: an error that escaped every handler (a stream without an error listener, a
 * promise nobody awaited) is logged with its stack and counted, and the server keeps serving. Each such
 * log line is a bug to fix at its cause; the guard only keeps one bad request from stopping every customer.
 */
export function guardProcess(logger: Logger): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    processFaults.unhandledRejection += 1;
    logger.error({ err: reason }, 'unhandled promise rejection caught by the process guard; still serving');
  });
  process.on('uncaughtException', (err, origin) => {
    processFaults.uncaughtException += 1;
    logger.error({ err, origin }, 'uncaught exception caught by the process guard; still serving');
  });
}
