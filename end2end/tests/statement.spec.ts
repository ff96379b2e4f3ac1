import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { DEMO, SHOP, open, signIn } from './helpers';

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
