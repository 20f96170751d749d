// scope-persons.test.mjs - every route of the persons module
// (src/person/person_module.c), pages and API, reads and writes, for every
// demo login and a director of our own who has enrolled in two-step
// verification, on persons of Maison 1 (Casablanca), of another unit of
// Casablanca, of the Casablanca EPS itself, of Tanger and of Fès. What each
// login may do is worked out here from the rules of
// src/person/person_internal.h and the demo roles of fixture.mjs, never
// asked of the server:
//  - read and record a person: staff of its unit or of its EPS, the EPS's
//    director, and the referents named for it; read only: a user given
//    access by a grant still running;
//  - everybody else in scope (quality advisors, admins, observers,
//    inspectors, quality referents): 403, never a name; outside the scope:
//    404, as if absent;
//  - then two-step verification: a director or an admin not enrolled gets
//    403 "totp_required" where they would otherwise be let in;
//  - grants, the access log, exports: the EPS's director.
// Permitted changes are sent bodies the server must refuse (422), or
// objects that are not the person's (404), or a new plan while a draft
// exists (409), so nothing changes; afterwards nothing has. A refused
// answer never shows the person's names or code. Each login's list holds
// exactly the persons it may read; the indicators answer every quality
// reader of the EPS, and the routes without an id follow the same rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { api, tokenFor, newToken, demo, signIn, dbValue, show, listAll, ADMIN_EMAIL } from './lib.mjs';
import { demoActor, DEMO_ROLES } from './fixture.mjs';

/** Sign in (password only) and keep a CSRF token for the API's writes. */
async function session(login, password) {
  const c = await signIn(login, password);
  if (!c.lastCsrf) await c.get('/profile');
  return c;
}

const DEMO = Object.keys(DEMO_ROLES);
const STAFF = 'educateur.casa';
const MERE = 'mere.fatima';
const PASS = 'Personnes-2026-portee';
const ABSENT = 987654321;
const TAG = (() => { let n = process.pid; let s = ''; do { s += 'bcdfghjklmnpqrstvz'[n % 18]; n = Math.floor(n / 18); } while (n); return s[0].toUpperCase() + s.slice(1); })();
let seq = 0;
let d;
let own; // our director of Casablanca, enrolled: {login, id, client, token}
let persons; // [{id, code, first_name, last_name, node, label, referents: [logins], grants: [logins], v1, v2}]
let foreignGrant; // a grant of a person not tried here
let foreignPlan; // a plan of a person not tried here
let actors; // [{login, roles: [{role, node}], enrolled, client, token}]

/* ---------------------------------------------------------------- helpers */

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c); bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
function totpCode(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Casablanca', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function dayOffset(n) {
  const [y, m, dd] = today().split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, dd + n)).toISOString().slice(0, 10);
}
async function account(prefix, role, nodeId) {
  const login = `${prefix}.${TAG.toLowerCase()}.s${++seq}`;
  const res = await api('POST', '/api/v1/users', {
    username: login, name: `${prefix} ${TAG} ${seq}`, password: PASS, language: 'fr', roles: [{ role, node_id: nodeId }],
  }, { token: tokenFor(ADMIN_EMAIL) });
  assert.equal(res.status, 201, show(res));
  return { ...res.json(), login };
}
const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);

/** The reader's access to a person: none (outside the scope), forbidden (in
 *  scope, no right to personal data), read, write. */
function levelOf(actor, o) {
  if (actor.roles.some((r) => ['director', 'staff'].includes(r.role) && within(o.node, r.node.id))) return 'write';
  if (o.referents.includes(actor.login)) return 'write';
  if (o.grants.includes(actor.login)) return 'read';
  if (actor.roles.some((r) => within(o.node, r.node.id))) return 'forbidden';
  return 'none';
}
const directorOf = (actor, o) => actor.roles.some((r) => r.role === 'director' && within(o.node, r.node.id));
const totpMissing = (actor) => !actor.enrolled && actor.roles.some((r) => ['director', 'admin'].includes(r.role));
/** The status (and API error code) a route must answer. */
function expected(route, actor, o) {
  const level = levelOf(actor, o);
  if (level === 'none') return { status: [404] };
  if (level === 'forbidden') return { status: [403], code: 'forbidden' };
  if (totpMissing(actor)) return { status: [403], code: 'totp_required' };
  if (route.need === 'write' && level !== 'write') return { status: [403], code: 'forbidden' };
  if (route.need === 'director' && !directorOf(actor, o)) return { status: [403], code: 'forbidden' };
  return { status: route.ok ?? [200], permitted: true };
}

const tokOf = (a) => ({ token: a.token });
/* The routes taking a person: need is read, write or director. */
const routes = [
  // pages
  { label: 'page person', need: 'read', page: true, call: (a, o) => a.client.get(`/persons/${o.id}`), shows: true },
  { label: 'page edit', need: 'write', page: true, call: (a, o) => a.client.get(`/persons/${o.id}/edit`), shows: true },
  { label: 'page save', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/persons/${o.id}`, { first_name: o.first_name, last_name: o.last_name, birth_date: '2999-99-99', sex: 'f', admission_date: '2024-09-15' }) },
  { label: 'page need', need: 'write', page: true, call: (a, o) => a.client.get(`/persons/${o.id}/needs/health`) },
  { label: 'page need save', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/persons/${o.id}/needs/health`, { level: '9' }) },
  { label: 'page referents', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/persons/${o.id}/referents`, { referents: String(ABSENT) }) },
  { label: 'page new plan (a draft exists)', need: 'write', page: true, ok: [409], call: (a, o) => a.client.post(`/persons/${o.id}/plans`, {}) },
  { label: 'page plan', need: 'read', page: true, call: (a, o) => a.client.get(`/persons/${o.id}/plans/${o.v1}`) },
  { label: 'page plan save', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/persons/${o.id}/plans/${o.v2}`, { review_months: '99' }) },
  { label: 'page review', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/persons/${o.id}/plans/${o.v1}/reviews`, { changes: '' }) },
  { label: 'page grant', need: 'director', page: true, ok: [422], call: (a, o) => a.client.post(`/persons/${o.id}/grants`, { user_id: 'x', until: 'x', reason: '' }) },
  { label: 'page revoke (another\'s grant)', need: 'director', page: true, ok: [404], call: (a, o) => a.client.post(`/persons/${o.id}/grants/${foreignGrant}/revoke`, { confirm: '1' }) },
  { label: 'page export.json', need: 'director', page: true, call: (a, o) => a.client.get(`/persons/${o.id}/export.json`), shows: true },
  // API
  { label: 'GET person', need: 'read', call: (a, o) => api('GET', `/api/v1/persons/${o.id}`, undefined, tokOf(a)), shows: true },
  { label: 'PATCH person', need: 'write', ok: [422], call: (a, o) => api('PATCH', `/api/v1/persons/${o.id}`, { birth_date: 'x' }, tokOf(a)) },
  { label: 'GET needs', need: 'read', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/needs`, undefined, tokOf(a)) },
  { label: 'PUT need', need: 'write', ok: [422], call: (a, o) => api('PUT', `/api/v1/persons/${o.id}/needs/health`, { level: 9 }, tokOf(a)) },
  { label: 'GET plans', need: 'read', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/plans`, undefined, tokOf(a)) },
  { label: 'POST plan', need: 'write', ok: [422], call: (a, o) => api('POST', `/api/v1/persons/${o.id}/plans`, { status: 'bogus' }, tokOf(a)) },
  { label: 'GET plan', need: 'read', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/plans/${o.v1}`, undefined, tokOf(a)) },
  { label: 'GET another\'s plan', need: 'read', ok: [404], call: (a, o) => api('GET', `/api/v1/persons/${o.id}/plans/${foreignPlan}`, undefined, tokOf(a)) },
  { label: 'PATCH plan', need: 'write', ok: [422], call: (a, o) => api('PATCH', `/api/v1/persons/${o.id}/plans/${o.v2}`, { review_months: 99 }, tokOf(a)) },
  { label: 'POST review', need: 'write', ok: [422], call: (a, o) => api('POST', `/api/v1/persons/${o.id}/plans/${o.v1}/reviews`, { changes: '' }, tokOf(a)) },
  { label: 'GET grants', need: 'director', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/grants`, undefined, tokOf(a)) },
  { label: 'POST grant', need: 'director', ok: [422], call: (a, o) => api('POST', `/api/v1/persons/${o.id}/grants`, { user_id: 'x' }, tokOf(a)) },
  { label: 'DELETE another\'s grant', need: 'director', ok: [404], call: (a, o) => api('DELETE', `/api/v1/persons/${o.id}/grants/${foreignGrant}`, undefined, tokOf(a)) },
  { label: 'GET reads', need: 'director', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/reads`, undefined, tokOf(a)) },
  { label: 'GET export.json', need: 'director', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/export.json`, undefined, tokOf(a)), shows: true },
  { label: 'GET export.pdf', need: 'director', call: (a, o) => api('GET', `/api/v1/persons/${o.id}/export.pdf?lang=fr`, undefined, tokOf(a)) },
];

async function snapshot() {
  const v = (sql) => dbValue(sql);
  return {
    persons: v("SELECT COUNT(*) || ':' || SUM(rev) || ':' || SUM(anonymised_at) FROM persons"),
    referents: v('SELECT COUNT(*) FROM person_referents'),
    siblings: v('SELECT COUNT(*) FROM person_siblings'),
    grants: v("SELECT COUNT(*) || ':' || SUM(CASE WHEN revoked_at > 0 THEN 1 ELSE 0 END) FROM person_grants"),
    needs: v("SELECT COUNT(*) || ':' || COALESCE(SUM(rev), 0) FROM person_needs"),
    plans: v("SELECT COUNT(*) || ':' || SUM(rev) || ':' || SUM(CASE WHEN status = 'draft' THEN 1 ELSE 0 END) FROM person_plans"),
    goals: v('SELECT (SELECT COUNT(*) FROM person_goals) || \':\' || (SELECT COUNT(*) FROM person_actions)'),
    reviews: v('SELECT COUNT(*) FROM person_reviews'),
    settings: v("SELECT COUNT(*) || ':' || COALESCE(SUM(review_months), 0) || ':' || COALESCE(SUM(require_totp), 0) FROM person_settings"),
    domains: v("SELECT COUNT(*) || ':' || SUM(active) || ':' || SUM(position) FROM person_domains"),
    audit: v("SELECT COUNT(*) FROM audit_log WHERE entity IN ('person', 'person_plan', 'person_settings', 'person_domain') AND action <> 'export'"),
    notifications: v('SELECT COUNT(*) FROM notifications'),
  };
}

function body(nodeId, n) {
  return {
    node_id: nodeId, first_name: `Nadia ${TAG}`, last_name: `Portee${'abcdefgh'[n]}`, first_name_ar: 'نادية', last_name_ar: 'الإدريسي',
    birth_date: '2013-05-06', sex: 'f', admission_date: '2023-01-10', health_notes: `Note ${TAG} ${n}`,
    family_notes: 'x', judicial_notes: 'y',
  };
}
/** A person at node made with token, with an agreed v1 and a draft v2. */
async function person(label, nodeId, token, n) {
  let res = await api('POST', '/api/v1/persons', body(nodeId, n), token);
  assert.equal(res.status, 201, show(res));
  const p = res.json();
  res = await api('POST', `/api/v1/persons/${p.id}/plans`, { status: 'draft', goals: [{ domain: 'education', text: 'Lire' }] }, token);
  assert.equal(res.status, 201, show(res));
  const v1 = res.json().id;
  res = await api('PATCH', `/api/v1/persons/${p.id}/plans/${v1}`, { agreement: 'agrees', status: 'agreed' }, token);
  assert.equal(res.status, 200, show(res));
  res = await api('POST', `/api/v1/persons/${p.id}/plans`, {}, token);
  assert.equal(res.status, 201, show(res));
  return { id: p.id, code: p.code, first_name: p.first_name, last_name: p.last_name, node: nodeId, label: `${label} ${p.id}`, referents: [], grants: [], v1, v2: res.json().id };
}

before(async () => {
  d = await demo();
  const otherUnit = d.children(d.eps1.id).find((n) => n.kind === 'unit' && n.id !== d.maison1.id);
  assert.ok(otherUnit, 'Casablanca has another unit');
  // our own director, enrolled
  const u = await account('pdir', 'director', d.eps1.id);
  const client = await session(u.login, PASS);
  const start = await client.api('POST', '/api/v1/me/totp', {});
  assert.equal(start.status, 201, show(start));
  const conf = await client.api('POST', '/api/v1/me/totp/confirm', { code: totpCode(start.json().secret) });
  assert.equal(conf.status, 200, show(conf));
  own = { login: u.login, id: u.id, client, token: newToken(u.login, `scope ${TAG}`) };
  // staff of our own at Tanger and Fès make the persons there
  const tg = { token: newToken((await account('ptg', 'staff', d.eps3.id)).login, `scope ${TAG}`) };
  const fes = { token: newToken((await account('pfes', 'staff', d.nour.id)).login, `scope ${TAG}`) };
  const staff = { token: tokenFor(STAFF) };
  persons = [
    await person('Maison 1', d.maison1.id, staff, 0),
    await person(otherUnit.name, otherUnit.id, staff, 1),
    await person(`${otherUnit.name}, mere.fatima referent`, otherUnit.id, staff, 2),
    await person(`${otherUnit.name}, mere.fatima granted`, otherUnit.id, staff, 3),
    await person('the Casablanca EPS', d.eps1.id, staff, 4),
    await person('Tanger', d.eps3.id, tg, 5),
    await person('Fès', d.nour.id, fes, 6),
  ];
  const mere = d.user(MERE);
  let res = await api('PATCH', `/api/v1/persons/${persons[2].id}`, { referents: [mere.id] }, staff);
  assert.equal(res.status, 200, show(res));
  persons[2].referents.push(MERE);
  res = await api('POST', `/api/v1/persons/${persons[3].id}/grants`, { user_id: mere.id, until: dayOffset(30), reason: 'Remplacement' }, { token: own.token });
  assert.equal(res.status, 201, show(res));
  persons[3].grants.push(MERE);
  // a person not tried here, for its plan and grant
  const x = await person('another', d.maison1.id, staff, 7);
  foreignPlan = x.v1;
  res = await api('POST', `/api/v1/persons/${x.id}/grants`, { user_id: d.user(STAFF).id, until: dayOffset(5), reason: 'Test' }, { token: own.token });
  assert.equal(res.status, 201, show(res));
  foreignGrant = res.json().id;
  actors = [];
  for (const login of DEMO) {
    const a = demoActor(d, login);
    actors.push({ login, roles: a.roles, enrolled: false, token: tokenFor(login),
      client: await session(login, login === ADMIN_EMAIL ? (process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026') : undefined) });
  }
  actors.push({ login: own.login, id: own.id, roles: [{ role: 'director', node: d.eps1 }], enrolled: true, token: own.token, client: own.client });
});

// leave the demo logins as they were: no grant nor referent of ours left to them
after(async () => {
  if (!persons) return;
  for (const o of persons) {
    const grants = await api('GET', `/api/v1/persons/${o.id}/grants`, undefined, { token: own.token });
    if (grants.status !== 200) continue;
    for (const g of grants.json().items.filter((x) => x.live)) {
      await api('DELETE', `/api/v1/persons/${o.id}/grants/${g.id}`, undefined, { token: own.token });
    }
  }
  if (foreignGrant) {
    const x = Number(dbValue(`SELECT person_id FROM person_grants WHERE id = ${foreignGrant}`));
    await api('DELETE', `/api/v1/persons/${x}/grants/${foreignGrant}`, undefined, { token: own.token });
  }
  await api('PATCH', `/api/v1/persons/${persons[2].id}`, { referents: [] }, { token: tokenFor(STAFF) });
});

function leaks(res, o) {
  return [o.first_name, o.last_name, o.code].filter((s) => res.text.includes(s));
}

test('every route taking a person, for every login: 404 outside, 403 short of the right or of two-step verification, nothing changed, nothing shown', async () => {
  const before_ = await snapshot();
  const wrong = [];
  let tried = 0;
  const allowedSeen = new Set();
  for (const a of actors) {
    for (const o of persons) {
      for (const route of routes) {
        const want = expected(route, a, o);
        let res;
        try {
          res = await route.call(a, o);
        } catch (e) {
          wrong.push(`${a.login} ${route.label} on ${o.label}: ${e.message}`);
          continue;
        }
        tried++;
        const where = `${a.login} (${levelOf(a, o)}${totpMissing(a) ? ', not enrolled' : ''}) ${route.label} on ${o.label}`;
        if (!want.status.includes(res.status)) {
          wrong.push(`${where}: want ${want.status.join('|')}, got ${res.status} ${res.text.slice(0, 160).replace(/\s+/g, ' ')}`);
          continue;
        }
        if (want.permitted) allowedSeen.add(route.label);
        if (!want.permitted) {
          const l = leaks(res, o);
          if (l.length) wrong.push(`${where}: the refusal shows ${l.join(', ')}`);
          if (!route.page && want.code && res.status === 403) {
            const code = res.json().error?.code;
            if (code !== want.code) wrong.push(`${where}: want error ${want.code}, got ${code}`);
          }
        } else if (res.status === 200 && route.shows && !res.text.includes(o.code)) {
          wrong.push(`${where}: 200 without the person`);
        }
      }
    }
    const res = await api('GET', `/api/v1/persons/${ABSENT}`, undefined, tokOf(a));
    if (res.status !== 404) wrong.push(`${a.login}: an absent person answered ${res.status}`);
    const page = await a.client.get(`/persons/${ABSENT}`);
    if (page.status !== 404) wrong.push(`${a.login}: an absent person's page answered ${page.status}`);
  }
  assert.deepEqual(wrong, [], `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
  const never = routes.filter((r) => !allowedSeen.has(r.label)).map((r) => r.label);
  assert.deepEqual(never, [], 'every route was let through for someone');
  assert.ok(tried >= actors.length * persons.length * routes.length);
  assert.deepEqual(await snapshot(), before_, 'nothing changed');
});

test('each login lists exactly the persons it may read (totals included), or is asked to enrol first', async () => {
  for (const a of actors) {
    const expectEnrol = totpMissing(a);
    const first = await api('GET', '/api/v1/persons', undefined, tokOf(a));
    if (expectEnrol) {
      assert.equal(first.status, 403, `${a.login}: ${show(first)}`);
      assert.equal(first.json().error.code, 'totp_required');
      continue;
    }
    assert.equal(first.status, 200, `${a.login}: ${show(first)}`);
    const { items, total } = await listAll('/api/v1/persons', tokOf(a), 200);
    assert.equal(items.length, total, `${a.login}: total`);
    const ids = new Set(items.map((x) => x.id));
    for (const o of persons) {
      const may = ['read', 'write'].includes(levelOf(a, o));
      assert.equal(ids.has(o.id), may, `${a.login} ${may ? 'misses' : 'lists'} ${o.label}`);
    }
    // nothing else than its places' persons, those it is a referent of, and
    // those it was given access to (other runs and tests may have named it)
    const uid = a.id ?? d.user(a.login).id;
    for (const it of items) {
      if (a.roles.some((r) => within(it.node_id, r.node.id)) || persons.some((o) => o.id === it.id) || it.referent) continue;
      const granted = Number(dbValue(`SELECT COUNT(*) FROM person_grants WHERE person_id = ${it.id} AND user_id = ${uid} AND revoked_at = 0 AND until_day >= '${today()}'`));
      assert.ok(granted > 0, `${a.login} lists person ${it.id} of node ${it.node_id}`);
    }
  }
});

test('the routes without an id: the list and the creation pages and API, the indicators, settings and domains', async () => {
  const before_ = await snapshot();
  const wrong = [];
  const check = (label, res, want, code) => {
    if (!want.includes(res.status)) wrong.push(`${label}: want ${want.join('|')}, got ${res.status} ${res.text.slice(0, 160).replace(/\s+/g, ' ')}`);
    else if (code && res.headers['content-type']?.includes('json') && res.json().error?.code !== code) wrong.push(`${label}: want ${code}, got ${res.json().error?.code}`);
  };
  const maison1 = { node: d.maison1.id, referents: [], grants: [] };
  for (const a of actors) {
    const writer = a.roles.some((r) => ['director', 'staff'].includes(r.role));
    const personal = writer;
    // creation at Maison 1 with a body refused: who may record there
    const at = levelOf(a, maison1);
    const create = at === 'none' ? [[404]] : at === 'forbidden' ? [[403], 'forbidden'] : totpMissing(a) ? [[403], 'totp_required'] : [[422]];
    check(`${a.login} POST /api/v1/persons`, await api('POST', '/api/v1/persons', { node_id: d.maison1.id, first_name: 5 }, tokOf(a)), ...create);
    check(`${a.login} POST /persons`, await a.client.post('/persons', { node_id: String(d.maison1.id), first_name: '', last_name: '', birth_date: 'x', sex: 'q', admission_date: 'x' }), create[0]);
    // the list page: two-step verification first, then the reader's persons
    check(`${a.login} GET /persons`, await a.client.get('/persons'), totpMissing(a) ? [403] : [200]);
    check(`${a.login} GET /persons/new`, await a.client.get('/persons/new'), totpMissing(a) ? [403] : personal ? [200] : [403]);
    // indicators: quality readers of the EPS
    const inScope = a.roles.some((r) => within(d.eps1.id, r.node.id));
    check(`${a.login} indicators`, await api('GET', `/api/v1/persons/indicators?node_id=${d.eps1.id}`, undefined, tokOf(a)), inScope ? [200] : [404]);
    // the EPS's settings: its director
    const dirHere = a.roles.some((r) => r.role === 'director' && r.node.id === d.eps1.id);
    const settings = !inScope ? [404] : !dirHere ? [403] : totpMissing(a) ? [403] : [200];
    check(`${a.login} GET settings`, await a.client.get(`/person-settings/${d.eps1.id}`), settings);
    check(`${a.login} POST settings`, await a.client.post(`/person-settings/${d.eps1.id}`, { review_months: '99' }), settings[0] === 200 ? [422] : settings);
    // the life domains: read by everyone, edited by the platform's administrators
    const admin = a.roles.some((r) => r.role === 'admin' && r.node.id === d.root.id);
    check(`${a.login} GET domains`, await a.client.get('/person-domains'), [200]);
    check(`${a.login} POST domains`, await a.client.post('/person-domains', { code: 'Bad Code!', label_fr: '' }), admin ? [422] : [403]);
  }
  assert.deepEqual(wrong, [], `${wrong.length} wrong answers:\n${wrong.join('\n')}`);
  assert.deepEqual(await snapshot(), before_, 'nothing changed');
});
