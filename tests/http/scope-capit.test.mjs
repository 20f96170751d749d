// scope-capit.test.mjs - every route of the capitalisation sheets
// (src/capit/capit_module.c) that takes a sheet's id, pages and API, reads
// and writes, for every demo login, on sheets in draft, in review and
// published of the Casablanca EPS, of Tanger (another EPS of the same
// association) and of Fès (another association's EPS), and an id that does
// not exist; then the creation routes naming an EPS, the lists, the page
// filter and the search. What each login may do is worked out here from the
// rules of src/capit/capit_internal.h and the demo roles of fixture.mjs,
// never asked of the server:
//  - read a published sheet: every signed-in user (the national library);
//  - read a draft or a sheet in review: quality.read at its EPS (its
//    director, referent and staff, and above: advisors, admins, observers,
//    inspectors); anybody else gets 404, as if it did not exist, and never
//    its title or code;
//  - write (edit, submit, attach files): the EPS's director and quality
//    referent, and the admins and quality advisors over it; other readers
//    get 403, whatever the body they send (the right is decided before the
//    body is read);
//  - publish: the admins and quality advisors over the EPS (a writer asking
//    it: 403).
// Permitted changes are sent bodies the server must refuse (422), a stale
// rev (409), or transitions that cannot be made (409), so nothing changes;
// afterwards nothing has (the module's tables, its files, its search rows
// and its audit rows compared through the database). Each login's list and
// search hold exactly the sheets it may read: a draft of one EPS never
// appears to another EPS's director; published sheets appear to everyone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, signIn, dbValue, show, listAll, multipart, smallPdf, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';
import { demoActor, DEMO_ROLES } from './fixture.mjs';

const LOGINS = Object.keys(DEMO_ROLES);
const ABSENT = 987654321;
const STALE = 999999;
// one word no demo text holds, so that the page filter and the search find our sheets only
const TAG = `Capscope${(() => { let n = process.pid * 7919 + Date.now() % 100000; let s = ''; do { s += 'bcdfghjkmnpqrstvwxz'[n % 19]; n = Math.floor(n / 19); } while (n); return s; })()}`;
const LEVELS = ['none', 'read', 'write', 'publish'];
let d;
let sheets; // [{id, code, title, eps, epsName, status, public, file, label}]
let foreignFile; // a file of a sheet that is none of those tried on its route
let actors; // [{login, actor, client, token}]

const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);
const over = (actor, eps, roles) => actor.roles.some((r) => roles.includes(r.role) && within(eps, r.node.id));
/** What the actor may do with a sheet of this EPS (public: published). */
function levelOf(actor, eps, isPublic) {
  if (over(actor, eps, ['admin', 'quality_advisor'])) return 'publish';
  if (over(actor, eps, ['director', 'quality_referent'])) return 'write';
  if (isPublic || actor.can('quality.read', eps)) return 'read';
  return 'none';
}
const atLeast = (have, need) => LEVELS.indexOf(have) >= LEVELS.indexOf(need);

/** Runs the thunks n at a time; their results in order. */
async function inGroups(thunks, n = 8) {
  const out = [];
  for (let i = 0; i < thunks.length; i += n) out.push(...await Promise.all(thunks.slice(i, i + n).map((f) => f())));
  return out;
}

const tokOf = (a) => ({ token: a.token });
const noFile = () => multipart({ note: 'nothing attached' }, []);
function apiMultipart(a, path) {
  const mp = noFile();
  return api('POST', path, mp.body, { token: a.token, type: mp.contentType });
}

/* A stale rev and a move to "published": a writer who does not publish is
 * refused (403); for those who publish, the sheet changed meanwhile (409),
 * and a published sheet is no longer at that step (409). */
const publishStale = (o, level) => (level === 'read' ? [403] : o.status === 'published' || level === 'publish' ? [409] : [403]);

/* The routes taking a sheet's id: need is the level asked; expect(o, level)
 * when the answer depends on the sheet (permitted levels only). */
const routes = [
  // API
  { label: 'API GET sheet', need: 'read', shows: true, call: (a, o) => api('GET', `/api/v1/sheets/${o.id}`, undefined, tokOf(a)) },
  { label: 'API GET versions', need: 'read', call: (a, o) => api('GET', `/api/v1/sheets/${o.id}/versions`, undefined, tokOf(a)) },
  { label: 'API PATCH (empty title, no rev)', need: 'write', ok: [422], call: (a, o) => api('PATCH', `/api/v1/sheets/${o.id}`, { title: '' }, tokOf(a)) },
  { label: 'API PATCH (stale rev)', need: 'write', ok: [409], call: (a, o) => api('PATCH', `/api/v1/sheets/${o.id}`, { rev: STALE, contributors: 'X' }, tokOf(a)) },
  { label: 'API status (bad body)', need: 'write', ok: [422], call: (a, o) => api('POST', `/api/v1/sheets/${o.id}/status`, { status: 'bogus' }, tokOf(a)) },
  { label: 'API status published (stale rev)', need: 'write', expect: publishStale,
    call: (a, o) => api('POST', `/api/v1/sheets/${o.id}/status`, { status: 'published', rev: STALE }, tokOf(a)) },
  { label: 'API status review (stale rev)', need: 'write', ok: [409],
    call: (a, o) => api('POST', `/api/v1/sheets/${o.id}/status`, { status: 'review', rev: STALE }, tokOf(a)) },
  { label: 'API attachment (no file)', need: 'write', expect: (o) => (o.status === 'published' ? [409] : [422]),
    call: (a, o) => apiMultipart(a, `/api/v1/sheets/${o.id}/attachments`) },
  // pages
  { label: 'page sheet', need: 'read', page: true, shows: true, call: (a, o) => a.client.get(`/sheets/${o.id}`) },
  { label: 'page file', need: 'read', page: true, call: (a, o) => a.client.get(`/sheets/${o.id}/files/${o.file}`) },
  { label: 'page another sheet\'s file', need: 'read', page: true, ok: [404], call: (a, o) => a.client.get(`/sheets/${o.id}/files/${foreignFile}`) },
  { label: 'page edit', need: 'write', page: true, call: (a, o) => a.client.get(`/sheets/${o.id}/edit`) },
  { label: 'page save (empty title)', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/sheets/${o.id}`, { title: '', context: 'x', lessons: 'y' }) },
  { label: 'page status (bad)', need: 'write', page: true, ok: [422], call: (a, o) => a.client.post(`/sheets/${o.id}/status`, { status: 'bogus' }) },
  { label: 'page status published (stale rev)', need: 'write', page: true, expect: publishStale,
    call: (a, o) => a.client.post(`/sheets/${o.id}/status`, { status: 'published', rev: String(STALE) }) },
  { label: 'page status review (stale rev)', need: 'write', page: true, ok: [409],
    call: (a, o) => a.client.post(`/sheets/${o.id}/status`, { status: 'review', rev: String(STALE) }) },
  { label: 'page upload (no file)', need: 'write', page: true, expect: (o) => (o.status === 'published' ? [409] : [422]),
    call: (a, o) => a.client.postMultipart(`/sheets/${o.id}/files`, { note: 'nothing attached' }, []) },
];

function expected(route, o, level) {
  if (level === 'none') return [404];
  if (!atLeast(level, route.need)) return [403];
  if (route.expect) return route.expect(o, level);
  return route.ok ?? [200];
}

async function snapshot() {
  const v = (sql) => dbValue(sql);
  return {
    sheets: v("SELECT COUNT(*) || ':' || SUM(rev) || ':' || SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END) || ':' || SUM(CASE WHEN status = 'review' THEN 1 ELSE 0 END) || ':' || COALESCE(SUM(LENGTH(contributors)), 0) FROM sheets"),
    titles: v(`SELECT COUNT(*) FROM sheets WHERE title LIKE '%${TAG}%'`),
    authors: v('SELECT COUNT(*) FROM sheet_authors'),
    links: v('SELECT COUNT(*) FROM sheet_links'),
    files: v("SELECT COUNT(*) FROM attachments WHERE owner_kind = 'sheet'"),
    search: v("SELECT COUNT(*) || ':' || SUM(everyone) FROM search_items WHERE type = 'sheet'"),
    audit: v("SELECT COUNT(*) FROM audit_log WHERE entity = 'sheet'"),
  };
}

const body = (eps, title, extra = {}) => ({ node_id: eps, title, context: `Contexte ${TAG}`, lessons: `Leçons ${TAG}`, ...extra });

/** A sheet of the EPS made by the national admin, with one file, brought to status. */
async function sheet(eps, epsName, status) {
  const admin = { token: tokenFor(ADMIN_EMAIL) };
  const title = `${TAG} ${status} ${epsName.split(' ').pop()} ${Math.random().toString(36).slice(2, 7)}`;
  let res = await api('POST', '/api/v1/sheets', body(eps, title), admin);
  assert.equal(res.status, 201, show(res));
  const s = res.json();
  const mp = multipart({}, [{ field: 'file', filename: 'outil.pdf', type: 'application/pdf', data: smallPdf(`outil ${TAG}`) }]);
  res = await api('POST', `/api/v1/sheets/${s.id}/attachments`, mp.body, { ...admin, type: mp.contentType });
  assert.equal(res.status, 201, show(res));
  const after = res.json();
  const file = after.files[after.files.length - 1].id;
  if (status !== 'draft') {
    res = await api('POST', `/api/v1/sheets/${s.id}/status`, { status, rev: after.rev }, admin);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, status);
  }
  return { id: s.id, code: s.code, title, eps, epsName, status, public: status === 'published', file, label: `${status} sheet ${s.id} of ${epsName}` };
}

before(async () => {
  d = await demo();
  sheets = [];
  for (const eps of [d.eps1, d.eps3, d.nour]) {
    for (const status of ['draft', 'review', 'published']) sheets.push(await sheet(eps.id, eps.name, status));
  }
  // a file of a sheet tried nowhere
  const x = await sheet(d.eps1.id, d.eps1.name, 'draft');
  foreignFile = x.file;
  sheets.push({ ...x, listOnly: true });
  actors = [];
  for (const login of LOGINS) {
    actors.push({ login, actor: demoActor(d, login), token: tokenFor(login),
      client: await signIn(login, login === ADMIN_EMAIL ? ADMIN_PASSWORD : undefined) });
  }
});

const leaks = (res, o) => [o.title, o.code].filter((s) => res.text.includes(s));
const brief = (res) => `${res.status} ${res.text.slice(0, 160).replace(/\s+/g, ' ')}`;

test('every route taking a sheet, for every login: 404 outside, 403 short of the right, nothing changed, nothing shown', async () => {
  const before_ = await snapshot();
  const wrong = [];
  const allowedSeen = new Set();
  let tried = 0;
  for (const a of actors) {
    const jobs = [];
    for (const o of sheets.filter((s) => !s.listOnly)) {
      const level = levelOf(a.actor, o.eps, o.public);
      for (const route of routes) {
        jobs.push(async () => {
          const want = expected(route, o, level);
          const where = `${a.login} (${level}) ${route.label} on ${o.label}`;
          let res;
          try { res = await route.call(a, o); } catch (e) { wrong.push(`${where}: ${e.message}`); return; }
          tried++;
          if (!want.includes(res.status)) { wrong.push(`${where}: want ${want.join('|')}, got ${brief(res)}`); return; }
          const permitted = level !== 'none' && atLeast(level, route.need);
          if (permitted) allowedSeen.add(route.label);
          if (level === 'none') {
            const l = leaks(res, o);
            if (l.length) wrong.push(`${where}: the refusal shows ${l.join(', ')}`);
          } else if (res.status === 200 && route.shows && !res.text.includes(route.page ? o.title : o.code)) {
            wrong.push(`${where}: 200 without the sheet`);
          }
        });
      }
    }
    // an id that does not exist looks the same as one outside the scope, on every route
    for (const route of routes) {
      jobs.push(async () => {
        const res = await route.call(a, { id: ABSENT, file: foreignFile, status: 'draft' });
        tried++;
        if (res.status !== 404) wrong.push(`${a.login} ${route.label} on an absent sheet: want 404, got ${brief(res)}`);
      });
    }
    await inGroups(jobs, 8);
  }
  const after_ = await snapshot();
  if (JSON.stringify(after_) !== JSON.stringify(before_)) wrong.push(`the tables changed: ${JSON.stringify(before_)} -> ${JSON.stringify(after_)}`);
  assert.ok(wrong.length === 0, `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
  const never = routes.filter((r) => !allowedSeen.has(r.label)).map((r) => r.label);
  assert.deepEqual(never, [], 'every route was let through for someone');
  assert.ok(tried >= actors.length * 9 * routes.length);
});

test('creating a sheet at an EPS: 404 outside, 403 for readers and for a writer publishing, nothing created', async () => {
  const before_ = await snapshot();
  const wrong = [];
  const check = (label, res, want) => {
    if (!want.includes(res.status)) wrong.push(`${label}: want ${want.join('|')}, got ${brief(res)}`);
  };
  const jobs = [];
  for (const a of actors) {
    const writerSomewhere = a.actor.roles.some((r) => ['admin', 'quality_advisor', 'director', 'quality_referent'].includes(r.role));
    jobs.push(async () => check(`${a.login} GET /sheets/new`, await a.client.get('/sheets/new'), writerSomewhere ? [200] : [403]));
    for (const eps of [d.eps1, d.eps3, d.nour, { id: ABSENT, name: 'absent' }]) {
      const level = eps.id === ABSENT ? 'none' : levelOf(a.actor, eps.id, false);
      const refused = level === 'none' ? [404] : level === 'read' ? [403] : null;
      const where = `${a.login} (${level}) at ${eps.name}`;
      jobs.push(async () => check(`${where} API create (no title)`,
        await api('POST', '/api/v1/sheets', { node_id: eps.id, title: '', context: 'c', lessons: 'l' }, tokOf(a)), refused ?? [422]));
      jobs.push(async () => check(`${where} page create (no title)`,
        await a.client.post('/sheets', { node_id: String(eps.id), title: '', context: 'c', lessons: 'l' }), refused ?? [422]));
      if (level !== 'publish') {
        // a complete sheet asked published by one who does not publish
        jobs.push(async () => check(`${where} API create published`,
          await api('POST', '/api/v1/sheets', body(eps.id, `${TAG} refused ${a.login}`, { status: 'published' }), tokOf(a)), refused ?? [403]));
      }
      if (!atLeast(level, 'write')) {
        jobs.push(async () => check(`${where} API create draft`,
          await api('POST', '/api/v1/sheets', body(eps.id, `${TAG} refused ${a.login}`), tokOf(a)), refused));
        jobs.push(async () => check(`${where} page create draft`,
          await a.client.post('/sheets', { node_id: String(eps.id), title: `${TAG} refused`, context: 'c', lessons: 'l' }), refused));
      }
    }
  }
  await inGroups(jobs, 8);
  const after_ = await snapshot();
  if (JSON.stringify(after_) !== JSON.stringify(before_)) wrong.push(`the tables changed: ${JSON.stringify(before_)} -> ${JSON.stringify(after_)}`);
  assert.ok(wrong.length === 0, `${wrong.length} wrong answers:\n${wrong.join('\n')}`);
});

test('each login lists exactly the sheets it may read (API, totals included), drafts of other EPS never', async () => {
  const wrong = [];
  await inGroups(actors.map((a) => async () => {
    const { items, total } = await listAll('/api/v1/sheets', tokOf(a), 200);
    if (items.length !== total) wrong.push(`${a.login}: ${items.length} items, total ${total}`);
    const ids = new Set(items.map((x) => x.id));
    for (const o of sheets) {
      const may = levelOf(a.actor, o.eps, o.public) !== 'none';
      if (ids.has(o.id) !== may) wrong.push(`${a.login} ${may ? 'misses' : 'lists'} ${o.label}`);
    }
    for (const it of items) {
      if (['published', 'superseded'].includes(it.status)) continue;
      if (!a.actor.can('quality.read', it.node_id)) wrong.push(`${a.login} lists the ${it.status} sheet ${it.id} of node ${it.node_id}`);
    }
    // asked by status, the same rule
    for (const status of ['draft', 'review']) {
      const res = await api('GET', `/api/v1/sheets?status=${status}&q=${TAG}&limit=100`, undefined, tokOf(a));
      if (res.status !== 200) { wrong.push(`${a.login} ?status=${status}: ${brief(res)}`); continue; }
      const got = res.json().items.map((x) => x.id).sort((x, y) => x - y);
      const want = sheets.filter((o) => o.status === status && levelOf(a.actor, o.eps, false) !== 'none').map((o) => o.id).sort((x, y) => x - y);
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${a.login} ?status=${status}: want ${want}, got ${got}`);
    }
  }), 4);
  assert.ok(wrong.length === 0, `${wrong.length} wrong:\n${wrong.join('\n')}`);
});

test('the library page and the search show each login exactly the sheets it may read', async () => {
  const wrong = [];
  const statuses = new Map(sheets.map((o) => [o.id, o.status]));
  const statusOf = async (id) => {
    if (!statuses.has(id)) {
      const res = await api('GET', `/api/v1/sheets/${id}`, undefined, { token: tokenFor(ADMIN_EMAIL) });
      statuses.set(id, res.status === 200 ? res.json().status : `unknown (${res.status})`);
    }
    return statuses.get(id);
  };
  await inGroups(actors.map((a) => async () => {
    const page = await a.client.get(`/sheets?q=${TAG}`);
    if (page.status !== 200) { wrong.push(`${a.login} /sheets?q=: ${brief(page)}`); return; }
    const found = await api('GET', `/api/v1/search?q=${TAG}&limit=100`, undefined, tokOf(a));
    if (found.status !== 200) { wrong.push(`${a.login} /api/v1/search: ${brief(found)}`); return; }
    const hits = new Set(found.json().items.filter((x) => x.type === 'sheet').map((x) => x.id));
    const searchPage = await a.client.get(`/search?q=${TAG}`);
    if (searchPage.status !== 200) wrong.push(`${a.login} /search: ${brief(searchPage)}`);
    for (const o of sheets) {
      const level = levelOf(a.actor, o.eps, o.public);
      const may = level !== 'none';
      if (page.text.includes(o.title) !== may) wrong.push(`${a.login} /sheets?q= ${may ? 'misses' : 'shows'} ${o.label}`);
      if (hits.has(o.id) !== may) wrong.push(`${a.login} /api/v1/search ${may ? 'misses' : 'finds'} ${o.label}`);
      if (searchPage.status === 200 && searchPage.text.includes(`href="/sheets/${o.id}"`) !== may) wrong.push(`${a.login} /search ${may ? 'misses' : 'shows'} ${o.label}`);
    }
    // nothing else found of a draft it may not read
    for (const it of found.json().items.filter((x) => x.type === 'sheet')) {
      const st = await statusOf(it.id);
      if (st !== 'published' && !a.actor.can('quality.read', it.node_id)) wrong.push(`${a.login} finds the ${st} sheet ${it.id}`);
    }
  }), 4);
  assert.ok(wrong.length === 0, `${wrong.length} wrong:\n${wrong.join('\n')}`);
});
