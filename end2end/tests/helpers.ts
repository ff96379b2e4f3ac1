import { expect, type Browser, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

/** Where serve.sh keeps the test server's data; mails are `.eml` files in `mail/`. */
export const DATA_DIR = path.resolve(__dirname, '..', '..', 'target', 'e2e');
export const MAIL_DIR = path.join(DATA_DIR, 'mail');

export const SHOP = 'demo-store';
export const SHOP_NAME = 'Demo Store';
export const MERCHANT = 'Demo Merchant OÜ';

export type Login = { email: string; password: string; role: string; name: string };

/** The demo logins that `portal demo` creates (see app/src/server/operator.rs). */
export const DEMO = {
  admin: { email: 'admin@demo.example', password: 'demo-admin-password', role: 'Admin', name: 'Anna Admin' },
  refunds: {
    email: 'refunds@demo.example',
    password: 'demo-refunds-password',
    role: 'User (info & refunds)',
    name: 'Rein Refunds',
  },
  info: {
    email: 'info@demo.example',
    password: 'demo-info-password',
    role: 'User (info only)',
    name: 'Inga Info',
  },
} satisfies Record<string, Login>;

/**
 * Waits until the app has hydrated after a full page load: before that, clicks reach
 * server-rendered HTML without its event handlers.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
}

/** Opens a path with a full page load and waits for hydration. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
}

/** An address no earlier run or test has used, so tests do not depend on each other. */
export function uniqueEmail(prefix: string): string {
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return `${prefix}-${stamp}@e2e.example`;
}

/** The demo merchant's shops, by slug. */
export const DEMO_SHOPS: Record<string, string> = { 'demo-store': 'Demo Store', 'demo-outlet': 'Demo Outlet' };

/**
 * Signs in on /login and waits for the shop the app sends the user to (the first of the
 * user's shops; `shop` if given), hydrated. Returns that shop's slug.
 */
export async function signIn(
  page: Page,
  login: { email: string; password: string },
  shop?: string,
): Promise<string> {
  await open(page, '/login');
  await page.getByLabel('E-mail').fill(login.email);
  await page.getByLabel('Password', { exact: true }).fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const landing = new RegExp(`/shops/(${shop ?? '[a-z0-9-]+'})$`);
  await expect(page).toHaveURL(landing);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  // Signing in ends in a full page load (a redirect), so the new page hydrates again.
  await waitForHydration(page);
  return landing.exec(new URL(page.url()).pathname)![1];
}

/** The header's "name · role" line. */
export function whoLine(page: Page) {
  return page.locator('header.top .who span').first();
}

// ---------------------------------------------------------------------------------------
// Mail files

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** Splits a MIME entity into its (unfolded) headers and its body. */
function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const sep = raw.search(/\r?\n\r?\n/);
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const body = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body };
}

export type Mail = { file: string; to: string; subject: string; parts: { type: string; text: string; name?: string }[] };

/** Parses an .eml file as lettre writes it: one part, or a multipart of decoded parts. */
export function parseMail(file: string): Mail {
  const raw = fs.readFileSync(file, 'utf8');
  const { headers, body } = splitEntity(raw);
  const parts: Mail['parts'] = [];
  const walk = (h: Map<string, string>, b: string) => {
    const type = h.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      const chunks = b.split(`--${boundary}`).slice(1);
      for (const chunk of chunks) {
        if (chunk.startsWith('--')) break;
        const sub = splitEntity(chunk.replace(/^\r?\n/, ''));
        walk(sub.headers, sub.body);
      }
    } else {
      const name = /filename="?([^";]+)"?/i.exec(h.get('content-disposition') ?? '')?.[1];
      parts.push({ type: type.split(';')[0].toLowerCase(), text: decodeBody(b, h.get('content-transfer-encoding')), name });
    }
  };
  walk(headers, body);
  return { file, to: headers.get('to') ?? '', subject: headers.get('subject') ?? '', parts };
}

/** How many mails to `address` have been written so far. */
export function mailCount(address: string): number {
  if (!fs.existsSync(MAIL_DIR)) return 0;
  return fs
    .readdirSync(MAIL_DIR)
    .filter((f) => f.endsWith('.eml'))
    .filter((f) => parseMail(path.join(MAIL_DIR, f)).to.toLowerCase().includes(address.toLowerCase())).length;
}

/** The newest mail to `address`, waiting for it to be written. */
export async function waitForMail(address: string, timeoutMs = 15_000): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        if (!fs.existsSync(MAIL_DIR)) return false;
        const files = fs
          .readdirSync(MAIL_DIR)
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .reverse();
        for (const f of files) {
          const mail = parseMail(path.join(MAIL_DIR, f));
          if (mail.to.toLowerCase().includes(address.toLowerCase())) {
            found = mail;
            return true;
          }
        }
        return false;
      },
      { message: `a mail to ${address} in ${MAIL_DIR}`, timeout: timeoutMs },
    )
    .toBe(true);
  return found!;
}

/** The invitation link in a mail; the text and the HTML part must carry the same one. */
export function inviteLink(mail: Mail): string {
  const re = /https?:\/\/[^\s"<>]+\/invite\/[A-Za-z0-9_-]+/;
  const text = mail.parts.find((p) => p.type === 'text/plain');
  const html = mail.parts.find((p) => p.type === 'text/html');
  expect(text, `a text/plain part in ${mail.file}`).toBeTruthy();
  expect(html, `a text/html part in ${mail.file}`).toBeTruthy();
  const fromText = re.exec(text!.text)?.[0];
  const fromHtml = re.exec(html!.text)?.[0];
  expect(fromText, `an invite link in the text part of ${mail.file}`).toBeTruthy();
  expect(fromHtml, 'the same link in the HTML part').toBe(fromText);
  return fromText!;
}

// ---------------------------------------------------------------------------------------
// Journeys used by several tests

/** On the users page (signed in as an admin): invites `email` with a role label. */
export async function invite(page: Page, email: string, name: string, roleLabel: string): Promise<void> {
  const form = page.locator('form.grid-form');
  await form.getByLabel('E-mail').fill(email);
  await form.getByLabel('Name (optional)').fill(name);
  await form.getByLabel('Role').selectOption({ label: roleLabel });
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}.` })).toBeVisible();
  // The table reloads with the new user, still without a password.
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toBeVisible();
  await expect(row.locator('td[data-label="Status"] .badge')).toHaveText('Invited');
}

/**
 * Accepts the invitation mailed to `email` in a fresh browser context (no cookies of the
 * inviting admin), choosing a name and a password, and returns that context's page on the
 * sign-in page it lands on.
 */
export async function acceptInvite(
  browser: Browser,
  email: string,
  name: string,
  password: string,
): Promise<Page> {
  const link = inviteLink(await waitForMail(email));
  expect(link.startsWith('http://127.0.0.1:3100/invite/')).toBe(true);
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, link);
  await expect(page.getByRole('heading', { name: 'Accept your invitation' })).toBeVisible();
  await expect(page.getByText(`You are setting up the account ${email}.`)).toBeVisible();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password again').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page).toHaveURL(/\/login\?done=invite&email=/);
  await waitForHydration(page);
  await expect(page.getByRole('status')).toHaveText('Your password is set. Sign in to open your shop.');
  return page;
}

/** Invites a new user as the demo admin (in its own context) and accepts the invitation. */
export async function createUser(
  browser: Browser,
  roleLabel: string,
  prefix: string,
): Promise<{ email: string; password: string; name: string }> {
  const email = uniqueEmail(prefix);
  const name = `E2E ${prefix} ${Math.floor(Math.random() * 1e4)}`;
  const password = `correct horse ${Math.random().toString(36).slice(2, 8)} staple`;
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin);
  await open(admin, `/shops/${SHOP}/users`);
  await invite(admin, email, name, roleLabel);
  await adminContext.close();
  const page = await acceptInvite(browser, email, name, password);
  await page.context().close();
  return { email, password, name };
}

/**
 * The files of a ZIP (an XLSX is one too) by name, read through its central directory;
 * stored and deflated entries, as the portal writes them.
 */
export function unzip(data: Buffer): Record<string, Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as typeof import('node:zlib');
  let end = data.length - 22;
  while (end >= 0 && data.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a ZIP');
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    const method = data.readUInt16LE(at + 10);
    const size = data.readUInt32LE(at + 20);
    const nameLen = data.readUInt16LE(at + 28);
    const extraLen = data.readUInt16LE(at + 30);
    const commentLen = data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    const name = data.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const raw = data.subarray(start, start + size);
    files[name] = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}
