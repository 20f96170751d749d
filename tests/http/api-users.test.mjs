// api-users.test.mjs - users through the JSON API: a director creates staff
// who can then sign in by username; nobody grants above their scope; lists of
// users are filtered by scope; no password or hash ever comes back.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, tokenFor, demo, uniq, show, listAll, Client, htmlLangDir, signIn, decodeEntities, translation, ADMIN_EMAIL,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
before(async () => { d = await demo(); });

function noSecrets(obj, password) {
  const s = JSON.stringify(obj);
  assert.equal(/argon2/i.test(s), false, 'no password hash');
  assert.equal(/password_hash/.test(s), false, 'no password_hash field');
  if (password) assert.equal(s.includes(password), false, 'the password is never sent back');
}

function err(res, status, field) {
  assert.equal(res.status, status, show(res));
  const j = res.json();
  assert.equal(typeof j.error?.code, 'string');
  if (field) assert.ok(j.error.fields && j.error.fields[field], `error.fields.${field}: ${JSON.stringify(j.error)}`);
  return j;
}

describe('a director creates staff', () => {
  test('201 with the object; the new user signs in by username, in Arabic', async () => {
    const username = uniq('educ.');
    const password = 'Educatrice-2026-pass';
    const res = await api('POST', '/api/v1/users', {
      username, name: 'سلمى بناني', password, language: 'ar', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, { token: tokenFor(DIR) });
    assert.equal(res.status, 201, show(res));
    const u = res.json();
    assert.equal(typeof u.id, 'number');
    assert.equal(u.username, username);
    assert.equal(u.name, 'سلمى بناني');
    assert.equal(u.language, 'ar');
    assert.ok(Array.isArray(u.roles) && u.roles.some((r) => r.role === 'staff' && r.node_id === d.eps1.id), JSON.stringify(u.roles));
    noSecrets(u, password);
    const got = await api('GET', `/api/v1/users/${u.id}`, undefined, { token: tokenFor(DIR) });
    assert.equal(got.status, 200);
    noSecrets(got.json(), password);

    const c = new Client();
    const login = await c.login(username, password);
    assert.equal(login.status, 303, show(login));
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.deepEqual(htmlLangDir(home.text), { lang: 'ar', dir: 'rtl' }, 'pages in the user\'s language');
  });

  test('a staff member at a unit of her EPS, with an email', async () => {
    const email = `${uniq('anim.')}@amal.ma`;
    const res = await api('POST', '/api/v1/users', {
      email: email.toUpperCase(), name: 'Youssef Alaoui', password: 'Animateur-2026-pass', language: 'fr',
      roles: [{ role: 'staff', node_id: d.maison1.id }],
    }, { token: tokenFor(DIR) });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().email, email, 'emails are stored lowercase');
  });

  test('a quality referent may be named by the director', async () => {
    const res = await api('POST', '/api/v1/users', {
      email: `${uniq('ref.')}@amal.ma`, name: 'Nadia Tazi', password: 'Referente-2026-pass', language: 'fr',
      roles: [{ role: 'quality_referent', node_id: d.eps1.id }],
    }, { token: tokenFor(DIR) });
    assert.equal(res.status, 201, show(res));
  });

  test('nobody grants above their scope', async () => {
    const base = () => ({ username: uniq('refus.'), name: 'Refus', password: 'Refused-2026-pass', language: 'fr' });
    const t = { token: tokenFor(DIR) };
    // a director cannot make directors or admins
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'director', node_id: d.eps1.id }] }, t), 403);
    const admin = await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'admin', node_id: d.eps1.id }] }, t);
    assert.ok([403, 422].includes(admin.status), `admin role at an EPS: ${show(admin)}`);
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'admin', node_id: d.assoc1.id }] }, t), 404);
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'inspector', node_id: d.eps1.id }] }, t), 403);
    // nor create users at another EPS (out of scope: 404)
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'staff', node_id: d.eps2.id }] }, t), 404);
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'staff', node_id: d.nour.id }] }, t), 404);
    // an association admin cannot make a national admin
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'admin', node_id: d.root.id }] }, { token: tokenFor('admin@amal.ma') }), 404);
    // a referent manages no users
    err(await api('POST', '/api/v1/users', { ...base(), roles: [{ role: 'staff', node_id: d.eps1.id }] }, { token: tokenFor('referent.casa@amal.ma') }), 403);
    const all = await listAll('/api/v1/users', { token: tokenFor(ADMIN_EMAIL) });
    assert.equal(all.items.some((u) => (u.username || '').startsWith('refus.')), false, 'no refused user exists');
  });

  test('an association admin names a director at one of its EPS', async () => {
    const res = await api('POST', '/api/v1/users', {
      email: `${uniq('dir.')}@amal.ma`, name: 'Karim Benjelloun', password: 'Directeur-2026-pass', language: 'fr',
      roles: [{ role: 'director', node_id: d.eps2.id }],
    }, { token: tokenFor('admin@amal.ma') });
    assert.equal(res.status, 201, show(res));
  });
});

describe('user validation', () => {
  const t = () => ({ token: tokenFor(DIR) });
  const staff = () => [{ role: 'staff', node_id: d.eps1.id }];
  const ok = (extra) => ({ username: uniq('val.'), name: 'Valide', password: 'Valid-pass-2026', language: 'fr', roles: staff(), ...extra });

  test('fields', async () => {
    err(await api('POST', '/api/v1/users', ok({ name: '' }), t()), 422, 'name');
    err(await api('POST', '/api/v1/users', ok({ password: 'short' }), t()), 422, 'password');
    err(await api('POST', '/api/v1/users', ok({ email: 'not-an-email' }), t()), 422, 'email');
    err(await api('POST', '/api/v1/users', ok({ username: 'Has Space' }), t()), 422, 'username');
    err(await api('POST', '/api/v1/users', ok({ username: 'ab' }), t()), 422, 'username');
    err(await api('POST', '/api/v1/users', ok({ language: 'de' }), t()), 422, 'language');
    err(await api('POST', '/api/v1/users', ok({ colour: 'red' }), t()), 422, 'colour');
    err(await api('POST', '/api/v1/users', ok({ roles: [{ role: 'emperor', node_id: d.eps1.id }] }), t()), 422, 'roles');
    const none = await api('POST', '/api/v1/users', { name: 'Sans identifiant', password: 'Valid-pass-2026', language: 'fr', roles: staff() }, t());
    assert.equal(none.status, 422, `neither email nor username: ${show(none)}`);
  });

  test('a username or email already used is refused', async () => {
    const r1 = await api('POST', '/api/v1/users', ok({ username: 'mere.fatima' }), t());
    assert.ok([409, 422].includes(r1.status), show(r1));
    const r2 = await api('POST', '/api/v1/users', ok({ username: undefined, email: 'Directrice.Casa@amal.ma' }), t());
    assert.ok([409, 422].includes(r2.status), show(r2));
  });

  test('415 and 413', async () => {
    const res = await api('POST', '/api/v1/users', 'username=x', { ...t(), type: 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 415, show(res));
    const big = await api('POST', '/api/v1/users', JSON.stringify(ok({ name: 'n'.repeat(2 * 1024 * 1024) })), t());
    assert.equal(big.status, 413, show(big));
  });
});

describe('PATCH /api/v1/users/{id}', () => {
  test('the director renames her staff; a stale version answers 409', async () => {
    const t = { token: tokenFor(DIR) };
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('patch.'), name: 'Avant', password: 'Patch-pass-2026', language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    const res = await api('PATCH', `/api/v1/users/${u.id}`, { version: u.version, name: 'Après' }, t);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().name, 'Après');
    err(await api('PATCH', `/api/v1/users/${u.id}`, { version: u.version, name: 'Trop tard' }, t), 409);
    err(await api('PATCH', `/api/v1/users/${u.id}`, { version: res.json().version, name: '' }, t), 422, 'name');
    assert.equal((await api('GET', `/api/v1/users/${u.id}`, undefined, t)).json().name, 'Après');
  });

  test('the director cannot edit herself into a wider role nor edit users elsewhere', async () => {
    const t = { token: tokenFor(DIR) };
    const me = d.user(DIR);
    const roles0 = (await api('GET', '/api/v1/me', undefined, t)).json().roles.map((r) => `${r.role}@${r.node_id}`);
    assert.deepEqual(roles0, [`director@${d.eps1.id}`]);
    // her own roles, through the page: refused, whether wider or not
    const c = await signIn(DIR);
    const own = translation('fr', 'You cannot change your own roles.');
    for (const [role, node] of [['admin', d.assoc1.id], ['admin', d.eps1.id], ['quality_referent', d.eps1.id]]) {
      const res = await c.post(`/admin/users/${me.id}/roles`, { role, role_node: String(node), expires: '' });
      assert.equal(res.status, 403, `${role} at ${node}: ${show(res)}`);
      assert.ok(decodeEntities(res.text).includes(own), `${role} at ${node}: the page says "${own}"`);
    }
    // through the API: no roles field, and no home above her EPS
    const cur = (await api('GET', `/api/v1/users/${me.id}`, undefined, t)).json();
    err(await api('PATCH', `/api/v1/users/${me.id}`, { version: cur.version, roles: [{ role: 'admin', node_id: d.assoc1.id }] }, t), 422, 'roles');
    const up = await api('PATCH', `/api/v1/users/${me.id}`, { version: cur.version, node_id: d.assoc1.id }, t);
    assert.ok([403, 404].includes(up.status), `node_id of the association: ${show(up)}`);
    // nothing changed
    const after = (await api('GET', `/api/v1/users/${me.id}`, undefined, t)).json();
    assert.equal(after.version, cur.version);
    assert.equal(after.node_id, d.eps1.id);
    const roles1 = (await api('GET', '/api/v1/me', undefined, t)).json().roles.map((r) => `${r.role}@${r.node_id}`);
    assert.deepEqual(roles1, roles0);
    // users elsewhere
    const tanger = d.user('directeur.tanger@amal.ma');
    err(await api('PATCH', `/api/v1/users/${tanger.id}`, { version: tanger.version, name: 'Piraté' }, t), 404);
    const nour = d.user('directrice@nour.ma');
    err(await api('GET', `/api/v1/users/${nour.id}`, undefined, t), 404);
  });
});

describe('lists of users', () => {
  test('the director sees the users of her EPS only, totals included', async () => {
    const nodes = await listAll('/api/v1/nodes', { token: tokenFor(ADMIN_EMAIL) });
    const mine = new Set([d.eps1.id, ...nodes.items.filter((n) => n.parent_id === d.eps1.id).map((n) => n.id)]);
    const all = await listAll('/api/v1/users', { token: tokenFor(ADMIN_EMAIL) });
    const expected = all.items.filter((u) => mine.has(u.node_id));
    assert.ok(expected.length >= 20, `demo EPS 1 has its staff (${expected.length})`);
    const seen = await listAll('/api/v1/users', { token: tokenFor(DIR) }, 7);
    assert.equal(seen.items.length, seen.total);
    const ids = new Set(seen.items.map((u) => u.id));
    assert.equal(ids.size, seen.items.length, 'no duplicates across pages');
    for (const u of seen.items) {
      assert.ok(mine.has(u.node_id), `user ${u.id} ${u.name} (node ${u.node_id}) is not of her EPS`);
      noSecrets(u);
    }
    assert.equal(seen.total, expected.length);
  });

  test('the other association sees none of these users', async () => {
    const seen = await listAll('/api/v1/users', { token: tokenFor('admin@nour.ma') });
    const eps1Users = new Set((await listAll('/api/v1/users', { token: tokenFor(DIR) })).items.map((u) => u.id));
    assert.ok(seen.items.length >= 1);
    for (const u of seen.items) assert.equal(eps1Users.has(u.id), false, `${u.name} leaks to the other association`);
  });

  test('roles without user rights list no users', async () => {
    for (const who of ['mere.fatima', 'observateur@entraide.ma', 'inspecteur@entraide.ma']) {
      const res = await api('GET', '/api/v1/users', undefined, { token: tokenFor(who) });
      if (res.status === 200) {
        assert.equal(res.json().total, 0, `${who} sees users`);
        assert.deepEqual(res.json().items, []);
      } else {
        assert.equal(res.status, 403, `${who}: ${show(res)}`);
      }
    }
  });

  test('the users page of the director names her staff and nobody else', async () => {
    const c = await signIn(DIR);
    const res = await c.get('/admin/users');
    assert.equal(res.status, 200, show(res));
    const tanger = d.user('directeur.tanger@amal.ma');
    const nour = d.user('directrice@nour.ma');
    assert.equal(res.text.includes(tanger.email), false);
    assert.equal(res.text.includes(nour.email), false);
    const text = decodeEntities(res.text);
    const mine = (await listAll('/api/v1/users', { token: tokenFor(DIR) })).items;
    assert.ok(mine.some((u) => text.includes(u.name)), 'some of her staff are listed');
    for (const u of d.users.filter((x) => x.node_id === d.nour.id || x.node_id === d.eps3.id)) {
      assert.equal(text.includes(u.name) && !mine.some((m) => m.name === u.name), false, `${u.name} of another EPS is listed`);
    }
  });
});
