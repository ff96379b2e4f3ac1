import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import { DEMO, SHOP, mailCount, open, signIn, waitForMail } from './helpers';

// The accountant files last month's fee invoice: the billing page shows the price list
// written out and the invoice, the PDF downloads, and a line leads to the statement
// movements it sums. The admin sends the invoice again and the mail carries the PDF.
test("the accountant downloads last month's invoice and follows a line to its movements", async ({ page }) => {
  await signIn(page, DEMO.info, SHOP);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Billing' })).toBeVisible();
  await expect(page.getByTestId('price-list')).toContainText('Standard price list');
  await expect(page.getByTestId('fee-rules')).toContainText('Cards: 2.5 % + 0.30 EUR, VAT 20 %, deducted per payment');
  await expect(page.getByTestId('monthly-rules')).toContainText('Account fee: 10.00 EUR + VAT 20 %');

  const invoice = page.getByTestId('invoice').first();
  await expect(invoice).toBeVisible();
  const number = (await invoice.getAttribute('data-number'))!;
  expect(number).toMatch(/^\d{4}-\d{6}$/);
  // The accountant may not send it: that is the admin's.
  await expect(invoice.getByRole('button', { name: /again/ })).toHaveCount(0);

  const [d] = await Promise.all([
    page.waitForEvent('download'),
    invoice.getByRole('link', { name: `Download PDF (${number})` }).click(),
  ]);
  expect(d.suggestedFilename()).toBe(`invoice-${number}.pdf`);
  const pdf = fs.readFileSync((await d.path())!);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  // A line of the invoice leads to the statement, filtered to its movements.
  await invoice.locator('summary').click();
  const line = invoice.locator('table.fee-lines tbody tr').first();
  const entries = parseInt(await line.locator('td[data-label="Entries"]').innerText(), 10);
  expect(entries).toBeGreaterThan(0);
  await line.getByRole('link').click();
  await expect(page).toHaveURL(/\/statement\?period=month&month=\d{4}-\d{2}&kind=[A-Z_]+/);
  await expect(page.getByRole('heading', { level: 1, name: /statement/i })).toBeVisible();
  await expect(page.locator('table tbody tr').first()).toBeVisible();
});

test('the admin sends an invoice again and the mail arrives with its PDF', async ({ page }) => {
  await signIn(page, DEMO.admin, SHOP);
  await open(page, `/shops/${SHOP}/billing`);
  const invoice = page.getByTestId('invoice').first();
  const number = (await invoice.getAttribute('data-number'))!;
  const to = `accounts@${SHOP}.example`;
  const before = mailCount(to);
  await invoice.getByRole('button', { name: `Send ${number} again` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Queued for ${to}` })).toBeVisible();
  await expect.poll(() => mailCount(to), { timeout: 15_000 }).toBeGreaterThan(before);
  const mail = await waitForMail(to);
  expect(mail.subject).toContain(number);
  const file = mail.parts.find((p) => p.type === 'application/pdf');
  expect(file?.name).toBe(`invoice-${number}.pdf`);
  expect(file!.text.startsWith('%PDF-')).toBe(true);
  // Once the mail is out, the status says so.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('invoice').first().getByTestId('invoice-status')).toContainText(`Sent `);
  }).toPass({ timeout: 15_000 });
});
