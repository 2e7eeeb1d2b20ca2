import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiMonth } from '../../shared/dates';
import { addMonths } from '../../shared/tariff/engine';
import { launchChromium, loginAndBind, newPhonePage, screenshot } from '../support/browser';
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

describe('H5 bills in Chromium', () => {
  it('shows the demo resident the tier card, the 12-month chart and a bill with its explanation', async () => {
    const phone = uniquePhone();
    await loginAndBind(page, { url: app.url, phone, code: () => lastSmsCode(app, phone), accountNo: '3301000001', holderName: '张伟', phoneLast4: '0001' });

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
