import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiMonth } from '../../shared/dates';
import { addMonths } from '../../shared/tariff/engine';
import { launchChromium, newPhonePage, screenshot } from '../support/browser';
import { startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';

// The demo resident's year of bills, made at start-up from the mock metering system, seen in Chromium.
let app: TestApp;
let browser: Browser;
let page: Page;
const lastMonth = addMonths(shanghaiMonth(new Date()), -1);

beforeAll(async () => {
  app = await startTestApp({ env: { DEMO_HISTORY: 'on' } });
  browser = await launchChromium();
  page = await newPhonePage(browser);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const type = (testId: string, text: string) => page.locator(`[data-testid=${testId}] input, input[data-testid=${testId}]`).first().fill(text);

describe('H5 bills in Chromium', () => {
  it('shows the demo resident the tier card, the 12-month chart and a bill with its explanation', async () => {
    const phone = uniquePhone();
    await page.goto(`${app.url}/packages/account/pages/login/index`);
    await type('login-phone', phone);
    await page.getByTestId('login-send').click();
    await page.getByText(/秒后重发/).waitFor();
    await type('login-code', await lastSmsCode(app, phone));
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/pages\/me\/index/);
    await page.locator('.me').getByText('绑定户号', { exact: true }).click();
    await page.waitForURL(/\/packages\/account\/pages\/bind\/index/);
    await type('bind-account', '3301000001');
    await type('bind-holder', '张伟');
    await type('bind-last4', '0001');
    await page.getByTestId('bind-submit').click();
    await page.waitForURL(/\/pages\/me\/index/);

    await page.goto(`${app.url}/pages/bills/index`);
    const bills = page.locator('.bills');
    const tierCard = bills.getByTestId('tier-card');
    await tierCard.waitFor();
    expect(await tierCard.textContent()).toMatch(/第[一二三]档|最高档/);
    const chart = bills.getByTestId('usage-chart');
    await chart.waitFor();
    expect(await chart.locator('[data-testid^=usage-bar-]').count()).toBe(12);
    await bills.getByTestId(`usage-bar-${lastMonth}`).click();
    await screenshot(page, 'bills');

    await bills.getByTestId(`bill-row-${lastMonth}`).click();
    await page.waitForURL(/\/packages\/bills\/pages\/detail\/index/);
    const detail = page.locator('.bill');
    await detail.getByTestId('bill-lines').waitFor();
    expect(await detail.getByTestId('bill-explainer').textContent()).toMatch(/本期电费(比上期[多少]|与上期持平)/);
    expect(await detail.getByTestId('tou-split').textContent()).toMatch(/峰[\s\S]*谷/);
    expect(await detail.getByTestId('tier-card').count()).toBe(1);
    await screenshot(page, 'bill-detail');
  });
});
