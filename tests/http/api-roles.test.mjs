// api-roles.test.mjs - roles through the JSON API:
//   POST   /api/v1/users/{id}/roles {"role", "node_id", "expires_at"} -> 201 with the assignment
//   DELETE /api/v1/users/{id}/roles/{role_id}                          -> 204
// with the rules of the pages: a director gives staff or quality_referent
// inside her EPS only, nobody changes their own roles, an account keeps one
// role, a held role is not given twice, an inspector needs an end date; the
// body is checked (unknown fields, types, JSON), a cookie session needs its
// CSRF token; each grant and revoke is audited and a grant is notified.
// Every test works on a fresh account.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, uniq, show, signIn, ADMIN_EMAIL } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
let admin;
let dir;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
  dir = { token: tokenFor(DIR) };
});

/** A fresh account (staff at the director's EPS unless told), made by the director. */
async function freshUser(prefix = 'roles.', roles = [{ role: 'staff', node_id: d.eps1.id }], by = dir) {
  const res = await api('POST', '/api/v1/users', {
    username: uniq(prefix), name: 'Rim Rôles', password: 'Api-roles-2026-pass', language: 'fr', roles,
  }, by);
  assert.equal(res.status, 201, show(res));
  return res.json();
}

async function rolesOf(id) {
  const res = await api('GET', `/api/v1/users/${id}`, undefined, admin);
  assert.equal(res.status, 200, show(res));
  return res.json().roles;
}

function grant(userId, body, opts = dir) {
  return api('POST', `/api/v1/users/${userId}/roles`, body, opts);
}

function revoke(userId, roleId, opts = dir) {
  return api('DELETE', `/api/v1/users/${userId}/roles/${roleId}`, undefined, opts);
}

/** The error object of a JSON error answer. */
function errorOf(res) {
  const j = res.json();
  assert.ok(j && typeof j.error === 'object', `an error object: ${res.text.slice(0, 300)}`);
  return j.error;
}

describe('giving a role: POST /api/v1/users/{id}/roles', () => {
  test('a director gives staff at a unit of her EPS: 201 with exactly {id, user_id, role, node_id, node_name, node_kind, expires_at}', async () => {
    const u = await freshUser();
    const res = await grant(u.id, { role: 'staff', node_id: d.maison1.id });
    assert.equal(res.status, 201, show(res));
    assert.match(res.headers['content-type'] || '', /application\/json/);
    const a = res.json();
    assert.deepEqual(Object.keys(a).sort(), ['expires_at', 'id', 'node_id', 'node_kind', 'node_name', 'role', 'user_id']);
    assert.ok(Number.isInteger(a.id) && a.id > 0, `id: ${a.id}`);
    assert.equal(a.user_id, u.id);
    assert.equal(a.role, 'staff');
    assert.equal(a.node_id, d.maison1.id);
    assert.equal(a.node_name, d.maison1.name);
    assert.equal(a.node_kind, 'unit');
    assert.equal(a.expires_at, null);
    const roles = await rolesOf(u.id);
    assert.ok(roles.some((r) => r.id === a.id && r.role === 'staff' && r.node_id === d.maison1.id), JSON.stringify(roles));
  });

  test('a director gives quality_referent at her EPS: 201 and the account holds it', async () => {
    const u = await freshUser();
    const res = await grant(u.id, { role: 'quality_referent', node_id: d.eps1.id });
    assert.equal(res.status, 201, show(res));
    const a = res.json();
    assert.equal(a.role, 'quality_referent');
    assert.equal(a.node_id, d.eps1.id);
    assert.equal(a.node_kind, 'eps');
    assert.ok((await rolesOf(u.id)).some((r) => r.id === a.id));
  });

  test('a director gives neither admin nor director at her EPS: 403 each, nothing added', async () => {
    const u = await freshUser();
    const answers = {};
    for (const role of ['admin', 'director']) {
      const res = await grant(u.id, { role, node_id: d.eps1.id });
      answers[role] = `${res.status} ${res.text.slice(0, 200)}`;
    }
    assert.deepEqual(Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, Number(v.slice(0, 3))])),
      { admin: 403, director: 403 }, JSON.stringify(answers));
    assert.equal((await rolesOf(u.id)).length, 1, 'no role added');
  });

  test('a director gives no role at a node outside her EPS (another EPS, her association, no such node): 404, while a unit of her EPS gives 201', async () => {
    const u = await freshUser();
    const other = await grant(u.id, { role: 'staff', node_id: d.eps2.id });
    assert.equal(other.status, 404, show(other));
    const above = await grant(u.id, { role: 'staff', node_id: d.assoc1.id });
    assert.equal(above.status, 404, show(above));
    const none = await grant(u.id, { role: 'staff', node_id: 987654321 });
    assert.equal(none.status, 404, show(none));
    assert.equal((await rolesOf(u.id)).length, 1, 'no role added');
    const inside = await grant(u.id, { role: 'staff', node_id: d.maison1.id });
    assert.equal(inside.status, 201, `the same grant inside her EPS: ${show(inside)}`);
  });

  test('a director gives no role to an account outside her EPS: 404, while the national admin may (201)', async () => {
    const outsider = await freshUser('dehors.', [{ role: 'staff', node_id: d.eps3.id }], admin);
    const res = await grant(outsider.id, { role: 'staff', node_id: d.maison1.id });
    assert.equal(res.status, 404, show(res));
    assert.equal((await rolesOf(outsider.id)).length, 1, 'no role added');
    const byAdmin = await grant(outsider.id, { role: 'staff', node_id: d.maison1.id }, admin);
    assert.equal(byAdmin.status, 201, `the same grant by the national admin: ${show(byAdmin)}`);
  });

  test('nobody gives themselves a role: 403 for the director and for the national admin', async () => {
    const me = d.user(DIR);
    const res = await grant(me.id, { role: 'staff', node_id: d.maison1.id });
    assert.equal(res.status, 403, show(res));
    const root = d.user(ADMIN_EMAIL);
    const res2 = await grant(root.id, { role: 'observer', node_id: d.assoc1.id }, admin);
    assert.equal(res2.status, 403, show(res2));
    assert.equal((await rolesOf(me.id)).some((r) => r.node_id === d.maison1.id), false);
  });

  test('a role already held at that place answers 409', async () => {
    const u = await freshUser();
    const res = await grant(u.id, { role: 'staff', node_id: d.eps1.id });
    assert.equal(res.status, 409, show(res));
    assert.equal((await rolesOf(u.id)).length, 1);
  });

  test('an inspector needs an end date: 422 with error.fields.expires_at, then 201 with one', async () => {
    const u = await freshUser('insp.', [{ role: 'staff', node_id: d.eps1.id }], admin);
    const res = await grant(u.id, { role: 'inspector', node_id: d.eps1.id }, admin);
    assert.equal(res.status, 422, show(res));
    assert.ok(errorOf(res).fields?.expires_at, `error.fields.expires_at: ${res.text}`);
    const ok = await grant(u.id, { role: 'inspector', node_id: d.eps1.id, expires_at: '31/12/2030' }, admin);
    assert.equal(ok.status, 201, show(ok));
    const a = ok.json();
    assert.equal(a.role, 'inspector');
    assert.equal(typeof a.expires_at, 'string');
    assert.match(a.expires_at, /^2030-12-31/);
  });

  test('unknown fields and wrong types answer 422 with error.fields naming the field; a body that is no object 400', async () => {
    const u = await freshUser();
    const cases = [
      [{ role: 'staff', node_id: d.maison1.id, colour: 'red' }, 'colour'],
      [{ role: 5, node_id: d.maison1.id }, 'role'],
      [{ role: 'chef', node_id: d.maison1.id }, 'role'],
      [{ node_id: d.maison1.id }, 'role'],
      [{ role: 'staff', node_id: String(d.maison1.id) }, 'node_id'],
      [{ role: 'staff', node_id: 1.5 }, 'node_id'],
      [{ role: 'staff' }, 'node_id'],
      [{ role: 'staff', node_id: d.maison1.id, expires_at: true }, 'expires_at'],
      [{ role: 'staff', node_id: d.maison1.id, expires_at: 'demain' }, 'expires_at'],
    ];
    for (const [body, field] of cases) {
      const res = await grant(u.id, body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${show(res)}`);
      const fields = errorOf(res).fields || {};
      assert.ok(fields[field], `${JSON.stringify(body)}: error.fields.${field} in ${res.text}`);
    }
    const notObject = await grant(u.id, [{ role: 'staff', node_id: d.maison1.id }]);
    assert.equal(notObject.status, 400, show(notObject)); // malformed, as docs/API.md says
    assert.equal((await rolesOf(u.id)).length, 1, 'nothing added');
  });

  test('a body that is not JSON answers 400', async () => {
    const u = await freshUser();
    const res = await api('POST', `/api/v1/users/${u.id}/roles`, '{"role": "staff", "node_id":', dir);
    assert.equal(res.status, 400, show(res));
    assert.equal((await rolesOf(u.id)).length, 1);
  });

  test('a cookie session without its CSRF token answers 403 (grant and revoke); with the token the grant is done', async () => {
    const u = await freshUser('csrf.', [{ role: 'staff', node_id: d.eps1.id }, { role: 'staff', node_id: d.maison1.id }]);
    const c = await signIn(DIR);
    const res = await c.api('POST', `/api/v1/users/${u.id}/roles`, { role: 'quality_referent', node_id: d.eps1.id }, { csrf: false });
    assert.equal(res.status, 403, show(res));
    const del = await c.api('DELETE', `/api/v1/users/${u.id}/roles/${u.roles[1].id}`, undefined, { csrf: false });
    assert.equal(del.status, 403, show(del));
    assert.equal((await rolesOf(u.id)).length, 2, 'nothing changed');
    const ok = await c.api('POST', `/api/v1/users/${u.id}/roles`, { role: 'quality_referent', node_id: d.eps1.id });
    assert.equal(ok.status, 201, show(ok));
  });

  test('a grant writes an audit row (action grant, entity role) naming the person, the role and the place', async () => {
    const u = await freshUser();
    const res = await grant(u.id, { role: 'staff', node_id: d.maison1.id });
    assert.equal(res.status, 201, show(res));
    const a = res.json();
    const audit = await api('GET', '/api/v1/audit?entity=role&action=grant&limit=50', undefined, admin);
    assert.equal(audit.status, 200, show(audit));
    const row = audit.json().items.find((r) => r.entity_id === a.id);
    assert.ok(row, `an audit row for role ${a.id}: ${audit.text.slice(0, 500)}`);
    assert.equal(row.action, 'grant');
    assert.equal(row.entity, 'role');
    assert.equal(row.actor_id, d.user(DIR).id);
    assert.equal(row.changes?.user_id?.to ?? row.changes?.user_id, u.id, JSON.stringify(row.changes));
    assert.equal(row.changes?.role?.to ?? row.changes?.role, 'staff', JSON.stringify(row.changes));
    assert.equal(row.changes?.node_id?.to ?? row.changes?.node_id, d.maison1.id, JSON.stringify(row.changes));
  });

  test('the person is notified of a grant (GET /api/v1/notifications as them)', async () => {
    const u = await freshUser();
    const t = { token: tokenFor(u.username) };
    const before = await api('GET', '/api/v1/notifications?lang=fr', undefined, t);
    assert.equal(before.status, 200, show(before));
    const res = await grant(u.id, { role: 'staff', node_id: d.maison1.id });
    assert.equal(res.status, 201, show(res));
    const after = await api('GET', '/api/v1/notifications?lang=fr', undefined, t);
    assert.equal(after.status, 200, show(after));
    assert.equal(after.json().total, before.json().total + 1, 'one more notification');
    const known = new Set(before.json().items.map((n) => n.id));
    const n = after.json().items.find((x) => !known.has(x.id));
    assert.ok(n, 'the new notification');
    assert.ok(n.text.includes(d.maison1.name), `it names the place: ${n.text}`);
  });
});

describe('removing a role: DELETE /api/v1/users/{id}/roles/{role_id}', () => {
  test('a director removes a role she gave: 204 with no body, the role is gone', async () => {
    const u = await freshUser();
    const a = (await grant(u.id, { role: 'staff', node_id: d.maison1.id })).json();
    const res = await revoke(u.id, a.id);
    assert.equal(res.status, 204, show(res));
    assert.equal(res.body.length, 0, 'no body');
    assert.deepEqual((await rolesOf(u.id)).map((r) => r.id), [u.roles[0].id]);
    const again = await revoke(u.id, a.id);
    assert.equal(again.status, 404, show(again));
  });

  test('a revoke writes an audit row (action revoke, entity role)', async () => {
    const u = await freshUser();
    const a = (await grant(u.id, { role: 'quality_referent', node_id: d.eps1.id })).json();
    const res = await revoke(u.id, a.id);
    assert.equal(res.status, 204, show(res));
    const audit = await api('GET', '/api/v1/audit?entity=role&action=revoke&limit=50', undefined, admin);
    assert.equal(audit.status, 200, show(audit));
    const row = audit.json().items.find((r) => r.entity_id === a.id);
    assert.ok(row, `an audit row for role ${a.id}: ${audit.text.slice(0, 500)}`);
    assert.equal(row.action, 'revoke');
    assert.equal(row.entity, 'role');
    assert.equal(row.actor_id, d.user(DIR).id);
  });

  test('the last role of an account cannot be removed: 409, the role kept', async () => {
    const u = await freshUser();
    const res = await revoke(u.id, u.roles[0].id);
    assert.equal(res.status, 409, show(res));
    assert.equal((await rolesOf(u.id)).length, 1);
  });

  test('nobody removes their own role: 403', async () => {
    const me = d.user(DIR);
    const mine = await rolesOf(me.id);
    const res = await revoke(me.id, mine[0].id);
    assert.equal(res.status, 403, show(res));
    assert.equal((await rolesOf(me.id)).length, mine.length);
  });

  test('a role id of another account answers 404; under its own account it is removed (204)', async () => {
    const u = await freshUser();
    const v = await freshUser('autre.', [{ role: 'staff', node_id: d.eps1.id }, { role: 'staff', node_id: d.maison1.id }]);
    const res = await revoke(u.id, v.roles[1].id);
    assert.equal(res.status, 404, show(res));
    assert.equal((await rolesOf(v.id)).length, 2, 'the other account keeps its roles');
    const own = await revoke(v.id, v.roles[1].id);
    assert.equal(own.status, 204, `under its own account: ${show(own)}`);
  });

  test('a director removes no role of an account outside her EPS: 404, while the national admin may (204)', async () => {
    const outsider = await freshUser('dehors2.', [{ role: 'staff', node_id: d.eps3.id }, { role: 'quality_referent', node_id: d.eps3.id }], admin);
    const res = await revoke(outsider.id, outsider.roles[1].id);
    assert.equal(res.status, 404, show(res));
    assert.equal((await rolesOf(outsider.id)).length, 2);
    const byAdmin = await revoke(outsider.id, outsider.roles[1].id, admin);
    assert.equal(byAdmin.status, 204, `the same removal by the national admin: ${show(byAdmin)}`);
  });
});
