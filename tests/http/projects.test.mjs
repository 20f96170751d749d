// projects.test.mjs - the projet d'établissement through the API and its
// pages: the default template present after init, creating a projet (201
// with the object, days YYYY-MM-DD, five years at most, no overlapping
// periods, bad input refused field by field in the reader's language with
// nothing written), writing sections (the director and the section's
// owner; the others propose or comment, the owner accepts, merges or
// declines), consultation and validation (a consultation record needed,
// the director only), frozen versions answering 409 whoever asks, a new
// version and the word-level diff, the participation record, the strategy
// with an improvement action born of an objective, the calendar (in force,
// expired), the PDF of a projet and of a self-assessment report read back
// with pdftotext and pdffonts (French and Arabic, hostile text), and the
// page forms with their preview.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, tokenFor, demo, show, translation, dbValue, dbExec, signIn, uniq, BIN, DB_URL, ENGINE, RUN_NAME, rawRequest, freeProjectYear } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const REF = 'referent.casa@amal.ma';
const STAFF = 'educateur.casa';
const MERE = 'mere.fatima';
const OBS = 'observateur@entraide.ma';
const ADV = 'conseil@amal.ma';
const TANGER = 'directeur.tanger@amal.ma';
const KEYS = ['history', 'missions', 'people', 'offer', 'principles', 'professionals', 'partnerships', 'quality', 'axes', 'evaluation'];
const OUT = new URL('../output/pdf/', import.meta.url).pathname;
let d;
let year; // periods of this file's own (about 110 years), from freeProjectYear()
const tok = (l) => ({ token: tokenFor(l) });
const counts = () => ({
  projects: dbValue('SELECT COUNT(*) FROM projects'),
  sections: dbValue('SELECT COUNT(*) FROM project_sections'),
  audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'project'"),
});
/** A fresh period of n years (inclusive of the last day) not used before. */
function period(n = 5) {
  const y = year;
  year += n + 1;
  return { period_start: `${y}-01-01`, period_end: `${y + n - 1}-12-31` };
}
async function newProject(login = DIR, extra = {}) {
  const res = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, title: uniq('Projet'), ...period(), ...extra }, tok(login));
  assert.equal(res.status, 201, show(res));
  return res.json();
}
function pdfText(buf, name, args = []) {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${RUN_NAME}-${name}.pdf`);
  writeFileSync(file, buf);
  const text = execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });
  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
  execFileSync('pdftoppm', ['-r', '50', '-png', '-l', '4', file, join(OUT, `${RUN_NAME}-${name}`)]);
  return { text, fonts, file };
}
function embedded(fonts) {
  const rows = fonts.split('\n').slice(2).filter((l) => l.trim());
  assert.ok(rows.length > 0, `no font in the PDF:\n${fonts}`);
  for (const r of rows) assert.match(r, /\byes\b/, `a font is not embedded:\n${fonts}`);
}

before(async () => {
  d = await demo();
  year = freeProjectYear();
});

describe('templates', () => {
  test('the default template is there with its ten sections in three languages', async () => {
    const res = await api('GET', '/api/v1/project-templates', undefined, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    const t = res.json().items.find((x) => x.code === 'default');
    assert.ok(t, 'no default template');
    assert.deepEqual(t.sections.map((s) => s.key), KEYS);
    for (const s of t.sections) {
      assert.ok(s.title_fr && s.title_ar && s.title_en, `section ${s.key} lacks a title`);
      assert.match(s.title_ar, /[\u0600-\u06FF]/);
    }
    assert.match(t.sections[1].guidance_fr, /65-15/);
  });
  test('a quality advisor edits a section of a template; a director may not', async () => {
    const id = dbValue("SELECT id FROM project_templates WHERE code = 'default'");
    const page = await (await signIn(DIR)).get(`/project-templates/${id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="guidance_fr"/, 'a director sees the edit form');
    const dir = await signIn(DIR);
    const refused = await dir.post(`/project-templates/${id}`, { key: 'history', title_fr: 'X' }, { from: `/project-templates/${id}` });
    assert.equal(refused.status, 403, show(refused));
    const admin = await signIn('admin@jouda.ma', process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026');
    const before_ = dbValue(`SELECT title_en FROM project_template_sections WHERE template_id = ${id} AND key = 'evaluation'`);
    const ok = await admin.post(`/project-templates/${id}`, {
      key: 'evaluation', title_fr: 'Évaluation du projet précédent', title_ar: 'تقييم المشروع السابق', title_en: 'Evaluation of the previous projet',
      guidance_fr: 'Ce qui a été atteint.', guidance_ar: '', guidance_en: '',
    }, { from: `/project-templates/${id}` });
    assert.equal(ok.status, 303, show(ok));
    assert.equal(dbValue(`SELECT title_en FROM project_template_sections WHERE template_id = ${id} AND key = 'evaluation'`), 'Evaluation of the previous projet');
    assert.notEqual(before_, '');
    const bad = await admin.post(`/project-templates/${id}`, { key: 'Bad Key', title_fr: 'x' }, { from: `/project-templates/${id}` });
    assert.equal(bad.status, 422, show(bad));
  });
});

describe('creating a projet', () => {
  test('the director creates one: 201 with its ten empty sections, days as written', async () => {
    const p = period();
    const res = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, title: 'Projet test', ...p }, tok(DIR));
    assert.equal(res.status, 201, show(res));
    assert.ok(res.json().id > 0);
    assert.equal(res.headers.location, `/api/v1/projects/${res.json().id}`);
    assert.equal(res.json().status, 'drafting');
    assert.equal(res.json().version, 1);
    assert.equal(res.json().period_start, p.period_start);
    assert.equal(res.json().period_end, p.period_end);
    assert.deepEqual(res.json().sections.map((s) => s.key), KEYS);
    assert.ok(res.json().sections.every((s) => s.content === '' && s.title));
    const got = await api('GET', `/api/v1/projects/${res.json().id}`, undefined, tok(STAFF));
    assert.equal(got.status, 200);
    assert.equal(got.json().title, 'Projet test');
  });
  test('more than five years, an end before the start, overlaps: 422 in the reader language, nothing written', async () => {
    const before_ = counts();
    const y = year; year += 12;
    const cases = [
      [{ period_start: `${y}-01-01`, period_end: `${y + 5}-01-01` }, 'period_end', 'A projet d\'établissement covers five years at most.'],
      [{ period_start: `${y}-06-01`, period_end: `${y}-01-01` }, 'period_end', 'The end of the period comes after its start.'],
      [{ period_start: `${y}-02-30`, period_end: `${y + 1}-01-01` }, 'period_start', 'Enter a date as YYYY-MM-DD.'],
      [{ period_start: '01/01/2030', period_end: `${y + 1}-01-01` }, 'period_start', 'Enter a date as YYYY-MM-DD.'],
    ];
    for (const [body, field, msgid] of cases) {
      for (const lang of ['fr', 'ar']) {
        const res = await api('POST', `/api/v1/projects?lang=${lang}`, { node_id: d.eps1.id, title: 'x', ...body }, tok(DIR));
        assert.equal(res.status, 422, show(res));
        assert.equal(res.json().error.fields[field], translation(lang, msgid), JSON.stringify(res.json()));
      }
    }
    // exactly five years is fine, and then an overlapping one is refused
    const ok = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, title: 'five', period_start: `${y + 6}-01-01`, period_end: `${y + 10}-12-31` }, tok(DIR));
    assert.equal(ok.status, 201, show(ok));
    const mid = counts();
    const overlap = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, title: 'overlap', period_start: `${y + 8}-01-01`, period_end: `${y + 9}-01-01` }, tok(DIR));
    assert.equal(overlap.status, 422, show(overlap));
    assert.ok(overlap.json().error.fields.period_start);
    assert.deepEqual(counts(), mid);
    assert.equal(Number(mid.projects), Number(before_.projects) + 1);
  });
  test('wrong types, unknown fields, too long, not an object: refused, nothing written', async () => {
    const before_ = counts();
    const base = { node_id: d.eps1.id, title: 'x', ...period() };
    const bad = [
      [{ ...base, node_id: 'casa' }, 422, 'node_id'],
      [{ ...base, title: 'x'.repeat(201) }, 422, 'title'],
      [{ ...base, title: '' }, 422, 'title'],
      [{ ...base, title: 42.5 }, 422, 'title'],
      [{ ...base, lang: 'de' }, 422, 'lang'],
      [{ ...base, colour: 'red' }, 422, 'colour'],
      [{ ...base, template_id: 999999 }, 422, 'template_id'],
    ];
    for (const [body, status, field] of bad) {
      const res = await api('POST', '/api/v1/projects', body, tok(DIR));
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${show(res)}`);
      assert.ok(res.json().error.fields[field], `${field}: ${JSON.stringify(res.json())}`);
    }
    for (const body of ['[1]', '"x"', 'null', '{']) {
      const res = await api('POST', '/api/v1/projects', body, tok(DIR));
      assert.equal(res.status, 400, `${body}: ${show(res)}`);
    }
    assert.deepEqual(counts(), before_);
  });
  test('staff may not create (403), another EPS is unknown (404), a unit is no EPS (422)', async () => {
    const before_ = counts();
    const body = { title: 'x', ...period() };
    let res = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, ...body }, tok(STAFF));
    assert.equal(res.status, 403, show(res));
    res = await api('POST', '/api/v1/projects', { node_id: d.eps3.id, ...body }, tok(DIR));
    assert.equal(res.status, 404, show(res));
    res = await api('POST', '/api/v1/projects', { node_id: d.maison1.id, ...body }, tok(DIR));
    assert.equal(res.status, 422, show(res));
    res = await api('POST', '/api/v1/projects', { node_id: d.eps1.id, ...body }, tok(OBS));
    assert.equal(res.status, 403, show(res));
    assert.deepEqual(counts(), before_);
  });
});

describe('writing together', () => {
  test('the director writes; staff may not write but propose; the owner of a section writes it', async () => {
    const p = await newProject();
    const put = (login, key, body) => api('PUT', `/api/v1/projects/${p.id}/sections/${key}`, body, tok(login));
    let res = await put(DIR, 'history', { content: '# Notre histoire\n\nNée en **1998**.' });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().content, '# Notre histoire\n\nNée en **1998**.');
    const rev = res.json().rev;
    res = await put(STAFF, 'history', { content: 'non' });
    assert.equal(res.status, 403, show(res));
    res = await put(DIR, 'nope', { content: 'x' });
    assert.equal(res.status, 404, show(res));
    res = await put(DIR, 'history', { content: 'x'.repeat(60001) });
    assert.equal(res.status, 422, show(res));
    res = await put(DIR, 'history', { content: 12 });
    assert.equal(res.status, 422, show(res));
    res = await put(DIR, 'history', { content: 'stale', rev: rev - 1 });
    assert.equal(res.status, 409, show(res));
    // the director names the educator owner of "offer"; then he writes it
    const staffId = d.user(STAFF).id;
    res = await put(REF, 'offer', { owner_id: staffId });
    assert.equal(res.status, 403, 'only the director names owners');
    res = await put(DIR, 'offer', { owner_id: 999999 });
    assert.equal(res.status, 422, show(res));
    res = await put(DIR, 'offer', { owner_id: staffId });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().owner_id, staffId);
    res = await put(STAFF, 'offer', { content: 'Trois maisons.' });
    assert.equal(res.status, 200, show(res));
    const got = await api('GET', `/api/v1/projects/${p.id}`, undefined, tok(MERE));
    assert.equal(got.status, 200, 'a house\'s staff reads the projet of her EPS');
    assert.equal(got.json().sections.find((s) => s.key === 'offer').content, 'Trois maisons.');
    const notes = dbValue(`SELECT COUNT(*) FROM notifications WHERE user_id = ${staffId} AND link LIKE '/projects/${p.id}/sections/offer%'`);
    assert.ok(Number(notes) >= 1, 'the new owner is told');
  });
  test('proposals and comments: accept, merge, decline; a comment is not decided', async () => {
    const p = await newProject();
    await api('PUT', `/api/v1/projects/${p.id}/sections/people`, { content: 'Ancien texte sur les enfants accueillis.' }, tok(DIR));
    const contribute = (login, body) => api('POST', `/api/v1/projects/${p.id}/contributions`, body, tok(login));
    const prop = await contribute(MERE, { section: 'people', kind: 'proposal', body: 'Nouveau texte sur les enfants accueillis et leurs familles.' });
    assert.equal(prop.status, 201, show(prop));
    const com = await contribute(STAFF, { section: 'people', kind: 'comment', body: 'À compléter.' });
    assert.equal(com.status, 201, show(com));
    let res = await contribute(STAFF, { section: 'nope', kind: 'comment', body: 'x' });
    assert.equal(res.status, 422, show(res));
    res = await contribute(STAFF, { section: 'people', kind: 'vote', body: 'x' });
    assert.equal(res.status, 422, show(res));
    res = await contribute(OBS, { section: 'people', kind: 'comment', body: 'x' });
    assert.equal(res.status, 403, 'an observer reads, does not contribute');
    const decide = (login, id, body) => api('POST', `/api/v1/projects/${p.id}/contributions/${id}`, body, tok(login));
    res = await decide(STAFF, prop.json().id, { decision: 'accept' });
    assert.equal(res.status, 403, 'staff who do not hold the section do not decide');
    res = await decide(DIR, com.json().id, { decision: 'accept' });
    assert.equal(res.status, 409, show(res));
    res = await decide(DIR, prop.json().id, { decision: 'merge' });
    assert.equal(res.status, 422, 'a merge needs its text');
    res = await decide(DIR, prop.json().id, { decision: 'accept' });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'accepted');
    const got = await api('GET', `/api/v1/projects/${p.id}`, undefined, tok(DIR));
    assert.equal(got.json().sections.find((s) => s.key === 'people').content, 'Nouveau texte sur les enfants accueillis et leurs familles.');
    res = await decide(DIR, prop.json().id, { decision: 'decline' });
    assert.equal(res.status, 409, 'decided once');
    const p2 = await contribute(STAFF, { section: 'people', kind: 'proposal', body: 'Autre texte.' });
    res = await decide(DIR, p2.json().id, { decision: 'merge', content: 'Texte fusionné.' });
    assert.equal(res.status, 200, show(res));
    const p3 = await contribute(STAFF, { section: 'people', kind: 'proposal', body: 'Refusé.' });
    res = await decide(DIR, p3.json().id, { decision: 'decline' });
    assert.equal(res.json().status, 'declined');
    const final = await api('GET', `/api/v1/projects/${p.id}`, undefined, tok(DIR));
    assert.equal(final.json().sections.find((s) => s.key === 'people').content, 'Texte fusionné.');
    const mereId = d.user(MERE).id;
    assert.ok(Number(dbValue(`SELECT COUNT(*) FROM notifications WHERE user_id = ${mereId} AND link LIKE '/projects/${p.id}/%'`)) >= 1, 'the author hears of the decision');
  });
  test('participation record: meetings with counts; bad dates and nobody refused', async () => {
    const p = await newProject();
    const meet = (login, body) => api('POST', `/api/v1/projects/${p.id}/meetings`, body, tok(login));
    let res = await meet(DIR, { held_on: '2026-10-01', topic: 'Conseil des enfants', children: 14, staff: 2 });
    assert.equal(res.status, 201, show(res));
    res = await meet(REF, { held_on: '2026-10-20', topic: 'Familles', families: 9 });
    assert.equal(res.status, 201, show(res));
    for (const body of [{ held_on: '2026-13-01', topic: 'x', staff: 1 }, { held_on: '2026-10-01', topic: 'x' }, { held_on: '2026-10-01', topic: 'x', staff: -1 }, { held_on: '2026-10-01', topic: '', staff: 1 }, { held_on: '2026-10-01', topic: 'x', staff: 'three' }]) {
      res = await meet(DIR, body);
      assert.equal(res.status, 422, `${JSON.stringify(body)} ${show(res)}`);
    }
    res = await meet(STAFF, { held_on: '2026-10-01', topic: 'x', staff: 1 });
    assert.equal(res.status, 403);
    const got = await api('GET', `/api/v1/projects/${p.id}`, undefined, tok(STAFF));
    assert.equal(got.json().meetings.length, 2);
    assert.deepEqual(got.json().participation, { meetings: 2, staff: 2, children: 14, families: 9, partners: 0 });
  });
});

describe('validation and versions', () => {
  test('consultation, validation by the director with a record, then 409 for any change, whoever asks', async () => {
    const p = await newProject();
    await api('PUT', `/api/v1/projects/${p.id}/sections/history`, { content: 'Version une du texte.' }, tok(DIR));
    let res = await api('POST', `/api/v1/projects/${p.id}/status`, { status: 'consultation' }, tok(STAFF));
    assert.equal(res.status, 403);
    res = await api('POST', `/api/v1/projects/${p.id}/status`, { status: 'consultation' }, tok(REF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'consultation');
    res = await api('POST', `/api/v1/projects/${p.id}/validate`, { consultation: 'Équipe consultée.' }, tok(REF));
    assert.equal(res.status, 403, 'the referent does not validate');
    for (const lang of ['fr', 'ar']) {
      res = await api('POST', `/api/v1/projects/${p.id}/validate?lang=${lang}`, { consultation: '  ' }, tok(DIR));
      assert.equal(res.status, 422, show(res));
      assert.equal(res.json().error.fields.consultation, translation(lang, 'Record how staff, children, families and partners were consulted.'));
    }
    assert.equal(dbValue(`SELECT status FROM projects WHERE id = ${p.id}`), 'consultation');
    res = await api('POST', `/api/v1/projects/${p.id}/validate`, { consultation: 'Équipe, enfants et familles consultés en octobre.' }, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'validated');
    assert.equal(res.json().versions.length, 1);
    assert.equal(res.json().versions[0].number, 1);
    assert.match(res.json().versions[0].validated_on, /^\d{4}-\d{2}-\d{2}$/);
    const rev = dbValue(`SELECT rev FROM project_sections WHERE project_id = ${p.id} AND key = 'history'`);
    for (const login of [DIR, REF, STAFF, OBS, ADV]) {
      res = await api('PUT', `/api/v1/projects/${p.id}/sections/history`, { content: 'changé' }, tok(login));
      assert.equal(res.status, 409, `${login}: ${show(res)}`);
      assert.equal(res.json().error.new_version, `/api/v1/projects/${p.id}/versions`);
    }
    res = await api('PUT', `/api/v1/projects/${p.id}/sections/history`, { content: 'changé' }, tok(TANGER));
    assert.equal(res.status, 404, 'outside the scope it stays unknown');
    res = await api('POST', `/api/v1/projects/${p.id}/strategy`, { kind: 'axis', title: 'x' }, tok(DIR));
    assert.equal(res.status, 409);
    res = await api('POST', `/api/v1/projects/${p.id}/contributions`, { section: 'history', kind: 'comment', body: 'x' }, tok(STAFF));
    assert.equal(res.status, 409);
    res = await api('POST', `/api/v1/projects/${p.id}/validate`, { consultation: 'encore' }, tok(DIR));
    assert.equal(res.status, 409);
    assert.equal(dbValue(`SELECT rev FROM project_sections WHERE project_id = ${p.id} AND key = 'history'`), rev);
    // a new version: drafting again, version 2; the diff shows the words changed
    res = await api('POST', `/api/v1/projects/${p.id}/versions`, {}, tok(REF));
    assert.equal(res.status, 403);
    res = await api('POST', `/api/v1/projects/${p.id}/versions`, {}, tok(DIR));
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().status, 'drafting');
    assert.equal(res.json().version, 2);
    res = await api('POST', `/api/v1/projects/${p.id}/versions`, {}, tok(DIR));
    assert.equal(res.status, 409, 'a draft starts no version');
    res = await api('PUT', `/api/v1/projects/${p.id}/sections/history`, { content: 'Version deux du texte, enrichie.' }, tok(DIR));
    assert.equal(res.status, 200, show(res));
    res = await api('GET', `/api/v1/projects/${p.id}/diff?from=1&to=0`, undefined, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    const h = res.json().sections.find((s) => s.key === 'history');
    assert.equal(h.segments.filter((s) => s.op !== 'add').map((s) => s.text).join(''), 'Version une du texte.');
    assert.equal(h.segments.filter((s) => s.op !== 'del').map((s) => s.text).join(''), 'Version deux du texte, enrichie.');
    assert.ok(h.segments.some((s) => s.op === 'del' && /une/.test(s.text)));
    assert.ok(h.segments.some((s) => s.op === 'add' && /deux/.test(s.text)));
    assert.ok(res.json().sections.filter((s) => s.key !== 'history').every((s) => !s.changed));
    res = await api('GET', `/api/v1/projects/${p.id}/diff?from=7`, undefined, tok(STAFF));
    assert.equal(res.status, 404);
    res = await api('GET', `/api/v1/projects/${p.id}/diff?from=abc`, undefined, tok(STAFF));
    assert.equal(res.status, 422);
    // the audit log has every step, and never the text itself
    const actions = dbValue(`SELECT COUNT(DISTINCT action) FROM audit_log WHERE entity = 'project' AND entity_id = ${p.id}`);
    assert.ok(Number(actions) >= 5, actions);
    assert.equal(dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'project' AND entity_id = ${p.id} AND changes LIKE '%enrichie%'`), '0');
  });
  test('the calendar: a validated projet whose period started is in force after the daily run; a past one expires', async () => {
    const p = await newProject(DIR, { period_start: '2001-01-01', period_end: '2003-12-31' });
    await api('POST', `/api/v1/projects/${p.id}/validate`, { consultation: 'ok' }, tok(DIR));
    const q = await newProject(DIR, { period_start: '2005-01-01', period_end: '2009-12-31' });
    dbExec(`UPDATE projects SET period_end = '2099-12-31' WHERE id = ${q.id}`);
    await api('POST', `/api/v1/projects/${q.id}/validate`, { consultation: 'ok' }, tok(DIR));
    execFileSync(BIN, ['remind', '--db', DB_URL, '--force'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
    assert.equal(dbValue(`SELECT status FROM projects WHERE id = ${p.id}`), 'expired');
    assert.equal(dbValue(`SELECT status FROM projects WHERE id = ${q.id}`), 'in_force');
  });
});

describe('strategy', () => {
  test('axes, objectives, indicators, sheets; an improvement action from an objective', async () => {
    const p = await newProject();
    const add = (login, body) => api('POST', `/api/v1/projects/${p.id}/strategy`, body, tok(login));
    const axis = await add(REF, { kind: 'axis', title: 'Réussite scolaire' });
    assert.equal(axis.status, 201, show(axis));
    const obj = await add(DIR, { kind: 'objective', axis_id: axis.json().id, title: 'Réduire le redoublement' });
    assert.equal(obj.status, 201, show(obj));
    let res = await add(DIR, { kind: 'indicator', objective_id: obj.json().id, label: 'Taux de redoublement', baseline: '18 %', target: '8 %', due: '2028-06-30' });
    assert.equal(res.status, 201, show(res));
    res = await add(DIR, { kind: 'sheet', objective_id: obj.json().id, title: 'Soutien scolaire', content: '- quatre soirs\n- bilans', lead: 'Éducateur' });
    assert.equal(res.status, 201, show(res));
    // another projet's objective, a missing target, a bad kind, a bad date, staff
    const other = await newProject();
    const oaxis = await add(DIR, { kind: 'axis', title: 'x' });
    const foreignObj = await api('POST', `/api/v1/projects/${other.id}/strategy`, { kind: 'axis', title: 'y' }, tok(DIR));
    for (const body of [
      { kind: 'objective', axis_id: foreignObj.json().id, title: 'x' },
      { kind: 'indicator', objective_id: obj.json().id, label: 'x' },
      { kind: 'indicator', objective_id: obj.json().id, label: 'x', target: '1', due: '2028-02-31' },
      { kind: 'planet', title: 'x' },
    ]) {
      res = await add(DIR, body);
      assert.equal(res.status, 422, `${JSON.stringify(body)} ${show(res)}`);
    }
    res = await add(STAFF, { kind: 'axis', title: 'x' });
    assert.equal(res.status, 403);
    res = await add(DIR, { kind: 'axis', remove: oaxis.json().id });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().axes.length, 1);
    // an action born of the objective, in the plan, linked both ways
    res = await api('POST', `/api/v1/projects/${p.id}/objectives/${obj.json().id}/actions`, {}, tok(STAFF));
    assert.equal(res.status, 403);
    res = await api('POST', `/api/v1/projects/${p.id}/objectives/${foreignObj.json().id}/actions`, {}, tok(DIR));
    assert.equal(res.status, 404, show(res));
    res = await api('POST', `/api/v1/projects/${p.id}/objectives/${obj.json().id}/actions`, {}, tok(DIR));
    assert.equal(res.status, 201, show(res));
    const act = await api('GET', `/api/v1/actions/${res.json().id}`, undefined, tok(DIR));
    assert.equal(act.status, 200, show(act));
    assert.equal(act.json().origin, 'project');
    assert.equal(act.json().title, 'Réduire le redoublement');
    assert.equal(act.json().status, 'proposed');
    const st = await api('GET', `/api/v1/projects/${p.id}/strategy`, undefined, tok(STAFF));
    const o = st.json().axes[0].objectives[0];
    assert.equal(o.indicators[0].target, '8 %');
    assert.equal(o.sheets[0].title, 'Soutien scolaire');
    assert.equal(o.actions.length, 1);
    assert.equal(o.actions[0].href, `/actions/${res.json().id}`);
  });
});

describe('PDF documents', () => {
  test('a projet in French and in Arabic: text in logical order, fonts embedded, pages as PNG', async () => {
    const p = await newProject();
    await api('PUT', `/api/v1/projects/${p.id}/sections/history`, { content: '## Origines\n\nL\'association accueille des enfants depuis **1998**.\n\n- accueil\n- scolarité\n\n| Besoin | Part |\n|---|---|\n| Soutien | 70 % |' }, tok(DIR));
    await api('PUT', `/api/v1/projects/${p.id}/sections/missions`, { content: 'تعمل المؤسسة في إطار القانون 65-15 لحماية الأطفال.' }, tok(DIR));
    const t0 = Date.now();
    const fr = await rawRequest('GET', `/api/v1/projects/${p.id}.pdf?lang=fr`, { headers: { authorization: `Bearer ${tokenFor(STAFF)}` } });
    const ms = Date.now() - t0;
    assert.equal(fr.status, 200, show(fr));
    assert.match(fr.headers['content-type'], /application\/pdf/);
    assert.equal(fr.body.subarray(0, 5).toString(), '%PDF-');
    const a = pdfText(fr.body, 'projet-fr');
    assert.match(a.text, /L.association accueille des enfants depuis 1998/);
    assert.match(a.text, /Soutien/);
    assert.match(a.text, /Histoire et projet de l.association/);
    assert.ok(a.text.includes('تعمل المؤسسة في إطار القانون'), `Arabic not found in logical order:\n${a.text.slice(0, 2000)}`);
    embedded(a.fonts);
    assert.match(a.fonts, /Noto/);
    const ar = await rawRequest('GET', `/api/v1/projects/${p.id}.pdf?lang=ar`, { headers: { authorization: `Bearer ${tokenFor(STAFF)}` } });
    assert.equal(ar.status, 200, show(ar));
    const b = pdfText(ar.body, 'projet-ar');
    assert.ok(b.text.includes('تاريخ الجمعية ومشروعها'), 'the Arabic section title');
    assert.ok(b.text.includes('تعمل المؤسسة في إطار القانون'));
    embedded(b.fonts);
    console.log(`# PDF of a short projet: ${ms} ms over HTTP`);
    let res = await rawRequest('GET', `/api/v1/projects/${p.id}.pdf?lang=de`, { headers: { authorization: `Bearer ${tokenFor(STAFF)}` } });
    assert.equal(res.status, 422);
    res = await rawRequest('GET', `/api/v1/projects/${p.id}.pdf?version=3`, { headers: { authorization: `Bearer ${tokenFor(STAFF)}` } });
    assert.equal(res.status, 404);
    res = await rawRequest('GET', `/api/v1/projects/${p.id}.pdf`, { headers: { authorization: `Bearer ${tokenFor(TANGER)}` } });
    assert.equal(res.status, 404);
  });
  test('hostile text renders as written: markup characters, very long words, mixed directions, empty sections', async () => {
    const p = await newProject();
    const hostile = '<b>&amp;</b> <span foreground="red">rouge</span> & < > " \' %s %n\n\n' +
      'Mot' + 'x'.repeat(400) + 'fin\n\nمرحبا Jouda 2026 بالجميع — français مختلط\n\n```\n<script>alert(1)</script>\n```\n\n> citation **grasse** et *penchée*\n\n1. un\n   1. deux\n      - trois';
    const res = await api('PUT', `/api/v1/projects/${p.id}/sections/principles`, { content: hostile }, tok(DIR));
    assert.equal(res.status, 200, show(res));
    for (const lang of ['fr', 'ar']) {
      const pdf = await rawRequest('GET', `/api/v1/projects/${p.id}.pdf?lang=${lang}`, { headers: { authorization: `Bearer ${tokenFor(DIR)}` } });
      assert.equal(pdf.status, 200, show(pdf));
      const { text } = pdfText(pdf.body, `hostile-${lang}`);
      // raw HTML stays text; &amp; is a Markdown entity, read as &
      assert.ok(text.includes('<b>&</b>'), 'markup characters are text');
      assert.ok(text.includes('<span foreground="red">rouge</span>'));
      assert.ok(text.includes('<script>alert(1)</script>'));
      assert.ok(text.replace(/\s+/g, '').includes('Mot' + 'x'.repeat(400) + 'fin'), 'the long word is all there');
      assert.ok(text.includes('مرحبا'));
    }
    // the page shows it escaped
    const page = await (await signIn(DIR)).get(`/projects/${p.id}/sections/principles`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('<script>alert(1)</script>'));
    assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/<span foreground/.test(page.text));
  });
  test('a demo projet of about thirty pages is built fast; a validated version\'s PDF is that version', async () => {
    const items = (await api('GET', `/api/v1/projects?node_id=${d.eps1.id}&status=consultation`, undefined, tok(DIR))).json().items;
    const demoP = items.find((x) => x.version >= 3);
    assert.ok(demoP, 'the demo projet of the first EPS is in consultation at its third version');
    const v1 = await rawRequest('GET', `/api/v1/projects/${demoP.id}.pdf?version=1`, { headers: { authorization: `Bearer ${tokenFor(DIR)}` } });
    assert.equal(v1.status, 200);
    const t1 = pdfText(v1.body, 'demo-v1').text;
    assert.match(t1, /96 enfants/);
    const cur = await rawRequest('GET', `/api/v1/projects/${demoP.id}.pdf`, { headers: { authorization: `Bearer ${tokenFor(DIR)}` } });
    const t2 = pdfText(cur.body, 'demo-current').text;
    assert.match(t2, /104 enfants/);
    assert.doesNotMatch(t2, /96 enfants de 6/);
  });
  test('the self-assessment report in French and Arabic', async () => {
    const camp = dbValue(`SELECT id FROM campaigns WHERE node_id = ${d.eps1.id} AND status = 'validated' ORDER BY id LIMIT 1`);
    assert.ok(camp, 'a validated campaign in the demo');
    for (const lang of ['fr', 'ar']) {
      const res = await rawRequest('GET', `/api/v1/campaigns/${camp}/report.pdf?lang=${lang}`, { headers: { authorization: `Bearer ${tokenFor(REF)}` } });
      assert.equal(res.status, 200, show(res));
      const { text: raw, fonts } = pdfText(res.body, `report-${lang}`);
      const norm = (x) => x.replace(/[’']/g, "'").replace(/\s+/g, ' ');
      const text = norm(raw);
      // pdftotext (poppler 22) writes the two letters of a lam-alef ligature in
      // reverse order: Arabic phrases holding one are not compared
      const phrases = ['Self-assessment report', 'Imperative criteria below the expected level', 'Action proposals']
        .filter((m) => !/ل[اأإآ]/.test(translation(lang, m)));
      assert.ok(phrases.length > 0, `${lang}: nothing left to compare`);
      for (const msgid of phrases) {
        assert.ok(text.includes(norm(translation(lang, msgid))), `${lang}: ${msgid} not in the report`);
      }
      embedded(fonts);
    }
    const res = await rawRequest('GET', `/api/v1/campaigns/${camp}/report.pdf`, { headers: { authorization: `Bearer ${tokenFor(TANGER)}` } });
    assert.equal(res.status, 404);
  });
});

describe('pages', () => {
  test('the list, a projet, a section with its preview, the diff and the strategy answer in French and Arabic', async () => {
    const c = await signIn(DIR);
    const items = (await api('GET', `/api/v1/projects?node_id=${d.eps1.id}&status=consultation`, undefined, tok(DIR))).json().items;
    const p = items.find((x) => x.version >= 3);
    for (const path of ['/projects', `/projects/${p.id}`, `/projects/${p.id}/sections/offer`, `/projects/${p.id}/diff?from=1&to=2`, `/projects/${p.id}/strategy`, '/projects/new', '/project-templates']) {
      for (const lang of ['fr', 'ar']) {
        const res = await c.get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(res.status, 200, `${path} ${lang}: ${show(res)}`);
        assert.match(res.text, new RegExp(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}"`));
      }
    }
    const diff = await c.get(`/projects/${p.id}/diff?from=1&to=2`);
    assert.match(diff.text, /<ins[ >]/);
    assert.match(diff.text, /<del[ >]/);
  });
  test('writing a section from its page: preview saves nothing, save keeps the text, errors keep what was typed', async () => {
    const p = await newProject();
    const c = await signIn(DIR);
    const path = `/projects/${p.id}/sections/history`;
    const rev = dbValue(`SELECT rev FROM project_sections WHERE project_id = ${p.id} AND key = 'history'`);
    let res = await c.post(path, { content: 'Un **texte** en aperçu', rev, preview: '1' }, { from: path });
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, /<strong>texte<\/strong>/);
    assert.equal(dbValue(`SELECT content FROM project_sections WHERE project_id = ${p.id} AND key = 'history'`), '');
    res = await c.post(path, { content: 'x'.repeat(60001), rev }, { from: path });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.text.includes('x'.repeat(200)), 'what was typed is kept');
    res = await c.post(path, { content: 'Texte enregistré.', rev }, { from: path });
    assert.equal(res.status, 303, show(res));
    assert.equal(dbValue(`SELECT content FROM project_sections WHERE project_id = ${p.id} AND key = 'history'`), 'Texte enregistré.');
    res = await c.post(path, { content: 'Autre texte.', rev }, { from: path });
    assert.equal(res.status, 409, 'a stale revision');
    assert.ok(res.text.includes('Autre texte.'), 'the text typed is kept');
    // a form without its CSRF token changes nothing
    res = await c.post(path, { content: 'sans jeton', rev: Number(rev) + 1 }, { from: path, csrf: false });
    assert.equal(res.status, 403, show(res));
    // a house's staff member proposes from the page
    const m = await signIn(MERE);
    res = await m.post(`/projects/${p.id}/contributions`, { section: 'history', kind: 'proposal', body: 'Ma proposition.' }, { from: path });
    assert.equal(res.status, 303, show(res));
    res = await m.post(`/projects/${p.id}/contributions`, { section: 'history', kind: 'proposal', body: '' }, { from: path });
    assert.equal(res.status, 422, show(res));
  });
  test('creating a projet from its page; a wrong period keeps what was typed', async () => {
    const c = await signIn(DIR);
    const per = period();
    const y = Number(per.period_start.slice(0, 4));
    let res = await c.post('/projects', { node_id: d.eps1.id, title: 'Mon projet', period_start: per.period_start, period_end: `${y + 10}-01-01`, lang: 'fr' }, { from: '/projects/new' });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.text.includes('value="Mon projet"'));
    assert.ok(res.text.includes(translation('fr', "A projet d'établissement covers five years at most.").replace(/'/g, '&#39;')));
    res = await c.post('/projects', { node_id: d.eps1.id, title: 'Mon projet', ...per, lang: 'ar' }, { from: '/projects/new' });
    assert.equal(res.status, 303, show(res));
    assert.match(res.location, /^\/projects\/\d+$/);
  });
});
