import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { DEMO, SHOP, open, signIn } from './helpers';

/** Runs axe on the page as it is now and fails with a readable list of any violations. */
async function expectNoViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, why: n.failureSummary })),
  }));
  expect(summary, JSON.stringify(summary, null, 2)).toEqual([]);
}

test('the sign-in page has no accessibility violations', async ({ page }) => {
  await open(page, '/login');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expectNoViolations(page);
});

test('the sign-in page with an error has no accessibility violations', async ({ page }) => {
  await open(page, '/login');
  await page.getByLabel('E-mail').fill('nobody@e2e.example');
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoViolations(page);
});

test('the users page has no accessibility violations', async ({ page }) => {
  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}/users`);
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  await expectNoViolations(page);
});

test('the audit page has no accessibility violations', async ({ page }) => {
  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}/audit`);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  await expectNoViolations(page);
});

test('a shop the user cannot open has a titled, accessible error page with a way out', async ({ page }) => {
  await signIn(page, DEMO.admin);
  const response = await page.goto('/shops/no-such-shop');
  expect(response?.status()).toBe(404);
  await page.waitForSelector('body[data-hydrated="true"]');
  await expect(page).toHaveTitle(/Not found/);
  await expect(page.getByRole('link', { name: 'Go to the start page' })).toBeVisible();
  await expectNoViolations(page);
});

test('the dashboard has no accessibility violations', async ({ page }) => {
  await signIn(page, DEMO.info, SHOP);
  await expect(page.getByTestId('balance')).toBeVisible();
  await expect(page.locator('svg.chart')).toBeVisible();
  await expectNoViolations(page);
});

test('the transactions list has no accessibility violations, also with filter errors', async ({ page }) => {
  await signIn(page, DEMO.refunds, SHOP);
  await open(page, `/shops/${SHOP}/transactions?period=30d`);
  await expect(page.locator('table.tx-table')).toBeVisible();
  await expect(page.locator('[data-total="count"]')).toBeVisible();
  await page.locator('details.saved-views summary').click();
  await expectNoViolations(page);
  await open(page, `/shops/${SHOP}/transactions?min=1%2C505`);
  await expect(page.locator('#f-min-error')).toBeVisible();
  await expectNoViolations(page);
});

test('the transaction detail page has no accessibility violations, with the refund preview open', async ({ page }) => {
  await signIn(page, DEMO.admin, SHOP);
  await open(page, `/shops/${SHOP}/transactions?status=approved`);
  await page.locator('table.tx-table tbody tr').first().getByRole('link').click();
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  await page.getByRole('button', { name: 'Preview refund' }).click();
  await expect(page.getByRole('region', { name: 'Refund preview' })).toBeVisible();
  await expectNoViolations(page);
});
