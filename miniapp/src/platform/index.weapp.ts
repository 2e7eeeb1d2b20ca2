import Taro from '@tarojs/taro';
import { taroRequest, taroStorage } from './shared';
import { NetworkError, type Platform, type SubscribeDecision } from './types';

export * from './types';

const cancelled = (err: unknown) => /cancel/i.test((err as { errMsg?: string }).errMsg ?? '');

export const platform: Platform = {
  name: 'weapp',
  request: taroRequest,
  async login() {
    const { code } = await Taro.login();
    if (!code) throw new Error('WeChat returned no login code');
    return { kind: 'wechat', code };
  },
  async launchPayment(launch) {
    if (launch.kind !== 'wechat_jsapi') throw new Error(`the mini-program cannot launch ${launch.kind} payments`);
    if (launch.demoCashierUrl) {
      // The local demo's mock gateway: no WeChat client can pay its orders, so the customer confirms
      // here and the mock takes the same signed parameters wx.requestPayment would.
      const { confirm } = await Taro.showModal({
        title: '模拟支付',
        content: '本地演示环境：确认后由模拟微信支付完成付款',
        confirmText: '支付',
        cancelText: '取消',
      });
      const { demoCashierUrl, kind: _kind, ...params } = launch;
      const reply = await Taro.request({
        url: demoCashierUrl,
        method: 'POST',
        header: { 'Content-Type': 'application/json' },
        data: { ...params, action: confirm ? 'pay' : 'cancel' },
      });
      if (reply.statusCode >= 300) throw new Error(`the demo cashier answered ${reply.statusCode}`);
      return confirm ? 'submitted' : 'cancelled';
    }
    try {
      await Taro.requestPayment({
        timeStamp: launch.timeStamp,
        nonceStr: launch.nonceStr,
        package: launch.package,
        signType: launch.signType,
        paySign: launch.paySign,
      });
      return 'submitted';
    } catch (err) {
      if (cancelled(err)) return 'cancelled';
      throw err;
    }
  },
  async requestSubscribe(templateIds) {
    const result = (await Taro.requestSubscribeMessage({ tmplIds: templateIds, entityIds: [] })) as unknown as Record<string, string>;
    return Object.fromEntries(
      templateIds.map((id) => [id, (['accept', 'reject', 'ban', 'filter'].includes(result[id] ?? '') ? result[id] : 'reject') as SubscribeDecision]),
    );
  },
  async pickFiles({ count, accept }) {
    try {
      if (accept === 'image-or-pdf') {
        const { tempFiles } = await Taro.chooseMessageFile({ count, type: 'all', extension: ['jpg', 'jpeg', 'png', 'pdf'] });
        return tempFiles.map((file) => ({ name: file.name, size: file.size, source: file.path }));
      }
      const { tempFiles } = await Taro.chooseMedia({ count, mediaType: ['image'], sizeType: ['compressed'] });
      return tempFiles.map((file, index) => ({ name: `photo-${index + 1}.jpg`, size: file.size, source: file.tempFilePath }));
    } catch (err) {
      // Closing the chooser is no failure: nothing was picked, as on H5.
      if (cancelled(err)) return [];
      throw err;
    }
  },
  async uploadFile({ url, file, field, fields, headers }) {
    let response: Taro.uploadFile.SuccessCallbackResult;
    try {
      response = await Taro.uploadFile({ url, filePath: file.source, name: field, formData: fields, header: headers });
    } catch (err) {
      throw new NetworkError((err as { errMsg?: string }).errMsg ?? String(err));
    }
    // uploadFile's data is a string on both platforms.
    let data: unknown = response.data;
    try {
      data = JSON.parse(response.data);
    } catch {
      // keep the text
    }
    return { status: response.statusCode, headers: {}, data };
  },
  storage: taroStorage,
  call: (phoneNumber) => void Taro.makePhoneCall({ phoneNumber }),
  authorizePrivacy() {
    // No onNeedPrivacyAuthorization listener: WeChat shows its official privacy popup. Base
    // libraries before 2.32.3 have no privacy flow at all.
    if (typeof Taro.requirePrivacyAuthorize !== 'function') return Promise.resolve(true);
    return new Promise((resolve) => {
      Taro.requirePrivacyAuthorize({ success: () => resolve(true), fail: () => resolve(false) });
    });
  },
  prepareShell() {
    // The native navigation bar has a title, a back button and, on a page opened directly, 首页.
  },

  backLeavesTo: () => undefined,
};
