// scope.test.mjs - a user of one EPS (or association, or unit) can see or
// change nothing outside their scope through any page or API route.
// For each demo user below, every node and user outside their scope (computed
// from their role assignments) is tried on EVERY route that takes an id; each
// must answer 404 as if absent, and afterwards nothing has changed. Inside
// their scope, what their roles do not allow answers 403. Lists never show
// anything from outside.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, tokenFor, demo, uniq, show, listAll, signIn, smallPdf, multipart, rawRequest, decodeEntities, ADMIN_EMAIL,
} from './lib.mjs';

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

let d;
let admin;
let attachments = new Map(); // node id -> attachment id (uploaded by the root admin)
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
  return s;
}

/** Ids of nodes in the scope of a user: the subtrees of their live roles. */
function scopeOf(me) {
  const now = Date.now() / 1000;
  const inScope = new Set();
  for (const r of me.roles) {
    if (r.expires_at && Date.parse(r.expires_at) / 1000 < now) continue;
    for (const n of d.subtree(r.node_id)) inScope.add(n.id);
  }
  return inScope;
}

before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
  // one document on a few nodes, to try /attachments/{id} from outside
  for (const n of [d.eps1, d.eps2, d.eps3, d.nour, d.maison1]) {
    const mp = multipart({}, [{ field: 'file', filename: `rapport-${n.id}.pdf`, type: 'application/pdf', data: smallPdf(`node ${n.id}`) }]);
    const res = await api('POST', `/api/v1/nodes/${n.id}/attachments`, mp.body, { ...admin, type: mp.contentType });
    if (res.status === 201) attachments.set(n.id, res.json().id);
  }
  before_ = await snapshot();
});

test('the root admin could upload the documents used below', () => {
  assert.equal(attachments.size, 5, 'POST /api/v1/nodes/{id}/attachments as the root admin answers 201 {id}');
});

for (const login of ACTORS) {
  describe(`scope of ${login}`, () => {
    let me;
    let inScope;
    let c; // signed-in browser session
    let tok;
    let outNodes;
    let outUsers;

    before(async () => {
      tok = { token: tokenFor(login) };
      me = (await api('GET', '/api/v1/me', undefined, tok)).json();
      inScope = scopeOf(me);
      c = await signIn(login);
      const candidates = [d.assoc1, d.assoc2, d.eps1, d.eps2, d.eps3, d.nour, d.maison1,
        ...d.children(d.eps1.id).slice(1, 2), ...d.children(d.eps2.id).slice(0, 1),
        ...d.children(d.eps3.id).slice(0, 1), ...d.children(d.nour.id).slice(0, 1)];
      outNodes = [...new Map(candidates.filter((n) => n && !inScope.has(n.id)).map((n) => [n.id, n])).values()];
      const userCandidates = ['directrice.casa@amal.ma', 'mere.fatima', 'directeur.tanger@amal.ma', 'directrice@nour.ma',
        'admin@amal.ma', 'admin@nour.ma', 'referent.casa@amal.ma', 'admin@jouda.ma'].map((l) => d.user(l));
      const eps2Staff = d.users.find((u) => u.node_id === d.eps2.id);
      if (eps2Staff) userCandidates.push(eps2Staff);
      outUsers = userCandidates.filter((u) => !inScope.has(u.node_id) && u.id !== me.id);
    });

    test('every node route answers 404 outside the scope', async () => {
      const wrong = [];
      const expect404 = async (label, p) => {
        const res = await p;
        if (res.status !== 404) wrong.push(`${label}: ${res.status} ${res.text.slice(0, 120).replace(/\s+/g, ' ')}`);
      };
      const pdf = [{ field: 'file', filename: 'intrus.pdf', type: 'application/pdf', data: smallPdf('intrus') }];
      for (const n of outNodes) {
        const id = n.id;
        const tag = `${n.kind} ${id} (${n.name})`;
        await expect404(`GET /admin/nodes/${id} ${tag}`, c.get(`/admin/nodes/${id}`));
        await expect404(`GET /admin/nodes/${id}/edit`, c.get(`/admin/nodes/${id}/edit`));
        await expect404(`POST /admin/nodes/${id}`, c.post(`/admin/nodes/${id}`, { name: 'Piraté', version: String(n.version) }));
        await expect404(`POST /admin/nodes/${id}/disable`, c.post(`/admin/nodes/${id}/disable`, {}));
        await expect404(`POST /admin/nodes/${id}/enable`, c.post(`/admin/nodes/${id}/enable`, {}));
        await expect404(`POST /admin/nodes/${id}/documents`, c.postMultipart(`/admin/nodes/${id}/documents`, {}, pdf));
        await expect404(`GET /admin/nodes/new?parent=${id}`, c.get(`/admin/nodes/new?parent=${id}&kind=unit`));
        await expect404(`POST /admin/nodes (parent ${id})`, c.post('/admin/nodes', { parent_id: String(id), kind: n.kind === 'association' ? 'eps' : 'unit', name: 'Intrus', category: 'children' }));
        await expect404(`API GET /api/v1/nodes/${id}`, api('GET', `/api/v1/nodes/${id}`, undefined, tok));
        await expect404(`API PATCH /api/v1/nodes/${id}`, api('PATCH', `/api/v1/nodes/${id}`, { version: n.version, name: 'Piraté' }, tok));
        await expect404(`API PATCH /api/v1/nodes/${id} text/plain (404 before 415)`, api('PATCH', `/api/v1/nodes/${id}`, 'x', { ...tok, type: 'text/plain' }));
        await expect404(`API PATCH /api/v1/nodes/${id} invalid (404 before 422)`, api('PATCH', `/api/v1/nodes/${id}`, { name: '' }, tok));
        await expect404(`API GET /api/v1/nodes/${id}/attachments`, api('GET', `/api/v1/nodes/${id}/attachments`, undefined, tok));
        const mp = multipart({}, pdf);
        await expect404(`API POST /api/v1/nodes/${id}/attachments`, api('POST', `/api/v1/nodes/${id}/attachments`, mp.body, { ...tok, type: mp.contentType }));
        await expect404(`API POST /api/v1/nodes (parent ${id})`, api('POST', '/api/v1/nodes', { parent_id: id, kind: n.kind === 'association' ? 'eps' : 'unit', name: 'Intrus', category: 'children' }, tok));
        await expect404(`session API GET /api/v1/nodes/${id}`, c.api('GET', `/api/v1/nodes/${id}`));
        await expect404(`session API PATCH /api/v1/nodes/${id}`, c.api('PATCH', `/api/v1/nodes/${id}`, { version: n.version, name: 'Piraté' }));
      }
      // an id that does not exist looks the same
      await expect404('GET /admin/nodes/987654', c.get('/admin/nodes/987654'));
      await expect404('API GET /api/v1/nodes/987654', api('GET', '/api/v1/nodes/987654', undefined, tok));
      assert.deepEqual(wrong, [], `${login}: routes that did not answer 404`);
    });

    test('every user route answers 404 outside the scope', async () => {
      const wrong = [];
      const expect404 = async (label, p) => {
        const res = await p;
        if (res.status !== 404) wrong.push(`${label}: ${res.status} ${res.text.slice(0, 120).replace(/\s+/g, ' ')}`);
      };
      const ownNode = [...inScope][0];
      for (const u of outUsers) {
        const id = u.id;
        const tag = `${u.email || u.username}`;
        const roleId = (u.roles || [])[0]?.id ?? 1;
        await expect404(`GET /admin/users/${id} ${tag}`, c.get(`/admin/users/${id}`));
        await expect404(`POST /admin/users/${id}`, c.post(`/admin/users/${id}`, { name: 'Piraté', language: 'fr', version: String(u.version) }));
        await expect404(`POST /admin/users/${id}/disable`, c.post(`/admin/users/${id}/disable`, {}));
        await expect404(`POST /admin/users/${id}/enable`, c.post(`/admin/users/${id}/enable`, {}));
        await expect404(`POST /admin/users/${id}/roles`, c.post(`/admin/users/${id}/roles`, { role: 'staff', role_node: String(ownNode), node_id: String(ownNode) }));
        await expect404(`POST /admin/users/${id}/roles/${roleId}/delete`, c.post(`/admin/users/${id}/roles/${roleId}/delete`, {}));
        await expect404(`POST /admin/users/${id}/password`, c.post(`/admin/users/${id}/password`, { password: 'Hijacked-2026-pass', password_confirm: 'Hijacked-2026-pass' }));
        await expect404(`API GET /api/v1/users/${id}`, api('GET', `/api/v1/users/${id}`, undefined, tok));
        await expect404(`API PATCH /api/v1/users/${id}`, api('PATCH', `/api/v1/users/${id}`, { version: u.version, name: 'Piraté' }, tok));
        await expect404(`API PATCH /api/v1/users/${id} password`, api('PATCH', `/api/v1/users/${id}`, { version: u.version, password: 'Hijacked-2026-pass' }, tok));
        await expect404(`API PATCH /api/v1/users/${id} text/plain`, api('PATCH', `/api/v1/users/${id}`, 'x', { ...tok, type: 'text/plain' }));
        // someone who manages users nowhere may get 403 at once (it reveals nothing)
        const created = await api('POST', '/api/v1/users', {
          username: uniq('intrus.'), name: 'Intrus', password: 'Intruder-2026-pass', language: 'fr', roles: [{ role: 'staff', node_id: u.node_id }],
        }, tok);
        const managesUsers = me.roles.some((r) => r.role === 'admin' || r.role === 'director');
        if (!(created.status === 404 || (!managesUsers && created.status === 403))) {
          wrong.push(`API POST /api/v1/users (role at ${u.node_id}): ${created.status} ${created.text.slice(0, 120)}`);
        }
      }
      await expect404('GET /admin/users/987654', c.get('/admin/users/987654'));
      await expect404('API GET /api/v1/users/987654', api('GET', '/api/v1/users/987654', undefined, tok));
      assert.deepEqual(wrong, [], `${login}: routes that did not answer 404`);
    });

    test('a role of someone outside cannot be removed through a user inside', async () => {
      const mine = d.users.filter((u) => inScope.has(u.node_id) && u.id !== me.id);
      const victim = outUsers.find((u) => (u.roles || []).length > 0);
      if (mine.length === 0 || !victim) return;
      const res = await c.post(`/admin/users/${mine[0].id}/roles/${victim.roles[0].id}/delete`, {});
      assert.ok([403, 404].includes(res.status), `POST /admin/users/${mine[0].id}/roles/${victim.roles[0].id}/delete: ${show(res)}`);
    });

    test('documents outside the scope answer 404', async () => {
      const wrong = [];
      for (const [nodeId, attId] of attachments) {
        if (inScope.has(nodeId)) continue;
        const page = await c.get(`/attachments/${attId}`);
        if (page.status !== 404) wrong.push(`GET /attachments/${attId} (node ${nodeId}): ${page.status}`);
        const byToken = await rawRequest('GET', `/attachments/${attId}`, { headers: { authorization: `Bearer ${tok.token}` } });
        if (![401, 303, 404].includes(byToken.status)) wrong.push(`GET /attachments/${attId} with a bearer token: ${byToken.status}`);
        if (byToken.status === 200 || page.status === 200) wrong.push(`document ${attId} was served`);
      }
      assert.deepEqual(wrong, []);
    });

    test('lists show nothing from outside', async () => {
      const nodes = await listAll('/api/v1/nodes', tok);
      for (const n of nodes.items) assert.ok(inScope.has(n.id), `node ${n.id} ${n.name} listed for ${login}`);
      assert.equal(nodes.total, nodes.items.length);
      const users = await api('GET', '/api/v1/users?limit=200', undefined, tok);
      if (users.status === 200) {
        const all = await listAll('/api/v1/users', tok);
        for (const u of all.items) assert.ok(inScope.has(u.node_id), `user ${u.id} ${u.name} (node ${u.node_id}) listed for ${login}`);
      } else {
        assert.equal(users.status, 403, show(users));
      }
      const audit = await api('GET', '/api/v1/audit?limit=200', undefined, tok);
      if (audit.status === 200) {
        const all = await listAll('/api/v1/audit', tok, 200);
        for (const a of all.items) {
          assert.ok(a.node_id && inScope.has(a.node_id), `audit row ${a.id} (${a.action} ${a.entity} ${a.entity_id}, node ${a.node_id}) listed for ${login}`);
        }
      } else {
        assert.ok([403].includes(audit.status), `GET /api/v1/audit: ${show(audit)}`);
      }
      // the pages too: names of EPS outside the scope never appear
      // (the names of the nodes above their own may appear as context)
      const context = new Set(inScope);
      for (const id of inScope) for (let x = d.byId.get(id); x; x = d.byId.get(d.parentOf(x))) context.add(x.id);
      for (const p of ['/', '/admin/nodes']) {
        const res = await c.get(p);
        if (res.status !== 200) continue;
        const text = decodeEntities(res.text);
        for (const n of [d.eps1, d.eps2, d.eps3, d.nour]) {
          if (context.has(n.id)) continue;
          assert.equal(text.includes(n.name), false, `${p} shows ${n.name} to ${login}`);
        }
      }
    });
  });
}

describe('in scope but not allowed: 403', () => {
  test('read-only roles and staff', async () => {
    const wrong = [];
    const check = async (label, want, p) => {
      const res = await p;
      if (res.status !== want) wrong.push(`${label}: want ${want}, got ${res.status} ${res.text.slice(0, 100).replace(/\s+/g, ' ')}`);
    };
    const eps1 = (await api('GET', `/api/v1/nodes/${d.eps1.id}`, undefined, admin)).json();
    const dir = d.user('directrice.casa@amal.ma');
    for (const login of ['observateur@entraide.ma', 'inspecteur@entraide.ma', 'educateur.casa', 'referent.casa@amal.ma', 'conseil@amal.ma']) {
      const tok = { token: tokenFor(login) };
      const c = await signIn(login);
      await check(`${login} API GET node`, 200, api('GET', `/api/v1/nodes/${d.eps1.id}`, undefined, tok));
      await check(`${login} page GET node`, 200, c.get(`/admin/nodes/${d.eps1.id}`));
      await check(`${login} API PATCH node`, 403, api('PATCH', `/api/v1/nodes/${d.eps1.id}`, { version: eps1.version, name: 'Piraté' }, tok));
      await check(`${login} GET edit`, 403, c.get(`/admin/nodes/${d.eps1.id}/edit`));
      await check(`${login} POST node`, 403, c.post(`/admin/nodes/${d.eps1.id}`, { name: 'Piraté' }));
      await check(`${login} POST disable`, 403, c.post(`/admin/nodes/${d.eps1.id}/disable`, {}));
      await check(`${login} POST unit`, 403, c.post('/admin/nodes', { parent_id: String(d.eps1.id), kind: 'unit', name: 'Refusée' }));
      await check(`${login} POST user disable`, 403, c.post(`/admin/users/${dir.id}/disable`, {}));
      await check(`${login} POST user password`, 403, c.post(`/admin/users/${dir.id}/password`, { password: 'Hijacked-2026-pass', password_confirm: 'Hijacked-2026-pass' }));
      await check(`${login} API PATCH user`, 403, api('PATCH', `/api/v1/users/${dir.id}`, { version: dir.version, name: 'Piraté' }, tok));
    }
    // observer and inspector: never personal data, so no users
    for (const login of ['observateur@entraide.ma', 'inspecteur@entraide.ma']) {
      const tok = { token: tokenFor(login) };
      const c = await signIn(login);
      await check(`${login} API GET user`, 403, api('GET', `/api/v1/users/${dir.id}`, undefined, tok));
      await check(`${login} page GET user`, 403, c.get(`/admin/users/${dir.id}`));
      const att = attachments.get(d.eps1.id);
      if (att) await check(`${login} GET /attachments/${att}`, 403, c.get(`/attachments/${att}`));
    }
    // staff at a unit reads the unit but cannot change it
    const fatima = { token: tokenFor('mere.fatima') };
    const m1 = (await api('GET', `/api/v1/nodes/${d.maison1.id}`, undefined, fatima));
    await check('mere.fatima GET her unit', 200, Promise.resolve(m1));
    if (m1.status === 200) {
      await check('mere.fatima PATCH her unit', 403, api('PATCH', `/api/v1/nodes/${d.maison1.id}`, { version: m1.json().version, name: 'Piraté' }, fatima));
    }
    assert.deepEqual(wrong, []);
  });
});

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
