// roadmap.test.mjs - the methodology roadmap: an EPS's nine steps through the
// API (shapes, the current step = the first one not done), steps proved by the
// data of other modules (a quality referent named, a self-assessment validated
// through the API, a plan adopted) and the stored status shown again when the
// fact goes (the campaign reopened), manual changes with their 422s in French
// and Arabic and 409 on a stale rev, who may change a step (403 for staff and
// observers, 404 for another EPS's director or another association's admin),
// the view of an association and of the root (its counts are the sum of its
// establishments', each at the step its own roadmap says), the pages (the
// director sent to her roadmap, the step form and its errors, the national
// table with its filters and chart), the audit rows read as words, and every
// route taking an establishment for every demo login (what each may do worked
// out from fixture.mjs, never asked of the server).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, tokenFor, demo, show, signIn, uniq, translation, ADMIN_EMAIL, ADMIN_PASSWORD, parseForm, formFields,
} from './lib.mjs';
import { demoActor, DEMO_ROLES } from './fixture.mjs';

const DIR = 'directrice.casa@amal.ma';
const REF = 'referent.casa@amal.ma';
const STAFF = 'educateur.casa';
const TANGER = 'directeur.tanger@amal.ma';
const OBS = 'observateur@entraide.ma';
const ADVISOR = 'conseil@amal.ma';
const NOUR_ADMIN = 'admin@nour.ma';
const STEPS = ['commitment', 'referent_named', 'team_trained', 'self_assessment', 'plan_adopted',
  'project_validated', 'indicators_followed', 'capitalisation', 'kit_shared'];
const PASSWORD = 'Roadmap-test-2026-pass';

let d;
const tok = (login) => ({ token: tokenFor(login) });
const road = (nodeId, who = ADMIN_EMAIL, q = '') => api('GET', `/api/v1/roadmap?node_id=${nodeId}${q}`, undefined, tok(who));
const put = (eps, code, body, who = DIR, lang = 'fr') =>
  api('PUT', `/api/v1/roadmap/${eps}/steps/${code}?lang=${lang}`, body, tok(who));
const today = () => new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Africa/Casablanca', year: 'numeric', month: '2-digit', day: '2-digit',
}).format(new Date()); // the server's day (UTC+1, UTC during Ramadan)

/** A new EPS of Amal with a director and a quality referent of its own. */
async function newEps() {
  const admin = tok('admin@amal.ma');
  const res = await api('POST', '/api/v1/nodes', {
    parent_id: d.assoc1.id, kind: 'eps', name: uniq('Foyer Démarche '), category: 'children', region: 'oriental',
  }, admin);
  assert.equal(res.status, 201, show(res));
  const eps = res.json();
  const people = {};
  for (const role of ['director', 'quality_referent']) {
    const login = `${uniq(role === 'director' ? 'dir.' : 'ref.')}@road.ma`;
    const u = await api('POST', '/api/v1/users', {
      email: login, name: role === 'director' ? 'Leïla Berrada' : 'Omar Chraibi', password: PASSWORD, language: 'fr',
      roles: [{ role, node_id: eps.id }],
    }, admin);
    assert.equal(u.status, 201, show(u));
    people[role] = login;
  }
  return { eps, director: people.director, referent: people.quality_referent };
}

before(async () => {
  d = await demo();
});

describe('an establishment\'s roadmap (API)', () => {
  test('nine steps in order; the current one is the first not done; done counts them', async () => {
    const res = await road(d.eps1.id, DIR);
    assert.equal(res.status, 200, show(res));
    const j = res.json();
    assert.equal(j.node_id, d.eps1.id);
    assert.equal(j.total, 9);
    assert.deepEqual(j.steps.map((s) => s.code), STEPS);
    for (const s of j.steps) {
      for (const k of ['code', 'label', 'status', 'day', 'evidence', 'proved_by', 'done']) assert.ok(k in s, `${k} in ${JSON.stringify(s)}`);
      assert.ok(['todo', 'in_progress', 'done'].includes(s.status));
      assert.equal(typeof s.done, 'boolean');
      assert.ok(s.day === null || /^\d{4}-\d{2}-\d{2}$/.test(s.day), 'days as YYYY-MM-DD');
      assert.equal(s.done, s.status === 'done' || s.proved_by !== null, 'done: recorded done or proved');
    }
    assert.equal(j.done, j.steps.filter((s) => s.done).length);
    const first = j.steps.find((s) => !s.done);
    assert.equal(j.current, first ? first.code : null);
    assert.equal(j.can_edit, true, 'the director changes her roadmap');
    // the demo: a referent named and a validated self-assessment, proved by the data
    const byCode = Object.fromEntries(j.steps.map((s) => [s.code, s]));
    assert.equal(byCode.referent_named.proved_by, 'quality_referent_named');
    assert.equal(byCode.self_assessment.proved_by, 'campaign_validated');
    assert.equal(byCode.plan_adopted.proved_by, 'plan_adopted');
    assert.equal(byCode.commitment.status, 'done');
    assert.match(byCode.commitment.evidence, /comité de pilotage/i);
  });

  test('the demo establishments stand at different steps; Tanger\'s is written in Arabic', async () => {
    const imzouren = d.find('eps', /Imzouren/);
    assert.equal((await road(imzouren.id)).json().current, 'commitment');
    const tanger = (await road(d.eps3.id)).json();
    assert.equal(tanger.current, null, 'every step done');
    assert.equal(tanger.done, 9);
    assert.match(tanger.steps[0].evidence, /[\u0600-\u06FF]/, 'evidence in Arabic');
    const currents = new Set();
    for (const name of [/Casablanca/, /Dar Bouazza/, /Tanger/, /Imzouren/, /Marrakech/, /Agadir/, /Nour/]) {
      currents.add((await road(d.find('eps', name).id)).json().current);
    }
    assert.ok(currents.size >= 5, `the demo spreads its EPS over the steps: ${[...currents]}`);
  });

  test('steps proved by data: a referent named, a validated self-assessment, an adopted plan; the stored status when the fact goes', async () => {
    const { eps, director, referent } = await newEps();
    let j = (await road(eps.id, director)).json();
    assert.equal(j.current, 'commitment', 'nothing recorded: the first step');
    const st = (code) => j.steps.find((s) => s.code === code);
    assert.equal(st('referent_named').done, true);
    assert.equal(st('referent_named').proved_by, 'quality_referent_named');
    assert.equal(st('referent_named').status, 'todo', 'nothing stored');
    assert.equal(st('self_assessment').done, false);
    // the self-assessment, validated by the director through the API
    const refs = (await api('GET', '/api/v1/referentiels?status=published', undefined, tok(director))).json().items;
    const refId = refs.find((r) => r.code === 'JOUDA-EPS-ENFANCE').id;
    let res = await api('POST', '/api/v1/campaigns', {
      node_id: eps.id, referentiel_id: refId, title: 'Première auto-évaluation', period_start: '2026-02-01',
      period_end: '2026-05-31', criteria: ['7.1'],
    }, tok(referent));
    assert.equal(res.status, 201, show(res));
    const camp = res.json().id;
    assert.equal((await api('POST', `/api/v1/campaigns/${camp}/start`, undefined, tok(referent))).status, 200);
    assert.equal((await api('PUT', `/api/v1/campaigns/${camp}/ratings/7.1`, { score: '3' }, tok(referent))).status, 200);
    assert.equal((await api('POST', `/api/v1/campaigns/${camp}/submit`, undefined, tok(referent))).status, 200);
    // recorded in progress meanwhile
    res = await put(eps.id, 'self_assessment', { status: 'in_progress', evidence: 'Cotation en cours' }, director);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().done, false);
    res = await api('POST', `/api/v1/campaigns/${camp}/validate`, undefined, tok(director));
    assert.equal(res.status, 200, show(res));
    j = (await road(eps.id, director)).json();
    assert.equal(st('self_assessment').done, true, 'proved once validated');
    assert.equal(st('self_assessment').proved_by, 'campaign_validated');
    assert.equal(st('self_assessment').status, 'in_progress', 'the stored status is kept');
    // the plan adopted by the director
    res = await api('POST', `/api/v1/plans/${eps.id}/adopt`, { note: 'Comité de pilotage' }, tok(director));
    assert.ok([200, 201].includes(res.status), show(res));
    j = (await road(eps.id, director)).json();
    assert.equal(st('plan_adopted').proved_by, 'plan_adopted');
    // the campaign reopened: no validated self-assessment, the stored status again
    res = await api('POST', `/api/v1/campaigns/${camp}/reopen`, { reason: 'Nouvelles preuves' }, tok(director));
    assert.equal(res.status, 200, show(res));
    j = (await road(eps.id, director)).json();
    assert.equal(st('self_assessment').done, false);
    assert.equal(st('self_assessment').proved_by, null);
    assert.equal(st('self_assessment').status, 'in_progress');
    assert.equal(st('self_assessment').evidence, 'Cotation en cours');
    // recorded steps and facts together make the current step
    res = await put(eps.id, 'commitment', { status: 'done', day: '2026-01-12', evidence: 'Note d\'engagement signée' }, director);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().current, 'team_trained', 'the referent is proved: the team is next');
    res = await put(eps.id, 'team_trained', { status: 'done' }, referent);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().day, today(), 'done without a day: today');
    assert.equal(res.json().current, 'self_assessment');
  });
});

describe('changing a step', () => {
  let eps;
  before(async () => {
    ({ eps } = await newEps());
  });

  test('the director records a step: 200 with the step, its rev; a stale rev is 409', async () => {
    let res = await put(eps.id, 'commitment', { status: 'in_progress', day: '2026-03-01', evidence: 'Comité en constitution', link: '/projects' }, ADMIN_EMAIL);
    assert.equal(res.status, 200, show(res));
    let s = res.json();
    assert.equal(s.code, 'commitment');
    assert.equal(s.status, 'in_progress');
    assert.equal(s.day, '2026-03-01');
    assert.equal(s.evidence, 'Comité en constitution');
    assert.equal(s.link, '/projects');
    assert.equal(s.done, false);
    assert.equal(s.proved_by, null);
    assert.equal(s.rev, 1);
    assert.match(s.updated_at, /^\d{4}-\d{2}-\d{2}T/);
    res = await put(eps.id, 'commitment', { status: 'done', day: '2026-03-20', rev: 1 }, ADVISOR);
    assert.equal(res.status, 200, show(res));
    s = res.json();
    assert.equal(s.rev, 2);
    assert.equal(s.evidence, 'Comité en constitution', 'fields not sent are kept');
    res = await put(eps.id, 'commitment', { status: 'todo', rev: 1 }, ADMIN_EMAIL);
    assert.equal(res.status, 409, show(res));
    assert.equal((await road(eps.id)).json().steps[0].status, 'done', 'nothing changed');
  });

  test('422 with the field in the reader\'s language: status, day, link, unknown fields', async () => {
    let res = await put(eps.id, 'team_trained', { status: 'fini' }, ADMIN_EMAIL, 'fr');
    assert.equal(res.status, 422, show(res));
    let e = res.json().error;
    assert.equal(e.fields.status, translation('fr', 'Choose the status of the step: to do, in progress or done.'));
    res = await put(eps.id, 'team_trained', { status: 'fini' }, ADMIN_EMAIL, 'ar');
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.status, translation('ar', 'Choose the status of the step: to do, in progress or done.'));
    res = await put(eps.id, 'team_trained', { status: 'done', day: '2026-02-30' }, ADMIN_EMAIL, 'ar');
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.day, translation('ar', 'Write the day as YYYY-MM-DD.'));
    res = await put(eps.id, 'team_trained', { status: 'done', day: '12/03/2026' }, ADMIN_EMAIL);
    assert.equal(res.status, 422, 'the API writes days as YYYY-MM-DD');
    res = await put(eps.id, 'team_trained', { status: 'done', day: '2099-01-01' }, ADMIN_EMAIL, 'fr');
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.day, translation('fr', 'A step is done on a day that has come: choose today or a day before.'));
    res = await put(eps.id, 'team_trained', { status: 'todo', day: '2099-01-01' }, ADMIN_EMAIL);
    assert.equal(res.status, 200, 'a planned day may come later');
    res = await put(eps.id, 'team_trained', { status: 'done', link: 'javascript:alert(1)' }, ADMIN_EMAIL, 'fr');
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.link);
    res = await put(eps.id, 'team_trained', { status: 'done', color: 'red' }, ADMIN_EMAIL);
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.color);
    res = await put(eps.id, 'team_trained', { status: 'done', evidence: 'x'.repeat(2001) }, ADMIN_EMAIL);
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.evidence);
    e = (await api('PUT', `/api/v1/roadmap/${eps.id}/steps/team_trained`, '[1]', { ...tok(ADMIN_EMAIL) })).status;
    assert.equal(e, 400, 'a body that is no object');
  });

  test('an unknown step or something other than an EPS is 404', async () => {
    assert.equal((await put(eps.id, 'lunch', { status: 'done' }, ADMIN_EMAIL)).status, 404);
    assert.equal((await put(d.assoc1.id, 'commitment', { status: 'done' }, ADMIN_EMAIL)).status, 404);
    assert.equal((await put(d.maison1.id, 'commitment', { status: 'done' }, ADMIN_EMAIL)).status, 404);
    assert.equal((await put(999999999, 'commitment', { status: 'done' }, ADMIN_EMAIL)).status, 404);
  });

  test('who may: staff and observers 403, another EPS\'s director and another association\'s admin 404', async () => {
    const body = { status: 'in_progress', evidence: 'essai' };
    assert.equal((await put(d.eps1.id, 'kit_shared', body, STAFF)).status, 403, 'staff read, they do not change');
    assert.equal((await put(d.eps1.id, 'kit_shared', body, OBS)).status, 403, 'observers read');
    assert.equal((await put(d.eps1.id, 'kit_shared', body, TANGER)).status, 404, 'another EPS');
    assert.equal((await put(d.eps1.id, 'kit_shared', body, NOUR_ADMIN)).status, 404, 'another association');
    assert.equal((await road(d.eps1.id, TANGER)).status, 404);
    assert.equal((await road(d.eps1.id, STAFF)).status, 200, 'staff read their EPS\'s roadmap');
    assert.equal((await road(d.eps1.id, STAFF)).json().can_edit, false);
    assert.equal((await road(d.eps1.id, OBS)).status, 200);
    assert.equal((await road(d.assoc1.id, TANGER)).status, 404, 'an association is outside a director\'s scope');
    assert.equal((await road(d.assoc1.id, NOUR_ADMIN)).status, 404);
    assert.equal((await api('GET', '/api/v1/roadmap?node_id=abc', undefined, tok(ADMIN_EMAIL))).status, 422);
    assert.equal((await put(d.eps1.id, 'kit_shared', body, REF)).status, 200, 'the referent may');
  });
});

describe('the view of an association and of the root', () => {
  test('counts by current step are the sum of the establishments, each at its own roadmap\'s step', async () => {
    for (const [node, who] of [[d.assoc1.id, ADVISOR], [d.root.id, ADMIN_EMAIL]]) {
      const res = await road(node, who, '&limit=200');
      assert.equal(res.status, 200, show(res));
      const j = res.json();
      assert.equal(j.node_id, node);
      assert.deepEqual(Object.keys(j.by_step), [...STEPS, 'complete']);
      const sum = Object.values(j.by_step).reduce((a, b) => a + b, 0);
      assert.equal(sum, j.total_eps, 'every EPS counted once');
      const eps = [];
      for (let offset = 0; offset < j.total_eps; offset += 200) {
        eps.push(...(await road(node, who, `&limit=200&offset=${offset}`)).json().eps);
      }
      assert.equal(eps.length, j.total_eps);
      const counted = {};
      for (const e of eps) counted[e.current ?? 'complete'] = (counted[e.current ?? 'complete'] || 0) + 1;
      for (const [k, v] of Object.entries(j.by_step)) assert.equal(counted[k] || 0, v, `step ${k}`);
      if (node === d.assoc1.id) {
        for (const e of eps) {
          const one = (await road(e.id, who)).json();
          assert.equal(one.current, e.current, `EPS ${e.id}: the same current step both ways`);
          assert.equal(one.done, e.done);
        }
      }
    }
  });

  test('paged and filtered by step', async () => {
    const all = (await road(d.root.id, ADMIN_EMAIL, '&limit=2')).json();
    assert.equal(all.eps.length, 2);
    assert.equal(all.limit, 2);
    const next = (await road(d.root.id, ADMIN_EMAIL, '&limit=2&offset=2')).json();
    assert.notEqual(next.eps[0].id, all.eps[0].id);
    const complete = (await road(d.root.id, ADMIN_EMAIL, '&step=complete&limit=200')).json();
    assert.equal(complete.matched, all.by_step.complete);
    assert.ok(complete.eps.every((e) => e.current === null && e.done === 9));
    assert.equal((await road(d.root.id, ADMIN_EMAIL, '&step=lunch')).status, 422);
    assert.equal((await road(d.root.id, ADMIN_EMAIL, '&limit=0')).status, 422);
  });
});

describe('pages', () => {
  test('a director opening /roadmap gets her establishment\'s; the admin gets the national view', async () => {
    const dir = await signIn(DIR);
    let res = await dir.get('/roadmap');
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, new RegExp(`action="/roadmap/${d.eps1.id}/steps/commitment"`), 'her EPS\'s roadmap');
    res = await dir.get(`/roadmap/${d.eps1.id}`);
    assert.equal(res.status, 200, show(res));
    for (const code of STEPS) assert.match(res.text, new RegExp(`id="step-${code}"`));
    assert.match(res.text, new RegExp(translation('fr', 'Proved by:')));
    assert.equal((await dir.get(`/roadmap/${d.eps3.id}`)).status, 404, 'another EPS');
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    res = await admin.get('/roadmap');
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, /<img src="\/roadmap\/chart\.svg\?node_id=/);
    assert.match(res.text, /Village d&#39;enfants Casablanca|Village d'enfants Casablanca/);
    res = await admin.get(`/roadmap?node_id=${d.root.id}&step=complete&region=tanger_tetouan_alhoceima&sort=progress`);
    assert.equal(res.status, 200);
    assert.match(res.text, /Tanger/);
    assert.doesNotMatch(res.text, /Village d(&#39;|')enfants Agadir<\/bdi><\/a>/, 'filtered by region');
    res = await admin.get(`/roadmap/chart.svg?node_id=${d.root.id}`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /image\/svg\+xml/);
    assert.match(res.text, /^<svg /);
    res = await admin.get(`/roadmap/${d.assoc1.id}`);
    assert.equal(res.status, 303, 'an association: its view');
    const tanger = await signIn(TANGER);
    assert.equal((await tanger.get(`/roadmap/chart.svg?node_id=${d.root.id}`)).status, 404);
  });

  test('the step form: errors in French on the page with what was typed kept, then saved', async () => {
    const { eps, director } = await newEps();
    const c = await signIn(director, PASSWORD);
    let page = await c.get(`/roadmap/${eps.id}`);
    assert.equal(page.status, 200, show(page));
    const form = parseForm(page.text, `/roadmap/${eps.id}/steps/team_trained`);
    assert.ok(form, 'a form per step');
    const fields = { ...formFields(form), status: 'done', day: '31/02/2026', evidence: 'Formation des 12 et 13 mars' };
    let res = await c.post(form.action, fields);
    assert.equal(res.status, 422, show(res));
    assert.match(res.text, /class="error-summary/);
    assert.ok(res.text.includes(translation('fr', 'Enter a date as dd/mm/yyyy.').replace(/'/g, '&#39;')) ||
      res.text.includes(translation('fr', 'Enter a date as dd/mm/yyyy.')));
    assert.match(res.text, /Formation des 12 et 13 mars/, 'what was typed is kept');
    res = await c.post(form.action, { ...fields, day: '13/03/2026' });
    assert.equal(res.status, 303, show(res));
    assert.equal(res.location, `/roadmap/${eps.id}#step-team_trained`);
    const j = (await road(eps.id, director)).json();
    const s = j.steps.find((x) => x.code === 'team_trained');
    assert.equal(s.status, 'done');
    assert.equal(s.day, '2026-03-13', 'dd/mm/yyyy on pages, YYYY-MM-DD in the API');
    page = await c.get(`/roadmap/${eps.id}`);
    assert.match(page.text, /13\/03\/2026/);
    // staff of the demo EPS read the page without forms
    const staff = await signIn(STAFF);
    page = await staff.get(`/roadmap/${d.eps1.id}`);
    assert.equal(page.status, 200);
    assert.equal(parseForm(page.text, `/roadmap/${d.eps1.id}/steps/commitment`), null);
    assert.equal((await staff.get(`/roadmap/${d.eps1.id}/steps/commitment`)).status, 403);
  });

  test('the home pages: the director\'s next step, the admin\'s distribution; the EPS page shows its progress', async () => {
    const dir = await signIn(DIR);
    let res = await dir.get('/');
    assert.match(res.text, /roadmap\/home|h-road-home/);
    assert.match(res.text, new RegExp(translation('fr', 'Next step:')));
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    res = await admin.get('/');
    assert.match(res.text, /road-dist__list/);
    res = await admin.get(`/admin/nodes/${d.eps1.id}`);
    assert.equal(res.status, 200);
    assert.match(res.text, new RegExp(`href="/roadmap/${d.eps1.id}"`));
  });
});

describe('the audit log reads as words', () => {
  test('a step\'s change: its kind, its name, the status label', async () => {
    const { eps, director } = await newEps();
    const res = await put(eps.id, 'kit_shared', { status: 'in_progress', evidence: 'Kit en préparation' }, director);
    assert.equal(res.status, 200, show(res));
    const rows = (await api('GET', `/api/v1/audit?entity=road_step&limit=50`, undefined, tok(ADMIN_EMAIL))).json().items;
    const row = rows.find((r) => r.node_id === eps.id || (r.changes && r.changes.evidence && r.changes.evidence.to === 'Kit en préparation'));
    assert.ok(row, JSON.stringify(rows.slice(0, 3)));
    assert.equal(row.changes.status.to, 'in_progress', 'the API keeps the codes');
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const page = await admin.get('/admin/audit?entity=road_step');
    assert.equal(page.status, 200, show(page));
    assert.ok(page.text.includes(translation('fr', 'audit_entity.road_step')), 'the kind in words');
    assert.ok(page.text.includes(translation('fr', 'road_step.kit_shared')), 'the step named');
    assert.ok(page.text.includes(translation('fr', 'road_status.in_progress')), 'the status in words');
    assert.ok(!/road_status\.|road_step\./.test(page.text), 'no code shown');
  });
});

describe('scope: every demo login on every establishment', () => {
  test('read with quality.read in scope (200), change as director, referent, admin or advisor over it (422 for a bad body), 403 for the others in scope, 404 outside', async () => {
    const eps = d.nodes.filter((n) => n.kind === 'eps' && d.subtree(d.assoc1.id).concat(d.subtree(d.assoc2.id)).some((x) => x.id === n.id) && !/Démarche/.test(n.name));
    const targets = [...eps.map((n) => ({ id: n.id, node: n.id })), { id: 987654321, node: null }];
    const wrong = [];
    for (const login of Object.keys(DEMO_ROLES)) {
      const actor = demoActor(d, login);
      const who = login === ADMIN_EMAIL ? { token: tokenFor(ADMIN_EMAIL) } : tok(login);
      const page = await signIn(login, login === ADMIN_EMAIL ? ADMIN_PASSWORD : undefined);
      for (const t of targets) {
        const inScope = t.node !== null && actor.scope.has(t.node);
        const reads = t.node !== null && actor.can('quality.read', t.node);
        const edits = t.node !== null && actor.roles.some((r) => ['director', 'quality_referent', 'admin', 'quality_advisor'].includes(r.role) &&
          d.subtree(r.node.id).some((x) => x.id === t.node));
        const read = !inScope ? 404 : reads ? 200 : 403;
        const change = !inScope ? 404 : !reads ? 403 : edits ? 422 : 403;
        const got = {
          api: (await api('GET', `/api/v1/roadmap?node_id=${t.id}`, undefined, who)).status,
          page: (await page.get(`/roadmap/${t.id}`)).status,
          form: (await page.get(`/roadmap/${t.id}/steps/commitment`)).status,
          put: (await api('PUT', `/api/v1/roadmap/${t.id}/steps/commitment`, { status: 'fini' }, who)).status,
          post: (await page.post(`/roadmap/${t.id}/steps/commitment`, { status: 'fini' })).status,
        };
        const want = { api: read, page: read, form: change === 422 ? 200 : change, put: change, post: change };
        for (const k of Object.keys(want)) if (got[k] !== want[k]) wrong.push(`${login} ${k} on ${t.id}: want ${want[k]}, got ${got[k]}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
