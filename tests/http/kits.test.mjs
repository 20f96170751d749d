// kits.test.mjs - transfer kits through the API and the pages: the demo
// instance's kit (signed by its own key: the demo makes one) read back here
// entry by entry (checksums, signature with node's Ed25519) and holding no
// e-mail address, person or account; exported then imported on the same
// instance: everything "same", nothing created; a dry run writes nothing;
// 403 for a director; a changed entry or manifest refused (422
// kit_tampered) even with allow_unsigned; an unsigned kit and a kit signed by
// an unknown key need allow_unsigned (then a warning), and the key trusted
// on the page lets it in; the association receiving sheets and documents
// within the reader's scope; an association's kit holding its own and the
// national items, never another association's, and its import skipping
// what belongs to another association or to the national library; the preview and the import through the pages
// with the CSRF token and the box accepting an unsigned kit; the instance's
// name edited by the national administrator only.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { api, tokenFor, demo, show, dbValue, signIn, multipart, zipArchive, rawRequest, ENGINE, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
const ADV = 'conseil@amal.ma';
const NOUR_ADMIN = 'admin@nour.ma';
const tok = (l) => ({ token: tokenFor(l) });
let d;
let kit; // the demo instance's kit (Buffer)
let entries; // its entries [{name, data}]
let manifest; // parsed manifest.json

/** The entries of a zip archive (central directory, stored or deflated). */
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'no end of central directory');
  const n = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < n; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const off = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    const lnlen = buf.readUInt16LE(off + 26);
    const lxlen = buf.readUInt16LE(off + 28);
    const raw = buf.subarray(off + 30 + lnlen + lxlen, off + 30 + lnlen + lxlen + csize);
    out.push({ name, data: method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nlen + xlen + clen;
  }
  return out;
}
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const entry = (list, name) => list.find((e) => e.name === name);
/** A kit rebuilt from entries (names and bytes), stored. */
const rezip = (list) => zipArchive(list.map((e) => ({ name: e.name, data: e.data, store: true })));
/** POST a kit to the API (multipart field "kit"). */
function importKit(zip, query = '', login = ADMIN_EMAIL) {
  const mp = multipart({}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: zip }]);
  return api('POST', `/api/v1/kits/import${query}`, mp.body, { ...tok(login), type: mp.contentType });
}
/** The same manifest signed by a new Ed25519 key (node's crypto): [entries, public key base64]. */
function signedByNewKey(list, change = (m) => m) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pk = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64');
  const m = change({ ...JSON.parse(entry(list, 'manifest.json').data.toString('utf8')), public_key: pk });
  const bytes = Buffer.from(JSON.stringify(m, null, 2));
  const sig = crypto.sign(null, bytes, privateKey);
  const out = list.filter((e) => e.name !== 'manifest.json' && e.name !== 'manifest.sig');
  return [[{ name: 'manifest.json', data: bytes }, { name: 'manifest.sig', data: sig }, ...out], pk];
}
function unsigned(list) {
  const m = { ...JSON.parse(entry(list, 'manifest.json').data.toString('utf8')), public_key: null };
  return [{ name: 'manifest.json', data: Buffer.from(JSON.stringify(m)) },
    ...list.filter((e) => e.name !== 'manifest.json' && e.name !== 'manifest.sig')];
}
const applied = () => Number(dbValue("SELECT COUNT(*) FROM kit_imports WHERE status = 'applied'"));
/** The first column of every row of sql, as strings (both engines). */
function dbList(sql, col = 'code') {
  const agg = ENGINE === 'postgresql' ? `string_agg(${col}, ',')` : `group_concat(${col}, ',')`;
  const v = dbValue(`SELECT ${agg} FROM (${sql}) q`);
  return v ? v.split(',') : [];
}
const pathOf = (id) => dbValue(`SELECT path FROM nodes WHERE id = ${Number(id)}`);
const manifestOf = (zip) => JSON.parse(entry(unzip(zip), 'manifest.json').data.toString('utf8'));
const codesOf = (m, type) => new Set(m.contents.filter((c) => c.type === type).map((c) => c.code));
/** An unsigned kit of items taken from the instance's kit, each changed by
 *  change(doc, c) -> {version, doc} (its files kept, renamed to the new path). */
function changedKit(picks) {
  const contents = [];
  const files = [];
  for (const [c, change] of picks) {
    const doc = JSON.parse(entry(entries, c.path).data.toString('utf8'));
    const { version, doc: nd } = change(doc, c);
    const dir = `${c.type}/${c.code}/v${version}/`;
    const bytes = Buffer.from(JSON.stringify(nd, null, 2));
    files.push({ name: `${dir}item.json`, data: bytes });
    const fl = [];
    for (const f of c.files) {
      files.push({ name: `${dir}${f.name}`, data: entry(entries, f.path).data });
      fl.push({ ...f, path: `${dir}${f.name}` });
    }
    contents.push({ ...c, version, path: `${dir}item.json`, sha256: sha256(bytes), size: bytes.length, files: fl });
  }
  const m = { format: 'jouda-kit/1', producer: 'Jouda ailleurs', created_at: manifest.created_at, public_key: null, contents };
  return rezip([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(m, null, 2)) }, ...files]);
}

before(async () => {
  d = await demo();
  const res = await api('GET', '/api/v1/kits/export', undefined, tok(ADMIN_EMAIL));
  assert.equal(res.status, 200, show(res));
  kit = res.body;
  entries = unzip(kit);
  manifest = JSON.parse(entry(entries, 'manifest.json').data.toString('utf8'));
});

describe('the instance\'s kit', () => {
  test('a zip download: the manifest lists every entry with its size and checksum, signed by the instance', async () => {
    const res = await api('GET', '/api/v1/kits/export', undefined, tok(ADMIN_EMAIL));
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(res.headers['content-disposition'], /^attachment; filename="jouda-kit-\d{4}-\d\d-\d\d\.zip"$/);
    assert.equal(manifest.format, 'jouda-kit/1');
    assert.ok(manifest.producer);
    assert.match(manifest.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const listed = new Set(['manifest.json', 'manifest.sig']);
    for (const c of manifest.contents) {
      assert.equal(c.path, `${c.type}/${c.code}/v${c.version}/item.json`);
      const e = entry(entries, c.path);
      assert.ok(e, c.path);
      assert.equal(e.data.length, c.size);
      assert.equal(sha256(e.data), c.sha256);
      listed.add(c.path);
      for (const f of c.files) {
        const fe = entry(entries, f.path);
        assert.ok(fe, f.path);
        assert.equal(sha256(fe.data), f.sha256);
        listed.add(f.path);
      }
    }
    assert.deepEqual(entries.map((e) => e.name).sort(), [...listed].sort());
    // Ed25519 over the exact bytes of manifest.json
    assert.match(manifest.public_key, /^[A-Za-z0-9+/]{43}=$/);
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(manifest.public_key, 'base64').toString('base64url') }, format: 'jwk' });
    assert.ok(crypto.verify(null, entry(entries, 'manifest.json').data, key, entry(entries, 'manifest.sig').data));
    const page = await (await signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).get('/kits');
    assert.ok(page.text.includes(manifest.public_key), 'the page shows the instance\'s public key');
  });

  test('référentiels, the default template, sheets and documents; never an e-mail address, a person or an account', () => {
    const types = new Set(manifest.contents.map((c) => c.type));
    for (const t of types) assert.ok(['referentiel', 'project_template', 'sheet', 'document'].includes(t), t);
    assert.ok(types.has('referentiel') && types.has('project_template'));
    assert.ok(manifest.contents.some((c) => c.type === 'project_template' && c.code === 'default'));
    const email = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
    for (const e of entries) {
      if (!/\.json$/.test(e.name)) continue;
      const text = e.data.toString('utf8');
      assert.doesNotMatch(text, email, `${e.name} holds an e-mail address`);
      const keys = new Set();
      const walk = (v) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { keys.add(k); walk(x); }
      };
      walk(JSON.parse(text));
      for (const k of ['email', 'user_id', 'person_id', 'password', 'login', 'username', 'score', 'incident'])
        assert.ok(!keys.has(k), `${e.name} holds a "${k}"`);
    }
    // no demo account's login nor a person's name from the demo
    const all = entries.filter((e) => /\.json$/.test(e.name)).map((e) => e.data.toString('utf8')).join('\n');
    for (const u of d.users) {
      if (u.username) assert.ok(!all.includes(u.username), `the kit names the account ${u.username}`);
    }
  });
});

describe('importing', () => {
  test('the instance\'s own kit: everything "same", nothing created, one history row and one audit row', async () => {
    const before = applied();
    const audits = Number(dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'kit_import'"));
    const res = await importKit(kit);
    assert.equal(res.status, 200, show(res));
    const r = res.json();
    assert.equal(r.signed, true);
    assert.equal(r.key_known, true);
    assert.equal(r.applied, true);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.items.length, manifest.contents.length);
    assert.equal(r.counts.create, 0);
    assert.equal(r.counts.update, 0);
    assert.equal(r.counts.same, manifest.contents.length);
    for (const it of r.items) assert.equal(it.action, 'same', `${it.type} ${it.code}: ${it.action} ${it.message}`);
    assert.equal(applied(), before + 1);
    assert.equal(Number(dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'kit_import'")), audits + 1);
    // the history on the page: the newest first, signed by a trusted key (the instance's own)
    const page = await (await signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).get('/kits');
    const history = page.text.slice(page.text.indexOf('id="history"'));
    assert.match(history.slice(0, history.indexOf('</tr>', history.indexOf('<tbody>') + 10)), /tag--ok/);
  });

  test('a dry run writes nothing', async () => {
    const before = applied();
    const audits = dbValue('SELECT COUNT(*) FROM audit_log');
    const res = await importKit(kit, '?dry_run=1');
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().applied, false);
    assert.equal(applied(), before);
    assert.equal(dbValue('SELECT COUNT(*) FROM audit_log'), audits);
    const bad = await importKit(kit, '?dry_run=maybe');
    assert.equal(bad.status, 422, show(bad));
    // the zip itself as the body (application/zip) is read as the multipart field is
    const raw = await api('POST', '/api/v1/kits/import?dry_run=1', kit, { token: tokenFor(ADMIN_EMAIL), type: 'application/zip' });
    assert.equal(raw.status, 200, show(raw));
    assert.equal(raw.json().applied, false);
    assert.equal(raw.json().items.length, manifest.contents.length);
    assert.equal(applied(), before);
  });

  test('a director, an observer, a quality referent and staff get 403 (the page without its forms for the first and the last, and no menu entry)', async () => {
    // staff hold quality.write at their establishment: the route's own rule refuses them before the body
    for (const who of [DIR, 'observateur@entraide.ma', 'referent.casa@amal.ma', 'educateur.casa', 'mere.fatima']) {
      const e = await api('GET', '/api/v1/kits/export', undefined, tok(who));
      assert.equal(e.status, 403, `${who} export: ${show(e)}`);
      const i = await importKit(kit, '', who);
      assert.equal(i.status, 403, `${who} import: ${show(i)}`);
    }
    // the menu does not show it to directors; the page opened by its address has no forms
    const dir = await signIn(DIR);
    const home = await dir.get('/');
    assert.doesNotMatch(home.text, /href="\/kits"/);
    const page = await dir.get('/kits');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /action="\/kits\/(import|name|keys)"|href="\/kits\/export"|id="history"/);
    assert.equal((await dir.get('/kits/export')).status, 403);
    assert.equal((await dir.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'k.zip', data: kit }])).status, 403);
    assert.equal((await (await signIn('mere.fatima')).get('/kits')).status, 403);
  });

  test('a changed entry is refused even with allow_unsigned (422 kit_tampered)', async () => {
    const item = manifest.contents.find((c) => c.type === 'project_template');
    const changed = entries.map((e) => (e.name === item.path ? { name: e.name, data: Buffer.from(e.data.toString('utf8').replace('"title"', '"title" ')) } : e));
    for (const q of ['', '?allow_unsigned=1']) {
      const res = await importKit(rezip(changed), q);
      assert.equal(res.status, 422, show(res));
      assert.equal(res.json().error.code, 'kit_tampered');
    }
    // the same bytes at the same size: only the checksum tells
    const same = entries.map((e) => (e.name === item.path ? { name: e.name, data: Buffer.from(e.data.toString('utf8').replace('"format"', '"formaT"')) } : e));
    const res = await importKit(rezip(same), '?allow_unsigned=1');
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_tampered');
    assert.match(res.json().error.message, new RegExp(item.path.replace(/[.]/g, '\\.')));
  });

  test('a changed manifest breaks the signature: refused even with allow_unsigned', async () => {
    const m = entry(entries, 'manifest.json').data.toString('utf8').replace(manifest.producer, `${manifest.producer}!`);
    const changed = entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, data: Buffer.from(m) } : e));
    const res = await importKit(rezip(changed), '?allow_unsigned=1');
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_tampered');
  });

  test('a missing or an extra entry, "../" names and a zip bomb are refused', async () => {
    const item = manifest.contents[0];
    let res = await importKit(rezip(entries.filter((e) => e.name !== item.path)), '?allow_unsigned=1');
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_tampered');
    res = await importKit(rezip([...entries, { name: `${item.type}/${item.code}/v${item.version}/extra.txt`, data: Buffer.from('x') }]), '?allow_unsigned=1');
    assert.equal(res.json().error.code, 'kit_tampered');
    res = await importKit(rezip([...entries, { name: '../evil.sh', data: Buffer.from('x') }]), '?allow_unsigned=1');
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_invalid');
    const bomb = zipArchive([{ name: 'manifest.json', data: '{}', store: true },
      { name: 'document/x/v1/big.bin', data: zlib.deflateRawSync(Buffer.alloc(4 * 1024 * 1024)), declaredSize: 4 * 1024 * 1024 }]);
    res = await importKit(bomb, '?allow_unsigned=1');
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_too_large');
    res = await importKit(Buffer.from('not a zip at all, only text'), '?allow_unsigned=1');
    assert.equal(res.json().error.code, 'kit_invalid');
    const none = multipart({ other: 'x' });
    res = await api('POST', '/api/v1/kits/import', none.body, { ...tok(ADMIN_EMAIL), type: none.contentType });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json().error.fields.kit);
  });

  test('over the upload limit: 413', async () => {
    const big = crypto.randomBytes(11 * 1024 * 1024);
    const res = await importKit(big);
    assert.equal(res.status, 413, show(res));
  });

  test('an unsigned kit needs allow_unsigned, then imports with a warning', async () => {
    const zip = rezip(unsigned(entries));
    let res = await importKit(zip);
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_unsigned');
    assert.ok(res.json().error.message.length > 10);
    res = await importKit(zip, '?allow_unsigned=1&dry_run=1');
    assert.equal(res.status, 200, show(res));
    const r = res.json();
    assert.equal(r.signed, false);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.counts.create, 0);
  });

  test('a key unknown here needs allow_unsigned until an administrator trusts it on the page', async () => {
    const [list, pk] = signedByNewKey(entries, (m) => ({ ...m, producer: 'Jouda Souss-Massa' }));
    const zip = rezip(list);
    let res = await importKit(zip);
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json().error.code, 'kit_unknown_key');
    res = await importKit(zip, '?allow_unsigned=1&dry_run=1');
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().signed, true);
    assert.equal(res.json().key_known, false);
    // an association's administrator uses kits but does not manage the keys
    const nour = await signIn(NOUR_ADMIN);
    assert.equal((await nour.get('/kits')).status, 200);
    res = await nour.post('/kits/keys', { key_name: 'Souss', public_key: pk });
    assert.equal(res.status, 403);
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.get('/kits');
    res = await admin.post('/kits/keys', { key_name: 'Jouda Souss-Massa', public_key: 'too short' });
    assert.equal(res.status, 422);
    assert.match(res.text, /field-error/);
    res = await admin.post('/kits/keys', { key_name: 'Jouda Souss-Massa', public_key: pk });
    assert.equal(res.status, 303, show(res));
    const page = await admin.get('/kits');
    assert.ok(page.text.includes(pk));
    res = await importKit(zip);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().key_known, true);
    assert.equal(res.json().key_name, 'Jouda Souss-Massa');
    assert.equal(res.json().counts.create, 0);
    // forgotten again (asked first)
    const id = dbValue(`SELECT id FROM kit_keys WHERE public_key = '${pk}'`);
    res = await admin.post('/kits/keys/delete', { key_id: id });
    assert.equal(res.status, 200);
    assert.match(res.text, /confirm/);
    res = await admin.post('/kits/keys/delete', { key_id: id, confirm: '1' });
    assert.equal(res.status, 303, show(res));
    res = await importKit(zip);
    assert.equal(res.json().error.code, 'kit_unknown_key');
  });

  test('sheets and documents go to an association of the reader\'s scope', async () => {
    let res = await importKit(kit, `?dry_run=1&node_id=${d.assoc1.id}`);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().node_id, d.assoc1.id);
    res = await importKit(kit, `?dry_run=1&node_id=${d.eps1.id}`);
    assert.equal(res.status, 404, show(res));
    res = await importKit(kit, '?dry_run=1&node_id=abc');
    assert.equal(res.status, 422, show(res));
    // an association's administrator: their association by default, not another, not the root
    res = await importKit(kit, '?dry_run=1', NOUR_ADMIN);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().node_id, d.assoc2.id);
    for (const n of [d.assoc1.id, d.root.id]) {
      res = await importKit(kit, `?dry_run=1&node_id=${n}`, NOUR_ADMIN);
      assert.equal(res.status, 404, show(res));
    }
  });
});

describe('an association\'s kits stay within the association', () => {
  test('an association\'s advisor exports their association and the national items, never another association\'s', async () => {
    const [root, amal, nour] = [pathOf(d.root.id), pathOf(d.assoc1.id), pathOf(d.assoc2.id)];
    const approved = "SELECT code FROM documents WHERE status = 'approved' AND approved_version >= 1";
    const published = "SELECT code FROM sheets WHERE status = 'published'";
    const nourDocs = dbList(`${approved} AND node_path LIKE '${nour}%'`);
    const nourSheets = dbList(`${published} AND node_path LIKE '${nour}%'`);
    const amalDocs = dbList(`${approved} AND node_path LIKE '${amal}%'`);
    const rootDocs = dbList(`${approved} AND node_path = '${root}'`);
    const rootRefs = dbList(`SELECT lower(code) AS code FROM referentiels WHERE status = 'published' AND node_path = '${root}'`);
    assert.ok(nourDocs.length + nourSheets.length > 0, 'the demo has Nour\'s documents or sheets');
    assert.ok(rootDocs.length > 0 && rootRefs.length > 0, 'the demo has national documents and référentiels');
    // the national kit holds them all
    for (const c of [...nourDocs, ...amalDocs, ...rootDocs]) assert.ok(codesOf(manifest, 'document').has(c), `national kit: ${c}`);
    for (const who of [ADV, 'admin@amal.ma']) {
      const res = await api('GET', '/api/v1/kits/export', undefined, tok(who));
      assert.equal(res.status, 200, show(res));
      const m = manifestOf(res.body);
      const docs = codesOf(m, 'document');
      const sheets = codesOf(m, 'sheet');
      for (const c of nourDocs) assert.ok(!docs.has(c), `${who}'s kit holds Nour's document ${c}`);
      for (const c of nourSheets) assert.ok(!sheets.has(c), `${who}'s kit holds Nour's sheet ${c}`);
      for (const c of [...rootDocs, ...amalDocs]) assert.ok(docs.has(c), `${who}'s kit lacks the document ${c}`);
      for (const c of rootRefs) assert.ok(codesOf(m, 'referentiel').has(c), `${who}'s kit lacks the référentiel ${c}`);
      assert.ok(codesOf(m, 'project_template').has('default'), `${who}'s kit lacks the default template`);
    }
    // another association's kit, or the whole country's: 404 for them; the national admin picks any
    for (const n of [d.assoc2.id, d.root.id, d.eps1.id]) {
      const res = await api('GET', `/api/v1/kits/export?node_id=${n}`, undefined, tok(ADV));
      assert.equal(res.status, 404, show(res));
    }
    assert.equal((await api('GET', '/api/v1/kits/export?node_id=x', undefined, tok(ADV))).status, 422);
    const res = await api('GET', `/api/v1/kits/export?node_id=${d.assoc2.id}`, undefined, tok(ADMIN_EMAIL));
    assert.equal(res.status, 200, show(res));
    const docs = codesOf(manifestOf(res.body), 'document');
    for (const c of amalDocs) assert.ok(!docs.has(c), `Nour's kit holds Amal's document ${c}`);
    for (const c of [...nourDocs, ...rootDocs]) assert.ok(docs.has(c), `Nour's kit lacks the document ${c}`);
  });

  test('an association\'s import changes nothing of another association nor of the national library: "skip"', async () => {
    const [root, nour] = [pathOf(d.root.id), pathOf(d.assoc2.id)];
    const nourDocs = new Set(dbList(`SELECT code FROM documents WHERE node_path LIKE '${nour}%'`));
    const rootRefs = new Set(dbList(`SELECT lower(code) AS code FROM referentiels WHERE node_path = '${root}'`));
    const doc = manifest.contents.find((c) => c.type === 'document' && nourDocs.has(c.code));
    const ref = manifest.contents.find((c) => c.type === 'referentiel' && rootRefs.has(c.code));
    const tpl = manifest.contents.find((c) => c.type === 'project_template' && c.code === 'default');
    assert.ok(doc && ref && tpl, 'the national kit holds a document of Nour, a national référentiel and the default template');
    const top = (table, code, col = 'version') => Number(dbValue(`SELECT MAX(${col}) FROM ${table} WHERE lower(code) = '${code}'`));
    const zip = changedKit([
      // the document's next version, a new version of the référentiel, the template changed with a higher revision
      [doc, (j) => ({ version: top('documents', doc.code) + 1, doc: { ...j, version: top('documents', doc.code) + 1 } })],
      [ref, (j) => ({ version: top('referentiels', ref.code) + 1, doc: { ...j, version: top('referentiels', ref.code) + 1 } })],
      [tpl, (j) => ({ version: top('project_templates', 'default', 'rev') + 1, doc: { ...j, title: `${j.title} (ailleurs)` } })],
    ]);
    // for the national administrator the same kit would change them: it is a valid kit
    let res = await importKit(zip, '?allow_unsigned=1&dry_run=1');
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json().items.map((it) => `${it.type}:${it.action}`).sort(),
      ['document:update', 'project_template:update', 'referentiel:create'], JSON.stringify(res.json().items));
    const docId = dbValue(`SELECT id FROM documents WHERE code = '${doc.code}'`);
    const state = () => [
      dbValue(`SELECT COUNT(*) FROM document_versions WHERE document_id = ${docId}`),
      dbValue(`SELECT title_fr || '|' || approved_version || '|' || version FROM documents WHERE id = ${docId}`),
      dbValue(`SELECT COUNT(*) FROM referentiels WHERE lower(code) = '${ref.code}'`),
      dbValue("SELECT title || '|' || rev FROM project_templates WHERE code = 'default'"),
    ];
    const before_ = state();
    const imports = applied();
    res = await importKit(zip, '?allow_unsigned=1', ADV);
    assert.equal(res.status, 200, show(res));
    const r = res.json();
    assert.equal(r.node_id, d.assoc1.id);
    for (const it of r.items) {
      assert.equal(it.action, 'skip', `${it.type} ${it.code}: ${it.action}`);
      assert.ok(it.message && it.message.length > 10, `${it.type}: a reason`);
    }
    assert.equal(r.counts.skip, 3);
    assert.equal(applied(), imports + 1);
    assert.deepEqual(state(), before_, 'nothing changed');
  });
});

describe('the pages', () => {
  test('upload, preview, then import with the CSRF token and the box accepting an unsigned kit', async () => {
    const c = await signIn(ADV);
    let res = await c.get('/kits');
    assert.equal(res.status, 200);
    assert.match(res.text, /action="\/kits\/import"/);
    assert.doesNotMatch(res.text, /action="\/kits\/name"/, 'an advisor does not rename the instance');
    const zip = rezip(unsigned(entries));
    res = await c.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: zip }], { csrf: false });
    assert.equal(res.status, 403, 'no CSRF token, no preview');
    res = await c.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: zip }]);
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, /kit-alert/);
    assert.match(res.text, /name="accept_unsigned"/);
    const id = res.text.match(/name="import_id" value="(\d+)"/)[1];
    const node = res.text.match(/<option value="(\d+)" selected>/)[1];
    assert.equal(Number(node), d.assoc1.id, 'an association\'s advisor imports for their association');
    const before = applied();
    res = await c.post('/kits/apply', { import_id: id, node_id: node }, { csrf: false });
    assert.equal(res.status, 403);
    res = await c.post('/kits/apply', { import_id: id, node_id: node });
    assert.equal(res.status, 422, 'the box must be ticked');
    assert.match(res.text, /f-accept_unsigned-error/);
    assert.equal(applied(), before);
    res = await c.post('/kits/apply', { import_id: id, node_id: String(d.root.id), accept_unsigned: '1' });
    assert.equal(res.status, 422, 'not the root for an association\'s advisor');
    res = await c.post('/kits/apply', { import_id: id, node_id: node, accept_unsigned: '1' });
    assert.equal(res.status, 200, show(res));
    assert.match(res.text, /tag--plain/);
    assert.equal(applied(), before + 1);
    res = await c.post('/kits/apply', { import_id: id, node_id: node, accept_unsigned: '1' });
    assert.equal(res.status, 303, 'a preview is applied once');
    res = await c.get('/kits');
    assert.match(res.text, /id="history"/);
    // another user cannot apply someone's preview
    const other = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    res = await c.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: zip }]);
    const id2 = res.text.match(/name="import_id" value="(\d+)"/)[1];
    res = await other.post('/kits/apply', { import_id: id2, node_id: String(d.root.id), accept_unsigned: '1' });
    assert.equal(res.status, 303);
    res = await c.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'bad.zip', type: 'application/zip', data: Buffer.from('nope') }]);
    assert.equal(res.status, 422);
    assert.match(res.text, /f-kit-error/);
  });

  test('the national administrator names the instance; the kits carry the name', async () => {
    const admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.get('/kits');
    const old = manifest.producer;
    let res = await admin.post('/kits/name', { name: '' });
    assert.equal(res.status, 422);
    res = await admin.post('/kits/name', { name: 'Jouda — instance nationale' });
    assert.equal(res.status, 303, show(res));
    res = await api('GET', '/api/v1/kits/export', undefined, tok(ADMIN_EMAIL));
    const m = JSON.parse(entry(unzip(res.body), 'manifest.json').data.toString('utf8'));
    assert.equal(m.producer, 'Jouda — instance nationale');
    assert.ok(Number(dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'instance'")) >= 1);
    const nour = await signIn(NOUR_ADMIN);
    await nour.get('/kits');
    res = await nour.post('/kits/name', { name: 'Nour' });
    assert.equal(res.status, 403);
    await admin.post('/kits/name', { name: old });
  });

  test('Arabic pages read right to left', async () => {
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { lang: 'ar' });
    const res = await c.get('/kits?lang=ar');
    assert.equal(res.status, 200);
    assert.match(res.text, /<html[^>]*dir="rtl"/);
  });
});
