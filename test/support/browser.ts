import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { requireBinary } from './system';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../e2e/screenshots');

/** Debian's Chromium, headless, with the flags this offline machine needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requireBinary('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'chromium');
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath,
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
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity));
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
