// tour.test.mjs - the user tour in a real browser: the language chosen on
// the sign-in page is kept at sign-in; disabling an account asks first in a
// dialog (JavaScript) and does nothing when dismissed; and the pages on a
// phone (360 and 320 px, French and Arabic): nothing scrolls sideways, the
// header and menu are big enough to tap, the tools say what they are, the
// add buttons show their text, table, tree and radio targets are 44 px tall.
// Sizes that fail are reported with their measures; the thresholds are the
// ones the product promises (44 px).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, langDir, horizontalOverflow, screenshot } from './lib.mjs';
import { demo, api, tokenFor, uniq, ADMIN_EMAIL, ADMIN_PASSWORD } from '../http/lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const MOTHER = 'mere.fatima';
const MIN = 44;

let browser;
let d;
before(async () => {
  browser = await launch();
  d = await demo();
});
after(async () => { await browser?.close(); });

function pw(who) {
  return who === ADMIN_EMAIL ? ADMIN_PASSWORD : undefined;
}

async function savedUser(id) {
  const res = await api('GET', `/api/v1/users/${id}`, undefined, { token: tokenFor(ADMIN_EMAIL) });
  assert.equal(res.status, 200, res.text);
  return res.json();
}

/** Elements matching selector that are rendered (not display:none, not the
 *  1 px visually-hidden pattern) with their measured size and text. */
async function measure(page, selector) {
  return page.evaluate((sel) => {
    const name = (e) => `${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}`;
    return [...document.querySelectorAll(sel)]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        const s = getComputedStyle(e);
        return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 1 && r.height > 1;
      })
      .map((e) => {
        const r = e.getBoundingClientRect();
        return {
          el: name(e),
          text: (e.innerText || e.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 40),
          w: Math.round(r.width * 10) / 10,
          h: Math.round(r.height * 10) / 10,
        };
      });
  }, selector);
}

/** The words of an element a person can see: text of descendants that are
 *  rendered larger than the 1 px visually-hidden pattern. */
async function visibleWords(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((el) => {
    const words = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.textContent.replace(/\s+/g, ' ').trim();
      if (!t) continue;
      const p = n.parentElement;
      const s = getComputedStyle(p);
      const range = document.createRange();
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      const clipped = s.clip && s.clip !== 'auto' && /rect\(0(px)?,? 0(px)?/.test(s.clip);
      if (s.display === 'none' || s.visibility === 'hidden' || clipped || r.width < 4 || r.height < 4) continue;
      words.push(t);
    }
    return { el: el.className, html: el.innerText.replace(/\s+/g, ' ').trim(), visible: words.join(' ') };
  }), selector);
}

function fmt(list) {
  return list.map((x) => `${x.el} "${x.text}" ${x.w}×${x.h}`).join('; ');
}

/* --------------------------------------------- 1. language of the sign-in -- */

describe('the language chosen on the sign-in page', () => {
  test('mere.fatima taps العربية on /login, signs in and lands on <html lang="ar" dir="rtl">; her saved language stays "fr"', async () => {
    const me = d.user(MOTHER);
    const before = await savedUser(me.id);
    assert.equal(before.language, 'fr', 'the demo account is saved in French');
    const { context, page } = await newPage(browser, { locale: 'fr-FR' });
    try {
      await page.goto('/login');
      assert.deepEqual(await langDir(page), { lang: 'fr', dir: 'ltr' });
      await Promise.all([
        page.waitForFunction(() => document.documentElement.lang === 'ar'),
        page.click('nav.langs a:has-text("العربية")'),
      ]);
      assert.deepEqual(await langDir(page), { lang: 'ar', dir: 'rtl' }, 'the sign-in page in Arabic');
      await page.fill('#f-login', MOTHER);
      await page.fill('#f-password', 'Jouda-demo-2026');
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.click('form[action="/login"] button[type="submit"]'),
      ]);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.deepEqual(await langDir(page), { lang: 'ar', dir: 'rtl' }, 'her home page is in Arabic');
      assert.match(await page.textContent('main'), /[\u0600-\u06FF]/, 'Arabic text on the home page');
      const after = await savedUser(me.id);
      assert.equal(after.language, 'fr', 'her saved preference is unchanged');
      assert.equal(after.version, before.version, 'her account was not written');
      assert.deepEqual(page.problems, []);
    } finally {
      await context.close();
    }
  });
});

/* ------------------------------------------ 7. a dialog before disabling -- */

describe('disabling an account asks first (JavaScript)', () => {
  test('the disable button of a user page carries data-confirm; its dialog dismissed keeps the account, accepted disables it', async () => {
    const res = await api('POST', '/api/v1/users', {
      username: uniq('dialogue.'), name: 'Hind Dialogue', password: 'Dialog-test-2026', language: 'fr',
      roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, { token: tokenFor(DIR) });
    assert.equal(res.status, 201, res.text);
    const u = res.json();
    const { context, page } = await newPage(browser);
    try {
      await login(page, DIR);
      await page.goto(`/admin/users/${u.id}?lang=fr`);
      const form = page.locator(`form[action="/admin/users/${u.id}/disable"]`);
      assert.equal(await form.count(), 1, 'a disable form');
      const marked = await form.evaluate((f) => ({
        form: f.getAttribute('data-confirm'),
        button: f.querySelector('button[type="submit"], button:not([type])')?.getAttribute('data-confirm') ?? null,
      }));
      assert.ok(marked.button || marked.form, `data-confirm on the disable button (or its form): ${JSON.stringify(marked)}`);

      const messages = [];
      page.once('dialog', async (dlg) => { messages.push(dlg.message()); await dlg.dismiss(); });
      await form.locator('button').click();
      await page.waitForLoadState('load');
      assert.equal(messages.length, 1, 'a dialog appeared');
      assert.ok(messages[0].trim().length > 0, 'the dialog asks a question');
      assert.equal(new URL(page.url()).pathname, `/admin/users/${u.id}`, 'dismissed: still on the user page');
      assert.equal((await savedUser(u.id)).active, true, 'dismissed: the account is still active');

      page.once('dialog', (dlg) => dlg.accept());
      await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
      assert.equal((await savedUser(u.id)).active, false, `accepted: the account is disabled (now at ${new URL(page.url()).pathname})`);
      assert.deepEqual(page.problems, []);
    } finally {
      await context.close();
    }
  });

  test('the disable button of a unit page asks in a dialog; accepted, the unit is disabled without a second question', async () => {
    const t = { token: tokenFor(DIR) };
    const res = await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Maison à fermer ') }, t);
    assert.equal(res.status, 201, res.text);
    const unit = res.json();
    const { context, page } = await newPage(browser);
    try {
      await login(page, DIR);
      await page.goto(`/admin/nodes/${unit.id}?lang=fr`);
      const form = page.locator(`form[action="/admin/nodes/${unit.id}/disable"]`);
      assert.equal(await form.count(), 1, 'a disable form');
      const messages = [];
      page.on('dialog', async (dlg) => { messages.push(dlg.message()); await dlg.accept(); });
      await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
      assert.equal(messages.length, 1, 'one dialog');
      const after = await api('GET', `/api/v1/nodes/${unit.id}`, undefined, t);
      assert.equal(after.json().active, false,
        `accepted: the unit is disabled (now at ${new URL(page.url()).pathname}, page "${(await page.textContent('h1')).trim()}")`);
      assert.equal(new URL(page.url()).pathname, `/admin/nodes/${unit.id}`, 'back on the unit page');
      assert.deepEqual(page.problems, []);
    } finally {
      await context.close();
    }
  });
});

/* ------------------------------------------------------------ 9. phone -- */

const PHONE = [360, 320];
const LANGS = ['fr', 'ar'];

for (const width of PHONE) {
  for (const lang of LANGS) {
    describe(`on a phone, ${width} px, ${lang}`, () => {
      const pages = {};
      before(async () => {
        for (const who of [MOTHER, ADMIN_EMAIL, DIR]) {
          const p = await newPage(browser, { width, height: 760, locale: lang === 'ar' ? 'ar-MA' : 'fr-FR' });
          await login(p.page, who, pw(who));
          await p.page.goto(`/?lang=${lang}`);
          pages[who] = p;
        }
      });
      after(async () => {
        for (const p of Object.values(pages)) await p.context.close();
      });

      async function open(who, path) {
        const { page } = pages[who];
        const res = await page.goto(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(res.status(), 200, `GET ${path} as ${who}`);
        assert.equal((await langDir(page)).lang, lang);
        return page;
      }

      for (const who of [MOTHER, ADMIN_EMAIL]) {
        test(`${who}, ${width} px, ${lang}: no page scrolls sideways (home, every menu page, profile, notifications): scrollWidth <= innerWidth`, async () => {
          const page = await open(who, '/');
          const links = await page.$$eval('nav.main-nav a', (as) => as.map((a) => a.getAttribute('href')));
          const wide = [];
          for (const path of new Set(['/', ...links, '/profile', '/notifications'])) {
            await open(who, path);
            const o = await horizontalOverflow(page);
            if (o.scrollWidth > o.innerWidth) {
              wide.push(`${path}: ${o.scrollWidth} > ${o.innerWidth} (${o.culprits.join(', ')})`);
              await screenshot(page, `tour-overflow-${who.replace(/[^a-z]/gi, '')}-${path.replace(/\W+/g, '_')}-${lang}-${width}`);
            }
          }
          assert.deepEqual(wide, [], 'pages wider than the screen');
        });

        test(`${who}, ${width} px, ${lang}: every link and button of the header and the main menu is at least 44×44 px`, async () => {
          const page = await open(who, '/');
          const all = await measure(page, 'header.site-header a, header.site-header button');
          assert.ok(all.length >= 4, `targets found: ${fmt(all)}`);
          const small = all.filter((x) => x.w < MIN || x.h < MIN);
          assert.deepEqual(small, [], `smaller than ${MIN}×${MIN}: ${fmt(small)}`);
        });

        test(`${who}, ${width} px, ${lang}: the profile and the sign-out tools show a visible word, not only an icon`, async () => {
          const page = await open(who, '/');
          const tools = await visibleWords(page, 'header .me-link, header .signout');
          assert.equal(tools.length, 2, `the two tools: ${JSON.stringify(tools)}`);
          for (const t of tools) {
            assert.match(t.visible, /[\p{L}]{2,}/u, `${t.el}: visible text "${t.visible}" (whole text "${t.html}")`);
          }
        });
      }

      test(`${DIR}, ${width} px, ${lang}: the add buttons of the organisation tree (/admin/nodes) show their text, not a bare "+"`, async () => {
        const page = await open(DIR, '/admin/nodes');
        const adds = await visibleWords(page, 'main .btn--add');
        assert.ok(adds.length > 0, 'add buttons on the tree');
        const bare = adds.filter((a) => !/[\p{L}]{2,}/u.test(a.visible));
        assert.deepEqual(bare.map((a) => `${a.el}: visible "${a.visible}" (text "${a.html}")`), [], 'add buttons without a visible text');
      });

      test(`${DIR}, ${width} px, ${lang}: the links of the organisation tree (/admin/nodes) are at least 44 px tall`, async () => {
        const page = await open(DIR, '/admin/nodes');
        const links = await measure(page, 'main ul.tree a');
        assert.ok(links.length > 0, 'tree links');
        const short = links.filter((x) => x.h < MIN);
        assert.deepEqual(short.map((x) => `${x.el} "${x.text}" ${x.w}×${x.h}`), [], `tree links under ${MIN} px tall`);
      });

      test(`${ADMIN_EMAIL}, ${width} px, ${lang}: the links inside tables (home, /admin/users, /admin/audit) are at least 44 px tall`, async () => {
        const short = [];
        let seen = 0;
        for (const path of ['/', '/admin/users', '/admin/audit']) {
          const page = await open(ADMIN_EMAIL, path);
          const links = await measure(page, 'main table a');
          seen += links.length;
          for (const x of links.filter((l) => l.h < MIN)) short.push(`${path} ${x.el} "${x.text}" ${x.w}×${x.h}`);
        }
        assert.ok(seen > 0, 'table links');
        assert.deepEqual(short.slice(0, 12), [], `table links under ${MIN} px tall (${short.length} of ${seen})`);
      });

      test(`${MOTHER}, ${width} px, ${lang}: the labels of the profile's radio buttons are at least 44 px tall`, async () => {
        const page = await open(MOTHER, '/profile');
        const labels = await measure(page, 'main input[type="radio"] + label, main label:has(input[type="radio"])');
        const radios = await page.$$eval('main input[type="radio"]', (xs) => xs.length);
        assert.ok(radios >= 3 && labels.length >= radios, `radio labels: ${labels.length} for ${radios} radios`);
        const short = labels.filter((x) => x.h < MIN);
        assert.deepEqual(short.map((x) => `${x.el} "${x.text}" ${x.w}×${x.h}`), [], `radio labels under ${MIN} px tall`);
      });
    });
  }
}
