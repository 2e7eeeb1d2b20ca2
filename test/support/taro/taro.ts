/** A stand-in for @tarojs/taro in component tests: every API a page may call is a spy. */
import { vi } from 'vitest';

const storage = new Map<string, string>();

const Taro = {
  request: vi.fn(),
  navigateTo: vi.fn(async () => ({ errMsg: 'navigateTo:ok' })),
  switchTab: vi.fn(async () => ({ errMsg: 'switchTab:ok' })),
  makePhoneCall: vi.fn(async () => ({ errMsg: 'makePhoneCall:ok' })),
  getStorageSync: vi.fn((key: string) => storage.get(key) ?? ''),
  setStorageSync: vi.fn((key: string, value: string) => void storage.set(key, value)),
  removeStorageSync: vi.fn((key: string) => void storage.delete(key)),
  login: vi.fn(),
  requestPayment: vi.fn(),
  requestSubscribeMessage: vi.fn(),
  chooseMedia: vi.fn(),
  chooseMessageFile: vi.fn(),
  uploadFile: vi.fn(),
};

export const resetTaroStorage = () => storage.clear();
export default Taro;
