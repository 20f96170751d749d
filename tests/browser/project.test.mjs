// project.test.mjs - the projet d'établissement as its users see it, in a
// real browser: the director writes a section in Markdown, looks at the
// preview and saves it (the text shown as headings, lists and bold); a
// house's staff member proposes a text and the director sees it as a
// word-level diff and accepts it; the diff of two validated versions shows
// added and deleted words; and the projet's pages in French and Arabic at
// 1280 and 360 px (no sideways scrolling, right to left in Arabic, no
// serious axe finding), saved as screenshots in tests/output/screenshots/.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow, axeViolations } from './lib.mjs';
import { demo, api, tokenFor, translation } from '../http/lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const MERE = 'mere.fatima';
let browser;
let d;
let demoProject; // the first EPS's projet: two validated versions, the third in consultation
const tok = (l = DIR) => ({ token: tokenFor(l) });

before(async () => {
  browser = await launch();
  d = await demo();
  const items = (await api('GET', `/api/v1/projects?node_id=${d.eps1.id}`, undefined, tok())).json().items;
  demoProject = items.find((p) => p.version >= 3);
  assert.ok(demoProject, 'the demo projet of the first EPS');
});
after(async () => { await browser?.close(); });

describe('writing together', () => {
  let page;
  let context;
  let id;
  before(async () => {
    const y = 1970 + (process.pid % 5) * 6; // apart from the HTTP tests' periods (days start in 1970)
    const res = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, title: `Projet du navigateur ${Date.now()}`, period_start: `${y}-01-01`, period_end: `${y + 4}-12-31` }, tok());
    assert.equal(res.status, 201, res.text);
    id = res.json().id;
    ({ page, context } = await newPage(browser, { width: 1280, height: 1200 }));
    await login(page, DIR);
  });
  after(async () => { await context?.close(); });

  test('the director writes a section, previews it, saves it; the text reads as formatted', async () => {
    await page.goto(`/projects/${id}/sections/history`);
    await page.fill('#f-content', '## Nos origines\n\nNée en **1998** dans le quartier.\n\n- accueil\n- scolarité');
    await page.click('#preview-section');
    await page.waitForSelector('.prj-preview');
    assert.equal(await page.locator('.prj-preview h4').first().textContent(), 'Nos origines');
    assert.equal(await page.locator('.prj-preview strong').first().textContent(), '1998');
    assert.equal(await page.inputValue('#f-content'), '## Nos origines\n\nNée en **1998** dans le quartier.\n\n- accueil\n- scolarité', 'the preview keeps the text typed');
    await screenshot(page, 'project-section-preview-fr-1280');
    await page.click('#save-section');
    await page.waitForSelector('.flash');
    assert.equal(await page.locator('.prj-text li').count(), 2);
    const got = (await api('GET', `/api/v1/projects/${id}`, undefined, tok())).json();
    assert.match(got.sections.find((s) => s.key === 'history').content, /\*\*1998\*\*/);
  });

  test('a house\'s staff member proposes; the director sees the words it changes and accepts', async () => {
    await api('PUT', `/api/v1/projects/${id}/sections/offer`, { content: 'Trois maisons accueillent les enfants.' }, tok());
    const m = await newPage(browser, { width: 360, height: 780 });
    await login(m.page, MERE);
    await m.page.goto(`/projects/${id}/sections/offer`);
    await m.page.fill('#f-body', 'Quatre maisons accueillent les enfants et leurs frères.');
    await m.page.click('#send-contribution');
    await m.page.waitForSelector('.flash');
    await screenshot(m.page, 'project-proposal-fr-360');
    await m.context.close();
    await page.goto(`/projects/${id}/sections/offer`);
    const diff = page.locator('.prj-contrib .diff').first();
    assert.match(await diff.locator('del').first().textContent(), /Trois/);
    assert.match(await diff.locator('ins').allTextContents().then((t) => t.join(' ')), /Quatre/);
    await screenshot(page, 'project-proposal-diff-fr-1280');
    await page.locator('.prj-decide button', { hasText: translation('fr', 'Accept') }).first().click();
    await page.waitForSelector('.flash');
    assert.match(await page.locator('.prj-text').textContent(), /Quatre maisons/);
  });
});

describe('versions', () => {
  for (const lang of ['fr', 'ar']) {
    test(`the diff of two validated versions shows what was added and deleted (${lang})`, async () => {
      const { page, context } = await newPage(browser, { width: 1280, height: 1400 });
      await login(page, DIR);
      await page.goto(`/projects/${demoProject.id}/diff?from=1&to=2&lang=${lang}`);
      assert.deepEqual(await langDir(page), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
      const changed = page.locator('.prj-diff:not(.prj-diff--same)');
      assert.ok(await changed.count() >= 2, 'the two sections revised');
      assert.match((await page.locator('.prj-diff ins').allTextContents()).join(' '), /104/);
      assert.match((await page.locator('.prj-diff del').allTextContents()).join(' '), /96/);
      await screenshot(page, `project-diff-${lang}-1280`);
      await context.close();
    });
  }
});

const PAGES = [
  { name: 'list', path: () => '/projects' },
  { name: 'show', path: () => `/projects/${demoProject.id}` },
  { name: 'section', path: () => `/projects/${demoProject.id}/sections/offer` },
  { name: 'strategy', path: () => `/projects/${demoProject.id}/strategy` },
  { name: 'diff', path: () => `/projects/${demoProject.id}/diff?from=1&to=2` },
  { name: 'new', path: () => '/projects/new' },
  { name: 'templates', path: () => '/project-templates' },
];

for (const lang of ['fr', 'ar']) {
  describe(`the projet's pages in ${lang}`, () => {
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
          const o = await horizontalOverflow(w);
          assert.ok(o.scrollWidth <= width, `${url} at ${width} px scrolls sideways (${o.scrollWidth}): ${o.culprits.join(', ')}`);
          await screenshot(w, `project-${p.name}-${lang}-${width}`);
        }
        const v = await axeViolations(wide.page);
        assert.deepEqual(v, [], JSON.stringify(v, null, 1));
        assert.deepEqual(wide.page.problems.filter((x) => !/Content Security Policy/.test(x)), []);
      });
    }
  });
}

test('the Arabic demo projet reads right to left, its PDF in Arabic', async () => {
  const items = (await api('GET', `/api/v1/projects?node_id=${d.eps2.id}`, undefined, tok('admin@amal.ma'))).json().items;
  const ar = items.find((p) => p.lang === 'ar');
  assert.ok(ar, 'the demo has a projet written in Arabic');
  const { page, context } = await newPage(browser, { width: 360, height: 780 });
  await login(page, 'admin@amal.ma');
  await page.goto(`/projects/${ar.id}/sections/missions?lang=ar`);
  const dir = await page.locator('.prj-text p').first().evaluate((el) => getComputedStyle(el).direction);
  assert.equal(dir, 'rtl');
  await screenshot(page, 'project-arabic-section-ar-360');
  await context.close();
});
