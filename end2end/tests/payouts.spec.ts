import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEMO, SHOP, open, signIn } from './helpers';

// The admin switches the payouts to once a week on Friday and sees what that means: the
// payout already scheduled stays, then Fridays (a closed Friday moves to the next banking
// day). The info-only user sees the same schedule and cannot change it.
test('the admin switches payouts to Fridays and sees the next five payout days', async ({ page, browser }) => {
  await signIn(page, DEMO.admin, SHOP);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payouts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payouts' })).toBeVisible();
  await expect(page.getByTestId('frequency')).toHaveText('Every banking day');
  const days = page.getByTestId('next-days').getByRole('listitem');
  await expect(days).toHaveCount(5);

  await page.getByLabel('Once a week, on the weekday below').check();
  await page.getByLabel('Weekday (once a week)').selectOption({ label: 'Friday' });
  await page.getByRole('button', { name: 'Save schedule' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Saved\. From \d{4}-\d{2}-\d{2}: Every Friday\./ })).toBeVisible();
  await expect(page.getByTestId('pending')).toContainText('Every Friday');
  await expect(days).toHaveCount(5);
  const texts = await days.allInnerTexts();
  // After the payout already scheduled, most of the next days are Fridays.
  expect(texts.slice(1).filter((t) => t.startsWith('Friday')).length).toBeGreaterThanOrEqual(2);
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  const context = await browser.newContext();
  const info = await context.newPage();
  await signIn(info, DEMO.info, SHOP);
  await open(info, `/shops/${SHOP}/payouts`);
  await expect(info.getByTestId('pending')).toContainText('Every Friday');
  await expect(info.getByRole('button', { name: 'Save schedule' })).toHaveCount(0);
  await expect(info.getByText('Only an admin of the shop can change the payout schedule.')).toBeVisible();
  await context.close();

  // Back to every banking day: the waiting change is withdrawn.
  await page.getByLabel('Every banking day').check();
  await page.getByRole('button', { name: 'Save schedule' }).click();
  await expect(page.getByTestId('pending')).toHaveCount(0);
});

/** "1 234.56 €" (thin spaces, a minus sign) as cents. */
function cents(text: string): number {
  const t = text.replace(/[\s\u202f]|EUR|€/g, '').replace('\u2212', '-');
  return Math.round(parseFloat(t) * 100);
}

// The accountant asks why a payout is smaller than the sales: the payout's lines add up to
// it, and a fee line leads to the statement's movements.
test('the info-only user opens a payout and follows a fee line to its movements', async ({ page }) => {
  await signIn(page, DEMO.info);
  await open(page, '/shops/demo-outlet/payouts');
  await expect(page.getByTestId('next-payout')).toBeVisible();
  const rows = page.locator('table.payouts-table tbody tr');
  await expect(rows.first()).toBeVisible();
  await rows.first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: /^Payout of / })).toBeVisible();
  const table = page.locator('table.breakdown');
  const amounts = await table.locator('tbody td.num').allInnerTexts();
  const total = cents(await page.getByTestId('payout-total').innerText());
  expect(amounts.map(cents).reduce((a, b) => a + b, 0)).toBe(total);
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  await table.getByRole('link', { name: 'Transaction fees' }).click();
  await expect(page).toHaveURL(/\/shops\/demo-outlet\/statement\?period=custom&from=/);
  await expect(page.getByRole('heading', { level: 1, name: 'Account statement' })).toBeVisible();
  await expect(page.locator('td[data-label="Type"] code').first()).toBeVisible();
});

// The payout account is the contract's: the admin asks the provider for another one. A
// mistyped IBAN is named before anything is sent; the request then waits for the provider,
// and the admin can withdraw it.
test('the admin asks the provider for another payout account and withdraws the request', async ({ page }) => {
  await signIn(page, DEMO.admin);
  await open(page, '/shops/demo-outlet/payouts');
  const form = page.locator('form.account-request-form');
  await form.getByLabel('IBAN').fill('EE47 1000 0010 2014 5686');
  await form.getByLabel('Account holder').fill('Demo Merchant OÜ');
  await form.getByRole('button', { name: 'Send the request' }).click();
  await expect(form.locator('.field-error')).toContainText(/IBAN/i);
  await form.getByLabel('IBAN').fill('EE47 1000 0010 2014 5685');
  await form.getByLabel('Note to the provider (optional)').fill('We moved to another bank.');
  await form.getByRole('button', { name: 'Send the request' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent to the provider: New payout account EE47 1000 0010 2014 5685' })).toBeVisible();
  // The list below shows it at once, without a reload.
  const request = page.locator('li.request').first();
  await expect(request).toContainText('Waiting for the provider');
  await expect(request).toContainText('Your note: We moved to another bank.');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  const withdrawn = page.waitForResponse((r) => r.url().includes('/api/withdraw_request'));
  await request.getByRole('button', { name: 'Withdraw the request' }).click();
  await withdrawn;
  await expect(page.locator('li.request').first()).toContainText('Withdrawn');
  // And it is recorded: the same after a reload.
  await open(page, '/shops/demo-outlet/payouts');
  await expect(page.locator('li.request').first()).toContainText('Withdrawn');
});
