import Taro from '@tarojs/taro';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { platform } from '../../miniapp/src/platform/index.weapp';
import { NetworkError } from '../../miniapp/src/platform/types';

beforeEach(() => vi.clearAllMocks());

describe('mini-program platform', () => {
  it('logs in with the one-time code from wx.login', async () => {
    vi.mocked(Taro.login).mockResolvedValueOnce({ code: 'wx-code-1', errMsg: 'login:ok' });
    await expect(platform.login()).resolves.toEqual({ kind: 'wechat', code: 'wx-code-1' });
  });

  it("asks WeChat's privacy authorisation before login and reports a refusal", async () => {
    const authorize = vi.mocked(Taro.requirePrivacyAuthorize);
    authorize.mockImplementationOnce((options) => options?.success?.({ errMsg: 'requirePrivacyAuthorize:ok' }));
    await expect(platform.authorizePrivacy()).resolves.toBe(true);
    authorize.mockImplementationOnce((options) => options?.fail?.({ errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized' }));
    await expect(platform.authorizePrivacy()).resolves.toBe(false);
    expect(authorize).toHaveBeenCalledTimes(2);
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

  it('in the local demo, confirms with the customer and pays at the mock gateway instead of wx.requestPayment', async () => {
    const launch = {
      kind: 'wechat_jsapi',
      appId: 'wx_demo_appid',
      timeStamp: '1700000000',
      nonceStr: 'n',
      package: 'prepay_id=wx2',
      signType: 'RSA',
      paySign: 'sig',
      demoCashierUrl: 'http://127.0.0.1:3100/wechatpay/_requestPayment',
    } as const;
    vi.mocked(Taro.request).mockResolvedValue({ statusCode: 200, data: { errMsg: 'requestPayment:ok' }, header: {}, errMsg: 'request:ok' } as never);
    await expect(platform.launchPayment(launch)).resolves.toBe('submitted');
    expect(Taro.request).toHaveBeenCalledWith(
      expect.objectContaining({
        url: 'http://127.0.0.1:3100/wechatpay/_requestPayment',
        method: 'POST',
        data: { appId: 'wx_demo_appid', timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx2', signType: 'RSA', paySign: 'sig', action: 'pay' },
      }),
    );
    vi.mocked(Taro.showModal).mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'showModal:ok' } as never);
    await expect(platform.launchPayment(launch)).resolves.toBe('cancelled');
    expect(vi.mocked(Taro.request).mock.calls.at(-1)![0]).toMatchObject({ data: { action: 'cancel' } });
    expect(Taro.requestPayment).not.toHaveBeenCalled();
  });

  it('reports each template’s subscribe decision', async () => {
    vi.mocked(Taro.requestSubscribeMessage).mockResolvedValueOnce({ errMsg: 'ok', T1: 'accept', T2: 'reject', T3: 'ban' } as never);
    await expect(platform.requestSubscribe(['T1', 'T2', 'T3'])).resolves.toEqual({ T1: 'accept', T2: 'reject', T3: 'ban' });
  });

  it('picks documents from chats, and treats a closed chooser as nothing picked', async () => {
    vi.mocked(Taro.chooseMessageFile).mockResolvedValueOnce({
      tempFiles: [{ name: 'licence.pdf', size: 2048, path: 'wxfile://tmp/1.pdf', type: 'file', time: 0 }],
      errMsg: 'ok',
    });
    await expect(platform.pickFiles({ count: 1, accept: 'image-or-pdf' })).resolves.toEqual([
      { name: 'licence.pdf', size: 2048, source: 'wxfile://tmp/1.pdf' },
    ]);
    vi.mocked(Taro.chooseMessageFile).mockRejectedValueOnce({ errMsg: 'chooseMessageFile:fail cancel' });
    await expect(platform.pickFiles({ count: 1, accept: 'image-or-pdf' })).resolves.toEqual([]);
  });

  it('uploads with the form fields beside the file, and reports a failed upload as a network failure', async () => {
    vi.mocked(Taro.uploadFile).mockResolvedValueOnce({ statusCode: 201, data: '{"document":{"id":4}}', errMsg: 'uploadFile:ok' } as never);
    const file = { name: 'licence.pdf', size: 100, source: 'wxfile://tmp/1.pdf' };
    await expect(
      platform.uploadFile({ url: 'https://api/doc', file, field: 'file', fields: { kind: 'business_licence' }, headers: { Authorization: 'Bearer t' } }),
    ).resolves.toEqual({
      status: 201,
      headers: {},
      data: { document: { id: 4 } },
    });
    expect(Taro.uploadFile).toHaveBeenCalledWith({
      url: 'https://api/doc',
      filePath: 'wxfile://tmp/1.pdf',
      name: 'file',
      formData: { kind: 'business_licence' },
      header: { Authorization: 'Bearer t' },
    });
    vi.mocked(Taro.uploadFile).mockRejectedValueOnce({ errMsg: 'uploadFile:fail timeout' });
    await expect(platform.uploadFile({ url: 'https://api/doc', file, field: 'file', headers: {} })).rejects.toBeInstanceOf(NetworkError);
  });
});
