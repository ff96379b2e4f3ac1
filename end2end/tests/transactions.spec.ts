import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR, DEMO, SHOP, open, signIn, waitForHydration } from './helpers';

/** An amount as the portal shows it ("1 234.50 €", with a minus sign for debits), in cents. */
function cents(text: string): number {
  const cleaned = text.replace(/[^0-9.\u2212-]/g, '').replace('\u2212', '-');
  return Math.round(parseFloat(cleaned) * 100);
}

async function openFirstTransaction(page: Page) {
  const link = page.locator('table.tx-table tbody tr').first().getByRole('link');
  const reference = (await link.textContent())!.trim();
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}/transactions/\\d+$`));
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Payment ${reference}`) })).toBeVisible();
  return reference;
}

test('an info-only user filters, opens a transaction and has no refund button', async ({ page }) => {
  await signIn(page, DEMO.info, SHOP);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Transactions' })).toBeVisible();
  await expect(page.locator('[data-total="count"]')).toBeVisible();

  const filters = page.getByRole('form', { name: 'Filter transactions' });
  await filters.getByLabel('Status').selectOption({ label: 'Paid' });
  await filters.getByLabel('Channel').selectOption({ label: 'Swedbank' });
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=approved/);
  await expect(page).toHaveURL(/channel=swedbank/);
  await waitForHydration(page);
  const rows = page.locator('table.tx-table tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row.locator('td[data-label="Status"]')).toHaveText('Paid');
    await expect(row.locator('td[data-label="Channel"]')).toHaveText('Swedbank');
  }
  // The totals count the whole filter, not just the page.
  const count = Number(await page.locator('[data-total="count"]').textContent());
  expect(count).toBeGreaterThanOrEqual(await rows.count());

  await openFirstTransaction(page);
  await expect(page.getByRole('heading', { name: 'Movements on the balance' })).toBeVisible();
  await expect(page.locator('td[data-label="Type"]').first()).toHaveText('INCOME');
  await expect(page.getByRole('heading', { name: 'Fraud signals' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Preview refund' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Refund', exact: true })).toHaveCount(0);

  // Back returns to the filtered list, its state read from the URL.
  await page.goBack();
  await expect(page).toHaveURL(/status=approved&channel=swedbank/);
  await expect(filters.getByLabel('Status')).toHaveValue('approved');
});

test('staff refunds part of a payment and sees the balance and status change', async ({ page }) => {
  await signIn(page, DEMO.refunds, SHOP);
  await open(page, `/shops/${SHOP}/transactions?status=approved&sort=amount_desc`);
  await openFirstTransaction(page);
  await expect(page.locator('h1 .status')).toHaveText('Paid');
  await expect(page.getByTestId('refunded')).toHaveText(/^0\.00/);

  const form = page.getByRole('region', { name: 'Refund preview' });
  await page.getByLabel('Amount (EUR)').fill('12,505');
  await page.getByRole('button', { name: 'Preview refund' }).click();
  await expect(page.locator('#refund-amount-error')).toContainText('two decimals');

  // The Baltic way: a decimal comma.
  await page.getByLabel('Amount (EUR)').fill('12,50');
  await page.getByLabel('Comment (optional)').fill('Scratched lid');
  await page.getByRole('button', { name: 'Preview refund' }).click();
  await expect(form).toBeVisible();
  const before = cents((await form.getByTestId('preview-balance').textContent())!);
  const after = cents((await form.getByTestId('preview-after').textContent())!);
  expect(before - after).toBe(1250);
  // The preview says where the money goes and that fees stay; focus waits on Confirm.
  await expect(form.getByTestId('preview-destination')).toHaveText(/^Back to the (card|bank account)|^To a bank account the buyer gives/);
  await expect(form.getByText('fees are not returned')).toBeVisible();
  await expect(form.getByTestId('preview-refundable-after')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Confirm refund' })).toBeFocused();

  await form.getByRole('button', { name: 'Confirm refund' }).click();
  const done = page.getByRole('status').filter({ hasText: 'Refunded 12.50' });
  await expect(done).toBeVisible();
  expect(cents((await done.textContent())!.split('balance is now')[1])).toBe(after);
  await expect(page.locator('h1 .status')).toHaveText('Partly refunded');
  await expect(page.getByTestId('refunded')).toHaveText(/^12\.50/);
  await expect(page.getByRole('row').filter({ hasText: 'Scratched lid' })).toContainText(DEMO.refunds.email);
  await expect(page.locator('td[data-label="Type"]').last()).toHaveText('REFUND');

  // The dashboard shows the same balance.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByTestId('balance')).toBeVisible();
  expect(cents((await page.getByTestId('balance').textContent())!)).toBe(after);
});

test('a refund larger than the balance is refused with its message', async ({ browser }) => {
  // serve.sh made a small shop with two paid payments and an invited staff user.
  const link = fs.readFileSync(path.join(DATA_DIR, 'thin-invite.txt'), 'utf8').match(/https?:\/\/\S+/)![0];
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, link);
  await page.getByLabel('Your name').fill('Tiina Staff');
  await page.getByLabel('Password', { exact: true }).fill('thin kiosk staff password');
  await page.getByLabel('Password again').fill('thin kiosk staff password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page).toHaveURL(/\/login\?done=invite/);
  await signIn(page, { email: 'staff@thin.example', password: 'thin kiosk staff password' }, 'thin-kiosk');

  // Refund the first payment in full: the balance keeps only the other payment's net less
  // the first one's fees, which is less than the other payment.
  await open(page, '/shops/thin-kiosk/transactions?status=approved&sort=amount_asc');
  const rows = page.locator('table.tx-table tbody tr');
  await expect(rows).toHaveCount(2);
  await rows.first().getByRole('link').click();
  await expect(page.getByRole('button', { name: 'Preview refund' })).toBeVisible();
  await page.getByRole('button', { name: 'Preview refund' }).click();
  await page.getByRole('button', { name: 'Confirm refund' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Refunded/ })).toBeVisible();
  await expect(page.locator('h1 .status')).toHaveText('Refunded');

  await open(page, '/shops/thin-kiosk/transactions?status=approved');
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('link').click();
  await page.getByRole('button', { name: 'Preview refund' }).click();
  await expect(page.locator('#refund-amount-error')).toContainText("The shop's balance");
  await expect(page.locator('#refund-amount-error')).toContainText('is too small for this refund');
  await expect(page.getByRole('region', { name: 'Refund preview' })).toHaveCount(0);
  await expect(page.locator('h1 .status')).toHaveText('Paid');
  await context.close();
});

test('export downloads a file whose rows match the filter', async ({ page }) => {
  await signIn(page, DEMO.info, SHOP);
  await open(page, `/shops/${SHOP}/transactions?status=approved&channel=seb`);
  const count = page.locator('[data-total="count"]');
  await expect(count).toBeVisible();
  const expected = Number(await count.textContent());
  expect(expected).toBeGreaterThan(0);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'CSV', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^transactions-demo-store-\d{8}-\d{4}\.csv$/);
  await expect(page.getByRole('status').filter({ hasText: /^CSV: done/ })).toBeVisible();
  const text = fs.readFileSync((await download.path())!, 'utf8');
  const lines = text.split('\r\n').filter((l) => l.length > 0);
  expect(lines[0]).toBe('Shop,Demo Store (Demo Merchant OÜ)');
  expect(lines[1]).toBe('Filter,"status Paid, channel SEB"');
  expect(lines[2]).toBe('Time zone,Europe/Tallinn');
  expect(lines[4].startsWith('Time,Reference,ID,')).toBe(true);
  const rows = lines.slice(5).map((l) => l.split(','));
  expect(rows.length).toBe(expected);
  for (const r of rows) {
    expect(r[5]).toBe('SEB');
    expect(r[9]).toBe('Paid');
  }

  // Semicolons and decimal commas, as Excel reads them in Estonian settings: chosen once,
  // remembered for the next visit and for the statement too.
  const format = page.getByLabel('CSV format');
  await format.selectOption('semicolon');
  const [semi] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'CSV', exact: true }).click(),
  ]);
  const semiLines = fs.readFileSync((await semi.path())!, 'utf8').split('\r\n');
  expect(semiLines[5].startsWith('Time;Reference;ID;')).toBe(true);
  expect(semiLines[6].split(';')[6]).toMatch(/^\d+,\d{2}$/);
  await open(page, `/shops/${SHOP}/statement`);
  await expect(page.getByLabel('CSV format')).toHaveValue('semicolon');
  await open(page, `/shops/${SHOP}/transactions`);
  await expect(page.getByLabel('CSV format')).toHaveValue('semicolon');
  // Back to commas, as the other journeys expect.
  await page.getByLabel('CSV format').selectOption('comma');
  await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV', exact: true }).click()]);
  await expect(page.getByRole('status').filter({ hasText: /^CSV: done/ })).toBeVisible();
});

// Before the browser part has loaded, the refund form's button is visibly disabled rather
// than doing nothing (or a GET that loses the amount).
test('the refund preview button is disabled until the page is ready', async ({ page, browser }) => {
  await signIn(page, DEMO.refunds, SHOP);
  await open(page, `/shops/${SHOP}/transactions?status=approved&sort=amount_desc`);
  await openFirstTransaction(page);
  const url = page.url();
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  try {
    const early = await noScript.newPage();
    await early.goto(url);
    await expect(early.getByRole('button', { name: 'Preview refund' })).toBeDisabled();
  } finally {
    await noScript.close();
  }
  await expect(page.getByRole('button', { name: 'Preview refund' })).toBeEnabled();
});
