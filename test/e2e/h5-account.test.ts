import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPhonePage, screenshot } from '../support/browser';
import { startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';

let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchChromium();
  page = await newPhonePage(browser);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (name: string) => screenshot(page, name);
const type = (testId: string, text: string) => page.locator(`[data-testid=${testId}] input, input[data-testid=${testId}]`).first().fill(text);

describe('H5 account flow in Chromium', () => {
  it('logs in with the SMS code from the gateway, binds a demo account and sees it listed', async () => {
    const phone = uniquePhone();
    await page.goto(`${app.url}/pages/me/index`);
    await page.getByTestId('me-login').click();
    await page.waitForURL(/\/packages\/account\/pages\/login\/index/);

    await expect.poll(() => page.locator('#taro-navigation-bar .taro-navigation-bar-title').textContent()).toBe('登录');
    await type('login-phone', phone);
    // Nothing leaves the page before the customer ticks the consent box.
    await page.getByTestId('login-send').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('请先阅读并勾选同意《用户服务协议》和《隐私政策》');
    await page.getByTestId('consent-privacy').click();
    await page.waitForURL(/\/packages\/account\/pages\/privacy\/index/);
    await page.getByText('位置：只用于现场作业', { exact: false }).waitFor();
    await shot('privacy');
    await page.locator('#taro-navigation-bar').getByRole('button', { name: '返回', exact: true }).click();
    await page.waitForURL(/\/packages\/account\/pages\/login\/index/);
    await page.getByText('我已阅读并同意').click();
    expect(await page.getByTestId('login-consent').getAttribute('aria-checked')).toBe('true');
    await page.getByTestId('login-send').click();
    await page.getByText(/秒后重发/).waitFor();
    await type('login-code', await lastSmsCode(app, phone));
    await shot('login');
    await page.getByTestId('login-submit').click();

    await page.waitForURL(/\/pages\/me\/index/);
    await expect.poll(() => page.getByTestId('me-name').textContent()).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    const { rows } = await app.runtime.deps.database.pool.query('SELECT consent_version FROM customers WHERE phone = $1', [phone]);
    expect(rows).toEqual([{ consent_version: '2026-12' }]);
    await page.locator('.me').getByText('还没有绑定户号').waitFor();
    await page.locator('.me').getByText('绑定户号', { exact: true }).click();

    await page.waitForURL(/\/packages\/account\/pages\/bind\/index/);
    await type('bind-account', '3301000001');
    await type('bind-holder', '张伟');
    await type('bind-last4', '0002');
    await page.getByTestId('bind-submit').click();
    await expect.poll(() => page.getByTestId('bind-error').textContent()).toBe('户号与填写的信息不一致');
    await type('bind-last4', '0001');
    await shot('bind');
    await page.getByTestId('bind-submit').click();

    await page.waitForURL(/\/pages\/me\/index/);
    const card = page.locator('.me').getByTestId('account-3301000001');
    await card.waitFor();
    expect(await card.textContent()).toContain('张*');
    expect(await card.textContent()).toContain('默认');
    await shot('me-accounts');
  });
});
