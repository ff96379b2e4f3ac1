import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import {
  DATA_DIR,
  DEMO,
  MERCHANT,
  SHOP,
  SHOP_NAME,
  acceptInvite,
  invite,
  inviteLink,
  open,
  signIn,
  uniqueEmail,
  waitForHydration,
  waitForMail,
  whoLine,
} from './helpers';

test('admin invites a user who sets a password from the mail and signs in', async ({ page, browser }) => {
  const email = uniqueEmail('invitee');
  const name = 'Ivo Invitee';
  const password = 'a long enough passphrase';
  const role = 'User (info & refunds)';

  // The admin sends the invitation.
  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await invite(page, email, '', role);

  // The mail names the shop and carries the link in both parts.
  const mail = await waitForMail(email);
  expect(mail.subject).toContain(SHOP_NAME);
  const link = inviteLink(mail);
  expect(mail.parts.find((p) => p.type === 'text/plain')!.text).toContain(MERCHANT);

  // The invited person opens it in their own browser and chooses a name and a password.
  const invitee = await acceptInvite(browser, email, name, password);
  try {
    // The sign-in page has the address filled in; the password from the invitation works.
    await expect(invitee.getByLabel('E-mail')).toHaveValue(email);
    await invitee.getByLabel('Password', { exact: true }).fill(password);
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await expect(invitee).toHaveURL(new RegExp(`/shops/${SHOP}$`));
    await waitForHydration(invitee);
    await expect(whoLine(invitee)).toHaveText(`${name} · ${role}`);
    await expect(invitee.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText([
      'Overview',
      'Transactions',
      'Payment links',
      'Statement',
      'Payouts',
      'Billing',
      'My account',
    ]);

    // The link works once.
    await open(invitee, link);
    await expect(invitee.getByRole('alert')).toHaveText(
      'This invitation has expired or was already used. Ask the shop\'s admin to invite you again.',
    );
  } finally {
    await invitee.context().close();
  }

  // The admin's list shows the new user as active, with the chosen name.
  await open(page, `/shops/${SHOP}/users`);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText(name);
  await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Active');
  await expect(row.getByLabel(`Role of ${email}`, { exact: true })).toHaveValue('info_refunds');
});

test('a password shorter than 12 characters is refused on the invitation page', async ({ page, browser }) => {
  const email = uniqueEmail('short');
  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}/users`);
  await invite(page, email, 'Sam Short', 'User (info only)');

  const link = inviteLink(await waitForMail(email));
  const context = await browser.newContext();
  const invitee = await context.newPage();
  try {
    await open(invitee, link);
    await expect(invitee.getByLabel('Your name')).toHaveValue('Sam Short');
    const password = invitee.getByLabel('Password', { exact: true });
    const again = invitee.getByLabel('Password again');
    await password.fill('too short');
    await again.fill('too short');
    await invitee.getByRole('button', { name: 'Set password' }).click();

    // The browser already refuses it (minlength) and nothing is sent.
    expect(await password.evaluate((el: HTMLInputElement) => el.validity.tooShort)).toBe(true);
    await expect(invitee).toHaveURL(/\/invite\//);

    // Without the browser's check, the server refuses it and says why, next to the field.
    for (const field of [password, again]) {
      await field.evaluate((el: HTMLInputElement) => el.removeAttribute('minlength'));
    }
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await expect(password).toHaveAttribute('aria-invalid', 'true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).toContain('f-password-error');
    await expect(invitee.locator('#f-password-error')).toContainText('at least 12 characters');
    await expect(invitee).toHaveURL(/\/invite\//);

    // The invitation is still usable after the refusal.
    await open(invitee, link);
    await expect(invitee.getByRole('button', { name: 'Set password' })).toBeVisible();
  } finally {
    await context.close();
  }
});

test('an existing account is only invited: it gets access once its owner signs in and accepts', async ({
  page,
  browser,
}) => {
  // serve.sh made this account as the admin of another merchant's shop; it chooses its
  // password first.
  const owner = { email: 'owner@thin.example', password: 'thin kiosk owner password' };
  const own = fs.readFileSync(path.join(DATA_DIR, 'thin-owner-invite.txt'), 'utf8').match(/https?:\/\/\S+/)![0];
  const context = await browser.newContext();
  const invitee = await context.newPage();
  await open(invitee, own);
  await invitee.getByLabel('Password', { exact: true }).fill(owner.password);
  await invitee.getByLabel('Password again').fill(owner.password);
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await expect(invitee).toHaveURL(/\/login\?done=invite/);

  await signIn(page, DEMO.admin);
  await open(page, `/shops/${SHOP}/users`);
  // The admin sees what any new invitation shows: "Invited", and the name they typed.
  await invite(page, owner.email, 'Guest Auditor', 'User (info only)');
  const row = page.getByRole('row').filter({ hasText: owner.email });
  await expect(row).toContainText('Guest Auditor');
  await expect(row).not.toContainText('Toomas Owner');
  await expect(row.locator('td[data-label="Two-factor"]')).toHaveText('Off');
  await expect(row.locator('td[data-label="Last active here"]')).toHaveText('Never');

  const link = inviteLink(await waitForMail(owner.email));
  try {
    // Before accepting, the demo shop stays closed to the owner.
    await signIn(invitee, owner, 'thin-kiosk');
    await expect(invitee.getByRole('navigation', { name: 'Main' })).not.toContainText(SHOP_NAME);
    const closed = await invitee.goto(`/shops/${SHOP}`);
    expect(closed?.status()).toBe(404);
    await context.clearCookies();

    // Opened signed out, the link asks to sign in and comes back after it.
    await open(invitee, link);
    await expect(invitee.getByRole('heading', { name: 'Accept your invitation' })).toBeVisible();
    await expect(invitee.getByText(MERCHANT)).toHaveCount(0);
    await invitee.getByRole('link', { name: 'Sign in to answer' }).click();
    await expect(invitee.getByLabel('E-mail')).toHaveValue(owner.email);
    await invitee.getByLabel('Password', { exact: true }).fill(owner.password);
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await expect(invitee).toHaveURL(link);
    await waitForHydration(invitee);

    // Signed in as the account: who invites, to what, as what; accepting opens the shop.
    await expect(invitee.getByText(`${MERCHANT} invites you to:`)).toBeVisible();
    await expect(invitee.getByRole('listitem')).toHaveText(`the shop ${SHOP_NAME} as User (info only)`);
    await invitee.getByRole('button', { name: 'Accept' }).click();
    await expect(invitee).toHaveURL(new RegExp(`/shops/${SHOP}$`));
    await waitForHydration(invitee);
    await expect(whoLine(invitee)).toHaveText('Toomas Owner · User (info only)');
  } finally {
    await context.close();
  }

  // Now the admin sees the account as it is.
  await open(page, `/shops/${SHOP}/users`);
  await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Active');
  await expect(row).toContainText('Toomas Owner');
});
