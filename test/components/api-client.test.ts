import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, type Session } from '../../miniapp/src/services/api';
import { createSession } from '../../miniapp/src/services/session';
import { NetworkError, type HttpRequest, type HttpResponse, type Platform } from '../../miniapp/src/platform';

const META = { utility: { name: 'U', shortName: 'U', hotline: '95598', serviceHours: '24h' }, notices: [] };
const ok = (data: unknown): HttpResponse => ({ status: 200, headers: {}, data });
const envelope = (status: number, code: string): HttpResponse => ({
  status,
  headers: {},
  data: { error: { code, message: `${code} happened`, requestId: 'req-1', details: { field: 'x' } } },
});

function setup(responses: Array<HttpResponse | Error>, session: Partial<Session> = {}) {
  const sent: HttpRequest[] = [];
  const request = vi.fn(async (req: HttpRequest) => {
    sent.push(req);
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    if (next instanceof Error) throw next;
    return next;
  });
  const sleep = vi.fn(async () => undefined);
  const client = createApiClient({
    baseUrl: 'https://api.test',
    platform: { request },
    session: { accessToken: () => undefined, refresh: async () => false, ...session },
    sleep,
  });
  return { client, sent, sleep };
}

describe('API client', () => {
  it('calls the contract path with the bearer token and returns the typed body', async () => {
    const { client, sent } = setup([ok(META)], { accessToken: () => 'tok-1' });
    await expect(client.call('getMeta')).resolves.toEqual(META);
    expect(sent[0]).toMatchObject({ url: 'https://api.test/api/meta', method: 'GET', headers: { Authorization: 'Bearer tok-1' } });
  });

  it('turns an error envelope into an ApiError with the stable code and request id', async () => {
    const { client } = setup([envelope(404, 'NOT_FOUND')]);
    const error = await client.call('getMeta').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, requestId: 'req-1', details: { field: 'x' } });
  });

  it('refreshes the token once on 401 and repeats the call with the new token', async () => {
    let token = 'old';
    const refresh = vi.fn(async () => {
      token = 'new';
      return true;
    });
    const { client, sent } = setup([envelope(401, 'UNAUTHENTICATED'), ok(META)], { accessToken: () => token, refresh });
    await expect(client.call('getMeta')).resolves.toEqual(META);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent.map((req) => req.headers.Authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('does not refresh again when the repeated call is refused too', async () => {
    const refresh = vi.fn(async () => true);
    const { client, sent } = setup([envelope(401, 'UNAUTHENTICATED'), envelope(401, 'UNAUTHENTICATED')], {
      accessToken: () => 't',
      refresh,
    });
    await expect(client.call('getMeta')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(2);
  });

  it('retries a GET after network failures and gateway errors, with growing delays', async () => {
    const { client, sleep, sent } = setup([new NetworkError('offline'), envelope(503, 'SERVICE_UNAVAILABLE'), ok(META)]);
    await expect(client.call('getMeta')).resolves.toEqual(META);
    expect(sent).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[300], [900]]);
  });

  it('gives up after the last retry with a NETWORK error', async () => {
    const { client, sent } = setup([new NetworkError('a'), new NetworkError('b'), new NetworkError('c')]);
    await expect(client.call('getMeta')).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
    expect(sent).toHaveLength(3);
  });

  it('does not retry a server error that is not a gateway failure', async () => {
    const { client, sent } = setup([envelope(500, 'INTERNAL')]);
    await expect(client.call('getMeta')).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(sent).toHaveLength(1);
  });

  it('sends extra headers, and repeats a write only when it carries an Idempotency-Key', async () => {
    const order = { order: { id: 7 } };
    const { client, sent } = setup([new NetworkError('offline'), ok(order), new NetworkError('offline')]);
    const body = { type: 'suggestion', form: { subject: '营业厅', description: '希望周末延长营业时间到晚上八点' } } as const;
    await expect(client.call('submitRequest', { body, headers: { 'Idempotency-Key': 'draft-key-1' } })).resolves.toEqual(order);
    expect(sent.map((req) => req.headers['Idempotency-Key'])).toEqual(['draft-key-1', 'draft-key-1']);
    await expect(client.call('cancelMyRequest', { params: { orderId: 7 }, body: {} })).rejects.toMatchObject({ code: 'NETWORK' });
    expect(sent).toHaveLength(3);
  });

  it('uploads a picked file with its form fields and the token, refreshing once on 401', async () => {
    let token = 'old';
    const uploadFile = vi.fn(async (_upload: Parameters<Platform['uploadFile']>[0]): Promise<HttpResponse> =>
      uploadFile.mock.calls.length === 1 ? envelope(401, 'UNAUTHENTICATED') : { status: 201, headers: {}, data: { document: { id: 3 } } },
    );
    const client = createApiClient({
      baseUrl: 'https://api.test',
      platform: { request: vi.fn(), uploadFile },
      session: { accessToken: () => token, refresh: async () => ((token = 'new'), true) },
    });
    const file = { name: 'licence.png', size: 10, source: 'blob:1' };
    await expect(client.upload('uploadDocument', { file, fields: { kind: 'business_licence' } })).resolves.toEqual({ document: { id: 3 } });
    expect(uploadFile.mock.calls.map(([upload]) => upload)).toEqual([
      {
        url: 'https://api.test/api/service-requests/documents',
        file,
        field: 'file',
        fields: { kind: 'business_licence' },
        headers: { Accept: 'application/json', Authorization: 'Bearer old' },
      },
      {
        url: 'https://api.test/api/service-requests/documents',
        file,
        field: 'file',
        fields: { kind: 'business_licence' },
        headers: { Accept: 'application/json', Authorization: 'Bearer new' },
      },
    ]);
  });

  it('reports a refused upload with the server code', async () => {
    const uploadFile = vi.fn(async () => envelope(415, 'DOCUMENT_TYPE_REFUSED'));
    const client = createApiClient({
      baseUrl: '',
      platform: { request: vi.fn(), uploadFile },
      session: { accessToken: () => 't', refresh: async () => false },
    });
    await expect(client.upload('uploadDocument', { file: { name: 'a.exe', size: 1, source: 'x' }, fields: { kind: 'load_list' } })).rejects.toMatchObject({
      code: 'DOCUMENT_TYPE_REFUSED',
      status: 415,
    });
  });

  it('reports a reply that is not JSON', async () => {
    const { client } = setup([{ status: 200, headers: {}, data: '<html>proxy login</html>' }]);
    await expect(client.call('getMeta')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('session', () => {
  function storage() {
    const values = new Map<string, string>();
    return {
      get: (key: string) => values.get(key),
      set: (key: string, value: string) => void values.set(key, value),
      remove: (key: string) => void values.delete(key),
    };
  }

  it('shares one refresh among concurrent callers and stores the rotated tokens', async () => {
    const store = storage();
    let release!: () => void;
    const request = vi.fn(
      (_request: HttpRequest) =>
        new Promise<HttpResponse>((resolve) => {
          release = () => resolve(ok({ accessToken: 'a2', refreshToken: 'r2' }));
        }),
    );
    const session = createSession({ baseUrl: '', platform: { request, storage: store } });
    session.save({ accessToken: 'a1', refreshToken: 'r1' });
    const results = [session.refresh(), session.refresh(), session.refresh()];
    release();
    expect(await Promise.all(results)).toEqual([true, true, true]);
    expect(request).toHaveBeenCalledTimes(1);
    expect(request.mock.calls[0]![0]).toMatchObject({ url: '/api/auth/refresh', method: 'POST', body: { refreshToken: 'r1' } });
    expect(session.accessToken()).toBe('a2');
  });

  it('ends the session when the refresh token is refused', async () => {
    const store = storage();
    const request = vi.fn(async (_request: HttpRequest) => envelope(401, 'UNAUTHENTICATED'));
    const session = createSession({ baseUrl: '', platform: { request, storage: store } });
    session.save({ accessToken: 'a1', refreshToken: 'r1' });
    expect(await session.refresh()).toBe(false);
    expect(session.isLoggedIn()).toBe(false);
    expect(session.accessToken()).toBeUndefined();
  });

  it('does not call the server without a refresh token', async () => {
    const request = vi.fn();
    const session = createSession({ baseUrl: '', platform: { request, storage: storage() } });
    expect(await session.refresh()).toBe(false);
    expect(request).not.toHaveBeenCalled();
  });
});
