import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Login from '../../miniapp/src/packages/account/pages/login/index';
import { resetTaroStorage } from '../support/taro/taro';
import { reply, serve } from './fake-api';

// What the H5 login page says when the server refuses: which field, and how long to wait.
const refusal = (statusCode: number, code: string, details: unknown) => reply(statusCode, { error: { code, message: 'refused', requestId: 'r', details } });
const type = (testId: string, value: string) => fireEvent.input(screen.getByTestId(testId), { target: { value } });
const text = (testId: string) => screen.queryByTestId(testId)?.textContent;
const settle = () => act(async () => {});
/** The login page with the agreement ticked, as a customer who got as far as a server refusal has it. */
const renderAgreed = () => {
  render(<Login />);
  fireEvent.click(screen.getByTestId('login-consent'));
};

beforeEach(() => {
  vi.mocked(Taro.request).mockReset();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  cleanup();
  resetTaroStorage();
});

describe('login errors', () => {
  it('says under the phone field that the number is wrong, as typed and as the server refuses it', async () => {
    renderAgreed();
    type('login-phone', '12345678901');
    expect(text('login-phone-error')).toBe('请填写正确的 11 位手机号');
    type('login-phone', '13800000001');
    expect(text('login-phone-error')).toBeUndefined();
    serve({
      'POST /api/auth/sms/send': refusal(400, 'VALIDATION_FAILED', { issues: [{ path: 'body.phone', message: 'must be an 11-digit mainland mobile number' }] }),
    });
    fireEvent.click(screen.getByTestId('login-send'));
    await settle();
    expect(text('login-phone-error')).toBe('请填写正确的 11 位手机号');
    // Said once, under the field, not again as a generic line.
    expect(text('login-error')).toBeUndefined();
  });

  it('says how many seconds to wait when texts are sent too often, and counts down on the resend button', async () => {
    serve({ 'POST /api/auth/sms/send': refusal(429, 'RATE_LIMITED', { retryAfterSeconds: 42 }) });
    renderAgreed();
    type('login-phone', '13800000001');
    fireEvent.click(screen.getByTestId('login-send'));
    await settle();
    expect(text('login-error')).toBe('操作太频繁，请 42 秒后再试');
    expect(text('login-send')).toBe('42 秒后重发');
    await act(async () => vi.advanceTimersByTime(1000));
    expect(text('login-error')).toBe('操作太频繁，请 41 秒后再试');
  });

  it('after five wrong codes says why the countdown runs, and lets a new code be fetched when it ends', async () => {
    serve({ 'POST /api/auth/sms/verify': refusal(400, 'SMS_CODE_LOCKED', { retryAfterSeconds: 2 }) });
    renderAgreed();
    type('login-phone', '13800000001');
    type('login-code', '000000');
    fireEvent.click(screen.getByTestId('login-submit'));
    await settle();
    expect(text('login-error')).toBe('连续输错 5 次，请 2 秒后重新获取验证码');
    expect(text('login-send')).toBe('2 秒后重发');
    await act(async () => vi.advanceTimersByTime(1000));
    expect(text('login-error')).toBe('连续输错 5 次，请 1 秒后重新获取验证码');
    await act(async () => vi.advanceTimersByTime(1000));
    expect(text('login-error')).toBe('连续输错 5 次，请重新获取验证码');
    expect(text('login-send')).toBe('获取验证码');
    expect((screen.getByTestId('login-send') as HTMLButtonElement).disabled).toBe(false);
  });
});
