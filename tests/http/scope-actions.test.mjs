// scope-actions.test.mjs - every route of the improvement plan that takes an
// id (an action, or the EPS whose plan it is), for every known demo login
// (lib.mjs scopeCheck, the pattern of scope.test.mjs), own and foreign ids
// alike. What each login may do is worked out here from the plan's rule
// (src/plan/plan_internal.h, docs/API.md) and the demo roles of fixture.mjs,
// never asked of the server:
//  - read an action: quality.read at its EPS, or being its owner or a
//    contributor while holding a director, referent or staff role at the EPS
//    or one of its units (a house's staff);
//  - work on it (progress, the work's statuses, comments, files): its
//    managers (director, quality referent at the EPS or above) and its owner
//    and contributors working there; everybody else who reads it gets 403;
//  - read a plan: quality.read at the EPS; adopt it: its director only.
// An action or a plan the login may not read answers 404 as if absent (also
// with a body that is no object or invalid fields); one it reads but may not
// change answers 403; what it may read answers 200. What it may change is
// done too, on a copy of the object made for that (same EPS, owner,
// contributors and status): 200, 201 or 303 and the change made. Afterwards
// none of the objects tried has changed. The lists, pages, exports and
// summaries of each login hold exactly the actions it may read; an owner
// whose role moved to another EPS reads their old actions no more, in lists
// either.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  api, tokenFor, demo, signIn, dbValue, scopeCheck, smallPdf, multipart, show, uniq, listAll,
  ADMIN_EMAIL, ENGINE, DB_URL,
} from './lib.mjs';
import { demoActor } from './fixture.mjs';

const ACTORS = [
  'directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'admin@nour.ma', 'admin@amal.ma', 'directrice@nour.ma',
  'mere.fatima', 'educateur.casa', 'referent.casa@amal.ma', 'conseil@amal.ma', 'inspecteur@entraide.ma',
  'observateur@entraide.ma',
];
const DIRECTORS = ['directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'directrice@nour.ma'];
const REF = 'referent.casa@amal.ma';
const ABSENT = 987654;
const MANAGERS = ['director', 'quality_referent'];
const WORKERS = ['director', 'quality_referent', 'staff'];
let d;
let admin;
let objects; // the actions and plans tried
let before_; // what they were
const sandboxes = []; // ids of the copies the permitted changes were made on
const adopted = new Map(); // EPS id -> adoptions made by permitted requests

/** Every row of a query on the test database, as arrays of text. */
function dbRows(sql) {
  const [cmd, args] = ENGINE === 'postgresql'
    ? ['psql', ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', DB_URL, '-c', sql]]
    : ['sqlite3', ['-bail', '-cmd', '.timeout 10000', DB_URL, sql]];
  const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('|'));
}

/** The records of a CSV text as spreadsheets write it (quotes, doubled
 *  quotes, line breaks inside quotes; a BOM first). */
function parseCsv(text) {
  const s = text.replace(/^\uFEFF/, '');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (s[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

const clients = new Map();
/** One signed-in client per login for the whole file. */
async function clientOf(login) {
  if (!clients.has(login)) clients.set(login, await signIn(login));
  return clients.get(login);
}

/* --------------------------------------------------- the plan's own rule */

const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);

/** What the demo login may do with an action {eps, owner, contributors}:
 *  'none', 'read', 'work' or 'manage' (plan_internal.h). */
function accessOf(actor, me, a) {
  const live = actor.roles;
  if (live.some((r) => MANAGERS.includes(r.role) && within(a.eps, r.node.id))) return 'manage';
  const involved = a.owner === me || a.contributors.includes(me);
  if (involved && live.some((r) => WORKERS.includes(r.role) && within(r.node.id, a.eps))) return 'work';
  if (actor.can('quality.read', a.eps)) return 'read';
  return 'none';
}
const isDirector = (actor, eps) => actor.roles.some((r) => r.role === 'director' && within(eps, r.node.id));

/** May the login do what the route needs with the object? */
function allowed(actor, me, o, need) {
  if (o.kind === 'plan') return need === 'plan.read' ? actor.can('quality.read', o.eps) : isDirector(actor, o.eps);
  const acc = accessOf(actor, me, o);
  return need === 'plan.read' ? acc !== 'none' : acc === 'work' || acc === 'manage';
}
const readable = (actor, me, o) => allowed(actor, me, o, 'plan.read');

/** The login as scopeCheck needs it: can(perm, key) answers by the plan's
 *  rule for the object whose key scopeCheck passes as its node. */
function planActor(actor, me, byKey) {
  return { ...actor, can: (perm, key) => allowed(actor, me, byKey.get(key), perm) };
}

/* --------------------------------------------------------- the objects */

const tok = (login) => ({ token: tokenFor(login) });
const getAction = async (id) => {
  const r = await api('GET', `/api/v1/actions/${id}`, undefined, admin);
  assert.equal(r.status, 200, show(r));
  return r.json();
};
const filesOf = async (id) => (await api('GET', `/api/v1/actions/${id}/attachments`, undefined, admin)).json().total;

/** A new action, in progress, made by a manager of the EPS. */
async function ongoing(eps, who, fields) {
  let r = await api('POST', '/api/v1/actions', {
    node_id: eps, origin: 'other', due_date: '2031-06-30', status: 'planned', ...fields,
  }, tok(who));
  assert.equal(r.status, 201, show(r));
  const id = r.json().id;
  r = await api('PATCH', `/api/v1/actions/${id}`, { status: 'in_progress', progress: 10 }, tok(who));
  assert.equal(r.status, 200, show(r));
  return r.json();
}

/** What is checked unchanged at the end. */
async function state() {
  const out = {};
  for (const o of objects) {
    if (o.kind === 'action') {
      const a = await getAction(o.id);
      out[o.label] = {
        title: a.title, status: a.status, progress: a.progress, version: a.version, owner: a.owner_id,
        contributors: a.contributors, due: a.due_date, updated: a.updated_at, comments: a.comments.length,
        files: await filesOf(o.id),
      };
    } else {
      const n = Number(dbValue(`SELECT COUNT(*) FROM plan_adoptions WHERE node_id = ${o.eps}`));
      out[o.label] = { adoptions: n - (adopted.get(o.eps) || 0) };
    }
  }
  const not = sandboxes.length ? `NOT IN (${sandboxes.join(', ')})` : 'IS NOT NULL';
  const adoptions = [...adopted.values()].reduce((x, y) => x + y, 0);
  out.tables = {
    actions: dbValue(`SELECT COUNT(*) || ':' || COALESCE(SUM(rev), 0) || ':' || COALESCE(SUM(progress), 0) FROM actions WHERE id ${not}`),
    contributors: dbValue(`SELECT COUNT(*) FROM action_contributors WHERE action_id ${not}`),
    comments: dbValue(`SELECT COUNT(*) FROM action_comments WHERE action_id ${not}`),
    files: dbValue(`SELECT COUNT(*) FROM attachments WHERE owner_kind = 'action' AND owner_id ${not}`),
    audit: dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'action' AND entity_id ${not}`),
    adoptions: Number(dbValue('SELECT COUNT(*) FROM plan_adoptions')) - adoptions,
    planAudit: Number(dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'plan'")) - adoptions,
  };
  return out;
}

before(async () => {
  d = await demo();
  admin = tok(ADMIN_EMAIL);
  const mere = d.user('mere.fatima').id;
  const educ = d.user('educateur.casa').id;
  objects = [];
  const add = async (id, label) => {
    const a = await getAction(id);
    const o = { kind: 'action', id, eps: a.node_id, owner: a.owner_id, contributors: a.contributors, title: a.title, version: a.version, label };
    o.node = `action ${id}`; // the key scopeCheck hands to can()
    objects.push(o);
  };
  // an ongoing action of each EPS, in which neither staff login tried is involved
  for (const eps of [d.eps1, d.eps2, d.eps3, d.nour]) {
    const id = Number(dbValue(`SELECT a.id FROM actions a WHERE a.node_id = ${eps.id} AND a.status = 'in_progress'`
      + ` AND COALESCE(a.owner_id, 0) NOT IN (${mere}, ${educ}) AND NOT EXISTS (SELECT 1 FROM action_contributors c`
      + ` WHERE c.action_id = a.id AND c.user_id IN (${mere}, ${educ})) ORDER BY a.id LIMIT 1`));
    assert.ok(id > 0, `the demo has an ongoing action at ${eps.name}`);
    await add(id, `action ${id} of ${eps.name}`);
    objects.push({ kind: 'plan', id: eps.id, eps: eps.id, node: `plan ${eps.id}`, label: `plan of ${eps.name}`, title: eps.name });
  }
  // and the staff's own: the EPS's educator owns one with the house mother as contributor; she owns another
  const a1 = await ongoing(d.eps1.id, REF, { title: `Suivi des devoirs ${uniq()}`, owner_id: educ, contributors: [mere] });
  await add(a1.id, `action ${a1.id} owned by educateur.casa, mere.fatima contributing`);
  const a2 = await ongoing(d.eps1.id, REF, { title: `Rituels du coucher ${uniq()}`, owner_id: mere, unit_id: d.maison1.id });
  await add(a2.id, `action ${a2.id} owned by mere.fatima`);
  before_ = await state();
});

test('the objects: an ongoing action and the plan of four EPS, and two actions of the staff', () => {
  assert.equal(objects.filter((o) => o.kind === 'action').length, 6);
  assert.equal(objects.filter((o) => o.kind === 'plan').length, 4);
});

/* ------------------------------------------------------------- the routes */

// a manager of each EPS where a copy may be needed
const CREATOR = () => new Map([[d.eps1.id, REF], [d.eps3.id, 'directeur.tanger@amal.ma'], [d.nour.id, 'directrice@nour.ma']]);

function routesOf(c, tk) {
  const r = (kind, label, perm, read, call, more = {}) => ({ kind, label, perm, read, call, ...more });
  const pdf = () => [{ field: 'file', filename: 'preuve.pdf', type: 'application/pdf', data: smallPdf('preuve') }];
  const sameId = (res, o) => (res.json().id === o.id ? null : 'another action');
  const titled = (res, o) => (res.text.includes(o.title.replace(/'/g, '&#39;')) || res.text.includes(o.title) ? null : 'not its page');
  const progress77 = async (o) => ((await getAction(o.id)).progress === 77 ? null : 'progress not saved');
  const isDone = async (o) => ((await getAction(o.id)).status === 'done' ? null : 'status not changed');
  const commented = async (o) => ((await getAction(o.id)).comments.length === 1 ? null : 'no comment');
  const filed = async (o) => ((await filesOf(o.id)) === 1 ? null : 'no file');
  return [
    r('action', 'GET /actions/{id}', 'plan.read', true, (o) => c.get(`/actions/${o.id}`), { verify: titled }),
    r('action', 'POST /actions/{id}', 'plan.work', false, (o) => c.post(`/actions/${o.id}`, { progress: '77', rev: String(o.version) }),
      { done: 303, effect: progress77 }),
    r('action', 'POST /actions/{id}/status', 'plan.work', false, (o) => c.post(`/actions/${o.id}/status`, { status: 'done', rev: String(o.version) }),
      { done: 303, effect: isDone }),
    r('action', 'POST /actions/{id}/comments', 'plan.work', false, (o) => c.post(`/actions/${o.id}/comments`, { body: 'Point fait en réunion' }),
      { done: 303, effect: commented }),
    r('action', 'POST /actions/{id}/attachments', 'plan.work', false, (o) => c.postMultipart(`/actions/${o.id}/attachments`, {}, pdf()),
      { done: 303, effect: filed }),
    r('action', 'API GET /api/v1/actions/{id}', 'plan.read', true, (o) => api('GET', `/api/v1/actions/${o.id}`, undefined, tk), { verify: sameId }),
    r('action', 'API GET /api/v1/actions/{id}/attachments', 'plan.read', true, (o) => api('GET', `/api/v1/actions/${o.id}/attachments`, undefined, tk),
      { verify: (res) => (Array.isArray(res.json().items) ? null : 'no items') }),
    r('action', 'API PATCH /api/v1/actions/{id}', 'plan.work', false, (o) => api('PATCH', `/api/v1/actions/${o.id}`, { progress: 77 }, tk),
      { done: 200, effect: progress77 }),
    r('action', 'API PATCH /api/v1/actions/{id} (invalid fields)', 'plan.work', false,
      (o) => api('PATCH', `/api/v1/actions/${o.id}`, { title: 42, impact: 7, couleur: 'bleu' }, tk), { done: 422, effect: async () => null }),
    r('action', 'API POST /api/v1/actions/{id}/comments', 'plan.work', false, (o) => api('POST', `/api/v1/actions/${o.id}/comments`, { body: 'Point fait' }, tk),
      { done: 201, effect: commented }),
    r('action', 'API POST /api/v1/actions/{id}/attachments', 'plan.work', false, (o) => {
      const mp = multipart({}, pdf());
      return api('POST', `/api/v1/actions/${o.id}/attachments`, mp.body, { ...tk, type: mp.contentType });
    }, { done: 201, effect: filed }),
    r('plan', 'GET /plans/{id}', 'plan.read', true, (o) => c.get(`/plans/${o.id}`), { verify: titled }),
    r('plan', 'POST /plans/{id}/adopt', 'plan.adopt', false, (o) => c.post(`/plans/${o.id}/adopt`, { note: 'Revue' }), { done: 303 }),
    r('plan', 'API GET /api/v1/plans/{id}', 'plan.read', true, (o) => api('GET', `/api/v1/plans/${o.id}`, undefined, tk),
      { verify: (res, o) => (res.json().node_id === o.id && Array.isArray(res.json().adoptions) ? null : 'another plan') }),
    r('plan', 'API POST /api/v1/plans/{id}/adopt', 'plan.adopt', false, (o) => api('POST', `/api/v1/plans/${o.id}/adopt`, { note: 'Revue' }, tk), { done: 201 }),
  ];
}

/** A permitted change, made on a copy of the object (an action) or on the
 *  plan itself (an adoption, counted): the status it answers and its effect. */
async function permittedChange(route, o) {
  if (o.kind === 'plan') {
    const n = Number(dbValue(`SELECT COUNT(*) FROM plan_adoptions WHERE node_id = ${o.eps}`));
    const res = await route.call(o);
    if (res.status === route.done) adopted.set(o.eps, (adopted.get(o.eps) || 0) + 1);
    if (res.status !== route.done) return `want ${route.done}, got ${res.status} ${res.text.slice(0, 120)}`;
    const m = Number(dbValue(`SELECT COUNT(*) FROM plan_adoptions WHERE node_id = ${o.eps}`));
    return m === n + 1 ? null : `${m - n} adoptions made`;
  }
  const creator = CREATOR().get(o.eps);
  if (!creator) return `nobody to copy an action of node ${o.eps} (no login should change it)`;
  const copy = await ongoing(o.eps, creator, { title: `Copie de ${o.id} ${uniq()}`, owner_id: o.owner, contributors: o.contributors });
  sandboxes.push(copy.id);
  const res = await route.call({ ...o, id: copy.id, version: copy.version });
  if (res.status !== route.done) return `want ${route.done}, got ${res.status} ${res.text.slice(0, 120)}`;
  return route.effect(copy);
}

for (const login of ACTORS) {
  describe(`the improvement plan in the scope of ${login}`, () => {
    test('404 for what it may not read, 403 for what it reads but may not change, 200 for what it reads', async (t) => {
      const actor = demoActor(d, login);
      const me = d.user(login).id;
      const c = await clientOf(login);
      const tk = tok(login);
      const routes = routesOf(c, tk);
      const absent = [
        { kind: 'action', id: ABSENT, node: 'absent action', label: 'no such action', absent: true, title: '?', version: 1 },
        { kind: 'plan', id: ABSENT, node: 'absent plan', label: 'no such EPS', absent: true, title: '?' },
        { kind: 'plan', id: d.maison1.id, node: 'a unit', label: 'a unit (no plan)', absent: true, title: '?' },
        { kind: 'plan', id: d.assoc1.id, node: 'an association', label: 'an association (no plan)', absent: true, title: '?' },
      ];
      const inside = objects.filter((o) => readable(actor, me, o));
      const outside = [...objects.filter((o) => !readable(actor, me, o)), ...absent];
      const byKey = new Map(objects.map((o) => [o.node, o]));
      const pa = planActor(actor, me, byKey);
      let wrong;
      if (outside.some((o) => !o.absent)) {
        const res = await scopeCheck({ actor: pa, routes, inside, outside });
        t.diagnostic(`${login}: ${res.outside} requests outside, ${res.inside} inside`);
        wrong = res.wrong;
        assert.deepEqual(res.read, ['action', 'plan'].filter((k) => inside.some((o) => o.kind === k)));
      } else {
        // the observer reads every EPS: nothing outside but absent ids, the same rule route by route
        wrong = [];
        for (const o of [...inside, ...outside]) {
          for (const route of routes.filter((x) => x.kind === o.kind)) {
            const want = o.absent || !readable(actor, me, o) ? 404 : !pa.can(route.perm, o.node) ? 403 : route.read ? 200 : null;
            if (want === null) continue;
            const res = await route.call(o);
            if (res.status !== want) wrong.push(`${route.label} on ${o.label}: want ${want}, got ${res.status}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });

    test('what it may not read stays absent whatever the body; what it may change it changes', async () => {
      const actor = demoActor(d, login);
      const me = d.user(login).id;
      const c = await clientOf(login);
      const tk = tok(login);
      const wrong = [];
      for (const o of objects.filter((x) => x.kind === 'action' && !readable(actor, me, x))) {
        for (const [label, res] of [
          ['PATCH a body that is no object', await api('PATCH', `/api/v1/actions/${o.id}`, '[1]', tk)],
          ['PATCH a JSON string', await api('PATCH', `/api/v1/actions/${o.id}`, '"done"', tk)],
          ['POST comments, a body that is no object', await api('POST', `/api/v1/actions/${o.id}/comments`, '[]', tk)],
          ['PATCH a stale version', await api('PATCH', `/api/v1/actions/${o.id}`, { progress: 5, version: 1 }, tk)],
        ]) if (res.status !== 404) wrong.push(`${label} on ${o.label}: want 404, got ${res.status}`);
      }
      const routes = routesOf(c, tk).filter((r) => !r.read);
      let changed = 0;
      for (const o of objects) {
        for (const route of routes.filter((r) => r.kind === o.kind)) {
          if (!allowed(actor, me, o, route.perm)) continue;
          const why = await permittedChange(route, o);
          changed++;
          if (why) wrong.push(`${route.label} on ${o.label} (permitted): ${why}`);
        }
      }
      assert.deepEqual(wrong, []);
      // who changes what: the EPS's managers and the staff on their own actions; directors adopt
      const expectChanges = {
        'directrice.casa@amal.ma': true, 'referent.casa@amal.ma': true, 'directeur.tanger@amal.ma': true,
        'directrice@nour.ma': true, 'educateur.casa': true, 'mere.fatima': true,
      };
      assert.equal(changed > 0, Boolean(expectChanges[login]), `${login} changed ${changed} things`);
    });

    test('lists, pages, summaries and exports hold exactly the actions it may read', async () => {
      const actor = demoActor(d, login);
      const me = d.user(login).id;
      const tk = tok(login);
      // every action, from the database, with its owner and contributors
      const contrib = new Map();
      for (const [aid, uid] of dbRows('SELECT action_id, user_id FROM action_contributors')) {
        if (!contrib.has(Number(aid))) contrib.set(Number(aid), []);
        contrib.get(Number(aid)).push(Number(uid));
      }
      const all = dbRows('SELECT id, node_id, COALESCE(owner_id, 0) FROM actions').map(([id, node, owner]) => ({
        id: Number(id), eps: Number(node), owner: Number(owner), contributors: contrib.get(Number(id)) || [],
      }));
      const want = all.filter((a) => accessOf(actor, me, a) !== 'none');
      const wantIds = want.map((a) => a.id).sort((x, y) => x - y);
      const sorted = (xs) => [...xs].sort((x, y) => x - y);

      const list = await listAll('/api/v1/actions', tk, 200);
      assert.equal(list.total, wantIds.length, `${login}: the total counts what may be read`);
      assert.deepEqual(sorted(list.items.map((x) => x.id)), wantIds, `${login}: the list holds what may be read`);
      for (const x of list.items) {
        assert.notEqual(accessOf(actor, me, all.find((a) => a.id === x.id)), 'none', `${login} lists action ${x.id} of node ${x.node_id}`);
      }
      const involved = want.filter((a) => a.owner === me || a.contributors.includes(me)).map((a) => a.id);
      const mine = await listAll('/api/v1/actions?mine=true', tk, 200);
      assert.deepEqual(sorted(mine.items.map((x) => x.id)), sorted(involved), `${login}: mine=true`);
      for (const o of objects.filter((x) => x.kind === 'action')) {
        const r = await api('GET', `/api/v1/actions?node_id=${o.eps}&limit=200`, undefined, tk);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json().items.some((x) => x.id === o.id), readable(actor, me, o), `${o.label} listed for ${login} (node_id filter)`);
      }

      // the pages: every action they link to may be read
      const c = await clientOf(login);
      for (const p of ['/actions', '/actions/mine', '/actions/board', '/actions/timeline', '/actions/matrix',
        ...[d.eps1, d.eps2, d.eps3, d.nour].map((e) => `/actions?node_id=${e.id}`)]) {
        const page = await c.get(p);
        assert.equal(page.status, 200, `${p}: ${show(page)}`);
        const linked = [...page.text.matchAll(/href="\/actions\/(\d+)[#"]/g)].map((m) => Number(m[1]));
        const foreign = linked.filter((id) => !wantIds.includes(id));
        assert.deepEqual(foreign, [], `${p} for ${login} links to actions it may not read`);
      }
      const minePage = await c.get('/actions/mine');
      for (const id of involved.filter((x) => objects.some((o) => o.id === x && o.kind === 'action'))) {
        assert.ok(minePage.text.includes(`/actions/${id}"`), `${login}'s own action ${id} on /actions/mine`);
      }

      // exports: every action that may be read, no other
      const csv = await api('GET', '/api/v1/actions.csv', undefined, tk);
      assert.equal(csv.status, 200, show(csv));
      const records = parseCsv(csv.text);
      assert.ok(records.slice(1).every((rec) => rec.length === records[0].length), 'every record has the header\'s cells');
      const csvIds = records.slice(1).map((rec) => Number(rec[0]));
      assert.deepEqual(sorted(csvIds), wantIds, `${login}: the CSV export`);
      if (DIRECTORS.includes(login)) {
        const x = await api('GET', '/api/v1/actions.xlsx', undefined, tk);
        assert.equal(x.status, 200, show(x));
        const dir = mkdtempSync(join(tmpdir(), 'jouda-scope-xlsx-'));
        writeFileSync(join(dir, 'a.xlsx'), x.body);
        const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
        const out = execFileSync(py, ['-c', `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1], read_only=True).worksheets[0]
print(json.dumps([r[0] for r in list(ws.iter_rows(values_only=True))[1:]]))
`, join(dir, 'a.xlsx')], { encoding: 'utf8' });
        rmSync(dir, { recursive: true, force: true });
        assert.deepEqual(sorted(JSON.parse(out).map(Number)), wantIds, `${login}: the XLSX export`);
      }

      // the summary: one row per EPS of those actions, counting them
      const sum = await api('GET', '/api/v1/actions/summary', undefined, tk);
      assert.equal(sum.status, 200, show(sum));
      const byEps = new Map();
      for (const a of want) byEps.set(a.eps, (byEps.get(a.eps) || 0) + 1);
      const rows = new Map(sum.json().items.map((x) => [x.node_id, x.total]));
      assert.deepEqual(rows, byEps, `${login}: the summary's rows`);
      assert.equal(sum.json().total.total, wantIds.length);
    });
  });
}

describe('the staff of a house', () => {
  test('a house mother reads, lists and works on the actions she owns or contributes to, and no other of her EPS', async () => {
    const login = 'mere.fatima';
    const me = d.user(login).id;
    const tk = tok(login);
    const own = objects.filter((o) => o.kind === 'action' && (o.owner === me || o.contributors.includes(me)));
    assert.equal(own.length, 2, 'one she owns, one she contributes to');
    const list = (await api('GET', '/api/v1/actions?limit=200', undefined, tk)).json();
    for (const o of own) {
      assert.equal((await api('GET', `/api/v1/actions/${o.id}`, undefined, tk)).status, 200);
      assert.ok(list.items.some((x) => x.id === o.id), `${o.label} in her list`);
      const a = (await api('GET', `/api/v1/actions/${o.id}`, undefined, tk)).json();
      assert.deepEqual(a.transitions, ['planned', 'done'], 'she moves the work along, not its check');
    }
    const other = objects.find((o) => o.kind === 'action' && o.eps === d.eps1.id && !own.includes(o));
    assert.equal((await api('GET', `/api/v1/actions/${other.id}`, undefined, tk)).status, 404, 'another action of her EPS');
    assert.ok(list.items.every((x) => x.owner_id === me || own.some((o) => o.id === x.id)
      || Number(dbValue(`SELECT COUNT(*) FROM action_contributors WHERE action_id = ${x.id} AND user_id = ${me}`)) === 1));
    assert.equal((await api('GET', `/api/v1/plans/${d.eps1.id}`, undefined, tk)).status, 404, 'the plan of the EPS is not hers to read');
  });
});

describe('an owner whose role moved to another EPS', () => {
  test('no longer reads the actions of the EPS where she worked: neither opened nor listed nor exported', async () => {
    const maison2 = d.children(d.eps1.id).find((n) => n.name === 'Maison 2');
    const elsewhere = d.children(d.eps2.id)[0];
    const username = uniq('mobile');
    let r = await api('POST', '/api/v1/users', {
      username, name: 'Salma Mobile', password: 'Jouda-demo-2026', language: 'fr',
      roles: [{ role: 'staff', node_id: maison2.id }],
    }, admin);
    assert.equal(r.status, 201, show(r));
    const u = r.json();
    const owned = await ongoing(d.eps1.id, REF, { title: `Cahier de liaison ${uniq()}`, owner_id: u.id });
    const helped = await ongoing(d.eps1.id, REF, { title: `Jardin potager ${uniq()}`, owner_id: d.user(REF).id, contributors: [u.id] });
    sandboxes.push(owned.id, helped.id); // made for this test: not among the objects checked unchanged
    const tk = tok(username);
    for (const a of [owned, helped]) assert.equal((await api('GET', `/api/v1/actions/${a.id}`, undefined, tk)).status, 200, 'while she works there');
    assert.equal((await api('GET', '/api/v1/actions?limit=200', undefined, tk)).json().total, 2);
    // she now works in a house of another EPS
    r = await api('POST', `/api/v1/users/${u.id}/roles`, { role: 'staff', node_id: elsewhere.id }, admin);
    assert.equal(r.status, 201, show(r));
    const old = (await api('GET', `/api/v1/users/${u.id}`, undefined, admin)).json().roles.find((x) => x.node_id === maison2.id);
    assert.equal((await api('DELETE', `/api/v1/users/${u.id}/roles/${old.id}`, undefined, admin)).status, 204);
    for (const a of [owned, helped]) {
      assert.equal((await api('GET', `/api/v1/actions/${a.id}`, undefined, tk)).status, 404, 'her old action is as absent');
      assert.equal((await api('PATCH', `/api/v1/actions/${a.id}`, { progress: 50 }, tk)).status, 404);
    }
    const list = (await api('GET', '/api/v1/actions?limit=200', undefined, tk)).json();
    assert.deepEqual(list.items.map((x) => x.id), [], 'her list holds no action she may not open');
    assert.equal(list.total, 0);
    assert.equal((await api('GET', '/api/v1/actions?mine=true', undefined, tk)).json().total, 0, 'mine=true');
    const csv = (await api('GET', '/api/v1/actions.csv', undefined, tk)).text;
    assert.ok(!csv.includes(owned.title) && !csv.includes(helped.title), 'nor exported');
    const sum = (await api('GET', '/api/v1/actions/summary', undefined, tk)).json();
    assert.equal(sum.total.total, 0, 'nor counted in her summary');
  });
});

test('nothing tried has changed', async () => {
  assert.deepEqual(await state(), before_);
});
