// scope-projects.test.mjs - every route of the projet d'établissement that
// takes an id, for every known demo login, own and foreign projets alike.
// What each login may do is worked out here from the module's rule
// (src/project/project_internal.h, docs/API.md) and the demo roles of
// fixture.mjs, never asked of the server:
//  - read a projet: quality.read at its EPS, or a director, referent or
//    staff role at the EPS or one of its units (co-construction);
//  - contribute (propose, comment): a director, referent or staff role at
//    the EPS or one of its units;
//  - manage (consultation, meetings, strategy, title and period): the
//    director and the quality referent;
//  - direct (validate, new version, name owners): the director;
//  - write a section: the director or the section's owner; a frozen
//    (validated) projet answers 409 to any change of its sections, whoever
//    asks, once the projet is readable.
// A projet the login may not read answers 404 as if absent; one it reads
// but may not change answers 403. Permitted changes are tried with a body
// the server must refuse (422), or on an object that is not the projet's
// (404), so nothing changes; afterwards nothing has. The list of each login
// holds exactly the projets it may read.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, signIn, dbValue, show, listAll, ADMIN_EMAIL } from './lib.mjs';
import { demoActor } from './fixture.mjs';

const ACTORS = [
  'directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'admin@nour.ma', 'admin@amal.ma', 'directrice@nour.ma',
  'mere.fatima', 'educateur.casa', 'referent.casa@amal.ma', 'conseil@amal.ma', 'inspecteur@entraide.ma',
  'observateur@entraide.ma',
];
const WORKERS = ['director', 'quality_referent', 'staff'];
const ABSENT = 987654;
const LEVELS = ['none', 'read', 'contribute', 'manage', 'direct'];
let d;
let objects;
let contribution; // an open proposal of the first EPS's projet (section "offer", no owner)
let foreignObjective; // an objective of no projet tried here

const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);
function levelOf(actor, eps) {
  if (actor.roles.some((r) => r.role === 'director' && within(eps, r.node.id))) return 'direct';
  if (actor.roles.some((r) => r.role === 'quality_referent' && within(eps, r.node.id))) return 'manage';
  if (actor.roles.some((r) => WORKERS.includes(r.role) && within(r.node.id, eps))) return 'contribute';
  if (actor.can('quality.read', eps)) return 'read';
  return 'none';
}
const atLeast = (have, need) => LEVELS.indexOf(have) >= LEVELS.indexOf(need);

/** The status a route must answer: none -> 404, short of need -> 403,
 *  else what the route says a permitted try gives. */
function expected(route, o, level) {
  if (level === 'none') return [404];
  if (route.expect) return route.expect(o, level);
  if (!atLeast(level, route.need)) return [403];
  return route.ok ?? [200];
}

const tok = (login) => ({ token: tokenFor(login) });
const clients = new Map();
async function clientOf(login) {
  if (!clients.has(login)) clients.set(login, await signIn(login));
  return clients.get(login);
}

/* The routes: need is the level asked; a permitted change is sent a body
 * the server refuses, so nothing changes. */
const routes = [
  { label: 'GET projet', need: 'read', call: (l, o) => api('GET', `/api/v1/projects/${o.id}`, undefined, tok(l)) },
  { label: 'GET versions', need: 'read', call: (l, o) => api('GET', `/api/v1/projects/${o.id}/versions`, undefined, tok(l)) },
  { label: 'GET diff', need: 'read', call: (l, o) => api('GET', `/api/v1/projects/${o.id}/diff?from=1&to=0`, undefined, tok(l)),
    expect: (o) => [o.versions ? 200 : 404] },
  { label: 'GET strategy', need: 'read', call: (l, o) => api('GET', `/api/v1/projects/${o.id}/strategy`, undefined, tok(l)) },
  { label: 'GET pdf', need: 'read', call: (l, o) => api('GET', `/api/v1/projects/${o.id}.pdf?version=99`, undefined, tok(l)), ok: [404] },
  { label: 'page', need: 'read', page: true, call: async (l, o) => (await clientOf(l)).get(`/projects/${o.id}`) },
  { label: 'page section', need: 'read', page: true, call: async (l, o) => (await clientOf(l)).get(`/projects/${o.id}/sections/history`) },
  { label: 'page strategy', need: 'read', page: true, call: async (l, o) => (await clientOf(l)).get(`/projects/${o.id}/strategy`) },
  { label: 'page diff', need: 'read', page: true, call: async (l, o) => (await clientOf(l)).get(`/projects/${o.id}/diff?from=1&to=0`),
    expect: (o) => [o.versions ? 200 : 404] },
  { label: 'PATCH projet', need: 'manage', ok: [422], call: (l, o) => api('PATCH', `/api/v1/projects/${o.id}`, { title: 5 }, tok(l)) },
  { label: 'POST status', need: 'manage', ok: [422], call: (l, o) => api('POST', `/api/v1/projects/${o.id}/status`, { status: 'validated' }, tok(l)) },
  { label: 'POST meetings', need: 'manage', ok: [422], call: (l, o) => api('POST', `/api/v1/projects/${o.id}/meetings`, { held_on: 'x' }, tok(l)) },
  { label: 'POST strategy', need: 'manage', call: (l, o) => api('POST', `/api/v1/projects/${o.id}/strategy`, { kind: 'planet' }, tok(l)),
    expect: (o, level) => (!atLeast(level, 'manage') ? [403] : o.frozen ? [409] : [422]) },
  { label: 'POST objective action', need: 'manage', ok: [404],
    call: (l, o) => api('POST', `/api/v1/projects/${o.id}/objectives/${foreignObjective}/actions`, {}, tok(l)) },
  { label: 'POST contributions', need: 'contribute', ok: [422], call: (l, o) => api('POST', `/api/v1/projects/${o.id}/contributions`, { kind: 'x' }, tok(l)) },
  { label: 'POST decide', need: 'contribute',
    call: (l, o) => api('POST', `/api/v1/projects/${o.id}/contributions/${contribution}`, { decision: 'maybe' }, tok(l)),
    expect: (o, level) => (!atLeast(level, 'contribute') ? [403] : !o.hasContribution ? [404] : level === 'direct' ? [422] : [403]) },
  { label: 'POST validate', need: 'direct', ok: [422], call: (l, o) => api('POST', `/api/v1/projects/${o.id}/validate`, {}, tok(l)) },
  { label: 'PUT section', need: 'read',
    call: (l, o) => api('PUT', `/api/v1/projects/${o.id}/sections/history`, { content: 5 }, tok(l)),
    expect: (o, level) => (o.frozen ? [409] : level === 'direct' ? [422] : [403]) },
  { label: 'page save section', need: 'read', page: true,
    call: async (l, o) => (await clientOf(l)).post(`/projects/${o.id}/sections/history`, { content: 'x'.repeat(60001) }),
    expect: (o, level) => (o.frozen ? [409] : level === 'direct' ? [422] : [403]) },
  { label: 'POST versions (refusals only)', need: 'direct', refusalsOnly: true,
    call: (l, o) => api('POST', `/api/v1/projects/${o.id}/versions`, {}, tok(l)) },
];

async function snapshot() {
  return {
    projects: dbValue("SELECT COUNT(*) || ':' || SUM(rev) || ':' || SUM(version) FROM projects"),
    sections: dbValue("SELECT COUNT(*) || ':' || SUM(rev) FROM project_sections"),
    versions: dbValue('SELECT COUNT(*) FROM project_versions'),
    contributions: dbValue("SELECT COUNT(*) || ':' || SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) FROM project_contributions"),
    meetings: dbValue('SELECT COUNT(*) FROM project_meetings'),
    strategy: dbValue('SELECT (SELECT COUNT(*) FROM project_axes) || \':\' || (SELECT COUNT(*) FROM project_objectives) || \':\' || (SELECT COUNT(*) FROM project_indicators)'),
    actions: dbValue('SELECT COUNT(*) FROM actions'),
    audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'project'"),
  };
}

before(async () => {
  d = await demo();
  const admin = tok(ADMIN_EMAIL);
  objects = [];
  for (const eps of [d.eps1, d.eps2, d.eps3, d.nour]) {
    const list = await api('GET', `/api/v1/projects?node_id=${eps.id}&limit=200`, undefined, admin);
    assert.equal(list.status, 200, show(list));
    // the demo's projet: the oldest of the EPS (other tests add projets of later periods)
    let p = list.json().items.sort((a, b) => a.id - b.id)[0];
    if (!p) {
      // an EPS without a demo projet gets one, made by its director
      const dir = eps.id === d.nour.id ? 'directrice@nour.ma' : eps.id === d.eps3.id ? 'directeur.tanger@amal.ma' : null;
      assert.ok(dir, `the demo gives ${eps.name} a projet`);
      const res = await api('POST', '/api/v1/projects', { node_id: eps.id, title: 'Projet de la portée', period_start: '2091-01-01', period_end: '2095-12-31' }, tok(dir));
      assert.equal(res.status, 201, show(res));
      p = res.json();
    }
    const versions = Number(dbValue(`SELECT COUNT(*) FROM project_versions WHERE project_id = ${p.id}`));
    objects.push({ id: p.id, eps: eps.id, versions, frozen: ['validated', 'in_force', 'expired'].includes(p.status), label: `${p.title} (${eps.name}, ${p.status})` });
  }
  contribution = Number(dbValue(`SELECT c.id FROM project_contributions c JOIN project_sections s ON s.project_id = c.project_id AND s.key = c.section_key WHERE c.project_id = ${objects[0].id} AND c.kind = 'proposal' AND c.status = 'open' AND s.owner_id IS NULL ORDER BY c.id LIMIT 1`));
  assert.ok(contribution > 0, 'the demo projet in consultation has an open proposal on a section without owner');
  objects[0].hasContribution = true;
  assert.ok(!objects[0].frozen, 'the first EPS\'s projet is being written');
  assert.ok(objects.some((o) => o.frozen), 'a validated projet is tried');
  foreignObjective = Number(dbValue(`SELECT id FROM project_objectives WHERE project_id NOT IN (${objects.map((o) => o.id).join(', ')}) ORDER BY id LIMIT 1`))
    || Number(dbValue(`SELECT o.id FROM project_objectives o WHERE o.project_id = ${objects[1].id} ORDER BY o.id LIMIT 1`));
  assert.ok(foreignObjective > 0);
});

test('every route taking a projet id, for every demo login: 404 outside, 403 short of the right, nothing changed', async () => {
  const before_ = await snapshot();
  const wrong = [];
  let tried = 0;
  for (const login of ACTORS) {
    const actor = demoActor(d, login);
    for (const o of objects) {
      // a projet's own objective is not the foreign one
      const level = levelOf(actor, o.eps);
      for (const route of routes) {
        if (route.refusalsOnly && level !== 'none' && atLeast(level, route.need)) continue;
        if (route.label === 'POST objective action' && level !== 'none' && atLeast(level, 'manage') &&
            Number(dbValue(`SELECT project_id FROM project_objectives WHERE id = ${foreignObjective}`)) === o.id) continue;
        const want = expected(route, o, level);
        const res = await route.call(login, o);
        tried++;
        if (!want.includes(res.status)) wrong.push(`${login} (${level}) ${route.label} on ${o.label}: want ${want.join('|')}, got ${res.status} ${res.text.slice(0, 140).replace(/\s+/g, ' ')}`);
      }
      // an id that does not exist looks the same as one outside the scope
      const res = await api('GET', `/api/v1/projects/${ABSENT}`, undefined, tok(login));
      if (res.status !== 404) wrong.push(`${login}: absent projet answered ${res.status}`);
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
  assert.ok(tried > ACTORS.length * objects.length * 10);
  assert.deepEqual(await snapshot(), before_, 'nothing changed');
});

test('each login lists exactly the projets it may read, totals included', async () => {
  for (const login of ACTORS) {
    const actor = demoActor(d, login);
    const { items, total } = await listAll('/api/v1/projects', tok(login), 200);
    assert.equal(items.length, total, `${login}: total`);
    const ids = new Set(items.map((x) => x.id));
    for (const o of objects) {
      const may = levelOf(actor, o.eps) !== 'none';
      assert.equal(ids.has(o.id), may, `${login} ${may ? 'misses' : 'lists'} ${o.label}`);
    }
    // and nothing of an EPS it may not read
    for (const it of items) {
      assert.notEqual(levelOf(actor, it.node_id), 'none', `${login} lists projet ${it.id} of node ${it.node_id}`);
    }
  }
});
