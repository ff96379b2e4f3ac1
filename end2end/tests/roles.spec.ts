import { expect, test } from '@playwright/test';
import { DEMO, MERCHANT, SHOP, SHOP_NAME, open, signIn, whoLine, type Login } from './helpers';

// Each role signs in and sees exactly the navigation its rights allow, and its role in the
// header.
const cases: { login: Login; nav: string[] }[] = [
  { login: DEMO.admin, nav: ['Overview', 'Users', 'Audit log', 'My account'] },
  { login: DEMO.refunds, nav: ['Overview', 'My account'] },
  { login: DEMO.info, nav: ['Overview', 'My account'] },
];

for (const { login, nav } of cases) {
  test(`${login.role} signs in and sees exactly its navigation`, async ({ page }) => {
    await signIn(page, login);

    const header = page.locator('header.top');
    await expect(header.locator('.merchant')).toHaveText(MERCHANT);
    await expect(header.locator('.shop-name')).toHaveText(SHOP_NAME);
    await expect(whoLine(page)).toHaveText(`${login.name} · ${login.role}`);
    await expect(header.getByRole('button', { name: 'Sign out' })).toBeVisible();

    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    await expect(links).toHaveText(nav);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' })).toHaveAttribute(
      'aria-current',
      'page',
    );

    // The overview states the role in words as well.
    await expect(page.getByRole('heading', { level: 1, name: SHOP_NAME })).toBeVisible();
    await expect(page.locator('main')).toContainText(`${login.role} of this shop of ${MERCHANT}.`);

    // The other demo shop is one click away in the switcher.
    await page.locator('details.switcher summary').click();
    await expect(page.locator('details.switcher').getByRole('link', { name: /Demo Outlet/ })).toBeVisible();
  });
}

test('admin pages are reachable by client-side navigation for an admin', async ({ page }) => {
  await signIn(page, DEMO.admin);
  const nav = page.getByRole('navigation', { name: 'Main' });

  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}/users$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: DEMO.admin.email })).toContainText(`${DEMO.admin.name} (you)`);

  await nav.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(new RegExp(`/shops/${SHOP}/audit$`));
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
      await expect(page.getByRole('table')).toHaveCount(0);
    }
  });
}
