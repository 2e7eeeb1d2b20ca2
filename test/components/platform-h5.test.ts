import { describe, expect, it } from 'vitest';
import Taro from '@tarojs/taro';
import { platform, PlatformUnsupportedError } from '../../miniapp/src/platform';

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
});
