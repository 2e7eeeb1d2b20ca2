import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, newPhonePage, screenshot } from '../support/browser';
import { startTestApp, type TestApp } from '../support/harness';

let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});
beforeEach(async () => {
  page = await newPhonePage(browser);
});

const shot = (name: string) => screenshot(page, name);
const tab = (label: string) => page.locator('.taro-tabbar__tabbar').getByText(label, { exact: true });

describe('H5 page in Chromium', () => {
  it('shows the utility and the notices the API serves', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.getByTestId('utility-name').textContent()).toBe('江南示范供电公司');
    await page.getByText('居民阶梯电价年度周期将于 12 月 31 日结束').waitFor();
    await expect.poll(() => page.locator('.notice').count()).toBe(3);
    expect(await page.getByText('服务热线 95598').isVisible()).toBe(true);
    await shot('home');
  });

  it('navigates between the tabs, each page with its own address', async () => {
    await page.goto(app.url);
    await page.getByTestId('utility-name').waitFor();

    await tab('账单').click();
    await page.waitForURL(/\/pages\/bills\/index/);
    await page.getByText('绑定户号后，这里会显示每月账单、阶梯用电和缴费记录').waitFor();
    await shot('bills');

    await tab('服务').click();
    await page.waitForURL(/\/pages\/services\/index/);
    await page.getByTestId('service-outages').waitFor();
    await shot('services');

    await tab('我的').click();
    await page.waitForURL(/\/pages\/me\/index/);
    await page.locator('.me').getByText('全天 24 小时').waitFor();
    await shot('me');

    await tab('首页').click();
    await page.waitForURL(/\/pages\/home\/index|\/$/);
    await page.getByTestId('notice-list').waitFor();
  });

  it('opens a feature subpackage from the home page and loads it on demand', async () => {
    await page.goto(app.url);
    await page.getByTestId('entry-apply').click();
    await page.waitForURL(/\/packages\/applications\/pages\/index\/index/);
    await page.getByTestId('request-type-hv_connection').getByText('需准备：营业执照、项目批复文件、用电地址总平面图、用电设备清单').waitFor();
    await page.locator('.link-button').getByText('95598').waitFor();
    await shot('applications');
  });

  it('shows the error state when the API fails, and recovers with retry', async () => {
    await page.route('**/api/meta', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: 'e2e' } }),
      }),
    );
    await page.goto(app.url);
    const error = page.getByTestId('state-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('服务暂时不可用，请稍后重试');
    await shot('home-error');

    await page.unroute('**/api/meta');
    await error.getByText('重试', { exact: true }).click();
    await page.getByTestId('notice-list').waitFor();
    expect(await page.getByTestId('state-error').count()).toBe(0);
  });

  it('opens a deep link directly', async () => {
    await page.goto(`${app.url}/pages/services/index`);
    await page.getByTestId('service-repair').waitFor();
  });

  it('titles every page in a bar, with a back button on pages opened from another', async () => {
    const bar = page.locator('#taro-navigation-bar');
    const title = bar.locator('.taro-navigation-bar-title');
    await page.goto(app.url);
    await page.getByTestId('utility-name').waitFor();
    expect(await title.textContent()).toBe('电力客户服务');
    // A tab page is a top level: a title and no back button.
    expect(await bar.getByRole('button', { name: '返回', exact: true }).isVisible()).toBe(false);

    await page.getByTestId('entry-apply').click();
    await page.waitForURL(/\/packages\/applications\/pages\/index\/index/);
    await expect.poll(() => title.textContent()).toBe('新装增容');
    expect(await title.isVisible()).toBe(true);
    expect(await page.title()).toBe('新装增容');
    await shot('title-bar');
    await bar.getByRole('button', { name: '返回', exact: true }).click();
    await page.waitForURL(/\/pages\/home\/index|\/$/);
    await expect.poll(() => title.textContent()).toBe('电力客户服务');
    await page.getByTestId('notice-list').waitFor();
  });

  it('gives a page opened from a link a way to the home page', async () => {
    await page.goto(`${app.url}/packages/outages/pages/index/index`);
    const bar = page.locator('#taro-navigation-bar');
    await expect.poll(() => bar.locator('.taro-navigation-bar-title').textContent()).toBe('停电信息');
    // No page to go back to: the button leads home instead.
    const home = bar.getByRole('button', { name: '返回首页' });
    expect(await home.isVisible()).toBe(true);
    await home.press('Enter');
    await page.waitForURL(/\/pages\/home\/index|\/$/);
    await page.getByTestId('utility-name').waitFor();
  });

  it('lets the customer pinch-zoom', async () => {
    await page.goto(app.url);
    const viewport = await page.locator('meta[name=viewport]').getAttribute('content');
    expect(viewport).toBe('width=device-width,initial-scale=1');
  });
});
