// assess.test.mjs - a quality referent scores criteria of her establishment's
// campaign in a real browser: a click on a score saves it (the page's script
// posts it and shows the word "saved"), a score that breaks the rules shows
// why beside the button, the page in Arabic is right to left on a phone, and
// the results page shows its radar chart and score distribution as images,
// in French and Arabic (screenshots in tests/output/screenshots/).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow } from './lib.mjs';
import { demo, api, tokenFor, translation, ADMIN_EMAIL } from '../http/lib.mjs';

let browser;
let campaign;
let validated;
before(async () => {
  browser = await launch();
  const d = await demo();
  const camps = (await api('GET', `/api/v1/campaigns?node_id=${d.eps1.id}&limit=200`, undefined, { token: tokenFor(ADMIN_EMAIL) })).json().items;
  // the demo's campaigns (other tests add their own to this EPS)
  campaign = camps.find((c) => c.status === 'in_progress' && c.title === 'Auto-évaluation 2026');
  validated = camps.find((c) => c.status === 'validated' && c.title === 'Auto-évaluation 2025');
});
after(async () => { await browser?.close(); });

/** The first criterion left to score on the page, as a locator pinned to its
 *  id (a lazy ":not(.camp-crit--rated)" would move on once it is scored). */
async function firstTodo(page) {
  const first = page.locator('article.camp-crit:not(.camp-crit--rated)').first();
  await first.waitFor();
  return page.locator(`article[id="${await first.getAttribute('id')}"]`);
}

for (const [lang, width] of [['fr', 1280], ['ar', 360]]) {
  describe(`scoring in ${lang} at ${width} px`, () => {
    let page;
    let context;
    before(async () => {
      ({ page, context } = await newPage(browser, { width, height: 900, locale: lang === 'ar' ? 'ar-MA' : 'fr-FR' }));
      await login(page, 'referent.casa@amal.ma');
    });
    after(async () => { await context?.close(); });

    test('a click on a score saves it, and it is there after a reload', async () => {
      assert.ok(campaign, 'the demo has a campaign in progress');
      await page.goto(`/campaigns/${campaign.id}?only=todo&lang=${lang}`);
      assert.deepEqual(await langDir(page), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
      const card = await firstTodo(page);
      const code = await card.getAttribute('id');
      await card.locator('label[for$="-3"]').click();
      await card.locator('.save-status', { hasText: translation(lang, 'Saved') }).waitFor();
      await page.goto(`/campaigns/${campaign.id}?lang=${lang}`);
      const again = page.locator(`article[id="${code}"]`);
      assert.ok(await again.evaluate((el) => el.classList.contains('camp-crit--rated')), 'marked as scored');
      assert.ok(await again.locator('input[name="score"][value="3"]').isChecked(), 'the score is kept');
      const o = await horizontalOverflow(page);
      assert.ok(o.scrollWidth <= width, `scrolls sideways (${o.scrollWidth} px): ${o.culprits.join(', ')}`);
      assert.deepEqual(page.problems, []);
    });

    test('a score of 4 without evidence shows why it was not saved', async () => {
      await page.goto(`/campaigns/${campaign.id}?only=todo&lang=${lang}`);
      const card = await firstTodo(page);
      await card.locator('label[for$="-4"]').click();
      const msg = translation(lang, 'A score of 4 needs a comment and at least one piece of evidence.');
      await card.locator('.save-status--error', { hasText: msg }).waitFor();
      await card.locator('textarea[name="comment"]').fill(lang === 'ar' ? 'تم التحقق مع الفريق' : 'Vérifié avec l\'équipe');
      await card.locator('textarea[name="evidence"]').fill(lang === 'ar' ? 'محضر الاجتماع' : 'Compte rendu de réunion');
      await card.locator('.save-status', { hasText: translation(lang, 'Saved') }).waitFor({ timeout: 10000 });
      await screenshot(page, `campaign-scoring-${lang}-${width}`);
      assert.deepEqual(page.problems, []);
    });

    test('the results show the radar and the distribution of scores', async () => {
      await page.goto(`/campaigns/${validated.id}/results?lang=${lang}`);
      const radar = page.locator('figure.chart img').first();
      await radar.waitFor();
      const loaded = await page.locator('figure.chart img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
      assert.deepEqual(loaded, [true, true], 'both charts are drawn');
      assert.match(await radar.getAttribute('alt'), /\d\.\d\d/, 'the text alternative gives the averages');
      const o = await horizontalOverflow(page);
      assert.ok(o.scrollWidth <= width, `scrolls sideways (${o.scrollWidth} px): ${o.culprits.join(', ')}`);
      await screenshot(page, `campaign-results-${lang}-${width}`);
      assert.deepEqual(page.problems, []);
    });
  });
}
