import Taro from '@tarojs/taro';
import { vi } from 'vitest';

export const reply = (statusCode: number, data: unknown) => ({ statusCode, data, header: {}, errMsg: 'request:ok' });
export const failure = (statusCode: number, code: string, message: string) => reply(statusCode, { error: { code, message, requestId: 'r' } });

type Request = { url: string; method: string; data?: unknown };
type Handler = ReturnType<typeof reply> | ((request: Request) => ReturnType<typeof reply>);

/**
 * Answers Taro.request by "METHOD /path"; a handler list is used in turn, its last entry repeated.
 * Anything not listed gets a 404, so a stray call shows up as a failing page, not a hang.
 */
export function serve(routes: Record<string, Handler | Handler[]>) {
  const request = vi.mocked(Taro.request);
  const used = new Map<string, number>();
  request.mockImplementation(((options: Request) => {
    const key = `${options.method} ${options.url}`;
    const entry = routes[key];
    if (!entry) return Promise.resolve(failure(404, 'ROUTE_NOT_FOUND', `No route for ${key}`));
    const list = Array.isArray(entry) ? entry : [entry];
    const index = used.get(key) ?? 0;
    used.set(key, index + 1);
    const handler = list[Math.min(index, list.length - 1)]!;
    return Promise.resolve(typeof handler === 'function' ? handler(options) : handler);
  }) as never);
  return request;
}

/** The calls made so far, as "METHOD /path". */
export const calls = () => vi.mocked(Taro.request).mock.calls.map(([options]) => `${(options as Request).method} ${(options as Request).url}`);

export function logIn() {
  Taro.setStorageSync('auth.access', 'access-token');
  Taro.setStorageSync('auth.refresh', 'refresh-token');
}
