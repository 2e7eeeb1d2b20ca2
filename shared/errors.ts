/**
 * The one table of stable error codes. Clients branch on `code`, never on message text;
 * the server maps each code to its HTTP status here so a code cannot drift between routes.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  BODY_INCOMPLETE: 400,
  BODY_TIMEOUT: 408,
  MALFORMED_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  UPSTREAM_FAILED: 502,
  // identity
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  WRONG_AUDIENCE: 403,
  WECHAT_CODE_INVALID: 400,
  WECHAT_CODE_USED: 400,
  SMS_CODE_INVALID: 400,
  SMS_CODE_LOCKED: 400,
  SMS_SEND_FAILED: 502,
  PHONE_IN_USE: 409,
  // electricity accounts
  BIND_VERIFICATION_FAILED: 400,
  ACCOUNT_LIMIT_REACHED: 409,
  // billing
  MONTH_NOT_ENDED: 409,
  BILL_NOT_HELD: 409,
  NOT_PREPAID: 409,
  READING_INVALID: 400,
  TARIFF_UNKNOWN: 400,
  // outages and notifications
  OUTAGE_NOT_ALLOWED: 409,
  OUTAGE_CHANGED: 409,
  FEEDER_UNKNOWN: 400,
  NO_WECHAT_LOGIN: 409,
  NO_PHONE: 409,
  // service requests
  IDEMPOTENCY_KEY_REUSED: 422,
  TRANSITION_REFUSED: 409,
  SIGNATURE_INVALID: 401,
  TIMESTAMP_STALE: 401,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  DOCUMENT_TYPE_REFUSED: 415,
  DOCUMENT_TOO_LARGE: 413,
  DOCUMENT_INVALID: 400,
  // payments allocated to receivables (any channel)
  AMOUNT_INVALID: 400,
  RECEIVABLE_NOT_OPEN: 409,
  ACCOUNT_UNKNOWN: 404,
  // payment terminals: authentication (see docs/terminal-api.md)
  TERMINAL_UNKNOWN: 401,
  TERMINAL_DISABLED: 403,
  IP_NOT_ALLOWED: 403,
  NONCE_REUSED: 401,
  // payment terminals: the accounting day and its transactions
  ACCOUNTING_DATE_INVALID: 400,
  NOT_SIGNED_IN: 409,
  DAY_CLOSED: 409,
  DAY_STILL_OPEN: 409,
  DAY_NOT_CLOSED: 409,
  SERIAL_REUSED: 422,
  ORIGINAL_UNKNOWN: 404,
  ALREADY_REVERSED: 409,
  RECONCILE_FILE_INVALID: 400,
  ALREADY_RECONCILED: 409,
  MISMATCH_RESOLVED: 409,
  // online payments (WeChat Pay, Alipay)
  NOTHING_TO_PAY: 409,
  PAYMENT_CHANNEL_UNAVAILABLE: 503,
  PAYMENT_GATEWAY_FAILED: 502,
  ORDER_NOT_REFUNDABLE: 409,
  REFUND_IN_PROGRESS: 409,
  // electronic receipts
  PAYMENT_NOT_PAID: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error reply. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode | (string & {});
    message: string;
    details?: unknown;
    requestId: string;
  };
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}
