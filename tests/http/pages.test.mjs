// pages.test.mjs - the server-rendered pages: home shows the user's scope,
// the unit form (errors next to fields, values kept, 303 + flash on success),
// edit with a stale version, disable/enable, the profile language, and
// invalid input never giving a 500.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, Client, api, tokenFor, demo, uniq, show, signIn, parseForm, formFields, decodeEntities, htmlLangDir, listAll,
  ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
before(async () => { d = await demo(); });

function text(res) { return decodeEntities(res.text); }

describe('home page', () => {
  test('a director sees her EPS with its units and counts', async () => {
    const c = await signIn(DIR);
    const res = await c.get('/');
    assert.equal(res.status, 200, show(res));
    const t = text(res);
    assert.ok(t.includes(d.eps1.name), 'her EPS');
    assert.ok(t.includes('Maison 1'), 'its units');
    assert.ok(/\b1[0-9]\b/.test(t), 'counts');
    for (const other of [d.eps2, d.eps3, d.nour]) assert.equal(t.includes(other.name), false, other.name);
  });

  test('the national observer sees the network', async () => {
    const c = await signIn('observateur@entraide.ma');
    const t = text(await c.get('/'));
    assert.ok(t.includes(d.assoc1.name) && t.includes(d.assoc2.name), 'both associations');
  });

  test('the second association sees only itself', async () => {
    const c = await signIn('admin@nour.ma');
    const t = text(await c.get('/'));
    assert.ok(t.includes(d.nour.name));
    assert.equal(t.includes(d.assoc1.name), false);
    assert.equal(t.includes(d.eps1.name), false);
  });

  test('every page of the menu opens for each demo role', async () => {
    for (const who of [DIR, 'mere.fatima', 'observateur@entraide.ma', 'inspecteur@entraide.ma', 'admin@nour.ma', 'conseil@amal.ma', 'referent.casa@amal.ma']) {
      const c = await signIn(who);
      const home = await c.get('/');
      const nav = home.text.match(/<nav class="main-nav"[\s\S]*?<\/nav>/);
      const links = nav ? [...nav[0].matchAll(/href="([^"]+)"/g)].map((m) => decodeEntities(m[1])) : [];
      for (const href of [...links, '/profile', '/notifications']) {
        const res = await c.get(href);
        // the persons' files stay closed to a director until two-step
        // verification is set up: the page says so and links to it
        const closed = (r) => href === '/persons' && r.status === 403 && r.text.includes('href="/profile/totp"');
        assert.ok(res.status === 200 || closed(res), `${who}: GET ${href}: ${show(res)}`);
        for (const lang of ['ar', 'en']) {
          const r2 = await c.get(`${href}${href.includes('?') ? '&' : '?'}lang=${lang}`);
          assert.ok(r2.status === 200 || closed(r2), `${who}: GET ${href} in ${lang}`);
          assert.equal(htmlLangDir(r2.text).lang, lang);
        }
      }
    }
  });
});

describe('the unit form', () => {
  let c;
  let form;
  let formUrl;

  before(async () => {
    c = await signIn(DIR);
    const eps = await c.get(`/admin/nodes/${d.eps1.id}`);
    assert.equal(eps.status, 200, show(eps));
    const m = eps.text.match(/href="(\/admin\/nodes\/new\?[^"]*)"/);
    assert.ok(m, 'the EPS page links to the new unit form');
    formUrl = decodeEntities(m[1]);
    const page = await c.get(formUrl);
    assert.equal(page.status, 200, show(page));
    form = parseForm(page.text, '/admin/nodes');
    assert.ok(form, 'a form posting to /admin/nodes');
    assert.equal(form.method, 'POST');
    assert.ok('name' in form.fields && '_csrf' in form.fields);
  });

  test('an empty name: 422 with the error summary, next to the field, values kept', async () => {
    const fields = { ...formFields(form), name: '', name_ar: 'بيت الاختبار' };
    if ('unit_kind' in fields) fields.unit_kind = 'youth_home';
    const res = await c.post('/admin/nodes', fields);
    assert.equal(res.status, 422, show(res));
    assert.match(res.text, /class="error-summary"/);
    assert.match(res.text, /href="#f-name"/);
    assert.match(res.text, /class="field-error"/);
    assert.match(res.text, /aria-describedby="[^"]*f-name-error/);
    assert.ok(res.text.includes('value="بيت الاختبار"'), 'the Arabic name typed is kept');
    if ('unit_kind' in fields) assert.match(res.text, /<option value="youth_home" selected/);
  });

  test('a name too long: 422 and the typed value kept (escaped)', async () => {
    const long = `<b>"x'&` + 'x'.repeat(200);
    const res = await c.post('/admin/nodes', { ...formFields(form), name: long });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.text.includes('&lt;b&gt;&quot;x'), 'kept and escaped');
    assert.equal(res.text.includes('<b>"x'), false, 'never raw');
  });

  test('invalid UTF-8 and control characters: 422, not 500', async () => {
    const fields = formFields(form);
    fields._csrf = c.lastCsrf;
    const body = Object.entries({ ...fields, name: 'PLACEHOLDER' })
      .map(([k, v]) => `${encodeURIComponent(k)}=${k === 'name' ? 'Maison%FF%FE' : encodeURIComponent(v)}`).join('&');
    const res = await c.request('POST', '/admin/nodes', { body, type: 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 422, show(res));
    const res2 = await c.post('/admin/nodes', { ...formFields(form), name: 'Maison\u0007' });
    assert.equal(res2.status, 422, show(res2));
    const res3 = await c.request('POST', '/admin/nodes', { body: '%%%&&&==', type: 'application/x-www-form-urlencoded' });
    assert.ok([400, 403, 422].includes(res3.status), show(res3));
  });

  test('success: 303, then the new unit with a one-time message', async () => {
    const name = uniq('Maison Form ');
    const res = await c.post('/admin/nodes', { ...formFields(form), name });
    assert.equal(res.status, 303, show(res));
    const loc = new URL(res.location, BASE).pathname + new URL(res.location, BASE).search;
    const page = await c.get(loc);
    assert.equal(page.status, 200);
    assert.ok(text(page).includes(name), 'the unit is shown');
    assert.match(page.text, /class="flash"/, 'the confirmation message');
    const again = await c.get(loc);
    assert.doesNotMatch(again.text, /class="flash"/, 'shown once');
    const list = await listAll('/api/v1/nodes', { token: tokenFor(DIR) });
    assert.ok(list.items.some((n) => n.name === name && n.parent_id === d.eps1.id));
  });

  test('415 when a page form is posted as JSON', async () => {
    const res = await c.request('POST', '/admin/nodes', { body: JSON.stringify({ name: 'x' }), type: 'application/json', headers: { 'x-csrf-token': c.lastCsrf } });
    assert.equal(res.status, 415, show(res));
  });

  test('413 when a page form is over 1 MiB', async () => {
    const res = await c.post('/admin/nodes', { ...formFields(form), name: 'x', pad: 'y'.repeat(1200 * 1024) });
    assert.equal(res.status, 413, show(res));
  });
});

describe('editing a node', () => {
  test('the edit form saves; a stale form answers 409 and keeps the other change', async () => {
    const t = { token: tokenFor(DIR) };
    const n = (await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Édition ') }, t)).json();
    const c = await signIn(DIR);
    const page = await c.get(`/admin/nodes/${n.id}/edit`);
    assert.equal(page.status, 200, show(page));
    const form = parseForm(page.text, `/admin/nodes/${n.id}`);
    assert.ok(form, 'edit form');
    assert.equal(form.fields.name, n.name, 'current values filled in');
    // someone else saves first
    const other = await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, name: 'Changé ailleurs' }, t);
    assert.equal(other.status, 200);
    const stale = await c.post(`/admin/nodes/${n.id}`, { ...formFields(form), name: 'Ma version' });
    assert.equal(stale.status, 409, show(stale));
    assert.equal((await api('GET', `/api/v1/nodes/${n.id}`, undefined, t)).json().name, 'Changé ailleurs');
    const fresh = parseForm((await c.get(`/admin/nodes/${n.id}/edit`)).text, `/admin/nodes/${n.id}`);
    const ok = await c.post(`/admin/nodes/${n.id}`, { ...formFields(fresh), name: 'Ma version' });
    assert.equal(ok.status, 303, show(ok));
    assert.equal((await api('GET', `/api/v1/nodes/${n.id}`, undefined, t)).json().name, 'Ma version');
  });

  test('disable and enable a unit', async () => {
    const t = { token: tokenFor(DIR) };
    const n = (await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Bascule ') }, t)).json();
    const c = await signIn(DIR);
    const page = await c.get(`/admin/nodes/${n.id}`);
    const f = parseForm(page.text, `/admin/nodes/${n.id}/disable`);
    assert.ok(f, 'a disable form on the unit page');
    // asked first; nothing changes until the answer
    const ask = await c.post(`/admin/nodes/${n.id}/disable`, formFields(f));
    assert.equal(ask.status, 200, show(ask));
    assert.equal((await api('GET', `/api/v1/nodes/${n.id}`, undefined, t)).json().active, true, 'still active before the answer');
    const yes = parseForm(ask.text, `/admin/nodes/${n.id}/disable`);
    assert.ok(yes && yes.fields.confirm === '1', 'the confirmation posts confirm=1');
    const off = await c.post(`/admin/nodes/${n.id}/disable`, formFields(yes));
    assert.equal(off.status, 303, show(off));
    assert.equal((await api('GET', `/api/v1/nodes/${n.id}`, undefined, t)).json().active, false);
    const page2 = await c.get(`/admin/nodes/${n.id}`);
    const f2 = parseForm(page2.text, `/admin/nodes/${n.id}/enable`);
    assert.ok(f2, 'an enable form once disabled');
    const on = await c.post(`/admin/nodes/${n.id}/enable`, formFields(f2));
    assert.equal(on.status, 303, show(on));
    assert.equal((await api('GET', `/api/v1/nodes/${n.id}`, undefined, t)).json().active, true);
  });
});

describe('users through the pages', () => {
  test('the director creates staff through the form; errors are kept next to the fields', async () => {
    const c = await signIn(DIR);
    const page = await c.get('/admin/users/new');
    assert.equal(page.status, 200, show(page));
    const form = parseForm(page.text, '/admin/users');
    assert.ok(form, 'user form');
    const username = uniq('form.');
    const bad = await c.post('/admin/users', { ...formFields(form), name: 'Zineb Form', username, password: 'court', password_confirm: 'court', role: 'staff', role_node: String(d.maison1.id) });
    assert.equal(bad.status, 422, show(bad));
    assert.match(bad.text, /href="#f-password"/);
    assert.ok(bad.text.includes(`value="${username}"`), 'username kept');
    assert.equal(bad.text.includes('value="court"'), false, 'a password is never sent back');
    const fields = { ...formFields(form), name: 'Zineb Form', username, password: 'Zineb-form-2026', password_confirm: 'Zineb-form-2026' };
    fields.role = 'staff';
    fields.role_node = String(d.maison1.id);
    const ok = await c.post('/admin/users', fields);
    assert.equal(ok.status, 303, show(ok));
    await signIn(username, 'Zineb-form-2026');
  });

  test('the director resets the password of her staff', async () => {
    const t = { token: tokenFor(DIR) };
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('pw.'), name: 'Rachida Reset', password: 'Before-reset-2026', language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    const c = await signIn(DIR);
    const mismatch = await c.post(`/admin/users/${u.id}/password`, { password: 'After-reset-2026', password_confirm: 'Other-2026-xxxx' });
    assert.equal(mismatch.status, 422, show(mismatch));
    const res = await c.post(`/admin/users/${u.id}/password`, { password: 'After-reset-2026', password_confirm: 'After-reset-2026' });
    assert.equal(res.status, 303, show(res));
    await signIn(u.username, 'After-reset-2026');
  });

  test('a disabled user cannot sign in and loses their sessions', async () => {
    const t = { token: tokenFor(DIR) };
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('off.'), name: 'Omar Parti', password: 'Leaving-2026-pass', language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    const victim = await signIn(u.username, 'Leaving-2026-pass');
    const c = await signIn(DIR);
    // first the question, and nothing changes yet
    const ask = await c.post(`/admin/users/${u.id}/disable`, {});
    assert.equal(ask.status, 200, show(ask));
    const confirm = parseForm(ask.text, `/admin/users/${u.id}/disable`);
    assert.ok(confirm && confirm.fields.confirm === '1', 'a confirmation form that posts confirm=1');
    assert.match(decodeEntities(ask.text), /Omar Parti/, 'the question names the account');
    assert.equal((await victim.get('/')).status, 200, 'not disabled before the answer');
    const res = await c.post(`/admin/users/${u.id}/disable`, formFields(confirm));
    assert.equal(res.status, 303, show(res));
    assert.equal((await victim.get('/')).status, 303, 'session ended');
    const again = await new Client().login(u.username, 'Leaving-2026-pass');
    assert.equal(again.status, 401, show(again));
  });
});

describe('profile', () => {
  test('the language chosen in the profile is kept across sessions', async () => {
    const t = { token: tokenFor(DIR) };
    const password = 'Profile-lang-2026';
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('lang.'), name: 'Meryem Langue', password, language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    const c = await signIn(u.username, password);
    const page = await c.get('/profile');
    assert.equal(page.status, 200, show(page));
    const form = parseForm(page.text, '/profile/language');
    assert.ok(form, 'a language form');
    const res = await c.post('/profile/language', { ...formFields(form), language: 'ar' });
    assert.equal(res.status, 303, show(res));
    assert.deepEqual(htmlLangDir((await c.get('/')).text), { lang: 'ar', dir: 'rtl' });
    const later = await signIn(u.username, password);
    assert.deepEqual(htmlLangDir((await later.get('/')).text), { lang: 'ar', dir: 'rtl' }, 'kept for the next session');
    assert.equal((await api('GET', `/api/v1/users/${u.id}`, undefined, t)).json().language, 'ar');
    const bad = await c.post('/profile/language', { ...formFields(form), language: 'xx' });
    assert.equal(bad.status, 422, show(bad));
  });

  test('a language link shows the pages in that language without writing anything', async () => {
    const t = { token: tokenFor(DIR) };
    const password = 'Header-lang-2026';
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('hdr.'), name: 'Nadia Entete', password, language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    const c = await signIn(u.username, password);
    const auditBefore = (await api('GET', '/api/v1/audit?limit=1', undefined, t)).json().total;
    assert.deepEqual(htmlLangDir((await c.get('/?lang=ar')).text), { lang: 'ar', dir: 'rtl' });
    assert.deepEqual(htmlLangDir((await c.get('/')).text), { lang: 'ar', dir: 'rtl' }, 'the next page stays in Arabic');
    const after = (await api('GET', `/api/v1/users/${u.id}`, undefined, t)).json();
    assert.equal(after.language, 'fr', 'the saved preference changes only when the person saves it');
    assert.equal(after.version, u.version, 'the account was not written');
    assert.equal((await api('GET', '/api/v1/audit?limit=1', undefined, t)).json().total, auditBefore, 'no audit row for a GET');
  });

  test('the language chosen on the sign-in page is kept once signed in', async () => {
    const t = { token: tokenFor(DIR) };
    const password = 'Signin-lang-2026';
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('mere.'), name: 'Houda Maison', password, language: 'fr', roles: [{ role: 'staff', node_id: d.maison1.id }],
    }, t)).json();
    const c = new Client();
    const page = await c.get('/login?lang=ar');
    assert.deepEqual(htmlLangDir(page.text), { lang: 'ar', dir: 'rtl' });
    const res = await c.login(u.username, password);
    assert.equal(res.status, 303, show(res));
    const home = await c.get('/');
    assert.equal(home.status, 200, show(home));
    assert.deepEqual(htmlLangDir(home.text), { lang: 'ar', dir: 'rtl' }, 'her home page is in Arabic');
    assert.equal((await api('GET', `/api/v1/users/${u.id}`, undefined, t)).json().language, 'fr', 'her saved preference is unchanged');
  });

  test('changing one\'s password needs the current one', async () => {
    const t = { token: tokenFor(DIR) };
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('mypw.'), name: 'Samira Motdepasse', password: 'Current-pass-2026', language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    const c = await signIn(u.username, 'Current-pass-2026');
    const form = parseForm((await c.get('/profile')).text, '/profile/password');
    assert.ok(form, 'a password form');
    const names = Object.keys(form.fields).filter((k) => k !== '_csrf');
    assert.ok(names.length >= 2, `password fields: ${names}`);
    const cur = names.find((k) => /current|old/.test(k));
    const news = names.filter((k) => k !== cur);
    const wrong = { _csrf: form.fields._csrf, [cur]: 'Not-the-current-2026' };
    for (const k of news) wrong[k] = 'Brand-new-pass-2026';
    const r1 = await c.post('/profile/password', wrong);
    assert.ok([401, 403, 422].includes(r1.status), show(r1));
    const right = { ...wrong, [cur]: 'Current-pass-2026' };
    const r2 = await c.post('/profile/password', right);
    assert.equal(r2.status, 303, show(r2));
    await signIn(u.username, 'Brand-new-pass-2026');
  });
});

describe('errors', () => {
  test('a page that does not exist: 404 page in the language', async () => {
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const res = await c.get('/admin/nodes/987654?lang=ar');
    assert.equal(res.status, 404);
    assert.deepEqual(htmlLangDir(res.text), { lang: 'ar', dir: 'rtl' });
    const res2 = await c.get('/admin/nodes/99999999999999999999999');
    assert.ok([400, 404].includes(res2.status), show(res2));
    const res3 = await c.get('/admin/nodes/-1');
    assert.equal(res3.status, 404);
  });
});
