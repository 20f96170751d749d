// kits.test.mjs - the transfer kits' page in a real browser: the national
// administrator opens /kits in French and Arabic at 1280 and 360 px (right to
// left in Arabic, no sideways scrolling, no serious axe finding), uploads the
// instance's own kit (downloaded through the API) and reads the preview: every
// item already here, signed by the instance's own key, nothing to accept.
// Screenshots in tests/output/screenshots/ (JOUDA_SCREENSHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow, axeViolations } from './lib.mjs';
import { api, tokenFor, show, ADMIN_EMAIL, ADMIN_PASSWORD } from '../http/lib.mjs';

let browser;
let kit;

before(async () => {
  browser = await launch();
  const res = await api('GET', '/api/v1/kits/export', undefined, { token: tokenFor(ADMIN_EMAIL) });
  assert.equal(res.status, 200, show(res));
  kit = res.body;
});
after(async () => {
  await browser?.close();
});

for (const lang of ['fr', 'ar']) {
  for (const width of [1280, 360]) {
    test(`/kits and the preview of a kit in ${lang} at ${width} px`, async () => {
      const { context, page } = await newPage(browser, { width, locale: lang === 'ar' ? 'ar-MA' : 'fr-FR', bypassCSP: true });
      try {
        await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
        await page.goto(`/kits?lang=${lang}`);
        assert.deepEqual(await langDir(page), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
        assert.ok(await page.locator('.kit-key').first().isVisible(), 'the public key is shown');
        const o = await horizontalOverflow(page);
        assert.ok(o.scrollWidth <= o.innerWidth, `sideways scrolling: ${JSON.stringify(o)}`);
        assert.deepEqual(await axeViolations(page), []);
        await screenshot(page, `kits-${lang}-${width}`);
        await page.setInputFiles('#f-kit', { name: 'jouda-kit.zip', mimeType: 'application/zip', buffer: kit });
        await Promise.all([page.waitForURL('**/kits/import'), page.click('form[action="/kits/import"] button[type="submit"]')]);
        assert.equal(await page.locator('.kit-alert').count(), 0, 'the instance\'s own kit needs no warning');
        assert.equal(await page.locator('#f-accept_unsigned').count(), 0);
        assert.ok(await page.locator('table.kit-items tbody tr').count() > 3);
        const p = await horizontalOverflow(page);
        assert.ok(p.scrollWidth <= p.innerWidth, `sideways scrolling: ${JSON.stringify(p)}`);
        assert.deepEqual(await axeViolations(page), []);
        await screenshot(page, `kits-preview-${lang}-${width}`);
        assert.deepEqual(page.problems, []);
      } finally {
        await context.close();
      }
    });
  }
}
