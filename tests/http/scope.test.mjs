// scope.test.mjs - a user of one EPS (or association, or unit) can see or
// change nothing outside their scope through any page or API route, and can
// read what their role allows inside it.
// For each known demo login, the scope comes from the fixture (fixture.mjs:
// where the demo data give them their role), never from the server's /me.
// Objects outside it (nodes, users, documents, other people's notifications
// and API tokens)
// are tried on EVERY route that takes an id: each must answer 404 as if
// absent. Objects inside it answer 200 on the routes their role may read and
// 403 on the routes it does not allow (lib.mjs scopeCheck). Lists hold exactly
// the scope, pages name their own places and nothing from outside, and
// afterwards nothing has changed.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, tokenFor, newToken, demo, uniq, show, listAll, signIn, smallPdf, multipart, rawRequest, decodeEntities,
  scopeCheck, ADMIN_EMAIL,
} from './lib.mjs';
import { DEMO_ROLES, demoActor } from './fixture.mjs';

const ACTORS = [
  'directrice.casa@amal.ma', // director, EPS 1
  'directeur.tanger@amal.ma', // director, EPS 3
  'admin@nour.ma', // admin, association 2
  'admin@amal.ma', // admin, association 1
  'directrice@nour.ma', // director, the EPS of association 2
  'mere.fatima', // staff, Maison 1 of EPS 1
  'educateur.casa', // staff, EPS 1
  'referent.casa@amal.ma', // quality referent, EPS 1
  'conseil@amal.ma', // quality advisor, association 1
  'inspecteur@entraide.ma', // inspector, EPS 1 (expires)
  'observateur@entraide.ma', // observer at the root: everything in scope, read-only
];
const ABSENT = 987654; // an id that exists nowhere

let d;
let admin;
const attachments = new Map(); // node id -> attachment id (uploaded by the root admin)
const pdfs = new Map(); // attachment id -> its bytes
const notifications = new Map(); // login -> the id of one of their notifications
const apiTokens = new Map(); // login -> {id, token} of an API token of theirs made for this test
let before_;

async function snapshot() {
  const nodes = await listAll('/api/v1/nodes', admin);
  const users = await listAll('/api/v1/users', admin);
  const s = {};
  for (const n of nodes.items) s[`node ${n.id}`] = JSON.stringify([n.name, n.active, n.version, n.parent_id, n.capacity]);
  for (const u of users.items) {
    s[`user ${u.id}`] = JSON.stringify([u.name, u.active, u.version, u.email, u.username, u.language,
      (u.roles || []).map((r) => `${r.role}@${r.node_id}`).sort()]);
  }
  for (const [nodeId] of attachments) {
    const l = await api('GET', `/api/v1/nodes/${nodeId}/attachments`, undefined, admin);
    s[`attachments of ${nodeId}`] = l.status === 200 ? String((l.json().items || []).length) : `status ${l.status}`;
  }
  for (const login of Object.keys(DEMO_ROLES)) {
    const l = await api('GET', '/api/v1/notifications?limit=100', undefined, { token: tokenFor(login) });
    s[`notifications of ${login}`] = l.status === 200
      ? JSON.stringify(l.json().items.map((n) => [n.id, n.read_at ?? null]))
      : `status ${l.status}`;
  }
  for (const [login, t] of apiTokens) {
    s[`API token ${t.id} of ${login}`] = String((await api('GET', '/api/v1/me', undefined, { token: t.token })).status);
  }
  return s;
}

before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
  // one document on a few nodes, to try /attachments/{id} from inside and outside
  for (const n of [d.eps1, d.eps2, d.eps3, d.nour, d.maison1]) {
    const data = smallPdf(`node ${n.id}`);
    const mp = multipart({}, [{ field: 'file', filename: `rapport-${n.id}.pdf`, type: 'application/pdf', data }]);
    const res = await api('POST', `/api/v1/nodes/${n.id}/attachments`, mp.body, { ...admin, type: mp.contentType });
    if (res.status === 201) {
      attachments.set(n.id, res.json().id);
      pdfs.set(res.json().id, data);
    }
  }
  // every known login has a notification of their own (the demo welcomes them)
  for (const login of Object.keys(DEMO_ROLES)) {
    const res = await api('GET', '/api/v1/notifications?limit=1', undefined, { token: tokenFor(login) });
    if (res.status === 200 && res.json().items?.[0]) notifications.set(login, res.json().items[0].id);
  }
  // every known login has an API token of their own, to be tried by the others
  for (const login of Object.keys(DEMO_ROLES)) {
    const label = uniq('scope-');
    const token = newToken(login, label);
    const res = await api('GET', '/api/v1/me/tokens?limit=200', undefined, { token });
    const id = res.status === 200 ? res.json().items.find((t) => t.label === label)?.id : undefined;
    if (id) apiTokens.set(login, { id, token });
  }
  before_ = await snapshot();
});

test('the root admin could upload the documents used below', () => {
  assert.equal(attachments.size, 5, 'POST /api/v1/nodes/{id}/attachments as the root admin answers 201 {id}');
});

test('every known demo login has a notification of their own', () => {
  assert.deepEqual(Object.keys(DEMO_ROLES).filter((l) => !notifications.has(l)), []);
});

test('every known demo login has an API token of their own', () => {
  assert.deepEqual(Object.keys(DEMO_ROLES).filter((l) => !apiTokens.has(l)), []);
});

const childKind = { root: 'association', association: 'eps', eps: 'unit', unit: 'unit' };
const nodeObj = (n) => ({ kind: 'node', id: n.id, node: n.id, label: `${n.kind} ${n.name}`, n });
const userObj = (u) => ({ kind: 'user', id: u.id, node: u.node_id, label: u.email || u.username, u });
const docObj = (nodeId, id) => ({ kind: 'document', id, node: nodeId, label: `at node ${nodeId}` });
const noteObj = (login, id) => ({ kind: 'notification', id, node: null, label: `of ${login}` });
const tokenObj = (login, id) => ({ kind: 'token', id, node: null, label: `API token of ${login}` });
const absent = (kind) => ({ kind, id: ABSENT, node: null, label: 'does not exist', absent: true, n: { version: 1, kind: 'eps' }, u: { version: 1, node_id: ABSENT, roles: [] } });

/** Every route of the organisation, documents, notifications and account
 *  modules that takes an id, for one actor (c: their browser session, tok:
 *  their token). */
function routesOf(actor, c, tok) {
  const pdf = [{ field: 'file', filename: 'intrus.pdf', type: 'application/pdf', data: smallPdf('intrus') }];
  const ownNode = actor.roles[0].node.id;
  const named = (res, name) => (decodeEntities(res.text).includes(name) ? null : `the page does not show "${name}"`);
  const sameId = (res, obj) => {
    const j = res.json();
    return j.id === obj.id ? null : `answered the object ${j.id}`;
  };
  const node = (label, perm, read, call, more = {}) => ({ kind: 'node', label, perm, read, call, ...more });
  const user = (label, perm, read, call, more = {}) => ({ kind: 'user', label, perm, read, call, ...more });
  return [
    node('GET /admin/nodes/{id}', 'org.read', true, (o) => c.get(`/admin/nodes/${o.id}`),
      { verify: (res, o) => named(res, o.n.name) }),
    node('GET /admin/nodes/{id}/edit', 'org.manage', true, (o) => c.get(`/admin/nodes/${o.id}/edit`),
      { verify: (res, o) => named(res, o.n.name) }),
    node('POST /admin/nodes/{id}', 'org.manage', false, (o) => c.post(`/admin/nodes/${o.id}`, { name: 'Piraté', version: String(o.n.version) })),
    node('POST /admin/nodes/{id}/disable', 'org.manage', false, (o) => c.post(`/admin/nodes/${o.id}/disable`, {})),
    node('POST /admin/nodes/{id}/enable', 'org.manage', false, (o) => c.post(`/admin/nodes/${o.id}/enable`, {})),
    node('POST /admin/nodes/{id}/documents', 'attach.write', false, (o) => c.postMultipart(`/admin/nodes/${o.id}/documents`, {}, pdf)),
    node('GET /admin/nodes/new?parent={id}', 'org.manage', true,
      (o) => c.get(`/admin/nodes/new?parent=${o.id}&kind=${childKind[o.n.kind] || 'unit'}`),
      { ok: (o) => (o.n.kind === 'unit' ? 422 : 200) }), // nothing goes below a unit
    node('POST /admin/nodes (parent {id})', 'org.manage', false,
      (o) => c.post('/admin/nodes', { parent_id: String(o.id), kind: childKind[o.n.kind] || 'unit', name: 'Intrus', category: 'children' })),
    node('API GET /api/v1/nodes/{id}', 'org.read', true, (o) => api('GET', `/api/v1/nodes/${o.id}`, undefined, tok),
      { verify: sameId }),
    node('API PATCH /api/v1/nodes/{id}', 'org.manage', false, (o) => api('PATCH', `/api/v1/nodes/${o.id}`, { version: o.n.version, name: 'Piraté' }, tok)),
    node('API PATCH /api/v1/nodes/{id} text/plain (404/403 before 415)', 'org.manage', false,
      (o) => api('PATCH', `/api/v1/nodes/${o.id}`, 'x', { ...tok, type: 'text/plain' })),
    node('API PATCH /api/v1/nodes/{id} invalid (404/403 before 422)', 'org.manage', false,
      (o) => api('PATCH', `/api/v1/nodes/${o.id}`, { name: '' }, tok)),
    node('API GET /api/v1/nodes/{id}/attachments', 'attach.read', true, (o) => api('GET', `/api/v1/nodes/${o.id}/attachments`, undefined, tok),
      { verify: (res) => (Array.isArray(res.json().items) ? null : 'no items') }),
    node('API POST /api/v1/nodes/{id}/attachments', 'attach.write', false, (o) => {
      const mp = multipart({}, pdf);
      return api('POST', `/api/v1/nodes/${o.id}/attachments`, mp.body, { ...tok, type: mp.contentType });
    }),
    node('API POST /api/v1/nodes (parent {id})', 'org.manage', false,
      (o) => api('POST', '/api/v1/nodes', { parent_id: o.id, kind: childKind[o.n.kind] || 'unit', name: 'Intrus', category: 'children' }, tok)),
    node('session API GET /api/v1/nodes/{id}', 'org.read', true, (o) => c.api('GET', `/api/v1/nodes/${o.id}`), { verify: sameId }),
    node('session API PATCH /api/v1/nodes/{id}', 'org.manage', false, (o) => c.api('PATCH', `/api/v1/nodes/${o.id}`, { version: o.n.version, name: 'Piraté' })),

    user('GET /admin/users/{id}', 'user.read', true, (o) => c.get(`/admin/users/${o.id}`), { verify: (res, o) => named(res, o.u.name) }),
    user('POST /admin/users/{id}', 'user.manage', false, (o) => c.post(`/admin/users/${o.id}`, { name: 'Piraté', language: 'fr', version: String(o.u.version) })),
    user('POST /admin/users/{id}/disable', 'user.manage', false, (o) => c.post(`/admin/users/${o.id}/disable`, {})),
    user('POST /admin/users/{id}/enable', 'user.manage', false, (o) => c.post(`/admin/users/${o.id}/enable`, {})),
    user('POST /admin/users/{id}/roles', 'user.manage', false,
      (o) => c.post(`/admin/users/${o.id}/roles`, { role: 'staff', role_node: String(ownNode), node_id: String(ownNode) })),
    user('POST /admin/users/{id}/roles/{role}/delete', 'user.manage', false,
      (o) => c.post(`/admin/users/${o.id}/roles/${(o.u.roles || [])[0]?.id ?? 1}/delete`, {})),
    user('POST /admin/users/{id}/password', 'user.password', false,
      (o) => c.post(`/admin/users/${o.id}/password`, { password: 'Hijacked-2026-pass', password_confirm: 'Hijacked-2026-pass' })),
    user('API GET /api/v1/users/{id}', 'user.read', true, (o) => api('GET', `/api/v1/users/${o.id}`, undefined, tok), { verify: sameId }),
    user('API POST /api/v1/users/{id}/roles', 'user.manage', false,
      (o) => api('POST', `/api/v1/users/${o.id}/roles`, { role: 'staff', node_id: ownNode }, tok)),
    user('API DELETE /api/v1/users/{id}/roles/{role}', 'user.manage', false,
      (o) => api('DELETE', `/api/v1/users/${o.id}/roles/${(o.u.roles || [])[0]?.id ?? 1}`, undefined, tok)),
    user('API PATCH /api/v1/users/{id}', 'user.manage', false, (o) => api('PATCH', `/api/v1/users/${o.id}`, { version: o.u.version, name: 'Piraté' }, tok)),
    user('API PATCH /api/v1/users/{id} password', 'user.manage', false,
      (o) => api('PATCH', `/api/v1/users/${o.id}`, { version: o.u.version, password: 'Hijacked-2026-pass' }, tok)),
    user('API PATCH /api/v1/users/{id} text/plain', 'user.manage', false,
      (o) => api('PATCH', `/api/v1/users/${o.id}`, 'x', { ...tok, type: 'text/plain' })),
    // a role at the user's node: someone who manages users nowhere gets 403 at once (it reveals nothing)
    user('API POST /api/v1/users (role at the node of {id})', 'user.manage', false,
      (o) => api('POST', '/api/v1/users', {
        username: uniq('intrus.'), name: 'Intrus', password: 'Intruder-2026-pass', language: 'fr', roles: [{ role: 'staff', node_id: o.u.node_id }],
      }, tok),
      { outside: (o, a) => (a.anywhere('user.manage') ? 404 : 403) }),

    { kind: 'document', label: 'GET /attachments/{id}', perm: 'attach.read', read: true, call: (o) => c.get(`/attachments/${o.id}`),
      verify: (res, o) => (res.body.equals(pdfs.get(o.id)) ? null : 'not the document uploaded') },
    { kind: 'document', label: 'GET /attachments/{id} with a bearer token', perm: 'attach.read', read: true,
      call: (o) => rawRequest('GET', `/attachments/${o.id}`, { headers: { authorization: `Bearer ${tok.token}` } }),
      verify: (res, o) => (res.body.equals(pdfs.get(o.id)) ? null : 'not the document uploaded') },

    { kind: 'notification', label: 'POST /notifications/{id}/read', perm: 'authenticated', read: false,
      call: (o) => c.post(`/notifications/${o.id}/read`, {}) },
    { kind: 'notification', label: 'API POST /api/v1/notifications/{id}/read', perm: 'authenticated', read: false,
      call: (o) => api('POST', `/api/v1/notifications/${o.id}/read`, {}, tok) },

    { kind: 'token', label: 'POST /profile/tokens/{id}/revoke', perm: 'authenticated', read: false,
      call: (o) => c.post(`/profile/tokens/${o.id}/revoke`, { confirm: '1' }) },
    { kind: 'token', label: 'API DELETE /api/v1/me/tokens/{id}', perm: 'authenticated', read: false,
      call: (o) => api('DELETE', `/api/v1/me/tokens/${o.id}`, undefined, tok) },
    { kind: 'token', label: 'session API DELETE /api/v1/me/tokens/{id}', perm: 'authenticated', read: false,
      call: (o) => c.api('DELETE', `/api/v1/me/tokens/${o.id}`) },
  ];
}

for (const login of ACTORS) {
  describe(`scope of ${login}`, () => {
    let actor;
    let self;
    let c; // signed-in browser session
    let tok;
    let inside;
    let outside;
    let insideUsers;
    let outUsers;

    before(async () => {
      actor = demoActor(d, login);
      self = d.user(login);
      tok = { token: tokenFor(login) };
      c = await signIn(login);
      const inScope = (n) => n && actor.scope.has(n.id);

      // nodes: where the roles are held, a child and a grandchild, EPS 1 and its Maison 1
      const insideNodes = [];
      for (const r of actor.roles) {
        const child = d.children(r.node.id)[0];
        insideNodes.push(r.node, child, child && d.children(child.id)[0]);
      }
      insideNodes.push(d.eps1, d.maison1);
      const candidates = [d.assoc1, d.assoc2, d.eps1, d.eps2, d.eps3, d.nour, d.maison1,
        ...d.children(d.eps1.id).slice(1, 2), ...d.children(d.eps2.id).slice(0, 1),
        ...d.children(d.eps3.id).slice(0, 1), ...d.children(d.nour.id).slice(0, 1)];
      const uniqById = (xs) => [...new Map(xs.filter(Boolean).map((x) => [x.id, x])).values()];
      const outNodes = uniqById(candidates.filter((n) => n && !inScope(n)));

      // users: known logins of the scope and someone else there (accounts belong
      // to an EPS or above: staff of a unit has nobody in scope)
      const preferred = ['directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'directrice@nour.ma', 'educateur.casa',
        ...Object.keys(DEMO_ROLES)];
      const mineKnown = uniqById(preferred.map((l) => d.user(l)).filter((u) => actor.scope.has(u.node_id) && u.id !== self.id));
      const known = new Set(Object.keys(DEMO_ROLES).map((l) => d.user(l).id));
      const another = d.users.find((u) => !known.has(u.id) && actor.scope.has(u.node_id));
      insideUsers = uniqById([...mineKnown.slice(0, 2), another]);
      const userCandidates = ['directrice.casa@amal.ma', 'mere.fatima', 'directeur.tanger@amal.ma', 'directrice@nour.ma',
        'admin@amal.ma', 'admin@nour.ma', 'referent.casa@amal.ma', 'admin@jouda.ma'].map((l) => d.user(l));
      const eps2Staff = d.users.find((u) => u.node_id === d.eps2.id);
      if (eps2Staff) userCandidates.push(eps2Staff);
      outUsers = uniqById(userCandidates.filter((u) => !actor.scope.has(u.node_id) && u.id !== self.id));

      inside = [
        ...uniqById(insideNodes.filter(inScope)).map(nodeObj),
        ...insideUsers.map(userObj),
        ...[...attachments].filter(([nodeId]) => actor.scope.has(nodeId)).map(([nodeId, id]) => docObj(nodeId, id)),
      ];
      outside = [
        ...outNodes.map(nodeObj),
        ...outUsers.map(userObj),
        ...[...attachments].filter(([nodeId]) => !actor.scope.has(nodeId)).map(([nodeId, id]) => docObj(nodeId, id)),
        ...[...notifications].filter(([l]) => l !== login).slice(0, 3).map(([l, id]) => noteObj(l, id)),
        ...[...apiTokens].filter(([l]) => l !== login).slice(0, 3).map(([l, t]) => tokenObj(l, t.id)),
        absent('node'), absent('user'), absent('document'), absent('notification'), absent('token'),
      ];
    });

    test('the server gives the roles the demo data say', async () => {
      const res = await api('GET', '/api/v1/me', undefined, tok);
      assert.equal(res.status, 200, show(res));
      const me = res.json();
      assert.equal(me.id, self.id);
      assert.deepEqual(me.roles.map((r) => `${r.role}@${r.node_id}`).sort(),
        actor.roles.map((r) => `${r.role}@${r.node.id}`).sort());
    });

    test('the objects tried cover every kind, inside and outside the scope', () => {
      const kinds = (xs) => [...new Set(xs.filter((o) => !o.absent).map((o) => o.kind))].sort();
      const someoneInScope = d.users.some((u) => u.id !== self.id && actor.scope.has(u.node_id));
      assert.deepEqual(kinds(inside), someoneInScope ? ['document', 'node', 'user'] : ['document', 'node']);
      assert.equal(someoneInScope, login !== 'mere.fatima', 'only the house mother has no account in scope');
      // the observer's scope is the whole platform: only other people's notifications and tokens are outside
      assert.deepEqual(kinds(outside), actor.wholePlatform ? ['notification', 'token'] : ['document', 'node', 'notification', 'token', 'user']);
      for (const r of actor.roles) assert.ok(inside.some((o) => o.kind === 'node' && o.id === r.node.id), `the node of the role ${r.role}`);
    });

    test('every route with an id: 404 outside, 403 without the permission, 200 for what may be read', async (t) => {
      const res = await scopeCheck({ actor, routes: routesOf(actor, c, tok), inside, outside });
      t.diagnostic(`${login}: ${res.outside} requests outside the scope, ${res.inside} inside`);
      assert.deepEqual(res.wrong, [], `${login}: answers that break the scope`);
      // what the role may read inside the scope was read: one object of each kind at least
      const mayRead = ['node'];
      if (actor.anywhere('user.read') && inside.some((o) => o.kind === 'user')) mayRead.push('user');
      if (actor.anywhere('attach.read')) mayRead.push('document');
      assert.deepEqual(res.read, mayRead.sort(), `${login}: kinds read by id inside the scope`);
    });

    test('a role of someone else cannot be removed through a user in scope or their own account', async () => {
      const through = insideUsers[0] || self;
      // outside the scope; for the observer (nobody is outside), someone inside
      const victim = outUsers.find((u) => (u.roles || []).length > 0) ||
        (actor.wholePlatform ? d.users.find((u) => u.id !== through.id && u.id !== self.id && (u.roles || []).length > 0) : undefined);
      assert.ok(victim, 'someone else holding a role');
      const want = actor.scope.has(victim.node_id) ? [403] : [403, 404];
      const path = `/admin/users/${through.id}/roles/${victim.roles[0].id}/delete`;
      const res = await c.post(path, {});
      assert.ok(want.includes(res.status), `POST ${path}: want ${want.join('|')}, ${show(res)}`);
    });

    test('lists hold the whole scope and nothing else', async () => {
      const nodes = await listAll('/api/v1/nodes', tok);
      assert.equal(nodes.total, nodes.items.length);
      const listed = new Set(nodes.items.map((n) => n.id));
      for (const r of actor.roles) assert.ok(listed.has(r.node.id), `${login}: the node of their role (${r.node.name}) is listed`);
      const name = (id) => `${id} ${d.byId.get(id)?.name}`;
      assert.deepEqual([...actor.scope].filter((id) => !listed.has(id)).map(name), [], 'nodes of the scope not listed');
      assert.deepEqual([...listed].filter((id) => !actor.scope.has(id)).map(name), [], 'nodes listed from outside the scope');

      if (actor.anywhere('user.read')) {
        const all = await listAll('/api/v1/users', tok);
        assert.equal(all.total, all.items.length);
        const seen = new Set(all.items.map((u) => u.id));
        const expected = d.users.filter((u) => actor.scopeOf('user.read').has(u.node_id));
        assert.ok(expected.length > 0);
        assert.deepEqual(expected.filter((u) => !seen.has(u.id)).map((u) => u.id), [], 'users of the scope not listed');
        assert.deepEqual(all.items.filter((u) => !actor.scopeOf('user.read').has(u.node_id)).map((u) => `${u.id} (node ${u.node_id})`), [],
          'users listed from outside the scope');
      } else {
        const users = await api('GET', '/api/v1/users?limit=200', undefined, tok);
        assert.equal(users.status, 403, show(users));
      }

      if (actor.anywhere('audit.read')) {
        const all = await listAll('/api/v1/audit', tok, 200);
        assert.ok(all.items.length > 0, 'the audit log of the scope is not empty');
        const auditScope = actor.scopeOf('audit.read');
        assert.deepEqual(all.items.filter((a) => !(a.node_id && auditScope.has(a.node_id)))
          .map((a) => `${a.id} (${a.action} ${a.entity} ${a.entity_id}, node ${a.node_id})`), [], 'audit rows from outside the scope');
      } else {
        const audit = await api('GET', '/api/v1/audit?limit=200', undefined, tok);
        assert.equal(audit.status, 403, show(audit));
      }
    });

    test('pages name the places of the scope and nothing outside', async () => {
      // the names of the nodes above their own may appear as context
      const context = new Set(actor.scope);
      for (const id of actor.scope) for (let x = d.byId.get(id); x; x = d.byId.get(d.parentOf(x))) context.add(x.id);
      for (const p of ['/', '/admin/nodes']) {
        const res = await c.get(p);
        assert.equal(res.status, 200, `GET ${p}: ${show(res)}`);
        const text = decodeEntities(res.text);
        for (const n of [d.eps1, d.eps2, d.eps3, d.nour]) {
          if (context.has(n.id)) continue;
          assert.equal(text.includes(n.name), false, `${p} shows ${n.name} to ${login}`);
        }
        for (const r of actor.roles) assert.ok(text.includes(r.node.name), `${p} names ${r.node.name}, where ${login} works`);
      }
    });
  });
}

test('after all of this, nothing has changed', async () => {
  const after = await snapshot();
  const diffs = [];
  for (const k of new Set([...Object.keys(before_), ...Object.keys(after)])) {
    if (before_[k] !== after[k]) diffs.push(`${k}: ${before_[k]} -> ${after[k]}`);
  }
  assert.deepEqual(diffs, []);
  // the demo passwords still work
  for (const login of ['directeur.tanger@amal.ma', 'directrice@nour.ma', 'directrice.casa@amal.ma', 'mere.fatima']) {
    await signIn(login);
  }
});
