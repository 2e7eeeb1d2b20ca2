import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, loginAndBind, newPhonePage, screenshot } from '../support/browser';
import { eventually, request, startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, staffSession, uniquePhone } from '../support/identity';

// The demo resident's area (TA-XH-001) has an outage planned for tomorrow in the seed.
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

describe('H5 outages in Chromium', () => {
  it('shows the demo resident the planned outage on their account, opts in to SMS, and gets the next change by SMS', async () => {
    const phone = uniquePhone();
    await loginAndBind(page, { url: app.url, phone, code: () => lastSmsCode(app, phone), accountNo: '3301000001', holderName: '张伟', phoneLast4: '0001' });

    await page.goto(`${app.url}/packages/outages/pages/index/index`);
    const outages = page.locator('.outages');
    await outages.getByTestId('outages-upcoming').waitFor();
    const card = outages.getByTestId('outages-mine').locator('[data-testid^=outage-card-]').filter({ hasText: '文三路线路检修' });
    await card.waitFor();
    expect(await card.locator('[data-testid^=outage-expected-]').textContent()).toMatch(/预计 .*恢复供电/);
    expect(await card.textContent()).toContain('3301000001');
    // Below their own, everyone's list: the fault being repaired in 拱墅区 too, and the district filter.
    const everyone = outages.getByTestId('outages-public');
    await everyone.locator('[data-testid^=outage-card-]').filter({ hasText: '故障停电' }).first().waitFor();
    await everyone.getByTestId('district-拱墅区').click();
    await expect.poll(() => everyone.locator('[data-testid^=outage-card-]').filter({ hasText: '文三路线路检修' }).count()).toBe(0);
    expect(await everyone.locator('[data-testid^=outage-card-]').filter({ hasText: '故障停电' }).count()).toBeGreaterThan(0);

    expect(await outages.getByTestId('notify-sms-state').textContent()).toBe('未开启');
    await outages.getByTestId('notify-sms-toggle').click();
    await expect.poll(() => outages.getByTestId('notify-sms-state').textContent()).toBe('已开启');
    const confirmed = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', `/sms/messages?phone=${phone}`);
      const sent = body.messages.filter((message: any) => message.template === 'outage_optin_confirm');
      return sent.length ? sent : undefined;
    });
    expect(confirmed).toHaveLength(1);
    await screenshot(page, 'outages');

    // Staff move the outage: the customer who just opted in hears of it by SMS, once.
    const outageId = Number((await card.getAttribute('data-testid'))!.replace('outage-card-', ''));
    const staff = await staffSession(app);
    const moved = await app.request('PATCH', `/api/staff/outages/${outageId}`, { headers: staff, body: { expectedVersion: 1, reason: '检修内容调整' } });
    expect(moved.status).toBe(200);
    const notices = await eventually(async () => {
      const { body } = await request(app.mocks.url, 'GET', `/sms/messages?phone=${phone}`);
      const outageNotices = body.messages.filter((message: any) => message.template === 'outage_notice');
      return outageNotices.length ? outageNotices : undefined;
    });
    expect(notices).toHaveLength(1);
    expect(notices[0].params).toMatchObject({ title: '文三路线路检修', remark: '停电时间有调整，请以本通知为准' });

    await card.click();
    await page.waitForURL(/\/packages\/outages\/pages\/detail\/index/);
    const detail = page.locator('.outage-detail');
    await detail.getByTestId('outage-history').waitFor();
    expect(await detail.getByTestId('outage-history').textContent()).toContain('检修内容调整');
    await screenshot(page, 'outage-detail');
  });
});
