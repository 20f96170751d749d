// scope-campaigns.test.mjs - every route of the self-assessment campaigns that
// takes an id, for every known demo login (lib.mjs scopeCheck, the pattern of
// scope.test.mjs): a campaign of an EPS outside the scope answers 404 as if
// absent, one inside answers 403 to a route whose permission (quality.read,
// quality.write) the role lacks there, and 200 to the reads it allows. The
// objects are the demo's campaigns of four EPS of both associations.
// Afterwards nothing has changed.
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

async function snapshot() {
  return {
    campaigns: dbValue("SELECT COUNT(*) || ':' || COALESCE(SUM(rev), 0) || ':' || COALESCE(SUM(n_rated), 0) FROM campaigns"),
    assignments: dbValue("SELECT COUNT(*) FROM campaign_criteria WHERE assignee_id IS NOT NULL OR group_label IS NOT NULL"),
    ratings: dbValue("SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) FROM ratings"),
    evidence: dbValue('SELECT COUNT(*) FROM rating_evidence'),
    proposals: dbValue("SELECT COUNT(*) || ':' || COALESCE(SUM(CASE status WHEN 'proposed' THEN 1 ELSE 2 END), 0) FROM proposals"),
    audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'campaign'"),
  };
}

before(async () => {
  d = await demo();
  const admin = { token: tokenFor(ADMIN_EMAIL) };
  objects = [];
  for (const eps of [d.eps1, d.eps2, d.eps3, d.nour]) {
    const list = (await api('GET', `/api/v1/campaigns?node_id=${eps.id}&status=validated`, undefined, admin)).json().items;
    const c = list[list.length - 1];
    if (!c) continue;
    const full = (await api('GET', `/api/v1/campaigns/${c.id}`, undefined, admin)).json();
    const item = Number(dbValue(`SELECT item_id FROM campaign_criteria WHERE campaign_id = ${c.id} ORDER BY ord LIMIT 1`));
    const props = (await api('GET', `/api/v1/campaigns/${c.id}/proposals`, undefined, admin)).json().items;
    objects.push({ kind: 'campaign', id: c.id, node: eps.id, label: `${c.title} of ${eps.name}`, item, code: full.ratings[0].code, proposal: props[0]?.id ?? ABSENT, title: c.title });
  }
  before_ = await snapshot();
});

test('the demo gives a validated campaign to each EPS tried', () => {
  assert.equal(objects.length, 4);
});

function routesOf(c, tok) {
  const r = (label, perm, read, call, more = {}) => ({ kind: 'campaign', label, perm, read, call, ...more });
  const pdf = [{ field: 'file', filename: 'preuve.pdf', type: 'application/pdf', data: smallPdf('preuve') }];
  const sameId = (res, o) => (res.json().id === o.id ? null : 'another campaign');
  return [
    r('GET /campaigns/{id}', 'quality.read', true, (o) => c.get(`/campaigns/${o.id}`), { verify: (res, o) => (res.text.includes(o.title) ? null : 'not its page') }),
    r('GET /campaigns/{id}/results', 'quality.read', true, (o) => c.get(`/campaigns/${o.id}/results`)),
    r('GET /campaigns/{id}/radar.svg', 'quality.read', true, (o) => c.get(`/campaigns/${o.id}/radar.svg`), { verify: (res) => (res.text.startsWith('<svg') ? null : 'not an SVG') }),
    r('GET /campaigns/{id}/scores.svg', 'quality.read', true, (o) => c.get(`/campaigns/${o.id}/scores.svg`)),
    r('POST /campaigns/{id}/ratings/{item}', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/ratings/${o.item}`, { score: '3', version: '1' })),
    r('POST /campaigns/{id}/ratings/{item}/evidence', 'quality.write', false, (o) => c.postMultipart(`/campaigns/${o.id}/ratings/${o.item}/evidence`, {}, pdf)),
    r('POST /campaigns/{id}/start', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/start`, {})),
    r('POST /campaigns/{id}/submit', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/submit`, {})),
    r('POST /campaigns/{id}/validate', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/validate`, { confirm: '1' })),
    r('POST /campaigns/{id}/reopen', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/reopen`, { reason: 'intrus' })),
    r('POST /campaigns/{id}/proposals/{p}', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/proposals/${o.proposal}`, { decision: 'accept' })),
    r('POST /campaigns/{id}/criteria/{item}/assign', 'quality.write', false, (o) => c.post(`/campaigns/${o.id}/criteria/${o.item}/assign`, { group: 'Intrus' })),
    r('API GET /api/v1/campaigns/{id}', 'quality.read', true, (o) => api('GET', `/api/v1/campaigns/${o.id}`, undefined, tok), { verify: sameId }),
    r('API GET /api/v1/campaigns/{id}/results', 'quality.read', true, (o) => api('GET', `/api/v1/campaigns/${o.id}/results`, undefined, tok),
      { verify: (res) => (typeof res.json().overall === 'number' ? null : 'no overall average') }),
    r('API GET /api/v1/campaigns/{id}/results.csv', 'quality.read', true, (o) => api('GET', `/api/v1/campaigns/${o.id}/results.csv`, undefined, tok)),
    r('API GET /api/v1/campaigns/{id}/results.xlsx', 'quality.read', true, (o) => api('GET', `/api/v1/campaigns/${o.id}/results.xlsx`, undefined, tok),
      { verify: (res) => (res.body.subarray(0, 2).toString('latin1') === 'PK' ? null : 'not a workbook') }),
    r('API GET /api/v1/campaigns/{id}/proposals', 'quality.read', true, (o) => api('GET', `/api/v1/campaigns/${o.id}/proposals`, undefined, tok)),
    r('API PUT /api/v1/campaigns/{id}/ratings/{code}', 'quality.write', false, (o) => api('PUT', `/api/v1/campaigns/${o.id}/ratings/${o.code}`, { score: '3' }, tok)),
    r('API PUT /api/v1/campaigns/{id}/criteria/{code}', 'quality.write', false, (o) => api('PUT', `/api/v1/campaigns/${o.id}/criteria/${o.code}`, { group: 'Intrus' }, tok)),
    r('API POST /api/v1/campaigns/{id}/start', 'quality.write', false, (o) => api('POST', `/api/v1/campaigns/${o.id}/start`, undefined, tok)),
    r('API POST /api/v1/campaigns/{id}/submit', 'quality.write', false, (o) => api('POST', `/api/v1/campaigns/${o.id}/submit`, undefined, tok)),
    r('API POST /api/v1/campaigns/{id}/validate', 'quality.write', false, (o) => api('POST', `/api/v1/campaigns/${o.id}/validate`, undefined, tok)),
    r('API POST /api/v1/campaigns/{id}/reopen', 'quality.write', false, (o) => api('POST', `/api/v1/campaigns/${o.id}/reopen`, { reason: 'intrus' }, tok)),
    r('API POST /api/v1/campaigns/{id}/proposals/{p}', 'quality.write', false, (o) => api('POST', `/api/v1/campaigns/${o.id}/proposals/${o.proposal}`, { decision: 'accept' }, tok)),
  ];
}

for (const login of ACTORS) {
  describe(`campaigns in the scope of ${login}`, () => {
    test('404 outside, 403 without the permission, 200 for what may be read', async (t) => {
      const actor = demoActor(d, login);
      const c = await signIn(login);
      const tok = { token: tokenFor(login) };
      const inScope = (o) => !o.absent && actor.scope.has(o.node);
      const inside = objects.filter(inScope);
      const outside = [...objects.filter((o) => !inScope(o)),
        { kind: 'campaign', id: ABSENT, node: null, label: 'does not exist', absent: true, item: ABSENT, code: '1.1', proposal: ABSENT, title: '?' }];
      const routes = routesOf(c, tok);
      if (actor.wholePlatform || inside.length === 0) {
        // nothing outside (the observer sees every EPS) or nothing inside (a
        // house's staff: campaigns belong to the EPS): scopeCheck needs both,
        // so the same rule is applied here route by route
        const wrong = [];
        for (const o of [...inside, ...outside]) {
          for (const route of routes) {
            const want = !inScope(o) || o.absent ? [404] : !actor.can(route.perm, o.node) ? [403] : route.read ? [200] : null;
            if (!want) continue;
            const res = await route.call(o);
            if (!want.includes(res.status)) wrong.push(`${route.label} on ${o.label}: want ${want}, got ${res.status}`);
          }
        }
        assert.deepEqual(wrong, []);
        return;
      }
      const res = await scopeCheck({ actor, routes: routesOf(c, tok), inside, outside });
      t.diagnostic(`${login}: ${res.outside} requests outside, ${res.inside} inside`);
      assert.deepEqual(res.wrong, []);
      if (inside.length && actor.anywhere('quality.read')) assert.deepEqual(res.read, ['campaign']);
      // the list holds the scope's campaigns only
      const list = (await api('GET', '/api/v1/campaigns?limit=200', undefined, tok)).json();
      assert.ok(list.items.every((x) => actor.scope.has(x.node_id)), 'no campaign from outside the scope');
      for (const o of inside) assert.ok(list.items.some((x) => x.id === o.id), `${o.label} listed`);
    });
  });
}

test('nothing changed', async () => {
  assert.deepEqual(await snapshot(), before_);
});
