import { expect, test, type Browser, type BrowserContext } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO, SHOP, signIn } from '../tests/helpers';

// Time to interactive on a slow link, cold cache: each run is a fresh browser context
// (empty cache) whose network Chromium throttles to 12 Mbit/s down, 70 ms latency
// (DevTools' Network.emulateNetworkConditions). "Interactive" is the app's own hydration
// signal (`body[data-hydrated]`, what the journeys wait for), timed in the page from
// navigation start. Beside it, the figures Lighthouse is built on, from the page's
// Performance API: first and largest contentful paint, long tasks (Total Blocking Time as
// Lighthouse approximates it: each task's time over 50 ms, from first paint to
// interactive) and the bytes transferred.
//
// RUNS (default 7) runs per page; BENCH_ACCEPT_ENCODING=identity fetches everything
// uncompressed (the figures before compression). Results: the console and
// target/bench-page-load.json.

const RUNS = Number(process.env.RUNS ?? 7);
const IDENTITY = process.env.BENCH_ACCEPT_ENCODING === 'identity';
const ROOT = path.resolve(__dirname, '..', '..');
const PKG = path.join(ROOT, 'target', 'site', 'pkg');
const LINK = { latency: 70, downloadThroughput: (12_000_000 / 8), uploadThroughput: (12_000_000 / 8) };

type Run = {
  interactive: number;
  fcp: number;
  lcp: number;
  tbt: number;
  transferred: number;
  wasmTransferred: number;
  wasmEncoding: string;
};

/** Installed before any page script: records hydration, LCP and long tasks as they happen. */
function observe() {
  const w = window as unknown as Record<string, unknown>;
  w.__longTasks = [] as { start: number; duration: number }[];
  w.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) (w.__longTasks as unknown[]).push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated === 'true') {
      w.__hydrated = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
}

async function measure(browser: Browser, url: string, storage?: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<Run> {
  const context = await browser.newContext({
    storageState: storage,
    extraHTTPHeaders: IDENTITY ? { 'accept-encoding': 'identity' } : undefined,
  });
  const page = await context.newPage();
  await page.addInitScript(observe);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...LINK });
  let wasmEncoding = 'identity';
  page.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasmEncoding = r.headers()['content-encoding'] ?? 'identity';
  });
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  // LCP is final once the page is interactive; a moment for the observers to report.
  await page.waitForTimeout(300);
  const run = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const interactive = w.__hydrated as number;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
    const tbt = (w.__longTasks as { start: number; duration: number }[])
      .filter((t) => t.start >= fcp && t.start < interactive)
      .reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
    const entries = [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ] as PerformanceResourceTiming[];
    const wasm = entries.find((e) => e.name.endsWith('.wasm'));
    return {
      interactive,
      fcp,
      lcp: w.__lcp as number,
      tbt,
      transferred: entries.reduce((sum, e) => sum + e.transferSize, 0),
      wasmTransferred: wasm?.transferSize ?? 0,
    };
  });
  await context.close();
  return { ...run, wasmEncoding };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function sizes() {
  const out: Record<string, { raw: number; gzip?: number; brotli?: number }> = {};
  for (const name of fs.readdirSync(PKG)) {
    const m = name.match(/^portal\.[A-Za-z0-9_-]+\.(wasm|js|css)$/);
    if (!m) continue;
    const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : undefined);
    const file = path.join(PKG, name);
    out[m[1]] = { raw: fs.statSync(file).size, gzip: size(`${file}.gz`), brotli: size(`${file}.br`) };
  }
  return out;
}

test('page load on 12 Mbit/s, 70 ms, cold cache', async ({ browser }) => {
  // The signed-in runs reuse one session (signing in is not what is measured).
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, DEMO.admin, SHOP);
  const storage = await context.storageState();
  await context.close();

  // One unmeasured load, so the server's own start-up work (compressing the files it
  // finds uncompressed) is done.
  await measure(browser, '/login');

  const results: Record<string, Run[]> = { '/login': [], [`/shops/${SHOP}`]: [] };
  for (let i = 0; i < RUNS; i++) {
    results['/login'].push(await measure(browser, '/login'));
    results[`/shops/${SHOP}`].push(await measure(browser, `/shops/${SHOP}`, storage));
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([url, runs]) => [
      url,
      {
        runs: runs.length,
        wasmEncoding: runs[0].wasmEncoding,
        interactiveMs: Math.round(median(runs.map((r) => r.interactive))),
        interactiveMaxMs: Math.round(Math.max(...runs.map((r) => r.interactive))),
        fcpMs: Math.round(median(runs.map((r) => r.fcp))),
        lcpMs: Math.round(median(runs.map((r) => r.lcp))),
        tbtMs: Math.round(median(runs.map((r) => r.tbt))),
        transferredKB: Math.round(median(runs.map((r) => r.transferred)) / 1024),
        wasmTransferredKB: Math.round(median(runs.map((r) => r.wasmTransferred)) / 1024),
      },
    ]),
  );
  const report = { link: '12 Mbit/s down and up, 70 ms latency', identity: IDENTITY, files: sizes(), pages: summary };
  console.log(JSON.stringify(report, null, 2));
  fs.writeFileSync(path.join(ROOT, 'target', `bench-page-load${IDENTITY ? '-identity' : ''}.json`), JSON.stringify(report, null, 2));
  for (const page of Object.values(summary)) expect(page.interactiveMs).toBeGreaterThan(0);
});
