import { expect, test } from '@playwright/test';
import { DEMO, SHOP, signIn, waitForHydration } from './helpers';

// Test and live data apart: the switch in the header, its banner, a test link paid through
// the test bank, and the payment seen only in test data.
test('a test link is paid through the test bank and shows only in test data', async ({ page, browser }) => {
  const reference = `Test E2E ${Date.now().toString(36)}`;
  await signIn(page, DEMO.admin, SHOP);
  // The demo says that its live payments go through a simulated bank.
  await expect(page.getByRole('complementary', { name: 'Demo installation' })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Test data' })).toHaveCount(0);

  await page.getByRole('button', { name: 'View test data' }).click();
  await expect(page.getByRole('complementary', { name: 'Test data' })).toContainText('You are viewing test data');
  await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}$`));
  await waitForHydration(page);
  await expect(page.getByTestId('test-balance')).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payment links' }).click();
  await page.getByLabel('Amount (EUR)').fill('12.50');
  await page.getByLabel('Reference').fill(reference);
  await page.getByRole('button', { name: 'Make the link' }).click();
  const created = page.getByRole('region', { name: /Link ready/ });
  await expect(created).toContainText('Test link');
  const url = await created.getByRole('textbox', { name: 'Payment link' }).inputValue();

  // The buyer sees that it is a test payment, and the test bank takes it.
  const buyerContext = await browser.newContext({ javaScriptEnabled: false });
  const buyer = await buyerContext.newPage();
  await buyer.goto(`${url}?lang=en`);
  await expect(buyer.getByTestId('test-payment')).toContainText('no money is taken');
  await buyer.getByRole('group', { name: /Estonia/ }).getByRole('button', { name: 'Swedbank' }).click();
  await expect(buyer).toHaveURL(/\/test-bank\//);
  await buyer.getByRole('button', { name: 'Approve the payment' }).click();
  await expect(buyer.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await buyerContext.close();

  // In test data the payment is listed, with no fees.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
  await page.getByLabel('Search').fill(reference);
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.locator('table.tx-table tbody tr').filter({ hasText: reference });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td[data-label="Status"]')).toHaveText('Paid');
  await expect(row.locator('td[data-label="Fees + VAT"]')).toHaveText(/^0[.,]00/);

  // Back on live data the same search finds nothing, and the banner is gone.
  await page.getByRole('button', { name: 'Back to live data' }).click();
  await expect(page.getByRole('complementary', { name: 'Test data' })).toHaveCount(0);
  await waitForHydration(page);
  await expect(page.locator('table.tx-table tbody tr').filter({ hasText: reference })).toHaveCount(0);
});
