import { afterEach, describe, expect, it, vi } from 'vitest';
import Taro from '@tarojs/taro';
import { NetworkError, platform, PlatformUnsupportedError } from '../../miniapp/src/platform';

// Taro's H5 login, payment and subscribe APIs are stubs that report success; ours must refuse.
describe('H5 platform', () => {
  it('is the H5 implementation', () => {
    expect(platform.name).toBe('h5');
  });

  it('has no WeChat login: callers must use SMS', async () => {
    await expect(platform.login()).rejects.toBeInstanceOf(PlatformUnsupportedError);
    expect(Taro.login).not.toHaveBeenCalled();
  });

  it('cannot launch a mini-program payment and never reports one as paid', async () => {
    const launch = { kind: 'wechat_jsapi', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=x', signType: 'RSA', paySign: 's' } as const;
    await expect(platform.launchPayment(launch)).rejects.toBeInstanceOf(PlatformUnsupportedError);
    expect(Taro.requestPayment).not.toHaveBeenCalled();
  });

  it('has no subscribe messages: callers fall back to SMS', async () => {
    await expect(platform.requestSubscribe(['tmpl'])).rejects.toMatchObject({ capability: 'subscribe-message' });
    expect(Taro.requestSubscribeMessage).not.toHaveBeenCalled();
  });

  it('keeps values in storage', () => {
    platform.storage.set('k', 'v');
    expect(platform.storage.get('k')).toBe('v');
    platform.storage.remove('k');
    expect(platform.storage.get('k')).toBeUndefined();
  });

  describe('files', () => {
    afterEach(() => vi.unstubAllGlobals());

    const pick = () => {
      const picking = platform.pickFiles({ count: 1, accept: 'image-or-pdf' });
      const input = document.querySelector<HTMLInputElement>('input[type=file]');
      if (!input) throw new Error('no file input in the page');
      return { picking, input };
    };

    it('picks through a file input in the page, then uploads the file with its fields', async () => {
      URL.createObjectURL = vi.fn(() => 'blob:picked-1');
      const { picking, input } = pick();
      expect(input.accept).toBe('image/*,application/pdf');
      const file = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], 'licence.pdf', { type: 'application/pdf' });
      Object.defineProperty(input, 'files', { value: [file] });
      input.dispatchEvent(new Event('change'));
      const [picked] = await picking;
      expect(picked).toEqual({ name: 'licence.pdf', size: 4, source: 'blob:picked-1', mimeType: 'application/pdf' });
      expect(document.querySelector('input[type=file]')).toBeNull();

      const fetch = vi.fn(async (_url: string, _init: RequestInit) => new Response('{"document":{"id":9}}', { status: 201 }));
      vi.stubGlobal('fetch', fetch);
      const response = await platform.uploadFile({
        url: '/api/service-requests/documents',
        file: picked!,
        field: 'file',
        fields: { kind: 'load_list' },
        headers: { Authorization: 'Bearer t' },
      });
      expect(response).toMatchObject({ status: 201, data: { document: { id: 9 } } });
      const form = fetch.mock.calls[0]![1].body as FormData;
      expect(form.get('kind')).toBe('load_list');
      expect((form.get('file') as File).name).toBe('licence.pdf');
    });

    it('ends with no files when the chooser is closed, and reports an unreachable server as a network failure', async () => {
      const { picking, input } = pick();
      input.dispatchEvent(new Event('cancel'));
      await expect(picking).resolves.toEqual([]);
      vi.stubGlobal(
        'fetch',
        vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
      );
      await expect(
        platform.uploadFile({ url: '/x', file: { name: 'a', size: 1, source: 'blob:picked-1' }, field: 'file', headers: {} }),
      ).rejects.toBeInstanceOf(NetworkError);
    });
  });
});
