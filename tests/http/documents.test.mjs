// documents.test.mjs - the document library through the API and its pages:
// creating a document (201 with the object, a stable lower-case code, a
// draft), bad input refused field by field in French and Arabic with nothing
// written, versions (each upload a new numbered version, the previous ones
// kept and downloadable byte for byte), approval by the director only (403
// for the referent, 409 for an impossible move with the statuses allowed, 409
// for a stale rev), drafts closed to readers (403 in scope, 404 outside),
// shared documents of an association and of the national library,
// acknowledgements (once per version, a new approved version asks again, the
// director sees who has not read it), the review date told once by `jouda
// remind`, an oversized upload (413) and a file of a refused kind (422) with
// the typed note kept, links to criteria, filters of the list, and CSRF.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  api, tokenFor, demo, show, translation, dbValue, signIn, uniq, smallPdf, multipart,
  parseForm, BIN, DB_URL, rawRequest,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const REF = 'referent.casa@amal.ma';
const STAFF = 'educateur.casa';
const MERE = 'mere.fatima';
const OBS = 'observateur@entraide.ma';
const ADV = 'conseil@amal.ma';
const TANGER = 'directeur.tanger@amal.ma';
const NOUR = 'directrice@nour.ma';
let d;
const tok = (l) => ({ token: tokenFor(l) });
const countOf = (table, where = '1=1') => Number(dbValue(`SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const counts = () => ({
  documents: countOf('documents'),
  versions: countOf('document_versions'),
  attachments: countOf('attachments', "owner_kind = 'document_version'"),
  audit: countOf('audit_log', "entity = 'document'"),
});
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Casablanca', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function dayOffset(n) {
  const [y, m, dd] = today().split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, dd + n)).toISOString().slice(0, 10);
}
/** Text as the templates print it (escaped). */
const html = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const sha = (buf) => createHash('sha256').update(buf).digest('hex');

async function newDoc(login = DIR, extra = {}) {
  const res = await api('POST', '/api/v1/documents', { node_id: d.eps1.id, kind: 'procedure', title_fr: uniq('Procédure '), ...extra }, tok(login));
  assert.equal(res.status, 201, show(res));
  return res.json();
}
async function upload(id, login, file, fields = {}) {
  const mp = multipart(fields, [{ field: 'file', ...file }]);
  return api('POST', `/api/v1/documents/${id}/versions`, mp.body, { ...tok(login), type: mp.contentType });
}
const pdf = (text) => ({ filename: `${text.replace(/\W+/g, '-')}.pdf`, type: 'application/pdf', data: smallPdf(text) });
async function setStatus(id, login, status, rev) {
  return api('POST', `/api/v1/documents/${id}/status`, rev ? { status, rev } : { status }, tok(login));
}
/** A document of Casablanca approved by its director with one file. */
async function approvedDoc(extra = {}) {
  const doc = await newDoc(DIR, extra);
  assert.equal((await upload(doc.id, DIR, pdf(`v1 ${doc.code}`))).status, 201);
  const res = await setStatus(doc.id, DIR, 'approved');
  assert.equal(res.status, 200, show(res));
  return res.json();
}

before(async () => {
  d = await demo();
});

describe('creating a document', () => {
  test('the director creates a draft: 201 with its code, owner and no version yet', async () => {
    const res = await api('POST', '/api/v1/documents', {
      node_id: d.eps1.id, kind: 'protocol', title_fr: 'Protocole de test', title_ar: 'بروتوكول للاختبار',
      summary: 'Pour les tests.', review_on: dayOffset(200),
    }, tok(DIR));
    assert.equal(res.status, 201, show(res));
    const o = res.json();
    assert.ok(o.id > 0);
    assert.equal(res.headers.location, `/api/v1/documents/${o.id}`);
    assert.match(o.code, /^doc-[a-z0-9]{8}$/);
    assert.equal(o.status, 'draft');
    assert.equal(o.version, 0);
    assert.equal(o.approved_version, 0);
    assert.equal(o.kind, 'protocol');
    assert.equal(o.review_on, dayOffset(200));
    assert.equal(o.owner_id, d.user(DIR).id);
    assert.equal(o.node_id, d.eps1.id);
    assert.deepEqual(o.versions, []);
    assert.equal(typeof o.rev, 'number');
    assert.equal(dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'document' AND entity_id = ${o.id} AND action = 'create'`), '1');
  });

  test('bad input: 422 field by field in French and Arabic, nothing written', async () => {
    const before_ = counts();
    const cases = [
      [{ kind: 'procedure' }, 'title_fr', 'Give the document a title, in French or in Arabic.'],
      [{ kind: 'memo', title_fr: 'x' }, 'kind', 'Choose a value from the list.'],
      [{ kind: 'form', title_fr: 'x', review_on: '31/12/2030' }, 'review_on', 'Enter a date as YYYY-MM-DD.'],
      [{ kind: 'form', title_fr: 'x', code: 'Doc-UPPER' }, 'code', "A code is made of lower-case letters, digits, '.', '_' and '-', 60 at most."],
      [{ kind: 'form', title_fr: 'x', criteria: [{ ref: 'JOUDA-EPS-ENFANCE', code: '99.99' }] }, 'criteria', 'This criterion is not in a published référentiel.'],
      [{ kind: 'form', title_fr: 'x', colour: 'red' }, 'colour', 'This field is not known.'],
    ];
    for (const [body, field, msgid] of cases) {
      for (const lang of ['fr', 'ar']) {
        const res = await api('POST', `/api/v1/documents?lang=${lang}`, { node_id: d.eps1.id, ...body }, tok(DIR));
        assert.equal(res.status, 422, show(res));
        assert.equal(res.json().error.fields[field], translation(lang, msgid), JSON.stringify(res.json()));
      }
    }
    const noNode = await api('POST', '/api/v1/documents', { kind: 'form', title_fr: 'x' }, tok(DIR));
    assert.equal(noNode.status, 422);
    assert.ok(noNode.json().error.fields.node_id);
    const unit = await api('POST', '/api/v1/documents', { node_id: d.maison1.id, kind: 'form', title_fr: 'x' }, tok(DIR));
    assert.equal(unit.status, 422, show(unit));
    assert.equal(unit.json().error.fields.node_id, translation('fr', 'A document belongs to an establishment, an association or the national library.'));
    const notJson = await api('POST', '/api/v1/documents', '[1]', tok(DIR));
    assert.equal(notJson.status, 400);
    assert.deepEqual(counts(), before_);
  });

  test('who may create: the referent yes, the staff 403, another association 404', async () => {
    const ok = await api('POST', '/api/v1/documents', { node_id: d.eps1.id, kind: 'form', title_ar: 'استمارة' }, tok(REF));
    assert.equal(ok.status, 201, show(ok));
    assert.equal(ok.json().title_fr, '');
    const before_ = counts();
    const staff = await api('POST', '/api/v1/documents', { node_id: d.eps1.id, kind: 'form', title_fr: 'x' }, tok(STAFF));
    assert.equal(staff.status, 403, show(staff));
    const nour = await api('POST', '/api/v1/documents', { node_id: d.eps1.id, kind: 'form', title_fr: 'x' }, tok(NOUR));
    assert.equal(nour.status, 404, show(nour));
    const dirAssoc = await api('POST', '/api/v1/documents', { node_id: d.assoc1.id, kind: 'form', title_fr: 'x' }, tok(DIR));
    assert.equal(dirAssoc.status, 403, 'a director does not write the association\'s documents');
    assert.deepEqual(counts(), before_);
    const adv = await api('POST', '/api/v1/documents', { node_id: d.assoc1.id, kind: 'template', title_fr: uniq('Modèle ') }, tok(ADV));
    assert.equal(adv.status, 201, show(adv));
  });
});

describe('versions and approval', () => {
  test('each upload is a new version; the previous ones stay downloadable byte for byte', async () => {
    const doc = await newDoc(REF);
    const f1 = pdf(`premier ${doc.code}`), f2 = pdf(`deuxième ${doc.code}`);
    let res = await upload(doc.id, REF, f1, { note: 'Première rédaction' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().number, 1);
    assert.equal(res.json().note, 'Première rédaction');
    assert.equal(res.json().sha256, sha(f1.data));
    res = await upload(doc.id, REF, f2, { note: 'Relecture' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().number, 2);
    res = await api('GET', `/api/v1/documents/${doc.id}/versions`, undefined, tok(REF));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json().items.map((v) => v.number), [1, 2]);
    for (const [n, f] of [[1, f1], [2, f2]]) {
      const file = await api('GET', `/api/v1/documents/${doc.id}/versions/${n}/file`, undefined, tok(REF));
      assert.equal(file.status, 200);
      assert.ok(file.body.equals(f.data), `version ${n} comes back as sent`);
      assert.match(file.headers['content-disposition'], /^attachment;/);
      assert.equal(file.headers['x-content-type-options'], 'nosniff');
    }
    const page = await (await signIn(REF)).get(`/documents/${doc.id}/versions/1/file`);
    assert.equal(page.status, 200);
    assert.ok(page.body.equals(f1.data));
  });

  test('the director approves, the referent may not (403); readers get the approved version only', async () => {
    const doc = await newDoc(REF);
    let res = await setStatus(doc.id, DIR, 'approved');
    assert.equal(res.status, 409, 'nothing to approve without a file');
    assert.deepEqual(res.json().error.allowed, ['archived']);
    assert.equal((await upload(doc.id, REF, pdf(`a ${doc.code}`))).status, 201);
    res = await setStatus(doc.id, REF, 'approved');
    assert.equal(res.status, 403, show(res));
    assert.equal(res.json().error.message, translation('fr', 'Only the director of the establishment, or an administrator or a quality advisor over it, approves its documents.'));
    // a draft: the staff of the establishment get 403, another establishment's director 404
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(STAFF))).status, 403);
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(TANGER))).status, 404);
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(NOUR))).status, 404);
    res = await setStatus(doc.id, DIR, 'approved', doc.rev + 1);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'approved');
    assert.equal(res.json().approved_version, 1);
    // readers now see it; a second upload waits for approval
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(STAFF))).status, 200);
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(OBS))).status, 200, 'quality readers above read it');
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(TANGER))).status, 404, 'another establishment does not');
    assert.equal((await upload(doc.id, REF, pdf(`b ${doc.code}`))).status, 201);
    res = await api('GET', `/api/v1/documents/${doc.id}/versions`, undefined, tok(STAFF));
    assert.deepEqual(res.json().items.map((v) => v.number), [1], 'the pending version is not shown to readers');
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}/versions/2/file`, undefined, tok(STAFF))).status, 404);
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}/versions/1/file`, undefined, tok(STAFF))).status, 200);
    res = await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(DIR));
    assert.equal(res.json().version, 2);
    assert.equal(res.json().approved_version, 1);
    res = await setStatus(doc.id, DIR, 'approved');
    assert.equal(res.json().approved_version, 2);
    res = await api('GET', `/api/v1/documents/${doc.id}/versions`, undefined, tok(STAFF));
    assert.deepEqual(res.json().items.map((v) => v.number), [1, 2]);
    assert.equal(res.json().items[1].current, true);
  });

  test('the director may upload and approve at once; the referent may not', async () => {
    const doc = await newDoc(REF);
    const before_ = counts();
    let res = await upload(doc.id, REF, pdf(`x ${doc.code}`), { approve: '1' });
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(counts(), before_);
    res = await upload(doc.id, DIR, pdf(`y ${doc.code}`), { approve: '1', note: 'Validée en comité' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().current, true);
    res = await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(STAFF));
    assert.equal(res.json().status, 'approved');
  });

  test('archive and restore; impossible moves answer 409 with the statuses allowed; a stale rev 409', async () => {
    const doc = await approvedDoc();
    let res = await setStatus(doc.id, REF, 'draft');
    assert.equal(res.status, 409, show(res));
    assert.deepEqual(res.json().error.allowed, ['archived']);
    res = await setStatus(doc.id, REF, 'archived', doc.rev + 5);
    assert.equal(res.status, 409, 'stale rev');
    res = await setStatus(doc.id, REF, 'archived', doc.rev);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'archived');
    assert.equal((await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(STAFF))).status, 403, 'archived: closed to readers');
    const before_ = counts();
    res = await upload(doc.id, DIR, pdf('archived'));
    assert.equal(res.status, 409, show(res));
    res = await api('PATCH', `/api/v1/documents/${doc.id}`, { title_fr: 'Nouveau' }, tok(DIR));
    assert.equal(res.status, 409, show(res));
    assert.deepEqual(counts(), before_);
    res = await setStatus(doc.id, DIR, 'approved');
    assert.equal(res.status, 409);
    assert.deepEqual(res.json().error.allowed, ['draft']);
    res = await setStatus(doc.id, DIR, 'draft');
    assert.equal(res.status, 200);
    assert.equal((await setStatus(doc.id, STAFF, 'approved')).status, 403);
    const bad = await setStatus(doc.id, DIR, 'published');
    assert.equal(bad.status, 422);
  });

  test('PATCH changes the description with rev; a stale rev is 409 and writes nothing', async () => {
    const doc = await newDoc(DIR);
    let res = await api('PATCH', `/api/v1/documents/${doc.id}`, { title_ar: 'مسطرة معدلة', review_on: dayOffset(90), rev: doc.rev }, tok(REF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().title_ar, 'مسطرة معدلة');
    assert.equal(res.json().rev, doc.rev + 1);
    res = await api('PATCH', `/api/v1/documents/${doc.id}`, { title_fr: 'Trop tard', rev: doc.rev }, tok(DIR));
    assert.equal(res.status, 409, show(res));
    assert.equal(res.json().error.rev, doc.rev + 1);
    res = await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(DIR));
    assert.notEqual(res.json().title_fr, 'Trop tard');
    res = await api('PATCH', `/api/v1/documents/${doc.id}`, { title_fr: '', title_ar: '' }, tok(DIR));
    assert.equal(res.status, 422);
    res = await api('PATCH', `/api/v1/documents/${doc.id}`, { title_fr: 'x' }, tok(STAFF));
    assert.equal(res.status, 403);
    res = await api('PATCH', `/api/v1/documents/${doc.id}`, { criteria: [{ ref: 'JOUDA-EPS-ENFANCE', code: '7.2' }] }, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json().criteria.map((c) => `${c.ref} ${c.code}`), ['JOUDA-EPS-ENFANCE 7.2']);
    assert.ok(res.json().criteria[0].title.length > 10, 'the criterion\'s title is shown');
  });
});

describe('files refused', () => {
  test('an oversized upload answers 413, a refused kind 422, in the reader language, nothing written', async () => {
    const doc = await newDoc(DIR);
    const before_ = counts();
    const big = Buffer.alloc(8 * 1024 * 1024 + 10, 0x20);
    big.write('%PDF-1.4\n', 0);
    let res = await upload(doc.id, DIR, { filename: 'gros.pdf', type: 'application/pdf', data: big });
    assert.equal(res.status, 413, show(res));
    assert.equal(res.json().error.fields.file, translation('fr', 'The file is too large: 8 MB at most.'));
    const mp = multipart({ note: 'x' }, [{ field: 'file', filename: 'outil.exe', type: 'application/octet-stream', data: Buffer.from('MZ\x90\x00binary') }]);
    res = await api('POST', `/api/v1/documents/${doc.id}/versions?lang=ar`, mp.body, { ...tok(DIR), type: mp.contentType });
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.fields.file, translation('ar', 'This kind of file is not accepted. Send a PDF, an image (PNG, JPEG, GIF, WebP), an office document (DOCX, XLSX, PPTX, ODT, ODS) or a text file (TXT, CSV).'));
    res = await upload(doc.id, DIR, { filename: 'faux.pdf', type: 'application/pdf', data: Buffer.from('pas un pdf') });
    assert.equal(res.status, 422);
    const empty = await api('POST', `/api/v1/documents/${doc.id}/versions`, multipart({ note: 'x' }).body, { ...tok(DIR), type: multipart({ note: 'x' }).contentType });
    assert.ok([400, 422].includes(empty.status), show(empty));
    assert.deepEqual(counts(), before_);
    // a text file is a kind accepted
    res = await upload(doc.id, DIR, { filename: 'consignes.txt', type: 'text/plain', data: Buffer.from('Consignes en cas d\'urgence\n') });
    assert.equal(res.status, 201, show(res));
  });

  test('the page keeps the typed note and says why, 413 and 422', async () => {
    const doc = await newDoc(DIR);
    const c = await signIn(DIR);
    const page = await c.get(`/documents/${doc.id}?lang=ar`);
    assert.equal(page.status, 200);
    const form = parseForm(page.text, `/documents/${doc.id}/versions`);
    assert.ok(form, 'the upload form is on the page');
    const big = Buffer.alloc(8 * 1024 * 1024 + 10, 0x20);
    big.write('%PDF-1.4\n', 0);
    let res = await c.postMultipart(`/documents/${doc.id}/versions?lang=ar`, { rev: form.fields.rev, note: 'ملاحظة مكتوبة' }, [{ field: 'file', filename: 'gros.pdf', type: 'application/pdf', data: big }]);
    assert.equal(res.status, 413, show(res));
    assert.ok(res.text.includes(html(translation('ar', 'The file is too large: 8 MB at most.'))), res.text.slice(0, 300));
    assert.ok(res.text.includes('ملاحظة مكتوبة'), 'the note typed is kept');
    res = await c.postMultipart(`/documents/${doc.id}/versions`, { rev: form.fields.rev, note: 'ملاحظة' }, [{ field: 'file', filename: 'virus.exe', type: 'application/octet-stream', data: Buffer.from('MZ\x90\x00') }]);
    assert.equal(res.status, 422, show(res));
    assert.match(res.text, /class="error-summary"/);
    res = await c.postMultipart(`/documents/${doc.id}/versions`, { rev: form.fields.rev, note: 'Première' }, [{ field: 'file', ...pdf('page upload') }]);
    assert.equal(res.status, 303, show(res));
    assert.equal(res.location, `/documents/${doc.id}`);
    assert.equal(dbValue(`SELECT note FROM document_versions WHERE document_id = ${doc.id} AND number = 1`), 'Première');
  });
});

describe('acknowledgements', () => {
  test('once per version; a new approved version asks again; the director sees who has not read it', async () => {
    const doc = await approvedDoc();
    const staff = d.user(STAFF), mere = d.user(MERE);
    let res = await api('GET', '/api/v1/documents?to_read=1&limit=200', undefined, tok(STAFF));
    assert.ok(res.json().items.some((x) => x.id === doc.id), 'to read');
    res = await api('POST', `/api/v1/documents/${doc.id}/ack`, undefined, tok(STAFF));
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().version, 1);
    res = await api('POST', `/api/v1/documents/${doc.id}/ack`, {}, tok(STAFF));
    assert.equal(res.status, 200, 'done once');
    assert.equal(res.json().created, false);
    assert.equal(countOf('document_acks', `document_id = ${doc.id}`), 1);
    assert.equal(countOf('audit_log', `entity = 'document' AND entity_id = ${doc.id} AND action = 'acknowledge'`), 1);
    res = await api('GET', '/api/v1/documents?to_read=1&limit=200', undefined, tok(STAFF));
    assert.ok(!res.json().items.some((x) => x.id === doc.id), 'read');
    res = await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(DIR));
    const readers = res.json().readers;
    assert.ok(readers.read.some((u) => u.id === staff.id));
    assert.ok(readers.unread.some((u) => u.id === mere.id), 'the house mother of a unit has not read it');
    assert.equal(readers.n_read + readers.n_unread, readers.read.length + readers.unread.length);
    assert.equal(res.json().acknowledgements, 1);
    // the staff do not see who has read it
    res = await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(STAFF));
    assert.equal(res.json().readers, undefined);
    assert.equal(res.json().acknowledged, true);
    // a new approved version asks again
    assert.equal((await upload(doc.id, DIR, pdf(`v2 ${doc.code}`), { approve: '1' })).status, 201);
    res = await api('GET', `/api/v1/documents/${doc.id}`, undefined, tok(STAFF));
    assert.equal(res.json().acknowledged, false);
    res = await api('POST', `/api/v1/documents/${doc.id}/ack`, undefined, tok(STAFF));
    assert.equal(res.status, 201);
    assert.equal(res.json().version, 2);
    // those not working there may read, not acknowledge; a draft is not acknowledged
    assert.equal((await api('POST', `/api/v1/documents/${doc.id}/ack`, undefined, tok(OBS))).status, 403);
    const draft = await newDoc(DIR);
    assert.equal((await api('POST', `/api/v1/documents/${draft.id}/ack`, undefined, tok(DIR))).status, 409);
  });

  test('the page: "I have read this document", then the date of the reading', async () => {
    const doc = await approvedDoc();
    const c = await signIn(MERE);
    let page = await c.get(`/documents/${doc.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(html(translation('fr', 'I have read this document'))));
    const form = parseForm(page.text, `/documents/${doc.id}/ack`);
    const res = await c.post(`/documents/${doc.id}/ack`, form.fields);
    assert.equal(res.status, 303, show(res));
    page = await c.get(`/documents/${doc.id}`);
    const [y, m, dd] = today().split('-');
    assert.ok(page.text.includes(html(translation('fr', 'You read version %s on %s.').replace('%s', '1').replace('%s', `${dd}/${m}/${y}`))), page.text.slice(0, 200));
    assert.ok(!page.text.includes(`action="/documents/${doc.id}/ack"`), 'not asked again');
    // the home of the house mother lists what she has to read, not this one
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.ok(!home.text.includes(`href="/documents/${doc.id}"`));
  });

  test('shared documents: the association\'s and the national library\'s are read by those working below', async () => {
    const assoc = await api('POST', '/api/v1/documents', { node_id: d.assoc1.id, kind: 'form', title_fr: uniq('Formulaire ') }, tok(ADV));
    assert.equal(assoc.status, 201, show(assoc));
    const id = assoc.json().id;
    assert.equal((await upload(id, ADV, pdf('assoc'))).status, 201);
    assert.equal((await setStatus(id, DIR, 'approved')).status, 403, 'a director does not approve the association\'s documents');
    assert.equal((await setStatus(id, ADV, 'approved')).status, 200);
    assert.equal((await api('GET', `/api/v1/documents/${id}`, undefined, tok(STAFF))).status, 200);
    assert.equal((await api('GET', `/api/v1/documents/${id}`, undefined, tok(MERE))).status, 200);
    assert.equal((await api('GET', `/api/v1/documents/${id}`, undefined, tok(NOUR))).status, 404, 'another association');
    assert.equal((await api('POST', `/api/v1/documents/${id}/ack`, undefined, tok(MERE))).status, 201);
    const admin = tokenFor('admin@jouda.ma');
    const root = await api('POST', '/api/v1/documents', { node_id: d.root.id, kind: 'procedure', title_fr: uniq('Nationale ') }, { token: admin });
    assert.equal(root.status, 201, show(root));
    const rid = root.json().id;
    assert.equal((await upload(rid, 'admin@jouda.ma', pdf('root'))).status, 201);
    assert.equal((await setStatus(rid, 'admin@jouda.ma', 'approved')).status, 200);
    for (const who of [NOUR, MERE, OBS]) assert.equal((await api('GET', `/api/v1/documents/${rid}`, undefined, tok(who))).status, 200, who);
    const list = await api('GET', `/api/v1/documents?node_id=${d.root.id}&limit=200`, undefined, tok(NOUR));
    assert.ok(list.json().items.some((x) => x.id === rid));
    assert.ok(!list.json().items.some((x) => x.id === id));
  });
});

describe('the review date', () => {
  test('`jouda remind` tells the owner once per review date', async () => {
    const doc = await approvedDoc({ review_on: dayOffset(30) });
    const owner = d.user(DIR).id;
    const notes = () => countOf('notifications', `user_id = ${owner} AND kind = 'document_review' AND link = '/documents/${doc.id}'`);
    let res = await api('PATCH', `/api/v1/documents/${doc.id}`, { review_on: dayOffset(-3) }, tok(DIR));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().review_overdue, true);
    res = await api('GET', '/api/v1/documents?overdue=1&limit=200', undefined, tok(DIR));
    assert.ok(res.json().items.some((x) => x.id === doc.id));
    const n0 = notes();
    const run = () => execFileSync(BIN, ['remind', '--db', DB_URL, '--force'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: process.env, timeout: 120000 });
    run();
    assert.equal(notes(), n0 + 1);
    run();
    assert.equal(notes(), n0 + 1, 'once per review date');
    res = await api('PATCH', `/api/v1/documents/${doc.id}`, { review_on: dayOffset(-1) }, tok(DIR));
    assert.equal(res.status, 200);
    run();
    assert.equal(notes(), n0 + 2, 'a new review date passed is told again');
    assert.equal(countOf('audit_log', `entity = 'document' AND entity_id = ${doc.id} AND action = 'review_due'`), 2);
  });
});

describe('lists and pages', () => {
  test('filters by kind, status and words, paged, in scope only', async () => {
    const word = uniq('Mot');
    const a = await newDoc(DIR, { kind: 'form', title_fr: `Formulaire ${word}` });
    let res = await api('GET', `/api/v1/documents?q=${encodeURIComponent(word)}`, undefined, tok(DIR));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json().items.map((x) => x.id), [a.id]);
    res = await api('GET', `/api/v1/documents?q=${encodeURIComponent(word)}&kind=procedure`, undefined, tok(DIR));
    assert.equal(res.json().total, 0);
    res = await api('GET', `/api/v1/documents?q=${encodeURIComponent(word)}`, undefined, tok(STAFF));
    assert.equal(res.json().total, 0, 'a draft is not listed for the staff');
    res = await api('GET', '/api/v1/documents?status=draft&limit=200', undefined, tok(TANGER));
    assert.ok(!res.json().items.some((x) => x.node_id === d.eps1.id), 'no draft of another establishment');
    // the one search: the draft is found by its writers, not by the staff; approved, by the staff too
    const found = async (login) => (await api('GET', `/api/v1/search?q=${encodeURIComponent(word)}`, undefined, tok(login))).json().items
      .some((x) => x.type === 'document' && x.id === a.id);
    assert.equal(await found(DIR), true);
    assert.equal(await found(STAFF), false);
    assert.equal((await upload(a.id, DIR, pdf(`search ${a.code}`), { approve: '1' })).status, 201);
    assert.equal(await found(STAFF), true);
    assert.equal(await found(NOUR), false);
    res = await api('GET', '/api/v1/documents?kind=memo', undefined, tok(DIR));
    assert.equal(res.status, 422);
    res = await api('GET', '/api/v1/documents?limit=2', undefined, tok(DIR));
    assert.equal(res.json().items.length, 2);
    assert.ok(res.json().total > 2);
    const page = await (await signIn(DIR)).get(`/documents?q=${encodeURIComponent(word)}&kind=form`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`href="/documents/${a.id}"`));
  });

  test('the new document form keeps what was typed and creates a draft with its first file', async () => {
    const c = await signIn(DIR);
    const page = await c.get('/documents/new?lang=ar');
    assert.equal(page.status, 200);
    const before_ = counts();
    let res = await c.postMultipart('/documents?lang=ar', { node_id: String(d.eps1.id), kind: 'protocol', title_fr: '', title_ar: '', summary: 'ملخص مكتوب' }, []);
    assert.equal(res.status, 422, show(res));
    assert.ok(res.text.includes('ملخص مكتوب'));
    assert.ok(res.text.includes(html(translation('ar', 'Give the document a title, in French or in Arabic.'))));
    res = await c.postMultipart('/documents', { node_id: String(d.eps1.id), kind: 'protocol', title_ar: 'بروتوكول جديد', summary: 'ملخص' }, [{ field: 'file', filename: 'x.exe', type: 'application/octet-stream', data: Buffer.from('MZ\x90\x00') }]);
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(counts(), before_, 'a refused first file writes nothing');
    res = await c.postMultipart('/documents', { node_id: String(d.eps1.id), kind: 'protocol', title_ar: 'بروتوكول جديد', summary: 'ملخص' }, [{ field: 'file', ...pdf('first') }]);
    assert.equal(res.status, 303, show(res));
    const id = Number(res.location.split('/').pop());
    const got = await api('GET', `/api/v1/documents/${id}`, undefined, tok(DIR));
    assert.equal(got.json().version, 1);
    assert.equal(got.json().status, 'draft');
    assert.equal((await (await signIn(STAFF)).get('/documents/new')).status, 403);
  });

  test('the status and link forms of the page, with CSRF', async () => {
    const doc = await newDoc(DIR);
    assert.equal((await upload(doc.id, DIR, pdf('csrf'))).status, 201);
    const c = await signIn(DIR);
    const page = await c.get(`/documents/${doc.id}`);
    const form = parseForm(page.text, `/documents/${doc.id}/status`);
    assert.ok(form, 'status form');
    let res = await c.post(`/documents/${doc.id}/status`, { status: 'approved', rev: form.fields.rev }, { csrf: false });
    assert.equal(res.status, 403, 'no CSRF token');
    res = await c.api('POST', `/api/v1/documents/${doc.id}/status`, { status: 'approved' }, { csrf: false });
    assert.equal(res.status, 403, 'the API with a session needs the token too');
    assert.equal(dbValue(`SELECT status FROM documents WHERE id = ${doc.id}`), 'draft');
    res = await c.post(`/documents/${doc.id}/status`, { status: 'approved', rev: form.fields.rev });
    assert.equal(res.status, 303, show(res));
    assert.equal(dbValue(`SELECT status FROM documents WHERE id = ${doc.id}`), 'approved');
    res = await c.post(`/documents/${doc.id}/criteria`, { criterion: 'JOUDA-EPS-ENFANCE|7.1' });
    assert.equal(res.status, 303, show(res));
    res = await c.post(`/documents/${doc.id}/criteria`, { criterion: 'JOUDA-EPS-ENFANCE|0.0' });
    assert.equal(res.status, 422);
    const shown = await c.get(`/documents/${doc.id}`);
    assert.match(shown.text, /JOUDA-EPS-ENFANCE 7\.1/);
    res = await c.post(`/documents/${doc.id}/criteria/remove`, { criterion: 'JOUDA-EPS-ENFANCE|7.1' });
    assert.equal(res.status, 303);
    assert.equal(countOf('document_criteria', `document_id = ${doc.id}`), 0);
    // the staff may not use these forms
    const s = await signIn(STAFF);
    await s.get(`/documents/${doc.id}`);
    assert.equal((await s.post(`/documents/${doc.id}/status`, { status: 'archived' })).status, 403);
    assert.equal((await s.post(`/documents/${doc.id}/criteria`, { criterion: 'JOUDA-EPS-ENFANCE|7.1' })).status, 403);
  });

  test('uploads of those who may not write are refused before the body is read (403)', async () => {
    const doc = await approvedDoc();
    const before_ = countOf('document_versions');
    // announced at 5 MiB, 64 KiB sent: a server reading it would wait for the rest
    const big = { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(5 * 1024 * 1024) };
    const res = await rawRequest('POST', `/api/v1/documents/${doc.id}/versions`, {
      headers: { authorization: `Bearer ${tokenFor(STAFF)}`, ...big },
      body: Buffer.alloc(64 * 1024, 0x20),
    }).catch((e) => ({ status: 'error', text: String(e), headers: {} }));
    assert.equal(res.status, 403, res.text);
    // a new document with its file, by someone who writes documents nowhere
    const s = await signIn(STAFF);
    const page = await s.request('POST', '/documents', { headers: big, body: Buffer.alloc(64 * 1024, 0x20) })
      .catch((e) => ({ status: 'error', text: String(e), headers: {} }));
    assert.equal(page.status, 403, page.text);
    assert.equal(countOf('document_versions'), before_);
  });

  test('the audit log names the document and its actions', async () => {
    const doc = await approvedDoc();
    const c = await signIn('admin@jouda.ma', process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026');
    const page = await c.get(`/admin/audit?entity=document&entity_id=${doc.id}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('audit_entity.document'), 'the kind is translated');
  });
});
