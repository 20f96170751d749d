// person.test.mjs - the files of the persons supported as their educators see
// them, in a real browser: a house's staff member opens her caseload in
// Arabic on a 360 px phone (her own children first), opens a child's file and
// each of its tabs, assesses the needs of a life domain through the form (the
// level in words, the child's own words quoted as theirs; a form left without
// a level keeps what was typed and says what is missing), starts the plan,
// writes a goal with an action, records the child's agreement, agrees the
// plan and records a review; the director (an account of this run, enrolled in
// two-step verification: the demo's directors are not) sees who read the file
// and gives access for a time; and the main pages in French and Arabic at 1280
// and 360 px (right to left in Arabic, no sideways scrolling, no serious axe
// finding), saved as screenshots in tests/output/screenshots/ (JOUDA_SCREENSHOTS).
// The persons used are created here through the API, so that the test does not
// depend on the demo's.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { launch, newPage, login, langDir, screenshot, horizontalOverflow, axeViolations } from './lib.mjs';
import { demo, api, tokenFor, show, ADMIN_EMAIL, ADMIN_PASSWORD } from '../http/lib.mjs';

const MERE = 'mere.fatima';
const EDU = 'educateur.casa';
const PASS = 'Personnes-navigateur-2026';
const TAG = `Nav${process.pid.toString(36)}`;
const tok = (l) => ({ token: tokenFor(l) });
let browser;
let d;
let mine; // a child of Maison 1 whose referent is mere.fatima
let other; // a child of Maison 1 she is not the referent of
let otherPlan; // a draft plan of other's
let minePlan; // the plan agreed through the pages
let dir; // this run's director of Casablanca, enrolled: {login, secret, lastStep}

/* --- two-step verification (RFC 6238: HMAC-SHA1, 6 digits, 30 s) -------------- */

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c); bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
function codeAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 30000);
/** A code the server accepts now (a step within one of now, after the last used). */
async function nextCode(who) {
  for (;;) {
    const step = Math.max(stepNow() - 1, who.lastStep + 1);
    if (step <= stepNow() + 1) { who.lastStep = step; return codeAt(who.secret, step); }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Casablanca', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function dayOffset(n) {
  const [y, m, dd] = today().split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, dd + n)).toISOString().slice(0, 10);
}

async function person(body) {
  const res = await api('POST', '/api/v1/persons', {
    node_id: d.maison1.id, birth_date: '2014-05-02', sex: 'f', admission_date: '2023-09-01', ...body,
  }, tok(EDU));
  assert.equal(res.status, 201, show(res));
  return res.json();
}

/** Signs the director in through the pages: password, then the code. */
async function loginDirector(page) {
  await page.goto('/login');
  await page.fill('#f-login', dir.login);
  await page.fill('#f-password', PASS);
  await page.click('form[action="/login"] button[type="submit"]');
  await page.waitForSelector('#f-code');
  await page.fill('#f-code', await nextCode(dir));
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login/code"] button[type="submit"]')]);
}

async function noSidewaysScroll(page, width, label) {
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= width, `${label} at ${width} px scrolls sideways (${o.scrollWidth}): ${o.culprits.join(', ')}`);
}

before(async () => {
  browser = await launch();
  d = await demo();
  const fatima = d.user(MERE);
  mine = await person({
    first_name: 'Salma', last_name: `Idrissi ${TAG}`, first_name_ar: 'سلمى', last_name_ar: 'الإدريسي',
    health_notes: `Allergie aux arachides ${TAG}.`, family_notes: 'Une tante la reçoit pendant les vacances.',
  });
  let res = await api('PATCH', `/api/v1/persons/${mine.id}`, { referents: [fatima.id] }, tok(EDU));
  assert.equal(res.status, 200, show(res));
  other = await person({ first_name: 'Omar', last_name: `Tazi ${TAG}`, first_name_ar: 'عمر', last_name_ar: 'التازي', sex: 'm' });
  res = await api('POST', `/api/v1/persons/${other.id}/plans`, {
    status: 'draft',
    goals: [{ domain: 'autonomy', text: 'Préparer seul son cartable', actions: [{ text: 'Liste illustrée sur la porte', who: 'Maison 1', due: dayOffset(20) }] }],
  }, tok(EDU));
  assert.equal(res.status, 201, show(res));
  otherPlan = res.json();
  // this run's director, enrolled in two-step verification
  const login = `dir.pers.${TAG.toLowerCase()}`;
  res = await api('POST', '/api/v1/users', {
    username: login, name: `Directrice ${TAG}`, password: PASS, language: 'fr', roles: [{ role: 'director', node_id: d.eps1.id }],
  }, tok(ADMIN_EMAIL));
  assert.equal(res.status, 201, show(res));
  const token = tokenFor(login);
  const start = await api('POST', '/api/v1/me/totp', {}, { token });
  assert.equal(start.status, 201, show(start));
  dir = { login, secret: start.json().secret, lastStep: -1 };
  const ok = await api('POST', '/api/v1/me/totp/confirm', { code: await nextCode(dir) }, { token });
  assert.equal(ok.status, 200, show(ok));
});
after(async () => { await browser?.close(); });

describe('an educator on her phone, in Arabic', () => {
  let page;
  let context;
  before(async () => {
    ({ page, context } = await newPage(browser, { width: 360, height: 780, locale: 'ar-MA' }));
    await login(page, MERE);
  });
  after(async () => { await context?.close(); });

  test('her caseload: her own children first, then the others of her house; right to left, fits the phone', async () => {
    await page.goto('/persons?lang=ar');
    assert.deepEqual(await langDir(page), { lang: 'ar', dir: 'rtl' });
    const mineRow = page.locator('#h-mine').locator('xpath=..').locator(`a[href="/persons/${mine.id}"]`);
    assert.equal(await mineRow.count(), 1, 'the child she is the referent of is under "my children"');
    const othersRow = page.locator('#h-others').locator('xpath=..').locator(`a[href="/persons/${other.id}"]`);
    assert.equal(await othersRow.count(), 1, 'the other child of her house comes after');
    assert.equal(await mineRow.textContent(), 'سلمى الإدريسي', 'the name in Arabic letters');
    await noSidewaysScroll(page, 360, 'the caseload');
    await screenshot(page, 'person-caseload-ar-360');
    await page.goto('/persons?lang=ar&mine=1');
    assert.equal(await page.locator(`a[href="/persons/${other.id}"]`).count(), 0, 'only her children');
    assert.equal(await page.locator('.view-tabs a[aria-current="page"]').getAttribute('href'), '/persons?mine=1');
  });

  test('the file: each tab is marked current, fits the phone, and its reading is logged', async () => {
    await page.goto('/persons?lang=ar');
    await page.click(`a[href="/persons/${mine.id}"]`);
    await page.waitForURL(new RegExp(`/persons/${mine.id}$`));
    assert.match(await page.locator('h1').textContent(), /سلمى/);
    assert.match(await page.locator('.pers-sealed').textContent(), new RegExp(`Allergie aux arachides ${TAG}`), 'the notes opened');
    for (const tab of ['identity', 'needs', 'plan', 'reviews']) {
      await page.goto(`/persons/${mine.id}?tab=${tab}&lang=ar`);
      const current = page.locator('.pers-tabs a[aria-current="page"]');
      assert.equal(await current.count(), 1);
      assert.match(await current.getAttribute('href'), new RegExp(`tab=${tab}$`));
      await noSidewaysScroll(page, 360, `the ${tab} tab`);
      await screenshot(page, `person-file-${tab}-ar-360`);
    }
    assert.equal(await page.locator('.pers-tabs a[href$="tab=access"]').count(), 0, 'the access log is the director\'s');
  });

  test('a needs assessment through the form: without a level it says so and keeps the text; then saved, the level in words, her words quoted', async () => {
    await page.goto(`/persons/${mine.id}?tab=needs&lang=ar`);
    await page.click(`a[href="/persons/${mine.id}/needs/education"]`);
    await page.waitForSelector('#f-situation');
    await page.fill('#f-situation', `En CM2, lit avec difficulté ${TAG}.`);
    await page.fill('#f-own_words', 'أحب القراءة مع أختي');
    await page.click('#save-need');
    await page.waitForSelector('.error-summary');
    assert.equal(await page.locator('.error-summary a[href="#f-level"]').count(), 1, 'the summary leads to the level');
    assert.equal(await page.inputValue('#f-situation'), `En CM2, lit avec difficulté ${TAG}.`, 'what was typed is kept');
    assert.equal(await page.inputValue('#f-own_words'), 'أحب القراءة مع أختي');
    await noSidewaysScroll(page, 360, 'the needs form');
    await screenshot(page, 'person-need-error-ar-360');
    await page.click('label[for="f-level-3"]');
    await page.fill('#f-strengths', 'Curieuse, aime dessiner.');
    await page.fill('#f-needs', 'Soutien en lecture deux fois par semaine.');
    await page.click('#save-need');
    await page.waitForSelector('.flash');
    const card = page.locator('#need-education');
    assert.equal(await card.locator('.pers-bar__seg--on').count(), 3, 'three segments of four');
    assert.match(await card.locator('.pers-words blockquote').textContent(), /أحب القراءة مع أختي/);
    await screenshot(page, 'person-needs-saved-ar-360');
    const got = await api('GET', `/api/v1/persons/${mine.id}/needs`, undefined, tok(EDU));
    assert.equal(got.status, 200, show(got));
    const body = got.json();
    const needs = Array.isArray(body) ? body : body.items || body.needs;
    const ed = needs.find((n) => n.domain === 'education');
    assert.equal(ed.level, 3);
    assert.equal(ed.own_words, 'أحب القراءة مع أختي');
  });

  test('the plan: started, a goal with its action written, the agreement recorded, agreed; then a review recorded', async () => {
    await page.goto(`/persons/${mine.id}?tab=plan&lang=ar`);
    await page.click(`form[action="/persons/${mine.id}/plans"] button`);
    await page.waitForSelector('#f-g0_domain');
    await noSidewaysScroll(page, 360, 'the plan form');
    await screenshot(page, 'person-plan-form-ar-360');
    await page.selectOption('#f-g0_domain', 'education');
    await page.fill('#f-g0_text', `Lire seule un album ${TAG}`);
    await page.fill('#f-g0_a0_text', 'Atelier lecture le mercredi');
    await page.fill('#f-g0_a0_who', 'Fatima');
    await page.fill('#f-g0_a0_due', dayOffset(60));
    await page.fill('#f-participation', 'Entretien avec elle et sa tante.');
    await page.selectOption('#f-agreement', 'agrees');
    await page.fill('#f-child_signed_name', 'سلمى');
    await page.fill('#f-child_signed_on', today());
    await page.selectOption('#f-child_signed_how', 'signature');
    await page.click('#save-plan');
    await page.waitForSelector('.flash');
    assert.equal(await page.inputValue('#f-g0_a0_who'), 'Fatima', 'the action saved');
    await page.locator('.pers-moves form input[name="status"][value="agreed"]').locator('xpath=..').locator('button').click();
    await page.waitForSelector('.flash');
    assert.match(new URL(page.url()).search, /tab=plan/);
    assert.equal(await page.locator('.pers-goal').count(), 1);
    assert.match(await page.locator('.pers-act').first().textContent(), /Atelier lecture le mercredi/);
    await screenshot(page, 'person-plan-agreed-ar-360');
    const plans = (await api('GET', `/api/v1/persons/${mine.id}/plans`, undefined, tok(EDU))).json();
    const list = Array.isArray(plans) ? plans : plans.items;
    assert.equal(list[0].status, 'agreed');
    minePlan = list[0];
    assert.equal(list[0].goals?.[0]?.actions?.[0]?.who ?? 'Fatima', 'Fatima');

    await page.goto(`/persons/${mine.id}?tab=reviews&lang=ar`);
    await page.click('#record-review');
    await page.waitForSelector('.error-summary a[href="#f-changes"]');
    await page.fill('#f-changes', `Elle lit un album seule depuis janvier ${TAG}.`);
    await page.click('#record-review');
    await page.waitForSelector('.flash');
    assert.match(await page.locator('.pers-review').first().textContent(), new RegExp(`depuis janvier ${TAG}`));
    await noSidewaysScroll(page, 360, 'the reviews tab');
    await screenshot(page, 'person-review-recorded-ar-360');
    const plan = (await api('GET', `/api/v1/persons/${mine.id}/plans/${list[0].id}`, undefined, tok(EDU))).json();
    assert.equal(plan.reviews.length, 1);
  });
});

describe('the director', () => {
  let page;
  let context;
  before(async () => {
    ({ page, context } = await newPage(browser, { width: 1280, height: 900, bypassCSP: true }));
    await loginDirector(page);
  });
  after(async () => { await context?.close(); });

  test('sees who read the file and gives access for a time, then ends it after confirming', async () => {
    await page.goto(`/persons/${mine.id}?tab=access`);
    const reads = await page.locator('.pers-reads li').count();
    assert.ok(reads >= 3, `the educator's readings are listed (${reads})`);
    await page.locator('#grants summary').click();
    const edu = d.user(EDU);
    await page.selectOption('#f-user_id', String(edu.id));
    await page.fill('#f-until', dayOffset(30));
    await page.fill('#f-reason', 'Remplacement pendant les congés');
    await page.click('form[action$="/grants"] button[type="submit"]');
    await page.waitForSelector('.flash');
    assert.equal(await page.locator('#grants tbody tr').count(), 1);
    await screenshot(page, 'person-access-fr-1280');
    const v = await axeViolations(page);
    assert.deepEqual(v, [], JSON.stringify(v, null, 1));
    page.once('dialog', (dlg) => dlg.accept());
    await page.click('#grants tbody form button');
    await page.waitForSelector('.flash');
    assert.equal(await page.locator('#grants .tag--off').count(), 1, 'the access is ended');
  });
});

const PAGES = [
  { name: 'list', who: 'mere', path: () => '/persons' },
  { name: 'identity', who: 'mere', path: () => `/persons/${mine.id}?tab=identity` },
  { name: 'needs', who: 'mere', path: () => `/persons/${mine.id}?tab=needs` },
  { name: 'plan', who: 'mere', path: () => `/persons/${mine.id}?tab=plan` },
  { name: 'reviews', who: 'mere', path: () => `/persons/${mine.id}?tab=reviews` },
  { name: 'plan-draft', who: 'mere', path: () => `/persons/${other.id}/plans/${otherPlan.id}` },
  { name: 'plan-agreed', who: 'mere', path: () => `/persons/${mine.id}/plans/${minePlan.id}` },
  { name: 'need-form', who: 'mere', path: () => `/persons/${mine.id}/needs/health` },
  { name: 'new', who: 'mere', path: () => '/persons/new' },
  { name: 'edit', who: 'mere', path: () => `/persons/${mine.id}/edit` },
  { name: 'home', who: 'mere', path: () => '/' },
  { name: 'domains', who: 'mere', path: () => '/person-domains' },
  { name: 'domains-admin', who: 'admin', path: () => '/person-domains' },
  { name: 'dir-list', who: 'dir', path: () => '/persons' },
  { name: 'access', who: 'dir', path: () => `/persons/${mine.id}?tab=access` },
  { name: 'settings', who: 'dir', path: () => `/person-settings/${d.eps1.id}` },
  { name: 'eps', who: 'dir', path: () => `/admin/nodes/${d.eps1.id}` },
  { name: 'dir-home', who: 'dir', path: () => '/' },
];

for (const lang of ['fr', 'ar']) {
  describe(`the persons' pages in ${lang}`, () => {
    const ctx = {};
    before(async () => {
      ctx.mere = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
      await login(ctx.mere.page, MERE);
      ctx.admin = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
      await login(ctx.admin.page, ADMIN_EMAIL, ADMIN_PASSWORD);
      ctx.dir = await newPage(browser, { width: 1280, height: 900, bypassCSP: true });
      await loginDirector(ctx.dir.page);
    });
    after(async () => {
      for (const x of Object.values(ctx)) await x?.context.close();
    });
    for (const p of PAGES) {
      test(`${p.name}: right direction, fits 360 px, no serious axe finding, screenshots`, async () => {
        const w = ctx[p.who].page;
        const url = `${p.path()}${p.path().includes('?') ? '&' : '?'}lang=${lang}`;
        for (const width of [1280, 360]) {
          await w.setViewportSize({ width, height: width === 360 ? 780 : 900 });
          const res = await w.goto(url);
          assert.equal(res.status(), 200, url);
          assert.deepEqual(await langDir(w), { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' });
          await noSidewaysScroll(w, width, url);
          await screenshot(w, `person-${p.name}-${lang}-${width}`);
          if (width === 1280) {
            const v = await axeViolations(w);
            assert.deepEqual(v, [], `${url}: ${JSON.stringify(v, null, 1)}`);
          }
        }
        assert.deepEqual(w.problems.filter((x) => !/Content Security Policy/.test(x)), []);
      });
    }
  });
}
