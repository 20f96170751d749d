// scope-referentiels.test.mjs - the référentiels' routes that take an id, for
// every known demo login (lib.mjs scopeCheck, the pattern of scope.test.mjs).
// A published référentiel is read by everyone signed in and managed only by
// those who hold quality.write where it belongs (403 for the others); a
// draft is absent (404) for whoever does not manage it. Objects: a published
// référentiel of the platform, a draft of the platform (root admin), a draft
// of Association Amal (its quality advisor), and an id that does not exist.
// Afterwards nothing has changed.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, uniq, signIn, dbValue, scopeCheck, ADMIN_EMAIL } from './lib.mjs';
import { demoActor } from './fixture.mjs';

const ACTORS = [
  'directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'admin@nour.ma', 'admin@amal.ma', 'directrice@nour.ma',
  'mere.fatima', 'educateur.casa', 'referent.casa@amal.ma', 'conseil@amal.ma', 'inspecteur@entraide.ma',
  'observateur@entraide.ma',
];
const ABSENT = 987654;

let d;
let objects; // [{kind, id, node, label, draft, item, code}]
let before_;

function doc(code) {
  return {
    format: 'jouda-referentiel/1', code, version: 1, title_fr: `Scope ${code}`,
    items: [{ code: '1', title_fr: 'Thème' }, { code: '1.1', parent_code: '1', title_fr: 'Critère' }],
  };
}

async function snapshot() {
  const rows = dbValue("SELECT COUNT(*) || ':' || COALESCE(SUM(rev), 0) || ':' || COALESCE(SUM(CASE status WHEN 'draft' THEN 1 WHEN 'published' THEN 2 ELSE 3 END * id), 0) FROM referentiels");
  const items = dbValue('SELECT COUNT(*) FROM ref_items');
  const audit = dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'referentiel'");
  return { rows, items, audit };
}

before(async () => {
  d = await demo();
  const root = { token: tokenFor(ADMIN_EMAIL) };
  const qa = { token: tokenFor('conseil@amal.ma') };
  const list = (await api('GET', '/api/v1/referentiels', undefined, root)).json().items;
  const q4c = list.find((r) => r.code === 'Q4C' && r.status === 'published');
  const rootDraft = (await api('POST', '/api/v1/referentiels', doc(uniq('SR-').toUpperCase()), root)).json();
  const amalDraft = (await api('POST', '/api/v1/referentiels', doc(uniq('SA-').toUpperCase()), qa)).json();
  const firstItem = (id) => Number(dbValue(`SELECT id FROM ref_items WHERE referentiel_id = ${id} ORDER BY ord LIMIT 1`));
  objects = [
    { kind: 'referentiel', id: q4c.id, node: d.root.id, label: 'published, platform', draft: false, code: 'Q4C' },
    { kind: 'referentiel', id: rootDraft.id, node: d.root.id, label: 'draft, platform', draft: true, code: rootDraft.code },
    { kind: 'referentiel', id: amalDraft.id, node: d.assoc1.id, label: 'draft, Amal', draft: true, code: amalDraft.code },
  ];
  for (const o of objects) o.item = firstItem(o.id);
  before_ = await snapshot();
});

test('the objects of the scope test exist', () => {
  assert.equal(objects.length, 3);
  for (const o of objects) {
    assert.ok(o.id > 0, `${o.label} has an id`);
    assert.ok(o.item > 0, `${o.label} has an item`);
  }
});

function routesOf(c, tok) {
  const r = (label, perm, read, call, more = {}) => ({ kind: 'referentiel', label, perm, read, call, ...more });
  const shows = (res, o) => (res.text.includes(o.code) ? null : `does not show ${o.code}`);
  const draftOr409 = (o) => (o.draft ? 200 : 409);
  return [
    r('GET /referentiels/{id}', 'authenticated', true, (o) => c.get(`/referentiels/${o.id}`), { verify: shows }),
    r('API GET /api/v1/referentiels/{id}', 'authenticated', true, (o) => api('GET', `/api/v1/referentiels/${o.id}`, undefined, tok),
      { verify: (res, o) => (res.json().code === o.code ? null : 'another document') }),
    r('API GET /api/v1/referentiels/{id}.csv', 'authenticated', true, (o) => api('GET', `/api/v1/referentiels/${o.id}.csv`, undefined, tok),
      { verify: (res) => (res.text.includes('code,parent_code') ? null : 'no CSV header') }),
    r('GET /referentiels/{id}/edit', 'quality.write', true, (o) => c.get(`/referentiels/${o.id}/edit`), { ok: draftOr409 }),
    r('GET /referentiels/{id}/items/new', 'quality.write', true, (o) => c.get(`/referentiels/${o.id}/items/new`), { ok: draftOr409 }),
    r('GET /referentiels/{id}/items/{item}/edit', 'quality.write', true, (o) => c.get(`/referentiels/${o.id}/items/${o.item}/edit`), { ok: draftOr409 }),
    r('POST /referentiels/{id}', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}`, { title_fr: 'Piraté', rev: '1' })),
    r('POST /referentiels/{id}/publish', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/publish`, { rev: '1', confirm: '1' })),
    r('POST /referentiels/{id}/archive', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/archive`, { rev: '1', confirm: '1' })),
    r('POST /referentiels/{id}/new-version', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/new-version`, {})),
    r('POST /referentiels/{id}/delete', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/delete`, { rev: '1', confirm: '1' })),
    r('POST /referentiels/{id}/items', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/items`, { code: '9', title_fr: 'Intrus', rev: '1' })),
    r('POST /referentiels/{id}/items/{item}', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/items/${o.item}`, { code: '1', title_fr: 'Piraté', rev: '1' })),
    r('POST /referentiels/{id}/items/{item}/delete', 'quality.write', false, (o) => c.post(`/referentiels/${o.id}/items/${o.item}/delete`, { rev: '1', confirm: '1' })),
    r('API POST /api/v1/referentiels/{id}/publish', 'quality.write', false, (o) => api('POST', `/api/v1/referentiels/${o.id}/publish`, undefined, tok)),
    r('API POST /api/v1/referentiels/{id}/archive', 'quality.write', false, (o) => api('POST', `/api/v1/referentiels/${o.id}/archive`, undefined, tok)),
    r('API POST /api/v1/referentiels/{id}/versions', 'quality.write', false, (o) => api('POST', `/api/v1/referentiels/${o.id}/versions`, undefined, tok)),
  ];
}

for (const login of ACTORS) {
  describe(`référentiels in the scope of ${login}`, () => {
    test('404 for drafts they do not manage, 403 for writes on what they only read, 200 for reads', async (t) => {
      const actor = demoActor(d, login);
      const c = await signIn(login);
      const tok = { token: tokenFor(login) };
      const visible = (o) => !o.draft || actor.can('quality.write', o.node);
      const inside = objects.filter(visible);
      const outside = [...objects.filter((o) => !visible(o)),
        { kind: 'referentiel', id: ABSENT, node: null, label: 'does not exist', absent: true, code: '?', item: ABSENT }];
      const res = await scopeCheck({ actor, routes: routesOf(c, tok), inside, outside });
      t.diagnostic(`${login}: ${res.outside} requests outside, ${res.inside} inside`);
      assert.deepEqual(res.wrong, []);
      assert.deepEqual(res.read, ['referentiel'], 'a référentiel was read by id');
      // the list holds what they may read: the published ones, and the drafts they manage
      const listed = new Set((await api('GET', '/api/v1/referentiels', undefined, tok)).json().items.map((x) => x.id));
      for (const o of objects) assert.equal(listed.has(o.id), visible(o), `${o.label} listed: ${visible(o)}`);
    });
  });
}

test('nothing changed', async () => {
  assert.deepEqual(await snapshot(), before_);
});
