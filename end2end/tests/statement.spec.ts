import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { DEMO, SHOP, open, signIn, unzip } from './helpers';

async function expectNoViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => ({
    rule: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), why: n.failureSummary })),
  }));
  expect(summary, JSON.stringify(summary, null, 2)).toEqual([]);
}

/** "1 234.56" (thin spaces, a minus sign) as cents. */
function cents(text: string): number {
  const t = text.replace(/[\s\u202f]|EUR/g, '').replace('\u2212', '-');
  return Math.round(parseFloat(t) * 100);
}

// The accountant (info only) reads last month's statement: the balances chain, the rows
// add up, and the page is accessible on a desktop and on a phone.
test('the info-only user reads last month and this month, and the balances chain', async ({ page }) => {
  await signIn(page, DEMO.info, SHOP);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statement' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account statement' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'Last month' }).click();
  await expect(page).toHaveURL(/period=last_month/);
  const lastClosing = cents(await page.getByTestId('closing').innerText());
  const lastOpening = cents(await page.getByTestId('opening').innerText());
  // The demo has 90 days of payments: last month has movements and a totals table.
  const totals = page.getByRole('region', { name: 'Totals by type' });
  await expect(totals).toBeVisible();
  const credit = cents(await totals.locator('[data-total="credit"]').innerText());
  const debit = cents(await totals.locator('[data-total="debit"]').innerText());
  expect(lastOpening + credit - debit).toBe(lastClosing);
  await expectNoViolations(page);

  // This month opens where last month closed.
  await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'This month' }).click();
  await expect(page).toHaveURL(/period=this_month/);
  expect(cents(await page.getByTestId('opening').innerText())).toBe(lastClosing);

  // A type filter keeps the balances and shows only that type.
  await page.getByLabel('Type', { exact: true }).selectOption('INCOME');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/kind=INCOME/);
  const types = page.locator('td[data-label="Type"] code');
  await expect(types.first()).toHaveText('INCOME');
  expect(new Set(await types.allInnerTexts())).toEqual(new Set(['INCOME']));

  // On a phone the rows stack and nothing is wider than the screen.
  await page.setViewportSize({ width: 375, height: 740 });
  await open(page, `/shops/${SHOP}/statement?period=last_month`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await expectNoViolations(page);
});

/** The camt.053 balance with `code` (OPBD, CLBD) in cents, a DBIT negative. */
function camtBalance(xml: string, code: string): number {
  const bal = xml.split('<Bal>').map((b) => b.split('</Bal>')[0]).find((b) => b.includes(`<Cd>${code}</Cd>`));
  expect(bal, code).toBeTruthy();
  const amount = Math.round(parseFloat(/<Amt Ccy="EUR">([0-9.]+)<\/Amt>/.exec(bal!)![1]) * 100);
  return bal!.includes('<CdtDbtInd>DBIT</CdtDbtInd>') ? -amount : amount;
}

/** Clicks a download button and returns the saved file. */
async function download(page: Page, name: string): Promise<{ file: string; data: Buffer }> {
  const [d] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name, exact: true }).click(),
  ]);
  const data = fs.readFileSync((await d.path())!);
  return { file: d.suggestedFilename(), data };
}

// The accountant closes last month: the XML, the XLSX and the month-close pack download
// through the browser's own download, and each file's closing balance is the page's.
test("the info-only user downloads last month's files and their closing balance is the page's", async ({ page }) => {
  await signIn(page, DEMO.info, SHOP);
  await open(page, `/shops/${SHOP}/statement`);
  await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'Last month' }).click();
  await expect(page).toHaveURL(/period=last_month/);
  const opening = cents(await page.getByTestId('opening').innerText());
  const closing = cents(await page.getByTestId('closing').innerText());
  const form = page.locator('form.export');
  await expect(form.getByLabel('CSV format')).toBeVisible();

  const xml = await download(page, 'XML (camt.053)');
  expect(xml.file).toMatch(new RegExp(`^statement-${SHOP}-\\d{4}-\\d{2}\\.xml$`));
  const text = xml.data.toString('utf8');
  expect(camtBalance(text, 'OPBD')).toBe(opening);
  expect(camtBalance(text, 'CLBD')).toBe(closing);
  await expect(form.getByRole('status').filter({ hasText: /^XML \(camt\.053\): done/ })).toBeVisible();

  const xlsx = await download(page, 'XLSX');
  expect(xlsx.file).toMatch(/\.xlsx$/);
  const sheet = unzip(xlsx.data)['xl/worksheets/sheet1.xml'].toString('utf8');
  const cell = (ref: string) => Math.round(parseFloat(new RegExp(`<c r="${ref}"[^>]*><v>([^<]+)</v>`).exec(sheet)![1]) * 100);
  expect(cell('B6')).toBe(opening);
  expect(cell('B7')).toBe(closing);

  const pack = await download(page, 'Month-close pack (ZIP)');
  expect(pack.file).toMatch(new RegExp(`^month-close-${SHOP}-\\d{4}-\\d{2}\\.zip$`));
  const files = unzip(pack.data);
  const names = Object.keys(files).sort();
  expect(names).toContain('README.txt');
  expect(names.filter((n) => n.startsWith('statement-')).length).toBe(3);
  expect(names.some((n) => n.startsWith('vat-summary-'))).toBe(true);
  // Last month's fee invoice is issued, so the pack carries its PDF.
  const invoice = names.find((n) => /^invoice-\d{4}-\d{6}\.pdf$/.test(n));
  expect(invoice, names.join(', ')).toBeTruthy();
  expect(files[invoice!].subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const readme = files['README.txt'].toString('utf8');
  const euros = (closing / 100).toFixed(2);
  expect(readme).toContain(`Closing balance: ${euros} EUR`);
  const packXml = names.find((n) => n.endsWith('.xml'))!;
  expect(camtBalance(files[packXml].toString('utf8'), 'CLBD')).toBe(closing);
  for (const n of names.filter((n) => n !== 'README.txt')) {
    const sha = crypto.createHash('sha256').update(files[n]).digest('hex');
    expect(readme).toContain(`${sha}  ${n}`);
  }
  await expect(form.getByRole('status').filter({ hasText: /^Month-close pack \(ZIP\): done/ })).toBeVisible();
});
