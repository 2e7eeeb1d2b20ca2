import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Login from '../../miniapp/src/packages/account/pages/login/index';
import PrivacyPolicy from '../../miniapp/src/packages/account/pages/privacy/index';
import UserAgreement from '../../miniapp/src/packages/account/pages/agreement/index';
import { calls, reply, serve } from './fake-api';

const SESSION = { tokenType: 'Bearer', accessToken: 'a', expiresIn: 900, refreshToken: 'r', refreshExpiresAt: '2026-12-31T00:00:00Z' };
const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

beforeEach(() => {
  vi.clearAllMocks();
  serve({ 'POST /api/auth/sms/send': reply(200, { sent: true, expiresInSeconds: 300 }), 'POST /api/auth/sms/verify': reply(200, SESSION) });
});
afterEach(cleanup);

describe('login consent', () => {
  it('starts unticked and refuses to send a code or log in until the customer agrees', async () => {
    render(<Login />);
    const box = screen.getByTestId('login-consent');
    expect(box.getAttribute('aria-checked')).toBe('false');
    expect(screen.getByText('我已阅读并同意')).toBeTruthy();
    type('login-phone', '13800138000');
    fireEvent.click(screen.getByTestId('login-send'));
    expect(screen.getByTestId('login-error').textContent).toBe('请先阅读并勾选同意《用户服务协议》和《隐私政策》');
    type('login-code', '123456');
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(screen.getByTestId('login-error').textContent).toContain('请先阅读并勾选同意');
    expect(calls()).toEqual([]);

    // Tapping the words ticks the box too; the hint goes.
    fireEvent.click(screen.getByText('我已阅读并同意'));
    expect(box.getAttribute('aria-checked')).toBe('true');
    expect(screen.queryByTestId('login-error')).toBeNull();
    fireEvent.click(screen.getByTestId('login-send'));
    await screen.findByText(/秒后重发/);
    fireEvent.click(screen.getByTestId('login-submit'));
    await vi.waitFor(() => expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/me/index' }));
    const verify = vi.mocked(Taro.request).mock.calls.find(([options]) => options.url === '/api/auth/sms/verify')!;
    expect(verify[0].data).toEqual({ phone: '13800138000', code: '123456', consentVersion: '2026-12' });
  });

  it('unticking refuses again', () => {
    render(<Login />);
    fireEvent.click(screen.getByTestId('login-consent'));
    fireEvent.click(screen.getByTestId('login-consent'));
    type('login-phone', '13800138000');
    fireEvent.click(screen.getByTestId('login-send'));
    expect(screen.getByTestId('login-error').textContent).toContain('请先阅读并勾选同意');
    expect(calls()).toEqual([]);
  });

  it('opens the agreement and the privacy policy, each a page of its own', () => {
    render(<Login />);
    fireEvent.click(screen.getByTestId('consent-agreement'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/account/pages/agreement/index' });
    fireEvent.click(screen.getByTestId('consent-privacy'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/account/pages/privacy/index' });
    // Opening a text does not tick the box.
    expect(screen.getByTestId('login-consent').getAttribute('aria-checked')).toBe('false');
  });
});

describe('agreement and privacy texts', () => {
  it('says what is collected, why, for how long, the rights and whom to call, in the version a login consents to', () => {
    render(<PrivacyPolicy />);
    const text = document.body.textContent!;
    expect(screen.getByText('隐私政策')).toBeTruthy();
    expect(text).toContain('版本 2026-12');
    for (const part of ['手机号', '户号', '缴费记录', '位置：只用于现场作业', '二、为什么收集', '四、保存多久', '五、您的权利', '95598'])
      expect(text).toContain(part);
    cleanup();
    render(<UserAgreement />);
    expect(screen.getByText('用户服务协议')).toBeTruthy();
    expect(document.body.textContent).toContain('95598');
  });
});
