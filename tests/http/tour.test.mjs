// tour.test.mjs - the user tour of the product, as people meet it: reading
// pages writes nothing, the audit log reads as words, notifications follow
// the reader's language, staff land on their own unit, mixed directions in
// Arabic, confirmation before disabling or removing, the new-user form
// reports every error at once, and one definition of a node's accounts.
// Each test creates what it changes (tests share one database).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, api, tokenFor, demo, uniq, show, signIn, parseForm, formFields, decodeEntities, htmlLangDir, smallPdf,
  ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const FSI = '\u2068';
const PDI = '\u2069';
let d;
let admin;
let dir;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
  dir = { token: tokenFor(DIR) };
});

/* ------------------------------------------------------------ helpers -- */

/** The <main> of a page (the whole page when there is none). */
function mainOf(html) {
  const m = html.match(/<main\b[\s\S]*?<\/main>/i);
  return m ? m[0] : html;
}

/** What a person reads: tags removed, entities decoded, spaces collapsed. */
function visible(html) {
  return decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** The rows of the tables of a page (thead rows included). */
function tableRows(html) {
  return html.match(/<tr\b[\s\S]*?<\/tr>/gi) || [];
}

/** The decoded texts of the <bdi> elements of a fragment. */
function bdiTexts(html) {
  return [...html.matchAll(/<bdi\b[^>]*>([\s\S]*?)<\/bdi>/gi)].map((m) => visible(m[1]));
}

/** Links to nodes of a fragment: [{id, text}]. */
function nodeLinks(html) {
  return [...html.matchAll(/<a\b[^>]*href="\/admin\/nodes\/(\d+)"[^>]*>([\s\S]*?)<\/a>/gi)]
    .map((m) => ({ id: Number(m[1]), text: visible(m[2]) }));
}

/** The error summary of a page, or null. */
function errorSummary(html) {
  const m = html.match(/<div\b[^>]*class="[^"]*\berror-summary\b[^"]*"[^>]*>[\s\S]*?<\/div>/i);
  return m ? m[0] : null;
}

/** A whole number as pages write it (spaces as thousands separators). */
function number(s) {
  const digits = String(s).replace(/[^0-9]/g, '');
  return digits === '' ? NaN : Number(digits);
}

async function auditTotal() {
  const res = await api('GET', '/api/v1/audit?limit=1', undefined, admin);
  assert.equal(res.status, 200, show(res));
  return res.json().total;
}

async function getUser(id) {
  const res = await api('GET', `/api/v1/users/${id}`, undefined, admin);
  assert.equal(res.status, 200, show(res));
  return res.json();
}

/** A fresh account made by the director through the API. */
async function newUser(prefix, { name = 'Compte Visite', roles = [{ role: 'staff', node_id: d.eps1.id }], password = 'Tour-test-2026-pass' } = {}) {
  const res = await api('POST', '/api/v1/users', {
    username: uniq(prefix), name, password, language: 'fr', roles,
  }, dir);
  assert.equal(res.status, 201, show(res));
  return { ...res.json(), password };
}

/** Give a role through the form of the person's page, as a person would. */
async function grantByForm(client, userId, role, nodeId) {
  const page = await client.get(`/admin/users/${userId}?lang=fr`);
  assert.equal(page.status, 200, show(page));
  const form = parseForm(page.text, `/admin/users/${userId}/roles`);
  assert.ok(form, `the grant form of /admin/users/${userId}`);
  const res = await client.post(form.action, { ...formFields(form), role, role_node: String(nodeId) });
  assert.equal(res.status, 303, show(res));
}

/** The label of each option of a select of a form: {code: label}. */
function optionLabels(html, action, field) {
  const form = parseForm(html, action);
  assert.ok(form, `a form posting to ${action}`);
  const opts = form.fields[`__options_${field}`];
  assert.ok(Array.isArray(opts) && opts.length > 0, `options of ${field}`);
  return Object.fromEntries(opts.map((o) => [o.value, o.label]));
}

let labelsCache = null;
/** Labels of the unit kinds and roles in French and Arabic, read from the
 *  server's own forms (so a reworded translation does not break the tests). */
async function labels() {
  if (labelsCache) return labelsCache;
  const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  const out = {};
  for (const lang of ['fr', 'ar']) {
    const unitForm = await c.get(`/admin/nodes/new?parent=${d.eps1.id}&kind=unit&lang=${lang}`);
    assert.equal(unitForm.status, 200, show(unitForm));
    const userForm = await c.get(`/admin/users/new?lang=${lang}`);
    assert.equal(userForm.status, 200, show(userForm));
    out[lang] = {
      unitKind: optionLabels(unitForm.text, '/admin/nodes', 'unit_kind'),
      role: optionLabels(userForm.text, '/admin/users', 'role'),
    };
  }
  labelsCache = out;
  return out;
}

/* ------------------------------------------------- 2. no GET writes -- */

describe('reading pages writes nothing', () => {
  test('a language link (GET ?lang=ar) writes no audit row and leaves the account unchanged (language and version)', async () => {
    const u = await newUser('lien.');
    const c = await signIn(u.username, u.password);
    const before = await auditTotal();
    const home = await c.get('/?lang=ar');
    assert.equal(home.status, 200, show(home));
    assert.deepEqual(htmlLangDir(home.text), { lang: 'ar', dir: 'rtl' });
    const profile = await c.get('/profile?lang=en');
    assert.equal(profile.status, 200, show(profile));
    assert.equal(htmlLangDir(profile.text).lang, 'en');
    const notes = await c.get('/notifications?lang=ar');
    assert.equal(notes.status, 200, show(notes));
    const after = await getUser(u.id);
    assert.equal(after.language, 'fr', 'the saved language is unchanged');
    assert.equal(after.version, u.version, 'the account was not written (same version)');
    assert.equal(await auditTotal(), before, 'no audit row for a language link');
  });

  test('GETs over the main pages, in three languages, as seven demo users leave the audit total unchanged', async () => {
    const who = [
      [DIR], ['mere.fatima'], ['educateur.casa'], ['referent.casa@amal.ma'], ['admin@amal.ma'],
      ['inspecteur@entraide.ma'], [ADMIN_EMAIL, ADMIN_PASSWORD],
    ];
    // signing in writes audit rows: sign everyone in first
    const clients = [];
    for (const [login, password] of who) clients.push([login, await signIn(login, password)]);
    const before = await auditTotal();
    let pages = 0;
    for (const [login, c] of clients) {
      const home = await c.get('/?lang=fr');
      assert.equal(home.status, 200, `${login}: ${show(home)}`);
      const nav = home.text.match(/<nav class="main-nav"[\s\S]*?<\/nav>/);
      const links = nav ? [...nav[0].matchAll(/href="([^"]+)"/g)].map((m) => decodeEntities(m[1])) : [];
      for (const href of ['/', ...links, '/profile', '/notifications']) {
        for (const lang of ['fr', 'ar', 'en']) {
          const res = await c.get(`${href}${href.includes('?') ? '&' : '?'}lang=${lang}`);
          // a director's persons stay closed until two-step verification (403 with the way to it)
          const closed = href === '/persons' && res.status === 403 && res.text.includes('href="/profile/totp"');
          assert.ok(res.status === 200 || closed, `${login}: GET ${href} in ${lang}: ${show(res)}`);
          pages++;
        }
      }
    }
    const anon = await new Client().get('/login?lang=ar');
    assert.equal(anon.status, 200, show(anon));
    assert.ok(pages > 40, `pages read: ${pages}`);
    assert.equal(await auditTotal(), before, `audit total after ${pages} GETs`);
  });
});

/* ------------------------------------------- 3. the audit log in words -- */

describe('the audit log reads as words', () => {
  let unit;
  let adminPage;
  before(async () => {
    const res = await api('POST', '/api/v1/nodes', {
      parent_id: d.eps1.id, kind: 'unit', name: uniq('Maison du journal '), unit_kind: 'family_house',
    }, admin);
    assert.equal(res.status, 201, show(res));
    unit = res.json();
    adminPage = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  });

  async function unitRow(lang) {
    const page = await adminPage.get(`/admin/audit?lang=${lang}`);
    assert.equal(page.status, 200, show(page));
    const row = tableRows(page.text).find((r) => r.includes(`href="/admin/nodes/${unit.id}"`));
    assert.ok(row, `a row of /admin/audit links to the new unit ${unit.id}`);
    return { page, row };
  }

  test('in French, a unit\'s creation shows "Maison familiale" and "Rattaché à" with the EPS\'s name linked to /admin/nodes/{id}, not unit_kind, parent_id, family_house or node_id', async () => {
    const L = await labels();
    assert.equal(L.fr.unitKind.family_house, 'Maison familiale');
    const { page, row } = await unitRow('fr');
    const text = visible(row);
    assert.ok(text.includes('Maison familiale'), `the unit kind's label: ${text}`);
    const parentItem = (row.match(/<li\b[\s\S]*?<\/li>/gi) || []).find((li) => visible(li).startsWith('Rattaché à'));
    assert.ok(parentItem, `a "Rattaché à" line: ${text}`);
    assert.ok(nodeLinks(parentItem).some((a) => a.id === d.eps1.id && a.text === d.eps1.name),
      `"Rattaché à" links the EPS by name to /admin/nodes/${d.eps1.id}: ${parentItem}`);
    const shown = visible(mainOf(page.text));
    for (const code of ['unit_kind', 'parent_id', 'family_house', 'node_id :', 'node_id:']) {
      assert.equal(shown.includes(code), false, `the page shows "${code}"`);
    }
  });

  test('in Arabic, a unit\'s creation shows the Arabic label of its kind and the EPS\'s Arabic name (name_ar)', async () => {
    const L = await labels();
    const ar = L.ar.unitKind.family_house;
    assert.ok(/[\u0600-\u06FF]/.test(ar), `an Arabic label for family_house: ${ar}`);
    assert.ok(d.eps1.name_ar, 'the EPS has an Arabic name');
    const { page, row } = await unitRow('ar');
    assert.deepEqual(htmlLangDir(page.text), { lang: 'ar', dir: 'rtl' });
    const text = visible(row);
    assert.ok(text.includes(ar), `the Arabic label "${ar}": ${text}`);
    assert.ok(nodeLinks(row).some((a) => a.id === d.eps1.id && a.text === d.eps1.name_ar),
      `the EPS by its Arabic name, linked to /admin/nodes/${d.eps1.id}: ${text}`);
    assert.equal(text.includes(d.eps1.name), false, `the EPS's French name in the Arabic page: ${text}`);
    for (const code of ['unit_kind', 'parent_id', 'family_house']) assert.equal(text.includes(code), false, code);
  });

  test('after a role is granted through the API, the audit row names the person and the place, not user_id or node_id', async () => {
    const u = await newUser('journal.', { name: 'Ilham Journal' });
    const g = await api('POST', `/api/v1/users/${u.id}/roles`, { role: 'staff', node_id: d.maison1.id }, dir);
    assert.equal(g.status, 201, show(g));
    const page = await adminPage.get('/admin/audit?lang=fr&entity=role');
    assert.equal(page.status, 200, show(page));
    const row = tableRows(page.text).find((r) => visible(r).includes('Ilham Journal') && nodeLinks(r).some((a) => a.id === d.maison1.id));
    assert.ok(row, `a row naming "Ilham Journal" and linking Maison 1 (${d.maison1.id}): ${visible(mainOf(page.text)).slice(0, 1500)}`);
    const text = visible(row);
    assert.ok(nodeLinks(row).some((a) => a.id === d.maison1.id && a.text === d.maison1.name), `the place by name: ${text}`);
    for (const code of ['user_id', 'node_id', 'staff']) assert.equal(text.includes(code), false, `"${code}" in: ${text}`);
  });

  test('the API audit keeps codes: changes.unit_kind.to is "family_house" and changes.parent_id.to the EPS\'s id', async () => {
    const res = await api('GET', '/api/v1/audit?entity=node&limit=100', undefined, admin);
    assert.equal(res.status, 200, show(res));
    const row = res.json().items.find((r) => r.entity_id === unit.id && r.action === 'create');
    assert.ok(row, `the creation of unit ${unit.id} in /api/v1/audit`);
    assert.equal(row.changes.unit_kind.to, 'family_house');
    assert.equal(row.changes.parent_id.to, d.eps1.id);
  });
});

/* ----------------------------------------- 4. notifications at read time -- */

describe('notifications are rendered in the reader\'s language', () => {
  let u;
  let L;
  before(async () => {
    L = await labels();
    assert.ok(d.eps2.name_ar, 'Dar Bouazza has an Arabic name');
    // made by the national admin so that a role at another EPS can be added
    const res = await api('POST', '/api/v1/users', {
      username: uniq('notif.'), name: 'Siham Avis', password: 'Notify-tour-2026', language: 'fr',
      roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, admin);
    assert.equal(res.status, 201, show(res));
    u = res.json();
    await grantByForm(await signIn(ADMIN_EMAIL, ADMIN_PASSWORD), u.id, 'quality_referent', d.eps2.id);
  });

  function notificationItems(html) {
    return (html.match(/<li\b[^>]*class="[^"]*\bnotification\b[^"]*"[^>]*>[\s\S]*?<\/li>/gi) || []).map(visible);
  }

  test('/notifications?lang=ar shows the role\'s Arabic label and the EPS\'s name_ar, not its French name', async () => {
    const c = await signIn(u.username, 'Notify-tour-2026');
    const page = await c.get('/notifications?lang=ar');
    assert.equal(page.status, 200, show(page));
    const roleAr = L.ar.role.quality_referent;
    assert.ok(/[\u0600-\u06FF]/.test(roleAr), `Arabic label of quality_referent: ${roleAr}`);
    const items = notificationItems(page.text);
    const item = items.find((t) => t.includes(d.eps2.name_ar));
    assert.ok(item, `a notification naming ${d.eps2.name_ar}: ${JSON.stringify(items)}`);
    assert.ok(item.includes(roleAr), `the role's Arabic label "${roleAr}": ${item}`);
    assert.equal(item.includes(d.eps2.name), false, `the French name in: ${item}`);
  });

  test('/notifications?lang=fr shows the same notification with the French label and name', async () => {
    const c = await signIn(u.username, 'Notify-tour-2026');
    const page = await c.get('/notifications?lang=fr');
    assert.equal(page.status, 200, show(page));
    const items = notificationItems(page.text);
    const item = items.find((t) => t.includes(d.eps2.name));
    assert.ok(item, `a notification naming ${d.eps2.name}: ${JSON.stringify(items)}`);
    assert.ok(item.includes(L.fr.role.quality_referent), `the role's French label: ${item}`);
    assert.equal(item.includes(d.eps2.name_ar), false, item);
  });

  test('GET /api/v1/notifications text follows ?lang= of the request (bearer token)', async () => {
    const t = { token: tokenFor(u.username) };
    const ar = await api('GET', '/api/v1/notifications?lang=ar', undefined, t);
    assert.equal(ar.status, 200, show(ar));
    const arItem = ar.json().items.find((n) => n.text.includes(d.eps2.name_ar));
    assert.ok(arItem, `an Arabic text naming ${d.eps2.name_ar}: ${ar.text.slice(0, 600)}`);
    assert.ok(arItem.text.includes(L.ar.role.quality_referent), arItem.text);
    const fr = await api('GET', '/api/v1/notifications?lang=fr', undefined, t);
    assert.equal(fr.status, 200, show(fr));
    const frItem = fr.json().items.find((n) => n.id === arItem.id);
    assert.ok(frItem, 'the same notification in French');
    assert.ok(frItem.text.includes(d.eps2.name) && frItem.text.includes(L.fr.role.quality_referent), frItem.text);
    assert.equal(frItem.text.includes(d.eps2.name_ar), false, frItem.text);
  });

  test('notification texts wrap the inserted role and place in U+2068 ... U+2069 (API in French, page in Arabic)', async () => {
    const res = await api('GET', '/api/v1/notifications?lang=fr', undefined, { token: tokenFor(u.username) });
    assert.equal(res.status, 200, show(res));
    const n = res.json().items.find((x) => x.text.includes(d.eps2.name));
    assert.ok(n, 'the French notification of the API');
    assert.ok(n.text.includes(`${FSI}${d.eps2.name}${PDI}`), `the place isolated: ${JSON.stringify(n.text)}`);
    assert.ok(n.text.includes(`${FSI}${L.fr.role.quality_referent}${PDI}`), `the role isolated: ${JSON.stringify(n.text)}`);
    const c = await signIn(u.username, 'Notify-tour-2026');
    const page = await c.get('/notifications?lang=ar');
    const item = notificationItems(page.text).find((t) => t.includes(d.eps2.name_ar));
    assert.ok(item, 'the Arabic notification');
    assert.ok(item.includes(`${FSI}${d.eps2.name_ar}${PDI}`), `the place isolated: ${JSON.stringify(item)}`);
    assert.ok(item.includes(`${FSI}${L.ar.role.quality_referent}${PDI}`), `the role isolated: ${JSON.stringify(item)}`);
  });
});

/* ------------------------------------------- 5. staff land on their unit -- */

describe('a house mother lands on her own unit', () => {
  const MOTHER = 'mere.fatima';

  test('mere.fatima\'s home shows Maison 1, its EPS and a documents section with an upload form, not the EPS-wide figures or the other houses', async () => {
    const c = await signIn(MOTHER);
    const home = await c.get('/?lang=fr');
    assert.equal(home.status, 200, show(home));
    const main = mainOf(home.text);
    const text = visible(main);
    assert.match(text, /Maison 1(?!\d)/, 'her unit');
    assert.ok(text.includes(d.eps1.name), 'its establishment');
    assert.match(main, /<h2\b[^>]*id="documents-title"|<h2\b[^>]*>\s*Documents\s*</, 'a documents section');
    const form = parseForm(home.text, `/admin/nodes/${d.maison1.id}/documents`);
    assert.ok(form, `an upload form posting to /admin/nodes/${d.maison1.id}/documents`);
    assert.equal(form.method, 'POST');
    assert.equal(form.enctype, 'multipart/form-data');
    assert.equal(form.fields.back, '/', 'the form comes back home');
    assert.match(main, /<input\b[^>]*type="file"[^>]*name="file"|<input\b[^>]*name="file"[^>]*type="file"/, 'a file input');
    // (her own caseload card has figures of her children: not the establishment's)
    const mainWithoutCaseload = main.replace(/<section[^>]*aria-labelledby="h-person-home"[\s\S]*?<\/section>/, '');
    assert.doesNotMatch(mainWithoutCaseload, /class="stat"/, 'no stat tiles of the establishment');
    assert.doesNotMatch(text, /\bUnités\b/, 'no "Unités" figure');
    for (const n of d.children(d.eps1.id)) {
      if (n.id === d.maison1.id) continue;
      assert.equal(text.includes(n.name), false, `another unit of the EPS: ${n.name}`);
    }
  });

  test('mere.fatima uploads a document from her home page (back=/), is sent back to "/" and sees it listed', async () => {
    const c = await signIn(MOTHER);
    const home = await c.get('/?lang=fr');
    const form = parseForm(home.text, `/admin/nodes/${d.maison1.id}/documents`);
    assert.ok(form, 'the upload form of the home page');
    const filename = `${uniq('releve-')}.pdf`;
    const res = await c.postMultipart(form.action, formFields(form), [{ field: 'file', filename, type: 'application/pdf', data: smallPdf() }]);
    assert.equal(res.status, 303, show(res));
    assert.equal(new URL(res.location, 'http://x').pathname, '/', `redirected home: ${res.location}`);
    const again = await c.get('/');
    assert.equal(again.status, 200, show(again));
    assert.ok(decodeEntities(again.text).includes(filename), 'the document is listed on her home page');
  });

  test('an upload without a file answers 422 with the French error summary and the form again', async () => {
    const c = await signIn(MOTHER);
    const home = await c.get('/?lang=fr');
    const form = parseForm(home.text, `/admin/nodes/${d.maison1.id}/documents`);
    assert.ok(form, 'the upload form of the home page');
    const res = await c.postMultipart(form.action, formFields(form), []);
    assert.equal(res.status, 422, show(res));
    assert.equal(htmlLangDir(res.text).lang, 'fr');
    const summary = errorSummary(res.text);
    assert.ok(summary, 'an error summary');
    assert.match(visible(summary), /problème/i, `in French: ${visible(summary)}`);
    assert.match(summary, /href="#f-file"/, 'it points at the file field');
    assert.ok(parseForm(res.text, `/admin/nodes/${d.maison1.id}/documents`), 'the upload form again');
  });

  test('an empty file answers 422 with the Arabic error summary (page in Arabic) and the form again', async () => {
    const c = await signIn(MOTHER);
    const home = await c.get('/?lang=ar');
    assert.equal(htmlLangDir(home.text).lang, 'ar');
    const form = parseForm(home.text, `/admin/nodes/${d.maison1.id}/documents`);
    assert.ok(form, 'the upload form of the Arabic home page');
    const res = await c.postMultipart(form.action, formFields(form), [{ field: 'file', filename: 'vide.pdf', type: 'application/pdf', data: Buffer.alloc(0) }]);
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(htmlLangDir(res.text), { lang: 'ar', dir: 'rtl' });
    const summary = errorSummary(res.text);
    assert.ok(summary, 'an error summary');
    assert.match(visible(summary), /[\u0600-\u06FF]/, `in Arabic: ${visible(summary)}`);
    assert.ok(parseForm(res.text, `/admin/nodes/${d.maison1.id}/documents`), 'the upload form again');
    await c.get('/?lang=fr');
  });
});

/* ------------------------------------------ 6. mixed directions in Arabic -- */

describe('mixed directions in Arabic pages', () => {
  test('a document\'s size is not wrapped in dir="ltr" on the Arabic page of its unit', async () => {
    const c = await signIn(DIR);
    const filename = `${uniq('taille-')}.pdf`;
    const page = await c.get(`/admin/nodes/${d.maison1.id}?lang=ar`);
    const form = parseForm(page.text, `/admin/nodes/${d.maison1.id}/documents`);
    assert.ok(form, 'the upload form of the unit page');
    const up = await c.postMultipart(form.action, formFields(form), [{ field: 'file', filename, type: 'application/pdf', data: smallPdf() }]);
    assert.equal(up.status, 303, show(up));
    const ar = await c.get(`/admin/nodes/${d.maison1.id}?lang=ar`);
    assert.equal(ar.status, 200, show(ar));
    const row = tableRows(ar.text).find((r) => decodeEntities(r).includes(filename));
    assert.ok(row, 'the document\'s row');
    const cells = row.match(/<td\b[\s\S]*?<\/td>/gi) || [];
    const size = cells.find((td) => /class="[^"]*\bnum\b/.test(td));
    assert.ok(size, `a size cell: ${row}`);
    assert.match(visible(size), /\d/, 'a size');
    assert.doesNotMatch(size, /dir="ltr"/, `the size cell: ${size}`);
    await c.get('/?lang=fr');
  });

  test('the Arabic users list isolates every name in <bdi> and every email or username in <bdi> or a dir="ltr" element', async () => {
    const c = await signIn(DIR);
    const page = await c.get('/admin/users?lang=ar');
    assert.equal(page.status, 200, show(page));
    const rows = tableRows(page.text).filter((r) => /<td\b/.test(r));
    assert.ok(rows.length > 5, `rows: ${rows.length}`);
    for (const row of rows) {
      const cells = row.match(/<td\b[\s\S]*?<\/td>/gi);
      assert.match(cells[0], /<a\b[^>]*href="\/admin\/users\/\d+"[^>]*>\s*<bdi>[^<]+<\/bdi>\s*<\/a>/, `name cell: ${cells[0]}`);
      assert.match(cells[1], /<(bdi|[a-z]+\b[^>]*\bdir="ltr")[^>]*>[^<]+</, `login cell: ${cells[1]}`);
    }
    await c.get('/?lang=fr');
  });

  test('the Arabic audit page isolates the author, the person and the place of a grant in <bdi>', async () => {
    const u = await newUser('bdi.', { name: 'Wafae Isolée' });
    await grantByForm(await signIn(DIR), u.id, 'staff', d.maison1.id);
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const page = await c.get('/admin/audit?lang=ar&entity=role');
    assert.equal(page.status, 200, show(page));
    const row = tableRows(page.text).find((r) => visible(r).includes('Wafae Isolée'));
    assert.ok(row, 'the grant row names the person');
    const isolated = bdiTexts(row);
    const director = d.user(DIR).name;
    assert.ok(isolated.includes(director), `the author in <bdi>: ${JSON.stringify(isolated)}`);
    assert.ok(isolated.includes('Wafae Isolée'), `the person in <bdi>: ${JSON.stringify(isolated)}`);
    assert.ok(isolated.includes(d.maison1.name_ar || d.maison1.name), `the place in <bdi>: ${JSON.stringify(isolated)}`);
    await c.get('/?lang=fr');
  });
});

/* ----------------------------- 7. confirmation before disabling or removing -- */

describe('confirmation before disabling an account or removing a role', () => {
  test('POST /admin/users/{id}/disable without confirm=1: 200 with a form to the same action carrying confirm=1 and the CSRF token, nothing changed; with confirm=1: 303 and disabled', async () => {
    const u = await newUser('conf.', { name: 'Nawal Confirme' });
    const c = await signIn(DIR);
    const auditBefore = await auditTotal();
    const action = `/admin/users/${u.id}/disable`;
    const ask = await c.post(action, {});
    assert.equal(ask.status, 200, show(ask));
    const form = parseForm(ask.text, action);
    assert.ok(form, `a form posting to ${action}`);
    assert.equal(form.method, 'POST');
    assert.equal(form.fields.confirm, '1', 'confirm=1');
    assert.ok(form.fields._csrf && form.fields._csrf.length > 10, 'the CSRF token');
    const unchanged = await getUser(u.id);
    assert.equal(unchanged.active, true, 'still active');
    assert.equal(unchanged.version, u.version, 'not written');
    assert.equal(await auditTotal(), auditBefore, 'no audit row for the question');
    const done = await c.post(action, formFields(form));
    assert.equal(done.status, 303, show(done));
    assert.equal((await getUser(u.id)).active, false, 'disabled after confirm=1');
  });

  test('POST /admin/users/{id}/roles/{role}/delete without confirm=1: 200 with a confirmation form, the role kept; with confirm=1: 303 and removed', async () => {
    const u = await newUser('confrole.', {
      name: 'Jamila Deuxroles',
      roles: [{ role: 'staff', node_id: d.eps1.id }, { role: 'staff', node_id: d.maison1.id }],
    });
    const role = u.roles.find((r) => r.node_id === d.maison1.id);
    assert.ok(role, 'the role at Maison 1');
    const c = await signIn(DIR);
    const auditBefore = await auditTotal();
    const action = `/admin/users/${u.id}/roles/${role.id}/delete`;
    const ask = await c.post(action, {});
    assert.equal(ask.status, 200, show(ask));
    const form = parseForm(ask.text, action);
    assert.ok(form, `a form posting to ${action}`);
    assert.equal(form.method, 'POST');
    assert.equal(form.fields.confirm, '1', 'confirm=1');
    assert.ok(form.fields._csrf && form.fields._csrf.length > 10, 'the CSRF token');
    assert.equal((await getUser(u.id)).roles.length, 2, 'both roles kept');
    assert.equal(await auditTotal(), auditBefore, 'no audit row for the question');
    const done = await c.post(action, formFields(form));
    assert.equal(done.status, 303, show(done));
    const after = await getUser(u.id);
    assert.deepEqual(after.roles.map((r) => r.id), u.roles.filter((r) => r.id !== role.id).map((r) => r.id), 'the role is removed');
  });
});

/* --------------------------------------- 8. every error of the new-user form -- */

describe('the new-user form reports every error at once', () => {
  async function submit(fields) {
    const c = await signIn(DIR);
    const page = await c.get('/admin/users/new?lang=fr');
    assert.equal(page.status, 200, show(page));
    const form = parseForm(page.text, '/admin/users');
    assert.ok(form, 'the new-user form');
    return c.post('/admin/users', { ...formFields(form), role: 'staff', role_node: String(d.maison1.id), ...fields });
  }
  function passwordInput(html) {
    const m = html.match(/<input\b[^>]*\bname="password"[^>]*>/i);
    assert.ok(m, 'a password input');
    return m[0];
  }

  test('a used username and an invalid email are both listed in the 422 summary, and the valid password is kept in its field', async () => {
    const password = 'Kept-password-2026';
    const res = await submit({ name: 'Imane Doublon', username: 'mere.fatima', email: 'pas-une-adresse', password });
    assert.equal(res.status, 422, show(res));
    const summary = errorSummary(res.text);
    assert.ok(summary, 'an error summary');
    assert.match(summary, /href="#f-username"/, `the username error in the summary: ${visible(summary)}`);
    assert.match(summary, /href="#f-email"/, `the email error in the summary: ${visible(summary)}`);
    const input = passwordInput(res.text);
    assert.ok(input.includes(`value="${password}"`), `the password field keeps the typed password: ${input}`);
  });

  test('a refused password is listed with the other errors and never sent back', async () => {
    const res = await submit({ name: 'Imane Doublon', username: 'mere.fatima', email: 'pas-une-adresse', password: 'court' });
    assert.equal(res.status, 422, show(res));
    const summary = errorSummary(res.text);
    assert.ok(summary, 'an error summary');
    for (const f of ['username', 'email', 'password']) assert.match(summary, new RegExp(`href="#f-${f}"`), `${f} in: ${visible(summary)}`);
    assert.equal(res.text.includes('value="court"'), false, 'the refused password is not echoed');
    assert.doesNotMatch(passwordInput(res.text), /\bvalue="[^"]+"/, 'the password field is empty');
  });
});

/* ------------------------------------- 10. one definition of the accounts -- */

describe('one definition of a node\'s accounts', () => {
  /** The figure of the top tiles whose label names the accounts. */
  function topAccounts(html) {
    const main = mainOf(html);
    const m = main.match(/class="stat__value">([^<]*)<\/span>\s*<span class="stat__label">[^<]*comptes? utilisateurs?/i);
    assert.ok(m, `an accounts tile at the top of the home page: ${visible(main).slice(0, 600)}`);
    return number(m[1]);
  }

  test('admin@amal.ma: the accounts figure at the top of the home page equals the one of the Association Amal panel', async () => {
    const c = await signIn('admin@amal.ma');
    const home = await c.get('/?lang=fr');
    assert.equal(home.status, 200, show(home));
    const top = topAccounts(home.text);
    const main = mainOf(home.text);
    const start = main.indexOf(`href="/admin/nodes/${d.assoc1.id}"`);
    assert.ok(start >= 0, 'a panel linking Association Amal');
    const panel = main.slice(start, main.indexOf('</section>', start));
    const m = visible(panel).match(/([\d\s\u00a0\u202f]+)\s+comptes? utilisateurs?/i);
    assert.ok(m, `the panel's accounts figure: ${visible(panel).slice(0, 300)}`);
    assert.equal(top, number(m[1]), `top ${top}, Amal panel ${number(m[1])}`);
  });

  test('admin@jouda.ma: the accounts figure at the top of the home page equals /api/v1/users?active=true total (a disabled account exists)', async () => {
    const u = await newUser('off.', { name: 'Compte Désactivé' });
    const off = await api('PATCH', `/api/v1/users/${u.id}`, { version: u.version, active: false }, dir);
    assert.equal(off.status, 200, show(off));
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const home = await c.get('/?lang=fr');
    assert.equal(home.status, 200, show(home));
    const top = topAccounts(home.text);
    const res = await api('GET', '/api/v1/users?active=true&limit=1', undefined, admin);
    assert.equal(res.status, 200, show(res));
    const all = await api('GET', '/api/v1/users?limit=1', undefined, admin);
    assert.ok(all.json().total > res.json().total, 'the API filters out the disabled account');
    assert.equal(top, res.json().total, `top ${top}, active accounts ${res.json().total}, all accounts ${all.json().total}`);
  });
});
