// setup-assess.mjs - what the benchmark of the self-assessment pages needs on
// a fresh demo database: the 157-criterion référentiel of make-referentiel.mjs
// imported and published by the national administrator, and a campaign of the
// director's establishment on it with every criterion scored, submitted and
// validated. Prints the campaign's id.
// Usage: node bench/setup-assess.mjs URL ADMIN_TOKEN DIRECTOR_TOKEN
import { execFileSync } from 'node:child_process';

const [, , base, adminToken, directorToken] = process.argv;
async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const doc = JSON.parse(execFileSync('node', [new URL('./make-referentiel.mjs', import.meta.url).pathname, '1'], { encoding: 'utf8' }));
const ref = await call('POST', '/api/v1/referentiels', adminToken, doc);
await call('POST', `/api/v1/referentiels/${ref.id}/publish`, adminToken);
const me = await call('GET', '/api/v1/me', directorToken);
const eps = me.roles.find((r) => r.role === 'director').node_id;
const parents = new Set(doc.items.map((i) => i.parent_code).filter(Boolean));
const leaves = doc.items.filter((i) => !parents.has(i.code));
// every criterion, whatever the categories it names
const camp = await call('POST', '/api/v1/campaigns', directorToken, {
  node_id: eps, referentiel_id: ref.id, title: 'Bench 157', period_start: '2026-01-01', period_end: '2026-06-30',
  criteria: leaves.map((c) => c.code),
});
let n = 0;
for (const c of leaves) {
  const score = ['2', '3', '3', '4'][n++ % 4];
  await call('PUT', `/api/v1/campaigns/${camp.id}/ratings/${c.code}`, directorToken, {
    score, comment: score === '3' ? undefined : 'Constaté lors du traceur', evidence: score === '4' ? [{ label: 'Compte rendu' }] : undefined,
  });
}
await call('POST', `/api/v1/campaigns/${camp.id}/start`, directorToken);
await call('POST', `/api/v1/campaigns/${camp.id}/submit`, directorToken);
await call('POST', `/api/v1/campaigns/${camp.id}/validate`, directorToken);
console.log(camp.id);
