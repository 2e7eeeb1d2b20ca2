import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, loginAndBind, newPhonePage, screenshot, SCREENSHOTS } from '../support/browser';
import { request, startTestApp, type TestApp } from '../support/harness';
import { lastSmsCode, uniquePhone } from '../support/identity';
import { oweBills } from '../support/receivables';

// A resident pays two bills on the H5 page, opens the electronic receipt from the result page, and
// saves it: a PNG download, and the print dialog (which saves PDF) showing the receipt alone.
let app: TestApp;
let browser: Browser;
let page: Page;
const pool = () => app.runtime.deps.database.pool;
const field = (label: string) => page.getByTestId(`receipt-${label}`).textContent();

beforeAll(async () => {
  app = await startTestApp();
  await request(app.mocks.url, 'POST', '/wechatpay/_settings', { body: { timeScale: 0.001 } });
  browser = await launchChromium();
  page = await newPhonePage(browser);
  const phone = uniquePhone();
  await loginAndBind(page, { url: app.url, phone, code: () => lastSmsCode(app, phone), accountNo: '3301000001', holderName: '张伟', phoneLast4: '0001' });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the electronic receipt in Chromium', () => {
  it('pay two bills, open the receipt from the result page: every field shows, and 保存为图片 downloads a PNG of it', async () => {
    await oweBills(pool(), '3301000001', [
      { month: '2025-07', principalFen: 4_321 },
      { month: '2025-08', principalFen: 1_999 },
    ]);
    await page.goto(`${app.url}/packages/payments/pages/index/index`);
    await page.getByTestId('pay-card').getByText('¥63.20').waitFor();
    await page.getByTestId('pay-wechat_h5').click();
    await page.waitForURL((url) => url.toString().startsWith(app.mocks.url));
    await page.getByRole('button', { name: /确认支付/ }).click();
    await page.waitForURL(/\/packages\/payments\/pages\/result\/index/);
    await expect.poll(() => page.getByTestId('pay-result-state').textContent(), { timeout: 15_000 }).toBe('支付成功');
    // The result page itself says what was paid: the channel, the account and both bill months.
    const summary = page.getByTestId('pay-result-summary');
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toContain('账单月份2025-07、2025-08');
    expect(await summary.textContent()).toContain('支付方式微信支付');
    expect(await summary.textContent()).toContain('户号3301000001');

    await page.getByTestId('pay-result-receipt').click();
    await page.waitForURL(/\/packages\/payments\/pages\/receipt\/index/);
    await page.getByTestId('receipt').waitFor();
    const {
      rows: [order],
    } = await pool().query('SELECT out_trade_no, gateway_trade_no, paid_at FROM payment_orders ORDER BY id DESC LIMIT 1');
    const payee = (await app.request('GET', '/api/meta')).body.utility.name;
    const beijing = new Date(order.paid_at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(await field('收款单位')).toBe(payee);
    expect(await field('缴费时间')).toBe(beijing);
    expect(await field('支付方式')).toBe('微信支付');
    expect(await field('交易单号')).toBe(order.gateway_trade_no);
    expect(await field('订单号')).toBe(order.out_trade_no);
    expect(await field('户号')).toBe('3301000001');
    expect(await field('户名')).toBe('张*');
    expect(await field('2025-07')).toBe('电费 ¥43.21');
    expect(await field('2025-08')).toBe('电费 ¥19.99');
    expect(await field('合计金额')).toBe('¥63.20');
    expect(await field('大写金额')).toBe('人民币陆拾叁元贰角');
    await screenshot(page, 'receipt');

    const download = page.waitForEvent('download');
    await page.getByTestId('receipt-save-image').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`电子收费凭证-R${order.out_trade_no.slice(1)}.png`);
    const png = await readFile((await file.path())!);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: the receipt's width at twice its logical 750 px, and a height that fits all the rows.
    expect(png.readUInt32BE(16)).toBe(1_500);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1_500);
    expect(png.length).toBeGreaterThan(20_000);
    await file.saveAs(path.join(SCREENSHOTS, 'receipt-download.png'));
    await expect.poll(() => page.getByTestId('receipt-message').textContent()).toBe('图片已保存到下载目录');
  });

  it('打印/存为PDF opens the print dialog, and printing shows the receipt without the page around it', async () => {
    await page.evaluate(() => {
      const counted = window as unknown as { printed: number };
      counted.printed = 0;
      window.print = () => void (counted.printed += 1);
    });
    await page.getByTestId('receipt-save-print').click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('receipt').isVisible()).toBe(true);
    expect(await page.getByTestId('receipt').getByText('电子收费凭证', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByTestId('receipt-save-image').isVisible()).toBe(false);
    expect(await page.locator('#taro-navigation-bar').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByTestId('receipt-save-image').isVisible()).toBe(true);
  });

  it('the payment history opens the same receipt from the paid record', async () => {
    await page.goto(`${app.url}/packages/payments/pages/history/index`);
    await page.getByTestId('payment-record-receipt').first().click();
    await page.waitForURL(/\/packages\/payments\/pages\/receipt\/index/);
    expect(await page.getByTestId('receipt-合计金额').textContent()).toBe('¥63.20');
  });
});
