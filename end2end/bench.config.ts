import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The page-load bench (BENCHMARKS.md, "Page load on a slow link"): the release build served
// by serve.sh, measured in Debian's Chromium with its network emulation. Build first with
// `cargo leptos build --release --precompress`.
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: /.*\.bench\.ts$/,
  timeout: 600_000,
  reporter: 'list',
  webServer: {
    ...base.webServer,
    command: `PORTAL_E2E_PROFILE=release ${(base.webServer as { command: string }).command}`,
  },
});
