// scope-actions.test.mjs - every route of the improvement plan that takes an
// id (an action, or the EPS whose plan it is), for every known demo login
// (lib.mjs scopeCheck, the pattern of scope.test.mjs): an action or a plan of
// an EPS outside the scope answers 404 as if absent, one inside answers 403 to
// a route whose permission (quality.read, quality.write) the role lacks
// there, and 200 to the reads it allows. The actions tried belong to four EPS
// of both associations and are owned by none of the logins tried at a unit
// (a unit's staff reaches the actions they own: actions.test.mjs). The lists
// and exports of a director hold their EPS's actions only. Afterwards
// nothing has changed.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, signIn, dbValue, scopeCheck, smallPdf, ADMIN_EMAIL } from './lib.mjs';
import { demoActor } from './fixture.mjs';

const ACTORS = [
  'directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'admin@nour.ma', 'admin@amal.ma', 'directrice@nour.ma',
  'mere.fatima', 'educateur.casa', 'referent.casa@amal.ma', 'conseil@amal.ma', 'inspecteur@entraide.ma',
  'observateur@entraide.ma',
];
const ABSENT = 987654;
let d;
let objects;
let before_;

function snapshot() {
  return {
    actions: dbValue("SELECT COUNT(*) || ':' || COALESCE(SUM(rev), 0) || ':' || COALESCE(SUM(progress), 0) FROM actions"),
    contributors: dbValue('SELECT COUNT(*) FROM action_contributors'),
    comments: dbValue('SELECT COUNT(*) FROM action_comments'),
    adoptions: dbValue('SELECT COUNT(*) FROM plan_adoptions'),
    files: dbValue("SELECT COUNT(*) FROM attachments WHERE owner_kind = 'action'"),
    audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity IN ('action', 'plan')"),
  };
}

before(async () => {
  d = await demo();
  const mere = d.user('mere.fatima').id;
  objects = [];
  for (const eps of [d.eps1, d.eps2, d.eps3, d.nour]) {
    const id = Number(dbValue(`SELECT a.id FROM actions a WHERE a.node_id = ${eps.id} AND a.status = 'in_progress'`
      + ` AND COALESCE(a.owner_id, 0) <> ${mere} AND NOT EXISTS (SELECT 1 FROM action_contributors c`
      + ` WHERE c.action_id = a.id AND c.user_id = ${mere}) ORDER BY a.id LIMIT 1`));
    if (!id) continue;
    const a = (await api('GET', `/api/v1/actions/${id}`, undefined, { token: tokenFor(ADMIN_EMAIL) })).json();
    objects.push({ kind: 'action', id, node: eps.id, label: `action ${id} of ${eps.name}`, title: a.title, version: a.version });
    objects.push({ kind: 'plan', id: eps.id, node: eps.id, label: `plan of ${eps.name}`, title: eps.name });
  }
  before_ = snapshot();
});

test('the demo gives an ongoing action to each EPS tried', () => {
  assert.equal(objects.filter((o) => o.kind === 'action').length, 4);
});

function routesOf(c, tok) {
  const r = (kind, label, perm, read, call, more = {}) => ({ kind, label, perm, read, call, ...more });
  const pdf = [{ field: 'file', filename: 'preuve.pdf', type: 'application/pdf', data: smallPdf('preuve') }];
  const sameId = (res, o) => (res.json().id === o.id ? null : 'another action');
  const titled = (res, o) => (res.text.includes(o.title.replace(/'/g, '&#39;')) || res.text.includes(o.title) ? null : 'not its page');
  return [
    r('action', 'GET /actions/{id}', 'quality.read', true, (o) => c.get(`/actions/${o.id}`), { verify: titled }),
    r('action', 'POST /actions/{id}', 'quality.write', false, (o) => c.post(`/actions/${o.id}`, { progress: '77', rev: String(o.version) })),
    r('action', 'POST /actions/{id}/status', 'quality.write', false, (o) => c.post(`/actions/${o.id}/status`, { status: 'done', rev: String(o.version) })),
    r('action', 'POST /actions/{id}/comments', 'quality.write', false, (o) => c.post(`/actions/${o.id}/comments`, { body: 'intrus' })),
    r('action', 'POST /actions/{id}/attachments', 'quality.write', false, (o) => c.postMultipart(`/actions/${o.id}/attachments`, {}, pdf)),
    r('action', 'API GET /api/v1/actions/{id}', 'quality.read', true, (o) => api('GET', `/api/v1/actions/${o.id}`, undefined, tok), { verify: sameId }),
    r('action', 'API GET /api/v1/actions/{id}/attachments', 'quality.read', true, (o) => api('GET', `/api/v1/actions/${o.id}/attachments`, undefined, tok),
      { verify: (res) => (Array.isArray(res.json().items) ? null : 'no items') }),
    r('action', 'API PATCH /api/v1/actions/{id}', 'quality.write', false, (o) => api('PATCH', `/api/v1/actions/${o.id}`, { progress: 77 }, tok)),
    r('action', 'API POST /api/v1/actions/{id}/comments', 'quality.write', false, (o) => api('POST', `/api/v1/actions/${o.id}/comments`, { body: 'intrus' }, tok)),
    r('action', 'API POST /api/v1/actions/{id}/attachments', 'quality.write', false, async (o) => {
      const { multipart } = await import('./lib.mjs');
      const mp = multipart({}, pdf);
      return api('POST', `/api/v1/actions/${o.id}/attachments`, mp.body, { ...tok, type: mp.contentType });
    }),
    r('plan', 'GET /plans/{id}', 'quality.read', true, (o) => c.get(`/plans/${o.id}`), { verify: titled }),
    r('plan', 'POST /plans/{id}/adopt', 'quality.write', false, (o) => c.post(`/plans/${o.id}/adopt`, { note: 'intrus' })),
    r('plan', 'API GET /api/v1/plans/{id}', 'quality.read', true, (o) => api('GET', `/api/v1/plans/${o.id}`, undefined, tok),
      { verify: (res, o) => (res.json().node_id === o.id ? null : 'another plan') }),
    r('plan', 'API POST /api/v1/plans/{id}/adopt', 'quality.write', false, (o) => api('POST', `/api/v1/plans/${o.id}/adopt`, {}, tok)),
  ];
}

for (const login of ACTORS) {
  describe(`the improvement plan in the scope of ${login}`, () => {
    test('404 outside, 403 without the permission, 200 for what may be read', async (t) => {
      const actor = demoActor(d, login);
      const c = await signIn(login);
      const tok = { token: tokenFor(login) };
      const inScope = (o) => !o.absent && actor.scope.has(o.node);
      const inside = objects.filter(inScope);
      const outside = [...objects.filter((o) => !inScope(o)),
        { kind: 'action', id: ABSENT, node: null, label: 'no such action', absent: true, title: '?', version: 1 },
        { kind: 'plan', id: ABSENT, node: null, label: 'no such EPS', absent: true, title: '?' }];
      const routes = routesOf(c, tok);
      if (actor.wholePlatform || inside.length === 0) {
        // nothing outside (the observer reads every EPS) or nothing inside (a
        // house's staff: actions belong to the EPS): the same rule, route by route
        const wrong = [];
        for (const o of [...inside, ...outside]) {
          for (const route of routes.filter((x) => x.kind === o.kind)) {
            const want = !inScope(o) || o.absent ? [404] : !actor.can(route.perm, o.node) ? [403] : route.read ? [200] : null;
            if (!want) continue;
            const res = await route.call(o);
            if (!want.includes(res.status)) wrong.push(`${route.label} on ${o.label}: want ${want}, got ${res.status}`);
          }
        }
        assert.deepEqual(wrong, []);
        return;
      }
      const res = await scopeCheck({ actor, routes, inside, outside });
      t.diagnostic(`${login}: ${res.outside} requests outside, ${res.inside} inside`);
      assert.deepEqual(res.wrong, []);
      if (actor.anywhere('quality.read')) assert.deepEqual(res.read, ['action', 'plan']);
    });

    test('lists, summaries and exports hold the scope\'s actions, and the reader\'s own', async () => {
      const actor = demoActor(d, login);
      const tok = { token: tokenFor(login) };
      const me = d.user(login).id;
      const list = (await api('GET', '/api/v1/actions?limit=200', undefined, tok)).json();
      const own = (x) => x.owner_id === me;
      for (const x of list.items) {
        assert.ok(actor.scope.has(x.node_id) || own(x) || Number(dbValue(`SELECT COUNT(*) FROM action_contributors WHERE action_id = ${x.id} AND user_id = ${me}`)) === 1,
          `${login} lists action ${x.id} of node ${x.node_id}`);
      }
      for (const o of objects.filter((x) => x.kind === 'action')) {
        const listed = (await api('GET', `/api/v1/actions?node_id=${o.node}&limit=200`, undefined, tok)).json().items.some((x) => x.id === o.id);
        assert.equal(listed, actor.scope.has(o.node), `${o.label} listed for ${login}`);
      }
      const csv = await api('GET', '/api/v1/actions.csv', undefined, tok);
      assert.equal(csv.status, 200);
      for (const o of objects.filter((x) => x.kind === 'action' && !actor.scope.has(x.node))) {
        assert.ok(!csv.text.split(/\r?\n/).some((l) => l.startsWith(`${o.id},`)), `${o.label} not exported to ${login}`);
      }
      const sum = await api('GET', '/api/v1/actions/summary', undefined, tok);
      if (actor.anywhere('quality.read')) {
        assert.equal(sum.status, 200);
        // the scope's EPS, and those of the actions the reader owns or contributes to
        const involved = new Set(list.items.filter((x) => !actor.scope.has(x.node_id)).map((x) => x.node_id));
        for (const row of sum.json().items) assert.ok(actor.scope.has(row.node_id) || involved.has(row.node_id), `summary of node ${row.node_id} for ${login}`);
      }
    });
  });
}

test('nothing changed', () => {
  assert.deepEqual(snapshot(), before_);
});
