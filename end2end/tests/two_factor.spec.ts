import { expect, test, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import { DEMO, SHOP, createUser, open, signIn, waitForHydration } from './helpers';

/** RFC 4648 base32 to bytes. */
function base32(secret: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code an authenticator app shows for `secret`, `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  const n = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

async function passwordStep(page: Page, login: { email: string; password: string }) {
  await open(page, '/login');
  await page.getByLabel('E-mail').fill(login.email);
  await page.getByLabel('Password', { exact: true }).fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\/code\?next=/);
  await expect(page.getByRole('heading', { level: 1, name: 'Enter your code' })).toBeVisible();
  await waitForHydration(page);
}

test('a user turns on two-factor sign-in, then signs in with a code and with a recovery code', async ({
  browser,
}) => {
  const user = await createUser(browser, 'User (info only)', 'twofa');
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, user, SHOP);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My account' }).click();
    await page.getByRole('link', { name: 'Manage two-factor sign-in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Two-factor sign-in' })).toBeVisible();
    await waitForHydration(page);
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    const secret = (await page.locator('code.secret').getAttribute('data-secret'))!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    // A wrong code is refused next to the field; the right one turns it on.
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await expect(page.getByText('This code does not match.')).toBeVisible();
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect(codes).toHaveCount(10);
    const recovery = (await codes.first().textContent())!.trim();
    expect(recovery).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    await expect(page.getByText('10 unused recovery code(s) left.')).toBeVisible();
    // Shown once: a reload no longer lists them.
    await open(page, '/account/two-factor');
    await expect(page.getByRole('list', { name: 'Recovery codes' })).toHaveCount(0);
    await context.clearCookies();

    // Sign in: password, then the code of the next step (the one used above is spent).
    await passwordStep(page, user);
    await page.getByLabel('Code').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('This code is not right.')).toBeVisible();
    await page.getByLabel('Code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}$`));
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await context.clearCookies();

    // A lost phone: a recovery code works once.
    await passwordStep(page, user);
    await page.getByLabel('Code').fill(recovery);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}$`));
    await open(page, '/account/two-factor');
    await expect(page.getByText('9 unused recovery code(s) left.')).toBeVisible();
  } finally {
    await context.close();
  }
});

test('the code step works before the page is interactive', async ({ browser }) => {
  const user = await createUser(browser, 'User (info only)', 'twofa-nojs');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    // Turn it on without JavaScript: the forms are plain posts that come back to the page.
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}$`));
    await page.goto('/account/two-factor');
    const secret = (await page.locator('code.secret').getAttribute('data-secret'))!;
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
    await context.clearCookies();
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/login\/code/);
    await page.getByLabel('Code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}$`));
  } finally {
    await context.close();
  }
  // The demo admin sees it in the users list.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin);
  await open(admin, `/shops/${SHOP}/users`);
  const row = admin.getByRole('row').filter({ hasText: user.email });
  await expect(row.getByText('On', { exact: true })).toBeVisible();
  await adminContext.close();
});
