// scope-kits.test.mjs - who may use the transfer kits (src/kit/kit_module.c)
// and the onboarding wizard (src/onboard/onboard_module.c), pages and API,
// for every demo login; what the nodes named in their requests (the
// association receiving a kit, the association of a new EPS) may be; and
// that nothing is created by a refused request. What each login may do is
// worked out here from src/kit/kit_internal.h, src/onboard/onboard_internal.h
// and the demo roles of fixture.mjs, never asked of the server:
//  - kits: the admins and quality advisors of the root or of an association
//    (export, import, preview); directors, referents, staff, observers and
//    inspectors get 403; an import goes to the root or an association the
//    user writes quality work at: another association, an EPS, the root
//    for an association's user, an absent node: 404;
//  - the instance's name, signing key and trusted keys: the root's admins
//    (other kit users 403); a preview is applied by its uploader only;
//  - onboarding: the same admins and advisors, over the chosen association:
//    everyone else 403; an association outside their scope 404, and an id
//    that does not exist the same 404; a node that is not an association
//    in their scope 422; refused requests create nothing (nodes, accounts,
//    roles, roadmap steps, audit rows counted before and after).
// Permitted requests are previews (dry runs) or bodies refused with 422
// (409 for a second signing key), so that nothing changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, tokenFor, demo, signIn, dbValue, parseForm, uniq, multipart, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';
import { demoActor, DEMO_ROLES } from './fixture.mjs';

const LOGINS = Object.keys(DEMO_ROLES);
const ABSENT = 987654321;
let d;
let actors; // [{login, actor, client, token, kit, kitAdmin, onboard}]
let kit; // the instance's kit (bytes), exported by the national admin
let preview; // a kit previewed by the national admin (kit_imports row id)
let trusted; // a trusted key's id, added here

const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);
const NETWORK = ['admin', 'quality_advisor'];
const networkRole = (actor) => actor.roles.some((r) => NETWORK.includes(r.role) && ['root', 'association'].includes(r.node.kind));
const networkOver = (actor, nodeId) => actor.roles.some((r) => NETWORK.includes(r.role) && ['root', 'association'].includes(r.node.kind) && within(nodeId, r.node.id));
async function inGroups(thunks, n = 6) {
  const out = [];
  for (let i = 0; i < thunks.length; i += n) out.push(...await Promise.all(thunks.slice(i, i + n).map((f) => f())));
  return out;
}
const tokOf = (a) => ({ token: a.token });
const brief = (res) => `${res.status}${res.location ? ` -> ${res.location}` : ''} ${res.text.slice(0, 160).replace(/\s+/g, ' ')}`;
/* the kit as the multipart field "kit" (the matrix), or as the body itself (application/zip) */
function zipImport(a, query) {
  const mp = multipart({}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: kit }]);
  return api('POST', `/api/v1/kits/import${query}`, mp.body, { token: a.token, type: mp.contentType });
}
const zipBody = (a, query) => api('POST', `/api/v1/kits/import${query}`, kit, { token: a.token, type: 'application/zip' });

function snapshot() {
  const v = (sql) => dbValue(sql);
  return {
    imports: v("SELECT COUNT(*) || ':' || SUM(CASE WHEN status = 'applied' THEN 1 ELSE 0 END) FROM kit_imports"),
    keys: v("SELECT COUNT(*) FROM kit_keys"),
    signing: v('SELECT public_key FROM kit_signing_key'),
    name: v("SELECT COALESCE((SELECT value FROM settings WHERE key = 'instance_name'), '-')"),
    nodes: v("SELECT COUNT(*) || ':' || SUM(version) FROM nodes"),
    users: v('SELECT COUNT(*) FROM users'),
    roles: v('SELECT COUNT(*) FROM user_roles'),
    steps: v('SELECT COUNT(*) FROM road_steps'),
    sheets: v('SELECT COUNT(*) FROM sheets'),
    documents: v('SELECT COUNT(*) FROM documents'),
    runs: v('SELECT COUNT(*) FROM onboard_runs'),
    audit: v("SELECT COUNT(*) FROM audit_log WHERE entity IN ('kit_import', 'kit_key', 'instance') OR action IN ('onboard', 'import')"),
  };
}
function compare(before_, wrong) {
  const after_ = snapshot();
  if (JSON.stringify(after_) !== JSON.stringify(before_)) wrong.push(`the tables changed: ${JSON.stringify(before_)} -> ${JSON.stringify(after_)}`);
}

before(async () => {
  d = await demo();
  actors = [];
  for (const login of LOGINS) {
    const actor = demoActor(d, login);
    actors.push({ login, actor, token: tokenFor(login),
      client: await signIn(login, login === ADMIN_EMAIL ? ADMIN_PASSWORD : undefined),
      kit: networkRole(actor), kitAdmin: actor.roles.some((r) => r.role === 'admin' && r.node.id === d.root.id) });
  }
  const root = actors.find((a) => a.login === ADMIN_EMAIL);
  const res = await api('GET', '/api/v1/kits/export', undefined, tokOf(root));
  assert.equal(res.status, 200, brief(res));
  kit = res.body;
  // a preview kept for the national admin
  const up = await root.client.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: kit }]);
  assert.equal(up.status, 200, brief(up));
  preview = Number(parseForm(up.text, '/kits/apply').fields.import_id);
  assert.ok(preview > 0, 'the preview page carries its import_id');
  // a trusted key
  const pk = randomBytes(32).toString('base64');
  const t = await root.client.post('/kits/keys', { key_name: uniq('Instance de test '), public_key: pk });
  assert.equal(t.status, 303, brief(t));
  trusted = Number(dbValue(`SELECT id FROM kit_keys WHERE public_key = '${pk}'`));
  assert.ok(trusted > 0);
});

after(async () => {
  const root = actors?.find((a) => a.login === ADMIN_EMAIL);
  if (root && trusted) await root.client.post('/kits/keys/delete', { key_id: String(trusted), confirm: '1' });
});

test('transfer kits: admins and advisors of the root or an association only; the instance\'s keys and name the national admins\'; nothing changed', async () => {
  const before_ = snapshot();
  const hasKey = Number(dbValue('SELECT COUNT(*) FROM kit_signing_key')) > 0;
  const trustedName = dbValue(`SELECT name FROM kit_keys WHERE id = ${trusted}`);
  const wrong = [];
  const jobs = [];
  let tried = 0;
  const check = (a, label, res, want, verify) => {
    tried++;
    const where = `${a.login} (${a.kitAdmin ? 'national admin' : a.kit ? 'kit user' : 'no kits'}) ${label}`;
    if (!want.includes(res.status)) { wrong.push(`${where}: want ${want.join('|')}, got ${brief(res)}`); return; }
    const why = verify && res.status === 200 ? verify(res) : null;
    if (why) wrong.push(`${where}: ${why}`);
  };
  const isZip = (res) => (String(res.headers['content-type']).startsWith('application/zip') && res.body.subarray(0, 2).toString() === 'PK' ? null : `not a zip: ${res.headers['content-type']}`);
  const dryRun = (res) => (res.json().applied === false ? null : 'applied');
  for (const a of actors) {
    const use = a.kit ? [200] : [403];
    // the page: the kit users' forms; those who read accounts (directors, referents) read what a
    // kit is, without its forms, keys or history; the others 403
    const readsAccounts = a.actor.anywhere('user.read');
    jobs.push(async () => {
      const res = await a.client.get('/kits');
      check(a, 'GET /kits', res, a.kit || readsAccounts ? [200] : [403]);
      if (res.status !== 200) return;
      const forms = ['action="/kits/import"', 'href="/kits/export"', 'action="/kits/keys/delete"'].filter((x) => res.text.includes(x));
      if (a.kit && !forms.includes('action="/kits/import"')) wrong.push(`${a.login} GET /kits: no import form`);
      if (!a.kit && (forms.length || res.text.includes(trustedName))) wrong.push(`${a.login} GET /kits shows the kit users' ${forms.join(', ') || 'trusted keys'}`);
    });
    jobs.push(async () => check(a, 'API import dry run (application/zip body)', await zipBody(a, '?dry_run=1&allow_unsigned=1'), use, dryRun));
    jobs.push(async () => check(a, 'GET /kits/export', await a.client.get('/kits/export'), use, isZip));
    jobs.push(async () => check(a, 'GET /api/v1/kits/export', await api('GET', '/api/v1/kits/export', undefined, tokOf(a)), use, isZip));
    jobs.push(async () => check(a, 'API import dry run', await zipImport(a, '?dry_run=1&allow_unsigned=1'), use, dryRun));
    // where the import goes: the root or an association the user writes at
    for (const [label, node] of [['the root', d.root], ['Amal', d.assoc1], ['Nour', d.assoc2], ['an EPS', d.eps1], ['an absent node', { id: ABSENT, kind: 'none' }]]) {
      const here = ['root', 'association'].includes(node.kind) && networkOver(a.actor, node.id);
      const want = !a.kit ? [403] : here ? [200] : [404];
      jobs.push(async () => check(a, `API import dry run at ${label}`, await zipImport(a, `?dry_run=1&allow_unsigned=1&node_id=${node.id}`), want, dryRun));
      if (!here) jobs.push(async () => check(a, `API import at ${label}`, await zipImport(a, `?allow_unsigned=1&node_id=${node.id}`), a.kit ? [404] : [403]));
    }
    if (!a.kit) {
      jobs.push(async () => check(a, 'API import', await zipImport(a, '?allow_unsigned=1'), [403]));
      jobs.push(async () => check(a, 'page upload', await a.client.postMultipart('/kits/import', {}, [{ field: 'kit', filename: 'kit.zip', type: 'application/zip', data: kit }]), [403]));
    }
    // another's preview: refused, or sent back to /kits (it is not theirs)
    if (!a.kitAdmin) {
      jobs.push(async () => {
        const res = await a.client.post('/kits/apply', { import_id: String(preview), node_id: String(d.root.id), accept_unsigned: '1' });
        check(a, 'page apply another\'s preview', res, a.kit ? [303] : [403]);
        if (a.kit && res.status === 303 && res.location !== '/kits') wrong.push(`${a.login} apply another's preview: redirected to ${res.location}`);
      });
    }
    // the instance: the national admins
    const admin = (ok) => (a.kitAdmin ? ok : [403]);
    jobs.push(async () => check(a, 'page name (empty)', await a.client.post('/kits/name', { name: '' }), admin([422])));
    // (the national admins would make the instance's key when it has none: not tried then)
    if (hasKey || !a.kitAdmin) jobs.push(async () => check(a, 'page keygen (one exists)', await a.client.post('/kits/keygen', {}), admin([409])));
    jobs.push(async () => check(a, 'page trust (empty)', await a.client.post('/kits/keys', { key_name: '', public_key: '' }), admin([422])));
    jobs.push(async () => check(a, 'page untrust (asks first)', await a.client.post('/kits/keys/delete', { key_id: String(trusted) }), admin([200])));
    jobs.push(async () => check(a, 'page untrust an absent key', await a.client.post('/kits/keys/delete', { key_id: String(ABSENT), confirm: '1' }), admin([404])));
    if (!a.kitAdmin) jobs.push(async () => check(a, 'page untrust (confirmed)', await a.client.post('/kits/keys/delete', { key_id: String(trusted), confirm: '1' }), [403]));
  }
  await inGroups(jobs, 6);
  compare(before_, wrong);
  assert.ok(wrong.length === 0, `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
  assert.ok(actors.some((a) => a.kit && !a.kitAdmin) && actors.some((a) => !a.kit), 'kit users and others were tried');
});

test('onboarding: admins and advisors over the association only; 404 outside, the same for an absent id; nothing created when refused', async () => {
  const before_ = snapshot();
  const wrong = [];
  const jobs = [];
  let tried = 0;
  const check = (a, label, res, want) => {
    tried++;
    if (!want.includes(res.status)) wrong.push(`${a.login} ${label}: want ${want.join('|')}, got ${brief(res)}`);
  };
  const eps = (assoc) => ({ association_id: assoc, name: uniq('Foyer Portée '), category: 'children' });
  for (const a of actors) {
    const use = networkRole(a.actor);
    jobs.push(async () => check(a, 'GET /onboard', await a.client.get('/onboard'), use ? [200] : [403]));
    for (const [label, node] of [['Amal', d.assoc1], ['Nour', d.assoc2], ['an EPS', d.eps1], ['an absent id', { id: ABSENT, kind: 'none' }]]) {
      const seen = node.id !== ABSENT && networkOver(a.actor, node.id);
      // permitted: the next step (200), or a node that is not an association (422); an absent id
      // answers 404 to everyone, as one outside the scope does
      const want = !use ? [403] : !seen ? [404] : node.kind === 'association' ? [200] : [422];
      jobs.push(async () => check(a, `page step 1 under ${label}`,
        await a.client.post('/onboard', { step: '1', go: 'next', association_id: String(node.id), name: uniq('Foyer Portée '), category: 'children' }), want));
      jobs.push(async () => check(a, `API dry run under ${label}`,
        await api('POST', '/api/v1/onboard?dry_run=1', eps(node.id), tokOf(a)), want));
      if (!want.includes(200)) {
        // the whole of it, really asked: refused the same, nothing created
        const full = { ...eps(node.id), units: [{ name: 'Maison A' }],
          director: { name: 'Directeur Refusé', email: `${uniq('refus')}@example.ma`, language: 'fr' } };
        jobs.push(async () => check(a, `API create under ${label}`, await api('POST', '/api/v1/onboard', full, tokOf(a)), want));
        jobs.push(async () => check(a, `page create under ${label}`,
          await a.client.post('/onboard', { step: '4', go: 'create', association_id: String(node.id), name: uniq('Foyer Portée '), category: 'children', unit_name_1: 'Maison A' }), want));
      }
    }
  }
  await inGroups(jobs, 6);
  compare(before_, wrong);
  assert.ok(wrong.length === 0, `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
});
