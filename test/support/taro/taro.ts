/** A stand-in for @tarojs/taro in component tests: every API a page may call is a spy. */
import { useEffect } from 'react';
import { vi } from 'vitest';

const storage = new Map<string, string>();

const Taro = {
  request: vi.fn(),
  navigateTo: vi.fn(async () => ({ errMsg: 'navigateTo:ok' })),
  switchTab: vi.fn(async () => ({ errMsg: 'switchTab:ok' })),
  redirectTo: vi.fn(async () => ({ errMsg: 'redirectTo:ok' })),
  setNavigationBarTitle: vi.fn(async () => ({ errMsg: 'setNavigationBarTitle:ok' })),
  pageScrollTo: vi.fn(async () => ({ errMsg: 'pageScrollTo:ok' })),
  showModal: vi.fn(async () => ({ confirm: true, cancel: false, errMsg: 'showModal:ok' })),
  makePhoneCall: vi.fn(async () => ({ errMsg: 'makePhoneCall:ok' })),
  getStorageSync: vi.fn((key: string) => storage.get(key) ?? ''),
  setStorageSync: vi.fn((key: string, value: string) => void storage.set(key, value)),
  removeStorageSync: vi.fn((key: string) => void storage.delete(key)),
  login: vi.fn(),
  requirePrivacyAuthorize: vi.fn(),
  requestPayment: vi.fn(),
  requestSubscribeMessage: vi.fn(),
  chooseMedia: vi.fn(),
  chooseMessageFile: vi.fn(),
  uploadFile: vi.fn(),
  showToast: vi.fn(async () => ({ errMsg: 'showToast:ok' })),
};

export const resetTaroStorage = () => storage.clear();
/** The current page's query; a test sets it with vi.mocked(useRouter).mockReturnValue(…). */
export const useRouter = vi.fn(() => ({ params: {} as Record<string, string | undefined>, path: '' }));
/** Runs on mount, as the first show of a page does. */
export const useDidShow = (callback: () => void) => useEffect(callback, []);
export default Taro;
