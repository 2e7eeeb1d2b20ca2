import { taroRequest, taroStorage } from './shared';
import { PlatformUnsupportedError, type PickedFile, type Platform } from './types';

export * from './types';

// On H5, Taro.login, Taro.requestPayment and Taro.requestSubscribeMessage are stubs that report
// success without doing anything; none of them is called here.

function pickWithInput(count: number, accept: string): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = count > 1;
    input.addEventListener('change', () => resolve(Array.from(input.files ?? []).slice(0, count)));
    input.click();
  });
}

const picked = new Map<string, File>();

export const platform: Platform = {
  name: 'h5',
  request: taroRequest,
  async login() {
    throw new PlatformUnsupportedError('wechat-login');
  },
  async launchPayment(launch) {
    if (launch.kind !== 'redirect') throw new PlatformUnsupportedError(launch.kind);
    window.location.assign(launch.url);
    return 'redirected';
  },
  async requestSubscribe() {
    throw new PlatformUnsupportedError('subscribe-message');
  },
  async pickFiles({ count, accept }) {
    const files = await pickWithInput(count, accept === 'image' ? 'image/*' : 'image/*,application/pdf');
    return files.map((file): PickedFile => {
      const source = URL.createObjectURL(file);
      picked.set(source, file);
      return { name: file.name, size: file.size, source, mimeType: file.type };
    });
  },
  async uploadFile({ url, file, field, headers }) {
    const blob = picked.get(file.source);
    if (!blob) throw new Error('the file was not picked in this page');
    const form = new FormData();
    form.append(field, blob, file.name);
    const response = await fetch(url, { method: 'POST', headers, body: form });
    const text = await response.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), data };
  },
  storage: taroStorage,
  call(phoneNumber) {
    window.location.href = `tel:${phoneNumber}`;
  },
};
