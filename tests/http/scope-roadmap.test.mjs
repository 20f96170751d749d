// scope-roadmap.test.mjs - every route of the methodology roadmap
// (src/roadmap/roadmap_module.c) that names a node, pages and API, reads and
// writes, for every demo login, on the Casablanca EPS, on Tanger (another
// EPS of the same association), on Fès (another association's EPS), on a
// unit and on an id that does not exist; then the view of a scope (the
// root, an association) and what /roadmap gives each login by default. What
// each login may do is worked out here from the rules of
// src/roadmap/road_internal.h and the demo roles of fixture.mjs, never asked
// of the server:
//  - read an EPS's roadmap: quality.read at the EPS (its director, referent
//    and staff, and above: advisors, admins, observers, inspectors); others
//    404, as if it did not exist, without its name;
//  - change a step: the EPS's director and quality referent, and the admins
//    and quality advisors over it; other readers 403, whatever the body;
//  - the view of a scope (an association, the root): those holding
//    quality.read at that node (its admins, advisors, the observer); the
//    directors and staff of an EPS get 404 for the association above them
//    and the root; the view counts every active EPS of the scope, and only
//    those.
// Permitted changes are sent bodies the server must refuse (422) or a stale
// rev (409): afterwards nothing has changed (road_steps and its audit rows
// compared through the database).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, signIn, dbValue, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';
import { demoActor, DEMO_ROLES } from './fixture.mjs';

const LOGINS = Object.keys(DEMO_ROLES);
const ABSENT = 987654321;
const STALE = 999999;
const STEP = 'self_assessment';
const LEVELS = ['none', 'read', 'edit'];
let d;
let places; // [{id, name, label, eps: bool}]
let actors; // [{login, actor, client, token}]

const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);
function levelOf(actor, nodeId) {
  if (actor.roles.some((r) => ['director', 'quality_referent', 'admin', 'quality_advisor'].includes(r.role) && within(nodeId, r.node.id))) return 'edit';
  if (actor.can('quality.read', nodeId)) return 'read';
  return 'none';
}
const atLeast = (have, need) => LEVELS.indexOf(have) >= LEVELS.indexOf(need);
async function inGroups(thunks, n = 8) {
  const out = [];
  for (let i = 0; i < thunks.length; i += n) out.push(...await Promise.all(thunks.slice(i, i + n).map((f) => f())));
  return out;
}
const tokOf = (a) => ({ token: a.token });
const brief = (res) => `${res.status}${res.location ? ` -> ${res.location}` : ''} ${res.text.slice(0, 160).replace(/\s+/g, ' ')}`;

/* The routes naming an EPS: need is the level asked. */
const routes = [
  { label: 'page roadmap', need: 'read', shows: true, call: (a, o) => a.client.get(`/roadmap/${o.id}`) },
  { label: 'page step', need: 'edit', call: (a, o) => a.client.get(`/roadmap/${o.id}/steps/${STEP}`) },
  { label: 'page save step (bad status)', need: 'edit', ok: [422], call: (a, o) => a.client.post(`/roadmap/${o.id}/steps/${STEP}`, { status: 'bogus' }) },
  { label: 'page save step (stale rev)', need: 'edit', ok: [409], call: (a, o) => a.client.post(`/roadmap/${o.id}/steps/${STEP}`, { status: 'in_progress', rev: String(STALE) }) },
  { label: 'page unknown step', need: 'read', ok: [404], refusedToo: [404], call: (a, o) => a.client.get(`/roadmap/${o.id}/steps/nowhere`) },
  { label: 'page ?node_id= (to the EPS)', need: 'read', ok: [303], call: (a, o) => a.client.get(`/roadmap?node_id=${o.id}`),
    verify: (res, o) => (res.location === `/roadmap/${o.id}` ? null : `redirects to ${res.location}`) },
  { label: 'chart of an EPS', need: 'read', ok: [404], refusedToo: [404], call: (a, o) => a.client.get(`/roadmap/chart.svg?node_id=${o.id}`) },
  { label: 'API GET ?node_id=', need: 'read', shows: true, call: (a, o) => api('GET', `/api/v1/roadmap?node_id=${o.id}`, undefined, tokOf(a)),
    verify: (res, o, level) => {
      const j = res.json();
      if (j.node_id !== o.id || !Array.isArray(j.steps) || j.steps.length !== 9) return `not the EPS's 9 steps: ${res.text.slice(0, 120)}`;
      if (j.can_edit !== (level === 'edit')) return `can_edit ${j.can_edit}`;
      return null;
    } },
  { label: 'API PUT step (bad status)', need: 'edit', ok: [422], call: (a, o) => api('PUT', `/api/v1/roadmap/${o.id}/steps/${STEP}`, { status: 'bogus' }, tokOf(a)) },
  { label: 'API PUT step (stale rev)', need: 'edit', ok: [409], call: (a, o) => api('PUT', `/api/v1/roadmap/${o.id}/steps/${STEP}`, { status: 'in_progress', rev: STALE }, tokOf(a)) },
  { label: 'API PUT step (not an object)', need: 'edit', ok: [400, 422], call: (a, o) => api('PUT', `/api/v1/roadmap/${o.id}/steps/${STEP}`, '[1]', tokOf(a)) },
  { label: 'API PUT unknown step', need: 'read', ok: [404], refusedToo: [404], call: (a, o) => api('PUT', `/api/v1/roadmap/${o.id}/steps/nowhere`, { status: 'done' }, tokOf(a)) },
];

function expected(route, level) {
  if (level === 'none') return [404];
  if (!atLeast(level, route.need)) return route.refusedToo ?? [403];
  return route.ok ?? [200];
}

const snapshot = () => ({
  steps: dbValue("SELECT COUNT(*) || ':' || SUM(rev) || ':' || SUM(CASE status WHEN 'done' THEN 2 WHEN 'in_progress' THEN 1 ELSE 0 END) || ':' || SUM(LENGTH(evidence) + LENGTH(link)) || ':' || SUM(updated_at) FROM road_steps"),
  audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity IN ('road_step', 'roadmap')"),
});
/** Active EPS under a node, counted in the database. */
function epsUnder(nodeId) {
  const path = dbValue(`SELECT path FROM nodes WHERE id = ${nodeId}`);
  return Number(dbValue(`SELECT COUNT(*) FROM nodes WHERE kind = 'eps' AND active = 1 AND path LIKE '${path}%'`));
}

before(async () => {
  d = await demo();
  places = [
    { id: d.eps1.id, name: d.eps1.name, label: `EPS ${d.eps1.name}` },
    { id: d.eps3.id, name: d.eps3.name, label: `EPS ${d.eps3.name}` },
    { id: d.nour.id, name: d.nour.name, label: `EPS ${d.nour.name}` },
  ];
  actors = [];
  for (const login of LOGINS) {
    actors.push({ login, actor: demoActor(d, login), token: tokenFor(login),
      client: await signIn(login, login === ADMIN_EMAIL ? ADMIN_PASSWORD : undefined) });
  }
});

test('every route naming an EPS, for every login: 404 outside, 403 short of the right, nothing changed, no name shown', async () => {
  const before_ = snapshot();
  const wrong = [];
  const allowedSeen = new Set();
  let tried = 0;
  for (const a of actors) {
    const jobs = [];
    for (const o of places) {
      const level = levelOf(a.actor, o.id);
      for (const route of routes) {
        jobs.push(async () => {
          const want = expected(route, level);
          const where = `${a.login} (${level}) ${route.label} on ${o.label}`;
          let res;
          try { res = await route.call(a, o); } catch (e) { wrong.push(`${where}: ${e.message}`); return; }
          tried++;
          if (!want.includes(res.status)) { wrong.push(`${where}: want ${want.join('|')}, got ${brief(res)}`); return; }
          if (level !== 'none' && atLeast(level, route.need)) allowedSeen.add(route.label);
          if (level === 'none' && res.text.includes(o.name)) wrong.push(`${where}: the refusal shows the EPS's name`);
          if (res.status === (route.ok ?? [200])[0] && level !== 'none' && atLeast(level, route.need) && route.verify) {
            const why = route.verify(res, o, level);
            if (why) wrong.push(`${where}: ${why}`);
          }
          if (res.status === 200 && route.shows && !res.text.includes(o.name.replace(/'/g, '&#39;')) && !res.text.includes(o.name)) wrong.push(`${where}: 200 without the EPS's name`);
        });
      }
    }
    // a unit and an id that does not exist: 404 on every route
    const unit = { id: d.maison1.id, name: d.maison1.name };
    for (const o of [{ id: ABSENT, name: 'absent' }, unit]) {
      for (const route of routes) {
        jobs.push(async () => {
          const res = await route.call(a, o);
          tried++;
          if (res.status !== 404) wrong.push(`${a.login} ${route.label} on ${o.id === ABSENT ? 'an absent id' : 'the unit Maison 1'}: want 404, got ${brief(res)}`);
        });
      }
    }
    await inGroups(jobs, 8);
  }
  const after_ = snapshot();
  if (JSON.stringify(after_) !== JSON.stringify(before_)) wrong.push(`road_steps changed: ${JSON.stringify(before_)} -> ${JSON.stringify(after_)}`);
  assert.ok(wrong.length === 0, `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
  const never = routes.filter((r) => !allowedSeen.has(r.label)).map((r) => r.label);
  assert.deepEqual(never, [], 'every route was let through for someone');
});

test('the view of a scope: its readers only, counting every active EPS of it and no other', async () => {
  const wrong = [];
  const scopes = [
    { id: d.root.id, kind: 'root', label: 'the root' },
    { id: d.assoc1.id, kind: 'association', label: 'Amal' },
    { id: d.assoc2.id, kind: 'association', label: 'Nour' },
  ];
  for (const s of scopes) s.count = epsUnder(s.id);
  await inGroups(actors.flatMap((a) => scopes.map((s) => async () => {
    const may = a.actor.can('quality.read', s.id);
    const where = `${a.login} view of ${s.label}`;
    const res = await api('GET', `/api/v1/roadmap?node_id=${s.id}&limit=200`, undefined, tokOf(a));
    if (res.status !== (may ? 200 : 404)) { wrong.push(`${where} (API): want ${may ? 200 : 404}, got ${brief(res)}`); return; }
    if (may) {
      const j = res.json();
      const inside = new Set(d.subtree(s.id).map((n) => n.id));
      const sum = Object.values(j.by_step).reduce((x, y) => x + y, 0);
      if (j.kind !== s.kind || j.total_eps !== s.count || sum !== s.count || j.matched !== s.count) {
        wrong.push(`${where} (API): want ${s.kind} with ${s.count} EPS, got ${j.kind} total_eps ${j.total_eps}, by_step sum ${sum}, matched ${j.matched}`);
      }
      const path = dbValue(`SELECT path FROM nodes WHERE id = ${s.id}`);
      const ids = j.eps.map((e) => Number(e.id)).join(', ') || '0';
      const foreign = Number(dbValue(`SELECT COUNT(*) FROM nodes WHERE id IN (${ids}) AND (kind <> 'eps' OR path NOT LIKE '${path}%')`));
      if (foreign || j.eps.some((e) => d.byId.has(e.id) && !inside.has(e.id))) wrong.push(`${where} (API) lists ${foreign} EPS of elsewhere`);
    }
    const page = await a.client.get(`/roadmap?node_id=${s.id}`);
    if (page.status !== (may ? 200 : 404)) wrong.push(`${where} (page): want ${may ? 200 : 404}, got ${brief(page)}`);
    const byId = await a.client.get(`/roadmap/${s.id}`);
    const wantById = may ? 303 : 404;
    if (byId.status !== wantById || (may && byId.location !== `/roadmap?node_id=${s.id}`)) wrong.push(`${where} (/roadmap/${s.id}): want ${wantById}, got ${brief(byId)}`);
    const chart = await a.client.get(`/roadmap/chart.svg?node_id=${s.id}`);
    if (chart.status !== (may ? 200 : 404) || (may && !String(chart.headers['content-type']).startsWith('image/svg+xml'))) {
      wrong.push(`${where} (chart): want ${may ? '200 svg' : 404}, got ${chart.status} ${chart.headers['content-type']}`);
    }
    if (!may && (page.text.includes(d.nour.name) || res.text.includes(d.nour.name)) && !a.actor.can('quality.read', d.nour.id)) {
      wrong.push(`${where}: the refusal shows an EPS it may not read`);
    }
  })), 6);
  assert.ok(wrong.length === 0, `${wrong.length} wrong:\n${wrong.join('\n')}`);
});

const escapeHtml = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

test('/roadmap without a node: the network\'s readers get their scope\'s view, the people of an EPS its roadmap', async () => {
  const wrong = [];
  await inGroups(actors.map((a) => async () => {
    // the highest node where the login reads quality work as a network (root or association)
    const network = a.actor.roles.filter((r) => ['root', 'association'].includes(r.node.kind))
      .sort((x, y) => d.subtree(y.node.id).length - d.subtree(x.node.id).length)[0];
    const res = await api('GET', '/api/v1/roadmap', undefined, tokOf(a));
    const page = await a.client.get('/roadmap');
    if (network) {
      const n = network.node;
      const count = epsUnder(n.id);
      if (res.status !== 200 || res.json().node_id !== n.id || res.json().total_eps !== count) {
        wrong.push(`${a.login} GET /api/v1/roadmap: want the view of ${n.name} (${count} EPS), got ${brief(res)}`);
      }
      if (page.status !== 200) wrong.push(`${a.login} GET /roadmap: want 200 (the view), got ${brief(page)}`);
      // the view names the EPS of its scope, never another association's
      const others = [d.eps1, d.eps3, d.nour].filter((e) => !within(e.id, n.id));
      for (const e of others) if (page.text.includes(e.name)) wrong.push(`${a.login} GET /roadmap shows ${e.name}`);
      return;
    }
    // the people of an EPS: its roadmap (or, for one who reads no EPS's roadmap, a refusal saying so; never 404)
    const eps = a.actor.roles.map((r) => r.node).find((n) => n.kind === 'eps');
    if (eps) {
      if (res.status !== 200 || res.json().node_id !== eps.id) wrong.push(`${a.login} GET /api/v1/roadmap: want the roadmap of ${eps.name}, got ${brief(res)}`);
      // the page is that roadmap itself (named in its breadcrumbs), no other EPS's
      const crumb = (e) => `<li aria-current="page"><bdi>${escapeHtml(e.name)}</bdi></li>`;
      if (page.status !== 200 || !page.text.includes(crumb(eps))) wrong.push(`${a.login} GET /roadmap: want 200 with the roadmap of ${eps.name}, got ${brief(page)}`);
      for (const e of [d.eps1, d.eps3, d.nour].filter((x) => x.id !== eps.id)) {
        if (page.text.includes(crumb(e))) wrong.push(`${a.login} GET /roadmap shows the roadmap of ${e.name}`);
      }
      return;
    }
    if (![200, 403].includes(res.status)) wrong.push(`${a.login} (a unit's staff) GET /api/v1/roadmap: want 200 (its EPS's roadmap) or 403, got ${brief(res)}`);
    let final = page;
    if (page.status === 303) final = await a.client.get(page.location);
    if (![200, 403].includes(final.status)) wrong.push(`${a.login} (a unit's staff) GET /roadmap${page.status === 303 ? ` -> ${page.location}` : ''}: want 200 or 403 at the end, got ${brief(final)}`);
  }), 4);
  assert.ok(wrong.length === 0, `${wrong.length} wrong:\n${wrong.join('\n')}`);
});
