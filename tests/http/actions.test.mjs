// actions.test.mjs - the improvement plan through the API and its pages:
// creating actions (201 with the object; days YYYY-MM-DD both ways; staff
// propose, readers may not), bad input refused field by field in the
// reader's language with nothing written, the status workflow and who may
// move it (409 naming the possible statuses, 403 for what is the managers'),
// versions, every transition of the rules offered to whom it should be,
// changes of the managers (fields, contributors, priority) and the staff's
// part (owner or contributor, at the EPS or in a house), comments, the
// filters of the list, the summary, the plan's adoption by the director,
// accepted self-assessment proposals becoming actions once, the exports
// (CSV neutralised, XLSX opened again with openpyxl) and the daily reminder
// of the command line.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, tokenFor, demo, show, translation, dbValue, signIn, uniq, BIN, DB_URL, rawRequest } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const REF = 'referent.casa@amal.ma';
const STAFF = 'educateur.casa';
const MERE = 'mere.fatima';
const INSP = 'inspecteur@entraide.ma';
const ADV = 'conseil@amal.ma';
const OBS = 'observateur@entraide.ma';
const TANGER = 'directeur.tanger@amal.ma';
const HAMZA = 'educ.hamza.casa'; // staff of the EPS whose language is Arabic
const OPEN = ['proposed', 'planned', 'in_progress'];
let d;
const tok = (l) => ({ token: tokenFor(l) });
const today = () => {
  // the server's day is Africa/Casablanca's; the API's days are compared with it
  const s = execFileSync('date', ['+%Y-%m-%d'], { env: { ...process.env, TZ: 'Africa/Casablanca' }, encoding: 'utf8' }).trim();
  return s;
};
const dayOffset = (n) => {
  const t = new Date(`${today()}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};
const count = () => Number(dbValue('SELECT COUNT(*) FROM actions'));
/** Every table a creation writes to, counted. */
const written = () => ({
  actions: count(),
  contributors: dbValue('SELECT COUNT(*) FROM action_contributors'),
  audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'action'"),
  notifications: dbValue('SELECT COUNT(*) FROM notifications'),
});

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

before(async () => {
  d = await demo();
});

async function create(who, body) {
  return api('POST', '/api/v1/actions', { node_id: d.eps1.id, origin: 'incident', ...body }, tok(who));
}
const patch = (id, body, who = REF) => api('PATCH', `/api/v1/actions/${id}`, body, tok(who));
const get = (id, who = REF) => api('GET', `/api/v1/actions/${id}`, undefined, tok(who));

describe('creating an action', () => {
  test('the referent creates a planned action: 201 with the object, days as YYYY-MM-DD, codes in lower case', async () => {
    const staff = d.user(STAFF);
    const res = await create(REF, {
      title: 'Former l\'équipe de nuit', origin_label: 'Fiche d\'incident du 3 mars', theme: 'Sécurité',
      owner_id: staff.id, contributors: [d.user(DIR).id], start_date: '2026-01-05', due_date: '2026-03-31',
      impact: 3, effort: 1, status: 'planned', expected_result: 'Plus d\'incident la nuit', check_method: 'Registre',
    });
    assert.equal(res.status, 201, show(res));
    const a = res.json();
    assert.equal(res.headers.location, `/api/v1/actions/${a.id}`);
    assert.equal(a.status, 'planned');
    assert.equal(a.origin, 'incident');
    assert.equal(a.start_date, '2026-01-05');
    assert.equal(a.due_date, '2026-03-31');
    assert.equal(a.priority, 'high', 'high impact, low effort');
    assert.equal(a.owner_id, staff.id);
    assert.deepEqual(a.contributors, [d.user(DIR).id]);
    assert.equal(a.version, 1);
    assert.equal(a.overdue, '2026-03-31' < today());
    assert.match(a.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = (await get(a.id)).json();
    assert.equal(again.title, 'Former l\'équipe de nuit');
    assert.equal(again.expected_result, 'Plus d\'incident la nuit');
  });

  test('staff propose (owned by themselves); a planned status is not theirs to give', async () => {
    let res = await create(STAFF, { title: 'Afficher les numéros d\'urgence' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().status, 'proposed');
    assert.equal(res.json().owner_id, d.user(STAFF).id);
    res = await create(STAFF, { title: 'Plan direct', status: 'planned', owner_id: d.user(STAFF).id, due_date: '2026-12-31' });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json().error.fields.status);
    // naming someone else who works there
    res = await create(STAFF, { title: 'Pour le référent', owner_id: d.user(REF).id });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().owner_id, d.user(REF).id);
    assert.equal(res.json().status, 'proposed');
    // a house's staff proposes too, for her EPS
    res = await create(MERE, { title: `Idée de la maison 1 ${uniq()}`, unit_id: d.maison1.id });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().owner_id, d.user(MERE).id);
    assert.equal(res.json().unit_id, d.maison1.id);
    assert.equal((await get(res.json().id, MERE)).status, 200, 'she reads what she proposed');
  });

  test('readers may not create (403); another EPS is as absent (404)', async () => {
    const n = count();
    for (const who of [INSP, ADV, OBS]) assert.equal((await create(who, { title: 'Intrus' })).status, 403, who);
    assert.equal((await create(TANGER, { title: 'Intrus' })).status, 404);
    assert.equal((await create(REF, { title: 'Intrus', node_id: d.eps3.id })).status, 404);
    assert.equal(count(), n, 'nothing written');
  });

  test('bad input: each field refused with a message in the reader\'s language, nothing written', async () => {
    const n = count();
    const cases = [
      [{ title: 42 }, 'title'],
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 'ok', impact: 7 }, 'impact'],
      [{ title: 'ok', effort: 'beaucoup' }, 'effort'],
      [{ title: 'ok', due_date: '31/12/2026' }, 'due_date'],
      [{ title: 'ok', due_date: '2026-02-30' }, 'due_date'],
      [{ title: 'ok', start_date: '2026-05-01', due_date: '2026-04-01' }, 'due_date'],
      [{ title: 'ok', origin: 'rumeur' }, 'origin'],
      [{ title: 'ok', owner_id: d.user(TANGER).id }, 'owner_id'],
      [{ title: 'ok', contributors: [d.user(TANGER).id] }, 'contributors'],
      [{ title: 'ok', contributors: 'tous' }, 'contributors'],
      [{ title: 'ok', unit_id: d.eps3.id }, 'unit_id'],
      [{ title: 'ok', status: 'planned' }, 'owner_id'],
      [{ title: 'ok', campaign_id: 999999 }, 'campaign_id'],
      [{ title: 'ok', couleur: 'bleu' }, 'couleur'],
      [{ title: 'ok', description: 'a\u0007b' }, 'description'],
    ];
    const n0 = written();
    for (const [body, field] of cases) {
      const res = await create(REF, body);
      assert.equal(res.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${show(res)}`);
      assert.equal(res.json().error.code, 'invalid');
      assert.ok(res.json().error.fields[field], `${field} named for ${JSON.stringify(body).slice(0, 60)}: ${res.text.slice(0, 200)}`);
    }
    // the messages, in French (the referent's language)
    const msg = async (body, field) => (await create(REF, body)).json().error.fields[field];
    assert.equal(await msg({ title: 42 }, 'title'), translation('fr', 'This field must be text.'));
    assert.equal(await msg({ title: 'ok', impact: 7 }, 'impact'), translation('fr', 'Choose 1 (low), 2 (medium) or 3 (high).'));
    assert.equal(await msg({ title: 'ok', due_date: '31/12/2026' }, 'due_date'), translation('fr', 'Write the day as YYYY-MM-DD.'));
    assert.equal(await msg({ title: 'ok', due_date: 20261231 }, 'due_date'), translation('fr', 'Write the day as YYYY-MM-DD.'));
    assert.equal(await msg({ title: 'ok', couleur: 'bleu' }, 'couleur'), translation('fr', 'This field is not known.'));
    assert.equal(await msg({ title: 'ok', owner_id: d.user(TANGER).id }, 'owner_id'),
      translation('fr', 'The owner works at this establishment (its director, quality referent or staff).'));
    assert.equal(await msg({ title: 'ok', owner_id: String(d.user(STAFF).id) }, 'owner_id'), translation('fr', 'Enter a whole number.'));
    assert.deepEqual(written(), n0, 'nothing half-written');
    // the reader's language: ?lang=, then the user's own (Accept-Language only without one)
    const tooLong = { node_id: d.eps1.id, origin: 'other', title: 'x'.repeat(201) };
    const long = (lang) => translation(lang, 'This text is too long (at most %d characters).').replace('%d', '200');
    let res = await api('POST', '/api/v1/actions', tooLong, { ...tok(REF), headers: { 'accept-language': 'ar' } });
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.fields.title, long('fr'), 'the referent reads French, whatever her browser says');
    res = await api('POST', '/api/v1/actions', tooLong, tok(HAMZA));
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.fields.title, long('ar'), 'an Arabic-speaking educator reads Arabic');
    assert.equal(res.json().error.message, translation('ar', 'Some information is not valid.'));
    res = await api('POST', '/api/v1/actions?lang=ar', { node_id: d.eps1.id, origin: 'other' }, tok(REF));
    assert.equal(res.json().error.fields.title, translation('ar', 'Say what will be done.'));
    res = await api('POST', '/api/v1/actions?lang=fr', { node_id: d.eps1.id, origin: 'other', title: 'ok', impact: 7 }, tok(HAMZA));
    assert.equal(res.json().error.fields.impact, translation('fr', 'Choose 1 (low), 2 (medium) or 3 (high).'));
    // bodies that are no JSON object, or not UTF-8: 400
    for (const body of ['[1,2]', '"titre"', '42', 'null', '{"title": "ok"', '']) {
      res = await api('POST', '/api/v1/actions', body, tok(REF));
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${show(res)}`);
      assert.equal(res.json().error.code, 'bad_request');
    }
    const bad = Buffer.concat([Buffer.from(`{"node_id":${d.eps1.id},"origin":"other","title":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    res = await api('POST', '/api/v1/actions', bad, tok(REF));
    assert.equal(res.status, 400, show(res));
    const badKey = Buffer.concat([Buffer.from(`{"node_id":${d.eps1.id},"origin":"other","title":"ok","`), Buffer.from([0xff]), Buffer.from('":1}')]);
    res = await api('POST', '/api/v1/actions', badKey, tok(REF));
    assert.equal(res.status, 400, show(res));
    res = await api('POST', '/api/v1/actions', { title: 'sans établissement', origin: 'other' }, tok(REF));
    assert.equal(res.status, 422);
    assert.ok(res.json().error.fields.node_id);
    res = await create(REF, { title: 'unité', node_id: d.maison1.id });
    assert.equal(res.status, 422, 'a unit is not an establishment');
    assert.equal(count(), n, 'nothing half-written');
  });
});

describe('changing an action', () => {
  test('a manager changes its fields: the object answered is the one read again, one version later', async () => {
    const staff = d.user(STAFF);
    const a = (await create(REF, { title: `À reprendre ${uniq()}`, owner_id: d.user(REF).id, due_date: dayOffset(40), status: 'planned', impact: 2, effort: 2 })).json();
    assert.equal(a.priority, 'medium');
    const notes = () => Number(dbValue(`SELECT COUNT(*) FROM notifications WHERE user_id = ${staff.id} AND link = '/actions/${a.id}'`));
    const n0 = notes();
    const r = await patch(a.id, {
      title: 'Repris par l\'éducateur', description: 'Deux lignes\nde description', theme: 'Vie quotidienne', origin: 'complaint',
      origin_label: 'Réclamation du 2 mai', impact: 1, effort: 3, start_date: '2026-01-15', due_date: '2027-02-28',
      owner_id: staff.id, contributors: [d.user(MERE).id, d.user(DIR).id, d.user(MERE).id],
      expected_result: 'Des repas variés', check_method: 'Enquête', version: a.version,
    });
    assert.equal(r.status, 200, show(r));
    const b = r.json();
    assert.equal(b.version, a.version + 1);
    assert.equal(b.title, 'Repris par l\'éducateur');
    assert.equal(b.description, 'Deux lignes\nde description');
    assert.equal(b.theme, 'Vie quotidienne');
    assert.equal(b.origin, 'complaint');
    assert.equal(b.origin_label, 'Réclamation du 2 mai');
    assert.equal(b.start_date, '2026-01-15');
    assert.equal(b.due_date, '2027-02-28');
    assert.equal(b.priority, 'low', 'a low impact for a high effort');
    assert.equal(b.owner_id, staff.id);
    assert.deepEqual(b.contributors, [d.user(MERE).id, d.user(DIR).id].sort((x, y) => x - y), 'each person once');
    assert.equal(b.status, 'planned', 'fields alone leave the status');
    assert.deepEqual((await get(a.id)).json(), { ...b, transitions: b.transitions }, 'read again: the same');
    assert.equal(notes(), n0 + 1, 'the new owner is told');
    // nothing to change: the same version
    let same = await patch(a.id, { title: 'Repris par l\'éducateur' });
    assert.equal(same.status, 200);
    assert.equal(same.json().version, b.version);
    same = await patch(a.id, {});
    assert.equal(same.json().version, b.version);
    // impact high: high priority whatever the effort
    assert.equal((await patch(a.id, { impact: 3 })).json().priority, 'high');
    // contributors emptied
    assert.deepEqual((await patch(a.id, { contributors: [] })).json().contributors, []);
  });

  test('what a change may not do: 422 by field, 400 for a body that is no object, nothing changed', async () => {
    const a = (await create(REF, { title: `Intouchable ${uniq()}`, owner_id: d.user(STAFF).id, due_date: dayOffset(30), start_date: dayOffset(-5), status: 'planned' })).json();
    const cases = [
      [{ node_id: d.eps3.id }, 'node_id', 'This field is not known.'],
      [{ couleur: 'bleu' }, 'couleur', 'This field is not known.'],
      [{ title: 42 }, 'title', 'This field must be text.'],
      [{ title: '' }, 'title', 'Say what will be done.'],
      [{ title: 'é'.repeat(201) }, 'title', null],
      [{ impact: 0 }, 'impact', 'Choose 1 (low), 2 (medium) or 3 (high).'],
      [{ effort: '2' }, 'effort', 'Choose 1 (low), 2 (medium) or 3 (high).'],
      [{ progress: 101 }, 'progress', null],
      [{ due_date: '2027-13-01' }, 'due_date', 'Write the day as YYYY-MM-DD.'],
      [{ due_date: dayOffset(-10) }, 'due_date', 'The due date comes after the start.'],
      [{ due_date: '' }, 'due_date', 'A planned action has a due date.'],
      [{ owner_id: null }, 'owner_id', 'A planned action has an owner.'],
      [{ owner_id: d.user(TANGER).id }, 'owner_id', 'The owner works at this establishment (its director, quality referent or staff).'],
      [{ contributors: [d.user('directrice@nour.ma').id] }, 'contributors', 'Contributors work at this establishment.'],
      [{ contributors: [0] }, 'contributors', 'Expected a list of user ids (at most 20).'],
      [{ unit_id: d.children(d.eps2.id)[0].id }, 'unit_id', 'Choose a unit of this establishment.'],
      [{ status: 'fini' }, 'status', 'Unknown status.'],
      [{ status: 'in_progress', version: 'deux' }, 'version', null],
    ];
    const before = (await get(a.id)).json();
    const n0 = written();
    for (const [body, field, msgid] of cases) {
      const r = await patch(a.id, body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${show(r)}`);
      const got = r.json().error.fields[field];
      assert.ok(got, `${field} named for ${JSON.stringify(body)}: ${r.text.slice(0, 200)}`);
      if (msgid) assert.equal(got, translation('fr', msgid), JSON.stringify(body));
    }
    for (const body of ['[]', '"planned"', '7', 'null', '{"progress": 5']) {
      const r = await patch(a.id, body);
      assert.equal(r.status, 400, `${body}: ${show(r)}`);
    }
    assert.deepEqual((await get(a.id)).json(), before, 'the action is as it was');
    assert.deepEqual(written(), n0, 'nothing written');
  });
});

describe('the workflow', () => {
  let id;
  before(async () => {
    const res = await create(REF, { title: `Cycle ${uniq()}`, owner_id: d.user(STAFF).id, due_date: dayOffset(20) });
    assert.equal(res.status, 201, show(res));
    id = res.json().id;
  });

  test('an impossible transition answers 409 with the possible ones', async () => {
    const res = await patch(id, { status: 'done' });
    assert.equal(res.status, 409, show(res));
    const e = res.json().error;
    assert.equal(e.code, 'conflict');
    assert.equal(e.status, 'proposed');
    assert.deepEqual(e.allowed, ['planned', 'cancelled']);
    const fr = await api('PATCH', `/api/v1/actions/${id}?lang=fr`, { status: 'closed' }, tok(REF));
    assert.ok(fr.json().error.message.includes(translation('fr', 'act_status.planned')), fr.text);
  });

  test('planning needs an owner and a due date; staff may not plan', async () => {
    const res = await create(REF, { title: 'Sans responsable' });
    const bare = res.json().id;
    let r = await patch(bare, { status: 'planned' });
    assert.equal(r.status, 422, show(r));
    assert.ok(r.json().error.fields.owner_id);
    assert.ok(r.json().error.fields.due_date);
    r = await patch(id, { status: 'planned' }, STAFF);
    assert.equal(r.status, 403, 'the owner works on it, managers plan it');
    r = await patch(id, { status: 'planned' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json().status, 'planned');
    assert.equal(r.json().version, 2);
  });

  test('the owner records the work; what the action is and its check are the managers\'', async () => {
    let r = await patch(id, { status: 'in_progress', progress: 40 }, STAFF);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json().status, 'in_progress');
    assert.equal(r.json().progress, 40);
    assert.equal(r.json().start_date, today(), 'started today when no start was given');
    for (const body of [{ title: 'Autre chose' }, { due_date: '2030-01-01' }, { owner_id: d.user(DIR).id }, { status: 'cancelled', reason: 'non' }]) {
      r = await patch(id, body, STAFF);
      assert.equal(r.status, 403, `${JSON.stringify(body)}: ${show(r)}`);
    }
    for (const who of [INSP, ADV, OBS]) {
      r = await patch(id, { progress: 50 }, who);
      assert.equal(r.status, 403, who);
      assert.equal((await get(id, who)).status, 200, `${who} reads it`);
    }
    assert.equal((await get(id, TANGER)).status, 404, 'another EPS\'s director');
    r = await patch(id, { status: 'done' }, STAFF);
    assert.equal(r.status, 200, show(r));
    const a = r.json();
    assert.equal(a.progress, 100);
    assert.equal(a.done_date, today());
    assert.equal(a.delay_days, -20, 'done 20 days early');
    r = await patch(id, { status: 'effective' }, STAFF);
    assert.equal(r.status, 403, 'the check is the managers\'');
  });

  test('every status offers the transitions of the rules: the managers\' and the owner\'s', async () => {
    // plan_rules.h: proposed -> planned | cancelled; planned -> in_progress | cancelled;
    // in_progress -> done | planned | cancelled; done -> effective | not_effective | in_progress;
    // effective -> closed; not_effective -> in_progress | closed; closed and cancelled are final.
    // The owner moves the work (planned, in progress, done); the rest is the managers'.
    const MANAGER = {
      proposed: ['planned', 'cancelled'], planned: ['in_progress', 'cancelled'], in_progress: ['planned', 'done', 'cancelled'],
      done: ['in_progress', 'effective', 'not_effective'], effective: ['closed'], not_effective: ['in_progress', 'closed'],
      closed: [], cancelled: [],
    };
    const OWNER = {
      proposed: [], planned: ['in_progress'], in_progress: ['planned', 'done'], done: ['in_progress'],
      effective: [], not_effective: [], closed: [], cancelled: [],
    };
    const a = (await create(REF, { title: `Parcours complet ${uniq()}`, owner_id: d.user(STAFF).id, due_date: dayOffset(15) })).json();
    const seen = new Set();
    const at = async (status) => {
      seen.add(status);
      const m = (await get(a.id, REF)).json();
      assert.equal(m.status, status);
      assert.deepEqual(m.transitions, MANAGER[status], `${status}: the referent's`);
      assert.deepEqual((await get(a.id, STAFF)).json().transitions, OWNER[status], `${status}: the owner's`);
      assert.deepEqual((await get(a.id, INSP)).json().transitions, [], `${status}: a reader's`);
      // 'proposed' never follows anything: the 409 names what may follow, for each caller
      // (asking for the status it already has changes nothing: 200)
      for (const [who, want] of status === 'proposed' ? [] : [[REF, MANAGER[status]], [STAFF, OWNER[status]]]) {
        const r = await patch(a.id, { status: 'proposed' }, who);
        assert.equal(r.status, 409, `${status} -> proposed by ${who}: ${show(r)}`);
        assert.equal(r.json().error.code, 'conflict');
        assert.equal(r.json().error.status, status);
        assert.deepEqual(r.json().error.allowed, want, `${status}: allowed for ${who}`);
      }
    };
    const move = async (status, who = REF, extra = {}) => {
      const r = await patch(a.id, { status, ...extra }, who);
      assert.equal(r.status, 200, `-> ${status} by ${who}: ${show(r)}`);
      assert.equal(r.json().status, status);
      return r.json();
    };
    await at('proposed');
    await move('planned');
    await at('planned');
    let x = await move('in_progress', STAFF, { progress: 30 });
    assert.equal(x.progress, 30);
    await at('in_progress');
    x = await move('planned', STAFF);
    assert.equal(x.progress, 0, 'back to planned: no progress');
    await move('in_progress', STAFF);
    x = await move('done', STAFF);
    assert.equal(x.progress, 100);
    assert.equal(x.done_date, today());
    assert.equal(x.delay_days, -15);
    await at('done');
    x = await move('in_progress', STAFF);
    assert.equal(x.done_date, null, 'resumed: not done any more');
    assert.equal(x.delay_days, null);
    assert.equal(x.progress, 99, 'in progress is below 100');
    await move('done', STAFF);
    await move('not_effective', REF, { check_comment: 'Pas appliqué le week-end' });
    await at('not_effective');
    x = await move('in_progress');
    assert.deepEqual(x.check, { date: today(), result: 'not_effective', comment: 'Pas appliqué le week-end' }, 'the check is kept');
    await move('done', STAFF);
    x = await move('effective', DIR, { check_date: dayOffset(-2) });
    assert.deepEqual(x.check, { date: dayOffset(-2), result: 'effective', comment: null });
    await at('effective');
    await move('closed', DIR);
    await at('closed');
    // the ways to cancel: from proposed, planned, in progress
    for (const path of [[], ['planned'], ['planned', 'in_progress']]) {
      const c = (await create(REF, { title: `Annulée ${uniq()}`, owner_id: d.user(STAFF).id, due_date: dayOffset(9) })).json();
      for (const st of path) assert.equal((await patch(c.id, { status: st })).status, 200);
      let r = await patch(c.id, { status: 'cancelled', reason: 'Non' }, STAFF);
      assert.equal(r.status, path.length ? 403 : 404 === 0 ? 0 : r.status, 'the owner does not cancel');
      r = await patch(c.id, { status: 'cancelled', reason: 'Remplacée' });
      assert.equal(r.status, 200, show(r));
      assert.equal(r.json().cancel_reason, 'Remplacée');
      assert.equal(r.json().overdue, false);
      if (!seen.has('cancelled')) {
        const save = a.id;
        a.id = c.id;
        await at('cancelled');
        a.id = save;
      }
    }
    assert.deepEqual([...seen].sort(), Object.keys(MANAGER).sort(), 'every status was seen');
  });

  test('a stale version is a conflict, nothing overwritten', async () => {
    const cur = (await get(id)).json();
    const r = await patch(id, { title: 'Écrasé ?', version: cur.version - 1 });
    assert.equal(r.status, 409, show(r));
    assert.equal((await get(id)).json().title, cur.title);
  });

  test('not effective needs what the check found; closing it starts a follow-up action', async () => {
    let r = await patch(id, { status: 'not_effective' });
    assert.equal(r.status, 422, show(r));
    assert.ok(r.json().error.fields.check_comment);
    r = await patch(id, { status: 'not_effective', check_comment: 'La pratique n\'a pas tenu', check_date: dayOffset(-1) });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json().check, { date: dayOffset(-1), result: 'not_effective', comment: 'La pratique n\'a pas tenu' });
    assert.deepEqual(r.json().transitions, ['in_progress', 'closed']);
    r = await patch(id, { status: 'closed' });
    assert.equal(r.status, 422);
    assert.ok(r.json().error.fields.follow_up_title);
    r = await patch(id, { status: 'closed', follow_up_title: 'Suite : former aussi les week-ends', follow_up_due: dayOffset(60) });
    assert.equal(r.status, 200, show(r));
    const closed = r.json();
    assert.equal(closed.status, 'closed');
    assert.equal(closed.follow_ups.length, 1);
    const f = (await get(closed.follow_ups[0])).json();
    assert.equal(f.follows_id, id);
    assert.equal(f.status, 'planned', 'an owner and a due date: planned at once');
    assert.equal(f.due_date, dayOffset(60));
    r = await patch(id, { status: 'in_progress' });
    assert.equal(r.status, 409, 'closed is final');
    assert.deepEqual(r.json().error.allowed, []);
  });

  test('effective, then closed; cancelling needs a reason', async () => {
    const a = (await create(REF, { title: 'Efficace', owner_id: d.user(REF).id, due_date: dayOffset(5), status: 'planned' })).json();
    for (const s of ['in_progress', 'done']) assert.equal((await patch(a.id, { status: s })).status, 200);
    let r = await patch(a.id, { status: 'effective' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json().check.result, 'effective');
    assert.equal(r.json().check.date, today());
    assert.equal((await patch(a.id, { status: 'closed' })).status, 200);
    const b = (await create(REF, { title: 'À annuler' })).json();
    r = await patch(b.id, { status: 'cancelled' });
    assert.equal(r.status, 422);
    assert.ok(r.json().error.fields.reason);
    r = await patch(b.id, { status: 'cancelled', reason: 'Doublon' });
    assert.equal(r.status, 200);
    assert.equal(r.json().cancel_reason, 'Doublon');
  });

  test('every change is in the action\'s history', async () => {
    const n = Number(dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'action' AND entity_id = ${id}`));
    assert.ok(n >= 6, `${n} audit rows`);
    const c = await signIn(DIR);
    const page = await c.get(`/actions/${id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(translation('fr', 'audit_action.transition')), 'the history reads as words');
  });
});

describe('who works on an action', () => {
  test('a unit\'s staff member reaches the actions she owns, and only those', async () => {
    const mere = d.user(MERE);
    const a = (await create(REF, { title: `Maison 1 ${uniq()}`, owner_id: mere.id, due_date: dayOffset(10), status: 'planned', unit_id: d.maison1.id })).json();
    const other = (await create(REF, { title: 'Pas la sienne' })).json();
    assert.equal((await get(a.id, MERE)).status, 200);
    assert.equal((await get(other.id, MERE)).status, 404);
    let r = await patch(a.id, { status: 'in_progress', progress: 10 }, MERE);
    assert.equal(r.status, 200, show(r));
    const mine = (await api('GET', '/api/v1/actions?mine=true&limit=200', undefined, tok(MERE))).json();
    assert.ok(mine.items.some((x) => x.id === a.id));
    assert.ok(mine.items.every((x) => x.owner_id === mere.id || x.id !== other.id));
    // a contributor works on it too
    r = await patch(other.id, { contributors: [mere.id] });
    assert.equal(r.status, 200, show(r));
    assert.equal((await get(other.id, MERE)).status, 200);
  });

  test('comments: 201, listed, the owner told', async () => {
    const owner = d.user(STAFF);
    const a = (await create(REF, { title: 'À commenter', owner_id: owner.id })).json();
    const before = Number(dbValue(`SELECT COUNT(*) FROM notifications WHERE user_id = ${owner.id}`));
    let r = await api('POST', `/api/v1/actions/${a.id}/comments`, { body: 'Réunion tenue\nCompte rendu joint' }, tok(REF));
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json().body, 'Réunion tenue\nCompte rendu joint');
    assert.equal(Number(dbValue(`SELECT COUNT(*) FROM notifications WHERE user_id = ${owner.id}`)), before + 1);
    r = await api('POST', `/api/v1/actions/${a.id}/comments`, { body: '' }, tok(REF));
    assert.equal(r.status, 422);
    r = await api('POST', `/api/v1/actions/${a.id}/comments`, { body: 'lecture seule' }, tok(INSP));
    assert.equal(r.status, 403);
    const got = (await get(a.id)).json();
    assert.equal(got.comments.length, 1);
    assert.equal(got.comments[0].author_id, d.user(REF).id);
  });
});

describe('the list and its filters', () => {
  test('every filter keeps what it says, and the totals agree', async () => {
    const t = tok(DIR);
    const all = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&limit=200`, undefined, t)).json();
    assert.ok(all.total > 10);
    assert.ok(all.items.every((x) => x.node_id === d.eps1.id));
    const check = async (q, pred, what) => {
      const r = await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&limit=200&${q}`, undefined, t);
      assert.equal(r.status, 200, show(r));
      const j = r.json();
      assert.ok(j.items.every(pred), `${q}: every item ${what}`);
      assert.equal(j.total, all.items.filter(pred).length, `${q}: the total counts them all`);
      return j;
    };
    await check('status=in_progress', (x) => x.status === 'in_progress', 'in progress');
    await check('origin=self_assessment', (x) => x.origin === 'self_assessment', 'from a self-assessment');
    const owner = all.items.find((x) => x.owner_id).owner_id;
    await check(`owner_id=${owner}`, (x) => x.owner_id === owner, 'owned by them');
    const od = await check('overdue=true', (x) => x.overdue && ['proposed', 'planned', 'in_progress'].includes(x.status) && x.due_date < today(), 'overdue');
    assert.ok(od.total > 0, 'the demo has overdue actions');
    await check('due_within=30', (x) => ['proposed', 'planned', 'in_progress'].includes(x.status) && x.due_date >= today() && x.due_date <= dayOffset(30), 'due within 30 days');
    const theme = all.items.find((x) => x.theme).theme;
    await check(`theme=${encodeURIComponent(theme)}`, (x) => x.theme === theme, 'of the theme');
    const q = await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&q=${encodeURIComponent('INFIRMERIE')}`, undefined, t);
    assert.ok(q.json().items.length >= 1 && q.json().items.every((x) => /infirmerie/i.test(x.title)), q.text.slice(0, 300));
    // paging
    const p1 = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&limit=5&offset=0`, undefined, t)).json();
    const p2 = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&limit=5&offset=5`, undefined, t)).json();
    assert.equal(p1.total, all.total);
    assert.equal(p1.items.length, 5);
    assert.ok(p2.items.every((x) => !p1.items.some((y) => y.id === x.id)));
    for (const bad of ['status=fini', 'origin=x', 'overdue=peut-etre', 'due_within=-1', 'due_within=abc', 'node_id=0', 'limit=500', 'sort=x']) {
      const r = await api('GET', `/api/v1/actions?${bad}`, undefined, t);
      assert.equal(r.status, 422, `${bad}: ${show(r)}`);
    }
  });

  test('another EPS\'s director never sees these actions; mine=true keeps the reader\'s', async () => {
    const list = (await api('GET', '/api/v1/actions?limit=200', undefined, tok(TANGER))).json();
    assert.ok(list.total > 0);
    assert.ok(list.items.every((x) => x.node_id === d.eps3.id), 'only Tanger');
    const me = d.user(STAFF).id;
    const mine = (await api('GET', '/api/v1/actions?mine=true&limit=200', undefined, tok(STAFF))).json();
    assert.ok(mine.total > 0);
    for (const x of mine.items) {
      const full = (await get(x.id, STAFF)).json();
      assert.ok(full.owner_id === me || full.contributors.includes(me), `${x.id} is theirs`);
    }
  });

  test('the summary agrees with the list', async () => {
    const t = tok(DIR);
    const s = (await api('GET', `/api/v1/actions/summary?node_id=${d.eps1.id}`, undefined, t)).json();
    assert.equal(s.items.length, 1);
    const row = s.items[0];
    assert.equal(row.node_id, d.eps1.id);
    const total = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&limit=1`, undefined, t)).json().total;
    assert.equal(row.total, total);
    const overdue = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&overdue=true&limit=1`, undefined, t)).json().total;
    assert.equal(row.overdue, overdue);
    for (const st of ['planned', 'done', 'closed']) {
      const n = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&status=${st}&limit=1`, undefined, t)).json().total;
      assert.equal(row.by_status[st], n, st);
    }
    const adm = (await api('GET', '/api/v1/actions/summary', undefined, tok('admin@amal.ma'))).json();
    assert.ok(adm.items.length >= 2, 'an association admin sees each of its EPS');
    assert.equal(adm.total.total, adm.items.reduce((a, x) => a + x.total, 0));
  });
});

describe('the plan of an establishment', () => {
  test('the director adopts it with a snapshot of the planned and ongoing actions; the referent may not', async () => {
    const t = tok(DIR);
    const planned = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&status=planned&limit=1`, undefined, t)).json().total;
    const ongoing = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&status=in_progress&limit=1`, undefined, t)).json().total;
    assert.equal((await api('POST', `/api/v1/plans/${d.eps1.id}/adopt`, {}, tok(REF))).status, 403);
    assert.equal((await api('POST', `/api/v1/plans/${d.eps1.id}/adopt`, {}, tok(TANGER))).status, 404);
    const r = await api('POST', `/api/v1/plans/${d.eps1.id}/adopt`, { note: 'Revue de juin' }, t);
    assert.equal(r.status, 201, show(r));
    const a = r.json();
    assert.equal(a.n_actions, planned + ongoing);
    assert.equal(a.actions.length, planned + ongoing);
    assert.equal(a.adopted_on, today());
    const list = (await api('GET', `/api/v1/plans/${d.eps1.id}`, undefined, tok(INSP))).json();
    assert.equal(list.adoptions[0].id, a.id, 'newest first');
    assert.ok(list.adoptions.length >= 2, 'the demo adopted it before');
    assert.equal(list.adopted_actions.length, a.n_actions);
  });
});

describe('from a self-assessment to the plan', () => {
  test('an accepted proposal becomes one action, linked to its campaign and criterion', async () => {
    const refs = (await api('GET', '/api/v1/referentiels?status=published', undefined, tok(DIR))).json().items;
    const refId = refs.find((x) => x.code === 'JOUDA-EPS-ENFANCE').id;
    let r = await api('POST', '/api/v1/campaigns', {
      node_id: d.eps1.id, referentiel_id: refId, title: 'Auto-évaluation vers le plan',
      period_start: '2026-01-01', period_end: '2026-02-01', criteria: ['1.2', '2.1'],
    }, tok(REF));
    assert.equal(r.status, 201, show(r));
    const cid = r.json().id;
    assert.equal((await api('POST', `/api/v1/campaigns/${cid}/start`, undefined, tok(REF))).status, 200);
    for (const code of ['1.2', '2.1']) {
      r = await api('PUT', `/api/v1/campaigns/${cid}/ratings/${code}`, { score: '2', comment: 'Il manque une procédure écrite.' }, tok(REF));
      assert.equal(r.status, 200, show(r));
    }
    assert.equal((await api('POST', `/api/v1/campaigns/${cid}/submit`, undefined, tok(REF))).status, 200);
    r = await api('POST', `/api/v1/campaigns/${cid}/validate`, undefined, tok(DIR));
    assert.equal(r.status, 200, show(r));
    const props = (await api('GET', `/api/v1/campaigns/${cid}/proposals`, undefined, tok(DIR))).json().items;
    assert.equal(props.length, 2);
    assert.equal((await api('GET', `/api/v1/actions?campaign_id=${cid}`, undefined, tok(DIR))).json().total, 0);
    r = await api('POST', `/api/v1/campaigns/${cid}/proposals/${props[0].id}`, { decision: 'accept' }, tok(DIR));
    assert.equal(r.status, 200, show(r));
    r = await api('POST', `/api/v1/campaigns/${cid}/proposals/${props[0].id}`, { decision: 'accept' }, tok(DIR));
    assert.equal(r.status, 409, 'decided once');
    r = await api('POST', `/api/v1/campaigns/${cid}/proposals/${props[1].id}`, { decision: 'dismiss', reason: 'Déjà traité' }, tok(DIR));
    assert.equal(r.status, 200, show(r));
    const acts = (await api('GET', `/api/v1/actions?campaign_id=${cid}`, undefined, tok(DIR))).json();
    assert.equal(acts.total, 1, 'one action, for the accepted proposal only');
    const a = acts.items[0];
    assert.equal(a.origin, 'self_assessment');
    assert.equal(a.criterion, props[0].code);
    assert.equal(a.status, 'proposed');
    assert.equal(a.title, props[0].title);
    // the campaign's pages show it beside the criterion
    const c = await signIn(DIR);
    const page = await c.get(`/campaigns/${cid}/results`);
    assert.ok(page.text.includes(`/actions/${a.id}`), 'the results link to the action');
    const act = await c.get(`/actions/${a.id}`);
    assert.ok(act.text.includes(`/campaigns/${cid}#c-${props[0].code}`), 'the action links back to its criterion');
  });
});

describe('exports', () => {
  test('CSV: every matching action, formulas neutralised', async () => {
    const title = '=HYPERLINK("http://example.org","clic")';
    const a = (await create(REF, { title, origin: 'other', theme: 'Export' })).json();
    const r = await api('GET', `/api/v1/actions.csv?node_id=${d.eps1.id}&theme=Export`, undefined, tok(DIR));
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^text\/csv/);
    assert.match(r.headers['content-disposition'], /attachment; filename="actions-\d{4}-\d\d-\d\d\.csv"/);
    const lines = r.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const n = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&theme=Export&limit=1`, undefined, tok(DIR))).json().total;
    assert.equal(lines.length, n + 1, 'a header, then one line per action');
    assert.ok(lines.some((l) => l.startsWith(`${a.id},`)));
    assert.ok(!r.text.includes(',=HYPERLINK') && !r.text.includes(',"=HYPERLINK'), 'no cell starts with =');
    assert.ok(r.text.includes("'=HYPERLINK"), 'the formula kept as text');
    const tanger = await api('GET', '/api/v1/actions.csv', undefined, tok(TANGER));
    assert.ok(!tanger.text.includes('HYPERLINK'), 'another EPS exports its own actions only');
    assert.equal((await api('GET', '/api/v1/actions.csv?status=nope', undefined, tok(DIR))).status, 422);
  });

  test('XLSX: opened again, one row per action with its title', async () => {
    const r = await api('GET', `/api/v1/actions.xlsx?node_id=${d.eps1.id}&status=done`, undefined, tok(DIR));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.subarray(0, 2).toString('latin1'), 'PK');
    const list = (await api('GET', `/api/v1/actions?node_id=${d.eps1.id}&status=done&limit=200`, undefined, tok(DIR))).json();
    const dir = mkdtempSync(join(tmpdir(), 'jouda-xlsx-'));
    const file = join(dir, 'actions.xlsx');
    writeFileSync(file, r.body);
    // Debian's python3 has python3-openpyxl (scripts/deps.sh)
    const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const out = execFileSync(py, ['-c', `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb.worksheets[0]
rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
print(json.dumps({"rows": len(rows), "ids": [r[0] for r in rows[1:]], "titles": [r[3] for r in rows[1:]], "head": rows[0][:4]}, default=str))
`, file], { encoding: 'utf8' });
    const x = JSON.parse(out);
    assert.equal(x.rows, list.total + 1);
    assert.deepEqual(x.ids.map(Number).sort((a, b) => a - b), list.items.map((i) => i.id).sort((a, b) => a - b));
    for (const it of list.items) assert.ok(x.titles.includes(it.title), it.title);
    assert.equal(x.head[3], translation('fr', 'Action'));
  });
});

describe('the daily reminder', () => {
  test('jouda remind marks newly overdue actions and tells their owners once', async () => {
    const owner = d.user(STAFF);
    const a = (await create(REF, { title: `En retard ${uniq()}`, owner_id: owner.id, due_date: dayOffset(-3), status: 'planned' })).json();
    assert.equal(a.overdue, true);
    const notes = () => Number(dbValue(`SELECT COUNT(*) FROM notifications WHERE user_id = ${owner.id} AND kind = 'action_overdue' AND link = '/actions/${a.id}'`));
    const n0 = notes();
    const run = (...args) => execFileSync(BIN, ['remind', '--db', DB_URL, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // the server did today's work when it started: without --force nothing more
    assert.match(run(), /already done today/);
    assert.equal(notes(), n0);
    assert.match(run('--force'), /Daily work done/);
    assert.equal(notes(), n0 + 1, 'the owner is told');
    assert.equal(dbValue(`SELECT overdue_since FROM actions WHERE id = ${a.id}`), today());
    run('--force');
    assert.equal(notes(), n0 + 1, 'once per due date');
    // a new due date starts again
    assert.equal((await patch(a.id, { due_date: dayOffset(-1) })).status, 200);
    assert.equal(dbValue(`SELECT COALESCE(overdue_since, '') FROM actions WHERE id = ${a.id}`), '');
    run('--force');
    assert.equal(notes(), n0 + 2);
    let bad;
    try { execFileSync(BIN, ['remind', '--bogus'], { stdio: 'pipe' }); } catch (e) { bad = e.status; }
    assert.equal(bad, 2, 'a usage error');
  });
});

describe('the pages', () => {
  test('a new action from the form (CSRF), what was typed kept on an error', async () => {
    const c = await signIn(REF);
    let page = await c.get('/actions/new');
    assert.equal(page.status, 200);
    let r = await c.post('/actions', { node_id: String(d.eps1.id), title: '', origin: 'survey', origin_label: 'Enquête 2026', impact: '2', effort: '2' });
    assert.equal(r.status, 422, show(r));
    assert.ok(r.text.includes('Enquête 2026'), 'what was typed is kept');
    assert.ok(r.text.includes(translation('fr', 'Say what will be done.')));
    r = await c.post('/actions', { node_id: String(d.eps1.id), title: 'Depuis la page', origin: 'survey', impact: '3', effort: '1', due_date: '15/01/2027', owner_id: String(d.user(STAFF).id), status: 'planned' });
    assert.equal(r.status, 303, show(r));
    const id = Number(r.location.split('/').pop());
    const a = (await get(id)).json();
    assert.equal(a.due_date, '2027-01-15', 'a day typed dd/mm/yyyy on a page');
    assert.equal(a.status, 'planned');
    r = await c.post(`/actions/${id}/status`, { status: 'done', rev: String(a.version) });
    assert.equal(r.status, 409, 'planned cannot be done at once');
    r = await c.post(`/actions/${id}/status`, { status: 'in_progress', rev: String(a.version) });
    assert.equal(r.status, 303, show(r));
    r = await c.post(`/actions/${id}/status`, { status: 'in_progress', rev: String(a.version) }, { csrf: false });
    assert.equal(r.status, 403, 'no CSRF token');
    r = await c.post(`/actions/${id}/comments`, { body: 'Depuis la page' });
    assert.equal(r.status, 303);
    for (const p of ['/actions', '/actions/mine', '/actions/board', '/actions/timeline', '/actions/matrix', '/actions/summary', `/plans/${d.eps1.id}`, `/actions/${id}`]) {
      for (const lang of ['fr', 'ar', 'en']) {
        const res = await c.get(`${p}${p.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(res.status, 200, `${p} ${lang}`);
      }
    }
    const svg = await c.get('/actions/timeline.svg');
    assert.match(svg.headers['content-type'], /^image\/svg\+xml/);
    assert.ok(svg.text.startsWith('<svg') && svg.text.includes('role="img"'));
  });
});

test('no request answered 500 (invalid UTF-8 in a query is refused)', async () => {
  const r = await rawRequest('GET', '/api/v1/actions?q=%C3%28', { headers: { authorization: `Bearer ${tokenFor(DIR)}` } });
  assert.ok([400, 422].includes(r.status), show(r));
  assert.equal(dbValue('SELECT 1'), '1', 'the database still answers');
});
