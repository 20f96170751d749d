// tokens.test.mjs - a person in a real browser sees her API tokens on her
// profile (label, dates, last use), and revokes one: the button asks first
// (the form's data-confirm); declining changes nothing, accepting removes it
// from the list at once, and the token no longer opens the API.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { launch, newPage, login, screenshot, BASE } from './lib.mjs';

const BIN = process.env.JOUDA_BIN || './jouda';
const DB_URL = process.env.JOUDA_DB_URL || 'var/jouda.db';
const PASSWORD = 'Browser-tokens-2026';

function jouda(args, env = {}) {
  return execFileSync(BIN, args, {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000, env: { ...process.env, ...env },
  });
}

async function apiStatus(token) {
  const res = await fetch(`${BASE}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

let browser;
const suffix = randomBytes(3).toString('hex');
const username = `jetons.${suffix}`;
const labels = { ci: `Intégration ${suffix}`, backup: `Sauvegarde ${suffix}` };
const tokens = {};

before(async () => {
  // a staff account of the director's EPS, with two tokens
  const list = jouda(['user', 'list', '--db', DB_URL]);
  const eps = list.split('\n').find((l) => l.includes('\tdirectrice.casa@amal.ma\t'))?.match(/director@(\d+)/)?.[1];
  assert.ok(eps, 'the EPS of the demo director');
  jouda(['user', 'add', '--db', DB_URL, '--username', username, '--name', 'Nadia Jetons', '--role', 'staff', '--node', eps],
    { JOUDA_USER_PASSWORD: PASSWORD });
  for (const [k, label] of Object.entries(labels)) {
    tokens[k] = jouda(['token', 'create', '--db', DB_URL, '--user', username, '--label', label, '--expires-days', '30']).trim();
  }
  assert.equal(await apiStatus(tokens.ci), 200, 'the token works');
  browser = await launch();
});
after(async () => { await browser?.close(); });

describe('my API tokens on my profile', () => {
  let page;
  let context;
  before(async () => {
    ({ page, context } = await newPage(browser));
    await login(page, username, PASSWORD);
  });
  after(async () => { await context?.close(); });

  test('the profile lists them with their dates, never the token itself', async () => {
    await page.goto('/profile?lang=fr');
    const table = page.locator('#tokens');
    await table.waitFor();
    const text = await table.textContent();
    assert.ok(text.includes(labels.ci) && text.includes(labels.backup), text);
    assert.equal(await table.locator('tbody tr').count(), 2);
    const row = table.locator('tbody tr', { hasText: labels.ci });
    // created today, expires in 30 days (dd/mm/yyyy), used once (by the check above)
    assert.match(await row.locator('td').nth(1).textContent(), /^\d{2}\/\d{2}\/\d{4}$/);
    assert.match(await row.locator('td').nth(2).textContent(), /^\d{2}\/\d{2}\/\d{4}$/);
    assert.match(await row.locator('td').nth(3).textContent(), /\d{2}\/\d{2}\/\d{4}/);
    const html = await page.content();
    assert.equal(html.includes(tokens.ci) || html.includes(tokens.backup), false, 'no token in the page');
    await screenshot(page, 'profile-tokens-fr-1280');
    assert.deepEqual(page.problems, []);
  });

  test('"Revoke" asks first: declining changes nothing', async () => {
    const row = page.locator('#tokens tbody tr', { hasText: labels.ci });
    let asked = null;
    page.once('dialog', async (d) => { asked = d.message(); await d.dismiss(); });
    await row.locator('button[type="submit"]').click();
    await page.waitForTimeout(300);
    assert.ok(asked && /jeton/i.test(asked), `a question was asked: ${asked}`);
    assert.equal(new URL(page.url()).pathname, '/profile');
    assert.equal(await page.locator('#tokens tbody tr').count(), 2, 'still listed');
    assert.equal(await apiStatus(tokens.ci), 200, 'still working');
  });

  test('accepting revokes it: gone from the list, refused by the API', async () => {
    const row = page.locator('#tokens tbody tr', { hasText: labels.ci });
    page.once('dialog', (d) => d.accept());
    await Promise.all([page.waitForURL(/\/profile$/), row.locator('button[type="submit"]').click()]);
    await page.waitForSelector('.flash');
    assert.match(await page.textContent('.flash'), /révoqué/);
    const text = await page.locator('#tokens').textContent();
    assert.equal(text.includes(labels.ci), false, 'no longer listed');
    assert.ok(text.includes(labels.backup), 'the other one stays');
    assert.equal(await apiStatus(tokens.ci), 401, 'revoked');
    assert.equal(await apiStatus(tokens.backup), 200, 'the other one still works');
    assert.deepEqual(page.problems, []);
  });

  test('in Arabic, the section reads right to left', async () => {
    await page.goto('/profile?lang=ar');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.match(await page.textContent('#tokens-title'), /[\u0600-\u06FF]/);
    await screenshot(page, 'profile-tokens-ar-1280');
    await page.goto('/profile?lang=fr');
  });

  test('the last one revoked: the profile says there is none', async () => {
    const row = page.locator('#tokens tbody tr', { hasText: labels.backup });
    page.once('dialog', (d) => d.accept());
    await Promise.all([page.waitForURL(/\/profile$/), row.locator('button[type="submit"]').click()]);
    assert.equal(await page.locator('#tokens').count(), 0);
    assert.match(await page.textContent('main'), /aucun jeton/i);
    assert.equal(await apiStatus(tokens.backup), 401);
  });
});

describe('without JavaScript', () => {
  test('the server asks on its own page, then revokes', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, locale: 'fr-FR' });
    const page = await context.newPage();
    const label = `Sans script ${suffix}`;
    const token = jouda(['token', 'create', '--db', DB_URL, '--user', username, '--label', label]).trim();
    await login(page, username, PASSWORD);
    await page.goto('/profile?lang=fr');
    await Promise.all([page.waitForLoadState('load'),
      page.locator('#tokens tbody tr', { hasText: label }).locator('button[type="submit"]').click()]);
    assert.match(new URL(page.url()).pathname, /^\/profile\/tokens\/\d+\/revoke$/, 'the confirmation page');
    assert.ok((await page.textContent('main')).includes(label), 'it names the token');
    assert.equal(await apiStatus(token), 200, 'nothing changed yet');
    await Promise.all([page.waitForURL(/\/profile$/), page.click('main form button.btn--danger')]);
    assert.equal(await apiStatus(token), 401, 'revoked');
    await context.close();
  });
});
