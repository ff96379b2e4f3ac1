import { expect, test } from '@playwright/test';
import { DEMO, DEMO_SHOPS, MERCHANT, SHOP, open, signIn, waitForHydration, whoLine, type Login } from './helpers';
import type { Page } from '@playwright/test';

// Each role signs in and sees exactly the navigation its rights allow, and its role in the
// header.
const cases: { login: Login; nav: string[] }[] = [
  { login: DEMO.admin, nav: ['Overview', 'Transactions', 'Payment links', 'Statement', 'Payouts', 'Billing', 'Users', 'Audit log', 'Settings', 'My account'] },
  { login: DEMO.refunds, nav: ['Overview', 'Transactions', 'Payment links', 'Statement', 'Payouts', 'Billing', 'My account'] },
  { login: DEMO.info, nav: ['Overview', 'Transactions', 'Payment links', 'Statement', 'Payouts', 'Billing', 'My account'] },
];

/** The shop frame as `login` must see it in the shop `slug`. */
async function expectFrame(page: Page, login: Login, nav: string[], slug: string) {
  const header = page.locator('header.top');
  await expect(header.locator('.merchant')).toHaveText(MERCHANT);
  await expect(header.locator('.shop-name')).toHaveText(DEMO_SHOPS[slug]);
  await expect(whoLine(page)).toHaveText(`${login.name} · ${login.role}`);
  await expect(header.getByRole('button', { name: 'Sign out' })).toBeVisible();

  const main = page.getByRole('navigation', { name: 'Main' });
  await expect(main.getByRole('link')).toHaveText(nav);
  await expect(main.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');

  // The overview states the role in words as well.
  await expect(page.getByRole('heading', { level: 1, name: DEMO_SHOPS[slug] })).toBeVisible();
  await expect(page.locator('main')).toContainText(`${login.role} of this shop of ${MERCHANT}.`);
}

for (const { login, nav } of cases) {
  test(`${login.role} signs in and sees exactly its navigation`, async ({ page }) => {
    const first = await signIn(page, login);
    expect(Object.keys(DEMO_SHOPS)).toContain(first);
    await expectFrame(page, login, nav, first);

    // The other demo shop is in the switcher, with the same role and navigation.
    const other = Object.keys(DEMO_SHOPS).find((s) => s !== first)!;
    await page.locator('details.switcher summary').click();
    const link = page.locator('details.switcher').getByRole('link', { name: new RegExp(DEMO_SHOPS[other]) });
    await expect(link).toContainText(login.role);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/shops/${other}$`));
    await waitForHydration(page);
    await expectFrame(page, login, nav, other);
  });
}

test('admin pages are reachable by client-side navigation for an admin', async ({ page }) => {
  const shop = await signIn(page, DEMO.admin);
  const nav = page.getByRole('navigation', { name: 'Main' });

  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(new RegExp(`/shops/${shop}/users$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: DEMO.admin.email })).toContainText(`${DEMO.admin.name} (you)`);

  await nav.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(new RegExp(`/shops/${shop}/audit$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();

  await nav.getByRole('link', { name: 'My account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
  await expect(page.locator('main')).toContainText(`You sign in as ${DEMO.admin.email}.`);
});

for (const login of [DEMO.refunds, DEMO.info]) {
  test(`${login.role} gets no access to the admin pages by URL`, async ({ page }) => {
    await signIn(page, login);
    for (const [path, heading] of [
      ['users', 'Users'],
      ['audit', 'Audit log'],
    ]) {
      await open(page, `/shops/${SHOP}/${path}`);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'No access' })).toBeVisible();
      await expect(page.getByText(`Ask the shop's admin: Anna Admin (${DEMO.admin.email}).`)).toBeVisible();
      await expect(page.getByRole('table')).toHaveCount(0);
      await expect(page.locator('main form')).toHaveCount(0);
    }
  });
}
