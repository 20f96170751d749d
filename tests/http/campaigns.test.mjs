// campaigns.test.mjs - self-assessment campaigns through the API: creation by
// the referent or the director (not by staff, not for another EPS), the
// guided-scoring rules (422 in the reader's language), versions (409 on a
// stale score), the workflow (start, submit when everything is scored,
// validation by the director only, locked afterwards, reopening with a
// reason), results computed as plain means (star = 4, nc and ri left out),
// proposals from the gaps (imperative ones cannot be dismissed), exports.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, show, translation, dbValue } from './lib.mjs';

const REF = 'referent.casa@amal.ma';
const DIR = 'directrice.casa@amal.ma';
const STAFF = 'educateur.casa';
const TANGER = 'directeur.tanger@amal.ma';
const OBS = 'observateur@entraide.ma';
let d;
let refId;
let tok;

before(async () => {
  d = await demo();
  tok = (l) => ({ token: tokenFor(l) });
  const list = (await api('GET', '/api/v1/referentiels?status=published', undefined, tok(DIR))).json().items;
  refId = list.find((r) => r.code === 'JOUDA-EPS-ENFANCE').id;
});

const CRITERIA = ['1.1', '1.2', '1.3', '2.1', '7.1']; // 1.1, 1.3 and 7.1 are imperative

async function create(who = REF, extra = {}) {
  return api('POST', '/api/v1/campaigns', {
    node_id: d.eps1.id, referentiel_id: refId, title: 'Auto-évaluation de test',
    period_start: '2026-02-01', period_end: '2026-05-31', criteria: CRITERIA,
    participants: { staff: 12, children: 9, families: 2, partners: 1 }, methods: ['accompanied_tracer', 'interview'],
    ...extra,
  }, tok(who));
}
const rate = (id, code, body, who = REF, lang = 'fr') =>
  api('PUT', `/api/v1/campaigns/${id}/ratings/${code}?lang=${lang}`, body, tok(who));

describe('creating a campaign', () => {
  test('the referent creates a draft on a chosen subset; all applicable criteria by default', async () => {
    let res = await create();
    assert.equal(res.status, 201, show(res));
    const c = res.json();
    assert.equal(c.status, 'draft');
    assert.equal(c.criteria, CRITERIA.length);
    assert.equal(c.period_start, '2026-02-01', 'days come back as YYYY-MM-DD');
    assert.deepEqual(c.participants, { staff: 12, children: 9, families: 2, partners: 1 });
    res = await create(DIR, { criteria: undefined });
    assert.equal(res.status, 201, show(res));
    const total = Number(dbValue(`SELECT n_criteria FROM referentiels WHERE id = ${refId}`));
    assert.equal(res.json().criteria, total, 'a children EPS: every criterion applies');
  });

  test('staff may not create (403); another EPS is absent (404); bad input is refused with the field (422)', async () => {
    assert.equal((await create(STAFF)).status, 403);
    assert.equal((await create(TANGER)).status, 404);
    let res = await create(REF, { period_end: '2026-01-01' });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json().error.fields.period_end);
    res = await create(REF, { period_start: '31/12/2026' });
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.period_start);
    res = await create(REF, { criteria: ['1.1', '99.9'] });
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.criteria);
    res = await create(REF, { title: '' });
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.title);
    res = await create(REF, { node_id: d.maison1.id });
    assert.equal(res.status, 422, 'a unit is not an establishment');
    res = await create(REF, { steering: [d.user(TANGER).id] });
    assert.equal(res.status, 422, 'the steering group is of the EPS');
    assert.ok(res.json().error.fields.steering);
    res = await create(REF, { steering: [d.user(DIR).id, d.user(STAFF).id] });
    assert.equal(res.status, 201, show(res));
    const got = (await api('GET', `/api/v1/campaigns/${res.json().id}`, undefined, tok(DIR))).json();
    assert.deepEqual(got.steering, [d.user(DIR).id, d.user(STAFF).id].sort((a, b) => a - b));
  });
});

describe('the workflow of one campaign', () => {
  let id;
  before(async () => { id = (await create()).json().id; });

  test('guided scoring: each refusal names its field, in French and in Arabic', async () => {
    let res = await rate(id, '1.2', { score: '5' });
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.fields.score, translation('fr', 'Choose a score from the scale.'));
    res = await rate(id, '1.1', { score: 'nc', comment: 'Pas concerné' });
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.score, translation('fr', 'An imperative criterion cannot be marked not concerned.'));
    res = await rate(id, '1.2', { score: '4', comment: 'Très bien' }, REF, 'ar');
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.comment, translation('ar', 'A score of 4 needs a comment and at least one piece of evidence.'));
    res = await rate(id, '1.2', { score: '2' });
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.comment, translation('fr', 'Say what is missing for a better score.'));
    res = await rate(id, '2.1', { score: 'nc' });
    assert.equal(res.status, 422);
    assert.equal(res.json().error.fields.comment, translation('fr', 'Say why this criterion does not concern the establishment.'));
    res = await rate(id, '9.9', { score: '3' });
    assert.equal(res.status, 404, 'a criterion outside the campaign');
    assert.equal(dbValue(`SELECT COUNT(*) FROM ratings WHERE campaign_id = ${id}`), '0', 'nothing written');
  });

  test('a draft can be scored; a stale version is a conflict, never an overwrite', async () => {
    let res = await rate(id, '1.2', { score: '4', comment: 'Vérifié', evidence: [{ label: 'Livret', url: 'https://example.org/livret' }] });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().version, 1);
    assert.equal(res.json().evidence.length, 1);
    res = await rate(id, '1.2', { score: '3', version: 1 }, STAFF);
    assert.equal(res.status, 200, 'staff of the EPS score too');
    assert.equal(res.json().version, 2);
    res = await rate(id, '1.2', { score: '2', comment: 'Non', version: 1 });
    assert.equal(res.status, 409, show(res));
    const got = (await api('GET', `/api/v1/campaigns/${id}`, undefined, tok(DIR))).json();
    const r12 = got.ratings.find((r) => r.code === '1.2');
    assert.equal(r12.score, '3');
    assert.equal(r12.version, 2);
    assert.equal(r12.evidence.length, 1, 'references kept when none are sent');
  });

  test('criteria are assigned to a person of the EPS and a group, by the leads only', async () => {
    const educ = d.user(STAFF);
    let res = await api('PUT', `/api/v1/campaigns/${id}/criteria/1.3`, { assignee_id: educ.id, group: 'Maison 1' }, tok(REF));
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json(), { code: '1.3', assignee_id: educ.id, group: 'Maison 1' });
    const got = (await api('GET', `/api/v1/campaigns/${id}`, undefined, tok(STAFF))).json();
    assert.deepEqual([got.ratings.find((r) => r.code === '1.3').assignee_id, got.ratings.find((r) => r.code === '1.3').group], [educ.id, 'Maison 1']);
    res = await api('PUT', `/api/v1/campaigns/${id}/criteria/1.3`, { assignee_id: d.user(TANGER).id }, tok(REF));
    assert.equal(res.status, 422, 'someone of another EPS');
    assert.ok(res.json().error.fields.assignee_id);
    res = await api('PUT', `/api/v1/campaigns/${id}/criteria/1.3`, { group: 'Moi' }, tok(STAFF));
    assert.equal(res.status, 403, 'staff score, they do not assign');
    const page = await (await import('./lib.mjs')).signIn(STAFF);
    const mine = await page.get(`/campaigns/${id}?only=mine`);
    assert.equal(mine.status, 200);
    assert.ok(mine.text.includes('id="c-1.3"') && !mine.text.includes('id="c-1.2"'), 'only the criteria assigned to them');
  });

  test('who may not score: an observer (403), a director of another EPS (404)', async () => {
    assert.equal((await rate(id, '1.3', { score: '3' }, OBS)).status, 403);
    assert.equal((await rate(id, '1.3', { score: '3' }, TANGER)).status, 404);
    assert.equal((await api('GET', `/api/v1/campaigns/${id}`, undefined, tok(TANGER))).status, 404);
  });

  test('start, submit when everything is scored, validation by the director only, then locked', async () => {
    let res = await api('POST', `/api/v1/campaigns/${id}/start`, undefined, tok(STAFF));
    assert.equal(res.status, 403, 'staff do not lead');
    res = await api('POST', `/api/v1/campaigns/${id}/start`, undefined, tok(REF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'in_progress');
    res = await api('POST', `/api/v1/campaigns/${id}/submit`, undefined, tok(REF));
    assert.equal(res.status, 409, 'criteria left to score');
    assert.equal((await rate(id, '1.1', { score: '2', comment: 'Livret à refaire' })).status, 200);
    assert.equal((await rate(id, '1.3', { score: 'ri', comment: 'Enfant trop jeune' })).status, 200);
    assert.equal((await rate(id, '2.1', { score: 'star', comment: 'Exemplaire', evidence: [{ label: 'Dossiers' }] })).status, 200);
    assert.equal((await rate(id, '7.1', { score: '3' })).status, 200);
    res = await api('POST', `/api/v1/campaigns/${id}/submit`, undefined, tok(REF));
    assert.equal(res.status, 200, show(res));
    res = await api('POST', `/api/v1/campaigns/${id}/validate`, undefined, tok(REF));
    assert.equal(res.status, 403, 'the referent does not validate');
    res = await api('POST', `/api/v1/campaigns/${id}/validate`, undefined, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'validated');
    res = await rate(id, '7.1', { score: '4', comment: 'x', evidence: [{ label: 'y' }] });
    assert.equal(res.status, 409, 'validated: locked');
    res = await api('POST', `/api/v1/campaigns/${id}/validate`, undefined, tok(DIR));
    assert.equal(res.status, 409);
  });

  test('results: plain means per theme and overall, star counting 4, ri left out, imperative failures', async () => {
    const res = await api('GET', `/api/v1/campaigns/${id}/results`, undefined, tok(OBS));
    assert.equal(res.status, 200, show(res));
    const r = res.json();
    // 1.1 = 2, 1.2 = 3, 1.3 = ri (left out), 2.1 = star (4), 7.1 = 3
    assert.equal(r.overall, (2 + 3 + 4 + 3) / 4);
    const by = Object.fromEntries(r.averages.map((a) => [a.code, a]));
    assert.equal(by['1'].average, 2.5);
    assert.equal(by['1'].scored, 2);
    assert.equal(by['2'].average, 4);
    assert.equal(by['7'].average, 3);
    assert.equal(by['3'].average, null, 'a theme without criteria in the campaign');
    assert.equal(by['3'].scored, 0);
    assert.deepEqual(r.imperative_failures.sort(), ['1.1', '7.1']);
    assert.ok(r.averages.every((a) => 'level' in a && 'code' in a));
  });

  test('proposals from the gaps: imperative ones cannot be dismissed; a dismissal needs a reason', async () => {
    let res = await api('GET', `/api/v1/campaigns/${id}/proposals`, undefined, tok(REF));
    assert.equal(res.status, 200, show(res));
    const props = res.json().items;
    assert.deepEqual(props.map((p) => p.code).sort(), ['1.1', '7.1'], 'below 3, and imperative below 4');
    const p71 = props.find((p) => p.code === '7.1');
    res = await api('POST', `/api/v1/campaigns/${id}/proposals/${p71.id}`, { decision: 'dismiss', reason: 'Déjà traité' }, tok(REF));
    assert.equal(res.status, 409, show(res));
    res = await api('POST', `/api/v1/campaigns/${id}/proposals/${p71.id}`, { decision: 'accept' }, tok(STAFF));
    assert.equal(res.status, 403);
    res = await api('POST', `/api/v1/campaigns/${id}/proposals/${p71.id}`, { decision: 'accept' }, tok(REF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'accepted');
    res = await api('POST', `/api/v1/campaigns/${id}/proposals/${p71.id}`, { decision: 'accept' }, tok(REF));
    assert.equal(res.status, 409, 'decided once');
  });

  test('exports: CSV with the averages, XLSX as a workbook', async () => {
    let res = await api('GET', `/api/v1/campaigns/${id}/results.csv`, undefined, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^text\/csv/);
    const lines = res.text.replace(/^\ufeff/, '').trim().split(/\r\n/);
    assert.ok(lines.some((l) => l.startsWith('1,') && l.includes('2.50')), lines.join('\n'));
    res = await api('GET', `/api/v1/campaigns/${id}/results.xlsx`, undefined, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /spreadsheetml/);
    assert.equal(res.body.subarray(0, 2).toString('latin1'), 'PK', 'a zip container');
    assert.ok(res.body.length > 3000);
  });

  test('reopening: by the director, with a reason; the results are no longer frozen', async () => {
    let res = await api('POST', `/api/v1/campaigns/${id}/reopen`, {}, tok(DIR));
    assert.equal(res.status, 422, 'a reason is needed');
    res = await api('POST', `/api/v1/campaigns/${id}/reopen`, { reason: 'Nouvelles preuves' }, tok(REF));
    assert.equal(res.status, 403);
    res = await api('POST', `/api/v1/campaigns/${id}/reopen`, { reason: 'Nouvelles preuves' }, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'in_progress');
    assert.equal(dbValue(`SELECT COUNT(*) FROM campaign_results WHERE campaign_id = ${id}`), '0');
    const audit = dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'campaign' AND entity_id = ${id} AND action = 'reopen'`);
    assert.equal(audit, '1');
  });
});

describe('lists', () => {
  test('a director lists her EPS\'s campaigns only; filters by status', async () => {
    const mine = (await api('GET', '/api/v1/campaigns?limit=200', undefined, tok(DIR))).json();
    assert.equal(mine.total, mine.items.length);
    assert.ok(mine.items.length > 0);
    assert.ok(mine.items.every((c) => c.node_id === d.eps1.id), 'only EPS 1');
    const validated = (await api('GET', '/api/v1/campaigns?status=validated&limit=200', undefined, tok(OBS))).json();
    assert.ok(validated.items.length >= 7, 'the demo validated one campaign per EPS');
    assert.ok(validated.items.every((c) => c.status === 'validated'));
    const res = await api('GET', '/api/v1/campaigns?status=finished', undefined, tok(OBS));
    assert.equal(res.status, 422);
  });
});
