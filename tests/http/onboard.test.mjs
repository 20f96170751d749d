// onboard.test.mjs - the wizard opening a new establishment (issue 11, section
// 6), through its pages as a quality advisor uses it and through POST
// /api/v1/onboard: an advisor of an association opens an EPS with two units,
// a director and a quality referent (the result page shows each temporary
// password once and is not cached; the new director signs in with it, sees
// the EPS and its roadmap open at its first step; one "onboard" audit row);
// the same page posted again creates nothing; the wizard's rule (directors,
// staff, observers 403; an advisor or admin of another association 404 for
// this one); bad input refused with messages in French and Arabic, what was
// typed kept and nothing written (nodes and accounts counted before and
// after); an email that has an account refused, at its step and at the last
// one; CSRF refused; a transfer kit previewed then applied with the rest.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  api, tokenFor, demo, show, translation, dbValue, signIn, uniq, parseForm, formFields, decodeEntities,
  Client, BIN, DB_URL, ADMIN_EMAIL,
} from './lib.mjs';

const ADV = 'conseil@amal.ma';
const DIR = 'directrice.casa@amal.ma';
const STAFF = 'educateur.casa';
const OBS = 'observateur@entraide.ma';
const NOUR_ADMIN = 'admin@nour.ma';
const tok = (l) => ({ token: tokenFor(l) });
let d;

const counts = () => ({
  nodes: dbValue('SELECT COUNT(*) FROM nodes'),
  users: dbValue('SELECT COUNT(*) FROM users'),
  roles: dbValue('SELECT COUNT(*) FROM user_roles'),
  steps: dbValue('SELECT COUNT(*) FROM road_steps'),
  onboard: dbValue("SELECT COUNT(*) FROM audit_log WHERE action = 'onboard'"),
});
const h1 = (res) => decodeEntities((res.text.match(/<h1>([^<]*)<\/h1>/) || [])[1] || '');
const form = (res) => formFields(parseForm(res.text, '/onboard'));
const passwords = (res) => [...res.text.matchAll(/<code[^>]*class="onb-password"[^>]*>([^<]*)<\/code>/g)].map((m) => m[1]);

/** Through the four steps as a person fills them; returns every answer. */
async function wizard(c, { eps = {}, people = {}, kit = null, allowUnsigned = false, create = true, lang = null } = {}) {
  const out = {};
  out.start = await c.get(lang ? `/onboard?lang=${lang}` : '/onboard');
  assert.equal(out.start.status, 200, show(out.start));
  out.people = await c.post('/onboard', { ...form(out.start), ...eps });
  if (out.people.status !== 200) return out;
  out.kit = await c.post('/onboard', { ...form(out.people), ...people });
  if (out.kit.status !== 200) return out;
  const files = kit ? [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: kit }] : [];
  const f = { ...form(out.kit), go: 'next' };
  if (allowUnsigned) f.allow_unsigned = '1';
  out.review = await c.postMultipart('/onboard', f, files);
  if (out.review.status !== 200) return out;
  out.review_form = form(out.review);
  if (!create) return out;
  out.done = await c.post('/onboard', { ...out.review_form, go: 'create' });
  return out;
}

/** An unsigned kit: exported by a new instance of its own (a temporary
 *  SQLite file, just initialised: no key, the référentiels and the template
 *  shipped with the program, which the test database holds already). */
function unsignedKit() {
  const dir = mkdtempSync(join(tmpdir(), 'jouda-onb-'));
  const db = join(dir, 'other.db');
  const file = join(dir, 'kit.zip');
  const env = { ...process.env, JOUDA_KEY_FILE: join(dir, 'other.key'), JOUDA_ADMIN_PASSWORD: 'Autre-instance-2026' };
  const opts = { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 };
  execFileSync(BIN, ['init', '--db', db, '--admin-email', 'admin@autre.ma'], opts);
  execFileSync(BIN, ['kit', 'export', '--db', db, '--out', file], opts);
  const zip = readFileSync(file);
  rmSync(dir, { recursive: true, force: true });
  return zip;
}

before(async () => {
  d = await demo();
});

describe('a quality advisor opens an establishment through the pages', () => {
  let made; // {id, director, referent, passwords}
  test('two units, a director and a referent in one go; the passwords shown once', async () => {
    const c = await signIn(ADV);
    const before = counts();
    const name = uniq('Foyer Assistant ');
    const email = `${uniq('dir.')}@example.org`;
    const username = uniq('ref.');
    const w = await wizard(c, {
      eps: { name, name_ar: 'دار المساعد', category: 'children', region: 'fes_meknes', capacity: '36', association_id: String(d.assoc1.id), unit_name_1: 'Maison Alpha', unit_kind_1: 'family_house', unit_name_2: 'Foyer Beta' },
      people: { director_name: 'Samira Bennani', director_email: email, director_language: 'ar', referent_name: 'Youssef Alami', referent_username: username },
    });
    assert.equal(w.people.status, 200, show(w.people));
    assert.equal(w.kit.status, 200, show(w.kit));
    assert.equal(w.review.status, 200, show(w.review));
    assert.ok(w.review.text.includes('Maison Alpha') && w.review.text.includes('Samira Bennani'), 'the review shows what will be created');
    assert.equal(w.done.status, 200, show(w.done));
    assert.match(w.done.headers['cache-control'] || '', /no-store/);
    assert.ok(h1(w.done).includes(name), h1(w.done));
    const pw = passwords(w.done);
    assert.equal(pw.length, 2, 'a temporary password for each account');
    for (const p of pw) assert.match(p, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    assert.notEqual(pw[0], pw[1]);
    const after = counts();
    assert.equal(after.nodes - before.nodes, 3, 'the EPS and its two units');
    assert.equal(after.users - before.users, 2);
    assert.equal(after.onboard - before.onboard, 1, 'one onboard audit row');
    const id = Number(dbValue(`SELECT id FROM nodes WHERE name = '${name}'`));
    assert.ok(id > 0);
    assert.equal(dbValue(`SELECT COUNT(*) FROM nodes WHERE parent_id = ${id} AND kind = 'unit'`), '2');
    assert.equal(dbValue(`SELECT parent_id FROM nodes WHERE id = ${id}`), String(d.assoc1.id));
    assert.equal(dbValue(`SELECT entity FROM audit_log WHERE action = 'onboard' AND entity_id = ${id}`), 'node');
    assert.ok(w.done.text.includes(`href="/roadmap/${id}"`), 'a link to its roadmap');
    assert.ok(w.done.text.includes(`/campaigns/new?node_id=${id}`), 'a link to its first self-assessment');
    const camp = await c.get(`/campaigns/new?node_id=${id}`);
    assert.equal(camp.status, 200, show(camp));
    assert.equal(parseForm(camp.text, '/campaigns').fields.node_id, String(id), 'the new EPS chosen beforehand');
    made = { id, email, username, passwords: pw, review: w.review_form };
  });

  test('the new director signs in with the shown password and finds the EPS and its roadmap at its first step', async () => {
    assert.ok(made);
    const c = await signIn(made.email, made.passwords[0]);
    let res = await c.api('GET', `/api/v1/nodes/${made.id}`);
    assert.equal(res.status, 200, show(res));
    res = await c.api('GET', '/api/v1/me');
    assert.equal(res.status, 200, show(res));
    const me = res.json();
    assert.equal(me.language, 'ar');
    assert.ok(me.roles.some((r) => r.role === 'director' && r.node_id === made.id), JSON.stringify(me.roles));
    res = await c.api('GET', `/api/v1/roadmap?node_id=${made.id}`);
    assert.equal(res.status, 200, show(res));
    const steps = res.json().steps;
    assert.equal(steps.length, 9);
    assert.equal(steps[0].status, 'in_progress');
    assert.ok(steps.slice(1).every((s) => s.status === 'todo'), JSON.stringify(steps.map((s) => s.status)));
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.ok(!home.text.includes('href="/onboard"'), 'a director has no wizard card');
    // the referent signs in by username
    const q = await signIn(made.username, made.passwords[1]);
    res = await q.api('GET', `/api/v1/nodes/${made.id}`);
    assert.equal(res.status, 200, show(res));
  });

  test('the last page posted again creates nothing and says so', async () => {
    assert.ok(made);
    const c = await signIn(ADV);
    await c.get('/onboard');
    const before = counts();
    const res = await c.post('/onboard', { ...made.review, go: 'create', _csrf: c.lastCsrf });
    assert.equal(res.status, 409, show(res));
    assert.ok(res.text.includes(`/admin/nodes/${made.id}`), 'a link to the establishment');
    assert.ok(!/onb-password/.test(res.text), 'passwords are never shown again');
    assert.deepEqual(counts(), before);
  });

  test('the last page posted twice at once creates one establishment; the other post says so (409)', async () => {
    const c = await signIn(ADV);
    const name = uniq('Foyer Double ');
    const w = await wizard(c, {
      eps: { name, category: 'children', association_id: String(d.assoc1.id) },
      people: { director_name: 'Nabil Double', director_email: `${uniq('dir.double.')}@example.org` },
      create: false,
    });
    assert.equal(w.review.status, 200, show(w.review));
    const before = counts();
    const both = await Promise.all([0, 1].map(() => c.post('/onboard', { ...w.review_form, go: 'create' })));
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => show(r)).join('\n'));
    assert.equal(dbValue(`SELECT COUNT(*) FROM nodes WHERE name = '${name}'`), '1');
    const after = counts();
    assert.equal(after.users - before.users, 1, 'one director account');
    assert.equal(after.onboard - before.onboard, 1);
  });

  test('more unit rows, back and edit keep everything typed; nothing is written before the last step', async () => {
    const c = await signIn(ADV);
    const before = counts();
    const start = await c.get('/onboard');
    let res = await c.post('/onboard', { ...form(start), name: 'Foyer Retour', category: 'elderly', unit_name_1: 'Aile Nord', go: 'rows' });
    assert.equal(res.status, 200, show(res));
    let f = form(res);
    assert.ok('unit_name_5' in f && !('unit_name_7' in f), 'three more rows');
    assert.equal(f.unit_name_1, 'Aile Nord');
    for (let i = 0; i < 4; i++) res = await c.post('/onboard', { ...form(res), go: 'rows' });
    f = form(res);
    assert.ok('unit_name_12' in f && !('unit_name_13' in f), 'twelve rows at most');
    assert.ok(!res.text.includes('value="rows"'), 'no more rows offered');
    res = await c.post('/onboard', { ...f, director_name: 'ignored here' });
    assert.equal(res.status, 200, show(res));
    assert.equal(h1(res), translation('fr', 'The people'));
    // the next steps carry what step 1 holds, the number of its rows too
    const carried = form(res);
    assert.equal(carried.unit_rows, '12', 'the rows shown ride along');
    assert.equal(carried.unit_name_1, 'Aile Nord');
    res = await c.post('/onboard', { ...carried, director_name: 'Karim Back', go: 'back' });
    assert.equal(h1(res), translation('fr', 'The establishment'));
    f = form(res);
    assert.ok('unit_name_12' in f, 'back on step 1, its twelve rows are still shown');
    assert.equal(f.name, 'Foyer Retour');
    assert.equal(f.category, 'elderly');
    assert.equal(f.unit_name_1, 'Aile Nord');
    assert.equal(f.director_name, 'Karim Back', 'the other step\'s values ride along');
    assert.deepEqual(counts(), before);
  });

  test('the home page offers the wizard to advisors and admins', async () => {
    for (const login of [ADV, 'admin@amal.ma']) {
      const c = await signIn(login);
      const home = await c.get('/');
      assert.ok(home.text.includes('href="/onboard"'), `${login}: the card`);
    }
  });
});

describe('who may use the wizard', () => {
  test('directors, staff and observers are refused (403), pages and API', async () => {
    for (const login of [DIR, STAFF, OBS]) {
      const c = await signIn(login);
      let res = await c.get('/onboard');
      assert.equal(res.status, 403, `${login} GET: ${show(res)}`);
      res = await c.post('/onboard', { step: '1', association_id: String(d.assoc1.id), name: 'X', category: 'children' });
      assert.equal(res.status, 403, `${login} POST: ${show(res)}`);
      res = await api('POST', '/api/v1/onboard', { association_id: d.assoc1.id, name: 'X', category: 'children' }, tok(login));
      assert.equal(res.status, 403, `${login} API: ${show(res)}`);
      // before the body is read: a kit announced at 5 MiB, 64 KiB sent
      res = await c.request('POST', '/onboard', {
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(5 * 1024 * 1024) },
        body: Buffer.alloc(64 * 1024, 0x20),
      }).catch((e) => ({ status: 'error', text: String(e), headers: {} }));
      assert.equal(res.status, 403, `${login} upload: ${res.text}`);
    }
  });

  test('an advisor or an admin of another association cannot open one under this one (404)', async () => {
    const login = `${uniq('conseil.nour.')}@example.org`;
    const password = 'Conseil-Nour-2026';
    const res0 = await api('POST', '/api/v1/users', {
      email: login, name: 'Conseillère Nour', password, language: 'fr', roles: [{ role: 'quality_advisor', node_id: d.assoc2.id }],
    }, tok(ADMIN_EMAIL));
    assert.equal(res0.status, 201, show(res0));
    const before = counts();
    for (const who of [login, NOUR_ADMIN]) {
      const c = await signIn(who, who === login ? password : undefined);
      let res = await c.get('/onboard');
      assert.equal(res.status, 200, show(res));
      const f = form(res);
      const opts = parseForm(res.text, '/onboard').fields.__options_association_id.map((o) => o.value).filter(Boolean);
      assert.deepEqual(opts, [String(d.assoc2.id)], 'only their own association is offered');
      res = await c.post('/onboard', { ...f, association_id: String(d.assoc1.id), name: 'Intrus', category: 'children' });
      assert.equal(res.status, 404, `${who} page: ${show(res)}`);
      const t = await c.api('POST', '/api/v1/onboard', { association_id: d.assoc1.id, name: 'Intrus', category: 'children' });
      assert.equal(t.status, 404, `${who} API: ${show(t)}`);
    }
    // an EPS or a unit is not an association
    const t = await api('POST', '/api/v1/onboard', { association_id: d.eps1.id, name: 'Sous un EPS', category: 'children' }, tok(ADV));
    assert.equal(t.status, 422, show(t));
    assert.ok(t.json().error.fields.association_id);
    assert.deepEqual(counts(), before);
  });

  test('a form without its CSRF token is refused and writes nothing', async () => {
    const c = await signIn(ADV);
    const start = await c.get('/onboard');
    const f = form(start);
    delete f._csrf;
    const before = counts();
    const res = await c.post('/onboard', { ...f, name: 'Sans jeton', category: 'children', step: '4', go: 'create' }, { csrf: false });
    assert.equal(res.status, 403, show(res));
    const a = await c.api('POST', '/api/v1/onboard', { association_id: d.assoc1.id, name: 'Sans jeton', category: 'children' }, { csrf: false });
    assert.equal(a.status, 403, show(a));
    assert.deepEqual(counts(), before);
  });
});

describe('what is refused, in the reader\'s language, with nothing written', () => {
  test('step 1 in French and in Arabic: messages by field, what was typed kept', async () => {
    for (const lang of ['fr', 'ar']) {
      const c = await signIn(ADV, undefined, { lang });
      const start = await c.get(`/onboard?lang=${lang}`);
      const before = counts();
      const res = await c.post('/onboard', {
        ...form(start), name: '', name_ar: 'اسم محفوظ', category: '', capacity: 'beaucoup', unit_kind_1: 'family_house', unit_name_2: 'Maison Double', unit_name_3: 'Maison Double',
      });
      assert.equal(res.status, 422, show(res));
      assert.ok(res.text.includes(`lang="${lang}"`));
      for (const msgid of ['Enter a name.', 'Choose the category of the establishment.', "Enter the unit's name, or leave its kind empty.", 'Two units have this name: give each its own.']) {
        const want = lang === 'fr' ? translation('fr', msgid) : translation('ar', msgid);
        assert.ok(decodeEntities(res.text).includes(want), `${lang}: ${msgid}`);
      }
      assert.ok(res.text.includes('اسم محفوظ') && res.text.includes('value="beaucoup"'), 'typed values kept');
      assert.deepEqual(counts(), before);
    }
  });

  test('the last step checks everything again (hidden fields changed): 422, nothing written', async () => {
    const c = await signIn(ADV, undefined, { lang: 'ar' });
    const w = await wizard(c, { eps: { name: uniq('Foyer '), category: 'children' }, people: {}, create: false, lang: 'ar' });
    assert.equal(w.review.status, 200, show(w.review));
    assert.ok(w.review.text.includes('onb-warn'), 'no director: a warning');
    const before = counts();
    const res = await c.post('/onboard', { ...w.review_form, category: 'nope', go: 'create' });
    assert.equal(res.status, 422, show(res));
    assert.ok(decodeEntities(res.text).includes(translation('ar', 'Choose a value from the list.')));
    assert.deepEqual(counts(), before);
  });

  test('the API answers 422 with the body\'s field names', async () => {
    const before = counts();
    const res = await api('POST', '/api/v1/onboard', {
      association_id: d.assoc1.id, name: '', category: 'children', units: [{ name: '' }, { name: 'U', unit_kind: 'castle' }],
      director: { name: 'D', email: 'not-an-email' }, surprise: 1,
    }, tok(ADV));
    assert.equal(res.status, 422, show(res));
    const f = res.json().error.fields;
    for (const k of ['name', 'units[0].name', 'units[1].unit_kind', 'director.email', 'surprise']) assert.ok(f[k], `${k}: ${JSON.stringify(f)}`);
    const many = await api('POST', '/api/v1/onboard', {
      association_id: d.assoc1.id, name: 'Trop', category: 'children', units: Array.from({ length: 13 }, (_, i) => ({ name: `U${i}` })),
    }, tok(ADV));
    assert.equal(many.status, 422, show(many));
    assert.ok(many.json().error.fields.units);
    assert.deepEqual(counts(), before);
  });

  test('an email that has an account is refused, at its step and at the last one', async () => {
    const c = await signIn(ADV);
    let before = counts();
    const w = await wizard(c, {
      eps: { name: uniq('Foyer '), category: 'children' },
      people: { director_name: 'Doublon', director_email: DIR },
    });
    assert.equal(w.kit.status, 422, show(w.kit));
    assert.equal(h1(w.kit), translation('fr', 'The people'));
    assert.ok(decodeEntities(w.kit.text).includes(translation('fr', 'An account already uses this email address. Use another address, or give the role to that account from its page once the establishment is open.')));
    assert.ok(w.kit.text.includes(`value="${DIR}"`), 'the typed address is kept');
    assert.deepEqual(counts(), before);
    // the same address for both people
    const both = `${uniq('both.')}@example.org`;
    const w2 = await wizard(c, {
      eps: { name: uniq('Foyer '), category: 'children' },
      people: { director_name: 'Un', director_email: both, referent_name: 'Deux', referent_email: both },
    });
    assert.equal(w2.kit.status, 422, show(w2.kit));
    // taken between the review and "Create": refused then, nothing written
    const fresh = `${uniq('fresh.')}@example.org`;
    const w3 = await wizard(c, {
      eps: { name: uniq('Foyer '), category: 'children', unit_name_1: 'Maison' },
      people: { director_name: 'Nouvelle', director_email: fresh },
    });
    assert.equal(w3.done.status, 200, show(w3.done));
    before = counts();
    const again = await c.post('/onboard', { ...w3.review_form, run: 'x'.repeat(43), go: 'create' });
    assert.equal(again.status, 422, show(again));
    assert.ok(decodeEntities(again.text).includes(translation('fr', 'An account already uses this email address. Use another address, or give the role to that account from its page once the establishment is open.')));
    assert.deepEqual(counts(), before);
    const a = await api('POST', '/api/v1/onboard', { association_id: d.assoc1.id, name: 'API doublon', category: 'children', referent: { name: 'R', email: DIR } }, tok(ADV));
    assert.equal(a.status, 422, show(a));
    assert.ok(a.json().error.fields['referent.email']);
    assert.deepEqual(counts(), before);
  });
});

describe('the API and a transfer kit', () => {
  test('POST /api/v1/onboard answers 201 with the EPS, its accounts and their passwords', async () => {
    const email = `${uniq('api.dir.')}@example.org`;
    const res = await api('POST', '/api/v1/onboard', {
      association_id: d.assoc1.id, name: uniq('EPS API '), name_ar: 'مؤسسة', category: 'women', capacity: 12,
      units: [{ name: 'Unité mère-enfant', unit_kind: 'mother_child' }], director: { name: 'Nadia API', email, language: 'fr' },
    }, tok(ADV));
    assert.equal(res.status, 201, show(res));
    const j = res.json();
    assert.equal(typeof j.id, 'number');
    assert.equal(j.units.length, 1);
    assert.equal(j.accounts.length, 1);
    assert.equal(j.accounts[0].role, 'director');
    const c = await signIn(email, j.accounts[0].password);
    const rm = await c.api('GET', `/api/v1/roadmap?node_id=${j.id}`);
    assert.equal(rm.status, 200, show(rm));
  });

  test('an unsigned kit is refused unless accepted; previewed, then applied with the rest', async () => {
    const kit = unsignedKit();
    const body = { association_id: d.assoc1.id, name: uniq('EPS kit '), category: 'children', kit: kit.toString('base64') };
    const before = counts();
    let res = await api('POST', '/api/v1/onboard', body, tok(ADV));
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json().error.fields.kit);
    res = await api('POST', '/api/v1/onboard?dry_run=1', { ...body, allow_unsigned: true }, tok(ADV));
    assert.equal(res.status, 200, show(res));
    const preview = res.json().kit;
    assert.ok(Array.isArray(preview.items) && preview.items.length > 0, show(res));
    assert.deepEqual(counts(), before, 'a dry run writes nothing');
    // through the pages: the kit's preview on the review page, applied at "Create"
    const c = await signIn(ADV);
    const w = await wizard(c, { eps: { name: uniq('EPS kit page '), category: 'children' }, kit, allowUnsigned: true });
    assert.equal(w.review.status, 200, show(w.review));
    assert.ok(w.review.text.includes('onb-kit-items'), 'the kit\'s items are listed before creating');
    assert.equal(w.done.status, 200, show(w.done));
    const id = Number(dbValue(`SELECT entity_id FROM audit_log WHERE action = 'onboard' ORDER BY id DESC LIMIT 1`));
    assert.ok(dbValue(`SELECT changes FROM audit_log WHERE action = 'onboard' AND entity_id = ${id}`).includes('kit_'), 'the audit row counts the kit');
    // the kit file itself is not kept once the establishment is created
    assert.equal(dbValue('SELECT COUNT(*) FROM onboard_runs WHERE kit IS NOT NULL AND eps_id IS NOT NULL'), '0');
  });
});

test('a signed-out visitor is sent to sign in', async () => {
  const c = new Client();
  const res = await c.get('/onboard');
  assert.equal(res.status, 303);
  assert.match(res.headers.location || '', /^\/login/);
});
