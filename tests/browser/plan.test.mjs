// plan.test.mjs - the improvement plan as its users see it, in a real
// browser: the director drags a card of the board to another status (the
// page's script posts the move and the board comes back with it), a drop on a
// column the action may not go to is refused with a message and changes
// nothing, the same move works with the card's button without JavaScript; the
// timeline is an SVG image with a today line and one bar per action of its
// table; and the plan's pages in French and Arabic at 1280 and 360 px (no
// sideways scrolling, right to left in Arabic, no serious axe finding),
// saved as screenshots in tests/output/screenshots/.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow, axeViolations, BASE } from './lib.mjs';
import { demo, api, tokenFor, translation } from '../http/lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let browser;
let d;
const tok = () => ({ token: tokenFor(DIR) });
const status = async (id) => (await api('GET', `/api/v1/actions/${id}`, undefined, tok())).json().status;

async function planned(title) {
  const due = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  const res = await api('POST', '/api/v1/actions', {
    node_id: d.eps1.id, origin: 'other', title, owner_id: d.user(DIR).id, due_date: due, status: 'planned',
  }, tok());
  assert.equal(res.status, 201, res.text);
  return res.json().id;
}

before(async () => {
  browser = await launch();
  d = await demo();
});
after(async () => { await browser?.close(); });

/** Drag with the mouse (Chromium turns it into HTML5 drag and drop events),
 *  both ends on the screen. */
async function drag(page, from, to) {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + 8);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

describe('the board', () => {
  let page;
  let context;
  before(async () => {
    ({ page, context } = await newPage(browser, { width: 1280, height: 1400 }));
    await login(page, DIR);
  });
  after(async () => { await context?.close(); });

  test('a card dragged to "in progress" moves there, and stays after a reload', async () => {
    const title = `Glisser vers en cours ${Date.now()}`;
    const id = await planned(title);
    // the board of this action alone: nothing else moves under the mouse
    await page.goto(`/actions/board?node_id=${d.eps1.id}&q=${encodeURIComponent(title)}`);
    const card = `.board-col[data-status="planned"] .board-card[data-id="${id}"]`;
    await page.locator(card).waitFor();
    assert.equal(await page.locator(card).getAttribute('draggable'), 'true');
    await Promise.all([
      page.waitForLoadState('load'),
      page.waitForResponse((r) => r.url().endsWith(`/actions/${id}/status`) && r.request().method() === 'POST'),
      drag(page, card, '.board-col[data-status="in_progress"] .board-col__cards'),
    ]);
    await page.locator(`.board-col[data-status="in_progress"] .board-card[data-id="${id}"]`).waitFor();
    assert.equal(await status(id), 'in_progress');
    await page.reload();
    assert.equal(await page.locator(`.board-col[data-status="in_progress"] .board-card[data-id="${id}"]`).count(), 1);
    assert.deepEqual(page.problems, []);
  });

  test('a drop where the action may not go is refused and changes nothing', async () => {
    const title = `Pas directement efficace ${Date.now()}`;
    const id = await planned(title);
    await page.goto(`/actions/board?node_id=${d.eps1.id}&q=${encodeURIComponent(title)}`);
    const card = `.board-col[data-status="planned"] .board-card[data-id="${id}"]`;
    await drag(page, card, '.board-col[data-status="effective"] .board-col__cards');
    await page.locator('.board-status', { hasText: translation('fr', 'This move is not possible from here.') }).waitFor();
    assert.equal(await status(id), 'planned');
    assert.equal(await page.locator(card).count(), 1, 'still in its column');
  });

  test('without JavaScript the card\'s button moves it', async () => {
    const id = await planned('Bouton sans script');
    const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, javaScriptEnabled: false, baseURL: BASE });
    const p = await ctx.newPage();
    try {
      await login(p, DIR);
      await p.goto(`/actions/board?node_id=${d.eps1.id}`);
      const form = p.locator(`.board-card[data-id="${id}"] form:has(input[name="status"][value="in_progress"])`);
      await Promise.all([p.waitForURL(new RegExp(`/actions/${id}$`)), form.locator('button').click()]);
      assert.equal(await status(id), 'in_progress');
      await p.goto(`/actions/board?node_id=${d.eps1.id}`);
      assert.equal(await p.locator(`.board-col[data-status="in_progress"] .board-card[data-id="${id}"]`).count(), 1);
    } finally {
      await ctx.close();
    }
  });
});

describe('the timeline', () => {
  for (const lang of ['fr', 'ar']) {
    test(`an SVG with a today line and a bar per action of its table (${lang})`, async () => {
      const { page, context } = await newPage(browser, { width: 1280, height: 900 });
      try {
        await login(page, DIR);
        await page.goto(`/actions/timeline?node_id=${d.eps1.id}&lang=${lang}`);
        const img = page.locator('figure.timeline img');
        const src = await img.getAttribute('src');
        assert.match(src, /^\/actions\/timeline\.svg\?node_id=\d+/);
        assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the image loaded');
        const rows = await page.locator('figure.timeline + .table-wrap tbody tr').count();
        assert.ok(rows > 3);
        const res = await page.request.get(`${src}&lang=${lang}`);
        assert.equal(res.status(), 200);
        assert.match(res.headers()['content-type'], /^image\/svg\+xml/);
        const svg = await res.text();
        assert.ok(svg.startsWith('<svg') && svg.includes('role="img"') && /<title[^>]*>[^<]+<\/title>/.test(svg));
        assert.ok(svg.includes('stroke="#dc2626"'), 'the today line');
        assert.equal((svg.match(/<rect [^>]*rx="3"/g) || []).length, rows, 'one bar per action');
        assert.equal(svg.includes('direction="rtl"'), lang === 'ar');
        assert.ok(svg.includes(translation(lang, 'Today').replace(/'/g, '&#39;')), 'the today line is named');
      } finally {
        await context.close();
      }
    });
  }
});

const PAGES = [
  { name: 'list', path: () => `/actions?node_id=${d.eps1.id}` },
  { name: 'board', path: () => `/actions/board?node_id=${d.eps1.id}` },
  { name: 'timeline', path: () => `/actions/timeline?node_id=${d.eps1.id}` },
  { name: 'matrix', path: () => '/actions/matrix' },
  { name: 'summary', path: () => '/actions/summary' },
  { name: 'action', path: () => `/actions/${d.action}` },
  { name: 'plan', path: () => `/plans/${d.eps1.id}` },
  { name: 'new', path: () => '/actions/new' },
];

for (const lang of ['fr', 'ar']) {
  describe(`the plan's pages in ${lang}`, () => {
    let wide;
    let narrow;
    before(async () => {
      d.action = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&status=in_progress&limit=1`, undefined, tok())).json().items[0].id;
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
          await screenshot(w, `plan-${p.name}-${lang}-${width}`);
        }
        const v = await axeViolations(wide.page);
        assert.deepEqual(v, [], JSON.stringify(v, null, 1));
        assert.deepEqual(wide.page.problems.filter((x) => !/Content Security Policy/.test(x)), []);
      });
    }
  });
}
