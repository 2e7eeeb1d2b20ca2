import Taro from '@tarojs/taro';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { platform } from '../../miniapp/src/platform/index.weapp';

beforeEach(() => vi.clearAllMocks());

describe('mini-program platform', () => {
  it('logs in with the one-time code from wx.login', async () => {
    vi.mocked(Taro.login).mockResolvedValueOnce({ code: 'wx-code-1', errMsg: 'login:ok' });
    await expect(platform.login()).resolves.toEqual({ kind: 'wechat', code: 'wx-code-1' });
  });

  it('hands the signed order to wx.requestPayment and reports a cancel as cancelled, never as paid', async () => {
    const launch = { kind: 'wechat_jsapi', timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'sig' } as const;
    vi.mocked(Taro.requestPayment).mockResolvedValueOnce({ errMsg: 'requestPayment:ok' });
    await expect(platform.launchPayment(launch)).resolves.toBe('submitted');
    expect(Taro.requestPayment).toHaveBeenCalledWith({ timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'sig' });
    vi.mocked(Taro.requestPayment).mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    await expect(platform.launchPayment(launch)).resolves.toBe('cancelled');
    await expect(platform.launchPayment({ kind: 'redirect', url: 'https://pay' })).rejects.toThrow();
  });

  it('reports each template’s subscribe decision', async () => {
    vi.mocked(Taro.requestSubscribeMessage).mockResolvedValueOnce({ errMsg: 'ok', T1: 'accept', T2: 'reject', T3: 'ban' } as never);
    await expect(platform.requestSubscribe(['T1', 'T2', 'T3'])).resolves.toEqual({ T1: 'accept', T2: 'reject', T3: 'ban' });
  });
});
