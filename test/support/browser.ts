import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { requireBinary } from './system';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../e2e/screenshots');

/** Debian's Chromium, headless, with the flags this offline machine needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requireBinary('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'chromium');
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Chromium does not start under libfaketime (a faked-date run): it runs on the real clock, and a
  // faked-date run covers what the server decides, not dates the page computes itself.
  const { LD_PRELOAD: _preload, ...env } = process.env;
  return chromium.launch({
    executablePath,
    env,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Waits until page transitions and other animations have finished, so a screenshot shows one page. */
export async function settle(page: import('playwright-core').Page): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity),
  );
}

/** A fresh page sized like a phone (390×844 at 2×) with a Chinese locale. */
export async function newPhonePage(browser: Browser): Promise<import('playwright-core').Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' });
  return context.newPage();
}

/** Saves a full-page screenshot under test/e2e/screenshots once the page has settled. */
export async function screenshot(page: import('playwright-core').Page, name: string): Promise<void> {
  await settle(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Types into a Taro input, found by its test id (Taro wraps the real <input>). */
export function fillField(page: import('playwright-core').Page, testId: string, text: string): Promise<void> {
  return page.locator(`[data-testid=${testId}] input, input[data-testid=${testId}]`).first().fill(text);
}

/**
 * The H5 customer's way in, through the pages: log in with the code the mock SMS gateway received,
 * then bind a demo account by holder name and the last four digits of its phone.
 */
export async function loginAndBind(
  page: import('playwright-core').Page,
  options: { url: string; phone: string; code: () => Promise<string>; accountNo: string; holderName: string; phoneLast4: string },
): Promise<void> {
  await page.goto(`${options.url}/packages/account/pages/login/index`);
  await page.getByTestId('login-consent').click();
  await fillField(page, 'login-phone', options.phone);
  await page.getByTestId('login-send').click();
  await page.getByText(/秒后重发/).waitFor();
  await fillField(page, 'login-code', await options.code());
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/pages\/me\/index/);
  await page.locator('.me').getByText('绑定户号', { exact: true }).click();
  await page.waitForURL(/\/packages\/account\/pages\/bind\/index/);
  await fillField(page, 'bind-account', options.accountNo);
  await fillField(page, 'bind-holder', options.holderName);
  await fillField(page, 'bind-last4', options.phoneLast4);
  await page.getByTestId('bind-submit').click();
  await page.waitForURL(/\/pages\/me\/index/);
}
