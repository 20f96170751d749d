// workflow.test.mjs - a person in a real browser: signs in, finds her EPS on the
// home page, creates a unit through the form and sees it listed, switches to
// Arabic (right to left), and keeps a language chosen in her profile.
// Named to run after look.test.mjs, whose screenshots show the demo data as
// it is (docs/screenshot.png among them).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

describe('a director at work', () => {
  let page;
  let context;
  before(async () => { ({ page, context } = await newPage(browser)); });
  after(async () => { await context?.close(); });

  test('signs in and sees her EPS on the home page', async () => {
    await login(page, 'directrice.casa@amal.ma');
    assert.equal(new URL(page.url()).pathname, '/');
    // the language links of the pages are remembered for the account, and
    // look.test.mjs left it in another language: choose French again
    await page.goto('/?lang=fr');
    const main = await page.textContent('main');
    assert.match(main, /Casablanca - Aïn Chock/);
    assert.match(main, /Maison 1/);
    assert.doesNotMatch(main, /Dar Bouazza|Tanger|Nour/);
    assert.deepEqual(await langDir(page), { lang: 'fr', dir: 'ltr' });
  });

  test('creates a unit through the form and sees it listed', async () => {
    await page.goto('/admin/nodes');
    await page.click('main a:has-text("Casablanca - Aïn Chock")');
    await page.waitForURL(/\/admin\/nodes\/\d+$/);
    const epsUrl = page.url();
    await page.click('main a[href^="/admin/nodes/new"]');
    await page.waitForURL(/\/admin\/nodes\/new/);
    // an empty name first: the error shows next to the field, focusable summary
    await page.click('main form .actions button[type="submit"]');
    await page.waitForSelector('.error-summary');
    assert.ok(await page.isVisible('#f-name-error'), 'error next to the name');
    const name = `Maison des oliviers ${Date.now() % 100000}`;
    await page.fill('#f-name', name);
    if (await page.$('#f-unit_kind')) await page.selectOption('#f-unit_kind', 'family_house');
    await Promise.all([page.waitForURL(/\/admin\/nodes\/\d+$/), page.click('main form .actions button[type="submit"]')]);
    assert.equal(await page.textContent('h1'), name);
    assert.ok(await page.isVisible('.flash'), 'a confirmation message');
    await page.goto(epsUrl);
    assert.ok(await page.isVisible(`main a:has-text("${name}")`), 'listed in the EPS');
    assert.deepEqual(page.problems, []);
  });

  test('switches to Arabic with the language link: right to left', async () => {
    await page.goto('/');
    await Promise.all([page.waitForLoadState('load'), page.click('nav.langs a[hreflang="ar"]')]);
    await page.waitForFunction(() => document.documentElement.lang === 'ar');
    assert.deepEqual(await langDir(page), { lang: 'ar', dir: 'rtl' });
    const dirStyle = await page.evaluate(() => getComputedStyle(document.body).direction);
    assert.equal(dirStyle, 'rtl');
    assert.match(await page.textContent('main'), /[\u0600-\u06FF]/);
    await Promise.all([page.waitForLoadState('load'), page.click('nav.langs a[hreflang="fr"]')]);
    await page.waitForFunction(() => document.documentElement.lang === 'fr');
  });

  test('signs out', async () => {
    await page.goto('/');
    await Promise.all([page.waitForURL(/\/login/), page.click('form[action="/logout"] button')]);
    await page.goto('/admin/nodes');
    assert.equal(new URL(page.url()).pathname, '/login');
  });
});

describe('the profile', () => {
  test('a language chosen in the profile persists across sessions', async () => {
    const a = await newPage(browser);
    await login(a.page, 'educateur.casa');
    await a.page.goto('/profile');
    await a.page.check('#f-language-ar');
    await Promise.all([a.page.waitForLoadState('load'), a.page.click('form[action="/profile/language"] button[type="submit"]')]);
    await a.page.goto('/');
    assert.deepEqual(await langDir(a.page), { lang: 'ar', dir: 'rtl' });
    await a.context.close();
    const b = await newPage(browser, { locale: 'fr-FR' });
    await login(b.page, 'educateur.casa');
    await b.page.goto('/');
    assert.deepEqual(await langDir(b.page), { lang: 'ar', dir: 'rtl' }, 'kept at the next sign-in');
    // back to French for the other tests
    await b.page.goto('/profile');
    await b.page.check('#f-language-fr');
    await Promise.all([b.page.waitForLoadState('load'), b.page.click('form[action="/profile/language"] button[type="submit"]')]);
    await b.page.goto('/');
    assert.equal((await langDir(b.page)).lang, 'fr');
    await b.context.close();
  });

  test('an Arabic browser gets the login page in Arabic', async () => {
    const a = await newPage(browser, { locale: 'ar-MA' });
    await a.page.goto(`${BASE}/login`);
    assert.deepEqual(await langDir(a.page), { lang: 'ar', dir: 'rtl' });
    await a.context.close();
  });
});
