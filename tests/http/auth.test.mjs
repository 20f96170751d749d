// auth.test.mjs - signing in and out, session cookies, login by username,
// wrong passwords, throttling of failed logins, and CSRF refusals.
// Failed logins are few on purpose: every test signs in from 127.0.0.1, and
// from the 20th failure of an address, whatever the accounts, its unknown
// browsers wait. Delays that depend on the client address or on a device
// cookie are tested in throttle.test.mjs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  BASE, Client, api, signIn, tokenFor, newToken, demo, htmlLangDir, uniq, show, rawRequest, extractCsrf,
  decodeEntities, translation, ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_PASSWORD, BIN, DB_URL,
} from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sessionCookie(res) {
  return (res.headers['set-cookie'] || []).find((c) => c.startsWith('jouda_session='));
}

describe('login and logout', () => {
  test('the login page carries a CSRF token', async () => {
    const res = await rawRequest('GET', '/login');
    assert.equal(res.status, 200);
    assert.ok(extractCsrf(res.text), 'hidden _csrf field');
    assert.match(res.text, /type=["']password["']/);
  });

  test('a good login redirects with an HttpOnly, SameSite=Lax session cookie', async () => {
    const c = new Client();
    const res = await c.login('directrice.casa@amal.ma', DEMO_PASSWORD);
    assert.equal(res.status, 303, show(res));
    assert.ok(res.location, 'Location');
    const sc = sessionCookie(res);
    assert.ok(sc, 'Set-Cookie jouda_session');
    assert.match(sc, /;\s*HttpOnly/i);
    assert.match(sc, /;\s*SameSite=Lax/i);
    assert.match(sc, /;\s*Path=\//i);
    const value = sc.split(';')[0].split('=')[1];
    assert.ok(value.length >= 32, 'session id has enough entropy');
    const home = await c.get('/');
    assert.equal(home.status, 200, show(home));
    const me = await c.api('GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().email, 'directrice.casa@amal.ma');
  });

  test('a root admin logs in with the password given to init', async () => {
    const c = new Client();
    const res = await c.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    assert.equal(res.status, 303, show(res));
  });

  test('email is matched without regard to case', async () => {
    const c = new Client();
    const res = await c.login('DirectriCe.Casa@AMAL.ma', DEMO_PASSWORD);
    assert.equal(res.status, 303, show(res));
  });

  test('login by username (a house mother without email)', async () => {
    const c = new Client();
    const res = await c.login('mere.fatima', DEMO_PASSWORD);
    assert.equal(res.status, 303, show(res));
    const me = await c.api('GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().username, 'mere.fatima');
  });

  test('a new session id at each login; the old one stops working', async () => {
    const c = await signIn('referent.casa@amal.ma');
    const first = c.session();
    assert.ok(first);
    const res = await c.login('referent.casa@amal.ma', DEMO_PASSWORD);
    assert.equal(res.status, 303);
    const second = c.session();
    assert.ok(second);
    assert.notEqual(second, first, 'session id renewed at login');
    const old = await rawRequest('GET', '/', { headers: { cookie: `jouda_session=${first}` } });
    assert.equal(old.status, 303, 'the replaced session is gone');
    const cur = await c.get('/');
    assert.equal(cur.status, 200);
  });

  test('logout deletes the session: reusing the cookie leads to /login', async () => {
    const c = await signIn('educateur.casa');
    const cookie = c.session();
    const out = await c.logout();
    assert.equal(out.status, 303, show(out));
    const reuse = await rawRequest('GET', '/', { headers: { cookie: `jouda_session=${cookie}` } });
    assert.equal(reuse.status, 303);
    assert.equal(new URL(reuse.location, BASE).pathname, '/login');
    const apiReuse = await rawRequest('GET', '/api/v1/me', { headers: { cookie: `jouda_session=${cookie}` } });
    assert.equal(apiReuse.status, 401);
  });

  test('logout needs the CSRF token', async () => {
    const c = await signIn('educateur.casa');
    const res = await c.post('/logout', {}, { csrf: false });
    assert.equal(res.status, 403, show(res));
    const still = await c.get('/');
    assert.equal(still.status, 200, 'still signed in');
  });

  test('login without the CSRF token is refused', async () => {
    const c = new Client();
    await c.get('/login');
    const res = await c.post('/login', { login: 'directrice.casa@amal.ma', password: DEMO_PASSWORD }, { csrf: false });
    assert.equal(res.status, 403, show(res));
    assert.equal(c.session(), undefined);
  });
});

describe('wrong passwords', () => {
  test('a wrong password answers 401 with the login page in French', async () => {
    const c = new Client();
    const res = await c.login('conseil@amal.ma', 'not-the-password-1');
    assert.equal(res.status, 401, show(res));
    assert.equal(c.session(), undefined);
    assert.deepEqual(htmlLangDir(res.text), { lang: 'fr', dir: 'ltr' });
    assert.ok(extractCsrf(res.text), 'the form is shown again');
    const message = translation('fr', 'Email/username or password is incorrect.');
    assert.ok(decodeEntities(res.text).includes(message), `the page says "${message}"`);
  });

  test('... and in Arabic for an Arabic browser', async () => {
    const c = new Client({ lang: 'ar' });
    const res = await c.login('conseil@amal.ma', 'not-the-password-2');
    assert.equal(res.status, 401, show(res));
    assert.deepEqual(htmlLangDir(res.text), { lang: 'ar', dir: 'rtl' });
    const text = decodeEntities(res.text);
    for (const msgid of ['Email/username or password is incorrect.', 'Password', 'Sign in']) {
      const ar = translation('ar', msgid);
      assert.ok(text.includes(ar), `the page says "${ar}" (${msgid})`);
    }
    assert.equal(text.includes(translation('fr', 'Email/username or password is incorrect.')), false, 'not in French');
  });

  test('an unknown account gets the same answer', async () => {
    const c = new Client();
    const bad = await c.login('conseil@amal.ma', 'not-the-password-3');
    const unknown = await new Client().login('nobody.here@example.org', 'not-the-password-3');
    assert.equal(bad.status, 401, show(bad));
    assert.equal(unknown.status, 401, show(unknown));
    // the same page once the CSRF token and the login typed (given back in the form) are left out
    const strip = (t) => t.replace(/value="[^"]*"/g, 'value=""').replace(/content="[^"]*"/g, 'content=""');
    assert.ok(bad.text.includes('value="conseil@amal.ma"'), 'the login typed is kept');
    assert.ok(unknown.text.includes('value="nobody.here@example.org"'), 'the login typed is kept');
    assert.equal(strip(unknown.text), strip(bad.text));
    assert.deepEqual((unknown.headers['set-cookie'] || []).map((x) => x.split('=')[0]).sort(),
      (bad.headers['set-cookie'] || []).map((x) => x.split('=')[0]).sort(), 'the same cookies');
    // conseil still logs in: failures never lock an account; from the third
    // one on this address, the next attempt here waits a second first
    let ok = await new Client().login('conseil@amal.ma', DEMO_PASSWORD);
    if (ok.status === 429) {
      await sleep(parseInt(ok.headers['retry-after'], 10) * 1000);
      ok = await new Client().login('conseil@amal.ma', DEMO_PASSWORD);
    }
    assert.equal(ok.status, 303, show(ok));
  });
});

describe('throttling', () => {
  test('failures slow down one address for the account (429 with Retry-After), never lock it', async () => {
    const d = await demo();
    const username = uniq('throttle.');
    const password = 'Throttle-pass-2026';
    const created = await api('POST', '/api/v1/users', {
      username, name: 'Compte Ralenti', password, language: 'fr',
      roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, { token: tokenFor(ADMIN_EMAIL) });
    assert.equal(created.status, 201, show(created));
    // five failures; from the third one the next attempt waits 1 s, then 2 s
    let failures = 0;
    while (failures < 5) {
      const res = await new Client().login(username, `wrong-password-${failures}`);
      if (res.status === 401) failures++;
      else if (res.status === 429) await sleep(parseInt(res.headers['retry-after'], 10) * 1000);
      else assert.fail(`failure ${failures + 1}: ${show(res)}`);
    }
    const t0 = Date.now();
    const slowed = await new Client().login(username, password);
    assert.equal(slowed.status, 429, `the right password right after the 5th failure: ${show(slowed)}`);
    assert.ok(Date.now() - t0 < 2000, 'answered at once');
    assert.equal(sessionCookie(slowed), undefined, 'no session while it waits');
    assert.match(slowed.headers['content-type'] || '', /text\/html/);
    const wait = parseInt(slowed.headers['retry-after'], 10);
    assert.ok(wait >= 1 && wait <= 4, `Retry-After (seconds) after five failures: ${slowed.headers['retry-after']}`);
    const prefix = translation('fr', 'Too many attempts; try again in %d second.').split('%d')[0];
    assert.ok(decodeEntities(slowed.text).includes(`${prefix}${wait}`), `the page says "${prefix}${wait}"`);
    assert.ok(slowed.text.includes(`value="${username}"`), 'the login typed is kept');
    // other accounts from the same address are not slowed down
    const other = await new Client().login('directrice.casa@amal.ma', DEMO_PASSWORD);
    assert.equal(other.status, 303);
    // once the delay is over, the right password gets in: no lockout
    await sleep(wait * 1000);
    const ok = await new Client().login(username, password);
    assert.equal(ok.status, 303, show(ok));
  });
});

describe('CSRF', () => {
  test('a page post without or with a wrong token is refused (403) and changes nothing', async () => {
    const d = await demo();
    const c = await signIn('directrice.casa@amal.ma');
    const other = await signIn('referent.casa@amal.ma');
    const name = uniq('Unité CSRF ');
    const fields = { parent_id: String(d.eps1.id), kind: 'unit', name, unit_kind: 'family_house' };
    const none = await c.post('/admin/nodes', fields, { csrf: false });
    assert.equal(none.status, 403, `no token: ${show(none)}`);
    const wrong = await c.post('/admin/nodes', { ...fields, _csrf: 'AAAA' + 'B'.repeat(60) });
    assert.equal(wrong.status, 403, `wrong token: ${show(wrong)}`);
    const foreign = await c.post('/admin/nodes', { ...fields, _csrf: await other.csrf() });
    assert.equal(foreign.status, 403, `token of another session: ${show(foreign)}`);
    const empty = await c.post('/admin/nodes', { ...fields, _csrf: '' });
    assert.equal(empty.status, 403, `empty token: ${show(empty)}`);
    const list = await api('GET', '/api/v1/nodes?limit=200', undefined, { token: tokenFor(ADMIN_EMAIL) });
    const total = list.json().total;
    const all = [];
    for (let off = 0; off < total; off += 200) {
      all.push(...(await api('GET', `/api/v1/nodes?limit=200&offset=${off}`, undefined, { token: tokenFor(ADMIN_EMAIL) })).json().items);
    }
    assert.equal(all.some((n) => n.name === name), false, 'no unit created');
  });

  test('the JSON API with a session cookie needs the token too (X-CSRF-Token)', async () => {
    const d = await demo();
    const c = await signIn('directrice.casa@amal.ma');
    const body = { parent_id: d.eps1.id, kind: 'unit', name: uniq('Unité session ') };
    const refused = await c.api('POST', '/api/v1/nodes', body, { csrf: false });
    assert.equal(refused.status, 403, show(refused));
    assert.match(refused.headers['content-type'], /^application\/json/);
    const accepted = await c.api('POST', '/api/v1/nodes', body);
    assert.equal(accepted.status, 201, show(accepted));
  });

  test('a bearer token needs no CSRF token', async () => {
    const d = await demo();
    const res = await api('POST', '/api/v1/nodes', { parent_id: d.eps1.id, kind: 'unit', name: uniq('Unité jeton ') },
      { token: tokenFor('directrice.casa@amal.ma') });
    assert.equal(res.status, 201, show(res));
  });

  test('a forged bearer token is refused', async () => {
    const res = await api('GET', '/api/v1/me', undefined, { token: tokenFor('directrice.casa@amal.ma') + 'x' });
    assert.equal(res.status, 401, show(res));
  });

  test('a revoked bearer token is refused', async () => {
    const label = uniq('revoked-');
    const token = newToken('directrice.casa@amal.ma', label);
    const before = await api('GET', '/api/v1/me', undefined, { token });
    assert.equal(before.status, 200, `the token works before it is revoked: ${show(before)}`);
    // revoked with the command line, by its id (the caller's list gives it)
    const mine = await api('GET', '/api/v1/me/tokens', undefined, { token });
    const id = mine.json().items.find((t) => t.label === label)?.id;
    assert.ok(id, `the token is listed: ${show(mine)}`);
    execFileSync(BIN, ['token', 'revoke', '--db', DB_URL, String(id)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
    const after = await api('GET', '/api/v1/me', undefined, { token });
    assert.equal(after.status, 401, show(after));
    assert.match(after.headers['content-type'] || '', /^application\/json/);
    // the other tokens of the account still work
    const other = await api('GET', '/api/v1/me', undefined, { token: tokenFor('directrice.casa@amal.ma') });
    assert.equal(other.status, 200, show(other));
  });
});
