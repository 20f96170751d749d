// tree.test.mjs - the organisation tree (/admin/nodes) as the platform
// administrator sees it, one level at a time: in French and Arabic, at
// 1280 px and 360 px, accessible (axe-core), without sideways scrolling,
// with screenshots of it closed and opened; opening a level in place with
// JavaScript (the address follows, the node stays where it was, Back
// returns) and as a plain link without it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, axeViolations, screenshot, horizontalOverflow } from './lib.mjs';
import { demo, ADMIN_EMAIL, ADMIN_PASSWORD } from '../http/lib.mjs';

let browser;
let d;
before(async () => {
  browser = await launch();
  d = await demo();
});
after(async () => { await browser?.close(); });

for (const lang of ['fr', 'ar']) {
  for (const width of [1280, 360]) {
    describe(`the tree in ${lang} at ${width} px`, () => {
      let x;
      before(async () => {
        x = await newPage(browser, { width, height: 900, bypassCSP: true });
        await login(x.page, ADMIN_EMAIL, ADMIN_PASSWORD);
      });
      after(async () => { await x?.context.close(); });

      for (const name of ['closed', 'open']) {
        test(`${name}: accessible, fits, screenshots`, async () => {
          const url = `/admin/nodes?lang=${lang}${name === 'open' ? `&open=${d.eps1.id}` : ''}`;
          const res = await x.page.goto(url);
          assert.equal(res.status(), 200, url);
          assert.deepEqual(await langDir(x.page), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
          await screenshot(x.page, `tree-${name}-${lang}-${width}`);
          assert.deepEqual(await axeViolations(x.page), [], `axe-core on ${url}`);
          const o = await horizontalOverflow(x.page);
          assert.ok(o.scrollWidth <= width, `${url} scrolls sideways (${o.scrollWidth} px): ${o.culprits.join(', ')}`);
          // the toggles are as tall as a finger
          const small = await x.page.$$eval('a.tree__toggle', (as) => as
            .map((a) => ({ t: a.textContent.trim(), h: a.getBoundingClientRect().height }))
            .filter((b) => b.h < 44));
          assert.deepEqual(small, []);
          if (name === 'open') {
            assert.ok(await x.page.isVisible(`#n${d.maison1.id}`), 'the units of the establishment opened');
            assert.ok(await x.page.isVisible(`#n${d.eps3.id}`), 'the other establishments of its association');
          }
          assert.deepEqual(x.page.problems, [], 'no script errors');
        });
      }
    });
  }
}

describe('opening a level', () => {
  test('with JavaScript: in place, the address follows, the node keeps its place, Back returns', async () => {
    const { context, page } = await newPage(browser);
    await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto('/admin/nodes?lang=fr');
    let loads = 0;
    page.on('load', () => loads++);
    const toggle = page.locator(`a[data-tree-toggle="n${d.assoc1.id}"]`);
    const y0 = (await page.locator(`#n${d.assoc1.id}`).boundingBox()).y;
    await toggle.click();
    await page.waitForSelector(`#n${d.eps1.id}`);
    assert.equal(loads, 0, 'no page load');
    assert.match(page.url(), new RegExp(`/admin/nodes\\?open=${d.assoc1.id}#n${d.assoc1.id}$`));
    const y1 = (await page.locator(`#n${d.assoc1.id}`).boundingBox()).y;
    assert.ok(Math.abs(y1 - y0) < 2, `the association stays where it was (${y0} -> ${y1})`);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-tree-toggle')), `n${d.assoc1.id}`,
      'the focus on its link, now closing it');
    await page.click(`a[data-tree-toggle="n${d.eps1.id}"]`);
    await page.waitForSelector(`#n${d.maison1.id}`);
    await page.goBack();
    await page.waitForFunction((id) => !document.getElementById(id), `n${d.maison1.id}`);
    assert.ok(await page.isVisible(`#n${d.eps1.id}`), 'back to the association opened');
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test('without JavaScript: a plain link to the same page', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, baseURL: process.env.JOUDA_URL || 'http://127.0.0.1:8080' });
    const page = await context.newPage();
    await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto('/admin/nodes?lang=fr');
    await Promise.all([page.waitForURL(/open=/), page.click(`a[data-tree-toggle="n${d.assoc1.id}"]`)]);
    assert.ok(await page.isVisible(`#n${d.eps1.id}`));
    await Promise.all([page.waitForURL(new RegExp(`open=${d.eps1.id}`)), page.click(`a[data-tree-toggle="n${d.eps1.id}"]`)]);
    assert.ok(await page.isVisible(`#n${d.maison1.id}`));
    await context.close();
  });
});
