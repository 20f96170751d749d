// referentiels.test.mjs - référentiels through the API and the pages: the
// ones shipped with the program, importing JSON and CSV (every problem at
// once, with its line and column or its item and field, in the reader's
// language, nothing written on refusal), exporting back the same document,
// versions (409 on a code and version that exist, publish, archive, a new
// version as a draft) and who may do what (admin and quality advisors
// manage; a draft is invisible to the others; a published version is read
// by everyone signed in and refused to their writes with 403).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, tokenFor, uniq, show, signIn, decodeEntities, translation, translated, dbValue, ADMIN_EMAIL,
} from './lib.mjs';

const QA = 'conseil@amal.ma';
const DIR = 'directrice.casa@amal.ma';
let qa;
let dir;
let root;

before(() => {
  qa = { token: tokenFor(QA) };
  dir = { token: tokenFor(DIR) };
  root = { token: tokenFor(ADMIN_EMAIL) };
});

/** A small canonical document (keys in the documented order, empty ones left out). */
function doc(code, version = 1) {
  return {
    format: 'jouda-referentiel/1',
    code,
    version,
    title_fr: 'Référentiel de test',
    title_ar: 'مرجعية الاختبار',
    levels: ['Thématique', 'Critère'],
    items: [
      { code: '1', level: 'Thématique', title_fr: 'Droits', title_ar: 'الحقوق' },
      {
        code: '1.1', parent_code: '1', level: 'Critère', title_fr: "L'enfant connaît ses droits", title_ar: 'يعرف الطفل حقوقه',
        imperative: true, categories: ['children'], methods: ['interview', 'documents'],
        elements_fr: ['Un livret est remis', 'Il est expliqué'], elements_ar: ['يسلم كتيب'],
        evidence_fr: ["Livret d'accueil"], guidance_fr: 'Demander à un enfant.\nPuis à un éducateur.',
        crosswalk: [{ referentiel: 'Q4C', code: '5' }],
      },
      { code: '1.2', parent_code: '1', title_fr: 'La vie privée est respectée' },
      { code: '2', title_fr: 'Santé' },
      { code: '2.1', parent_code: '2', title_fr: 'Un suivi médical régulier' },
    ],
  };
}

// the language of the answer: ?lang= (the accounts' saved language would win over Accept-Language)
async function importJson(body, who = qa, lang = 'fr') {
  return api('POST', `/api/v1/referentiels?lang=${lang}`, body, who);
}
async function importCsv(text, params, who = qa, lang = 'fr') {
  const q = new URLSearchParams({ ...params, lang }).toString();
  return api('POST', `/api/v1/referentiels?${q}`, text, { ...who, type: 'text/csv' });
}
const count = () => Number(dbValue('SELECT COUNT(*) FROM referentiels'));

describe('shipped référentiels', () => {
  test('Jouda EPS-Enfance, Jouda Mère-Enfant and Q4C are published at the platform', async () => {
    const res = await api('GET', '/api/v1/referentiels?status=published', undefined, dir);
    assert.equal(res.status, 200, show(res));
    const byCode = new Map(res.json().items.map((r) => [r.code, r]));
    for (const code of ['JOUDA-EPS-ENFANCE', 'JOUDA-MERE-ENFANT', 'Q4C']) {
      assert.ok(byCode.has(code), `${code} listed`);
      assert.equal(byCode.get(code).status, 'published');
      assert.equal(byCode.get(code).node_id, 1, `${code} belongs to the platform`);
    }
    assert.ok(byCode.get('JOUDA-EPS-ENFANCE').criteria >= 45, 'at least 45 criteria');
    assert.equal(byCode.get('Q4C').criteria, 18);
    const drafts = await api('GET', '/api/v1/referentiels?status=draft', undefined, qa);
    assert.ok(drafts.json().items.every((r) => r.status === 'draft'), 'the status filter applies');
    assert.equal((await api('GET', '/api/v1/referentiels?status=old', undefined, qa)).status, 422);
    const found = (await api('GET', `/api/v1/referentiels?q=${encodeURIComponent('quality4children')}`, undefined, dir)).json().items;
    assert.deepEqual(found.map((r) => r.code), ['Q4C'], 'searched by title, whatever the case');
  });

  test('every criterion of Jouda EPS-Enfance has its texts in French and Arabic and serves a Q4C standard', async () => {
    const list = (await api('GET', '/api/v1/referentiels', undefined, dir)).json().items;
    const id = list.find((r) => r.code === 'JOUDA-EPS-ENFANCE').id;
    const res = await api('GET', `/api/v1/referentiels/${id}`, undefined, dir);
    assert.equal(res.status, 200, show(res));
    const j = res.json();
    const parents = new Set(j.items.map((i) => i.parent_code).filter(Boolean));
    const themes = j.items.filter((i) => !i.parent_code);
    const criteria = j.items.filter((i) => !parents.has(i.code));
    assert.ok(themes.length >= 8, `${themes.length} themes`);
    assert.ok(criteria.some((c) => c.imperative), 'imperative criteria are marked');
    for (const c of criteria) {
      for (const k of ['title_fr', 'title_ar', 'guidance_fr', 'guidance_ar']) assert.ok(c[k], `${c.code} ${k}`);
      for (const k of ['elements_fr', 'elements_ar', 'evidence_fr', 'evidence_ar']) assert.ok(c[k]?.length > 0, `${c.code} ${k}`);
      assert.ok(c.crosswalk?.every((x) => x.referentiel === 'Q4C'), `${c.code} maps to Q4C`);
    }
  });
});

describe('import and export', () => {
  test('a JSON document comes back the same from GET, and a draft is listed for its manager only', async () => {
    const code = uniq('T-').toUpperCase();
    const before_ = count();
    const res = await importJson(doc(code));
    assert.equal(res.status, 201, show(res));
    const { id } = res.json();
    assert.equal(count(), before_ + 1);
    const back = await api('GET', `/api/v1/referentiels/${id}`, undefined, qa);
    assert.equal(back.status, 200, show(back));
    assert.deepEqual(back.json(), doc(code));
    // a director sees neither the draft nor it in the list
    assert.equal((await api('GET', `/api/v1/referentiels/${id}`, undefined, dir)).status, 404);
    const listed = (await api('GET', '/api/v1/referentiels', undefined, dir)).json().items.map((r) => r.id);
    assert.equal(listed.includes(id), false);
    assert.ok((await api('GET', '/api/v1/referentiels', undefined, qa)).json().items.some((r) => r.id === id && r.status === 'draft'));
  });

  test('the same code and version again: 409 and nothing added; a new version number is added beside it', async () => {
    const code = uniq('V-').toUpperCase();
    assert.equal((await importJson(doc(code))).status, 201);
    const n = count();
    const again = await importJson(doc(code));
    assert.equal(again.status, 409, show(again));
    assert.equal(again.json().error.code, 'conflict');
    assert.equal(count(), n);
    const v2 = await importJson(doc(code, 2));
    assert.equal(v2.status, 201, show(v2));
    assert.equal(count(), n + 1);
  });

  test('CSV with a byte-order mark, semicolons, quoted line breaks and rows in any order', async () => {
    const code = uniq('C-').toUpperCase();
    const csv = '\ufeffcode;parent_code;level;title_fr;title_ar;imperative;categories;elements_fr;elements_ar;evidence_fr;evidence_ar;guidance_fr;guidance_ar\r\n' +
      '1.1;1;Critère;"Droit à l\'information; ""livret""";يعرف حقوقه;oui;children|women;"Un livret|Une réunion";;;;"Ligne 1\nLigne 2";\r\n' +
      '1;;Thématique;Droits;الحقوق;;;;;;;;\r\n' +
      '1.2;1;Critère;Vie privée;;non;;;;;;;\r\n';
    const res = await importCsv(csv, { code, version: '3', title_fr: 'Import CSV', title_ar: 'استيراد' });
    assert.equal(res.status, 201, show(res));
    const j = (await api('GET', `/api/v1/referentiels/${res.json().id}`, undefined, qa)).json();
    assert.equal(j.version, 3);
    assert.equal(j.title_ar, 'استيراد');
    assert.deepEqual(j.levels, ['Thématique', 'Critère']);
    assert.deepEqual(j.items.map((i) => i.code), ['1', '1.1', '1.2'], 'tree order: the parent first');
    const c = j.items[1];
    assert.equal(c.title_fr, 'Droit à l\'information; "livret"');
    assert.equal(c.imperative, true);
    assert.deepEqual(c.categories, ['children', 'women']);
    assert.deepEqual(c.elements_fr, ['Un livret', 'Une réunion']);
    assert.equal(c.guidance_fr, 'Ligne 1\nLigne 2');
    assert.equal('imperative' in j.items[2], false);
  });

  test('the CSV export reads back as the same tree, formulas neutralised', async () => {
    const code = uniq('X-').toUpperCase();
    const d0 = doc(code);
    d0.items[2].title_fr = '=HYPERLINK("http://x")';
    const id = (await importJson(d0)).json().id;
    const res = await api('GET', `/api/v1/referentiels/${id}.csv`, undefined, qa);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^text\/csv/);
    assert.match(res.headers['content-disposition'] || '', /attachment/);
    assert.ok(res.text.includes(`'=HYPERLINK(""http://x"")`), 'the formula is neutralised and quoted');
    const again = await importCsv(res.text, { code, version: '9', title_fr: 'Copie' });
    assert.equal(again.status, 201, show(again));
    const j = (await api('GET', `/api/v1/referentiels/${again.json().id}`, undefined, qa)).json();
    assert.deepEqual(j.items.map((i) => [i.code, i.parent_code ?? null, i.title_fr]),
      d0.items.map((i) => [i.code, i.parent_code ?? null, i.title_fr]));
    assert.deepEqual(j.items[1].elements_fr, d0.items[1].elements_fr);
  });

  test('500 criteria import at once', async () => {
    let csv = 'code,parent_code,title_fr,imperative\n';
    for (let t = 1; t <= 10; t++) {
      csv += `${t},,Thème ${t},\n`;
      for (let c = 1; c <= 50; c++) csv += `${t}.${c},${t},Critère ${t}.${c},${c % 10 === 0 ? 'yes' : 'no'}\n`;
    }
    const res = await importCsv(csv, { code: uniq('BIG-').toUpperCase(), version: '1', title_fr: 'Grand' });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().criteria, 500);
  });
});

describe('refusals', () => {
  test('CSV problems: every one at once, with the line its record starts on and the column, in French', async () => {
    const n = count();
    const csv = 'code,parent_code,title_fr,imperative,categories\n' +
      '1,,"Un titre\nsur deux lignes",,\n' + // record on line 2 (title with a line break)
      '1.1,1,Correct,peut-être,\n' + // line 4: imperative
      '1.2,1,Autre,,enfants\n' + // line 5: unknown category
      '1.3,1,,,\n'; // line 6: no title
    const res = await importCsv(csv, { code: uniq('P-').toUpperCase(), version: '1', title_fr: 'Problèmes' });
    assert.equal(res.status, 422, show(res));
    const p = res.json().error.problems.map((x) => [x.line, x.column, x.message]);
    assert.deepEqual(p, [
      [2, 'title_fr', translation('fr', 'This text must stay on one line.')],
      [4, 'imperative', translation('fr', 'Write 1 or 0, oui or non, yes or no.')],
      [5, 'categories', translated('fr', 'Unknown value: %s.', 'enfants')],
      [6, 'title_fr', translation('fr', 'This field is required.')],
    ]);
    assert.equal(count(), n, 'nothing written');
  });

  test('CSV problems in Arabic for an Arabic reader; a missing parent names the code', async () => {
    const csv = 'code,parent_code,title_fr\n1,,Un\n1.1,9,Deux\n';
    const res = await importCsv(csv, { code: uniq('A-').toUpperCase(), version: '1', title_fr: 'T' }, qa, 'ar');
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(res.json().error.problems, [
      { line: 3, column: 'parent_code', message: translated('ar', 'No item has the code %s.', '9') },
    ]);
  });

  test('JSON problems name the item code and the field', async () => {
    const d0 = doc(uniq('J-').toUpperCase());
    d0.items[1].categories = ['kids'];
    d0.items[3].imperative = 'yes';
    d0.items.push({ code: '3.1', parent_code: '3', title_fr: 'Orphelin' });
    d0.extra = 1;
    const res = await importJson(d0, qa, 'en');
    assert.equal(res.status, 422, show(res));
    const p = res.json().error.problems.map((x) => [x.code ?? null, x.field]);
    assert.deepEqual(p.sort(), [[null, 'extra'], ['1.1', 'categories'], ['2', 'imperative'], ['3.1', 'parent_code']].sort(),
      'fields and tree checked together: every problem at once');
    for (const x of res.json().error.problems) assert.equal(typeof x.message, 'string');
  });

  test('a cycle, a duplicate code and criterion fields on a theme are refused', async () => {
    const d0 = doc(uniq('S-').toUpperCase());
    d0.items[0].parent_code = '1.2';
    let res = await importJson(d0);
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.problems[0].field, 'parent_code');
    const d1 = doc(uniq('S-').toUpperCase());
    d1.items[4].code = '1.2';
    res = await importJson(d1);
    assert.equal(res.status, 422);
    assert.deepEqual(res.json().error.problems.map((x) => [x.code, x.field]), [['1.2', 'code']]);
    const d2 = doc(uniq('S-').toUpperCase());
    d2.items[0].imperative = true;
    res = await importJson(d2);
    assert.equal(res.status, 422);
    assert.deepEqual(res.json().error.problems.map((x) => [x.code, x.field]), [['1', 'imperative']]);
  });

  test('invalid UTF-8 in a CSV, a wrong body type, a body that is not an object', async () => {
    const bad = Buffer.concat([Buffer.from('code,title_fr\n1,ok\n2,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    let res = await importCsv(bad, { code: uniq('U-').toUpperCase(), version: '1', title_fr: 'T' });
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(res.json().error.problems.map((x) => [x.line, x.column]), [[3, 'title_fr']]);
    res = await api('POST', '/api/v1/referentiels', 'code,title_fr', { ...qa, type: 'text/plain' });
    assert.equal(res.status, 415, show(res));
    res = await api('POST', '/api/v1/referentiels', '[1]', qa);
    assert.equal(res.status, 400, show(res));
  });

  test('a director may read a published référentiel but not import, publish or make a version: 403', async () => {
    const list = (await api('GET', '/api/v1/referentiels', undefined, dir)).json().items;
    const id = list.find((r) => r.code === 'Q4C').id;
    assert.equal((await importJson(doc(uniq('D-').toUpperCase()), dir)).status, 403);
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/archive`, undefined, dir)).status, 403);
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/versions`, undefined, dir)).status, 403);
    assert.equal((await api('GET', `/api/v1/referentiels/${id}.csv`, undefined, dir)).status, 200);
  });
});

describe('versions', () => {
  test('draft -> published (immutable) -> new version as a draft -> archived, each audited', async () => {
    const code = uniq('L-').toUpperCase();
    const id = (await importJson(doc(code))).json().id;
    let res = await api('POST', `/api/v1/referentiels/${id}/publish`, undefined, qa);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'published');
    res = await api('POST', `/api/v1/referentiels/${id}/publish`, undefined, qa);
    assert.equal(res.status, 409, show(res));
    assert.equal((await api('GET', `/api/v1/referentiels/${id}`, undefined, dir)).status, 200, 'published: read by all');
    res = await api('POST', `/api/v1/referentiels/${id}/versions`, undefined, qa);
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().version, 2);
    assert.equal(res.json().status, 'draft');
    const copy = (await api('GET', `/api/v1/referentiels/${res.json().id}`, undefined, qa)).json();
    assert.deepEqual({ ...copy, version: 1 }, doc(code));
    res = await api('POST', `/api/v1/referentiels/${id}/archive`, undefined, qa);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'archived');
    const actions = dbValue(`SELECT COUNT(*) FROM audit_log WHERE entity = 'referentiel' AND entity_id = ${id}`);
    assert.equal(Number(actions), 4, 'import, publish, new version, archive');
  });

  test('the root administrator owns what they import at the platform; an association advisor cannot touch it', async () => {
    const id = (await importJson(doc(uniq('R-').toUpperCase()), root)).json().id;
    assert.equal((await api('GET', `/api/v1/referentiels/${id}`, undefined, qa)).status, 404, 'a draft of the platform');
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/publish`, undefined, qa)).status, 404);
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/publish`, undefined, root)).status, 200);
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/archive`, undefined, qa)).status, 403, 'published: visible, not theirs');
  });
});

describe('pages', () => {
  test('import with a preview, then confirm: a draft whose tree shows the items', async () => {
    const c = await signIn(QA);
    const code = uniq('PG-').toUpperCase();
    const body = JSON.stringify(doc(code));
    let res = await c.postMultipart('/referentiels/import', { step: 'preview' }, [{ field: 'file', filename: 'r.json', type: 'application/json', data: Buffer.from(body) }]);
    assert.equal(res.status, 200, show(res));
    const html = decodeEntities(res.text);
    assert.ok(html.includes(code) && html.includes('Droits'), 'the preview names the document and its themes');
    assert.equal(dbValue(`SELECT COUNT(*) FROM referentiels WHERE code = '${code}'`), '0', 'a preview writes nothing');
    res = await c.postMultipart('/referentiels/import', { step: 'confirm', content: body });
    assert.equal(res.status, 303, show(res));
    const loc = res.headers.location;
    assert.match(loc, /^\/referentiels\/\d+$/);
    res = await c.get(`${loc}?open=all`);
    assert.equal(res.status, 200);
    const page = decodeEntities(res.text);
    for (const t of ['Droits', "L'enfant connaît ses droits", 'Un livret est remis', 'Q4C 5']) assert.ok(page.includes(t), `shows ${t}`);
  });

  test('an Arabic reader sees the Arabic texts, and French ones marked where Arabic is missing', async () => {
    const c = await signIn(QA, undefined, { lang: 'ar' });
    const id = (await importJson(doc(uniq('AR-').toUpperCase()))).json().id;
    const res = await c.get(`/referentiels/${id}?open=all&lang=ar`);
    assert.equal(res.status, 200);
    const page = decodeEntities(res.text);
    assert.ok(page.includes('يعرف الطفل حقوقه'), 'the Arabic title');
    assert.ok(page.includes('La vie privée est respectée'), 'the French title where there is no Arabic one');
    assert.ok(page.includes(translation('ar', 'in French')), 'marked as French');
  });

  test('import page problems are listed with their place, and what was pasted stays in the form', async () => {
    const c = await signIn(QA);
    const content = 'code,parent_code,title_fr\n1,,Un\n1.1,7,Deux\n';
    const res = await c.postMultipart('/referentiels/import', { step: 'preview', content, code: 'PAGE-P', version: '1', title_fr: 'T' });
    assert.equal(res.status, 422, show(res));
    const html = decodeEntities(res.text);
    assert.ok(html.includes(translated('fr', 'No item has the code %s.', '7')));
    assert.ok(html.includes('1.1,7,Deux'), 'the pasted text is kept');
  });
});
