import type { Contracts, RequestOf, ResponseOf } from '../../../shared/contracts';
import type { ErrorEnvelope } from '../../../shared/errors';
import { routes, type RouteName } from '../../../shared/routes';
import { NetworkError, type HttpResponse, type PickedFile, type Platform } from '../platform';

/** A failed API call: the server's stable code, or NETWORK / BAD_RESPONSE from the client itself. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Session {
  accessToken(): string | undefined;
  /** Tries to get a new access token; false when the customer has to log in again. */
  refresh(): Promise<boolean>;
}

export interface ApiClientOptions {
  baseUrl: string;
  platform: Pick<Platform, 'request'> & Partial<Pick<Platform, 'uploadFile'>>;
  session: Session;
  /** Delays before each retry of an idempotent GET after a network failure or 502/503/504. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The contract's body, query and path parameters, plus headers an endpoint asks for (Idempotency-Key). */
type Input<K extends RouteName> = Partial<RequestOf<Contracts[K]>> & { headers?: Record<string, string> };
/** A multipart call: one picked file under `field` (default `file`) and plain form fields. */
export interface Upload {
  file: PickedFile;
  field?: string;
  fields?: Record<string, string>;
  params?: Record<string, unknown>;
}
export type ApiResponse<K extends RouteName> = ResponseOf<Contracts[K]>;

const RETRYABLE_STATUS = new Set([502, 503, 504]);

function buildPath(template: string, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const search = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return search ? `${path}?${search}` : path;
}

function toApiError(response: HttpResponse): ApiError {
  const envelope = response.data as Partial<ErrorEnvelope> | undefined;
  const error = envelope?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(error.code, error.message, response.status, error.requestId, error.details);
  }
  return new ApiError(`HTTP_${response.status}`, `Unexpected HTTP ${response.status}`, response.status);
}

/**
 * The one way pages reach the server: typed by the shared contracts, with the access token added,
 * one token refresh on 401, error envelopes turned into ApiError, and GETs (and writes with an
 * Idempotency-Key) retried when the network or a gateway in front of the server fails.
 */
export function createApiClient(options: ApiClientOptions) {
  const retryDelays = options.retryDelaysMs ?? [300, 900];
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const authHeaders = (): Record<string, string> => {
    const token = options.session.accessToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };

  /**
   * Sends once and, as needed, again: after one token refresh on 401, and for idempotent calls
   * after network failures and gateway errors. Turns what comes back into data or an ApiError.
   */
  async function exchange<T>(idempotent: boolean, send: () => Promise<HttpResponse>): Promise<T> {
    let refreshed = false;
    let attempt = 0;
    for (;;) {
      let response: HttpResponse;
      try {
        response = await send();
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        if (idempotent && attempt < retryDelays.length) {
          await sleep(retryDelays[attempt++]!);
          continue;
        }
        throw new ApiError('NETWORK', err.message, 0);
      }
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        if (await options.session.refresh()) continue;
      }
      if (idempotent && RETRYABLE_STATUS.has(response.status) && attempt < retryDelays.length) {
        await sleep(retryDelays[attempt++]!);
        continue;
      }
      if (response.status < 200 || response.status >= 300) throw toApiError(response);
      if (response.data === undefined || response.data === null || typeof response.data !== 'object') {
        throw new ApiError('BAD_RESPONSE', 'The server reply was not JSON', response.status);
      }
      return response.data as T;
    }
  }

  async function call<K extends RouteName>(name: K, input: Input<K> = {}): Promise<ApiResponse<K>> {
    const route = routes[name];
    const url = options.baseUrl + buildPath(route.path, input.params as Record<string, unknown>, input.query as Record<string, unknown>);
    const body = input.body;
    // A write carrying an Idempotency-Key is safe to repeat: the server answers a repeat with the first result.
    const idempotent = route.method === 'get' || Boolean(input.headers?.['Idempotency-Key']);
    return exchange(idempotent, () =>
      options.platform.request({
        url,
        method: route.method.toUpperCase() as 'GET',
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...input.headers,
          ...authHeaders(),
        },
        body,
        timeoutMs: options.timeoutMs ?? 15_000,
      }),
    );
  }

  /** Sends a picked file to a multipart endpoint; like any POST it is not repeated after a failure. */
  async function upload<K extends RouteName>(name: K, upload: Upload): Promise<ApiResponse<K>> {
    const uploadFile = options.platform.uploadFile;
    if (!uploadFile) throw new Error('this client was made without file uploads');
    const url = options.baseUrl + buildPath(routes[name].path, upload.params);
    return exchange(false, () =>
      uploadFile({ url, file: upload.file, field: upload.field ?? 'file', fields: upload.fields, headers: { Accept: 'application/json', ...authHeaders() } }),
    );
  }

  return { call, upload };
}

export type ApiClient = ReturnType<typeof createApiClient>;
