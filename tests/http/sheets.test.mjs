// sheets.test.mjs - capitalisation sheets through the API and the pages:
// creating one (201 with the object, a stable lower-case code, version 1),
// bad input refused field by field in French and Arabic with nothing
// written (missing texts, wrong types, too long, unknown theme, authors who
// do not work there, foreign or absent establishments, unknown fields,
// invalid UTF-8), the workflow (a referent submits but cannot publish, an
// advisor publishes, returning to draft needs a comment, impossible moves
// answer 409 with what is possible), stale revs (409), versions (editing a
// published sheet opens version 2 as a draft, version 1 stays readable and
// is superseded once version 2 is published), who reads what (published:
// every signed-in user, even of another association; drafts: the quality
// readers of the establishment, 404 elsewhere, 403 for those who read but
// may not write), files, the search index, the home page, the page forms
// (422 with the typed text kept, in French and Arabic), CSRF, and the audit
// log read as words.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, show, translation, dbValue, signIn, uniq, rawRequest, smallPdf, multipart, Client } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const REF = 'referent.casa@amal.ma';
const STAFF = 'educateur.casa';
const ADV = 'conseil@amal.ma';
const OBS = 'observateur@entraide.ma';
const TANGER = 'directeur.tanger@amal.ma';
const NOUR = 'directrice@nour.ma';
const ADMIN = 'admin@jouda.ma';
const ADMIN_PW = process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026';

let d;
const tok = (l) => ({ token: tokenFor(l) });
const counts = () => ({
  sheets: dbValue('SELECT COUNT(*) FROM sheets'),
  links: dbValue('SELECT COUNT(*) FROM sheet_links'),
  authors: dbValue('SELECT COUNT(*) FROM sheet_authors'),
  audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'sheet'"),
});
const body = (extra = {}) => ({
  node_id: d.eps1.id,
  title: uniq('Fiche test'),
  context: 'Le contexte de **cette** expérience.',
  lessons: 'Ce que nous avons appris.',
  ...extra,
});
async function newSheet(login = REF, extra = {}) {
  const res = await api('POST', '/api/v1/sheets', body(extra), tok(login));
  assert.equal(res.status, 201, show(res));
  return res.json();
}
async function move(id, status, login, extra = {}) {
  return api('POST', `/api/v1/sheets/${id}/status`, { status, ...extra }, tok(login));
}
async function published(extra = {}) {
  const s = await newSheet(REF, extra);
  assert.equal((await move(s.id, 'review', REF)).status, 200);
  const res = await move(s.id, 'published', ADV);
  assert.equal(res.status, 200, show(res));
  return res.json();
}

before(async () => {
  d = await demo();
});

describe('creating a sheet (API)', () => {
  test('201 with the whole object: code, version 1, draft, texts, indicators, links, authors', async () => {
    const ref = d.user(REF);
    const dir = d.user(DIR);
    const res = await api('POST', '/api/v1/sheets', body({
      theme: 'participation_enfant',
      lang: 'fr',
      history: '- 2024 : lancement',
      indicators: [{ label: 'Conseils tenus', value: 11 }, { label: 'Participation', value: '85', unit: '%' }],
      author_ids: [dir.id, ref.id],
      contributors: 'Association des parents',
      criteria: [{ referentiel: 'JOUDA-EPS-ENFANCE', criterion: '2.1' }],
      documents: ['Proc-Conseil'],
    }), tok(REF));
    assert.equal(res.status, 201, show(res));
    const s = res.json();
    assert.match(s.code, /^cap-[a-z0-9]{8}$/);
    assert.equal(s.version, 1);
    assert.equal(s.status, 'draft');
    assert.equal(s.rev, 1);
    assert.equal(s.node_id, d.eps1.id);
    assert.equal(s.theme, 'participation_enfant');
    assert.equal(s.history, '- 2024 : lancement');
    assert.deepEqual(s.indicators, [{ label: 'Conseils tenus', value: '11', unit: '' }, { label: 'Participation', value: '85', unit: '%' }]);
    assert.deepEqual(s.authors.map((a) => a.id), [dir.id, ref.id]);
    assert.deepEqual(s.criteria, [{ referentiel: 'JOUDA-EPS-ENFANCE', criterion: '2.1' }]);
    assert.deepEqual(s.documents, ['proc-conseil'], 'codes are lower case');
    assert.equal(s.published_at, null);
    assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(res.headers.location, `/api/v1/sheets/${s.id}`);
    const got = await api('GET', `/api/v1/sheets/${s.id}`, undefined, tok(DIR));
    assert.equal(got.status, 200);
    assert.equal(got.json().code, s.code);
    assert.equal(dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'sheet' AND entity_id = ${s.id} AND action = 'create'`), '1');
  });

  test('missing title, context and lessons: 422 field by field, in French and in Arabic, nothing written', async () => {
    const before0 = counts();
    for (const lang of ['fr', 'ar']) {
      const res = await api('POST', `/api/v1/sheets?lang=${lang}`, { node_id: d.eps1.id, title: '  ', history: 'x' }, tok(REF));
      assert.equal(res.status, 422, show(res));
      const f = res.json().error.fields;
      assert.equal(f.title, translation(lang, 'Give the sheet a title.'));
      assert.equal(f.context, translation(lang, 'Describe the context: the establishment, the people concerned, why it was needed.'));
      assert.equal(f.lessons, translation(lang, 'Write the lessons learned: they are what other establishments read first.'));
      if (lang === 'ar') assert.match(f.title, /[\u0600-\u06FF]/);
    }
    assert.deepEqual(counts(), before0);
  });

  test('wrong types, too long, unknown theme or field, foreign authors, bad links: 422, nothing written', async () => {
    const before0 = counts();
    const nourDir = d.user(NOUR);
    const cases = [
      [{ title: 12 }, 'title', 'This field must be text.'],
      [{ title: 'x'.repeat(201) }, 'title', null],
      [{ theme: 'cuisine' }, 'theme', 'Choose a value from the list.'],
      [{ lang: 'en' }, 'lang', 'Choose a value from the list.'],
      [{ colour: 'blue' }, 'colour', 'This field is not known.'],
      [{ indicators: 'many' }, 'indicators', 'Give the indicators as a list of {label, value, unit}.'],
      [{ indicators: [{ value: 3 }] }, 'indicators', 'Give the indicators as a list of {label, value, unit}.'],
      [{ author_ids: [nourDir.id] }, 'author_ids', 'The authors are people who work at the establishment.'],
      [{ author_ids: ['1'] }, 'author_ids', 'Give the authors as a list of account ids.'],
      [{ criteria: [{ referentiel: 'JOUDA-EPS-ENFANCE', criterion: '99.9' }] }, 'criteria', 'Choose criteria of a published référentiel.'],
      [{ criteria: ['2.1'] }, 'criteria', 'Give the criteria as a list of {referentiel, criterion} codes.'],
      [{ action_ids: [99999999] }, 'action_ids', 'One of these actions does not exist or is not known to you.'],
      [{ documents: ['bad code!'] }, 'documents', 'Give the documents as a list of their codes (letters, digits, dots, dashes).'],
      [{ context: 'a\u0001b' }, 'context', 'This text contains invalid characters.'],
      [{ status: 'archived' }, 'status', 'Choose a value from the list.'],
    ];
    for (const [extra, field, msgid] of cases) {
      const res = await api('POST', '/api/v1/sheets?lang=fr', body(extra), tok(REF));
      assert.equal(res.status, 422, `${JSON.stringify(extra)}: ${show(res)}`);
      const msg = res.json().error.fields[field];
      assert.ok(msg, `${field} has a message: ${show(res)}`);
      if (msgid) assert.equal(msg, translation('fr', msgid), field);
    }
    // an establishment outside the writer's scope looks absent; a node that is no EPS is refused
    assert.equal((await api('POST', '/api/v1/sheets', body({ node_id: d.nour.id }), tok(REF))).status, 404);
    assert.equal((await api('POST', '/api/v1/sheets', body({ node_id: 99999999 }), tok(REF))).status, 404);
    const assoc = await api('POST', '/api/v1/sheets', body({ node_id: d.assoc1.id }), tok(ADV));
    assert.equal(assoc.status, 422, show(assoc));
    assert.ok(assoc.json().error.fields.node_id);
    assert.equal((await api('POST', '/api/v1/sheets', body({ node_id: 'x' }), tok(REF))).status, 422);
    // staff read the establishment's sheets but do not write them
    assert.equal((await api('POST', '/api/v1/sheets', body(), tok(STAFF))).status, 403);
    // not JSON, not an object, invalid UTF-8
    assert.equal((await api('POST', '/api/v1/sheets', '[1]', tok(REF))).status, 400);
    const bad = Buffer.concat([Buffer.from('{"node_id":1,"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    assert.equal((await api('POST', '/api/v1/sheets', bad, tok(REF))).status, 400);
    assert.deepEqual(counts(), before0);
  });
});

describe('workflow', () => {
  test('a referent submits but cannot publish; an advisor publishes and the authors are told', async () => {
    const ref = d.user(REF);
    const s = await newSheet(REF, { author_ids: [ref.id] });
    assert.equal((await move(s.id, 'published', REF)).status, 403);
    const sub = await move(s.id, 'review', REF);
    assert.equal(sub.status, 200, show(sub));
    assert.equal(sub.json().status, 'review');
    assert.equal((await move(s.id, 'published', REF)).status, 403);
    assert.equal((await move(s.id, 'published', STAFF)).status, 403);
    const notesBefore = (await api('GET', '/api/v1/notifications?lang=fr', undefined, tok(REF))).json().total;
    const pub = await move(s.id, 'published', ADV);
    assert.equal(pub.status, 200, show(pub));
    assert.equal(pub.json().status, 'published');
    assert.ok(pub.json().published_at);
    const notes = (await api('GET', '/api/v1/notifications?lang=fr', undefined, tok(REF))).json();
    assert.equal(notes.total, notesBefore + 1, 'the author is notified');
    assert.ok(notes.items.some((n) => n.text.includes(s.title)), JSON.stringify(notes.items[0]));
    // a published sheet does not move back: 409 with what is possible
    const back = await move(s.id, 'review', ADV);
    assert.equal(back.status, 409, show(back));
    assert.deepEqual(back.json().error.allowed, []);
    const actions = dbValue(`SELECT COUNT(DISTINCT action) FROM audit_log WHERE entity = 'sheet' AND entity_id = ${s.id}`);
    assert.equal(actions, '3', 'create, submit, publish');
  });

  test('returning to draft needs a comment, which the authors read', async () => {
    const s = await newSheet(REF);
    assert.equal((await move(s.id, 'review', REF)).status, 200);
    const none = await move(s.id, 'draft', ADV);
    assert.equal(none.status, 422, show(none));
    assert.ok(none.json().error.fields.comment);
    const ret = await move(s.id, 'draft', ADV, { comment: 'Ajoutez les chiffres de 2024.' });
    assert.equal(ret.status, 200, show(ret));
    assert.equal(ret.json().status, 'draft');
    assert.equal(ret.json().return_comment, 'Ajoutez les chiffres de 2024.');
    // from draft, a move to draft is impossible
    const again = await move(s.id, 'draft', ADV, { comment: 'x' });
    assert.equal(again.status, 409);
    assert.deepEqual(again.json().error.allowed.sort(), ['published', 'review']);
  });

  test('published at once only by who publishes', async () => {
    assert.equal((await api('POST', '/api/v1/sheets', body({ status: 'published' }), tok(REF))).status, 403);
    const res = await api('POST', '/api/v1/sheets', body({ status: 'published' }), tok(ADV));
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().status, 'published');
  });

  test('a stale rev is a 409, never an overwrite', async () => {
    const s = await newSheet(REF);
    const ok = await api('PATCH', `/api/v1/sheets/${s.id}`, { rev: s.rev, title: 'Nouveau titre' }, tok(DIR));
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.json().rev, s.rev + 1);
    const stale = await api('PATCH', `/api/v1/sheets/${s.id}`, { rev: s.rev, title: 'Écrasé ?' }, tok(REF));
    assert.equal(stale.status, 409, show(stale));
    const noRev = await api('PATCH', `/api/v1/sheets/${s.id}`, { title: 'Sans rev' }, tok(REF));
    assert.equal(noRev.status, 422);
    const cur = await api('GET', `/api/v1/sheets/${s.id}`, undefined, tok(REF));
    assert.equal(cur.json().title, 'Nouveau titre');
    // an emptied required text is refused
    const empty = await api('PATCH', `/api/v1/sheets/${s.id}`, { rev: cur.json().rev, lessons: '' }, tok(REF));
    assert.equal(empty.status, 422);
    // a stale status change too
    assert.equal((await move(s.id, 'review', REF, { rev: s.rev })).status, 409);
  });
});

describe('versions', () => {
  test('editing a published sheet opens version 2 as a draft; version 1 stays until version 2 is published', async () => {
    const v1 = await published({ criteria: [{ referentiel: 'JOUDA-EPS-ENFANCE', criterion: '3.1' }] });
    const edit = await api('PATCH', `/api/v1/sheets/${v1.id}`, { rev: v1.rev, lessons: 'Enseignements revus.' }, tok(DIR));
    assert.equal(edit.status, 201, show(edit));
    const v2 = edit.json();
    assert.notEqual(v2.id, v1.id);
    assert.equal(v2.code, v1.code);
    assert.equal(v2.version, 2);
    assert.equal(v2.status, 'draft');
    assert.equal(v2.lessons, 'Enseignements revus.');
    assert.equal(v2.context, v1.context, 'the rest is copied');
    assert.deepEqual(v2.criteria, v1.criteria);
    // version 1 unchanged, still published, readable by anyone
    const old = await api('GET', `/api/v1/sheets/${v1.id}`, undefined, tok(NOUR));
    assert.equal(old.status, 200);
    assert.equal(old.json().status, 'published');
    assert.equal(old.json().lessons, v1.lessons);
    // one open version at a time
    const twice = await api('PATCH', `/api/v1/sheets/${v1.id}`, { rev: v1.rev, lessons: 'Encore' }, tok(DIR));
    assert.equal(twice.status, 409, show(twice));
    assert.equal(twice.json().error.open_id, v2.id);
    const vs = await api('GET', `/api/v1/sheets/${v1.id}/versions`, undefined, tok(DIR));
    assert.deepEqual(vs.json().items.map((x) => [x.version, x.status]), [[2, 'draft'], [1, 'published']]);
    // another association sees only the published one
    const vsNour = await api('GET', `/api/v1/sheets/${v1.id}/versions`, undefined, tok(NOUR));
    assert.deepEqual(vsNour.json().items.map((x) => x.version), [1]);
    assert.equal((await api('GET', `/api/v1/sheets/${v2.id}`, undefined, tok(NOUR))).status, 404);
    // publishing version 2 supersedes version 1
    assert.equal((await move(v2.id, 'published', ADV)).status, 200);
    const after = await api('GET', `/api/v1/sheets/${v1.id}`, undefined, tok(NOUR));
    assert.equal(after.json().status, 'superseded');
    const page = await (await signIn(NOUR)).get(`/sheets/${v1.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`/sheets/${v2.id}`), 'the old version links to the latest');
    // a superseded version does not change
    assert.equal((await api('PATCH', `/api/v1/sheets/${v1.id}`, { rev: after.json().rev, title: 'x' }, tok(DIR))).status, 409);
  });
});

describe('who reads what', () => {
  test('a published sheet is read by everyone signed in; a draft only by the establishment\'s quality readers', async () => {
    const draft = await newSheet(REF);
    const pub = await published();
    // the director of another association reads the published sheet (API, page, list)
    assert.equal((await api('GET', `/api/v1/sheets/${pub.id}`, undefined, tok(NOUR))).status, 200);
    const nour = await signIn(NOUR);
    assert.equal((await nour.get(`/sheets/${pub.id}`)).status, 200);
    const list = await api('GET', `/api/v1/sheets?q=${encodeURIComponent(pub.title)}`, undefined, tok(NOUR));
    assert.equal(list.json().total, 1, show(list));
    // but not the draft: 404 as if absent, in the list too
    assert.equal((await api('GET', `/api/v1/sheets/${draft.id}`, undefined, tok(NOUR))).status, 404);
    assert.equal((await nour.get(`/sheets/${draft.id}`)).status, 404);
    assert.equal((await api('GET', `/api/v1/sheets/${draft.id}`, undefined, tok(TANGER))).status, 404);
    const l2 = await api('GET', `/api/v1/sheets?q=${encodeURIComponent(draft.title)}`, undefined, tok(NOUR));
    assert.equal(l2.json().total, 0);
    // inside: staff and observers read the draft, but do not change it
    assert.equal((await api('GET', `/api/v1/sheets/${draft.id}`, undefined, tok(STAFF))).status, 200);
    assert.equal((await api('GET', `/api/v1/sheets/${draft.id}`, undefined, tok(OBS))).status, 200);
    assert.equal((await api('PATCH', `/api/v1/sheets/${draft.id}`, { rev: 1, title: 'x' }, tok(STAFF))).status, 403);
    assert.equal((await move(draft.id, 'review', STAFF)).status, 403);
    assert.equal((await move(draft.id, 'review', OBS)).status, 403);
    // a published sheet is changed by none of them either (403, not 404)
    assert.equal((await api('PATCH', `/api/v1/sheets/${pub.id}`, { rev: pub.rev, title: 'x' }, tok(NOUR))).status, 403);
    assert.equal((await move(pub.id, 'review', NOUR)).status, 403);
    // refused before the body is read: an upload announced at 5 MiB, 64 KiB sent
    for (const [id, login] of [[pub.id, NOUR], [draft.id, STAFF]]) {
      const big = await rawRequest('POST', `/api/v1/sheets/${id}/attachments`, {
        headers: { authorization: `Bearer ${tokenFor(login)}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(5 * 1024 * 1024) },
        body: Buffer.alloc(64 * 1024, 0x20),
      }).catch((e) => ({ status: 'error', text: String(e), headers: {} }));
      assert.equal(big.status, 403, `${login}: ${big.text}`);
    }
  });

  test('lists filter by theme, language, status and establishment, paged, totals counted the same way', async () => {
    const s = await newSheet(REF, { theme: 'sante', lang: 'ar', title: uniq('صحة') });
    const byTheme = await api('GET', `/api/v1/sheets?theme=sante&lang=ar&status=draft&node_id=${d.eps1.id}&limit=200`, undefined, tok(DIR));
    assert.equal(byTheme.status, 200, show(byTheme));
    assert.ok(byTheme.json().items.some((x) => x.id === s.id));
    assert.ok(byTheme.json().items.every((x) => x.theme === 'sante' && x.lang === 'ar' && x.status === 'draft'));
    assert.equal(byTheme.json().total, byTheme.json().items.length);
    const page1 = await api('GET', '/api/v1/sheets?limit=2', undefined, tok(NOUR));
    assert.equal(page1.json().items.length, 2);
    assert.ok(page1.json().total > 2);
    assert.ok(page1.json().items.every((x) => x.status === 'published'), 'another association lists published sheets only');
    assert.equal((await api('GET', '/api/v1/sheets?theme=cuisine', undefined, tok(DIR))).status, 422);
    assert.equal((await api('GET', '/api/v1/sheets?limit=0', undefined, tok(DIR))).status, 422);
  });
});

describe('files and search', () => {
  test('a file attached to a draft is read by everyone once the sheet is published', async () => {
    const s = await newSheet(REF);
    const mp = multipart({}, [{ field: 'file', filename: 'outil conseil.pdf', type: 'application/pdf', data: smallPdf('Outil') }]);
    const up = await api('POST', `/api/v1/sheets/${s.id}/attachments`, mp.body, { ...tok(REF), type: mp.contentType });
    assert.equal(up.status, 201, show(up));
    const f = up.json().files[0];
    assert.equal(f.filename, 'outil conseil.pdf');
    assert.equal((await rawRequest('GET', f.href, { headers: { authorization: `Bearer ${tokenFor(NOUR)}` } })).status, 404);
    assert.equal((await move(s.id, 'published', ADV)).status, 200);
    const dl = await rawRequest('GET', f.href, { headers: { authorization: `Bearer ${tokenFor(NOUR)}` } });
    assert.equal(dl.status, 200);
    assert.match(dl.headers['content-disposition'], /^attachment/);
    // published: no more uploads
    const again = await api('POST', `/api/v1/sheets/${s.id}/attachments`, mp.body, { ...tok(REF), type: mp.contentType });
    assert.equal(again.status, 409);
  });

  test('the search finds a published sheet for everyone, a draft only inside', async () => {
    const word = `zqx${Date.now().toString(36)}`;
    const s = await newSheet(REF, { title: `Atelier ${word}` });
    const find = async (login) => (await api('GET', `/api/v1/search?q=${word}`, undefined, tok(login))).json().items.filter((x) => x.type === 'sheet');
    assert.equal((await find(DIR)).length, 1);
    assert.equal((await find(NOUR)).length, 0);
    assert.equal((await move(s.id, 'published', ADV)).status, 200);
    assert.equal((await find(NOUR)).length, 1);
  });
});

describe('pages', () => {
  test('the library and a sheet\'s page, in French and Arabic', async () => {
    const pub = await published({ indicators: [{ label: 'Familles', value: '14' }] });
    const c = await signIn(DIR);
    const list = await c.get('/sheets');
    assert.equal(list.status, 200);
    assert.ok(list.text.includes(`/sheets/${pub.id}`));
    const ar = await c.get(`/sheets/${pub.id}?lang=ar`);
    assert.equal(ar.status, 200);
    assert.match(ar.text, /<html lang="ar" dir="rtl">/);
    assert.ok(ar.text.includes(translation('ar', 'Lessons learned')));
    assert.ok(ar.text.includes('Familles'));
    const fr = await c.get(`/sheets/${pub.id}?lang=fr`);
    assert.ok(fr.text.includes(translation('fr', 'About this sheet')));
    assert.ok(fr.text.includes('<strong>cette</strong>'), 'Markdown is rendered');
    const filtered = await c.get('/sheets?theme=sante&lang_filter=ar&status=draft');
    assert.equal(filtered.status, 200);
    assert.equal((await c.get('/sheets?theme=cuisine')).status, 422);
  });

  test('the form: 422 with every problem and the typed text kept (fr and ar), then created, edited and submitted', async () => {
    const c = await signIn(REF);
    const form = await c.get('/sheets/new');
    assert.equal(form.status, 200);
    for (const lang of ['fr', 'ar']) {
      const before0 = counts();
      const res = await c.post(`/sheets?lang=${lang}`, {
        node_id: d.eps1.id, title: '', theme: 'famille', lang: 'fr', history: 'Notre histoire tapée',
        context: '', lessons: '', ind_value_1: '12',
      });
      assert.equal(res.status, 422, show(res));
      assert.ok(res.text.includes('error-summary'));
      assert.ok(res.text.includes(translation(lang, 'Give the sheet a title.')));
      assert.ok(res.text.includes(translation(lang, 'Give each indicator a label.')));
      assert.ok(res.text.includes('Notre histoire tapée'), 'the typed text is kept');
      assert.deepEqual(counts(), before0, 'nothing written');
    }
    const title = uniq('Fiche par la page');
    const created = await c.post('/sheets', {
      node_id: d.eps1.id, title, theme: 'famille', lang: 'fr', context: 'Contexte', lessons: 'Leçons',
      ind_label_1: 'Familles', ind_value_1: '14', criteria: 'JOUDA-EPS-ENFANCE|4.1', documents: 'proc-a proc-b',
    });
    assert.equal(created.status, 303, show(created));
    const id = Number(created.location.match(/\/sheets\/(\d+)$/)[1]);
    const got = (await api('GET', `/api/v1/sheets/${id}`, undefined, tok(REF))).json();
    assert.equal(got.title, title);
    assert.deepEqual(got.indicators, [{ label: 'Familles', value: '14', unit: '' }]);
    assert.deepEqual(got.criteria, [{ referentiel: 'JOUDA-EPS-ENFANCE', criterion: '4.1' }]);
    assert.deepEqual(got.documents, ['proc-a', 'proc-b']);
    const edit = await c.get(`/sheets/${id}/edit`);
    assert.equal(edit.status, 200);
    assert.ok(edit.text.includes('value="Familles"'));
    const saved = await c.post(`/sheets/${id}`, {
      rev: got.rev, title, theme: 'famille', lang: 'fr', context: 'Contexte revu', lessons: 'Leçons', then: 'review',
      criteria: 'JOUDA-EPS-ENFANCE|4.1',
    });
    assert.equal(saved.status, 303, show(saved));
    const after = (await api('GET', `/api/v1/sheets/${id}`, undefined, tok(REF))).json();
    assert.equal(after.status, 'review');
    assert.equal(after.context, 'Contexte revu');
    assert.deepEqual(after.documents, [], 'an emptied field empties the links');
    // a stale form is refused
    const stale = await c.post(`/sheets/${id}`, { rev: got.rev, title, context: 'x', lessons: 'y' });
    assert.equal(stale.status, 409);
    // the advisor publishes from the page
    const adv = await signIn(ADV);
    await adv.get(`/sheets/${id}`);
    const pub = await adv.post(`/sheets/${id}/status`, { status: 'published', rev: after.rev });
    assert.equal(pub.status, 303, show(pub));
    assert.equal((await api('GET', `/api/v1/sheets/${id}`, undefined, tok(REF))).json().status, 'published');
    // returning without a comment from the page: 422 with the form again
    const s2 = await newSheet(REF);
    await move(s2.id, 'review', REF);
    const ret = await adv.post(`/sheets/${s2.id}/status`, { status: 'draft', comment: '' });
    assert.equal(ret.status, 422);
    assert.ok(ret.text.includes(translation('fr', 'Say what the authors should change before submitting it again.')));
  });

  test('the new form names as authors only the people of an establishment the reader writes for', async () => {
    const c = await signIn(DIR);
    // another association's establishment asked: its staff stay unseen, her own is offered
    const res = await c.get(`/sheets/new?node_id=${d.nour.id}`);
    assert.equal(res.status, 200, show(res));
    for (const name of ['Nadia Berrada', 'Omar Mernissi', 'Amina Skalli', 'سعاد الفاسي']) {
      assert.ok(!res.text.includes(name), `${name} is not offered`);
    }
    assert.ok(!res.text.includes(`<option value="${d.nour.id}"`));
    assert.ok(res.text.includes('Hamza Alaoui'), 'the staff of her establishment are');
    // a unit of her establishment is not one she writes for either: the same
    const unit = await c.get(`/sheets/new?node_id=${d.maison1.id}`);
    assert.equal(unit.status, 200);
    assert.ok(unit.text.includes('Hamza Alaoui'));
  });

  test('forms and API writes without the CSRF token are refused', async () => {
    const c = await signIn(REF);
    const before0 = counts();
    const res = await c.post('/sheets', { node_id: d.eps1.id, title: 'x', context: 'y', lessons: 'z' }, { csrf: false });
    assert.equal(res.status, 403);
    const apiRes = await c.api('POST', '/api/v1/sheets', body(), { csrf: false });
    assert.equal(apiRes.status, 403);
    assert.deepEqual(counts(), before0);
  });

  test('the home page offers the writer their drafts and the advisor what waits for publication', async () => {
    const s = await newSheet(REF);
    assert.equal((await move(s.id, 'review', REF)).status, 200);
    const adv = await signIn(ADV);
    const home = await adv.get('/');
    assert.equal(home.status, 200);
    assert.ok(home.text.includes('cap-home'), 'the capitalisation section');
    assert.ok(home.text.includes('/sheets?status=review'));
    const dir = await signIn(DIR);
    assert.ok((await dir.get('/')).text.includes(`/sheets/new?node_id=${d.eps1.id}`));
  });

  test('the audit log reads as words', async () => {
    const s = await published();
    const c = new Client();
    assert.equal((await c.login(ADMIN, ADMIN_PW)).status, 303);
    const page = await c.get(`/admin/audit?entity=sheet&entity_id=${s.id}`);
    assert.equal(page.status, 200);
    for (const raw of ['audit_entity.sheet', 'audit_action.publish', 'audit_action.submit', 'cap_status.', 'cap_theme.']) {
      assert.ok(!page.text.includes(raw), `${raw} is translated`);
    }
    assert.ok(page.text.includes(translation('fr', 'cap_status.published')));
  });
});
