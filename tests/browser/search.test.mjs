// search.test.mjs - the one search in a real browser: the director of an
// establishment types French words (without their accents) in the search box
// and submits it, the results show the words found marked, a chip keeps only
// the criteria and a result opens its page; then Arabic words typed without
// harakat find the text written with them, on a 360 px phone, right to
// left. Each page in French and Arabic at 1280 and 360 px: the right
// direction, no sideways scrolling, no serious axe finding, screenshots in
// tests/output/screenshots/ (JOUDA_SCREENSHOTS). The projet section searched
// is written here through the API, so that the test does not depend on the
// demo's text.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow, axeViolations } from './lib.mjs';
import { demo, api, tokenFor, show, uniq } from '../http/lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const tok = (l) => ({ token: tokenFor(l) });
let browser;
let d;
let tag;

async function noSidewaysScroll(page, width, label) {
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= width, `${label} at ${width} px scrolls sideways (${o.scrollWidth}): ${o.culprits.join(', ')}`);
}

before(async () => {
  browser = await launch();
  d = await demo();
  tag = uniq('nav').toLowerCase();
  const y = 7000 + (process.pid % 400) * 6;
  const res = await api('POST', '/api/v1/projects', {
    node_id: d.eps1.id, title: `Projet ${tag}`, period_start: `${y}-01-01`, period_end: `${y + 4}-12-31`, lang: 'ar',
  }, tok(DIR));
  assert.equal(res.status, 201, show(res));
  const p = res.json();
  for (const [key, content] of [
    ['history', `## تَارِيخُ المُؤَسَّسَةِ\n\nتَأَسَّسَتِ المُؤَسَّسَةُ مِنْ أَجْلِ حِمَايَةِ الأَطْفَالِ وَمُرَافَقَةِ الأُسَرِ ${tag}، وَهِيَ تَعْمَلُ مَعَ **المَدْرَسَةِ** وَالجَمْعِيَّاتِ.`],
    ['missions', `L'**accueil** des enfants et l'écoute des familles ${tag} : une équipe éducative présente jour et nuit, un projet pour chaque enfant.`],
  ]) {
    const w = await api('PUT', `/api/v1/projects/${p.id}/sections/${key}`, { content }, tok(DIR));
    assert.equal(w.status, 200, show(w));
  }
});

after(async () => {
  await browser?.close();
});

describe('searching', () => {
  test('French words without accents, typed in the box, find the text written with them', async () => {
    const { page, context } = await newPage(browser, { width: 1280, height: 900 });
    await login(page, DIR);
    await page.goto('/');
    await page.click('.main-nav a[href="/search"]');
    await page.waitForURL((u) => u.pathname === '/search');
    await page.fill('#f-q', `ECOUTE familles ${tag}`);
    await Promise.all([page.waitForURL((u) => u.searchParams.get('q') !== null), page.click('form[role="search"] button[type="submit"]')]);
    const marks = await page.locator('.search-result mark').allTextContents();
    assert.ok(marks.includes('écoute'), marks.join('|'));
    assert.ok(marks.includes('familles'), marks.join('|'));
    assert.equal(await page.locator('.search-result').count(), 1);
    await screenshot(page, 'search-typed-fr-1280');
    // a chip keeps one kind: nothing of the criteria matches this text
    await page.click('.search-chips a[href*="type=criterion"]');
    assert.equal(await page.locator('.search-result').count(), 0);
    assert.equal(await page.locator('.search-chips a[aria-current="true"]').count(), 1);
    // back to every kind, and the result opens its page
    await page.click('.search-chips li:first-child a');
    await Promise.all([page.waitForURL((u) => u.pathname.includes('/sections/missions')), page.click('.search-result__title a')]);
    assert.deepEqual(page.problems.filter((x) => !/Content Security Policy/.test(x)), []);
    await context.close();
  });

  test('Arabic words without harakat, on a phone, find the text written with them', async () => {
    const { page, context } = await newPage(browser, { width: 360, height: 780, locale: 'ar-MA' });
    await login(page, DIR);
    await page.goto('/search?lang=ar');
    assert.deepEqual(await langDir(page), { lang: 'ar', dir: 'rtl' });
    await page.fill('#f-q', `حماية الاطفال مدرسة مرافقة ${tag}`);
    await Promise.all([page.waitForURL((u) => u.searchParams.get('q') !== null), page.click('form[role="search"] button[type="submit"]')]);
    const marks = await page.locator('.search-result mark').allTextContents();
    for (const w of ['حِمَايَةِ', 'الأَطْفَالِ', 'المَدْرَسَةِ', 'وَمُرَافَقَةِ']) assert.ok(marks.includes(w), `${w} in ${marks.join('|')}`);
    const dir = await page.locator('.search-result__snippet').first().evaluate((el) => getComputedStyle(el).direction);
    assert.equal(dir, 'rtl');
    await noSidewaysScroll(page, 360, 'the Arabic results');
    await screenshot(page, 'search-typed-ar-360');
    await context.close();
  });
});

const PAGES = [
  { name: 'empty', path: () => '/search' },
  { name: 'results', path: () => `/search?q=${encodeURIComponent(`familles ${tag}`)}` },
  { name: 'arabic', path: () => `/search?q=${encodeURIComponent(`الاطفال ${tag}`)}` },
  { name: 'common', path: () => '/search?q=enfants' },
  { name: 'short', path: () => '/search?q=a' },
];

for (const lang of ['fr', 'ar']) {
  describe(`the search page in ${lang}`, () => {
    let wide;
    let narrow;
    before(async () => {
      wide = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
      narrow = await newPage(browser, { width: 360, height: 780, bypassCSP: true });
      await login(wide.page, DIR);
      await login(narrow.page, DIR);
    });
    after(async () => {
      for (const x of [wide, narrow]) await x?.context.close();
    });
    for (const p of PAGES) {
      test(`${p.name}: right direction, fits 360 px, no serious axe finding, screenshots`, async () => {
        const url = `${p.path()}${p.path().includes('?') ? '&' : '?'}lang=${lang}`;
        for (const [w, width] of [[wide.page, 1280], [narrow.page, 360]]) {
          const res = await w.goto(url);
          assert.equal(res.status(), 200, url);
          assert.deepEqual(await langDir(w), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
          await noSidewaysScroll(w, width, url);
          await screenshot(w, `search-${p.name}-${lang}-${width}`);
        }
        const v = await axeViolations(wide.page);
        assert.deepEqual(v, [], JSON.stringify(v, null, 1));
        assert.deepEqual(wide.page.problems.filter((x) => !/Content Security Policy/.test(x)), []);
      });
    }
  });
}
