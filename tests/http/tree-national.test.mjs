// tree-national.test.mjs - the organisation tree (/admin/nodes) at the
// national scale (`jouda demo --scale national`: 60 associations, 1,100
// establishments, 11,000 units), on a database and a server of its own,
// with the engine and the build of the other HTTP tests: every page under
// 300 KB with at most 200 nodes, each establishment shown with its
// association, the pager reaching every association and establishment and
// keeping the search, the category and the opened node in its links.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BIN, ENGINE, DB_URL, ADMIN_EMAIL, ADMIN_PASSWORD, signIn, show, treeIds, treeToggles, pagerOf, rawRequest,
} from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_BYTES = 300 * 1024;
const MAX_NODES = 200;

let db;
let pgName;
let server;
let serverLog = '';
let base;
let c;
const byId = new Map();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The URL of database name on the server of the tests' own database. */
const pgUrl = (name) => DB_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
const psql = (sql) => execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pgUrl('postgres'), '-c', sql],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' } });

function jouda(args, extraEnv = {}) {
  return execFileSync(BIN, args, {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900000, env: { ...process.env, ...extraEnv },
  });
}

before(async () => {
  if (ENGINE === 'postgresql') {
    pgName = `national_${process.pid}`;
    psql(`DROP DATABASE IF EXISTS "${pgName}"`);
    psql(`CREATE DATABASE "${pgName}"`);
    db = pgUrl(pgName);
  } else {
    db = path.join(os.tmpdir(), `jouda-national-${process.pid}.db`);
    for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.key`]) fs.rmSync(f, { force: true });
  }
  jouda(['init', '--db', db, '--admin-email', ADMIN_EMAIL], { JOUDA_ADMIN_PASSWORD: ADMIN_PASSWORD });
  // the organisation and its accounts: what the tree shows (no campaigns)
  jouda(['demo', '--db', db, '--scale', 'national', '--only', 'nodes,users', '--quiet']);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, JOUDA_SHARE_DIR: process.env.JOUDA_SHARE_DIR || ROOT, JOUDA_STRICT_TEMPLATES: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr.on('data', (b) => { serverLog += b.toString(); });
  for (let i = 0; ; i++) {
    try {
      if ((await rawRequest('GET', `${base}/healthz`)).status === 200) break;
    } catch { /* not up yet */ }
    if (i > 600 || server.exitCode !== null) throw new Error(`the national server did not start: ${serverLog.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { base, lang: 'fr' });
  for (const kind of ['association', 'eps']) {
    for (let offset = 0; ; offset += 200) {
      const res = await c.api('GET', `/api/v1/nodes?kind=${kind}&limit=200&offset=${offset}`);
      assert.equal(res.status, 200, show(res));
      const j = res.json();
      for (const n of j.items) byId.set(n.id, n);
      if (offset + 200 >= j.total) break;
    }
  }
});

after(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  if (pgName) {
    try { psql(`DROP DATABASE IF EXISTS "${pgName}"`); } catch { /* the server may still hold it */ }
  } else if (db) {
    for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.key`]) fs.rmSync(f, { force: true });
  }
});

const ofKind = (kind) => [...byId.values()].filter((n) => n.kind === kind);
const parentOf = (n) => n.parent_id;

/** One page of the tree, checked: under 300 KB, at most 200 nodes, every
 *  establishment with its association. */
async function page(p) {
  const res = await c.get(p, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(res.status, 200, `${p}: ${show(res)}`);
  assert.ok(res.body.length < MAX_BYTES, `${p}: ${res.body.length} bytes`);
  const ids = treeIds(res.text);
  assert.ok(ids.length > 0 && ids.length <= MAX_NODES, `${p}: ${ids.length} nodes`);
  assert.equal(new Set(ids).size, ids.length, `${p}: a node twice`);
  for (const id of ids) {
    const n = byId.get(id);
    if (n && n.kind === 'eps') assert.ok(ids.includes(parentOf(n)), `${p}: establishment ${id} without its association`);
  }
  return { html: res.text, ids, pager: pagerOf(res.text) };
}

/** Every page from first, following "next": [{html, ids, pager}]. */
async function walk(first, keep) {
  const pages = [];
  for (let p = first; p; p = pages[pages.length - 1].pager?.next) {
    const pg = await page(p);
    pages.push(pg);
    assert.ok(pages.length <= 100, 'the pager ends');
    if (pg.pager) {
      assert.equal(pg.pager.text, `Page ${pages.length} sur ${pg.pager.text.split(' ').pop()}`);
      for (const link of [pg.pager.prev, pg.pager.next].filter(Boolean)) {
        for (const k of keep) assert.ok(link.includes(k), `${link} keeps ${k}`);
      }
    }
  }
  const last = pages[pages.length - 1].pager;
  if (last) assert.equal(Number(last.text.split(' ').pop()), pages.length, 'as many pages as the pager says');
  return pages;
}

describe('the national organisation', () => {
  test('the first page: every association, under 300 KB and 200 nodes, each with a link that opens it', async () => {
    const pages = await walk('/admin/nodes', []);
    const seen = new Set(pages.flatMap((p) => p.ids));
    const assocs = ofKind('association').map((n) => n.id);
    assert.equal(assocs.length, 60);
    assert.deepEqual([...seen].sort(), [...assocs].sort(), 'the associations and nothing else');
    const links = pages.flatMap((p) => treeToggles(p.html));
    for (const id of assocs) assert.ok(links.some((t) => t.id === id && t.open), `a link opening ${id}`);
  });

  test('a category: the pager reaches every establishment of it and keeps it in its links', async () => {
    const pages = await walk('/admin/nodes?category=children', ['category=children']);
    assert.ok(pages.length >= 2, `several pages (${pages.length})`);
    const seen = new Set(pages.flatMap((p) => p.ids));
    const want = ofKind('eps').filter((n) => n.category === 'children');
    for (const n of want) assert.ok(seen.has(n.id), `establishment ${n.name}`);
    for (const n of want) assert.ok(seen.has(parentOf(n)), `association ${parentOf(n)}`);
    for (const id of seen) {
      const n = byId.get(id);
      assert.ok(n && (n.kind === 'association' || n.category === 'children'), `${id} does not belong here`);
    }
    // the establishments' own links keep the category
    for (const t of pages.flatMap((p) => treeToggles(p.html))) assert.match(t.href, /category=children/);
    // a page out of range is the last one
    const last = await page(`/admin/nodes?category=children&page=${pages.length + 7}`);
    assert.deepEqual(last.ids, pages[pages.length - 1].ids);
  });

  test('a search: the pager keeps its words and reaches what the API finds', async () => {
    const q = 'Groupe 9';
    const found = [];
    for (let offset = 0; ; offset += 200) {
      const res = await c.api('GET', `/api/v1/nodes?q=${encodeURIComponent(q)}&limit=200&offset=${offset}`);
      assert.equal(res.status, 200, show(res));
      found.push(...res.json().items);
      if (offset + 200 >= res.json().total) break;
    }
    assert.ok(found.length > MAX_NODES, `more matches than a page holds (${found.length})`);
    const pages = await walk(`/admin/nodes?q=${encodeURIComponent(q)}`, ['q=Groupe%209']);
    assert.ok(pages.length >= 2);
    const seen = new Set(pages.flatMap((p) => p.ids));
    for (const n of found) assert.ok(seen.has(n.id), `${n.kind} ${n.name}`);
  });

  test('an association opened: its establishments on the page its link leads to, closed again by the link back', async () => {
    const first = await page('/admin/nodes');
    const assoc = ofKind('association').find((n) => n.name.endsWith(' 4'));
    const link = treeToggles(first.html).find((t) => t.id === assoc.id);
    assert.equal(link.href, `/admin/nodes?open=${assoc.id}#n${assoc.id}`);
    const opened = await page(link.href.replace(/#.*/, ''));
    const eps = ofKind('eps').filter((n) => parentOf(n) === assoc.id);
    assert.ok(eps.length > 5);
    for (const n of eps) assert.ok(opened.ids.includes(n.id), `establishment ${n.name}`);
    assert.equal(opened.ids.filter((id) => byId.get(id)?.kind === 'eps').length, eps.length, 'no other establishment');
    // an establishment: its units (not listed by the API lists above), then back
    const one = treeToggles(opened.html).find((t) => t.id === eps[0].id);
    const units = await page(one.href.replace(/#.*/, ''));
    assert.ok(units.ids.length > opened.ids.length, 'its units are listed');
    const back = treeToggles(units.html).find((t) => t.id === eps[0].id && !t.open);
    assert.equal(back.href, `/admin/nodes?open=${assoc.id}#n${eps[0].id}`);
  });

  test('the national server stops cleanly, with no sanitizer report', async () => {
    const code = await new Promise((resolve) => {
      server.once('exit', (status) => resolve(status));
      server.kill('SIGTERM');
    });
    assert.equal(code, 0, serverLog.slice(-2000));
    assert.doesNotMatch(serverLog, /ERROR: (Address|Leak)Sanitizer|runtime error:/);
  });
});
