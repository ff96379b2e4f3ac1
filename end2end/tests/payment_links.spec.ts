import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO, SHOP, SHOP_NAME, open, signIn, uniqueEmail, waitForHydration, waitForMail } from './helpers';

const LANGS = ['et', 'lv', 'lt', 'en', 'ru'] as const;

/** A language file of the payment page, as the translators edit it. */
function texts(lang: string): Record<string, string> {
  const file = path.resolve(__dirname, '..', '..', 'app', 'locales', `${lang}.ftl`);
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function fill(text: string, args: Record<string, string>): string {
  return Object.entries(args).reduce((s, [k, v]) => s.replace(`{ $${k} }`, v), text);
}

async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => ({
    rule: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), why: n.failureSummary })),
  }));
  expect(summary, `${what}: ${JSON.stringify(summary, null, 2)}`).toEqual([]);
}

/** Makes a link over the server function, as the signed-in page would. Returns its address. */
async function makeLink(page: Page, reference: string, extra: Record<string, string> = {}): Promise<string> {
  const form: Record<string, string> = { shop: SHOP, 'link[amount]': '25.00', 'link[reference]': reference };
  for (const [k, v] of Object.entries(extra)) form[`link[${k}]`] = v;
  const r = await page.request.post('/api/create_payment_link', { form, headers: { Accept: 'application/json' } });
  expect(r.status()).toBe(200);
  return (await r.json()).url as string;
}

test('a link from invoice to payment, refund and the info-only view', async ({ page, browser }) => {
  const reference = `E2E ${Date.now().toString(36)}`;
  const buyer = uniqueEmail('buyer');

  // The admin makes a link and sends it as an invoice.
  await signIn(page, DEMO.admin, SHOP);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payment links' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payment links' })).toBeVisible();
  await page.getByLabel('Amount (EUR)').fill('49,905');
  await page.getByLabel('Reference').fill(reference);
  await page.getByRole('button', { name: 'Make the link' }).click();
  await expect(page.locator('#f-link\\[amount\\]-error')).toContainText('two decimals');
  // A decimal comma and a thousands space are read as people write them.
  await page.getByLabel('Amount (EUR)').fill('49,90');
  await page.getByLabel('Description for the buyer (optional)').fill('Winter tyres');
  await page.getByLabel("Buyer's e-mail (optional)").fill(buyer);
  await page.getByRole('button', { name: 'Make the link' }).click();
  const created = page.getByRole('region', { name: /Link ready/ });
  await expect(created).toBeVisible();
  await expect(created.getByRole('img', { name: 'QR code of the payment link' }).locator('svg')).toBeVisible();
  const url = await created.getByRole('textbox', { name: 'Payment link' }).inputValue();
  expect(url).toMatch(/\/pay\/[A-Za-z0-9_-]{43}$/);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await created.getByRole('button', { name: 'Copy link' }).click();
  await expect(created.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await expect(created.getByLabel("Buyer's e-mail")).toHaveValue(buyer);
  await created.getByRole('button', { name: 'Send the invoice' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invoice sent to ${buyer}.` })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: reference }).locator('td[data-label="Status"] .status')).toHaveText('Active');

  // The buyer reads the invoice (Estonian, the shop's language) and opens the link in a
  // browser of their own, with JavaScript off: the page works before hydration.
  const et = texts('et');
  const mail = await waitForMail(buyer);
  const text = mail.parts.find((p) => p.type === 'text/plain')!.text;
  const html = mail.parts.find((p) => p.type === 'text/html')!.text;
  expect(text).toContain(reference);
  expect(text).toContain('49,90');
  expect(text).toContain(et['invoice-button']);
  const link = /https?:\/\/\S+\/pay\/[A-Za-z0-9_-]+\?lang=et/.exec(text)![0];
  expect(html).toContain(link);

  const buyerContext = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const buyerPage = await buyerContext.newPage();
  await buyerPage.goto(link);
  await expect(buyerPage.getByRole('heading', { level: 1 })).toHaveText(fill(et['pay-heading'], { merchant: SHOP_NAME }));
  await buyerPage.getByRole('link', { name: 'Latviešu' }).click();
  const lv = texts('lv');
  await expect(buyerPage.getByRole('heading', { name: lv['pay-choose'] })).toBeVisible();
  await expect(buyerPage.locator('html')).toHaveAttribute('lang', 'lv');
  expect(await buyerPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  const latvia = buyerPage.getByRole('group', { name: new RegExp(lv['country-LV']) });
  await latvia.getByRole('button', { name: 'Swedbank' }).click();
  await expect(buyerPage).toHaveURL(/\/test-bank\//);
  await buyerPage.getByRole('button', { name: lv['bank-approve'] }).click();
  await expect(buyerPage.getByRole('heading', { name: lv['result-paid-title'] })).toBeVisible();
  await expect(buyerPage.getByText(fill(lv['result-receipt'], { email: buyer }))).toBeVisible();
  await buyerContext.close();

  // The merchant sees the payment with its fees and movements.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
  await page.getByLabel('Search').fill(reference);
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.locator('table.tx-table tbody tr').filter({ hasText: reference });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td[data-label="Status"]')).toHaveText('Paid');
  await expect(row.locator('td[data-label="Channel"]')).toHaveText('Swedbank');
  await expect(row.locator('td[data-label="Fees + VAT"]')).toHaveText(/[1-9]/);
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Payment ${reference}`) })).toBeVisible();
  const types = page.locator('td[data-label="Type"]');
  await expect(page.getByTestId('origin')).toHaveText('Payment link, paid on the page in Latviešu');
  await expect(types.first()).toHaveText('INCOME');
  await expect(types.filter({ hasText: /FEE/ }).first()).toBeVisible();
  await expect(types.filter({ hasText: 'VAT' }).first()).toBeVisible();
  const detail = page.url();

  // A staff user refunds part of it.
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  await signIn(staff, DEMO.refunds, SHOP);
  await open(staff, detail);
  await staff.getByLabel('Amount (EUR)').fill('10.00');
  await staff.getByRole('button', { name: 'Preview refund' }).click();
  await staff.getByRole('region', { name: 'Refund preview' }).getByRole('button', { name: 'Confirm refund' }).click();
  await expect(staff.getByRole('status').filter({ hasText: 'Refunded 10.00' })).toBeVisible();
  await expect(staff.locator('h1 .status')).toHaveText('Partly refunded');
  await staffContext.close();

  // An info-only user sees it, and no refund button.
  const infoContext = await browser.newContext();
  const info = await infoContext.newPage();
  await signIn(info, DEMO.info, SHOP);
  await open(info, detail);
  await expect(info.locator('h1 .status')).toHaveText('Partly refunded');
  await expect(info.getByRole('button', { name: 'Preview refund' })).toHaveCount(0);
  await open(info, `/shops/${SHOP}/payment-links?q=${encodeURIComponent(reference)}`);
  const linkRow = info.getByRole('row').filter({ hasText: reference });
  await expect(linkRow.locator('td[data-label="Status"] .status')).toHaveText('Paid');
  await expect(info.getByRole('button', { name: 'Make the link' })).toHaveCount(0);
  // From the link to its payments.
  await linkRow.getByRole('link', { name: `Payments of link ${reference}` }).click();
  await expect(info.getByTestId('link-note')).toContainText(`Payments through the payment link ${reference}`);
  const paidRows = info.locator('table.tx-table tbody tr');
  await expect(paidRows).toHaveCount(1);
  await expect(paidRows.first().locator('td[data-label="Status"]')).toHaveText('Partly refunded');
  await info.getByTestId('link-note').getByRole('link', { name: 'Show all transactions' }).click();
  await expect(info.getByTestId('link-note')).toHaveCount(0);
  await infoContext.close();
});

test('a cancelled bank payment can be retried with a card and 3-D Secure', async ({ page, browser }) => {
  await signIn(page, DEMO.admin, SHOP);
  const url = await makeLink(page, `Retry ${Date.now().toString(36)}`, { language: 'en' });
  const context = await browser.newContext();
  const buyer = await context.newPage();
  const errors: string[] = [];
  buyer.on('pageerror', (e) => errors.push(e.message));
  buyer.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const en = texts('en');
  await buyer.goto(url);
  // The page hydrates cleanly (it works before that too: see the journey above).
  await waitForHydration(buyer);
  await buyer.getByRole('group', { name: /Estonia/ }).getByRole('button', { name: 'SEB' }).click();
  await buyer.getByRole('button', { name: en['bank-cancel'] }).click();
  await expect(buyer.getByRole('heading', { name: en['result-failed-title'] })).toBeVisible();
  await buyer.getByRole('group', { name: en['pay-cards'] }).getByRole('button', { name: 'Visa' }).click();
  await expect(buyer.getByLabel(en['card-number'])).toHaveValue('4111 1111 1111 1111');
  await buyer.getByRole('button', { name: en['card-continue'] }).click();
  const code = /(\d{6})\.?$/.exec((await buyer.locator('main p').filter({ hasText: 'code' }).first().textContent())!.trim())![1];
  await buyer.getByLabel(en['tds-code']).fill('999999' === code ? '000000' : '999999');
  await buyer.getByRole('button', { name: en['tds-confirm'] }).click();
  await expect(buyer.getByRole('alert')).toContainText(fill(en['tds-wrong-code'], { code }));
  await buyer.getByLabel(en['tds-code']).fill(code);
  await buyer.getByRole('button', { name: en['tds-confirm'] }).click();
  await expect(buyer.getByRole('heading', { name: en['result-paid-title'] })).toBeVisible();
  await buyer.goto(url);
  await expect(buyer.getByRole('heading', { level: 1 })).toHaveText(en['link-paid-title']);
  await waitForHydration(buyer);
  expect(errors).toEqual([]);
  await context.close();
});

test('the payment page has no accessibility violations in any language, on a phone', async ({ page, browser }) => {
  await signIn(page, DEMO.admin, SHOP);
  const url = await makeLink(page, `Axe ${Date.now().toString(36)}`, { description: 'Axe check' });
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const buyer = await context.newPage();
  for (const lang of LANGS) {
    await buyer.goto(`${url}?lang=${lang}`);
    await expect(buyer.getByRole('heading', { name: texts(lang)['pay-choose'] })).toBeVisible();
    expect(await buyer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expect(buyer.locator('html')).toHaveAttribute('lang', lang);
    await expectNoViolations(buyer, `payment page in ${lang}`);
  }
  // Switching language in the hydrated page changes the whole document's language.
  await open(buyer, `${url}?lang=ru`);
  await buyer.getByRole('link', { name: 'Eesti' }).click();
  await expect(buyer.getByRole('heading', { name: texts('et')['pay-choose'] })).toBeVisible();
  await expect(buyer.locator('html')).toHaveAttribute('lang', 'et');
  // The pages of links that cannot be paid, and the test bank.
  const r = await buyer.goto('/pay/no-such-link?lang=lt');
  expect(r!.status()).toBe(404);
  await expect(buyer.getByRole('heading', { level: 1 })).toHaveText(texts('lt')['link-unknown-title']);
  await expectNoViolations(buyer, 'unknown link');
  await buyer.goto(`${url}?lang=ru`);
  await buyer.getByRole('button', { name: 'Visa' }).click();
  await expect(buyer).toHaveURL(/\/test-bank\//);
  await expectNoViolations(buyer, 'test bank');
  await context.close();
});

test('the payment links page has no accessibility violations', async ({ page }) => {
  await signIn(page, DEMO.refunds, SHOP);
  await open(page, `/shops/${SHOP}/payment-links`);
  const reference = `Listed ${Date.now().toString(36)}`;
  await makeLink(page, reference);
  await open(page, `/shops/${SHOP}/payment-links`);
  await expect(page.getByRole('table')).toBeVisible();
  await expectNoViolations(page, 'payment links');

  // A link in the list can be sent (again) as an invoice.
  const buyer = uniqueEmail('listed');
  const row = page.getByRole('row').filter({ hasText: reference });
  await row.getByLabel(`Send link ${reference} as an invoice`).click();
  await row.getByLabel("Buyer's e-mail").fill(buyer);
  await row.getByRole('button', { name: 'Send the invoice' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invoice sent to ${buyer}.` })).toBeVisible();
  const mail = await waitForMail(buyer);
  expect(mail.parts.find((p) => p.type === 'text/plain')!.text).toContain(reference);
});

// The links page loads without a warning in the console (it once read the URL outside a
// reactive context on every load).
test('the links page loads without console warnings', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  await signIn(page, DEMO.admin, SHOP);
  await open(page, `/shops/${SHOP}/payment-links?status=active`);
  await expect(page.getByRole('heading', { level: 1, name: 'Payment links' })).toBeVisible();
  await expect(page.getByLabel('Status')).toHaveValue('active');
  expect(warnings).toEqual([]);
});
