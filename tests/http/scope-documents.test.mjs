// scope-documents.test.mjs - every route of the document library that takes
// an id, for every known demo login, on documents of an establishment, of
// another one, of an association, of the other association and of the
// national library, approved, draft and archived. What each login may do is
// worked out here from the module's rule (src/library/library_internal.h,
// docs/API.md) and the demo roles of fixture.mjs, never asked of the server:
//  - approve: an admin or a quality advisor at the document's node or above
//    it; for an establishment's document, also its director;
//  - write (and read drafts and archived documents): the above, and the
//    quality referent of the establishment;
//  - read an approved document: a role at its node or below it, quality.read
//    at its node or above, and everybody for the national library's.
// A document the login may not see answers 404 when it is outside every
// scope, 403 when it is in scope (a draft for the staff). Permitted changes
// are tried with bodies the server refuses, so nothing changes; afterwards
// nothing has. The list of each login holds exactly what it may see.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, signIn, dbValue, listAll, multipart } from './lib.mjs';
import { demoActor } from './fixture.mjs';

const ACTORS = [
  'admin@jouda.ma', 'directrice.casa@amal.ma', 'directeur.tanger@amal.ma', 'admin@nour.ma', 'admin@amal.ma',
  'directrice@nour.ma', 'mere.fatima', 'educateur.casa', 'referent.casa@amal.ma', 'conseil@amal.ma',
  'inspecteur@entraide.ma', 'observateur@entraide.ma',
];
const LEVELS = ['none', 'read', 'write', 'approve'];
const ABSENT = 987654;
let d;
let objects;

const within = (nodeId, topId) => d.subtree(topId).some((n) => n.id === nodeId);
function depthOf(nodeId) {
  let n = 1;
  for (let x = d.byId.get(nodeId); x && x.kind !== 'root'; x = d.byId.get(d.parentOf(x))) n++;
  return n;
}
function levelOf(actor, node) {
  const eps = depthOf(node) === 3;
  if (actor.roles.some((r) => ['admin', 'quality_advisor'].includes(r.role) && within(node, r.node.id))) return 'approve';
  if (eps && actor.roles.some((r) => r.role === 'director' && r.node.id === node)) return 'approve';
  if (eps && actor.roles.some((r) => r.role === 'quality_referent' && r.node.id === node)) return 'write';
  if (depthOf(node) === 1 || actor.roles.some((r) => within(r.node.id, node)) || actor.can('quality.read', node)) return 'read';
  return 'none';
}
const atLeast = (have, need) => LEVELS.indexOf(have) >= LEVELS.indexOf(need);
const visible = (level, o) => (o.status === 'approved' ? atLeast(level, 'read') : atLeast(level, 'write'));

const tok = (login) => ({ token: tokenFor(login) });
const clients = new Map();
async function clientOf(login) {
  if (!clients.has(login)) clients.set(login, await signIn(login, login === 'admin@jouda.ma' ? (process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026') : undefined));
  return clients.get(login);
}
const noFile = multipart({ note: 'x' });

/* need: the level asked beyond seeing the document; ok: the answer of a
 * permitted try (a refused body, so nothing changes). */
const routes = [
  { label: 'GET document', need: 'read', call: (l, o) => api('GET', `/api/v1/documents/${o.id}`, undefined, tok(l)) },
  { label: 'GET versions', need: 'read', call: (l, o) => api('GET', `/api/v1/documents/${o.id}/versions`, undefined, tok(l)) },
  { label: 'GET version file', need: 'read', call: (l, o) => api('GET', `/api/v1/documents/${o.id}/versions/1/file`, undefined, tok(l)) },
  { label: 'GET absent version file', need: 'read', ok: [404], call: (l, o) => api('GET', `/api/v1/documents/${o.id}/versions/99/file`, undefined, tok(l)) },
  { label: 'page', need: 'read', call: async (l, o) => (await clientOf(l)).get(`/documents/${o.id}`) },
  { label: 'page file', need: 'read', call: async (l, o) => (await clientOf(l)).get(`/documents/${o.id}/versions/1/file`) },
  { label: 'page edit', need: 'write', call: async (l, o) => (await clientOf(l)).get(`/documents/${o.id}/edit`),
    okOf: (o) => [o.status === 'archived' ? 409 : 200] },
  { label: 'PATCH', need: 'write', ok: [422], call: (l, o) => api('PATCH', `/api/v1/documents/${o.id}`, { title_fr: 5 }, tok(l)) },
  { label: 'POST status', need: 'write', ok: [422], call: (l, o) => api('POST', `/api/v1/documents/${o.id}/status`, { status: 'gone' }, tok(l)) },
  { label: 'POST versions', need: 'write', ok: [422], call: (l, o) => api('POST', `/api/v1/documents/${o.id}/versions`, noFile.body, { ...tok(l), type: noFile.contentType }) },
  { label: 'POST ack (not an object)', need: 'read', ok: [400], call: (l, o) => api('POST', `/api/v1/documents/${o.id}/ack`, '[1]', tok(l)) },
  { label: 'page update', need: 'write', ok: [422], call: async (l, o) => (await clientOf(l)).post(`/documents/${o.id}`, { title_fr: '', title_ar: '' }) },
  { label: 'page status', need: 'write', ok: [422], call: async (l, o) => (await clientOf(l)).post(`/documents/${o.id}/status`, { status: 'gone', confirm: '1' }) },
  { label: 'page link', need: 'write', ok: [422], call: async (l, o) => (await clientOf(l)).post(`/documents/${o.id}/criteria`, { criterion: 'nothing' }) },
];

function expected(route, o, level) {
  if (!visible(level, o)) return [level === 'none' ? 404 : 403];
  if (!atLeast(level, route.need)) return [403];
  if (route.okOf) return route.okOf(o);
  return route.ok ?? [200];
}

async function snapshot() {
  return {
    documents: dbValue("SELECT COUNT(*) || ':' || SUM(rev) || ':' || SUM(version) FROM documents"),
    versions: dbValue('SELECT COUNT(*) FROM document_versions'),
    acks: dbValue('SELECT COUNT(*) FROM document_acks'),
    criteria: dbValue('SELECT COUNT(*) FROM document_criteria'),
    audit: dbValue("SELECT COUNT(*) FROM audit_log WHERE entity = 'document'"),
  };
}

function demoDoc(title, node, status) {
  const id = Number(dbValue(`SELECT id FROM documents WHERE (title_fr = '${title.replace(/'/g, "''")}' OR title_ar = '${title.replace(/'/g, "''")}') AND node_id = ${node} AND status = '${status}' AND version >= 1 ORDER BY id LIMIT 1`));
  assert.ok(id > 0, `the demo has "${title}" (${status})`);
  return { id, node, status, label: `${title} (${status}, node ${node})` };
}

before(async () => {
  d = await demo();
  objects = [
    demoDoc("Procédure de signalement et de protection de l'enfant", d.eps1.id, 'approved'),
    demoDoc('Procédure de gestion des sorties et des fugues', d.eps1.id, 'draft'),
    demoDoc('Protocole de sortie du week-end', d.eps3.id, 'approved'),
    demoDoc("Formulaire de déclaration d'incident", d.assoc1.id, 'approved'),
    demoDoc("Procédure d'accueil des mères et de leurs enfants", d.nour.id, 'approved'),
    demoDoc('Procédure de gestion des réclamations', d.root.id, 'approved'),
    demoDoc("Ancienne procédure d'admission (2019)", d.root.id, 'archived'),
  ];
});

test('every route taking a document id, for every demo login: 404 outside, 403 short of the right, nothing changed', async () => {
  const before_ = await snapshot();
  const wrong = [];
  let tried = 0;
  for (const login of ACTORS) {
    const actor = demoActor(d, login);
    for (const o of objects) {
      const level = levelOf(actor, o.node);
      for (const route of routes) {
        const want = expected(route, o, level);
        const res = await route.call(login, o);
        tried++;
        if (!want.includes(res.status)) wrong.push(`${login} (${level}) ${route.label} on ${o.label}: want ${want.join('|')}, got ${res.status} ${res.text.slice(0, 140).replace(/\s+/g, ' ')}`);
      }
    }
    const res = await api('GET', `/api/v1/documents/${ABSENT}`, undefined, tok(login));
    if (res.status !== 404) wrong.push(`${login}: absent document answered ${res.status}`);
  }
  assert.deepEqual(wrong, [], `${wrong.length} wrong answers of ${tried}:\n${wrong.join('\n')}`);
  assert.deepEqual(await snapshot(), before_, 'nothing changed');
});

test('each login lists exactly the documents it may see, totals included', async () => {
  for (const login of ACTORS) {
    const actor = demoActor(d, login);
    const { items, total } = await listAll('/api/v1/documents', tok(login), 200);
    assert.equal(items.length, total, `${login}: total`);
    const ids = new Set(items.map((x) => x.id));
    for (const o of objects) {
      const may = visible(levelOf(actor, o.node), o);
      assert.equal(ids.has(o.id), may, `${login} ${may ? 'misses' : 'lists'} ${o.label}`);
    }
    for (const it of items) {
      assert.ok(visible(levelOf(actor, it.node_id), it), `${login} lists document ${it.id} (${it.status}) of node ${it.node_id}`);
    }
  }
});
