// audit.test.mjs - every write leaves an audit line (creates, updates, logins,
// grants), readable with filters by those allowed, never with a password.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, tokenFor, demo, uniq, show, listAll, signIn, Client, ADMIN_EMAIL, DEMO_PASSWORD,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
let admin;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
});

async function auditFor(query) {
  return (await listAll(`/api/v1/audit?${query}`, admin, 200)).items;
}

describe('audit lines', () => {
  test('creating and updating a node', async () => {
    const t = { token: tokenFor(DIR) };
    const n = (await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Audit ') }, t)).json();
    const p = await api('PATCH', `/api/v1/nodes/${n.id}`, { version: n.version, name: 'Maison auditée', unit_kind: 'youth_home' }, t);
    assert.equal(p.status, 200, show(p));
    const rows = (await auditFor(`entity=node&entity_id=${n.id}`)).filter((r) => r.entity_id === n.id);
    const create = rows.find((r) => r.action === 'create');
    const update = rows.find((r) => r.action === 'update');
    assert.ok(create, `a create line: ${JSON.stringify(rows)}`);
    assert.ok(update, `an update line: ${JSON.stringify(rows)}`);
    assert.equal(create.entity, 'node');
    assert.equal(create.actor_id, d.user(DIR).id);
    assert.equal(update.changes?.name?.to, 'Maison auditée', JSON.stringify(update.changes));
    assert.equal(update.changes?.name?.from, n.name);
    assert.ok(typeof create.at === 'number' || typeof create.at === 'string');
  });

  test('the entity filter returns only that entity', async () => {
    const rows = await auditFor('entity=user');
    assert.ok(rows.length > 0);
    for (const r of rows) assert.equal(r.entity, 'user');
  });

  test('creating a user and granting a role', async () => {
    const password = 'Audit-secret-pass-77';
    const u = await api('POST', '/api/v1/users', {
      username: uniq('audit.'), name: 'Hajar Audit', password, language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, { token: tokenFor(DIR) });
    assert.equal(u.status, 201, show(u));
    const id = u.json().id;
    const rows = (await auditFor('entity=user')).filter((r) => r.entity_id === id);
    assert.ok(rows.some((r) => r.action === 'create'), JSON.stringify(rows));
    const all = JSON.stringify(await auditFor(''));
    assert.equal(all.includes(password), false, 'the password is not in the audit log');
  });

  test('logins, failed logins and logouts', async () => {
    const c = new Client();
    assert.equal((await c.login('referent.casa@amal.ma', DEMO_PASSWORD)).status, 303);
    await c.get('/');
    await c.logout();
    const rows = await auditFor('');
    const ref = d.user('referent.casa@amal.ma');
    assert.ok(rows.some((r) => r.action === 'login' && (r.actor_id === ref.id || r.entity_id === ref.id)), 'a login line');
    assert.ok(rows.some((r) => r.action === 'logout' && (r.actor_id === ref.id || r.entity_id === ref.id)), 'a logout line');
  });

  test('no password, hash or token ever appears in the audit log', async () => {
    const secret = 'Reset-by-director-2026';
    const t = { token: tokenFor(DIR) };
    const u = (await api('POST', '/api/v1/users', {
      username: uniq('reset.'), name: 'Khadija Reset', password: 'First-password-2026', language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, t)).json();
    // the director resets the password through her page
    const c = await signIn(DIR);
    const res = await c.post(`/admin/users/${u.id}/password`, { password: secret, password_confirm: secret });
    assert.ok([200, 303].includes(res.status), `password reset: ${show(res)}`);
    const login = await new Client().login(u.username, secret);
    assert.equal(login.status, 303, 'the new password works');
    // a failed login with a recognisable wrong password
    const wrong = 'Wrong-but-recognisable-2026';
    assert.equal((await new Client().login(u.username, wrong)).status, 401);
    // a password change through PATCH
    const fresh = (await api('GET', `/api/v1/users/${u.id}`, undefined, t)).json();
    const patched = await api('PATCH', `/api/v1/users/${u.id}`, { version: fresh.version, password: 'Patched-password-2026' }, t);
    assert.ok([200, 422].includes(patched.status), show(patched));
    const rows = await auditFor('');
    const text = JSON.stringify(rows);
    for (const s of [secret, wrong, 'First-password-2026', 'Patched-password-2026', DEMO_PASSWORD, '$argon2', tokenFor(DIR)]) {
      assert.equal(text.includes(s), false, `"${s}" found in the audit log`);
    }
    const mine = rows.filter((r) => r.entity === 'user' && r.entity_id === u.id);
    assert.ok(mine.some((r) => /password/.test(r.action) || (r.changes && 'password' in r.changes)), `the reset is recorded: ${JSON.stringify(mine)}`);
    const page = await (await signIn(ADMIN_EMAIL, process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026')).get('/admin/audit');
    assert.equal(page.status, 200, show(page));
    for (const s of [secret, wrong, '$argon2']) assert.equal(page.text.includes(s), false);
  });
});

describe('reading the audit log', () => {
  test('the admin page lists lines with filters', async () => {
    const c = await signIn(ADMIN_EMAIL, process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026');
    const res = await c.get('/admin/audit?entity=node');
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, /<table/);
  });

  test('a director reads the lines of her EPS only', async () => {
    const nodes = await listAll('/api/v1/nodes', admin);
    const mine = new Set([d.eps1.id, ...nodes.items.filter((n) => n.parent_id === d.eps1.id).map((n) => n.id)]);
    const rows = (await listAll('/api/v1/audit', { token: tokenFor(DIR) }, 200)).items;
    assert.ok(rows.length > 0);
    for (const r of rows) assert.ok(mine.has(r.node_id), `line ${r.id} of node ${r.node_id} (${r.node_name})`);
    const c = await signIn(DIR);
    const page = await c.get('/admin/audit');
    assert.equal(page.status, 200, show(page));
    assert.equal(page.text.includes('Tanger'), false);
    assert.equal(page.text.includes('Nour'), false);
  });

  test('staff, observers and inspectors do not read it', async () => {
    for (const who of ['mere.fatima', 'educateur.casa', 'observateur@entraide.ma', 'inspecteur@entraide.ma']) {
      const res = await api('GET', '/api/v1/audit', undefined, { token: tokenFor(who) });
      assert.ok(res.status === 403 || (res.status === 200 && res.json().total === 0), `${who}: ${show(res)}`);
      const c = await signIn(who);
      const page = await c.get('/admin/audit');
      assert.ok([403, 404].includes(page.status), `${who} page: ${page.status}`);
    }
  });

  test('the log cannot be written through the API', async () => {
    const res = await api('POST', '/api/v1/audit', { action: 'create' }, admin);
    assert.ok([404, 405].includes(res.status), show(res));
  });
});
