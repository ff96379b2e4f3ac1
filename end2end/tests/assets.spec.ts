import { expect, test, type Response } from '@playwright/test';
import { waitForHydration } from './helpers';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** `portal.<22 characters of base64url MD5>.<ext>`, as cargo-leptos names the files. */
const HASHED = /\/pkg\/portal\.[A-Za-z0-9_-]{22}\.(js|wasm|css)$/;

test('the browser files have hashed names, are kept for a year and come compressed', async ({ page }) => {
  const files: Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/')) files.push(r);
  });
  const html = await page.goto('/login');
  expect(html?.headers()['cache-control']).toBe('no-store');
  await waitForHydration(page);

  const urls = files.map((r) => new URL(r.url()).pathname);
  for (const kind of ['js', 'wasm', 'css']) {
    expect(urls.some((u) => HASHED.test(u) && u.endsWith(`.${kind}`)), `${kind} in ${urls}`).toBe(true);
  }
  for (const r of files) {
    expect(new URL(r.url()).pathname, 'every /pkg file of the page is hashed').toMatch(HASHED);
    expect(r.headers()['cache-control'], r.url()).toBe(IMMUTABLE);
  }

  // The server writes the compressed copies in the background after it starts, so the
  // very first page of a run may have got the plain files.
  const wasm = files.map((r) => r.url()).find((u) => u.endsWith('.wasm'))!;
  for (const [accept, encoding] of [
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
  ]) {
    await expect
      .poll(async () => {
        const r = await page.request.get(wasm, { headers: { 'accept-encoding': accept } });
        return [r.headers()['content-encoding'], r.headers()['cache-control'], r.headers()['vary']];
      }, { timeout: 30_000 })
      .toEqual([encoding, IMMUTABLE, 'accept-encoding']);
  }
});
