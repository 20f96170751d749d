// api-nodes.test.mjs - the JSON API of the organisation tree: /me, creating
// associations, EPS and units at the right level by the right roles,
// validation (422 with fields), body types (415), sizes (413), versions (409),
// and lists filtered by scope before paging (totals included).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, uniq, show, listAll, rawRequest, signIn, ADMIN_EMAIL } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
before(async () => { d = await demo(); });

function assertError(res, status, field) {
  assert.equal(res.status, status, show(res));
  assert.match(res.headers['content-type'] || '', /^application\/json/);
  const j = res.json();
  assert.equal(typeof j.error?.code, 'string', 'error.code');
  assert.equal(typeof j.error?.message, 'string', 'error.message');
  assert.ok(j.error.message.length > 0);
  if (field) {
    assert.equal(typeof j.error.fields, 'object', `error.fields present: ${JSON.stringify(j)}`);
    assert.ok(j.error.fields && j.error.fields[field], `error.fields.${field}: ${JSON.stringify(j.error)}`);
    assert.equal(typeof j.error.fields[field], 'string', 'field message is a translated sentence');
  }
  return j;
}

describe('GET /api/v1/me', () => {
  test('a director: her role at her EPS', async () => {
    const res = await api('GET', '/api/v1/me', undefined, { token: tokenFor(DIR) });
    assert.equal(res.status, 200, show(res));
    const me = res.json();
    assert.equal(me.id, d.user(DIR).id);
    assert.equal(me.email, DIR);
    assert.equal(typeof me.name, 'string');
    assert.ok(Array.isArray(me.roles));
    assert.ok(me.roles.some((r) => r.role === 'director' && r.node_id === d.eps1.id), JSON.stringify(me.roles));
    assert.equal(JSON.stringify(me).includes('argon2'), false, 'no password hash');
    assert.equal('password_hash' in me, false);
  });

  test('a house mother: staff at Maison 1', async () => {
    const me = (await api('GET', '/api/v1/me', undefined, { token: tokenFor('mere.fatima') })).json();
    assert.equal(me.username, 'mere.fatima');
    assert.ok(me.roles.some((r) => r.role === 'staff' && r.node_id === d.maison1.id), JSON.stringify(me.roles));
  });

  test('the inspector: a role with an expiry in about 90 days', async () => {
    const me = (await api('GET', '/api/v1/me', undefined, { token: tokenFor('inspecteur@entraide.ma') })).json();
    const r = me.roles.find((x) => x.role === 'inspector');
    assert.ok(r, JSON.stringify(me.roles));
    assert.equal(r.node_id, d.eps1.id);
    const now = Date.now() / 1000;
    assert.match(r.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const exp = Date.parse(r.expires_at) / 1000;
    assert.ok(exp > now + 80 * 86400 && exp < now + 100 * 86400, `expires_at ${r.expires_at}`);
  });

  test('observer at the root and admins at their association', async () => {
    const obs = (await api('GET', '/api/v1/me', undefined, { token: tokenFor('observateur@entraide.ma') })).json();
    assert.ok(obs.roles.some((r) => r.role === 'observer' && r.node_id === d.root.id));
    const nour = (await api('GET', '/api/v1/me', undefined, { token: tokenFor('admin@nour.ma') })).json();
    assert.ok(nour.roles.some((r) => r.role === 'admin' && r.node_id === d.assoc2.id));
  });
});

describe('creating nodes', () => {
  test('the root admin creates an association (no parent_id in the API)', async () => {
    const name = uniq('Association Test ');
    const res = await api('POST', '/api/v1/nodes', { kind: 'association', name, name_ar: 'جمعية الاختبار' },
      { token: tokenFor(ADMIN_EMAIL) });
    assert.equal(res.status, 201, show(res));
    const n = res.json();
    assert.equal(typeof n.id, 'number');
    assert.equal(n.kind, 'association');
    assert.equal(n.name, name);
    assert.equal(n.name_ar, 'جمعية الاختبار');
    const got = await api('GET', `/api/v1/nodes/${n.id}`, undefined, { token: tokenFor(ADMIN_EMAIL) });
    assert.equal(got.status, 200);
    assert.equal(got.json().name, name);
  });

  test('an association admin creates an EPS with its category and details', async () => {
    const name = uniq('Foyer Test ');
    const body = {
      parent_id: d.assoc1.id, kind: 'eps', name, category: 'elderly', region: 'fes_meknes',
      province: 'Meknès', capacity: 45, authorisation_no: 'AUT-2026-017',
    };
    const res = await api('POST', '/api/v1/nodes', body, { token: tokenFor('admin@amal.ma') });
    assert.equal(res.status, 201, show(res));
    const n = res.json();
    for (const k of Object.keys(body)) assert.equal(n[k], body[k], `field ${k}`);
    assert.equal(n.version, 1);
    // the new EPS is in the admin's list, not in the other association's
    const nour = await listAll('/api/v1/nodes', { token: tokenFor('admin@nour.ma') });
    assert.equal(nour.items.some((x) => x.id === n.id), false);
  });

  test('an EPS needs only a name and a category', async () => {
    const res = await api('POST', '/api/v1/nodes', { parent_id: d.assoc2.id, kind: 'eps', name: uniq('EPS minimal '), category: 'women' },
      { token: tokenFor('admin@nour.ma') });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().category, 'women');
  });

  test('a director creates a unit in her EPS', async () => {
    const name = uniq('Maison Test ');
    const res = await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name, unit_kind: 'family_house' },
      { token: tokenFor(DIR) });
    assert.equal(res.status, 201, show(res));
    const n = res.json();
    assert.equal(n.parent_id, d.eps1.id);
    assert.equal(n.kind, 'unit');
    assert.equal(n.unit_kind, 'family_house');
    assert.equal(n.name, name);
  });

  test('a unit needs only a name', async () => {
    const res = await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Unité ') }, { token: tokenFor(DIR) });
    assert.equal(res.status, 201, show(res));
  });

  test('out of scope parents answer 404; in scope without the right, 403', async () => {
    const unit = (parent) => ({ parent_id: parent, kind: 'unit', name: uniq('Intrus ') });
    assertError(await api('POST', '/api/v1/nodes', unit(d.eps2.id), { token: tokenFor(DIR) }), 404);
    assertError(await api('POST', '/api/v1/nodes', unit(d.nour.id), { token: tokenFor(DIR) }), 404);
    assertError(await api('POST', '/api/v1/nodes', { parent_id: d.assoc1.id, kind: 'eps', name: 'X', category: 'children' },
      { token: tokenFor(DIR) }), 404);
    assertError(await api('POST', '/api/v1/nodes', { parent_id: d.assoc1.id, kind: 'eps', name: 'X', category: 'children' },
      { token: tokenFor('admin@nour.ma') }), 404);
    assertError(await api('POST', '/api/v1/nodes', unit(999999), { token: tokenFor(DIR) }), 404);
    // staff at the EPS, the observer and the inspector may read the EPS but not change it
    for (const who of ['educateur.casa', 'observateur@entraide.ma', 'inspecteur@entraide.ma', 'referent.casa@amal.ma']) {
      assertError(await api('POST', '/api/v1/nodes', unit(d.eps1.id), { token: tokenFor(who) }), 403);
    }
    // only the root admin creates associations
    assertError(await api('POST', '/api/v1/nodes', { kind: 'association', name: uniq('Asso ') }, { token: tokenFor('admin@amal.ma') }), 403);
  });

  test('the tree keeps its shape', async () => {
    const t = { token: tokenFor(ADMIN_EMAIL) };
    const bad = async (body) => {
      const j = assertError(await api('POST', '/api/v1/nodes', body, t), 422);
      assert.ok(j.error.fields && (j.error.fields.kind || j.error.fields.parent_id), `${JSON.stringify(body)}: ${JSON.stringify(j.error)}`);
    };
    await bad({ parent_id: d.assoc1.id, kind: 'unit', name: 'X' });
    await bad({ parent_id: d.eps1.id, kind: 'eps', name: 'X', category: 'children' });
    await bad({ parent_id: d.maison1.id, kind: 'unit', name: 'X' });
    await bad({ parent_id: d.eps1.id, kind: 'planet', name: 'X' });
    await bad({ parent_id: d.eps1.id, kind: 'root', name: 'X' });
  });
});

describe('validation (422 with error.fields)', () => {
  const tok = () => ({ token: tokenFor(DIR) });
  const unit = (extra) => ({ parent_id: d.eps1.id, kind: 'unit', name: 'Maison valide', ...extra });
  const eps = (extra) => ({ parent_id: d.assoc1.id, kind: 'eps', name: 'EPS valide', category: 'children', ...extra });
  const assoc = () => ({ token: tokenFor('admin@amal.ma') });

  test('missing or empty name', async () => {
    assertError(await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit' }, tok()), 422, 'name');
    assertError(await api('POST', '/api/v1/nodes', unit({ name: '' }), tok()), 422, 'name');
    assertError(await api('POST', '/api/v1/nodes', unit({ name: '   ' }), tok()), 422, 'name');
  });

  test('wrong types', async () => {
    assertError(await api('POST', '/api/v1/nodes', unit({ name: 12 }), tok()), 422, 'name');
    assertError(await api('POST', '/api/v1/nodes', unit({ name: ['a'] }), tok()), 422, 'name');
    assertError(await api('POST', '/api/v1/nodes', eps({ capacity: 'abc' }), assoc()), 422, 'capacity');
    assertError(await api('POST', '/api/v1/nodes', eps({ capacity: -3 }), assoc()), 422, 'capacity');
    assertError(await api('POST', '/api/v1/nodes', eps({ capacity: 1.5 }), assoc()), 422, 'capacity');
  });

  test('unknown codes', async () => {
    assertError(await api('POST', '/api/v1/nodes', eps({ category: 'pirates' }), assoc()), 422, 'category');
    assertError(await api('POST', '/api/v1/nodes', eps({ category: undefined }), assoc()), 422, 'category');
    assertError(await api('POST', '/api/v1/nodes', eps({ region: 'atlantis' }), assoc()), 422, 'region');
    assertError(await api('POST', '/api/v1/nodes', unit({ unit_kind: 'castle' }), tok()), 422, 'unit_kind');
  });

  test('length counted in characters: 200 Arabic letters pass, 201 characters do not', async () => {
    const ok = await api('POST', '/api/v1/nodes', unit({ name: 'ب'.repeat(200) }), tok());
    assert.equal(ok.status, 201, show(ok));
    assert.equal(ok.json().name, 'ب'.repeat(200));
    assertError(await api('POST', '/api/v1/nodes', unit({ name: 'x'.repeat(201) }), tok()), 422, 'name');
    assertError(await api('POST', '/api/v1/nodes', unit({ name: 'é'.repeat(201) }), tok()), 422, 'name');
  });

  test('control characters', async () => {
    assertError(await api('POST', '/api/v1/nodes', unit({ name: 'Maison\u0001' }), tok()), 422, 'name');
    const nul = await api('POST', '/api/v1/nodes', unit({ name: 'Mai\u0000son' }), tok());
    assert.ok([400, 422].includes(nul.status), `NUL in a JSON string: ${show(nul)}`);
    assertError(await api('POST', '/api/v1/nodes', unit({ name: 'Mai\u001bson' }), tok()), 422, 'name');
    assertError(await api('POST', '/api/v1/nodes', unit({ name: 'Maison\u007f' }), tok()), 422, 'name');
  });

  test('unknown fields', async () => {
    assertError(await api('POST', '/api/v1/nodes', unit({ colour: 'red' }), tok()), 422, 'colour');
    assertError(await api('POST', '/api/v1/nodes', unit({ id: 5 }), tok()), 422, 'id');
  });

  test('several errors at once name every field', async () => {
    const j = assertError(await api('POST', '/api/v1/nodes', eps({ name: '', category: 'x', capacity: 'y' }), assoc()), 422, 'name');
    assert.ok(j.error.fields.category && j.error.fields.capacity, JSON.stringify(j.error.fields));
  });

  test('the error message follows the language', async () => {
    // ?lang= wins over the user's own language (French for this director)
    const fr = assertError(await api('POST', '/api/v1/nodes', unit({ name: '' }), tok()), 422, 'name');
    const ar = await api('POST', '/api/v1/nodes?lang=ar', unit({ name: '' }), tok());
    const arj = assertError(ar, 422, 'name');
    assert.match(arj.error.fields.name, /[\u0600-\u06FF]/, `Arabic field message: ${arj.error.fields.name}`);
    assert.notEqual(arj.error.fields.name, fr.error.fields.name);
  });

  test('malformed JSON is 400, never 500', async () => {
    for (const body of ['{"name": ', '{"name":"a",}', 'null', '[1,2]', '"text"', '{"name":"\\ud800"}', '']) {
      const res = await api('POST', '/api/v1/nodes', body, tok());
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${show(res)}`);
      assert.match(res.headers['content-type'] || '', /^application\/json/);
      assert.equal(res.json().error.code, 'bad_request');
    }
    const raw = Buffer.concat([Buffer.from(`{"parent_id":${d.eps1.id},"kind":"unit","name":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await api('POST', '/api/v1/nodes', raw, tok());
    assert.ok([400, 422].includes(res.status), `invalid UTF-8 in JSON: ${show(res)}`);
  });
});

describe('body types and sizes', () => {
  test('415 for text/plain, form data or no type on a JSON route', async () => {
    const body = JSON.stringify({ parent_id: d.eps1.id, kind: 'unit', name: 'Type' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await api('POST', '/api/v1/nodes', body, { token: tokenFor(DIR), type });
      assertError(res, 415);
    }
    const none = await rawRequest('POST', '/api/v1/nodes', { headers: { authorization: `Bearer ${tokenFor(DIR)}` }, body });
    assert.equal(none.status, 415, show(none));
    const patch = await api('PATCH', `/api/v1/nodes/${d.eps1.id}`, '{"name":"x"}', { token: tokenFor(DIR), type: 'text/plain' });
    assertError(patch, 415);
  });

  test('application/json with a charset is fine', async () => {
    const res = await api('POST', '/api/v1/nodes', JSON.stringify({ parent_id: d.eps1.id, kind: 'unit', name: uniq('Charset ') }),
      { token: tokenFor(DIR), type: 'application/json; charset=utf-8' });
    assert.equal(res.status, 201, show(res));
  });

  test('413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ parent_id: d.eps1.id, kind: 'unit', name: 'x', pad: 'y'.repeat(1100 * 1024) });
    const res = await api('POST', '/api/v1/nodes', big, { token: tokenFor(DIR) });
    assertError(res, 413);
    const form = await rawRequest('POST', '/api/v1/nodes', {
      headers: { authorization: `Bearer ${tokenFor(DIR)}`, 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024) },
      body: Buffer.alloc(64 * 1024, 0x20),
    }).catch((e) => ({ status: 'error', text: String(e), headers: {} }));
    assert.equal(form.status, 413, 'announced length over the limit');
    const h = await rawRequest('GET', '/healthz');
    assert.equal(h.status, 200, 'the server is still up');
  });
});

describe('PATCH and versions', () => {
  test('a stale version answers 409 and keeps the current data', async () => {
    const t = { token: tokenFor(DIR) };
    const created = (await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Versions ') }, t)).json();
    assert.equal(created.version, 1);
    const first = await api('PATCH', `/api/v1/nodes/${created.id}`, { version: 1, name: 'Maison renommée' }, t);
    assert.equal(first.status, 200, show(first));
    assert.equal(first.json().name, 'Maison renommée');
    assert.equal(first.json().version, 2);
    const stale = await api('PATCH', `/api/v1/nodes/${created.id}`, { version: 1, name: 'Écrasement' }, t);
    assertError(stale, 409);
    const now = (await api('GET', `/api/v1/nodes/${created.id}`, undefined, t)).json();
    assert.equal(now.name, 'Maison renommée');
    assert.equal(now.version, 2);
  });

  test('PATCH validates like POST', async () => {
    const t = { token: tokenFor(DIR) };
    const n = (await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Patch ') }, t)).json();
    assertError(await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, name: '' }, t), 422, 'name');
    assertError(await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, name: 'x'.repeat(201) }, t), 422, 'name');
    assertError(await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, unit_kind: 'castle' }, t), 422, 'unit_kind');
    assertError(await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, colour: 'red' }, t), 422, 'colour');
    const same = (await api('GET', `/api/v1/nodes/${n.id}`, undefined, t)).json();
    assert.equal(same.version, n.version, 'refused patches change nothing');
  });

  test('the director edits her EPS; the observer may not (403)', async () => {
    const t = { token: tokenFor(DIR) };
    const eps = (await api('GET', `/api/v1/nodes/${d.eps1.id}`, undefined, t)).json();
    const res = await api('PATCH', `/api/v1/nodes/${d.eps1.id}`, { version: eps.version, capacity: eps.capacity + 1 }, t);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().capacity, eps.capacity + 1);
    const back = await api('PATCH', `/api/v1/nodes/${d.eps1.id}`, { version: res.json().version, capacity: eps.capacity }, t);
    assert.equal(back.status, 200, show(back));
    const cur = back.json();
    for (const who of ['observateur@entraide.ma', 'inspecteur@entraide.ma', 'educateur.casa', 'referent.casa@amal.ma']) {
      assertError(await api('PATCH', `/api/v1/nodes/${d.eps1.id}`, { version: cur.version, name: 'Piraté' }, { token: tokenFor(who) }), 403);
      // 403 comes before 415
      assertError(await api('PATCH', `/api/v1/nodes/${d.eps1.id}`, 'name=x', { token: tokenFor(who), type: 'text/plain' }), 403);
    }
    const after = (await api('GET', `/api/v1/nodes/${d.eps1.id}`, undefined, t)).json();
    assert.equal(after.version, cur.version);
    assert.equal(after.name, d.eps1.name);
  });

  test('disabling through PATCH keeps the node readable', async () => {
    const t = { token: tokenFor(DIR) };
    const n = (await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Fermée ') }, t)).json();
    const res = await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, active: false }, t);
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json().active === false || res.json().active === 0);
  });
});

describe('lists', () => {
  test('{items,total}, limit and offset', async () => {
    const t = { token: tokenFor(ADMIN_EMAIL) };
    const res = await api('GET', '/api/v1/nodes?limit=3&offset=0', undefined, t);
    assert.equal(res.status, 200);
    const j = res.json();
    assert.equal(j.items.length, 3);
    assert.ok(j.total >= 75, `total ${j.total}`);
    const next = (await api('GET', '/api/v1/nodes?limit=3&offset=3', undefined, t)).json();
    assert.equal(next.total, j.total);
    assert.equal(next.items.some((x) => j.items.some((y) => y.id === x.id)), false, 'pages do not overlap');
    const beyond = (await api('GET', `/api/v1/nodes?limit=3&offset=${j.total + 10}`, undefined, t)).json();
    assert.deepEqual(beyond.items, []);
    assert.equal(beyond.total, j.total);
  });

  test('bad paging values answer 422', async () => {
    const t = { token: tokenFor(DIR) };
    for (const q of ['limit=abc', 'limit=-1', 'offset=-5', 'offset=x', 'limit=1e3']) {
      assertError(await api('GET', `/api/v1/nodes?${q}`, undefined, t), 422);
    }
  });

  test('the director sees her EPS and its units only; totals agree with the pages', async () => {
    const adminView = await listAll('/api/v1/nodes', { token: tokenFor(ADMIN_EMAIL) });
    const ids = new Set();
    const mine = new Set([d.eps1.id]);
    for (const n of adminView.items) if (n.parent_id === d.eps1.id) mine.add(n.id);
    const small = await listAll('/api/v1/nodes', { token: tokenFor(DIR) }, 4);
    for (const n of small.items) {
      assert.ok(mine.has(n.id), `node ${n.id} ${n.name} is outside the director's EPS`);
      assert.equal(ids.has(n.id), false, 'no duplicates across pages');
      ids.add(n.id);
    }
    assert.equal(small.items.length, small.total, 'total = number of items over the pages');
    assert.equal(small.total, mine.size, 'every node of her EPS is listed');
    const big = await listAll('/api/v1/nodes', { token: tokenFor(DIR) }, 200);
    assert.equal(big.total, small.total);
  });

  test('each association admin sees only their association', async () => {
    const adminView = await listAll('/api/v1/nodes', { token: tokenFor(ADMIN_EMAIL) });
    const byId = new Map(adminView.items.map((n) => [n.id, n]));
    const under = (n, top) => { for (let x = n; x; x = byId.get(x.parent_id)) if (x.id === top) return true; return false; };
    for (const [who, top, otherTop] of [['admin@nour.ma', d.assoc2.id, d.assoc1.id], ['admin@amal.ma', d.assoc1.id, d.assoc2.id]]) {
      const l = await listAll('/api/v1/nodes', { token: tokenFor(who) });
      assert.ok(l.items.length > 0);
      for (const n of l.items) {
        assert.ok(under(byId.get(n.id) || n, top), `${who} sees ${n.name}`);
        assert.equal(under(byId.get(n.id) || n, otherTop), false);
      }
      assert.equal(l.total, adminView.items.filter((n) => under(n, top)).length, `${who}: total`);
    }
  });

  test('staff at a unit sees that unit; the observer sees the whole network', async () => {
    const fatima = await listAll('/api/v1/nodes', { token: tokenFor('mere.fatima') });
    assert.deepEqual(fatima.items.map((n) => n.id), [d.maison1.id]);
    assert.equal(fatima.total, 1);
    const obs = await listAll('/api/v1/nodes', { token: tokenFor('observateur@entraide.ma') });
    const all = await listAll('/api/v1/nodes', { token: tokenFor(ADMIN_EMAIL) });
    assert.equal(obs.total, all.total);
  });

  test('the session sees the same list as the token', async () => {
    const c = await signIn(DIR);
    const res = await c.api('GET', '/api/v1/nodes?limit=200');
    assert.equal(res.status, 200);
    const tok = (await api('GET', '/api/v1/nodes?limit=200', undefined, { token: tokenFor(DIR) })).json();
    assert.equal(res.json().total, tok.total);
  });
});
