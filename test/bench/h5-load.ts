/**
 * H5 first load as a phone on a slow network sees it: Chromium with 4× CPU slowdown and DevTools'
 * "Slow 4G" profile, cache disabled, median of 5 loads. Prints initial JS and CSS bytes on the wire
 * and Largest Contentful Paint, and the LCP of a one-paragraph HTML page under the same profile
 * (the floor the network alone imposes), so the ratio is comparable between machines.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startBenchServer } from './environment';
import { reportFigure } from './report';

const RUNS = 5;
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8, uploadThroughput: (750 * 1024 * 0.9) / 8 };
const BUDGET = { jsGzipBytes: 180 * 1024, lcpMs: 2500 };

interface Load {
  lcpMs: number;
  jsBytes: number;
  cssBytes: number;
  requests: number;
  assetUrls: string[];
}

/** Bytes of a response as the server sends it to a client that accepts only gzip. */
function gzipBytes(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve(bytes));
      })
      .on('error', reject);
  });
}

async function load(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const types = new Map<string, string>();
  const totals = { js: 0, css: 0, requests: 0 };
  const assetUrls: string[] = [];
  cdp.on('Network.responseReceived', (event) => {
    types.set(event.requestId, event.type);
    if (event.type === 'Script' || event.type === 'Stylesheet') assetUrls.push(event.response.url);
  });
  cdp.on('Network.loadingFinished', (event) => {
    totals.requests += 1;
    const type = types.get(event.requestId);
    if (type === 'Script') totals.js += event.encodedDataLength;
    if (type === 'Stylesheet') totals.css += event.encodedDataLength;
  });
  await page.addInitScript(() => {
    const store = window as unknown as { __lcp: number };
    store.__lcp = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) store.__lcp = entry.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  await page.goto(url, { waitUntil: 'networkidle', timeout: 60_000 });
  // LCP is final once the page has been idle; a tap would stop it, so just read it.
  const lcpMs = await page.evaluate(() => (window as unknown as { __lcp: number }).__lcp);
  await context.close();
  return { lcpMs, jsBytes: totals.js, cssBytes: totals.css, requests: totals.requests, assetUrls };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startBenchServer();
const floor = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(
    '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><p style="font-size:24px">电力客户服务：账单、停电通知与缴费</p>',
  );
});
await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));
const browser = await launchChromium();
try {
  const app: Load[] = [];
  const base: Load[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    base.push(await load(browser, `http://127.0.0.1:${(floor.address() as AddressInfo).port}/`));
    app.push(await load(browser, server.url));
    process.stdout.write(`  load ${run + 1}/${RUNS}: LCP ${app[run]!.lcpMs.toFixed(0)} ms\n`);
  }
  const lcp = median(app.map((l) => l.lcpMs));
  const floorLcp = median(base.map((l) => l.lcpMs));
  const js = median(app.map((l) => l.jsBytes));
  const css = median(app.map((l) => l.cssBytes));
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const assets = app[0]!.assetUrls;
  const jsGzip = (await Promise.all(assets.filter((u) => u.endsWith('.js')).map(gzipBytes))).reduce((a, b) => a + b, 0);
  const cssGzip = (await Promise.all(assets.filter((u) => u.endsWith('.css')).map(gzipBytes))).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `\nH5 first load (4× CPU slowdown, Slow 4G, no cache; median of ${RUNS})\n` +
      `  initial JS               ${kb(jsGzip)} gzip (budget ${kb(BUDGET.jsGzipBytes)}) ${jsGzip <= BUDGET.jsGzipBytes ? 'OK' : 'OVER'}; ${kb(js)} on the wire (brotli, with headers)\n` +
      `  initial CSS              ${kb(cssGzip)} gzip; ${kb(css)} on the wire (with headers)\n` +
      `  requests                 ${median(app.map((l) => l.requests))}\n` +
      `  LCP                      ${lcp.toFixed(0)} ms  (budget ${BUDGET.lcpMs} ms) ${lcp <= BUDGET.lcpMs ? 'OK' : 'OVER'}\n` +
      `  LCP of a bare HTML page  ${floorLcp.toFixed(0)} ms  → app/floor ratio ${(lcp / floorLcp).toFixed(2)}\n`,
  );
  reportFigure({
    name: 'H5 first load, LCP (4× CPU, Slow 4G)',
    value: lcp,
    unit: 'ms',
    baselineName: 'bare HTML page',
    baseline: floorLcp,
    higherIsBetter: false,
    note: `budget ${BUDGET.lcpMs} ms ${lcp <= BUDGET.lcpMs ? 'met' : 'OVER'}; JS ${kb(jsGzip)} gzip`,
  });
} finally {
  await browser.close();
  floor.close();
  await server.stop();
}
