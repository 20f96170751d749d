// search.test.mjs - name searches ignore case, French accents, Arabic
// harakat, tatweel and letter variants (hamza on alef, ta marbuta, alef
// maqsura), on the nodes and users APIs and on the admin pages; every word of
// the query must match; % and _ are plain characters; renaming updates what
// a search finds; searches stay within the user's scope.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, uniq, show, signIn, decodeEntities, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';

const CASA = "Village d'enfants Casablanca - Aïn Chock";
let d;
let admin;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
});

async function search(kind, q, opts = admin, extra = '') {
  const res = await api('GET', `/api/v1/${kind}?q=${encodeURIComponent(q)}&limit=200${extra}`, undefined, opts);
  assert.equal(res.status, 200, show(res));
  const j = res.json();
  assert.ok(Array.isArray(j.items) && typeof j.total === 'number', show(res));
  assert.ok(j.total >= j.items.length);
  return j;
}
const names = (j) => j.items.map((x) => x.name);
// Latin text folded the simple way (enough for the French queries here).
const latin = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
// Every word of a Latin query is in the node's names (what a match means).
function allWordsIn(q, n) {
  const hay = latin(`${n.name} ${n.name_ar || ''}`);
  return latin(q).split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

describe('nodes API', () => {
  test('no accent, lower case: "ain chock" finds the Casablanca village', async () => {
    for (const q of ['ain chock', 'AIN CHOCK', 'Aïn Chock', 'aÏn   chock', 'chock ain', 'CASABLANCA ain']) {
      const j = await search('nodes', q);
      assert.ok(names(j).includes(CASA), `${q}: ${JSON.stringify(names(j))}`);
      for (const n of j.items) assert.ok(allWordsIn(q, n), `${q} matched ${n.name}`);
    }
  });

  test('every word must match', async () => {
    assert.equal((await search('nodes', 'chock tanger')).total, 0);
    const tanger = await search('nodes', 'village tanger');
    assert.ok(names(tanger).includes(d.eps3.name), JSON.stringify(names(tanger)));
    assert.equal(names(tanger).includes(CASA), false);
  });

  test('accents in the query and in the name: "fes" and "FÈS" find Foyer Nour Fès', async () => {
    for (const q of ['fes', 'FÈS', 'Fés', 'nour fes']) {
      const j = await search('nodes', q);
      assert.ok(names(j).includes('Foyer Nour Fès'), `${q}: ${JSON.stringify(names(j))}`);
    }
    const sol = await search('nodes', 'SOLIDARITE');
    assert.ok(names(sol).includes('Association Nour Solidarité'), JSON.stringify(names(sol)));
  });

  test('Arabic: أمل finds the association named جمعية أمل للطفولة, also written امل or with harakat', async () => {
    for (const q of ['أمل', 'امل', 'أَمَل', 'إمل', 'آمل', 'جمعيه امل', 'جمعية أمل للطفولة', 'جَمْعِيَّةُ أَمَلٍ لِلطُّفُولَةِ', 'جمـعـيـة امـل']) {
      const j = await search('nodes', q);
      const ids = j.items.map((x) => x.id);
      assert.ok(ids.includes(d.assoc1.id), `${q}: ${JSON.stringify(names(j))}`);
      assert.equal(ids.includes(d.assoc2.id), false, `${q} does not find Nour`);
    }
  });

  test('Arabic: ta marbuta, hamza and Arabic-Indic digits', async () => {
    // قرية الأطفال الدار البيضاء - عين الشق
    for (const q of ['قريه الاطفال عين الشق', 'قرية الأطفال عين الشق', 'عَيْن الشَّق']) {
      const j = await search('nodes', q);
      assert.ok(names(j).includes(CASA), `${q}: ${JSON.stringify(names(j))}`);
    }
    // Maison 3 / البيت 3 of every village: ٣ and ۳ are 3
    for (const q of ['البيت ٣', 'البيت ۳', 'maison ٣', 'MAISON ۳']) {
      const j = await search('nodes', q, admin, `&parent_id=${d.eps1.id}`);
      assert.ok(names(j).includes('Maison 3'), `${q}: ${JSON.stringify(names(j))}`);
      for (const n of j.items) assert.ok(`${n.name} ${n.name_ar || ''}`.includes('3'), `${q} matched ${n.name}`);
      assert.equal(names(j).includes('Maison 2'), false);
    }
  });

  test('% and _ are plain characters, not wildcards', async () => {
    const tag = uniq('pct');
    const made = await api('POST', '/api/v1/nodes', {
      kind: 'association', name: `Association ${tag} 100% _sûr_`, name_ar: 'جمعية الاختبار',
    }, admin);
    assert.equal(made.status, 201, show(made));
    const id = made.json().id;
    const pct = await search('nodes', '%');
    assert.ok(pct.items.some((x) => x.id === id), 'found by %');
    for (const n of pct.items) assert.ok(`${n.name} ${n.name_ar || ''}`.includes('%'), `% matched ${n.name}`);
    const under = await search('nodes', '_');
    assert.ok(under.items.some((x) => x.id === id), 'found by _');
    for (const n of under.items) assert.ok(`${n.name} ${n.name_ar || ''}`.includes('_'), `_ matched ${n.name}`);
    assert.ok((await search('nodes', `${tag} 100% _SUR_`)).items.some((x) => x.id === id), 'the whole name, accents aside');
    assert.equal((await search('nodes', `${tag} 1_0%`)).total, 0, '_ is no single-character wildcard');
    assert.equal((await search('nodes', `${tag} 10%%`)).total, 0, '% is no wildcard');
    assert.equal((await search('nodes', 'a%b_c\\')).total, 0, 'backslash is plain too');
  });

  test('renaming updates what the search finds (name and name_ar)', async () => {
    const tag = uniq('ren');
    const made = await api('POST', '/api/v1/nodes', { kind: 'association', name: `Association ${tag} Étoile` }, admin);
    assert.equal(made.status, 201, show(made));
    const n = made.json();
    assert.ok((await search('nodes', `${tag} etoile`)).items.some((x) => x.id === n.id));
    const patched = await api('PATCH', `/api/v1/nodes/${n.id}`, {
      version: n.version, name: `Association ${tag} Lumière`, name_ar: 'جمعية النُّور الإنسانية',
    }, admin);
    assert.equal(patched.status, 200, show(patched));
    assert.equal((await search('nodes', `${tag} etoile`)).total, 0, 'the old name is gone');
    assert.ok((await search('nodes', `${tag} LUMIERE`)).items.some((x) => x.id === n.id), 'the new name');
    assert.ok((await search('nodes', 'النور الانسانيه')).items.some((x) => x.id === n.id), 'the new Arabic name');
  });

  test('the search stays within the scope', async () => {
    const nour = { token: tokenFor('admin@nour.ma') };
    assert.equal((await search('nodes', 'ain chock', nour)).total, 0);
    const own = await search('nodes', 'fes', nour);
    assert.ok(names(own).includes('Foyer Nour Fès'));
  });

  test('a query of only diacritics filters nothing and is no error', async () => {
    // (on the root alone: other tests add nodes meanwhile)
    const all = await search('nodes', '', admin, '&kind=root');
    const marks = await search('nodes', '\u064e\u0640', admin, '&kind=root');
    assert.equal(all.total, 1);
    assert.equal(marks.total, 1);
  });
});

describe('users API', () => {
  test('an Arabic name found without harakat, and with them', async () => {
    // سعاد الفاسي (mere.souad.nour)
    for (const q of ['سعاد الفاسي', 'سُعَاد الفَاسِي', 'سـعـاد', 'الفاسي سعاد']) {
      const j = await search('users', q);
      assert.ok(j.items.some((u) => u.username === 'mere.souad.nour'), `${q}: ${JSON.stringify(names(j))}`);
    }
    assert.equal((await search('users', 'سعاد تازي')).items.some((u) => u.username === 'mere.souad.nour'), false);
  });

  test('hamza and ta marbuta variants in a new user\'s name', async () => {
    const username = uniq('srch.');
    const res = await api('POST', '/api/v1/users', {
      username, name: 'أمينة الإدريسي', password: 'Recherche-2026-pass', language: 'ar',
      roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, admin);
    assert.equal(res.status, 201, show(res));
    const u = res.json();
    for (const q of ['امينه الادريسي', 'أمينة', 'اَمِينَة', 'الإدريسي']) {
      const j = await search('users', `${q} ${username}`);
      assert.deepEqual(j.items.map((x) => x.id), [u.id], `${q}: ${JSON.stringify(names(j))}`);
    }
    // renamed: the key follows
    const patched = await api('PATCH', `/api/v1/users/${u.id}`, { version: u.version, name: 'Hélène Ghali' }, admin);
    assert.equal(patched.status, 200, show(patched));
    assert.equal((await search('users', `امينه ${username}`)).total, 0);
    assert.deepEqual((await search('users', `helene GHALI ${username}`)).items.map((x) => x.id), [u.id]);
  });

  test('French names: case and accents ignored; email and username searched', async () => {
    const j = await search('users', 'samira el idrissi');
    assert.ok(j.items.some((u) => u.email === 'directrice.casa@amal.ma'), JSON.stringify(names(j)));
    assert.ok((await search('users', 'DIRECTRICE.CASA@')).items.some((u) => u.email === 'directrice.casa@amal.ma'));
    assert.ok((await search('users', 'Mère.Fatima')).items.some((u) => u.username === 'mere.fatima'));
  });

  test('% and _ are plain characters', async () => {
    for (const q of ['%', '_', '%%', 'mere_fatima']) {
      const j = await search('users', q);
      for (const u of j.items) {
        const hay = `${u.name} ${u.email || ''} ${u.username || ''}`;
        for (const ch of q.replace(/[^%_]/g, '')) assert.ok(hay.includes(ch), `${q} matched ${hay}`);
      }
    }
    assert.equal((await search('users', 'mere_fatima')).items.some((u) => u.username === 'mere.fatima'), false);
  });

  test('the search stays within the scope', async () => {
    const dir = { token: tokenFor('directrice@nour.ma') };
    const j = await search('users', 'سعاد', dir);
    assert.ok(j.items.some((u) => u.username === 'mere.souad.nour'));
    assert.equal(j.items.some((u) => /tanger|casa/.test(u.username || '')), false, 'no one from Amal');
  });
});

describe('admin pages', () => {
  // Links, not names: the page shows names in the user's language, which
  // other tests may switch meanwhile.
  const nodeLink = (id) => `href="/admin/nodes/${id}"`;

  test('/admin/nodes?q= folds the query like the API', async () => {
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const res = await c.get(`/admin/nodes?q=${encodeURIComponent('AIN chock')}`);
    assert.equal(res.status, 200, show(res));
    assert.ok(res.text.includes(nodeLink(d.eps1.id)), 'the village');
    assert.equal(res.text.includes(nodeLink(d.eps3.id)), false, 'not Tanger');
    const ar = await c.get(`/admin/nodes?q=${encodeURIComponent('امل')}`);
    assert.equal(ar.status, 200, show(ar));
    assert.ok(ar.text.includes(nodeLink(d.assoc1.id)), 'the association by its Arabic name');
    assert.equal(ar.text.includes(nodeLink(d.assoc2.id)), false);
  });

  test('/admin/users?q= finds an Arabic name written with harakat', async () => {
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const res = await c.get(`/admin/users?q=${encodeURIComponent('سُعَاد الفَاسِي')}`);
    assert.equal(res.status, 200, show(res));
    const souad = d.user('mere.souad.nour');
    assert.ok(res.text.includes(`href="/admin/users/${souad.id}"`), 'سعاد الفاسي');
    assert.ok(decodeEntities(res.text).includes('سعاد الفاسي'));
  });
});
