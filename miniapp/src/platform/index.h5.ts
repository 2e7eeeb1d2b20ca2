import Taro from '@tarojs/taro';
import { taroRequest, taroStorage } from './shared';
import { NetworkError, PlatformUnsupportedError, type PickedFile, type Platform } from './types';

export * from './types';

// On H5, Taro.login, Taro.requestPayment and Taro.requestSubscribeMessage are stubs that report
// success without doing anything; none of them is called here.

/**
 * A hidden file input in the page: some mobile browsers open no chooser for a detached one. A
 * closed chooser fires `cancel` (no files), so the caller is never left waiting.
 */
function pickWithInput(count: number, accept: string): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = count > 1;
    input.style.display = 'none';
    input.setAttribute('data-testid', 'file-picker');
    const done = (files: File[]) => {
      input.remove();
      resolve(files.slice(0, count));
    };
    input.addEventListener('change', () => done(Array.from(input.files ?? [])));
    input.addEventListener('cancel', () => done([]));
    document.body.appendChild(input);
    input.click();
  });
}

const picked = new Map<string, File>();
let backGuard: string | undefined;

/** Taro's H5 navigation bar draws its buttons as bare divs: give them a role, a name and the keyboard. */
function labelNavigationBar(): void {
  const buttons: Array<[string, string]> = [
    ['taro-navigation-bar-back', '返回'],
    ['taro-navigation-bar-home', '返回首页'],
  ];
  for (const [className, label] of buttons) {
    const button = document.querySelector<HTMLElement>(`#taro-navigation-bar .${className}`);
    if (!button || button.getAttribute('role') === 'button') continue;
    button.setAttribute('role', 'button');
    button.setAttribute('aria-label', label);
    button.tabIndex = 0;
    button.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') button.click();
    });
  }
}

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
  async uploadFile({ url, file, field, fields = {}, headers }) {
    const blob = picked.get(file.source);
    if (!blob) throw new Error('the file was not picked in this page');
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append(field, blob, file.name);
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: form });
    } catch (err) {
      throw new NetworkError(String(err));
    }
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
  authorizePrivacy: async () => true,
  prepareShell: labelNavigationBar,

  backLeavesTo(path) {
    // Only the first page of this document has an outside page behind it; guarded once per document.
    if (backGuard || Taro.getCurrentPages().length > 1) return;
    const here = window.location.href;
    backGuard = here;
    // A copy of this entry to step back onto; stepping back onto the original replaces it with `path`.
    window.history.pushState(window.history.state, '', here);
    // Kept for the document's life: the router unmounts and remounts the page on that same popstate.
    window.addEventListener('popstate', () => window.location.href === here && window.location.replace(path), true);
  },
};
