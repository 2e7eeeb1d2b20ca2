import { platform } from '../platform';
import { ApiError, createApiClient } from './api';
import { createSession } from './session';

export { ApiError } from './api';
export type { ApiResponse } from './api';

export const session = createSession({ baseUrl: API_BASE, platform });
export const api = createApiClient({ baseUrl: API_BASE, platform, session });

/** What a person should read for a failed call; the request id lets the hotline find it. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK') return '网络连接失败，请检查网络后重试';
    if (error.code === 'RATE_LIMITED') return '操作太频繁，请稍后再试';
    if (error.status >= 500) return '服务暂时不可用，请稍后重试';
    return error.message;
  }
  return '出现了意外错误，请稍后重试';
}
