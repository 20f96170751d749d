// attachments.test.mjs - documents attached to a node: upload (page and API),
// type checked from the bytes, office documents' containers checked (of their
// kind, no programs, pages or macros inside, not encrypted, no zip bombs:
// 422 with a message of its own), size limits, download with
// Content-Disposition and nosniff, readable only by those who can read the node.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import {
  api, tokenFor, demo, show, signIn, smallPdf, multipart, rawRequest, BASE, zipArchive, docxParts, odtParts, translation,
  decodeEntities,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
before(async () => { d = await demo(); });

function upload(nodeId, file, who = DIR) {
  const mp = multipart({}, [file]);
  return api('POST', `/api/v1/nodes/${nodeId}/attachments`, mp.body, { token: tokenFor(who), type: mp.contentType });
}

describe('upload and download', () => {
  let id;
  const pdf = smallPdf('rapport annuel');

  test('a director uploads a PDF to her EPS through the API (201)', async () => {
    const res = await upload(d.eps1.id, { field: 'file', filename: 'Rapport annuel 2025.pdf', type: 'application/pdf', data: pdf });
    assert.equal(res.status, 201, show(res));
    const a = res.json();
    assert.equal(typeof a.id, 'number');
    id = a.id;
    const list = await api('GET', `/api/v1/nodes/${d.eps1.id}/attachments`, undefined, { token: tokenFor(DIR) });
    assert.equal(list.status, 200, show(list));
    const items = list.json().items || list.json();
    assert.ok(items.some((x) => x.id === id), 'listed on the node');
  });

  test('download: same bytes, attachment, nosniff, the detected type', async () => {
    const c = await signIn(DIR);
    const res = await c.get(`/attachments/${id}`);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^application\/pdf/);
    assert.match(res.headers['content-disposition'] || '', /^attachment;/);
    assert.match(res.headers['content-disposition'], /filename/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(res.body, pdf);
  });

  test('the quality referent of the EPS reads it too; staff of a unit does not', async () => {
    const ref = await signIn('referent.casa@amal.ma');
    assert.equal((await ref.get(`/attachments/${id}`)).status, 200);
    const fatima = await signIn('mere.fatima');
    assert.equal((await fatima.get(`/attachments/${id}`)).status, 404);
  });

  test('another EPS director gets 404 everywhere', async () => {
    const c = await signIn('directeur.tanger@amal.ma');
    assert.equal((await c.get(`/attachments/${id}`)).status, 404);
    const t = { token: tokenFor('directeur.tanger@amal.ma') };
    assert.equal((await api('GET', `/api/v1/nodes/${d.eps1.id}/attachments`, undefined, t)).status, 404);
    const res = await upload(d.eps1.id, { field: 'file', filename: 'x.pdf', type: 'application/pdf', data: pdf }, 'directeur.tanger@amal.ma');
    assert.equal(res.status, 404, show(res));
    const nour = await signIn('admin@nour.ma');
    assert.equal((await nour.get(`/attachments/${id}`)).status, 404);
  });

  test('without a session: the login page, not the file', async () => {
    const res = await rawRequest('GET', `/attachments/${id}`);
    assert.equal(res.status, 303);
    assert.equal(new URL(res.location, BASE).pathname, '/login');
  });

  test('upload through the page form (multipart with the CSRF token): 303', async () => {
    const c = await signIn(DIR);
    await c.get(`/admin/nodes/${d.eps1.id}`);
    const res = await c.postMultipart(`/admin/nodes/${d.eps1.id}/documents`, {}, [
      { field: 'file', filename: 'Projet d\'établissement.pdf', type: 'application/pdf', data: smallPdf('projet') },
    ]);
    assert.equal(res.status, 303, show(res));
    const page = await c.get(new URL(res.location, BASE).pathname);
    assert.equal(page.status, 200);
    const noCsrf = await c.postMultipart(`/admin/nodes/${d.eps1.id}/documents`, {}, [
      { field: 'file', filename: 'sans-jeton.pdf', type: 'application/pdf', data: smallPdf('x') },
    ], { csrf: false });
    assert.equal(noCsrf.status, 403, show(noCsrf));
  });

  test('other allowed types: PNG and UTF-8 text', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d49444154789c6300010000050001' + '0d0a2db40000000049454e44ae426082', 'hex');
    const r1 = await upload(d.eps1.id, { field: 'file', filename: 'photo.png', type: 'image/png', data: png });
    assert.equal(r1.status, 201, show(r1));
    const r2 = await upload(d.eps1.id, { field: 'file', filename: 'notes.txt', type: 'text/plain', data: 'Réunion du 12 mars : ordre du jour.\nاجتماع\n' });
    assert.equal(r2.status, 201, show(r2));
  });
});

describe('refused uploads', () => {
  test('an executable is refused (422)', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90), Buffer.from('This program cannot be run in DOS mode')]);
    const res = await upload(d.eps1.id, { field: 'file', filename: 'setup.exe', type: 'application/octet-stream', data: exe });
    assert.equal(res.status, 422, show(res));
    const res2 = await upload(d.eps1.id, { field: 'file', filename: 'facture.pdf', type: 'application/pdf', data: exe });
    assert.equal(res2.status, 422, `an executable named .pdf: ${show(res2)}`);
  });

  test('HTML, even disguised, is refused (422)', async () => {
    const html = '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>';
    for (const [filename, type] of [['page.html', 'text/html'], ['rapport.pdf', 'application/pdf'], ['image.png', 'image/png'], ['dessin.svg', 'image/svg+xml']]) {
      const res = await upload(d.eps1.id, { field: 'file', filename, type, data: html });
      assert.equal(res.status, 422, `${filename}: ${show(res)}`);
    }
  });

  test('an empty file or no file is refused (422)', async () => {
    const res = await upload(d.eps1.id, { field: 'file', filename: 'vide.pdf', type: 'application/pdf', data: Buffer.alloc(0) });
    assert.equal(res.status, 422, show(res));
    const mp = multipart({ note: 'rien' }, []);
    const none = await api('POST', `/api/v1/nodes/${d.eps1.id}/attachments`, mp.body, { token: tokenFor(DIR), type: mp.contentType });
    assert.equal(none.status, 422, show(none));
  });

  test('office documents are accepted when they are what their name says', async () => {
    const docx = await upload(d.eps1.id, { field: 'file', filename: 'Projet.docx', data: zipArchive(docxParts('Projet')) });
    assert.equal(docx.status, 201, show(docx));
    assert.match(docx.json().content_type, /wordprocessingml\.document$/);
    const odt = await upload(d.eps1.id, { field: 'file', filename: 'Projet.odt', data: zipArchive(odtParts()) });
    assert.equal(odt.status, 201, show(odt));
    assert.equal(odt.json().content_type, 'application/vnd.oasis.opendocument.text');
  });

  test('a zip holding evil.html and run.exe named .docx is refused (422), page and API, in the user\'s language', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([64, 0, 0, 0]), Buffer.from('PE\0\0'), Buffer.alloc(64)]);
    const evil = zipArchive([
      { name: 'evil.html', data: '<html><script>alert(document.cookie)</script></html>' },
      { name: 'run.exe', data: exe },
    ]);
    const msgid = 'This document contains programs, scripts, macros or web pages, which are not accepted. Save it again without them, or send it as a PDF.';
    const bare = await upload(d.eps1.id, { field: 'file', filename: 'evil.docx', data: evil });
    assert.equal(bare.status, 422, show(bare));
    // the same parts inside a real Word document's container
    const inDocx = zipArchive([...docxParts(), { name: 'evil.html', data: '<html><script>alert(1)</script></html>' }, { name: 'run.exe', data: exe }]);
    const res = await upload(d.eps1.id, { field: 'file', filename: 'evil.docx', data: inDocx });
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'invalid');
    assert.equal(res.json().error.message, translation('fr', msgid));
    const mp = multipart({}, [{ field: 'file', filename: 'evil.docx', data: inDocx }]);
    const arRes = await api('POST', `/api/v1/nodes/${d.eps1.id}/attachments?lang=ar`, mp.body, { token: tokenFor(DIR), type: mp.contentType });
    assert.equal(arRes.status, 422, show(arRes));
    assert.equal(arRes.json().error.fields.file, translation('ar', msgid));
    // the page form: 422 with the message next to the field
    const c = await signIn(DIR);
    await c.get(`/admin/nodes/${d.eps1.id}?lang=fr`);
    const page = await c.postMultipart(`/admin/nodes/${d.eps1.id}/documents`, {}, [{ field: 'file', filename: 'evil.docx', data: inDocx }]);
    assert.equal(page.status, 422, show(page));
    assert.ok(decodeEntities(page.text).includes(translation('fr', msgid)), 'the message on the page');
  });

  test('documents with macros, scripts or pages inside, under any name, are refused (422)', async () => {
    const variants = [
      ['macros', [...docxParts(), { name: 'word/vbaProject.bin', data: Buffer.from('d0cf11e0a1b11ae1', 'hex') }]],
      ['an SVG outside the pictures folder', [...docxParts(), { name: 'word/image1.svg', data: '<svg xmlns="http://www.w3.org/2000/svg"/>' }]],
      ['SVG markup under a PNG name', [...docxParts(), { name: 'word/media/image1.png', data: '<svg xmlns="http://www.w3.org/2000/svg"/>' }]],
      ['a script', [...odtParts(), { name: 'Scripts/javascript/Library/a.js', data: 'app.alert(1)' }]],
      ['a page under a picture\'s name', [...docxParts(), { name: 'word/media/image1.png', data: '<!DOCTYPE html><html><body>x</body></html>' }]],
      ['a program under an XML name', [...docxParts(), { name: 'customXml/item1.xml', data: Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(60)]) }]],
    ];
    for (const [what, parts] of variants) {
      const res = await upload(d.eps1.id, { field: 'file', filename: /mimetype/.test(parts[0].name) ? 'projet.odt' : 'projet.docx', data: zipArchive(parts) });
      assert.equal(res.status, 422, `${what}: ${show(res)}`);
    }
  });

  test('not the container its name says, encrypted, or a zip bomb: 422 with a message of its own', async () => {
    const cases = [
      ['a plain zip named .docx', 'archive.docx', zipArchive([{ name: 'notes.txt', data: 'du texte' }]),
        'This file is not a valid document of the kind its name gives. Save it again from its application, or send it as a PDF.'],
      ['a Word document named .odt', 'projet.odt', zipArchive(docxParts()),
        'This file is not a valid document of the kind its name gives. Save it again from its application, or send it as a PDF.'],
      ['an encrypted part', 'secret.docx', zipArchive([...docxParts(), { name: 'word/comments.xml', data: '<c/>', encrypted: true }]),
        'This document is protected by a password. Send it without the protection.'],
    ];
    // a zip bomb: 64 MiB of zeros deflated to a few KB, five times (320 MiB once unpacked)
    const zeros = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const bomb = [...docxParts()];
    for (let i = 0; i < 5; i++) bomb.push({ name: `word/media/zeros${i}.bin`, data: zeros, declaredSize: 64 * 1024 * 1024 });
    cases.push(['a zip bomb', 'bombe.docx', zipArchive(bomb),
      'This document is too large once unpacked, or has too many parts. Send it as a PDF, or in several files.']);
    for (const [what, filename, data, msgid] of cases) {
      const res = await upload(d.eps1.id, { field: 'file', filename, data });
      assert.equal(res.status, 422, `${what}: ${show(res)}`);
      assert.equal(res.json().error.message, translation('fr', msgid), what);
    }
  });

  test('too large: 413', async () => {
    const big = Buffer.concat([smallPdf('big'), Buffer.alloc(9 * 1024 * 1024, 0x20)]);
    const res = await upload(d.eps1.id, { field: 'file', filename: 'enorme.pdf', type: 'application/pdf', data: big });
    assert.equal(res.status, 413, show(res));
    const huge = Buffer.concat([smallPdf('huge'), Buffer.alloc(11 * 1024 * 1024, 0x20)]);
    const res2 = await upload(d.eps1.id, { field: 'file', filename: 'enorme.pdf', type: 'application/pdf', data: huge });
    assert.equal(res2.status, 413, show(res2));
    assert.equal((await rawRequest('GET', '/healthz')).status, 200);
  });

  test('a JSON body is the wrong type (415)', async () => {
    const res = await api('POST', `/api/v1/nodes/${d.eps1.id}/attachments`, { file: 'x' }, { token: tokenFor(DIR) });
    assert.equal(res.status, 415, show(res));
  });

  test('the file name cannot inject headers or paths', async () => {
    const res = await upload(d.eps1.id, { field: 'file', filename: '../../etc/passwd";\r\nX-Evil: 1.pdf', type: 'application/pdf', data: smallPdf('n') });
    assert.ok([201, 422].includes(res.status), show(res));
    if (res.status === 201) {
      const c = await signIn(DIR);
      const dl = await c.get(`/attachments/${res.json().id}`);
      assert.equal(dl.status, 200);
      assert.equal(dl.headers['x-evil'], undefined);
      assert.doesNotMatch(dl.headers['content-disposition'], /\.\.\//);
    }
  });
});
