// persons.test.mjs - persons supported and their support plans through the
// JSON API (docs/API.md, "Persons"): creating a person with the body of the
// issue and reading it back whole (same field names, notes opened); bad
// input refused field by field in French and Arabic with nothing written;
// stale changes (409); the needs assessment by life domain; plans from a
// draft to agreed, in review, reviewed and closed, an impossible move
// answering 409 with the possible ones; reviews at most six months apart;
// a late review told by `jouda remind`; sensitive notes never in clear in
// the database; the access log; a grant of access to someone of another
// unit until a day, told to the director and revoked; two-step
// verification asked of directors (sessions and tokens) and, when the EPS
// asks it, of its staff; the export of a file (JSON and PDF, the director
// only); pseudonymised indicators for quality readers; and the roles that
// never see names (403 in scope, 404 outside).
// Every account needing two-step verification here is made by the test
// (the demo logins are never enrolled: other tests sign in as them with a
// password only). Names are unique per run.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  api, tokenFor, newToken, demo, show, translation, dbValue, dbExec, signIn, parseForm, formFields,
  BIN, DB_URL, ENGINE, RUN_NAME, ADMIN_EMAIL, listAll,
} from './lib.mjs';

/** Sign in (password only) and keep a CSRF token for the API's writes. */
async function session(login, password) {
  const c = await signIn(login, password);
  if (!c.lastCsrf) await c.get('/profile');
  return c;
}

const STAFF = 'educateur.casa';
const MERE = 'mere.fatima';
const DIR = 'directrice.casa@amal.ma';
const REF = 'referent.casa@amal.ma';
const TANGER = 'directeur.tanger@amal.ma';
const PASS = 'Personnes-2026-test';
const OUT = new URL('../output/pdf/', import.meta.url).pathname;
// letters only (names refuse nothing, but read as names): the run's own tag
const TAG = (() => { let n = process.pid; let s = ''; do { s += 'bcdfghjklmnpqrstvz'[n % 18]; n = Math.floor(n / 18); } while (n); return s[0].toUpperCase() + s.slice(1); })();
let seq = 0;
const tok = (login) => ({ token: tokenFor(login) });
let d;
let dir; // our own director of Casablanca, enrolled: {user, login, client, token, secret}
let otherUnit; // a unit of Casablanca other than Maison 1

/* ------------------------------------------------------------------ helpers */

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${s}`);
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
/** RFC 6238: HMAC-SHA1, 6 digits, 30 s steps. */
export function totpCode(secret, at = Date.now(), offset = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30) + offset));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** Today in Africa/Casablanca, and days and months from it, as YYYY-MM-DD. */
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Casablanca', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function dayOffset(n, from = today()) {
  const [y, m, dd] = from.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, dd + n)).toISOString().slice(0, 10);
}
function addMonths(day, n) {
  const [y, m, dd] = day.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + n, Math.min(dd, last))).toISOString().slice(0, 10);
}

/** An account made by the root admin: {id, login, ...}. */
async function account(prefix, role, nodeId) {
  const login = `${prefix}.${TAG.toLowerCase()}.${++seq}`;
  const res = await api('POST', '/api/v1/users', {
    username: login, name: `${prefix} ${TAG} ${seq}`, password: PASS, language: 'fr', roles: [{ role, node_id: nodeId }],
  }, tok(ADMIN_EMAIL));
  assert.equal(res.status, 201, show(res));
  return { ...res.json(), login };
}

/** Enrol the signed-in client in two-step verification; its secret. */
async function enrol(client) {
  const start = await client.api('POST', '/api/v1/me/totp', {});
  assert.equal(start.status, 201, show(start));
  const { secret, uri } = start.json();
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  assert.match(uri, /^otpauth:\/\/totp\//);
  const wrong = await client.api('POST', '/api/v1/me/totp/confirm', { code: totpCode(secret, Date.now() + 3600e3) });
  assert.equal(wrong.status, 422, `a wrong code: ${show(wrong)}`);
  const ok = await client.api('POST', '/api/v1/me/totp/confirm', { code: totpCode(secret) });
  assert.equal(ok.status, 200, show(ok));
  assert.equal(ok.json().recovery_codes.length, 10);
  return secret;
}

/** The body of the issue (section 9), with this run's names. */
function issueBody(nodeId, extra = {}) {
  const n = ++seq;
  return {
    node_id: nodeId,
    first_name: `Yasmine ${TAG}`,
    last_name: `Benali ${n}`,
    first_name_ar: 'ياسمين',
    last_name_ar: 'بنعلي',
    birth_date: '2012-04-03',
    sex: 'f',
    admission_date: '2024-09-15',
    health_notes: `Asthme sévère ${TAG}-${n} : inhalateur matin et soir.`,
    family_notes: `Mère joignable le samedi ${TAG}-${n}.`,
    judicial_notes: `Ordonnance de placement n° 2024/${n} ${TAG}.`,
    ...extra,
  };
}
const ISSUE_FIELDS = ['node_id', 'first_name', 'last_name', 'first_name_ar', 'last_name_ar', 'birth_date', 'sex', 'admission_date', 'health_notes', 'family_notes', 'judicial_notes'];

async function newPerson(login = STAFF, nodeId = d.maison1.id, extra = {}) {
  const res = await api('POST', '/api/v1/persons', issueBody(nodeId, extra), tok(login));
  assert.equal(res.status, 201, show(res));
  return res.json();
}
/** A plan agreed with one goal (v1). */
async function agreedPlan(p, login = STAFF) {
  let res = await api('POST', `/api/v1/persons/${p.id}/plans`, { status: 'draft', goals: [{ domain: 'education', text: `Réussir le collège ${TAG}` }] }, tok(login));
  assert.equal(res.status, 201, show(res));
  const plan = res.json();
  res = await api('PATCH', `/api/v1/persons/${p.id}/plans/${plan.id}`, { agreement: 'agrees', participation: 'Entretien avec elle.', status: 'agreed' }, tok(login));
  assert.equal(res.status, 200, show(res));
  return res.json();
}
const countOf = (table, where = '1=1') => Number(dbValue(`SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const personCounts = () => ({
  persons: countOf('persons'),
  audit: countOf('audit_log', "entity IN ('person', 'person_plan')"),
  plans: countOf('person_plans'),
  reviews: countOf('person_reviews'),
  needs: countOf('person_needs'),
  grants: countOf('person_grants'),
});
const arabic = /[\u0600-\u06FF]/;
/** What a refused answer must never show: the person's names and code. */
function noLeak(res, p, label) {
  for (const s of [p.first_name, p.last_name, p.code, p.health_notes]) {
    if (s) assert.ok(!res.text.includes(s), `${label}: the answer shows "${s}": ${res.text.slice(0, 200)}`);
  }
}

before(async () => {
  d = await demo();
  otherUnit = d.children(d.eps1.id).find((n) => n.kind === 'unit' && n.id !== d.maison1.id);
  assert.ok(otherUnit, 'Casablanca has another unit than Maison 1');
  const user = await account('dir', 'director', d.eps1.id);
  const client = await session(user.login, PASS);
  const token = newToken(user.login, `persons ${TAG}`);
  const secret = await enrol(client);
  dir = { user, login: user.login, client, token: { token }, secret };
});

/* ---------------------------------------------------------------- persons */

describe('creating and reading a person', () => {
  test('the body of the issue: 201 with the object, read back whole with the same names and the notes opened', async () => {
    const body = issueBody(d.maison1.id);
    const res = await api('POST', '/api/v1/persons', body, tok(STAFF));
    assert.equal(res.status, 201, show(res));
    const p = res.json();
    assert.ok(p.id > 0);
    assert.equal(res.headers.location, `/api/v1/persons/${p.id}`);
    for (const k of ISSUE_FIELDS) assert.deepEqual(p[k], body[k], `${k} as sent`);
    assert.match(p.code, /^[A-Za-z0-9]{9}$/, 'a pseudonymous code');
    assert.ok(!p.code.includes(TAG), 'the code says nothing of the name');
    assert.equal(typeof p.rev, 'number');
    const got = await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(STAFF));
    assert.equal(got.status, 200, show(got));
    for (const k of ISSUE_FIELDS) assert.deepEqual(got.json()[k], body[k], `${k} read back`);
    assert.equal(got.json().code, p.code);
    // another person gets another code
    const q = await newPerson();
    assert.notEqual(q.code, p.code);
  });

  test('missing fields, wrong types, too long, bad dates, unknown codes and fields: 422 in French and Arabic, nothing written', async () => {
    const base = issueBody(d.maison1.id);
    const without = (...keys) => Object.fromEntries(Object.entries(base).filter(([k]) => !keys.includes(k)));
    const cases = [
      [without('birth_date', 'sex', 'admission_date'), ['birth_date', 'sex', 'admission_date']],
      [without('first_name', 'last_name', 'first_name_ar', 'last_name_ar'), ['first_name']],
      [{ ...base, first_name: 5 }, ['first_name'], 'This field must be text.'],
      [{ ...base, health_notes: ['x'] }, ['health_notes'], 'This field must be text.'],
      [{ ...base, disability: 'oui' }, ['disability']],
      [{ ...base, first_name: 'Y'.repeat(81) }, ['first_name']],
      [{ ...base, health_notes: 'x'.repeat(8001) }, ['health_notes']],
      [{ ...base, first_name: 'Yas\u0007mine' }, ['first_name']],
      [{ ...base, birth_date: '2012-02-30' }, ['birth_date']],
      [{ ...base, birth_date: '2012-4-3' }, ['birth_date']],
      [{ ...base, birth_date: dayOffset(2) }, ['birth_date']],
      [{ ...base, admission_date: '1899-12-31' }, ['admission_date']],
      [{ ...base, exit_date: '2024-01-01' }, ['exit_date']],
      [{ ...base, sex: 'x' }, ['sex']],
      [{ ...base, sex: 'F' }, ['sex']],
      [{ ...base, origin: 'martian' }, ['origin']],
      [{ ...base, legal_status: 'unknown' }, ['legal_status']],
      [{ ...base, exit_destination: 'moon' }, ['exit_destination']],
      [{ ...base, colour: 'red' }, ['colour']],
      [{ ...base, node_id: 'casa' }, ['node_id']],
      [without('node_id'), ['node_id']],
    ];
    const before_ = personCounts();
    for (const [body, fields, msgid] of cases) {
      const texts = {};
      for (const lang of ['fr', 'ar']) {
        const res = await api('POST', `/api/v1/persons?lang=${lang}`, body, tok(STAFF));
        assert.equal(res.status, 422, `${JSON.stringify(body).slice(0, 120)}: ${show(res)}`);
        const err = res.json().error;
        assert.equal(err.code, 'invalid');
        for (const f of fields) {
          assert.ok(err.fields[f], `${f} named (${lang}): ${JSON.stringify(err)}`);
          if (msgid) assert.equal(err.fields[f], translation(lang, msgid));
        }
        texts[lang] = err.fields[fields[0]];
      }
      assert.match(texts.ar, arabic, `Arabic message for ${fields[0]}: ${texts.ar}`);
      assert.doesNotMatch(texts.fr, arabic, `French message for ${fields[0]}: ${texts.fr}`);
    }
    // not UTF-8, or no JSON object: 400 like every API route
    const raw = Buffer.concat([Buffer.from(`{"node_id":${d.maison1.id},"first_name":"`), Buffer.from([0xc3, 0x28]), Buffer.from('","last_name":"B"}')]);
    let res = await api('POST', '/api/v1/persons', raw, tok(STAFF));
    assert.equal(res.status, 400, show(res));
    for (const b of ['[1]', '"x"', 'null', '{']) {
      res = await api('POST', '/api/v1/persons', b, tok(STAFF));
      assert.equal(res.status, 400, `${b}: ${show(res)}`);
    }
    res = await api('POST', '/api/v1/persons', 'first_name=x', { ...tok(STAFF), type: 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 415, show(res));
    assert.deepEqual(personCounts(), before_, 'nothing written');
  });

  test('where a person may be recorded: 404 outside the scope, 403 without the right, 403 totp_required for a director not enrolled', async () => {
    const before_ = personCounts();
    const body = (node) => issueBody(node);
    const cases = [
      [MERE, otherUnit.id, 404],
      [TANGER, d.maison1.id, 404],
      ['directrice@nour.ma', d.maison1.id, 404],
      [REF, d.maison1.id, 403],
      ['conseil@amal.ma', d.maison1.id, 403],
      ['observateur@entraide.ma', d.maison1.id, 403],
      ['inspecteur@entraide.ma', d.maison1.id, 403],
      ['admin@amal.ma', d.maison1.id, 403],
      [ADMIN_EMAIL, d.maison1.id, 403],
      [DIR, d.maison1.id, 403, 'totp_required'],
    ];
    for (const [login, node, status, code] of cases) {
      const res = await api('POST', '/api/v1/persons', body(node), tok(login));
      assert.equal(res.status, status, `${login} at ${node}: ${show(res)}`);
      if (code) assert.equal(res.json().error.code, code);
      else if (status === 403) assert.notEqual(res.json().error.code, 'totp_required', `${login}: ${show(res)}`);
    }
    // a unit's staff records at their unit; the director (enrolled) at the EPS itself
    assert.deepEqual(personCounts(), before_, 'nothing written');
    const own = await api('POST', '/api/v1/persons', body(d.maison1.id), tok(MERE));
    assert.equal(own.status, 201, show(own));
    const atEps = await api('POST', '/api/v1/persons', body(d.eps1.id), dir.token);
    assert.equal(atEps.status, 201, show(atEps));
    const notPlace = await api('POST', '/api/v1/persons', body(d.assoc1.id), dir.token);
    assert.equal(notPlace.status, 404, `an association is above the director: ${show(notPlace)}`);
  });

  test('PATCH changes what it holds; a stale rev is a 409 and changes nothing; the audit log never holds a note', async () => {
    const p = await newPerson();
    let res = await api('PATCH', `/api/v1/persons/${p.id}`, { rev: p.rev, health_notes: `Allergie ${TAG} aux arachides`, origin: 'judicial', origin_ref: `Jugement ${TAG}/77`, disability: true, disability_kind: 'Malvoyance' }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    const q = res.json();
    assert.equal(q.health_notes, `Allergie ${TAG} aux arachides`);
    assert.equal(q.origin, 'judicial');
    assert.equal(q.origin_ref, `Jugement ${TAG}/77`);
    assert.equal(q.disability, true);
    assert.equal(q.family_notes, p.family_notes, 'what is absent is unchanged');
    assert.ok(q.rev > p.rev);
    const before_ = personCounts();
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { rev: p.rev, first_name: 'Autre' }, tok(STAFF));
    assert.equal(res.status, 409, show(res));
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { rev: q.rev, colour: 'blue' }, tok(STAFF));
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json().error.fields.colour);
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { sex: 'n' }, tok(STAFF));
    assert.equal(res.status, 422, show(res));
    // moving to a unit of another EPS: refused
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { node_id: d.eps3.id }, tok(STAFF));
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(personCounts(), before_, 'nothing written');
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(STAFF))).json().first_name, p.first_name);
    // an optional text emptied
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { judicial_notes: '' }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.ok(!res.json().judicial_notes, 'emptied');
    const changes = dbValue(ENGINE === 'postgresql'
      ? `SELECT string_agg(COALESCE(changes::text, ''), ' ') FROM audit_log WHERE entity = 'person' AND entity_id = ${p.id}`
      : `SELECT group_concat(COALESCE(changes, ''), ' ') FROM audit_log WHERE entity = 'person' AND entity_id = ${p.id}`);
    assert.ok(changes.includes('health_notes'), `the audit log says the note changed: ${changes}`);
    for (const s of [`Allergie ${TAG}`, p.health_notes, p.judicial_notes, `Jugement ${TAG}`]) {
      assert.ok(!changes.includes(s), `the audit log holds "${s}"`);
    }
  });

  test('the list: filters, paging, totals; only what the reader may read', async () => {
    const p = await newPerson(STAFF, otherUnit.id);
    const all = await listAll('/api/v1/persons', tok(STAFF), 100);
    assert.ok(all.items.some((x) => x.id === p.id));
    assert.equal(all.items.length, all.total);
    const item = all.items.find((x) => x.id === p.id);
    assert.equal(item.code, p.code);
    let res = await api('GET', `/api/v1/persons?q=${encodeURIComponent(`benali ${p.last_name.split(' ')[1]}`)}&node_id=${otherUnit.id}`, undefined, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json().items.some((x) => x.id === p.id), 'found by its name');
    res = await api('GET', `/api/v1/persons?node_id=${d.maison1.id}`, undefined, tok(STAFF));
    assert.ok(!res.json().items.some((x) => x.id === p.id), 'not at Maison 1');
    res = await api('GET', '/api/v1/persons', undefined, tok(MERE));
    assert.ok(!res.json().items.some((x) => x.id === p.id), 'another unit is not hers');
    for (const q of ['limit=abc', 'offset=-1', 'node_id=x', 'mine=maybe', 'due=2']) {
      res = await api('GET', `/api/v1/persons?${q}`, undefined, tok(STAFF));
      assert.equal(res.status, 422, `${q}: ${show(res)}`);
    }
    res = await api('GET', '/api/v1/persons?limit=1', undefined, tok(STAFF));
    assert.equal(res.json().items.length, 1);
    assert.ok(res.json().total >= 2);
  });
});

/* ------------------------------------------------------------------ needs */

describe('needs by life domain', () => {
  test('the shipped domains; one assessment written, read back, stale, out of range', async () => {
    const p = await newPerson();
    let res = await api('GET', `/api/v1/persons/${p.id}/needs`, undefined, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    const codes = res.json().items.map((x) => x.domain);
    for (const c of ['health', 'development', 'education', 'identity', 'family', 'autonomy', 'safety', 'participation', 'leisure', 'disability']) {
      assert.ok(codes.includes(c), `domain ${c}`);
    }
    assert.ok(res.json().items.every((x) => x.level === null && x.label));
    const need = { level: 3, situation: `Suivi pneumologique ${TAG}`, strengths: 'Sportive', needs: 'Rendez-vous réguliers', own_words: '« Je veux courir »', assessed_on: today() };
    res = await api('PUT', `/api/v1/persons/${p.id}/needs/health`, need, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    for (const k of Object.keys(need)) assert.equal(res.json()[k], need[k], k);
    const rev = res.json().rev;
    res = await api('GET', `/api/v1/persons/${p.id}/needs?lang=ar`, undefined, tok(STAFF));
    const health = res.json().items.find((x) => x.domain === 'health');
    assert.equal(health.own_words, need.own_words);
    assert.match(health.label, arabic);
    const before_ = personCounts();
    res = await api('PUT', `/api/v1/persons/${p.id}/needs/health`, { ...need, level: 4, rev: rev + 5 }, tok(STAFF));
    assert.equal(res.status, 409, show(res));
    for (const [body, field] of [[{ ...need, level: 5 }, 'level'], [{ ...need, level: '3' }, 'level'], [{ ...need, assessed_on: dayOffset(3) }, 'assessed_on'],
      [{ ...need, situation: 'x'.repeat(8001) }, 'situation'], [{ ...need, mood: 'ok' }, 'mood']]) {
      for (const lang of ['fr', 'ar']) {
        res = await api('PUT', `/api/v1/persons/${p.id}/needs/health?lang=${lang}`, body, tok(STAFF));
        assert.equal(res.status, 422, show(res));
        assert.ok(res.json().error.fields[field], `${field}: ${show(res)}`);
        if (lang === 'ar') assert.match(res.json().error.fields[field], arabic);
      }
    }
    res = await api('PUT', `/api/v1/persons/${p.id}/needs/astrology`, need, tok(STAFF));
    assert.equal(res.status, 404, show(res));
    assert.deepEqual(personCounts(), before_);
    if (ENGINE === 'postgresql' || ENGINE === 'sqlite') {
      const stored = dbValue(`SELECT situation FROM person_needs WHERE person_id = ${p.id} AND domain = 'health'`);
      assert.match(stored, /^s1:/, 'sealed');
      assert.ok(!stored.includes(TAG));
    }
  });
});

/* ------------------------------------------------------------------ plans */

describe('plans', () => {
  test('the issue\'s body, then draft -> agreed -> in_review -> agreed (a review) -> closed; impossible moves 409 with the allowed ones', async () => {
    const p = await newPerson();
    const body = { status: 'draft', goals: [{ domain: 'education', text: 'Obtenir le certificat d\'études primaires' }] };
    let res = await api('POST', `/api/v1/persons/${p.id}/plans`, body, tok(STAFF));
    assert.equal(res.status, 201, show(res));
    const plan = res.json();
    assert.ok(plan.id > 0);
    assert.equal(plan.status, 'draft');
    assert.equal(plan.version, 1);
    assert.equal(plan.goals.length, 1);
    assert.equal(plan.goals[0].domain, 'education');
    assert.equal(plan.goals[0].text, body.goals[0].text);
    res = await api('POST', `/api/v1/persons/${p.id}/plans`, { status: 'draft' }, tok(STAFF));
    assert.equal(res.status, 409, `one draft at a time: ${show(res)}`);
    const url = `/api/v1/persons/${p.id}/plans/${plan.id}`;
    // agreeing needs the person's agreement
    res = await api('PATCH', url, { status: 'agreed' }, tok(STAFF));
    assert.ok([409, 422].includes(res.status), show(res));
    assert.equal((await api('GET', url, undefined, tok(STAFF))).json().status, 'draft');
    // goals with actions, signatures
    res = await api('PATCH', url, {
      goals: [{ domain: 'education', text: body.goals[0].text, actions: [{ text: 'Soutien scolaire le mercredi', who: 'Éducateur', due: dayOffset(60), done: false }] },
        { domain: 'health', text: 'Suivre le traitement' }],
      participation: 'Deux entretiens avec Yasmine, dessin de ses projets.', agreement: 'agrees',
      child_signed_name: 'Yasmine', child_signed_on: today(), child_signed_how: 'signature',
      guardian_name: 'Juge des mineurs', guardian_signed_on: today(), guardian_signed_how: 'signature',
    }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().goals.length, 2);
    assert.equal(res.json().goals[0].actions[0].who, 'Éducateur');
    res = await api('PATCH', url, { status: 'agreed' }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'agreed');
    assert.equal(res.json().agreed_on, today());
    assert.ok(res.json().next_review <= addMonths(today(), 6), `next review ${res.json().next_review}`);
    assert.ok(res.json().next_review > today());
    // impossible: back to draft
    res = await api('PATCH', url, { status: 'draft' }, tok(STAFF));
    assert.equal(res.status, 409, show(res));
    let err = res.json().error;
    assert.equal(err.code, 'conflict');
    assert.deepEqual([...err.allowed].sort(), ['closed', 'in_review'].filter((s) => err.allowed.includes(s)).sort());
    assert.ok(err.allowed.includes('in_review'), JSON.stringify(err));
    assert.ok(!err.allowed.includes('draft'));
    res = await api('PATCH', url, { status: 'in_review' }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'in_review');
    const next = addMonths(today(), 3);
    res = await api('POST', `${url}/reviews`, { reviewed_on: today(), changes: 'Progrès en lecture ; nouveau rendez-vous médical.', next_review: next }, tok(STAFF));
    assert.equal(res.status, 201, show(res));
    assert.ok(res.json().id > 0);
    assert.equal(res.json().next_review, next);
    res = await api('GET', url, undefined, tok(STAFF));
    assert.equal(res.json().status, 'agreed', 'a review puts the plan back to agreed');
    assert.equal(res.json().next_review, next);
    assert.equal(res.json().reviews.length, 1);
    assert.equal(res.json().reviews[0].changes, 'Progrès en lecture ; nouveau rendez-vous médical.');
    res = await api('PATCH', url, { status: 'closed' }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().status, 'closed');
    res = await api('PATCH', url, { status: 'agreed' }, tok(STAFF));
    assert.equal(res.status, 409, show(res));
    err = res.json().error;
    assert.deepEqual(err.allowed, [], 'closed is final');
    res = await api('POST', `${url}/reviews`, { changes: 'x' }, tok(STAFF));
    assert.equal(res.status, 409, `a closed plan is not reviewed: ${show(res)}`);
    // a new version starts from the last one's goals
    res = await api('POST', `/api/v1/persons/${p.id}/plans`, {}, tok(STAFF));
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json().version, 2);
    assert.equal(res.json().status, 'draft');
    assert.equal(res.json().goals.length, 2, 'goals copied');
    res = await api('GET', `/api/v1/persons/${p.id}/plans`, undefined, tok(STAFF));
    assert.deepEqual(res.json().items.map((x) => x.version), [2, 1]);
    // a plan of another person is not found under this one
    const other = await newPerson();
    res = await api('GET', `/api/v1/persons/${other.id}/plans/${plan.id}`, undefined, tok(STAFF));
    assert.equal(res.status, 404, show(res));
    res = await api('PATCH', `/api/v1/persons/${other.id}/plans/${plan.id}`, { participation: 'x' }, tok(STAFF));
    assert.equal(res.status, 404, show(res));
    res = await api('POST', `/api/v1/persons/${other.id}/plans/${plan.id}/reviews`, { changes: 'x' }, tok(STAFF));
    assert.equal(res.status, 404, show(res));
    // the goals' text is sealed at rest
    assert.match(dbValue(`SELECT text FROM person_goals WHERE plan_id = ${plan.id} ORDER BY id LIMIT 1`), /^s1:/);
  });

  test('reviews: the next one at most six months later (422 beyond, in French and Arabic), a stale plan rev 409', async () => {
    const p = await newPerson();
    const plan = await agreedPlan(p);
    const url = `/api/v1/persons/${p.id}/plans/${plan.id}`;
    const before_ = personCounts();
    for (const lang of ['fr', 'ar']) {
      const res = await api('POST', `${url}/reviews?lang=${lang}`, { reviewed_on: today(), changes: 'Bilan', next_review: addMonths(today(), 7) }, tok(STAFF));
      assert.equal(res.status, 422, show(res));
      assert.ok(res.json().error.fields.next_review, show(res));
      if (lang === 'ar') assert.match(res.json().error.fields.next_review, arabic);
    }
    for (const body of [{ changes: '' }, { changes: 'Bilan', reviewed_on: '2026-13-01' }, { changes: 'Bilan', next_review: 'demain' }, { changes: 'Bilan', mood: 1 }]) {
      const res = await api('POST', `${url}/reviews`, body, tok(STAFF));
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${show(res)}`);
    }
    let res = await api('PATCH', url, { rev: plan.rev + 7, participation: 'x' }, tok(STAFF));
    assert.equal(res.status, 409, show(res));
    res = await api('PATCH', url, { review_months: 7 }, tok(STAFF));
    assert.equal(res.status, 422, show(res));
    res = await api('PATCH', url, { goals: [{ domain: 'astrology', text: 'x' }] }, tok(STAFF));
    assert.ok([409, 422].includes(res.status), show(res));
    assert.deepEqual(personCounts(), before_, 'nothing written');
    // the default next review: at most six months after the review
    res = await api('POST', `${url}/reviews`, { changes: 'Bilan de mi-parcours' }, tok(STAFF));
    assert.equal(res.status, 201, show(res));
    assert.ok(res.json().next_review <= addMonths(today(), 6) && res.json().next_review > today(), res.json().next_review);
  });

  test('a late review is told by `jouda remind` to the referents and the director, once per due day', async () => {
    const staff = d.user(STAFF);
    const p = await newPerson();
    let res = await api('PATCH', `/api/v1/persons/${p.id}`, { referents: [staff.id] }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json().referents.some((x) => x.id === staff.id), JSON.stringify(res.json().referents));
    const plan = await agreedPlan(p);
    res = await api('POST', `/api/v1/persons/${p.id}/plans/${plan.id}/reviews`, { reviewed_on: dayOffset(-100), changes: 'Bilan ancien', next_review: dayOffset(-10) }, tok(STAFF));
    if (res.status !== 201) {
      // the API may refuse a next review already past: the time passing is what makes it late
      dbExec(`UPDATE person_plans SET next_review = '${dayOffset(-10)}' WHERE id = ${plan.id}`);
    }
    res = await api('GET', `/api/v1/persons/${p.id}/plans/${plan.id}`, undefined, tok(STAFF));
    assert.equal(res.json().late, true, show(res));
    res = await api('GET', '/api/v1/persons?due=true&limit=200', undefined, tok(STAFF));
    const item = res.json().items.find((x) => x.id === p.id);
    assert.ok(item, 'in the list of reviews due');
    assert.equal(item.late, true);
    const notes = (userId) => countOf('notifications', `user_id = ${userId} AND kind = 'person_review_late' AND (link = '/persons/${p.id}' OR link LIKE '/persons/${p.id}?%')`);
    const demoDir = d.user(DIR);
    const n0 = [notes(staff.id), notes(demoDir.id), notes(dir.user.id)];
    const run = () => execFileSync(BIN, ['remind', '--db', DB_URL, '--force'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: process.env, timeout: 120000 });
    run();
    assert.deepEqual([notes(staff.id), notes(demoDir.id), notes(dir.user.id)], n0.map((n) => n + 1), 'the referent and the directors are told');
    run();
    assert.deepEqual([notes(staff.id), notes(demoDir.id), notes(dir.user.id)], n0.map((n) => n + 1), 'once per due day');
  });
});

/* -------------------------------------------------------- encryption at rest */

describe('encryption at rest', () => {
  test('the database never holds a sensitive note in clear', async () => {
    const secret = `Confidentiel-${TAG}-${Date.now()}-tuberculose`;
    const p = await newPerson(STAFF, d.maison1.id, { health_notes: secret, family_notes: `${secret}-famille`, judicial_notes: `${secret}-juge`, origin_ref: `${secret}-ref` });
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(STAFF))).json().health_notes, secret);
    await api('PUT', `/api/v1/persons/${p.id}/needs/family`, { level: 2, situation: `${secret}-besoin` }, tok(STAFF));
    if (ENGINE === 'postgresql') {
      for (const col of ['health_notes', 'family_notes', 'judicial_notes', 'origin_ref']) {
        const v = dbValue(`SELECT ${col} FROM persons WHERE id = ${p.id}`);
        assert.match(v, /^s1:/, `${col} sealed`);
        assert.ok(!v.includes('Confidentiel'), col);
      }
      assert.match(dbValue(`SELECT situation FROM person_needs WHERE person_id = ${p.id}`), /^s1:/);
      assert.equal(Number(dbValue(`SELECT COUNT(*) FROM audit_log WHERE changes::text LIKE '%${secret}%'`)), 0);
    } else {
      dbValue('PRAGMA wal_checkpoint(PASSIVE)');
      const needle = Buffer.from('Confidentiel-' + TAG);
      for (const f of [DB_URL, `${DB_URL}-wal`]) {
        if (!existsSync(f)) continue;
        assert.equal(readFileSync(f).indexOf(needle), -1, `${f} holds the note in clear`);
      }
      assert.match(dbValue(`SELECT health_notes FROM persons WHERE id = ${p.id}`), /^s1:/);
    }
  });
});

/* ------------------------------------------------------------ the access log */

describe('the access log', () => {
  test('each read is recorded with who and what; the director reads the log, staff may not', async () => {
    const p = await newPerson();
    const staff = d.user(STAFF);
    await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(STAFF));
    await api('GET', `/api/v1/persons/${p.id}/needs`, undefined, tok(MERE));
    await api('GET', `/api/v1/persons/${p.id}/plans`, undefined, tok(STAFF));
    const res = await api('GET', `/api/v1/persons/${p.id}/reads`, undefined, dir.token);
    assert.equal(res.status, 200, show(res));
    const items = res.json().items;
    const mere = d.user(MERE);
    const seen = items.map((x) => `${x.user_id}:${x.what}`);
    assert.ok(seen.includes(`${staff.id}:api`), JSON.stringify(items));
    assert.ok(seen.includes(`${mere.id}:needs`), JSON.stringify(items));
    assert.ok(seen.includes(`${staff.id}:plan`), JSON.stringify(items));
    const one = items.find((x) => x.user_id === staff.id);
    assert.ok(one.user_name && one.what_label, JSON.stringify(one));
    assert.match(one.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(items[0].at) >= Date.parse(items[items.length - 1].at), 'newest first');
    assert.equal(res.json().total, countOf('person_reads', `person_id = ${p.id}`) - 1, 'the log counts what came before this read');
    const refused = await api('GET', `/api/v1/persons/${p.id}/reads`, undefined, tok(STAFF));
    assert.equal(refused.status, 403, show(refused));
  });
});

/* --------------------------------------------------------------------- grants */

describe('explicit access', () => {
  test('a staff member of another unit reads the person until the day; the director is told; revoked', async () => {
    const p = await newPerson(); // Maison 1
    const other = await account('autre', 'staff', otherUnit.id);
    const otherTok = { token: newToken(other.login, `grant ${TAG}`) };
    let res = await api('GET', `/api/v1/persons/${p.id}`, undefined, otherTok);
    assert.equal(res.status, 404, show(res));
    noLeak(res, p, 'before the grant');
    const demoDir = d.user(DIR);
    const told = () => countOf('notifications', `user_id = ${demoDir.id}`);
    const n0 = told();
    // staff may not grant; a director not enrolled is asked to enrol
    res = await api('POST', `/api/v1/persons/${p.id}/grants`, { user_id: other.id, until: dayOffset(10), reason: 'Remplacement' }, tok(STAFF));
    assert.equal(res.status, 403, show(res));
    res = await api('POST', `/api/v1/persons/${p.id}/grants`, { user_id: other.id, until: dayOffset(10), reason: 'Remplacement' }, tok(DIR));
    assert.equal(res.status, 403, show(res));
    assert.equal(res.json().error.code, 'totp_required');
    for (const [body, field] of [[{ user_id: other.id, until: dayOffset(-1), reason: 'x' }, 'until'], [{ user_id: other.id, until: dayOffset(5) }, 'reason'],
      [{ user_id: 'x', until: dayOffset(5), reason: 'x' }, 'user_id'], [{ user_id: other.id, until: '10/10/2030', reason: 'x' }, 'until']]) {
      res = await api('POST', `/api/v1/persons/${p.id}/grants`, body, dir.token);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${show(res)}`);
      assert.ok(res.json().error.fields[field], show(res));
    }
    res = await api('POST', `/api/v1/persons/${p.id}/grants`, { user_id: other.id, until: today(), reason: 'Remplacement de l\'éducatrice' }, dir.token);
    assert.equal(res.status, 201, show(res));
    const g = res.json();
    assert.ok(g.id > 0);
    assert.equal(g.user_id, other.id);
    assert.equal(g.until, today());
    assert.equal(g.live, true);
    assert.ok(told() > n0, 'the EPS director is told');
    // read until the day (inclusive), never write
    res = await api('GET', `/api/v1/persons/${p.id}`, undefined, otherTok);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().health_notes, p.health_notes);
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { first_name: 'Non' }, otherTok);
    assert.equal(res.status, 403, show(res));
    res = await api('GET', `/api/v1/persons/${p.id}/grants`, undefined, otherTok);
    assert.equal(res.status, 403, show(res));
    res = await api('GET', '/api/v1/persons?limit=200', undefined, otherTok);
    assert.ok(res.json().items.some((x) => x.id === p.id), 'in their list');
    // the day after: gone (the time passing, made here in the database)
    dbExec(`UPDATE person_grants SET until_day = '${dayOffset(-1)}' WHERE id = ${g.id}`);
    res = await api('GET', `/api/v1/persons/${p.id}`, undefined, otherTok);
    assert.equal(res.status, 404, show(res));
    dbExec(`UPDATE person_grants SET until_day = '${dayOffset(3)}' WHERE id = ${g.id}`);
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, otherTok)).status, 200);
    res = await api('GET', `/api/v1/persons/${p.id}/grants`, undefined, dir.token);
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json().items.some((x) => x.id === g.id && x.user_name));
    // a grant of another person is not found here
    const q = await newPerson();
    res = await api('DELETE', `/api/v1/persons/${q.id}/grants/${g.id}`, undefined, dir.token);
    assert.equal(res.status, 404, show(res));
    res = await api('DELETE', `/api/v1/persons/${p.id}/grants/${g.id}`, undefined, dir.token);
    assert.equal(res.status, 204, show(res));
    res = await api('GET', `/api/v1/persons/${p.id}`, undefined, otherTok);
    assert.equal(res.status, 404, show(res));
    res = await api('DELETE', `/api/v1/persons/${p.id}/grants/${g.id}`, undefined, dir.token);
    assert.equal(res.status, 409, `revoked already: ${show(res)}`);
    assert.equal((await api('GET', `/api/v1/persons/${p.id}/grants`, undefined, dir.token)).json().items.find((x) => x.id === g.id).live, false);
  });

  test('a staff member named referent of a person of another unit reads and records it', async () => {
    const p = await newPerson(STAFF, otherUnit.id);
    const mere = d.user(MERE);
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(MERE))).status, 404);
    let res = await api('PATCH', `/api/v1/persons/${p.id}`, { first_name: 'Changé', referents: [mere.id, 999999] }, tok(STAFF));
    assert.equal(res.status, 422, `an unknown referent: ${show(res)}`);
    assert.ok(res.json().error.fields.referents);
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(STAFF))).json().first_name, p.first_name, 'all or nothing');
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { referents: [mere.id] }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    res = await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(MERE));
    assert.equal(res.status, 200, show(res));
    res = await api('PUT', `/api/v1/persons/${p.id}/needs/leisure`, { level: 1, situation: 'Aime le football' }, tok(MERE));
    assert.equal(res.status, 200, show(res));
    res = await api('GET', '/api/v1/persons?mine=true&limit=200', undefined, tok(MERE));
    assert.ok(res.json().items.some((x) => x.id === p.id && x.referent === true), 'in her caseload');
    res = await api('PATCH', `/api/v1/persons/${p.id}`, { referents: [] }, tok(STAFF));
    assert.equal(res.status, 200, show(res));
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(MERE))).status, 404);
  });
});

/* ------------------------------------------------------ two-step verification */

describe('two-step verification', () => {
  test('a director not enrolled: 403 totp_required with the page to enrol, session and token alike; 200 once enrolled', async () => {
    const p = await newPerson();
    const user = await account('dir2', 'director', d.eps1.id);
    const client = await session(user.login, PASS);
    const token = { token: newToken(user.login, `totp ${TAG}`) };
    for (const [label, call] of [['session', () => client.api('GET', `/api/v1/persons/${p.id}`)], ['token', () => api('GET', `/api/v1/persons/${p.id}`, undefined, token)],
      ['list', () => api('GET', '/api/v1/persons', undefined, token)], ['page', () => client.get(`/persons/${p.id}`)]]) {
      const res = await call();
      assert.equal(res.status, 403, `${label}: ${show(res)}`);
      noLeak(res, p, label);
      if (label !== 'page') {
        assert.equal(res.json().error.code, 'totp_required', label);
        assert.ok(res.json().error.href, `${label}: where to enrol`);
        assert.match(res.json().error.href, /totp/);
      } else {
        assert.match(res.text, /href="\/profile\/totp"/, 'the page links to enrolment');
      }
    }
    // out of scope stays 404 first
    const tangerStaff = await account('tg', 'staff', d.eps3.id);
    const made = await api('POST', '/api/v1/persons', issueBody(d.eps3.id), { token: newToken(tangerStaff.login, `tg ${TAG}`) });
    assert.equal(made.status, 201, show(made));
    const farP = made.json();
    let res = await api('GET', `/api/v1/persons/${farP.id}`, undefined, token);
    assert.equal(res.status, 404, show(res));
    await enrol(client);
    res = await client.api('GET', `/api/v1/persons/${p.id}`);
    assert.equal(res.status, 200, show(res));
    res = await api('GET', `/api/v1/persons/${p.id}`, undefined, token);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json().judicial_notes, p.judicial_notes);
    res = await client.get(`/persons/${p.id}`);
    assert.equal(res.status, 200, show(res));
  });

  test('an EPS asking it of its staff: its staff get 403 until enrolled', async () => {
    const p = await newPerson();
    const staff = await account('staff', 'staff', d.eps1.id);
    const client = await session(staff.login, PASS);
    assert.equal((await client.api('GET', `/api/v1/persons/${p.id}`)).status, 200);
    const setting = async (on) => {
      const page = await dir.client.get(`/person-settings/${d.eps1.id}`);
      assert.equal(page.status, 200, show(page));
      const form = parseForm(page.text, `/person-settings/${d.eps1.id}`);
      assert.ok(form, 'the settings form');
      const fields = formFields(form);
      const box = page.text.match(/<input\b[^>]*name="require_totp"[^>]*>/);
      assert.ok(box, 'a require_totp field');
      const value = (box[0].match(/value="([^"]*)"/) || [])[1] || '1';
      if (on) fields.require_totp = value; else delete fields.require_totp;
      const res = await dir.client.post(`/person-settings/${d.eps1.id}`, fields);
      assert.equal(res.status, 303, show(res));
      assert.equal(dbValue(`SELECT require_totp FROM person_settings WHERE eps_id = ${d.eps1.id}`), on ? '1' : '0');
    };
    try {
      await setting(true);
      const res = await client.api('GET', `/api/v1/persons/${p.id}`);
      assert.equal(res.status, 403, show(res));
      assert.equal(res.json().error.code, 'totp_required');
      noLeak(res, p, 'staff not enrolled');
      assert.equal((await client.api('GET', '/api/v1/persons')).status, 403, 'the list too');
      await enrol(client);
      assert.equal((await client.api('GET', `/api/v1/persons/${p.id}`)).status, 200);
    } finally {
      await setting(false);
    }
    assert.equal((await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(STAFF))).status, 200, 'the others work again');
  });
});

/* --------------------------------------------------------------------- export */

describe('export of a file', () => {
  let p;
  before(async () => {
    p = await newPerson();
    await api('PUT', `/api/v1/persons/${p.id}/needs/education`, { level: 2, situation: 'CM2', own_words: 'J\'aime lire' }, tok(STAFF));
    const plan = await agreedPlan(p);
    await api('POST', `/api/v1/persons/${p.id}/plans/${plan.id}/reviews`, { changes: `Revue ${TAG}` }, tok(STAFF));
    await api('GET', `/api/v1/persons/${p.id}`, undefined, tok(MERE));
  });

  test('JSON: everything held, as an attachment, audited; the director only', async () => {
    const audits = () => countOf('audit_log', `entity = 'person' AND entity_id = ${p.id} AND action = 'export'`);
    const a0 = audits();
    const res = await api('GET', `/api/v1/persons/${p.id}/export.json`, undefined, dir.token);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-disposition'], new RegExp(`attachment; filename="person-${p.code}\\.json"`));
    const x = res.json();
    for (const k of ISSUE_FIELDS) assert.deepEqual(x.person[k], p[k], k);
    assert.ok(x.needs.some((n) => n.domain === 'education' && n.own_words === 'J\'aime lire'));
    assert.equal(x.plans.length, 1);
    assert.equal(x.plans[0].goals[0].domain, 'education');
    assert.equal(x.plans[0].reviews[0].changes, `Revue ${TAG}`);
    assert.ok(Array.isArray(x.grants));
    assert.ok(x.access_log.some((r) => r.user_id === d.user(MERE).id), 'the access log');
    assert.equal(audits(), a0 + 1, 'audited');
    // the page route gives the same to a session
    const page = await dir.client.get(`/persons/${p.id}/export.json`);
    assert.equal(page.status, 200, show(page));
    assert.equal(page.json().person.code, p.code);
    for (const [login, status] of [[STAFF, 403], [MERE, 403], [REF, 403], [DIR, 403], [TANGER, 404], ['observateur@entraide.ma', 403]]) {
      const r = await api('GET', `/api/v1/persons/${p.id}/export.json`, undefined, tok(login));
      assert.equal(r.status, status, `${login}: ${show(r)}`);
      noLeak(r, p, login);
    }
  });

  test('PDF in French and Arabic, with the person\'s name; the director only', async () => {
    mkdirSync(OUT, { recursive: true });
    for (const lang of ['fr', 'ar']) {
      const res = await api('GET', `/api/v1/persons/${p.id}/export.pdf?lang=${lang}`, undefined, dir.token);
      assert.equal(res.status, 200, show(res));
      assert.match(res.headers['content-type'], /application\/pdf/);
      assert.equal(res.body.subarray(0, 5).toString(), '%PDF-');
      const file = join(OUT, `${RUN_NAME}-person-${lang}.pdf`);
      writeFileSync(file, res.body);
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
      assert.ok(text.includes(p.code), `${lang}: the code`);
      if (lang === 'fr') {
        assert.ok(text.includes(p.first_name) || text.includes(p.last_name), `the name in the PDF:\n${text.slice(0, 400)}`);
        assert.ok(text.includes(`Revue ${TAG}`), 'the review');
        assert.ok(text.includes(p.health_notes.slice(0, 20)), 'the notes');
      } else {
        assert.ok(text.includes(p.first_name_ar) || text.includes(p.last_name_ar), `the Arabic name in the PDF:\n${text.slice(0, 400)}`);
      }
    }
    let res = await api('GET', `/api/v1/persons/${p.id}/export.pdf?lang=de`, undefined, dir.token);
    assert.equal(res.status, 422, show(res));
    res = await api('GET', `/api/v1/persons/${p.id}/export.pdf`, undefined, tok(STAFF));
    assert.equal(res.status, 403, show(res));
    res = await api('GET', `/api/v1/persons/${p.id}/export.pdf`, undefined, tok(TANGER));
    assert.equal(res.status, 404, show(res));
  });
});

/* ----------------------------------------------------------------- indicators */

describe('indicators and the roles that never see names', () => {
  test('pseudonymised counts for quality readers of the node, never a name', async () => {
    const p = await newPerson();
    await agreedPlan(p);
    for (const [login, node, status] of [[REF, d.eps1.id, 200], ['conseil@amal.ma', d.eps1.id, 200], ['observateur@entraide.ma', d.eps1.id, 200],
      ['inspecteur@entraide.ma', d.eps1.id, 200], [STAFF, d.eps1.id, 200], [MERE, d.maison1.id, 200], [MERE, d.eps1.id, 404],
      [TANGER, d.eps1.id, 404], ['directrice@nour.ma', d.eps1.id, 404], ['admin@nour.ma', d.eps1.id, 404], [DIR, d.eps1.id, 200]]) {
      const res = await api('GET', `/api/v1/persons/indicators?node_id=${node}`, undefined, tok(login));
      assert.equal(res.status, status, `${login} at ${node}: ${show(res)}`);
      noLeak(res, p, `${login} indicators`);
      if (status !== 200) continue;
      const x = res.json();
      for (const k of ['in_care', 'with_plan', 'up_to_date', 'child_signed', 'late']) assert.equal(typeof x[k], 'number', k);
      assert.ok(x.in_care >= 1 && x.with_plan >= 1, JSON.stringify(x));
      assert.ok(x.with_plan <= x.in_care && x.up_to_date <= x.with_plan, JSON.stringify(x));
      assert.doesNotMatch(res.text, new RegExp(TAG), 'no name');
      assert.doesNotMatch(res.text, /"(first_name|last_name|code|name)"\s*:\s*"(?!Village|Maison)/, 'no person field');
    }
    for (const q of ['', '?node_id=abc']) {
      const res = await api('GET', `/api/v1/persons/indicators${q}`, undefined, tok(REF));
      assert.equal(res.status, 422, show(res));
    }
  });

  test('quality advisors, admins, observers, inspectors and quality referents: 403 in scope, 404 outside, no name ever', async () => {
    const p = await newPerson();
    const paths = [`/api/v1/persons/${p.id}`, `/api/v1/persons/${p.id}/needs`, `/api/v1/persons/${p.id}/plans`, `/api/v1/persons/${p.id}/export.json`];
    for (const [login, status] of [['conseil@amal.ma', 403], ['admin@amal.ma', 403], [ADMIN_EMAIL, 403], ['observateur@entraide.ma', 403],
      ['inspecteur@entraide.ma', 403], [REF, 403], ['admin@nour.ma', 404], ['directrice@nour.ma', 404], [TANGER, 404]]) {
      for (const path of paths) {
        const res = await api('GET', path, undefined, tok(login));
        assert.equal(res.status, status, `${login} ${path}: ${show(res)}`);
        if (status === 403) assert.notEqual(res.json().error.code, 'totp_required', `${login}: enrolling would not open it`);
        noLeak(res, p, `${login} ${path}`);
      }
      const list = await api('GET', '/api/v1/persons?limit=200', undefined, tok(login));
      if (list.status === 200) assert.ok(!list.json().items.some((x) => x.id === p.id), `${login} lists the person`);
      else assert.equal(list.status, 403, `${login} list: ${show(list)}`);
      noLeak(list, p, `${login} list`);
    }
  });

  test('an administrator who has enrolled still never sees a name: 403, an empty list, no creation', async () => {
    const p = await newPerson();
    const admin = await account('adm', 'admin', d.assoc1.id);
    const client = await session(admin.login, PASS);
    await enrol(client);
    const before_ = personCounts();
    for (const path of [`/api/v1/persons/${p.id}`, `/api/v1/persons/${p.id}/needs`, `/api/v1/persons/${p.id}/plans`, `/api/v1/persons/${p.id}/export.json`]) {
      const res = await client.api('GET', path);
      assert.equal(res.status, 403, `${path}: ${show(res)}`);
      noLeak(res, p, path);
    }
    const page = await client.get(`/persons/${p.id}`);
    assert.equal(page.status, 403, show(page));
    noLeak(page, p, 'page');
    const list = await client.api('GET', '/api/v1/persons?limit=200');
    assert.equal(list.status, 200, show(list));
    assert.equal(list.json().total, 0, 'no person listed');
    const made = await client.api('POST', '/api/v1/persons', issueBody(d.maison1.id));
    assert.equal(made.status, 403, show(made));
    assert.deepEqual(personCounts(), before_);
    const ind = await client.api('GET', `/api/v1/persons/indicators?node_id=${d.eps1.id}`);
    assert.equal(ind.status, 200, 'the counts are theirs');
  });
});
