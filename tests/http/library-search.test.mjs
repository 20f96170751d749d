// library-search.test.mjs - the one search (GET /search, GET /api/v1/search)
// over capitalisation sheets, documents, criteria and projet sections, on
// SQLite and PostgreSQL alike: French found with and without accents and in
// any case, Arabic with and without harakat and tatweel and with its letter
// variants (alef forms, ta marbuta / ha, alef maqsura / ya) and without its
// article; every word must match, the last ones as prefixes; only what the
// reader may read (a director of one EPS never sees another EPS's draft
// sections; the staff of a unit read their EPS's projet; a référentiel's
// criteria appear when it is published and leave when it is archived);
// the snippet shows the stored text with the words found marked, Markdown
// marks and link targets left out, nothing raw; a title hit ranks first;
// 422 for an empty, too short or too long query and an unknown type, in the
// reader's language; the API's shape and paging; the page works without
// JavaScript, in French and Arabic.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, show, translation, signIn, uniq, ADMIN_EMAIL, ADMIN_PASSWORD, decodeEntities, freeProjectYear } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const TANGER = 'directeur.tanger@amal.ma';
const MERE = 'mere.fatima'; // staff of a unit (Maison 1) of Casablanca
const NOUR = 'directrice@nour.ma';
const ADV = 'conseil@amal.ma';
const tok = (l) => ({ token: tokenFor(l) });
let d;
let year; // periods no other test file uses, from freeProjectYear()

async function search(login, q, extra = '') {
  const res = await api('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, undefined, tok(login));
  assert.equal(res.status, 200, show(res));
  return res.json();
}
const keys = (j) => j.items.map((x) => `${x.type}:${x.id}`).sort();
const has = (j, type, id) => j.items.some((x) => x.type === type && x.id === id);

async function newProject(lang = 'fr') {
  const y = year;
  year += 6;
  const res = await api('POST', '/api/v1/projects', {
    node_id: d.eps1.id, title: uniq('Projet recherche'), period_start: `${y}-01-01`, period_end: `${y + 4}-12-31`, lang,
  }, tok(DIR));
  assert.equal(res.status, 201, show(res));
  return res.json();
}
async function writeSection(p, key, content) {
  const res = await api('PUT', `/api/v1/projects/${p.id}/sections/${key}`, { content }, tok(DIR));
  assert.equal(res.status, 200, show(res));
}

before(async () => {
  d = await demo();
  year = freeProjectYear();
});

describe('projet sections', () => {
  let p, word;
  before(async () => {
    p = await newProject();
    word = uniq('zq').toLowerCase();
    await writeSection(p, 'history', `## L'Écoute\n\nL'**écoute** bienveillante des familles ${word}, voir [le guide](https://exemple.ma/guide_${word}) <script>alert(1)</script>.`);
  });

  test('French with and without accents, in any case, finds the same section', async () => {
    const a = await search(DIR, `écoute ${word}`);
    const b = await search(DIR, `ECOUTE ${word.toUpperCase()}`);
    const c = await search(DIR, `Ecout ${word}`); // prefixes
    assert.equal(a.total, 1, JSON.stringify(a));
    assert.deepEqual(keys(a), keys(b));
    assert.deepEqual(keys(a), keys(c));
    const item = a.items[0];
    assert.equal(item.type, 'section');
    assert.equal(item.href, `/projects/${p.id}/sections/history`);
    assert.equal(item.node_id, d.eps1.id);
    assert.equal(item.lang, 'fr');
    // every word must match
    assert.equal((await search(DIR, `écoute ${word} tanger`)).total, 0);
  });

  test('the snippet: stored text, words found marked, Markdown and link targets left out', async () => {
    const j = await search(DIR, `écoute ${word}`);
    const item = j.items[0];
    assert.match(item.snippet, /L'écoute bienveillante/);
    assert.doesNotMatch(item.snippet, /\*\*|##|https|\]\(/);
    assert.match(item.snippet, /le guide/);
    const hits = item.segments.filter((s) => s.hit).map((s) => s.text);
    assert.ok(hits.includes('Écoute') || hits.includes('écoute'), JSON.stringify(item.segments));
    assert.ok(hits.includes(word), JSON.stringify(item.segments));
    assert.equal(item.segments.map((s) => s.text).join(''), item.snippet);
    // the page escapes it: the script is text, the words found are marked
    const c = await signIn(DIR);
    const res = await c.get(`/search?q=${encodeURIComponent(`écoute ${word}`)}`);
    assert.equal(res.status, 200, show(res));
    assert.ok(!res.text.includes('<script>alert'), 'no raw HTML from the stored text');
    assert.match(res.text, /&lt;script&gt;alert/);
    assert.match(res.text, new RegExp(`<mark>${word}</mark>`));
    assert.ok(res.text.includes(`href="/projects/${p.id}/sections/history"`));
  });

  test('only what the reader may read: the section of EPS A is not for the director of EPS B', async () => {
    const q = `écoute ${word}`;
    assert.equal((await search(TANGER, q)).total, 0);
    assert.equal((await search(NOUR, q)).total, 0);
    // the staff of a unit of the EPS read its projet, the association's advisor too
    assert.equal((await search(MERE, q)).total, 1);
    assert.equal((await search(ADV, q)).total, 1);
    assert.equal((await search(ADMIN_EMAIL, q)).total, 1);
    // the counts say no more than the items
    const j = await search(TANGER, q);
    assert.deepEqual(Object.values(j.counts).reduce((a, b) => a + b, 0), 0);
    const page = await (await signIn(TANGER)).get(`/search?q=${encodeURIComponent(q)}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(`/projects/${p.id}/`), 'nothing of EPS A on the page');
  });

  test('a new text replaces the old one in the search', async () => {
    const before = uniq('zr').toLowerCase();
    const after = uniq('zw').toLowerCase();
    await writeSection(p, 'missions', `Les missions ${before}.`);
    assert.equal((await search(DIR, before)).total, 1);
    await writeSection(p, 'missions', `Autre texte ${after}.`);
    assert.equal((await search(DIR, before)).total, 0);
    assert.equal((await search(DIR, after)).total, 1);
  });

  test('Arabic with and without harakat, tatweel, letter variants and article finds the same section', async () => {
    const ar = await newProject('ar');
    const tag = uniq('zs').toLowerCase();
    await writeSection(ar, 'history', `تَعْمَلُ المُؤَسَّسَةُ عَلَى حِمَايَةِ الأَطْفَالِ فِي المَدْرَسَةِ وَتُرَافِقُ الأُسْرَةَ إِلَى الاسْتِقْلَالِ ${tag}`);
    const variants = [
      'حِمَايَةِ الأَطْفَالِ', // with harakat, as written
      'حماية الأطفال', // without
      'حمايه الاطفال', // ta marbuta as ha, bare alef
      'حمــاية الأطفــال', // tatweel
      'مدرسة', // without the article
      'الي الاستقلال', // alef maqsura as ya
      'إلى', // hamza under the alef
    ];
    for (const v of variants) {
      const j = await search(DIR, `${v} ${tag}`);
      assert.equal(j.total, 1, `${v}: ${JSON.stringify(j)}`);
      assert.equal(j.items[0].lang, 'ar');
    }
    const j = await search(DIR, `حماية ${tag}`);
    // the snippet keeps the harakat as written
    assert.match(j.items[0].snippet, /حِمَايَةِ/);
    assert.ok(j.items[0].segments.some((s) => s.hit && s.text === 'حِمَايَةِ'), JSON.stringify(j.items[0].segments));
  });
});

describe('capitalisation sheets', () => {
  test('Arabic search with and without diacritics finds the same sheet', async (t) => {
    const tag = uniq('zt').toLowerCase();
    const res = await api('POST', '/api/v1/sheets', {
      node_id: d.eps1.id,
      title: `تَجْرِبَةُ الإِدْمَاجِ المَدْرَسِيِّ لِلأَطْفَالِ ${tag}`,
      lang: 'ar',
      context: 'بَدَأَتِ التَّجْرِبَةُ سَنَةَ ٢٠٢٠ فِي دَارِ الأَطْفَالِ.',
      lessons: 'الشَّرَاكَةُ مَعَ المَدْرَسَةِ ضَرُورِيَّةٌ، وَالمُتَابَعَةُ اليَوْمِيَّةُ أَسَاسِيَّةٌ.',
      status: 'draft',
    }, tok(DIR));
    if (res.status === 404 || res.status === 405) {
      t.skip('POST /api/v1/sheets is not there yet');
      return;
    }
    assert.equal(res.status, 201, show(res));
    const sheet = res.json();
    const forms = ['تَجْرِبَةُ الإِدْمَاجِ', 'تجربة الإدماج', 'تجربه الادماج', 'تجــربة الادمـاج', 'الشراكة ضرورية', 'ضروريه المتابعه'];
    for (const f of forms) {
      const j = await search(DIR, `${f} ${tag}`);
      assert.ok(has(j, 'sheet', sheet.id), `${f}: ${JSON.stringify(j)}`);
      assert.equal(j.total, 1, f);
    }
    // a draft is not for another EPS's director
    assert.equal((await search(TANGER, `تجربة ${tag}`)).total, 0);
    // the title keeps its harakat, the words found are marked
    const j = await search(DIR, `تجربة ${tag}`);
    assert.ok(j.items[0].title.startsWith('تَجْرِبَةُ'));
    assert.ok(j.items[0].title_segments.some((s) => s.hit && s.text === 'تَجْرِبَةُ'));
  });

  test('a hit in the title ranks before hits in the text', async (t) => {
    const word = uniq('zu').toLowerCase();
    const body = await api('POST', '/api/v1/sheets', {
      node_id: d.eps1.id, title: 'Fiche sans le mot du titre', lang: 'fr',
      context: `Le mot ${word} revient : ${word}, encore ${word}.`, lessons: `Leçon ${word}.`, status: 'draft',
    }, tok(DIR));
    if (body.status === 404 || body.status === 405) {
      t.skip('POST /api/v1/sheets is not there yet');
      return;
    }
    assert.equal(body.status, 201, show(body));
    const title = await api('POST', '/api/v1/sheets', {
      node_id: d.eps1.id, title: `Le ${word} au titre`, lang: 'fr', context: 'Un contexte.', lessons: 'Une leçon.', status: 'draft',
    }, tok(DIR));
    assert.equal(title.status, 201, show(title));
    const j = await search(DIR, word);
    assert.equal(j.total, 2);
    assert.equal(j.items[0].id, title.json().id);
    assert.equal(j.items[1].id, body.json().id);
    // the type filter and the counts
    const s = await search(DIR, word, '&type=sheet');
    assert.equal(s.total, 2);
    assert.equal(s.counts.sheet, 2);
    assert.equal((await search(DIR, word, '&type=criterion')).total, 0);
    // paging
    const p2 = await search(DIR, word, '&limit=1&offset=1');
    assert.equal(p2.total, 2);
    assert.equal(p2.items.length, 1);
    assert.equal(p2.items[0].id, body.json().id);
  });
});

describe('criteria of référentiels', () => {
  test('published criteria are for everyone; archived ones leave the search', async () => {
    const root = tok(ADMIN_EMAIL);
    const word = uniq('zv').toLowerCase();
    const code = uniq('SRCH-').toUpperCase();
    const doc = {
      format: 'jouda-referentiel/1', code, version: 1, title_fr: `Recherche ${code}`,
      items: [
        { code: '1', title_fr: 'Thème' },
        { code: '1.1', parent_code: '1', title_fr: `Critère de sécurité ${word}`, title_ar: `معيار السلامة ${word}`, elements_fr: ['Les issues de secours sont signalées.'] },
      ],
    };
    const created = await api('POST', '/api/v1/referentiels', doc, root);
    assert.equal(created.status, 201, show(created));
    const id = created.json().id;
    assert.equal((await search(ADMIN_EMAIL, word)).total, 0, 'a draft is not searched');
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/publish`, {}, root)).status, 200);
    const j = await search(NOUR, `securite ${word}`);
    assert.equal(j.total, 1, JSON.stringify(j));
    assert.equal(j.items[0].type, 'criterion');
    assert.ok(j.items[0].href.startsWith(`/referentiels/${id}`));
    assert.equal((await search(MERE, `السلامة ${word}`)).items[0].lang, 'ar');
    assert.equal((await search(DIR, `issues secours ${word}`)).total, 1);
    assert.equal((await api('POST', `/api/v1/referentiels/${id}/archive`, {}, root)).status, 200);
    assert.equal((await search(DIR, word)).total, 0);
  });
});

describe('the query', () => {
  test('empty, too short or too long queries and unknown types are 422, in the reader\'s language', async () => {
    const cases = [
      ['', 'Type what to search for.'],
      ['a', 'Type at least two letters to search.'],
      ['  é ', 'Type at least two letters to search.'],
      ['a b c d e f g h', 'Type at least two letters to search.'],
      ['x'.repeat(201), 'Search for at most 200 characters.'],
    ];
    for (const [q, msgid] of cases) {
      for (const lang of ['fr', 'ar']) {
        const res = await api('GET', `/api/v1/search?q=${encodeURIComponent(q)}&lang=${lang}`, undefined, tok(DIR));
        assert.equal(res.status, 422, show(res));
        const e = res.json().error;
        assert.equal(e.code, 'invalid');
        assert.equal(e.fields.q, translation(lang, msgid), `${lang} ${q.slice(0, 10)}`);
      }
    }
    // one-letter words beside a longer one are left out of the match
    const plain = await search(DIR, 'enfants', '&limit=50');
    const mixed = await search(DIR, 'a enfants b', '&limit=50');
    assert.equal(mixed.total, plain.total);
    assert.deepEqual(keys(mixed), keys(plain));
    const res = await api('GET', '/api/v1/search?q=enfants&type=person', undefined, tok(DIR));
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json().error.fields.type);
    assert.equal((await api('GET', '/api/v1/search?q=enfants&limit=0', undefined, tok(DIR))).status, 422);
    assert.equal((await api('GET', '/api/v1/search?q=enfants')).status, 401);
  });

  test('the API answers {q, type, total, limit, offset, counts, items}', async () => {
    const j = await search(DIR, 'enfants', '&limit=5');
    for (const k of ['q', 'type', 'total', 'limit', 'offset', 'counts', 'items']) assert.ok(k in j, k);
    assert.equal(j.q, 'enfants');
    assert.equal(j.type, null);
    assert.equal(j.limit, 5);
    assert.ok(j.total >= j.items.length && j.items.length <= 5);
    assert.deepEqual(Object.keys(j.counts).sort(), ['criterion', 'document', 'section', 'sheet']);
    assert.equal(Object.values(j.counts).reduce((a, b) => a + b, 0), j.total);
    for (const it of j.items) {
      assert.ok(['sheet', 'document', 'criterion', 'section'].includes(it.type));
      assert.equal(typeof it.id, 'number');
      assert.equal(typeof it.title, 'string');
      assert.equal(typeof it.snippet, 'string');
      assert.ok(Array.isArray(it.segments) && Array.isArray(it.title_segments));
      assert.equal(it.title_segments.map((s) => s.text).join(''), it.title);
      assert.ok(it.href.startsWith('/'));
      assert.ok(['fr', 'ar', 'en', ''].includes(it.lang));
    }
  });
});

describe('the page', () => {
  test('a box and a hint without a query; the results with chips; Arabic right to left', async () => {
    const c = await signIn(DIR);
    let res = await c.get('/search');
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, /<form method="get" action="\/search"[^>]*role="search"/);
    assert.ok(res.text.includes(translation('fr', 'Search')));
    res = await c.get('/search?q=a');
    assert.equal(res.status, 200);
    assert.ok(decodeEntities(res.text).includes(translation('fr', 'Type at least two letters to search.')));
    res = await c.get('/search?q=enfants');
    assert.equal(res.status, 200);
    assert.match(res.text, /<mark>[Ee]nfants<\/mark>/);
    assert.match(res.text, /class="search-chips"/);
    assert.match(res.text, /href="\/search\?q=enfants&amp;type=criterion"/);
    res = await c.get('/search?q=enfants&type=criterion');
    assert.match(res.text, /aria-current="true"/);
    res = await c.get(`/search?q=${'x'.repeat(201)}`);
    assert.equal(res.status, 422);
    assert.ok(decodeEntities(res.text).includes(translation('fr', 'Search for at most 200 characters.')));
    res = await c.get('/search?q=enfants&type=nothing');
    assert.equal(res.status, 422);
    // Arabic: right to left, the words found marked as written
    res = await c.get(`/search?q=${encodeURIComponent('الاطفال')}&lang=ar`);
    assert.equal(res.status, 200);
    assert.match(res.text, /<html[^>]*dir="rtl"/);
    assert.match(res.text, /<mark>الأطفال<\/mark>|<mark>للأطفال<\/mark>|<mark>والأطفال<\/mark>/);
    assert.ok(decodeEntities(res.text).includes(translation('ar', 'Search')));
  });

  test('the menu offers the search to every signed-in user', async () => {
    for (const login of [DIR, MERE, NOUR]) {
      const res = await (await signIn(login)).get('/');
      assert.match(res.text, /href="\/search"/, login);
    }
  });
});
