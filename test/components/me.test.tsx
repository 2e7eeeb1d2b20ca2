import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Me from '../../miniapp/src/pages/me/index';
import { resetTaroStorage } from '../support/taro/taro';
import { ACCOUNT } from './billing-fixtures';
import { calls, logIn, reply, serve } from './fake-api';

const META = reply(200, {
  utility: { name: '江南示范供电公司', shortName: '江南供电', hotline: '95598', serviceHours: '全天 24 小时' },
  notices: [],
});
const topic = (name: string, sms = false) => ({ topic: name, templateId: `TPL_${name}`, wechatGrants: 0, sms });
const PREFERENCES = reply(200, {
  preferences: { channels: { wechat: false, sms: true }, topics: [topic('outage', true), topic('workorder'), topic('payment')] },
});

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.mocked(Taro.navigateTo).mockClear();
});
afterEach(() => {
  cleanup();
  resetTaroStorage();
});

describe('我的', () => {
  it('links to payment history and my requests, says invoices are not open yet, and opens notification settings', async () => {
    logIn();
    serve({
      'GET /api/meta': META,
      'GET /api/me': reply(200, { phoneMasked: '138****0001', hasWechat: false }),
      'GET /api/accounts': reply(200, { accounts: [ACCOUNT], limit: 10 }),
      'GET /api/notifications/preferences': PREFERENCES,
    });
    render(<Me />);
    fireEvent.click(await screen.findByTestId('me-payments'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/payments/pages/history/index' });
    fireEvent.click(screen.getByTestId('me-requests'));
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/packages/requests/pages/mine/index' });

    const invoices = screen.getByTestId('me-invoices');
    expect(invoices.textContent).toContain('电子发票');
    expect(invoices.textContent).toContain('暂未开通');
    fireEvent.click(invoices);
    expect(Taro.navigateTo).toHaveBeenCalledTimes(2);

    // No message center yet: 消息 opens how messages reach the customer, one card per topic.
    expect(screen.queryByTestId('me-notify-settings')).toBeNull();
    fireEvent.click(screen.getByTestId('me-messages'));
    const settings = await screen.findByTestId('me-notify-settings');
    expect(Array.from(settings.querySelectorAll('.card__title')).map((title) => title.textContent)).toEqual(['停电通知', '进度通知', '缴费通知']);
    await vi.waitFor(() => expect(settings.textContent).toContain('已开启'));
    expect(screen.getByTestId('me-logout')).toBeTruthy();
    expect(calls()).toContain('GET /api/notifications/preferences');
  });

  it('shows none of the customer’s links when logged out', async () => {
    serve({ 'GET /api/meta': META });
    render(<Me />);
    expect(await screen.findByTestId('me-login')).toBeTruthy();
    expect(screen.queryByTestId('me-links')).toBeNull();
    expect(screen.queryByTestId('me-logout')).toBeNull();
  });
});
