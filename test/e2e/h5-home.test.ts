import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, loginAndBind, newPhonePage, screenshot } from '../support/browser';
import { startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';
import { oweBills } from '../support/receivables';

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

describe('H5 home page in Chromium', () => {
  it('asks to log in, then shows the bound account’s amount due and due date, and pays that account', async () => {
    await page.goto(app.url);
    await page.getByTestId('home-login').waitFor();

    // Two open bills: ¥43.21 due on 20 March 2025 and ¥19.99 due on 20 April.
    const { accountId } = await oweBills(app.runtime.deps.database.pool, '3301000001', [
      { month: '2025-04', principalFen: 1_999 },
      { month: '2025-03', principalFen: 4_321 },
    ]);
    const phone = uniquePhone();
    await loginAndBind(page, { url: app.url, phone, code: () => lastSmsCode(app, phone), accountNo: '3301000001', holderName: '张伟', phoneLast4: '0001' });

    await page.locator('.taro-tabbar__tabbar').getByText('首页', { exact: true }).click();
    const card = page.getByTestId('home-account');
    await card.waitFor();
    expect(await card.textContent()).toContain('户号 3301000001');
    expect(await card.textContent()).toContain('¥63.20');
    expect(await page.getByTestId('home-due').textContent()).toBe('缴费截止日 2025-03-20');
    expect(await page.getByTestId('home-login').count()).toBe(0);
    await screenshot(page, 'home-logged-in');

    await page.getByTestId('home-pay').click();
    await page.waitForURL(new RegExp(`/packages/payments/pages/index/index\\?accountId=${accountId}`));
    await page.getByTestId('pay-card').getByText('¥63.20').waitFor();
  });
});
