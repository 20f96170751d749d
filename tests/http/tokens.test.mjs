// tokens.test.mjs - API tokens expire and can be revoked: GET /api/v1/me/tokens
// lists the caller's live tokens (never a secret), DELETE /api/v1/me/tokens/{id}
// revokes one of them (another person's id answers 404), the profile page shows
// them with a "Revoke" button that asks first; an expired token answers 401 like
// an unknown one; a password change or reset and disabling the account revoke
// every token of the account (enabling it again brings none back); the last use
// is written at most once a minute; every revocation is audited.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  api, tokenFor, newToken, dbExec, dbValue, demo, uniq, show, listAll, signIn, Client, parseForm, formFields,
  decodeEntities, translation, BIN, DB_URL, ADMIN_EMAIL,
} from './lib.mjs';

const DIR = 'directrice.casa@amal.ma'; // director of EPS 1: manages its staff
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DAY = 86400;
const ABSENT = 987654321;

let d;
let admin;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
});

/** A new staff account of EPS 1 with its password. */
async function newAccount(prefix = 'tok.') {
  const password = `Tokens-${uniq('p')}`;
  const res = await api('POST', '/api/v1/users', {
    username: uniq(prefix), name: 'Salma Jeton', password, language: 'fr', roles: [{ role: 'staff', node_id: d.eps1.id }],
  }, admin);
  assert.equal(res.status, 201, show(res));
  return { ...res.json(), password };
}

const me = (token) => api('GET', '/api/v1/me', undefined, { token });
const listOf = (token) => api('GET', '/api/v1/me/tokens', undefined, { token });

/** The id of the caller's token with this label (through the list). */
async function idOf(token, label) {
  const res = await listOf(token);
  assert.equal(res.status, 200, show(res));
  const item = res.json().items.find((t) => t.label === label);
  assert.ok(item, `a token labelled ${label} in ${res.text}`);
  return item.id;
}

async function auditRows(query) {
  return (await listAll(`/api/v1/audit?${query}`, admin, 200)).items;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('GET /api/v1/me/tokens', () => {
  test('lists only the caller\'s live tokens, with their times, never a secret', async () => {
    const a = await newAccount();
    const b = await newAccount();
    const la = uniq('ci-'), lb = uniq('backup-'), lr = uniq('revoked-'), le = uniq('expired-'), lo = uniq('other-');
    const ta = newToken(a.username, la);
    const tb = newToken(a.username, lb);
    const tr = newToken(a.username, lr);
    const te = newToken(a.username, le);
    const to = newToken(b.username, lo);
    dbExec(`UPDATE api_tokens SET revoked = 1 WHERE label = '${lr}'`);
    dbExec(`UPDATE api_tokens SET expires_at = ${nowSeconds() - 10} WHERE label = '${le}'`);

    const res = await listOf(ta);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^application\/json/);
    const body = res.json();
    assert.deepEqual(body.items.map((t) => t.label).sort(), [la, lb].sort(), 'own live tokens only');
    assert.equal(body.total, 2);
    for (const t of body.items) {
      assert.deepEqual(Object.keys(t).sort(), ['created_at', 'expires_at', 'id', 'label', 'last_used_at']);
      assert.equal(typeof t.id, 'number');
      assert.match(t.created_at, ISO);
      assert.match(t.expires_at, ISO);
      // 90 days by default
      const days = (Date.parse(t.expires_at) - Date.parse(t.created_at)) / 1000 / DAY;
      assert.ok(Math.abs(days - 90) < 0.01, `expires 90 days after its creation: ${JSON.stringify(t)}`);
      assert.ok(t.last_used_at === null || ISO.test(t.last_used_at), JSON.stringify(t));
    }
    // the token used for the request has just been used
    assert.match(body.items.find((t) => t.label === la).last_used_at, ISO);
    // never a secret: neither the tokens nor their hashes
    for (const secret of [ta, tb, tr, te, to, ta.slice(6), 'jouda_', 'token_hash', 'hash']) {
      assert.equal(res.text.includes(secret), false, `the list shows ${secret}`);
    }
    assert.doesNotMatch(res.text, /[0-9a-f]{64}/, 'no hash');
    // newest first
    const ids = body.items.map((t) => t.id);
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x));

    const other = await listOf(to);
    assert.deepEqual(other.json().items.map((t) => t.label), [lo], 'the other person sees only theirs');

    // the same list with a session cookie
    const c = await signIn(a.username, a.password);
    const s = await c.api('GET', '/api/v1/me/tokens');
    assert.equal(s.status, 200, show(s));
    assert.deepEqual(s.json().items.map((t) => t.label).sort(), [la, lb].sort());

    // paging as every list
    const one = await api('GET', '/api/v1/me/tokens?limit=1', undefined, { token: ta });
    assert.equal(one.json().items.length, 1);
    assert.equal(one.json().total, 2);
    const bad = await api('GET', '/api/v1/me/tokens?limit=abc', undefined, { token: ta });
    assert.equal(bad.status, 422, show(bad));
    // nobody signed in
    assert.equal((await api('GET', '/api/v1/me/tokens')).status, 401);
  });
});

describe('DELETE /api/v1/me/tokens/{id}', () => {
  test('revoking one\'s own token answers 204; the token then answers 401; audited', async () => {
    const a = await newAccount();
    const l1 = uniq('gone-'), l2 = uniq('kept-');
    const t1 = newToken(a.username, l1);
    const t2 = newToken(a.username, l2);
    const id1 = await idOf(t2, l1);
    assert.equal((await me(t1)).status, 200, 'the token works before');
    const res = await api('DELETE', `/api/v1/me/tokens/${id1}`, undefined, { token: t2 });
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    const after = await me(t1);
    assert.equal(after.status, 401, show(after));
    assert.match(after.headers['content-type'], /^application\/json/);
    assert.equal((await me(t2)).status, 200, 'the other token still works');
    assert.deepEqual((await listOf(t2)).json().items.map((t) => t.label), [l2]);
    // once revoked, it is no longer there
    const again = await api('DELETE', `/api/v1/me/tokens/${id1}`, undefined, { token: t2 });
    assert.equal(again.status, 404, show(again));
    // the audit log says who revoked which token, once
    const rows = (await auditRows('action=token_revoke&entity=token')).filter((r) => r.entity_id === id1);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].actor_id, a.id);
    assert.equal(rows[0].node_id, d.eps1.id);
    assert.equal(rows[0].changes?.user_id, a.id, JSON.stringify(rows[0]));
    assert.equal(rows[0].changes?.label, l1);
    assert.deepEqual(rows[0].changes?.revoked, { from: false, to: true });
    // a token may revoke itself
    const id2 = await idOf(t2, l2);
    assert.equal((await api('DELETE', `/api/v1/me/tokens/${id2}`, undefined, { token: t2 })).status, 204);
    assert.equal((await me(t2)).status, 401);
  });

  test('another person\'s token or an unknown id: 404, and the token still works', async () => {
    const a = await newAccount();
    const b = await newAccount();
    const la = uniq('mine-');
    const ta = newToken(a.username, la);
    const tb = newToken(b.username, uniq('theirs-'));
    const ida = await idOf(ta, la);
    const res = await api('DELETE', `/api/v1/me/tokens/${ida}`, undefined, { token: tb });
    assert.equal(res.status, 404, show(res));
    assert.equal((await me(ta)).status, 200, 'unchanged');
    assert.equal(dbValue(`SELECT revoked FROM api_tokens WHERE id = ${ida}`), '0');
    // the root admin is not the owner either
    assert.equal((await api('DELETE', `/api/v1/me/tokens/${ida}`, undefined, admin)).status, 404);
    for (const id of [ABSENT, 0, 'abc', '-1']) {
      const r = await api('DELETE', `/api/v1/me/tokens/${id}`, undefined, { token: tb });
      assert.equal(r.status, 404, `${id}: ${show(r)}`);
    }
    // nor through the page of another person's session
    const cb = await signIn(b.username, b.password);
    const page = await cb.post(`/profile/tokens/${ida}/revoke`, { confirm: '1' });
    assert.equal(page.status, 404, show(page));
    const sess = await cb.api('DELETE', `/api/v1/me/tokens/${ida}`);
    assert.equal(sess.status, 404, show(sess));
    assert.equal((await me(ta)).status, 200, 'still unchanged');
    // no audit line for refused attempts
    const rows = (await auditRows('action=token_revoke&entity=token')).filter((r) => r.entity_id === ida);
    assert.deepEqual(rows, []);
  });

  test('with a session cookie, the CSRF header is needed', async () => {
    const a = await newAccount();
    const l = uniq('csrf-');
    const t = newToken(a.username, l);
    const id = await idOf(t, l);
    const c = await signIn(a.username, a.password);
    const refused = await c.api('DELETE', `/api/v1/me/tokens/${id}`, undefined, { csrf: false });
    assert.equal(refused.status, 403, show(refused));
    assert.equal(refused.json().error?.code, 'csrf');
    assert.equal((await me(t)).status, 200, 'not revoked');
    const wrong = await c.api('DELETE', `/api/v1/me/tokens/${id}`, undefined, { headers: { 'x-csrf-token': 'A'.repeat(64) } });
    assert.equal(wrong.status, 403, show(wrong));
    const ok = await c.api('DELETE', `/api/v1/me/tokens/${id}`);
    assert.equal(ok.status, 204, show(ok));
    assert.equal((await me(t)).status, 401);
  });
});

describe('expiry', () => {
  test('an expired token answers 401 like an unknown one, and is not listed', async () => {
    const a = await newAccount();
    const l = uniq('expiring-'), k = uniq('keeping-');
    const t = newToken(a.username, l);
    const keep = newToken(a.username, k);
    const id = await idOf(keep, l);
    assert.equal((await me(t)).status, 200);
    dbExec(`UPDATE api_tokens SET expires_at = ${nowSeconds() + 3600} WHERE id = ${id}`);
    assert.equal((await me(t)).status, 200, 'valid until its expiry');
    dbExec(`UPDATE api_tokens SET expires_at = ${nowSeconds() - 1} WHERE id = ${id}`);
    const expired = await me(t);
    const unknown = await me(`jouda_${'A'.repeat(43)}`);
    assert.equal(expired.status, 401, show(expired));
    assert.equal(unknown.status, 401, show(unknown));
    assert.deepEqual(expired.json(), unknown.json(), 'the same answer as an unknown token');
    assert.deepEqual((await listOf(keep)).json().items.map((x) => x.label), [k]);
    const del = await api('DELETE', `/api/v1/me/tokens/${id}`, undefined, { token: keep });
    assert.equal(del.status, 404, `an expired token cannot be revoked any more: ${show(del)}`);
    // every route refuses it, pages included (no fallback to anything)
    assert.equal((await api('GET', '/api/v1/nodes', undefined, { token: t })).status, 401);
  });

  test('tokens made by the command line expire after --expires-days', async () => {
    const a = await newAccount();
    const l = uniq('week-');
    const out = execFileSync(BIN, ['token', 'create', '--db', DB_URL, '--user', a.username, '--label', l, '--expires-days', '7'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
    const t = out.trim();
    const item = (await listOf(t)).json().items.find((x) => x.label === l);
    const days = (Date.parse(item.expires_at) - Date.parse(item.created_at)) / 1000 / DAY;
    assert.ok(Math.abs(days - 7) < 0.01, JSON.stringify(item));
  });
});

describe('last use', () => {
  test('is written at most once a minute per token', async () => {
    const a = await newAccount();
    const l = uniq('busy-');
    const t = newToken(a.username, l);
    assert.equal(dbValue(`SELECT count(*) FROM api_tokens WHERE label = '${l}' AND last_used_at IS NULL`), '1', 'never used yet');
    assert.equal((await me(t)).status, 200);
    const first = Number(dbValue(`SELECT last_used_at FROM api_tokens WHERE label = '${l}'`));
    assert.ok(Math.abs(first - nowSeconds()) <= 2, `the first use is recorded: ${first}`);
    // within the minute: requests write nothing
    const recent = nowSeconds() - 30;
    dbExec(`UPDATE api_tokens SET last_used_at = ${recent} WHERE label = '${l}'`);
    await Promise.all([me(t), me(t), me(t), listOf(t)]);
    assert.equal(Number(dbValue(`SELECT last_used_at FROM api_tokens WHERE label = '${l}'`)), recent, 'unchanged within the minute');
    const listed = (await listOf(t)).json().items.find((x) => x.label === l);
    assert.equal(Date.parse(listed.last_used_at) / 1000, recent, `the list shows it: ${JSON.stringify(listed)}`);
    // a minute later: written again, once
    dbExec(`UPDATE api_tokens SET last_used_at = ${nowSeconds() - 61} WHERE label = '${l}'`);
    await Promise.all([me(t), me(t), me(t)]);
    const later = Number(dbValue(`SELECT last_used_at FROM api_tokens WHERE label = '${l}'`));
    assert.ok(Math.abs(later - nowSeconds()) <= 2, `written after a minute: ${later}`);
  });
});

/** Tokens of an account made by the command line, checked working. */
async function tokensOf(account, n = 2) {
  const tokens = [];
  for (let i = 0; i < n; i++) {
    const t = newToken(account.username, uniq(`t${i}-`));
    assert.equal((await me(t)).status, 200);
    tokens.push(t);
  }
  return tokens;
}

async function allRefused(tokens, why) {
  for (const t of tokens) {
    const res = await me(t);
    assert.equal(res.status, 401, `${why}: ${show(res)}`);
  }
  return true;
}

/** The "token_revoke_all" lines of an account. */
async function revokeAllRows(userId) {
  return (await auditRows('action=token_revoke_all&entity=user')).filter((r) => r.entity_id === userId);
}

describe('the end of an account\'s access revokes all its tokens', () => {
  test('a password change in the profile', async () => {
    const a = await newAccount();
    const tokens = await tokensOf(a, 2);
    const c = await signIn(a.username, a.password);
    const fresh = `Changed-${uniq('p')}`;
    const res = await c.post('/profile/password', { current_password: a.password, new_password: fresh, confirm_password: fresh });
    assert.equal(res.status, 303, show(res));
    await allRefused(tokens, 'after a password change');
    assert.deepEqual((await c.api('GET', '/api/v1/me/tokens')).json().items, [], 'none left');
    const rows = await revokeAllRows(a.id);
    assert.equal(rows.length, 1, `audited once: ${JSON.stringify(rows)}`);
    assert.equal(rows[0].changes?.api_tokens_revoked, 2, JSON.stringify(rows[0]));
    assert.equal(rows[0].actor_id, a.id);
    // a token made afterwards works
    const [again] = await tokensOf(a, 1);
    assert.equal((await me(again)).status, 200);
  });

  test('a reset by someone else, through the page', async () => {
    const a = await newAccount();
    const tokens = await tokensOf(a, 3);
    const c = await signIn(DIR);
    const pw = `Reset-${uniq('p')}`;
    const res = await c.post(`/admin/users/${a.id}/password`, { password: pw, password_confirm: pw });
    assert.equal(res.status, 303, show(res));
    await allRefused(tokens, 'after a reset');
    const rows = await revokeAllRows(a.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].changes?.api_tokens_revoked, 3);
    assert.equal(rows[0].actor_id, d.user(DIR).id);
  });

  test('a reset through PATCH /api/v1/users/{id}', async () => {
    const a = await newAccount();
    const tokens = await tokensOf(a, 2);
    const res = await api('PATCH', `/api/v1/users/${a.id}`, { version: a.version, password: `Patched-${uniq('p')}` }, admin);
    assert.equal(res.status, 200, show(res));
    await allRefused(tokens, 'after a reset through the API');
    assert.equal((await revokeAllRows(a.id)).length, 1);
  });

  test('a change of name alone revokes nothing', async () => {
    const a = await newAccount();
    const tokens = await tokensOf(a, 1);
    const res = await api('PATCH', `/api/v1/users/${a.id}`, { version: a.version, name: 'Salma Renommée' }, admin);
    assert.equal(res.status, 200, show(res));
    assert.equal((await me(tokens[0])).status, 200);
    assert.deepEqual(await revokeAllRows(a.id), []);
  });

  test('disabling through the page; enabling again brings none back', async () => {
    const a = await newAccount();
    const tokens = await tokensOf(a, 2);
    const c = await signIn(DIR);
    const res = await c.post(`/admin/users/${a.id}/disable`, { confirm: '1' });
    assert.equal(res.status, 303, show(res));
    await allRefused(tokens, 'disabled');
    const on = await c.post(`/admin/users/${a.id}/enable`, {});
    assert.equal(on.status, 303, show(on));
    await allRefused(tokens, 'enabled again');
    const rows = await revokeAllRows(a.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].changes?.api_tokens_revoked, 2);
    assert.equal(dbValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${a.id} AND revoked = 0`), '0', 'all revoked for good');
    // the person signs in again and makes a new one: only that one is listed
    const [fresh] = await tokensOf(a, 1);
    assert.equal((await listOf(fresh)).json().items.length, 1);
  });

  test('disabling through the API and with `jouda user disable`', async () => {
    const a = await newAccount();
    const b = await newAccount();
    const ta = await tokensOf(a, 2);
    const tb = await tokensOf(b, 1);
    const off = await api('PATCH', `/api/v1/users/${a.id}`, { version: a.version, active: false }, admin);
    assert.equal(off.status, 200, show(off));
    await allRefused(ta, 'disabled through the API');
    const on = await api('PATCH', `/api/v1/users/${a.id}`, { version: off.json().version, active: true }, admin);
    assert.equal(on.status, 200, show(on));
    await allRefused(ta, 'enabled again through the API');
    assert.equal(dbValue(`SELECT count(*) FROM api_tokens WHERE user_id = ${a.id} AND revoked = 0`), '0');

    execFileSync(BIN, ['user', 'disable', '--db', DB_URL, b.username], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
    await allRefused(tb, 'disabled with the command line');
    const rows = await revokeAllRows(b.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].actor_id, null, 'the command line acts as the system');
    assert.equal(rows[0].changes?.api_tokens_revoked, 1);
  });
});

describe('the profile page', () => {
  test('shows the live tokens and revokes one after asking', async () => {
    const a = await newAccount();
    const l1 = uniq('Intégration '), l2 = uniq('Sauvegarde ');
    const t1 = newToken(a.username, l1);
    const t2 = newToken(a.username, l2);
    const c = await signIn(a.username, a.password);
    const page = await c.get('/profile');
    assert.equal(page.status, 200, show(page));
    const text = decodeEntities(page.text);
    assert.ok(text.includes(translation('fr', 'API tokens')), 'the section');
    assert.ok(text.includes(l1) && text.includes(l2), 'both labels');
    assert.equal(text.includes(t1) || text.includes(t2), false, 'never the token');
    const id1 = await idOf(t2, l1);
    const form = parseForm(page.text, `/profile/tokens/${id1}/revoke`);
    assert.ok(form, 'a revoke form per token');
    assert.match(page.text, new RegExp(`action="/profile/tokens/${id1}/revoke"[^>]*data-confirm="`), 'asks with JavaScript');

    // without JavaScript: a question first, nothing changes yet
    const ask = await c.post(`/profile/tokens/${id1}/revoke`, formFields(form));
    assert.equal(ask.status, 200, show(ask));
    const yes = parseForm(ask.text, `/profile/tokens/${id1}/revoke`);
    assert.ok(yes && yes.fields.confirm === '1', 'a confirmation form that posts confirm=1');
    assert.ok(decodeEntities(ask.text).includes(l1), 'the question names the token');
    assert.equal((await me(t1)).status, 200, 'not revoked before the answer');

    const done = await c.post(`/profile/tokens/${id1}/revoke`, formFields(yes));
    assert.equal(done.status, 303, show(done));
    assert.equal(done.location, '/profile');
    assert.equal((await me(t1)).status, 401, 'revoked');
    assert.equal((await me(t2)).status, 200, 'the other one still works');
    const after = decodeEntities((await c.get('/profile')).text);
    assert.equal(after.includes(l1), false, 'no longer listed');
    assert.ok(after.includes(l2));
    assert.ok(after.includes(translation('fr', 'The token was revoked.')), 'a confirmation message');
    const rows = (await auditRows('action=token_revoke&entity=token')).filter((r) => r.entity_id === id1);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].actor_id, a.id);

    // the form needs its CSRF token
    const id2 = await idOf(t2, l2);
    const forged = await c.post(`/profile/tokens/${id2}/revoke`, { confirm: '1' }, { csrf: false });
    assert.equal(forged.status, 403, show(forged));
    assert.equal((await me(t2)).status, 200);
  });

  test('says so when there is no token', async () => {
    const a = await newAccount();
    const c = await signIn(a.username, a.password);
    const text = decodeEntities((await c.get('/profile')).text);
    assert.ok(text.includes(translation('fr', 'You have no API token.')), 'the empty state');
    const ar = decodeEntities((await c.get('/profile?lang=ar')).text);
    assert.ok(ar.includes(translation('ar', 'API tokens')), 'in Arabic too');
  });
});

test('a page session cannot reach another person\'s token through the confirm page either', async () => {
  const a = await newAccount();
  const b = await newAccount();
  const la = uniq('private-');
  const ta = newToken(a.username, la);
  const ida = await idOf(ta, la);
  const cb = new Client();
  assert.equal((await cb.login(b.username, b.password)).status, 303);
  const ask = await cb.post(`/profile/tokens/${ida}/revoke`, {});
  assert.equal(ask.status, 404, show(ask));
  assert.equal(decodeEntities(ask.text).includes(la), false, 'the label of another person is never shown');
});
