// home-cache.test.mjs - the national reader's home page is kept between
// requests (app_cache_*) but never shows old figures: every write to the
// tree, to accounts or to roles shows at the next request, whoever made it
// (pages, API, or SQL on the database: the database's own triggers raise
// the data version), and a role ending stops counting at its end without
// any write. Checked on a fresh association of the national admin's home,
// read in English: "N establishments · N units · N user accounts · N places".
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, uniq, show, signIn, dbExec, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';

let d;
let admin;
let page;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
  page = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { lang: 'en' });
});

/** The figures line of association id's panel on the admin's home page. */
async function panelOf(id, lang = 'en') {
  const res = await page.get(`/?lang=${lang}`);
  assert.equal(res.status, 200, show(res));
  const at = res.text.indexOf(`id="assoc-${id}"`);
  assert.ok(at > 0, `the panel of association ${id} is on the home page`);
  const m = res.text.slice(at).match(/<p class="panel__meta">([^<]*)<\/p>/);
  assert.ok(m, 'its figures');
  return m[1].replace(/\s+/g, ' ').trim();
}

async function newNode(body) {
  const res = await api('POST', '/api/v1/nodes', body, admin);
  assert.equal(res.status, 201, show(res));
  return res.json();
}

describe('the national home page, kept between requests', () => {
  test('each write shows at the next request, and an ended role stops counting at its end', async () => {
    const assoc = await newNode({ kind: 'association', name: uniq('Association Cache ') });
    assert.equal(await panelOf(assoc.id), '0 establishments · 0 units · 0 user accounts · 0 places');
    assert.equal(await panelOf(assoc.id), '0 establishments · 0 units · 0 user accounts · 0 places');

    // a new establishment and a new unit (API)
    const eps = await newNode({ parent_id: assoc.id, kind: 'eps', name: uniq('Foyer Cache '), category: 'elderly', capacity: 12 });
    assert.equal(await panelOf(assoc.id), '1 establishment · 0 units · 0 user accounts · 12 places');
    await newNode({ parent_id: eps.id, kind: 'unit', name: uniq('Maison Cache '), unit_kind: 'family_house' });
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 0 user accounts · 12 places');

    // a new account working there (API), another reader's language apart
    const res = await api('POST', '/api/v1/users', {
      username: uniq('cache.'), name: 'Salma Cache', password: 'Home-cache-2026-pass', language: 'fr',
      roles: [{ role: 'director', node_id: eps.id }],
    }, admin);
    assert.equal(res.status, 201, show(res));
    const user = res.json();
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 1 user account · 12 places');
    assert.match(await panelOf(assoc.id, 'fr'), /1 compte utilisateur/);

    // someone from elsewhere with a role there that ends in a few seconds:
    // written by SQL, as no route gives an end so close
    const inFiftyDays = new Date(Date.now() + 50 * 86400e3).toISOString().slice(0, 10);
    const made = await api('POST', '/api/v1/users', {
      username: uniq('cache.insp.'), name: 'Karim Cache', password: 'Home-cache-2026-pass', language: 'fr',
      roles: [{ role: 'inspector', node_id: d.eps1.id, expires_at: inFiftyDays }],
    }, admin);
    assert.equal(made.status, 201, show(made));
    const grant = await api('POST', `/api/v1/users/${made.json().id}/roles`, { role: 'inspector', node_id: eps.id, expires_at: inFiftyDays }, admin);
    assert.equal(grant.status, 201, show(grant));
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 2 user accounts · 12 places');
    const ends = Math.floor(Date.now() / 1000) + 3;
    dbExec(`UPDATE user_roles SET expires_at = ${ends} WHERE id = ${grant.json().id}`);
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 2 user accounts · 12 places');
    while (Math.floor(Date.now() / 1000) <= ends) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 1 user account · 12 places');

    // disabling the account (API), then a capacity changed straight in the database
    const off = await api('PATCH', `/api/v1/users/${user.id}`, { active: false, version: user.version }, admin);
    assert.equal(off.status, 200, show(off));
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 0 user accounts · 12 places');
    dbExec(`UPDATE nodes SET capacity = 30 WHERE id = ${eps.id}`);
    assert.equal(await panelOf(assoc.id), '1 establishment · 1 unit · 0 user accounts · 30 places');
  });
});
