import Taro from '@tarojs/taro';
import { NetworkError, type HttpRequest, type HttpResponse, type Platform } from './types';

/** HTTP through Taro on both targets; a transport failure becomes a NetworkError. */
export async function taroRequest(request: HttpRequest): Promise<HttpResponse> {
  try {
    const response = await Taro.request({
      url: request.url,
      method: request.method,
      header: request.headers,
      data: request.body as Record<string, unknown> | undefined,
      timeout: request.timeoutMs,
      dataType: 'json',
    });
    return { status: response.statusCode, headers: (response.header ?? {}) as Record<string, string>, data: response.data };
  } catch (err) {
    throw new NetworkError((err as { errMsg?: string }).errMsg ?? String(err));
  }
}

export const taroStorage: Platform['storage'] = {
  get(key) {
    const value: unknown = Taro.getStorageSync(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  },
  set: (key, value) => Taro.setStorageSync(key, value),
  remove: (key) => Taro.removeStorageSync(key),
};
