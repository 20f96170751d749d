// onboard.test.mjs - the wizard opening a new establishment, in a real
// browser, as a quality advisor uses it: in French on a 1280 px screen (a
// first try without a name or category shows the error summary with
// everything typed kept; two units; a director; the review; the result page
// with the temporary password, which then signs the director in), and in
// Arabic on a 360 px phone (right to left, the form in one column, the
// passwords readable), each page without sideways scrolling and without a
// serious axe finding, saved as screenshots in tests/output/screenshots/
// (JOUDA_SCREENSHOTS): onboard-<step>-<lang>-<width>.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow, axeViolations } from './lib.mjs';

const ADV = 'conseil@amal.ma';
const TAG = `${process.pid.toString(36)}${Date.now().toString(36)}`;
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Direction, width, axe; then the screenshot. */
async function look(page, name, lang, width) {
  assert.deepEqual(await langDir(page), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' }, name);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= width, `${name} at ${width} px scrolls sideways (${o.scrollWidth}): ${o.culprits.join(', ')}`);
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `${name}: ${JSON.stringify(v, null, 1)}`);
  await screenshot(page, `onboard-${name}-${lang}-${width}`);
}

async function next(page, value = 'next') {
  await Promise.all([page.waitForNavigation(), page.click(`form[action="/onboard"] .actions button[value="${value}"]`)]);
}

for (const [lang, width] of [['fr', 1280], ['ar', 360]]) {
  test(`the wizard in ${lang} at ${width} px: four steps, the establishment ready, its director signs in`, async () => {
    const { context, page } = await newPage(browser, { width, height: width < 500 ? 780 : 900, bypassCSP: true, locale: lang === 'ar' ? 'ar-MA' : 'fr-FR' });
    try {
      await login(page, ADV);
      const res = await page.goto(`/onboard?lang=${lang}`);
      assert.equal(res.status(), 200);
      await look(page, 'eps', lang, width);

      // a first try with the name missing: the summary, the field's message, what was typed kept
      await page.fill('#f-name_ar', 'دار الأمل للتجربة');
      await page.fill('#f-unit_name_1', 'Maison Oasis');
      await next(page);
      assert.ok(await page.isVisible('.error-summary'), 'the error summary');
      assert.equal(await page.inputValue('#f-name_ar'), 'دار الأمل للتجربة');
      assert.equal(await page.inputValue('#f-unit_name_1'), 'Maison Oasis');
      await look(page, 'eps-errors', lang, width);

      const name = `Foyer Oasis ${lang} ${TAG}`;
      await page.fill('#f-name', name);
      await page.selectOption('#f-category', 'children');
      await page.selectOption('#f-region', 'souss_massa');
      await page.fill('#f-capacity', '24');
      await page.selectOption('#f-unit_kind_1', 'family_house');
      await page.fill('#f-unit_name_2', 'Maison Palmier');
      await next(page);

      assert.equal(await page.textContent('h1'), lang === 'fr' ? 'Les personnes' : 'الأشخاص');
      await look(page, 'people', lang, width);
      const email = `dir.${lang}.${TAG}@example.org`;
      await page.fill('#f-director_name', lang === 'fr' ? 'Hind Tazi' : 'هند التازي');
      await page.fill('#f-director_email', email);
      await page.selectOption('#f-director_language', lang);
      await next(page);

      await look(page, 'kit', lang, width);
      await next(page);

      assert.ok((await page.textContent('.onb-review')).includes('Maison Palmier'), 'the review lists the units');
      await look(page, 'review', lang, width);
      await next(page, 'create');

      const h1 = await page.textContent('h1');
      // named in the reader's script: the Arabic name in Arabic
      assert.ok(h1.includes(lang === 'ar' ? 'دار الأمل للتجربة' : name), h1);
      const pw = (await page.textContent('.onb-password')).trim();
      assert.match(pw, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
      await look(page, 'done', lang, width);

      // the director signs in with it, in a browser of her own
      const dir = await newPage(browser, { width, height: 800 });
      try {
        await login(dir.page, email, pw);
        assert.equal(new URL(dir.page.url()).pathname, '/');
        assert.deepEqual(dir.page.problems, []);
      } finally {
        await dir.context.close();
      }
      assert.deepEqual(page.problems.filter((x) => !/Content Security Policy/.test(x)), []);
    } finally {
      await context.close();
    }
  });
}

test('the home page offers the wizard to a quality advisor (card), in French and Arabic', async () => {
  const { context, page } = await newPage(browser, { width: 360, height: 780, bypassCSP: true });
  try {
    await login(page, ADV);
    for (const lang of ['fr', 'ar']) {
      await page.goto(`/?lang=${lang}`);
      assert.ok(await page.isVisible('.onb-home a[href="/onboard"]'));
      const o = await horizontalOverflow(page);
      assert.ok(o.scrollWidth <= 360, o.culprits.join(', '));
    }
  } finally {
    await context.close();
  }
});
