import type { Platform } from '../platform';
import type { Session } from './api';

const ACCESS_KEY = 'auth.access';
const REFRESH_KEY = 'auth.refresh';

/**
 * Tokens kept in the platform's storage. A refresh is single-flight: several requests failing
 * with 401 at once share one refresh call, since refresh tokens rotate on every use.
 */
export function createSession(options: { baseUrl: string; platform: Pick<Platform, 'request' | 'storage'> }): Session & {
  save(tokens: { accessToken: string; refreshToken: string }): void;
  clear(): void;
  isLoggedIn(): boolean;
  refreshToken(): string | undefined;
} {
  const { storage } = options.platform;
  let inFlight: Promise<boolean> | undefined;

  const save = (tokens: { accessToken: string; refreshToken: string }) => {
    storage.set(ACCESS_KEY, tokens.accessToken);
    storage.set(REFRESH_KEY, tokens.refreshToken);
  };
  const clear = () => {
    storage.remove(ACCESS_KEY);
    storage.remove(REFRESH_KEY);
  };

  async function refreshOnce(): Promise<boolean> {
    const refreshToken = storage.get(REFRESH_KEY);
    if (!refreshToken) return false;
    try {
      const response = await options.platform.request({
        url: `${options.baseUrl}/api/auth/refresh`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: { refreshToken },
        timeoutMs: 15_000,
      });
      const tokens = response.data as { accessToken?: string; refreshToken?: string } | undefined;
      if (response.status === 200 && tokens?.accessToken && tokens.refreshToken) {
        save({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
        return true;
      }
      // A refused refresh token (expired, revoked, reused) ends the session.
      if (response.status === 401) clear();
      return false;
    } catch {
      return false;
    }
  }

  return {
    accessToken: () => storage.get(ACCESS_KEY),
    refresh() {
      inFlight ??= refreshOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    save,
    clear,
    isLoggedIn: () => storage.get(REFRESH_KEY) !== undefined,
    refreshToken: () => storage.get(REFRESH_KEY),
  };
}
