import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEMO, open, signIn, waitForHydration } from './helpers';

const SHOP = 'demo-outlet';

/** The first payment's time on the transactions page, as shown. */
async function firstTime(page: import('@playwright/test').Page): Promise<string> {
  await open(page, `/shops/${SHOP}/transactions`);
  const cell = page.locator('table tbody tr').first().locator('td[data-label="Time"]');
  await expect(cell).toBeVisible();
  return (await cell.innerText()).trim();
}

// The admin moves the shop to another time zone and the transactions page's times move
// with it; the info-only user has no settings at all.
test("the admin changes the shop's time zone and the payments' times move", async ({ page, browser }) => {
  await signIn(page, DEMO.admin);
  const before = await firstTime(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Tallinn');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  // A wrong address is named, and nothing is saved.
  await page.getByLabel('Notification e-mails (optional)').fill('orders@demo-outlet.example, nope');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('"nope": Enter an e-mail address')).toBeVisible();

  await page.getByLabel('Notification e-mails (optional)').fill('orders@demo-outlet.example');
  await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  try {
    const after = await firstTime(page);
    expect(after).not.toBe(before);
  } finally {
    // Back to the demo's zone for the other journeys.
    await open(page, `/shops/${SHOP}/settings`);
    await page.getByLabel('Time zone').selectOption('Europe/Tallinn');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  }
  expect(await firstTime(page)).toBe(before);

  const context = await browser.newContext();
  const info = await context.newPage();
  await signIn(info, DEMO.info);
  await open(info, `/shops/${SHOP}/transactions`);
  await expect(info.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await open(info, `/shops/${SHOP}/settings`);
  await expect(info.getByRole('heading', { name: 'No access' })).toBeVisible();
  await context.close();
});

/** Makes a payment link on the demo outlet; returns its address. */
async function makeLink(page: import('@playwright/test').Page, reference: string): Promise<string> {
  await open(page, `/shops/${SHOP}/payment-links`);
  await page.getByLabel('Amount (EUR)').fill('12.50');
  await page.getByLabel('Reference').fill(reference);
  await page.getByRole('button', { name: 'Make the link' }).click();
  const created = page.getByRole('region', { name: /Link ready/ });
  await expect(created).toBeVisible();
  return created.getByRole('textbox', { name: 'Payment link' }).inputValue();
}

// The admin switches Maestro off and the payment page no longer offers it; on again, it is
// back. A method not active shows how to ask for it.
test('the admin switches a payment method off and it is gone from the payment page', async ({ page, browser }) => {
  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}/settings`);
  const cards = page.getByRole('table', { name: 'Cards' });
  const maestro = cards.locator('tr[data-method="maestro"]');
  await expect(maestro).toHaveAttribute('data-state', 'active');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  await maestro.getByRole('button', { name: 'Switch Maestro off' }).click();
  await expect(maestro).toHaveAttribute('data-state', 'off');
  await expect(maestro.getByText('Switched off')).toBeVisible();
  try {
    const url = await makeLink(page, `METHODS-${Date.now()}`);
    const buyer = await (await browser.newContext()).newPage();
    await buyer.goto(url);
    await expect(buyer.locator('button[value="visa"]')).toBeVisible();
    await expect(buyer.locator('button[value="maestro"]')).toHaveCount(0);
    await buyer.context().close();
  } finally {
    await open(page, `/shops/${SHOP}/settings`);
    await page.getByRole('table', { name: 'Cards' }).getByRole('button', { name: 'Switch Maestro on' }).click();
    await expect(page.getByRole('table', { name: 'Cards' }).locator('tr[data-method="maestro"]')).toHaveAttribute('data-state', 'active');
  }
});

// The admin regenerates the test secret, copies it, and never sees it again after a reload.
test('the admin regenerates the test secret, copies it and it is never shown again', async ({ page }) => {
  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}/settings`);
  const test_keys = page.getByRole('region', { name: 'Test mode' });
  const make = test_keys.getByRole('button', { name: 'Make the test secret' });
  if ((await make.count()) > 0) {
    // A fresh demo has none yet: make one, and start again from a clean page so the banner
    // read below is the regenerated secret's.
    await make.click();
    await expect(page.getByRole('status').filter({ hasText: 'Copy it now' })).toBeVisible();
    await page.reload();
    await waitForHydration(page);
  }
  await expect(test_keys.getByLabel('Publishable key')).toHaveValue(/^pk_test_/);
  await test_keys.getByLabel('The old secret keeps working').selectOption('1h');
  await test_keys.getByRole('button', { name: 'Regenerate the test secret' }).click();
  const fresh = page.getByRole('status').filter({ hasText: 'Copy it now' });
  await expect(fresh).toBeVisible();
  const secret = await fresh.getByLabel('New test secret key').inputValue();
  expect(secret).toMatch(/^sk_test_[A-Za-z0-9_-]{43}$/);
  await expect(fresh.getByText(/The old secret keeps working until/)).toBeVisible();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await fresh.getByRole('button', { name: 'Copy the secret' }).click();
  await expect(fresh.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expect(test_keys.getByText(`sk_test_…${secret.slice(-4)}`)).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  await page.reload();
  await expect(page.getByRole('region', { name: 'Test mode' }).getByText(`sk_test_…${secret.slice(-4)}`)).toBeVisible();
  expect(await page.content()).not.toContain(secret);
});
