import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DEMO, open, signIn } from './helpers';

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
