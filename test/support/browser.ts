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
