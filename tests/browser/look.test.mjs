// look.test.mjs - the pages in French and Arabic at 1280 px and 360 px:
// no serious or critical axe-core violation, no horizontal scrolling on a
// phone, and screenshots of each (tests/output/screenshots/) for review.
// The French home page at 1280 px becomes docs/screenshot.png (run-all.sh).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, axeViolations, screenshot, horizontalOverflow } from './lib.mjs';
import { demo, api, tokenFor, ADMIN_EMAIL } from '../http/lib.mjs';

let browser;
let d;
const ids = {};
before(async () => {
  browser = await launch();
  d = await demo();
  const admin = { token: tokenFor(ADMIN_EMAIL) };
  const refs = (await api('GET', '/api/v1/referentiels?status=published', undefined, admin)).json().items;
  ids.ref = refs.find((r) => r.code === 'JOUDA-EPS-ENFANCE').id;
  const camps = (await api('GET', `/api/v1/campaigns?node_id=${d.eps1.id}&limit=200`, undefined, admin)).json().items;
  ids.inProgress = camps.find((c) => c.status === 'in_progress' && c.title === 'Auto-évaluation 2026').id;
  ids.validated = camps.find((c) => c.status === 'validated' && c.title === 'Auto-évaluation 2025').id;
});
after(async () => { await browser?.close(); });

const PAGES = [
  { name: 'login', path: () => '/login', anonymous: true },
  { name: 'home', path: () => '/' },
  { name: 'nodes', path: () => '/admin/nodes' },
  { name: 'node', path: () => `/admin/nodes/${d.eps1.id}` },
  { name: 'users', path: () => '/admin/users' },
  { name: 'user-form', path: () => '/admin/users/new' },
  { name: 'profile', path: () => '/profile' },
  { name: 'referentiels', path: () => '/referentiels' },
  { name: 'referentiel', path: () => `/referentiels/${ids.ref}?q=enfant` },
  { name: 'campaigns', path: () => '/campaigns' },
  { name: 'campaign', path: () => `/campaigns/${ids.inProgress}?only=todo` },
  { name: 'campaign-results', path: () => `/campaigns/${ids.validated}/results` },
];

for (const lang of ['fr', 'ar']) {
  describe(`pages in ${lang}`, () => {
    let wide;
    let narrow;
    let anonWide;
    let anonNarrow;
    before(async () => {
      wide = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
      narrow = await newPage(browser, { width: 360, height: 780, bypassCSP: true });
      anonWide = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
      anonNarrow = await newPage(browser, { width: 360, height: 780, bypassCSP: true });
      await login(wide.page, 'directrice.casa@amal.ma');
      await login(narrow.page, 'directrice.casa@amal.ma');
    });
    after(async () => {
      for (const x of [wide, narrow, anonWide, anonNarrow]) await x?.context.close();
    });

    for (const p of PAGES) {
      test(`${p.name} (${lang}): accessible, fits 360 px, screenshots`, async () => {
        const url = `${p.path()}${p.path().includes('?') ? '&' : '?'}lang=${lang}`;
        const w = p.anonymous ? anonWide.page : wide.page;
        const n = p.anonymous ? anonNarrow.page : narrow.page;
        const res = await w.goto(url);
        assert.equal(res.status(), 200, `GET ${url}`);
        assert.deepEqual(await langDir(w), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
        await screenshot(w, `${p.name}-${lang}-1280`);
        const violations = await axeViolations(w);
        assert.deepEqual(violations, [], `axe-core on ${url}`);

        const res2 = await n.goto(url);
        assert.equal(res2.status(), 200);
        await screenshot(n, `${p.name}-${lang}-360`);
        const o = await horizontalOverflow(n);
        assert.ok(o.scrollWidth <= 360, `${url} at 360 px scrolls sideways (${o.scrollWidth} px): ${o.culprits.join(', ')}`);
        assert.deepEqual(w.problems.concat(n.problems), [], 'no script errors');
      });
    }
  });
}
