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

    await type('login-phone', phone);
    await page.getByTestId('login-send').click();
    await page.getByText(/秒后重发/).waitFor();
    await type('login-code', await lastSmsCode(app, phone));
    await shot('login');
    await page.getByTestId('login-submit').click();

    await page.waitForURL(/\/pages\/me\/index/);
    await expect.poll(() => page.getByTestId('me-name').textContent()).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
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
