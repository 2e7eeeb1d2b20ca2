import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The reference payment terminal: signs and sends each message of the terminal protocol the way a
 * bank's integration would, written from docs/terminal-api.md rather than from the server's code,
 * so the tests that use it check the documented protocol. Used by `npm run terminal` and the tests.
 */
export interface TerminalCredentials {
  baseUrl: string;
  terminalId: string;
  secret: string;
}

export interface TerminalReply {
  status: number;
  headers: Headers;
  body: any;
}

/** What a test may change about one request to see it refused. */
export interface SendOptions {
  timestamp?: string;
  nonce?: string;
  /** Sign with this secret instead of the terminal's. */
  secret?: string;
  /** Bytes actually sent, when they should differ from the bytes signed. */
  sendBody?: string;
  headers?: Record<string, string>;
}

export type Message = 'signin' | 'query' | 'pay' | 'reverse' | 'signout' | 'reconcile';

/** The documented string to sign: METHOD, PATH, timestamp, nonce and the body's SHA-256 in hex, each followed by a newline. */
export function stringToSign(method: string, path: string, timestamp: string, nonce: string, body: string): string {
  return [method, path, timestamp, nonce, createHash('sha256').update(body, 'utf8').digest('hex')].join('\n') + '\n';
}

export const sign = (secret: string, text: string) => createHmac('sha256', secret).update(text, 'utf8').digest('base64');

export function createTerminalClient(credentials: TerminalCredentials) {
  async function send(message: Message, payload: unknown, options: SendOptions = {}): Promise<TerminalReply> {
    const path = `/api/terminal/v1/${message}`;
    const body = JSON.stringify(payload);
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = options.nonce ?? randomBytes(16).toString('hex');
    const signature = sign(options.secret ?? credentials.secret, stringToSign('POST', path, timestamp, nonce, body));
    const response = await fetch(`${credentials.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Terminal-Id': credentials.terminalId,
        'X-Timestamp': timestamp,
        'X-Nonce': nonce,
        'X-Signature': signature,
        ...options.headers,
      },
      body: options.sendBody ?? body,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  return {
    terminalId: credentials.terminalId,
    send,
    signin: (accountingDate: string, options?: SendOptions) => send('signin', { accountingDate }, options),
    query: (accountNo: string, options?: SendOptions) => send('query', { accountNo }, options),
    pay: (pay: { serial: string; accountingDate: string; accountNo: string; amountFen: number; receivableIds?: number[] }, options?: SendOptions) =>
      send('pay', pay, options),
    reverse: (reversal: { serial: string; accountingDate: string; originalSerial: string; amountFen: number }, options?: SendOptions) =>
      send('reverse', reversal, options),
    signout: (accountingDate: string, options?: SendOptions) => send('signout', { accountingDate }, options),
    reconcile: (accountingDate: string, file: string, options?: SendOptions) => send('reconcile', { accountingDate, file }, options),
  };
}

export type TerminalClient = ReturnType<typeof createTerminalClient>;

/** The terminal's day file: a header with the count and total in fen, then one line per payment that stands. */
export function dayFile(accountingDate: string, payments: ReadonlyArray<{ serial: string; accountNo: string; amountFen: number }>): string {
  const total = payments.reduce((sum, payment) => sum + payment.amountFen, 0);
  return (
    [`H|${accountingDate}|${payments.length}|${total}`, ...payments.map((payment) => `D|${payment.serial}|${payment.accountNo}|${payment.amountFen}`)].join(
      '\n',
    ) + '\n'
  );
}
