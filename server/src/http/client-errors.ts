import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorEnvelope } from '../../../shared/errors';
import { statusOf, type ErrorCode } from '../../../shared/errors';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

function codeFor(err: NodeJS.ErrnoException): ErrorCode {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'BODY_TIMEOUT';
  if (err.code === 'HPE_INVALID_EOF_STATE') return 'BODY_INCOMPLETE';
  return 'MALFORMED_REQUEST';
}

/**
 * Requests Node's HTTP parser rejects before Koa sees them (broken framing, a body cut short by a
 * half-close, oversized headers, timeouts) get the same JSON error envelope as everything else,
 * instead of Node's bare `400 Bad Request`.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const response = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const code = codeFor(err);
    const status = statusOf(code);
    const requestId = randomUUID();
    logger.info({ requestId, code, parserError: err.code }, 'request refused by the HTTP parser');
    const envelope: ErrorEnvelope = { error: { code, message: 'The request could not be read', requestId } };
    const body = JSON.stringify(envelope);
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
