// library.test.mjs - the pages of capitalisation, the document library and
// the methodology roadmap, as a director and as an association's quality
// advisor see them, in French and Arabic at 1280 px and 360 px: no serious
// or critical axe-core violation, no sideways scrolling on a phone, no script
// error, and screenshots of each (tests/output/screenshots/) for review.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, axeViolations, screenshot, horizontalOverflow } from './lib.mjs';
import { demo, api, tokenFor } from '../http/lib.mjs';

const DIRECTOR = 'directrice.casa@amal.ma';
const ADVISOR = 'conseil@amal.ma';

let browser;
let d;
const ids = {};
before(async () => {
  browser = await launch();
  d = await demo();
  const dir = { token: tokenFor(DIRECTOR) };
  const sheets = (await api('GET', `/api/v1/sheets?node_id=${d.eps1.id}&status=published&limit=50`, undefined, dir)).json().items;
  assert.ok(sheets.length > 0, 'the demo has published sheets of the director\'s establishment');
  ids.sheet = sheets[0].id;
  const arabic = (await api('GET', '/api/v1/sheets?status=published&limit=200', undefined, dir)).json().items
    .find((s) => s.lang === 'ar');
  assert.ok(arabic, 'the demo has a published sheet written in Arabic');
  ids.sheetAr = arabic.id;
  const docs = (await api('GET', `/api/v1/documents?node_id=${d.eps1.id}&limit=50`, undefined, dir)).json().items;
  const approved = docs.find((x) => x.status === 'approved');
  assert.ok(approved, 'the demo has an approved document of the director\'s establishment');
  ids.doc = approved.id;
});
after(async () => { await browser?.close(); });

const PAGES = [
  { name: 'sheets', as: DIRECTOR, path: () => '/sheets' },
  { name: 'sheet', as: DIRECTOR, path: () => `/sheets/${ids.sheet}` },
  { name: 'sheet-arabic', as: DIRECTOR, path: () => `/sheets/${ids.sheetAr}` },
  { name: 'sheet-new', as: DIRECTOR, path: () => '/sheets/new' },
  { name: 'documents', as: DIRECTOR, path: () => '/documents' },
  { name: 'document', as: DIRECTOR, path: () => `/documents/${ids.doc}` },
  { name: 'document-new', as: DIRECTOR, path: () => '/documents/new' },
  { name: 'roadmap-eps', as: DIRECTOR, path: () => `/roadmap/${d.eps1.id}` },
  { name: 'roadmap-step', as: DIRECTOR, path: () => `/roadmap/${d.eps1.id}/steps/team_trained` },
  { name: 'search', as: DIRECTOR, path: () => '/search?q=enfants' },
  { name: 'roadmap-network', as: ADVISOR, path: () => '/roadmap' },
  { name: 'home-advisor', as: ADVISOR, path: () => '/' },
];

for (const lang of ['fr', 'ar']) {
  describe(`library pages in ${lang}`, () => {
    const pages = {};
    before(async () => {
      for (const who of [DIRECTOR, ADVISOR]) {
        const wide = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
        const narrow = await newPage(browser, { width: 360, height: 780, bypassCSP: true });
        await login(wide.page, who);
        await login(narrow.page, who);
        pages[who] = { wide, narrow };
      }
    });
    after(async () => {
      for (const p of Object.values(pages)) for (const x of [p.wide, p.narrow]) await x?.context.close();
    });

    for (const p of PAGES) {
      test(`${p.name} (${lang}): accessible, fits 360 px, screenshots`, async () => {
        const url = `${p.path()}${p.path().includes('?') ? '&' : '?'}lang=${lang}`;
        const w = pages[p.as].wide.page;
        const n = pages[p.as].narrow.page;
        const res = await w.goto(url);
        assert.equal(res.status(), 200, `GET ${url}`);
        assert.deepEqual(await langDir(w), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
        await screenshot(w, `library-${p.name}-${lang}-1280`);
        assert.deepEqual(await axeViolations(w), [], `axe-core on ${url}`);

        const res2 = await n.goto(url);
        assert.equal(res2.status(), 200);
        await screenshot(n, `library-${p.name}-${lang}-360`);
        const o = await horizontalOverflow(n);
        assert.ok(o.scrollWidth <= 360, `${url} at 360 px scrolls sideways (${o.scrollWidth} px): ${o.culprits.join(', ')}`);
        assert.deepEqual(w.problems.concat(n.problems), [], 'no script errors');
      });
    }
  });
}
