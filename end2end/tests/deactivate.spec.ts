import { expect, test } from '@playwright/test';
import { DEMO, SHOP, createUser, open, signIn, whoLine } from './helpers';

test("a deactivated user's open page is thrown out on the next click", async ({ browser }) => {
  // A fresh user, so the demo users stay as they are for the other tests.
  const user = await createUser(browser, 'User (info only)', 'leaver');

  // Context A: the user is signed in and has the shop open.
  const contextA = await browser.newContext();
  const a = await contextA.newPage();
  // Context B: the admin.
  const contextB = await browser.newContext();
  const b = await contextB.newPage();
  try {
    await signIn(a, user, SHOP);
    await expect(a.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['Overview', 'Transactions', 'Payment links', 'Statement', 'Payouts', 'Billing', 'My account']);

    await signIn(b, DEMO.admin);
    await open(b, `/shops/${SHOP}/users`);
    const row = b.getByRole('row').filter({ hasText: user.email });
    await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Active');
    await row.locator('summary', { hasText: 'Deactivate…' }).click();
    await expect(row.getByText(`${user.name} loses access to every shop of`)).toBeVisible();
    await row.getByRole('button', { name: `Deactivate ${user.email}` }).click();
    await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Deactivated');
    await expect(row.getByRole('button', { name: `Reactivate ${user.email}` })).toBeVisible();

    // Back in A, the page still shows the shop; the next click ends on the sign-in page.
    await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My account' }).click();
    await expect(a).toHaveURL(/\/login\?next=(\/|%2F)account$/);
    await expect(a.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(a.getByRole('navigation', { name: 'Main' })).toHaveCount(0);

    // Signing in again is refused exactly like a wrong password (the right password is not
    // confirmed to whoever typed it).
    await open(a, '/login');
    await a.getByLabel('E-mail').fill(user.email);
    await a.getByLabel('Password', { exact: true }).fill(user.password);
    await a.getByRole('button', { name: 'Sign in' }).click();
    await expect(a.getByRole('alert')).toContainText('The e-mail or password is wrong.');
    await expect(a).toHaveURL(/\/login/);

    // The admin's action is in the audit log: who, whom, before and after.
    await open(b, `/shops/${SHOP}/audit?kind=deactivated`);
    await expect(b.getByLabel('Kind')).toHaveValue('deactivated');
    const event = b.getByRole('row').filter({ hasText: user.email });
    await expect(event).toHaveCount(1);
    await expect(event.getByRole('cell')).toHaveText([
      /\d/,
      'User deactivated',
      DEMO.admin.email,
      user.email,
      'Active',
      'Deactivated',
      /./,
    ]);
  } finally {
    await contextA.close();
    await contextB.close();
  }
});

test('an admin reactivates a user, who can then sign in again', async ({ browser }) => {
  const user = await createUser(browser, 'User (info & refunds)', 'returner');
  const context = await browser.newContext();
  const admin = await context.newPage();
  try {
    await signIn(admin, DEMO.admin);
    await open(admin, `/shops/${SHOP}/users`);
    const row = admin.getByRole('row').filter({ hasText: user.email });
    await row.locator('summary', { hasText: 'Deactivate…' }).click();
    await row.getByRole('button', { name: `Deactivate ${user.email}` }).click();
    await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Deactivated');
    await row.getByRole('button', { name: `Reactivate ${user.email}` }).click();
    await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Active');
    await expect(row.locator('summary', { hasText: 'Deactivate…' })).toBeVisible();
  } finally {
    await context.close();
  }
  const userContext = await browser.newContext();
  const page = await userContext.newPage();
  try {
    await signIn(page, user, SHOP);
    await expect(whoLine(page)).toHaveText(`${user.name} · User (info & refunds)`);
  } finally {
    await userContext.close();
  }
});
