// totp.test.mjs - two-step verification (TOTP, RFC 6238: SHA-1, 6 digits,
// 30 s): enrolment through the API (POST /api/v1/me/totp, then .../confirm
// with the first code: a wrong one changes nothing, the right one gives ten
// recovery codes once; a second enrolment is a conflict), GET /api/v1/me says
// whether it is on; signing in through the pages then asks a code after the
// password (the password alone makes no session): a wrong code is refused, the
// right one signs in once (the same code again is refused), a recovery code
// works once; at most five wrong codes per sign-in, and a late code sends back
// to the password; bearer tokens made before keep working; the enrolment
// through the pages (QR code as SVG, the key in groups, the first code, the
// recovery codes), the home card of those whose role requires it (who cannot
// turn it off), turning it off; the audit log has every change and never a
// secret or a code.
//
// Codes are computed here with node:crypto's HMAC-SHA-1 from the base32
// secret. The clients speak from a loopback address of their own, so that the
// wrong codes tried here slow nobody else down.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomInt } from 'node:crypto';
import {
  api, tokenFor, newToken, dbExec, demo, uniq, show, listAll, Client, parseForm, formFields,
  decodeEntities, ADMIN_EMAIL,
} from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RECOVERY = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$/;
const LOCAL = { localAddress: `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}` };

let d;
let admin;
before(async () => {
  d = await demo();
  admin = { token: tokenFor(ADMIN_EMAIL) };
});

/* ------------------------------------------------------------------ TOTP */

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${s}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

/** The 6-digit code of a step (RFC 4226's dynamic truncation). */
function codeAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

/** A well-formed code that no step near now has. */
function wrongCode(secret) {
  const near = new Set();
  for (let s = stepNow() - 3; s <= stepNow() + 3; s++) near.add(codeAt(secret, s));
  for (const c of ['000000', '111111', '123456', '999999', '424242']) if (!near.has(c)) return c;
  throw new Error('no wrong code');
}

/* --------------------------------------------------------------- helpers */

/** A new account with its password (staff of EPS 1, or roles given). */
async function newAccount(roles = [{ role: 'staff', node_id: d.eps1.id }]) {
  const password = `Totp-${uniq('p')}-2026`;
  const res = await api('POST', '/api/v1/users', {
    username: uniq('totp.'), name: 'Nadia Deux-Étapes', password, language: 'en', roles,
  }, admin);
  assert.equal(res.status, 201, show(res));
  return { ...res.json(), password };
}

const client = () => new Client({ lang: 'en', local: LOCAL });

/** The password step through the form; the answer (303 without two-step
 *  verification, the page asking the code with it). */
async function passwordStep(c, login, password, next) {
  const page = await c.get(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  assert.equal(page.status, 200, show(page));
  const form = parseForm(page.text, '/login');
  const res = await c.post('/login', { ...formFields(form), login, password }, { csrf: false });
  if (res.status === 303) c.lastCsrf = null; // the session's token comes with the next page
  return res;
}

/** The second step's form of a page (its hidden challenge and CSRF token). */
function codeForm(res) {
  const form = parseForm(res.text, '/login/code');
  assert.ok(form, `a form posting to /login/code: ${show(res)}`);
  assert.ok(form.fields.challenge, 'the challenge is in the form');
  return formFields(form);
}

/** Post the second step; a 429 (too early) waits as it says and tries again. */
async function codeStep(c, fields, extra) {
  for (let i = 0; i < 20; i++) {
    const res = await c.post('/login/code', { ...fields, ...extra }, { csrf: false });
    if (res.status !== 429) return res;
    await sleep(1000 * Number(res.headers['retry-after'] || 1) + 100);
  }
  throw new Error('still too early');
}

/** Signed in with the password and a code (or recovery code): the client. */
async function signInWith(u, extra) {
  const c = client();
  const first = await passwordStep(c, u.username, u.password);
  assert.equal(first.status, 200, show(first));
  const res = await codeStep(c, codeForm(first), extra);
  assert.equal(res.status, 303, show(res));
  assert.ok(c.session(), 'a session once the code is right');
  c.lastCsrf = null;
  return c;
}

async function auditOf(userId) {
  return (await listAll('/api/v1/audit?entity=user', admin, 200)).items.filter((r) => r.entity_id === userId);
}

/** The enrolment of an account through the API: {secret, codes, step}. */
async function enrolByApi(u, token) {
  const start = await api('POST', '/api/v1/me/totp', undefined, { token });
  assert.equal(start.status, 201, show(start));
  const { secret } = start.json();
  const step = stepNow();
  const ok = await api('POST', '/api/v1/me/totp/confirm', { code: codeAt(secret, step) }, { token });
  assert.equal(ok.status, 200, show(ok));
  return { secret, codes: ok.json().recovery_codes, step };
}

/* ----------------------------------------------------------------- tests */

describe('two-step verification through the API, then signing in', () => {
  test('enrol, confirm, sign in with a code once, recovery codes once, tokens keep working', async () => {
    const u = await newAccount();
    const token = newToken(u.username, uniq('before-totp-'));
    const me0 = await api('GET', '/api/v1/me', undefined, { token });
    assert.equal(me0.status, 200, show(me0));
    assert.equal(me0.json().totp, false);

    // without it, the password alone signs in
    const plain = client();
    assert.equal((await passwordStep(plain, u.username, u.password)).status, 303);
    assert.ok(plain.session());

    // start through the API with the session (CSRF header): the secret and the URI
    const s1 = await plain.api('POST', '/api/v1/me/totp');
    assert.equal(s1.status, 201, show(s1));
    const first = s1.json();
    assert.deepEqual(Object.keys(first).sort(), ['secret', 'uri']);
    assert.match(first.secret, /^[A-Z2-7]{32}$/);
    assert.equal(first.uri,
      `otpauth://totp/Jouda:${encodeURIComponent(u.username)}?secret=${first.secret}&issuer=Jouda&algorithm=SHA1&digits=6&period=30`);
    // started again while pending: a new secret (the bearer token works as well)
    const s2 = await api('POST', '/api/v1/me/totp', undefined, { token });
    assert.equal(s2.status, 201, show(s2));
    const { secret } = s2.json();
    assert.notEqual(secret, first.secret);

    // the page shows the QR code (an SVG of its own route) and the key in groups of 4
    const page = await plain.get('/profile/totp');
    assert.equal(page.status, 200, show(page));
    assert.match(page.text, /<img class="totp-qr" src="\/profile\/totp\/qr\.svg"[^>]* alt="[^"]+"/);
    assert.ok(page.text.includes(secret.match(/.{4}/g).join(' ')), 'the key in groups of four');
    assert.match(page.text, /inputmode="numeric" autocomplete="one-time-code"/);
    const qr = await plain.get('/profile/totp/qr.svg');
    assert.equal(qr.status, 200, show(qr));
    assert.match(qr.headers['content-type'], /^image\/svg\+xml/);
    assert.match(qr.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    assert.match(qr.text, / role="img" aria-label="[^"<&]+"/);
    assert.equal((qr.text.match(/<path /g) || []).length, 1);
    assert.ok(!qr.text.includes(secret), 'the QR code does not write the key in clear');
    assert.match(qr.headers['cache-control'] || '', /no-store/);

    // confirm: malformed and wrong codes are refused and change nothing
    for (const body of [{ code: '12345' }, { code: 'abcdef' }, { code: ' 123456' }, { code: 123456 }, {}]) {
      const bad = await api('POST', '/api/v1/me/totp/confirm', body, { token });
      assert.equal(bad.status, 422, `${JSON.stringify(body)}: ${show(bad)}`);
      assert.ok(bad.json().error.fields.code, 'a message for the code');
    }
    const wrong = await api('POST', '/api/v1/me/totp/confirm', { code: wrongCode(secret) }, { token });
    assert.equal(wrong.status, 422, show(wrong));
    assert.equal(wrong.json().error.code, 'invalid');
    assert.ok(wrong.json().error.fields.code);
    assert.equal((await api('GET', '/api/v1/me', undefined, { token })).json().totp, false);
    // the first secret no longer counts
    const old = await api('POST', '/api/v1/me/totp/confirm', { code: codeAt(first.secret, stepNow()) }, { token });
    if (codeAt(first.secret, stepNow()) !== codeAt(secret, stepNow())) assert.equal(old.status, 422, show(old));

    // the right code: ten recovery codes, shown once
    const step = stepNow();
    const ok = await api('POST', '/api/v1/me/totp/confirm', { code: codeAt(secret, step) }, { token });
    assert.equal(ok.status, 200, show(ok));
    const codes = ok.json().recovery_codes;
    assert.equal(codes.length, 10);
    for (const c of codes) assert.match(c, RECOVERY);
    assert.equal(new Set(codes).size, 10);

    // once confirmed: no second enrolment, nothing to confirm, no QR code
    const again = await api('POST', '/api/v1/me/totp', undefined, { token });
    assert.equal(again.status, 409, show(again));
    const again2 = await api('POST', '/api/v1/me/totp/confirm', { code: codeAt(secret, step) }, { token });
    assert.equal(again2.status, 409, show(again2));
    assert.equal((await plain.get('/profile/totp/qr.svg')).status, 404);

    // the token made before still works, and says it is on
    const me1 = await api('GET', '/api/v1/me', undefined, { token });
    assert.equal(me1.status, 200, show(me1));
    assert.equal(me1.json().totp, true);

    // the password alone now gives no session: a page asks the code
    const c1 = client();
    const p1 = await passwordStep(c1, u.username, u.password, '/profile');
    assert.equal(p1.status, 200, show(p1));
    assert.equal(c1.session(), undefined, 'no session cookie after the password alone');
    assert.match(p1.text, /<input id="f-code" name="code" type="text" class="totp-code" inputmode="numeric" autocomplete="one-time-code"/);
    assert.ok(!p1.text.includes(u.password));
    const f1 = codeForm(p1);
    assert.equal((await c1.get('/profile')).status, 303, 'still signed out');

    // a wrong code: 422, still no session
    const w = await codeStep(c1, f1, { code: wrongCode(secret) });
    assert.equal(w.status, 422, show(w));
    assert.equal(c1.session(), undefined);
    assert.match(w.text, /class="field-error" id="f-code-error"/);
    // the right code (the next step's: the one that confirmed is used) signs in, to next
    const good = codeAt(secret, step + 1);
    const r1 = await codeStep(c1, codeForm(w), { code: good });
    assert.equal(r1.status, 303, show(r1));
    assert.equal(r1.location, '/profile');
    assert.ok(c1.session());
    assert.equal((await c1.get('/profile')).status, 200);
    // the challenge is used up (tried again from the same browser, not signed in)
    const cx = client();
    cx.cookies.set('jouda_csrf', c1.cookies.get('jouda_csrf'));
    const reuse = await cx.post('/login/code', { ...f1, code: codeAt(secret, step + 2) }, { csrf: false });
    assert.equal(reuse.status, 401, show(reuse));
    assert.ok(parseForm(reuse.text, '/login'), 'back to the password');
    assert.equal(cx.session(), undefined);

    // the same code again is refused (a step is accepted once), and so is the older one
    const c2 = client();
    const p2 = await passwordStep(c2, u.username, u.password);
    assert.equal(p2.status, 200, show(p2));
    const rep = await codeStep(c2, codeForm(p2), { code: good });
    assert.equal(rep.status, 422, show(rep));
    const rep2 = await codeStep(c2, codeForm(rep), { code: codeAt(secret, step) });
    assert.equal(rep2.status, 422, show(rep2));
    assert.equal(c2.session(), undefined);

    // a recovery code works once (typed in capitals with spaces: the same code)
    const c3 = await signInWith(u, { recovery_code: codes[0].toUpperCase().replace(/-/g, ' ') });
    assert.equal((await c3.get('/')).status, 200);
    const c4 = client();
    const p4 = await passwordStep(c4, u.username, u.password);
    const twice = await codeStep(c4, codeForm(p4), { recovery_code: codes[0] });
    assert.equal(twice.status, 422, show(twice));
    assert.match(twice.text, /id="f-recovery_code-error"/);
    assert.equal(c4.session(), undefined);
    await signInWith(u, { recovery_code: codes[1] });

    // the profile links to it and says it is on
    const prof = await c3.get('/profile');
    assert.match(prof.text, /href="\/profile\/totp"/);
    const on = await c3.get('/profile/totp');
    assert.equal(on.status, 200);
    assert.match(on.text, /action="\/profile\/totp\/recovery"/);
    assert.match(on.text, /action="\/profile\/totp\/off"/);
    assert.ok(!on.text.includes(secret.slice(0, 8)), 'the key is not shown once it is on');

    // new recovery codes need a current code; shown once on the answer
    const noCode = await c3.post('/profile/totp/recovery', { renew_code: wrongCode(secret) });
    assert.equal(noCode.status, 422, show(noCode));
    const renew = await c3.post('/profile/totp/recovery', { renew_code: codes[2] });
    assert.equal(renew.status, 200, show(renew));
    const fresh = [...renew.text.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(fresh.length, 10, 'ten new codes on the page');
    for (const c of fresh) assert.match(c, RECOVERY);
    const c5 = client();
    const p5 = await passwordStep(c5, u.username, u.password);
    assert.equal((await codeStep(c5, codeForm(p5), { recovery_code: codes[3] })).status, 422, 'the old codes stop working');

    // the audit log: every change, never a secret or a code
    const rows = await auditOf(u.id);
    const actions = rows.map((r) => r.action);
    for (const a of ['totp_start', 'totp_enable', 'login_totp_failed', 'totp_recovery_used', 'totp_recovery_renew', 'login']) {
      assert.ok(actions.includes(a), `an audit row ${a}: ${actions.join(', ')}`);
    }
    assert.equal(actions.filter((a) => a === 'totp_start').length, 2);
    const text = JSON.stringify(rows);
    for (const s of [secret, first.secret, secret.slice(0, 16), good, ...codes, ...fresh]) {
      assert.ok(!text.includes(s), `the audit log holds ${s}`);
    }
    // turned off with a code (a staff role does not require it)
    const off = await c3.post('/profile/totp/off', { off_code: fresh[0] });
    assert.equal(off.status, 303, show(off));
    assert.equal((await api('GET', '/api/v1/me', undefined, { token })).json().totp, false);
    assert.ok((await auditOf(u.id)).some((r) => r.action === 'totp_disable'));
    // and the password alone signs in again
    const c6 = client();
    assert.equal((await passwordStep(c6, u.username, u.password)).status, 303);
  });
});

describe('the second step of signing in', () => {
  test('five wrong codes send back to the password; the code is asked again each time', async () => {
    const u = await newAccount();
    const token = newToken(u.username, uniq('t-'));
    const { secret } = await enrolByApi(u, token);
    const c = client();
    const p = await passwordStep(c, u.username, u.password);
    assert.equal(p.status, 200, show(p));
    let fields = codeForm(p);
    const first = { ...fields };
    for (let i = 1; i <= 4; i++) {
      const res = await codeStep(c, fields, { code: wrongCode(secret) });
      assert.equal(res.status, 422, `attempt ${i}: ${show(res)}`);
      fields = codeForm(res);
      assert.equal(fields.challenge, first.challenge, 'the same challenge');
    }
    const fifth = await codeStep(c, fields, { code: wrongCode(secret) });
    assert.equal(fifth.status, 401, show(fifth));
    assert.ok(parseForm(fifth.text, '/login'), 'the password is asked again');
    assert.ok(!parseForm(fifth.text, '/login/code'));
    // the challenge is over, even with the right code now
    const late = await codeStep(c, fields, { code: codeAt(secret, stepNow() + 1) });
    assert.equal(late.status, 401, show(late));
    assert.equal(c.session(), undefined);
    assert.ok((await auditOf(u.id)).filter((r) => r.action === 'login_totp_failed').length >= 5);
  });

  test('an expired challenge sends back to the password; a forged one too', async () => {
    const u = await newAccount();
    const token = newToken(u.username, uniq('t-'));
    const { secret, step } = await enrolByApi(u, token);
    const c = client();
    const p = await passwordStep(c, u.username, u.password);
    assert.equal(p.status, 200, show(p));
    const fields = codeForm(p);
    // an empty code: asked again (not an attempt)
    const empty = await codeStep(c, fields, { code: '' });
    assert.equal(empty.status, 422, show(empty));
    // no pre-session CSRF token: refused like the password form
    const noCsrf = await c.post('/login/code', { challenge: fields.challenge, code: codeAt(secret, step + 1) }, { csrf: false });
    assert.equal(noCsrf.status, 403, show(noCsrf));
    // a forged challenge
    const forged = await codeStep(c, { ...fields, challenge: 'x'.repeat(43) }, { code: codeAt(secret, step + 1) });
    assert.equal(forged.status, 401, show(forged));
    assert.ok(parseForm(forged.text, '/login'));
    // expired (written by SQL: five minutes are long for a test)
    dbExec(`UPDATE login_challenges SET expires_at = ${Math.floor(Date.now() / 1000) - 1} WHERE user_id = ${u.id}`);
    const late = await codeStep(c, fields, { code: codeAt(secret, step + 1) });
    assert.equal(late.status, 401, show(late));
    assert.ok(parseForm(late.text, '/login'), 'back to the password');
    assert.equal(c.session(), undefined);
    // a GET of the second step (a language link) goes back to the start
    const get = await c.get('/login/code?lang=ar');
    assert.equal(get.status, 303);
    assert.equal(get.location, '/login');
  });
});

describe('two-step verification through the pages', () => {
  test('a director is asked to set it up, does it with the QR code page, and cannot turn it off', async () => {
    const assoc = await api('POST', '/api/v1/nodes', { kind: 'association', name: uniq('Association TOTP ') }, admin);
    assert.equal(assoc.status, 201, show(assoc));
    const eps = await api('POST', '/api/v1/nodes', { parent_id: assoc.json().id, kind: 'eps', name: uniq('Foyer TOTP '), category: 'elderly', capacity: 10 }, admin);
    assert.equal(eps.status, 201, show(eps));
    const u = await newAccount([{ role: 'director', node_id: eps.json().id }]);
    const c = client();
    assert.equal((await passwordStep(c, u.username, u.password)).status, 303);

    // the home page asks it, with a link
    const home = await c.get('/');
    assert.equal(home.status, 200, show(home));
    assert.match(home.text, /id="totp-home-title"/);
    assert.match(home.text, /href="\/profile\/totp"/);
    const prof = await c.get('/profile');
    assert.match(prof.text, /href="\/profile\/totp"/);

    const none = await c.get('/profile/totp');
    assert.equal(none.status, 200, show(none));
    assert.ok(parseForm(none.text, /^\/profile\/totp$/), 'a form to set it up');
    // no CSRF token: refused
    const forged = await c.post('/profile/totp', {}, { csrf: false });
    assert.equal(forged.status, 403, show(forged));
    const start = await c.post('/profile/totp', {});
    assert.equal(start.status, 303, show(start));
    assert.equal(start.location, '/profile/totp');
    const pending = await c.get('/profile/totp');
    assert.equal(pending.status, 200, show(pending));
    assert.match(pending.text, /<img class="totp-qr" src="\/profile\/totp\/qr\.svg"/);
    const secret = decodeEntities(pending.text.match(/<code id="totp-secret">([A-Z2-7 ]+)<\/code>/)[1]).replace(/ /g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const qr = await c.get('/profile/totp/qr.svg');
    assert.equal(qr.status, 200);
    assert.match(qr.text, /^<svg [^>]*role="img"/);

    // a wrong code: 422 with the field's message, nothing changed
    const wrong = await c.post('/profile/totp/confirm', { code: wrongCode(secret) });
    assert.equal(wrong.status, 422, show(wrong));
    assert.match(wrong.text, /id="f-code-error"/);
    assert.match(wrong.text, /<code id="totp-secret">/, 'still pending');
    const bad = await c.post('/profile/totp/confirm', { code: 'abc' });
    assert.equal(bad.status, 422, show(bad));
    // the right code ("123 456" as apps show it): the recovery codes, once
    const code = codeAt(secret, stepNow());
    const ok = await c.post('/profile/totp/confirm', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    assert.equal(ok.status, 200, show(ok));
    const codes = [...ok.text.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    for (const k of codes) assert.match(k, RECOVERY);
    const after = await c.get('/profile/totp');
    assert.ok(!codes.some((k) => after.text.includes(k)), 'the codes are shown once');
    assert.ok(!after.text.includes('totp-secret'));

    // no more card on the home page
    const home2 = await c.get('/');
    assert.doesNotMatch(home2.text, /id="totp-home-title"/);

    // a director cannot turn it off (409, with a message), whatever the code
    const off = await c.post('/profile/totp/off', { off_code: codes[0] });
    assert.equal(off.status, 409, show(off));
    assert.match(off.text, /class="error-summary"/);
    const me = await c.api('GET', '/api/v1/me');
    assert.equal(me.json().totp, true);
    // the recovery code was not used by the refusal
    await signInWith(u, { recovery_code: codes[0] });
  });
});
