// tree.test.mjs - the organisation tree (/admin/nodes) one level at a time,
// on the demo: the associations first; an association's establishments and
// an establishment's units behind links to the same page (?open=<id>), which
// open the node and its ancestors and close again; a single place at the top
// opened by itself; a search or a category opening the way to its matches;
// the filters kept in every link; nothing from outside the scope, whatever
// ?open= says. (tree-national.test.mjs: pages at the national scale.)
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  demo, signIn, show, decodeEntities, treeIds, treeToggles, ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

let d;
let admin;
before(async () => {
  d = await demo();
  admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { lang: 'fr' });
});

const children = (id) => d.children(id).map((n) => n.id);
const sorted = (a) => [...a].sort((x, y) => x - y);

async function tree(c, path) {
  const res = await c.get(path);
  assert.equal(res.status, 200, `${path}: ${show(res)}`);
  return res.text;
}

describe('one level at a time', () => {
  test('the platform administrator sees the associations, each with a link that opens it', async () => {
    const html = await tree(admin, '/admin/nodes');
    const assocs = d.nodes.filter((n) => n.kind === 'association').map((n) => n.id);
    assert.deepEqual(sorted(treeIds(html)), sorted(assocs), 'the associations and nothing below them');
    const links = treeToggles(html);
    for (const id of assocs) {
      const t = links.find((x) => x.id === id);
      if (!children(id).length) continue;
      assert.ok(t && t.open, `an open link for association ${id}`);
      assert.equal(t.href, `/admin/nodes?open=${id}#n${id}`);
    }
    // the counts are those of the whole scope
    const m = decodeEntities(html).match(/(\d+) associations? · (\d+) établissements? · (\d+) unités?/);
    assert.ok(m, 'the counts');
    assert.equal(Number(m[1]), assocs.length);
    assert.equal(Number(m[2]), d.nodes.filter((n) => n.kind === 'eps').length);
  });

  test('opening an association lists its establishments and no unit; it closes again', async () => {
    const html = await tree(admin, `/admin/nodes?open=${d.assoc1.id}`);
    const shown = treeIds(html);
    for (const id of children(d.assoc1.id)) assert.ok(shown.includes(id), `establishment ${id} of Amal`);
    for (const id of children(d.assoc2.id)) assert.equal(shown.includes(id), false, `establishment ${id} of Nour`);
    for (const id of children(d.eps1.id)) assert.equal(shown.includes(id), false, `unit ${id}`);
    assert.ok(shown.includes(d.assoc2.id), 'the other associations stay listed');
    const close = treeToggles(html).find((t) => t.id === d.assoc1.id);
    assert.deepEqual(close, { id: d.assoc1.id, href: `/admin/nodes#n${d.assoc1.id}`, open: false });
    const eps = treeToggles(html).find((t) => t.id === d.eps1.id);
    assert.equal(eps.href, `/admin/nodes?open=${d.eps1.id}#n${d.eps1.id}`);
    assert.equal(eps.open, true);
  });

  test('opening an establishment lists its units under its association; a unit opens its establishment', async () => {
    for (const open of [d.eps1.id, d.maison1.id]) {
      const html = await tree(admin, `/admin/nodes?open=${open}`);
      const shown = treeIds(html);
      for (const id of children(d.eps1.id)) assert.ok(shown.includes(id), `?open=${open}: unit ${id}`);
      for (const id of children(d.assoc1.id)) assert.ok(shown.includes(id), `?open=${open}: establishment ${id}`);
      for (const id of children(d.eps3.id)) assert.equal(shown.includes(id), false, `?open=${open}: unit ${id} of Tanger`);
      const close = treeToggles(html).find((t) => t.id === d.eps1.id);
      assert.equal(close.href, `/admin/nodes?open=${d.assoc1.id}#n${d.eps1.id}`, 'closing keeps the association open');
      assert.equal(close.open, false);
    }
  });

  test('a single place at the top opens by itself, and so on while it is alone', async () => {
    // what opens by itself below top: its children, and theirs while there is only one
    const alone = (top) => {
      const out = [top];
      for (let id = top; id;) {
        const kids = children(id);
        out.push(...kids);
        id = kids.length === 1 ? kids[0] : null;
      }
      return sorted(out);
    };
    // a director: her establishment and its units
    const dir = await signIn('directrice.casa@amal.ma');
    assert.deepEqual(sorted(treeIds(await tree(dir, '/admin/nodes'))), alone(d.eps1.id));
    // the association with a single establishment (in the demo): down to its units
    const nour = await signIn('admin@nour.ma');
    assert.deepEqual(sorted(treeIds(await tree(nour, '/admin/nodes'))), alone(d.assoc2.id));
    // staff of a unit: that unit, and the counts say so
    const fatima = await signIn('mere.fatima');
    const own = await tree(fatima, '/admin/nodes');
    assert.deepEqual(treeIds(own), [d.maison1.id]);
    assert.match(decodeEntities(own), /0 établissement · 1 unité/);
    assert.deepEqual(treeIds(await tree(fatima, `/admin/nodes?open=${d.maison1.id}`)), [d.maison1.id]);
    // an association with several: its establishments, closed
    const advisor = await signIn('conseil@amal.ma');
    const html = await tree(advisor, '/admin/nodes');
    assert.deepEqual(sorted(treeIds(html)), sorted([d.assoc1.id, ...children(d.assoc1.id)]));
    assert.equal(treeToggles(html).some((t) => t.id === d.assoc1.id), false, 'nothing to close at the top');
  });
});

describe('search and category', () => {
  test('a search opens the way to its matches, and keeps its words in every link', async () => {
    const q = 'Maison 1';
    const html = await tree(admin, `/admin/nodes?q=${encodeURIComponent(q)}`);
    const shown = treeIds(html);
    assert.ok(shown.includes(d.maison1.id), 'Maison 1 of Casablanca');
    assert.ok(shown.includes(d.eps1.id) && shown.includes(d.assoc1.id), 'its ancestors');
    assert.equal(shown.includes(d.assoc2.id), false, 'Nour has no Maison 1');
    for (const t of treeToggles(html)) assert.match(t.href, /[?&]q=Maison%201(&|#)/, `the search kept in ${t.href}`);
  });

  test('a category shows its establishments in place, their units behind a link that keeps it', async () => {
    const html = await tree(admin, '/admin/nodes?category=children');
    const shown = treeIds(html);
    const want = d.nodes.filter((n) => n.kind === 'eps' && n.category === 'children').map((n) => n.id);
    for (const id of want) assert.ok(shown.includes(id), `establishment ${id}`);
    for (const id of shown) {
      const n = d.byId.get(id);
      assert.ok(n.kind === 'association' || (n.kind === 'eps' && n.category === 'children'), `${n.kind} ${n.name}`);
    }
    const t = treeToggles(html).find((x) => x.id === d.eps1.id);
    assert.equal(t.href, `/admin/nodes?category=children&open=${d.eps1.id}#n${d.eps1.id}`);
    const opened = treeIds(await tree(admin, t.href.replace(/#.*/, '')));
    for (const id of children(d.eps1.id)) assert.ok(opened.includes(id), `unit ${id}`);
  });

  test('the search form starts again from the top: no open or page field', async () => {
    const html = await tree(admin, `/admin/nodes?open=${d.eps1.id}&page=2`);
    const form = html.match(/<form method="get" action="\/admin\/nodes"[\s\S]*?<\/form>/);
    assert.ok(form);
    assert.doesNotMatch(form[0], /name="(open|page)"/);
  });
});

describe('scope and odd values', () => {
  test('?open= of a place outside the scope changes nothing and names nothing', async () => {
    const dir = await signIn('directrice.casa@amal.ma');
    const plain = await tree(dir, '/admin/nodes');
    for (const id of [d.eps3.id, d.children(d.eps3.id)[0].id, d.assoc2.id, d.nour.id]) {
      const html = await tree(dir, `/admin/nodes?open=${id}`);
      assert.deepEqual(treeIds(html), treeIds(plain), `?open=${id}`);
      for (const n of [d.eps3, d.assoc2, d.nour]) assert.equal(decodeEntities(html).includes(n.name), false, `${n.name} on ?open=${id}`);
    }
  });

  test('values that are no id or no page show the tree', async () => {
    for (const qs of ['open=abc', 'open=-4', 'open=99999999999', 'page=0', 'page=-1', 'page=zz', 'page=999999', 'open=&page=']) {
      const html = await tree(admin, `/admin/nodes?${qs}`);
      assert.ok(treeIds(html).includes(d.assoc1.id), qs);
    }
  });
});
