import { useCallback, useEffect, useRef, useState } from 'react';
import type { RouteName } from '../../../shared/routes';
import { api, type ApiResponse } from '../services';

export type ApiState<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'ready'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown };

/** Loads one endpoint for a page: loading → ready | error, with reload for the retry button. */
export function useApi<K extends RouteName>(
  name: K,
  input?: Parameters<typeof api.call<K>>[1],
  options: { enabled?: boolean } = {},
): ApiState<ApiResponse<K>> & { reload: () => void } {
  const enabled = options.enabled ?? true;
  const [state, setState] = useState<ApiState<ApiResponse<K>>>({ status: 'loading' });
  const inputKey = JSON.stringify(input ?? {});
  const latest = useRef(0);

  const load = useCallback(() => {
    const ticket = ++latest.current;
    if (!enabled) return;
    setState({ status: 'loading' });
    api.call(name, JSON.parse(inputKey)).then(
      (data) => ticket === latest.current && setState({ status: 'ready', data }),
      (error: unknown) => ticket === latest.current && setState({ status: 'error', error }),
    );
  }, [name, inputKey, enabled]);

  useEffect(() => {
    load();
    return () => {
      latest.current += 1;
    };
  }, [load]);

  return { ...state, reload: load };
}
