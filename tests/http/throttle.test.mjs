// throttle.test.mjs - failed sign-ins slow down where they come from and
// never lock an account for everyone: the right password from another
// address, or from a browser that signed in before (its device cookie), gets
// in at once; an attempt made too early answers 429 with Retry-After at once;
// many failures notify the owner once and are audited; the password change of
// the profile follows the same rules.
//
// The server run-all.sh starts sees every request come from 127.0.0.1. These
// tests start a second server of their own on the same database (JOUDA_BIN,
// JOUDA_DB_URL), with --trust-proxy 127.0.0.1, and speak to it as a reverse proxy would:
// each "device" below sends its client address in X-Forwarded-For. The second
// server must stop cleanly (exit status 0, no sanitizer report).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  BIN, DB_URL, Client, api, tokenFor, demo, uniq, show, extractCsrf, decodeEntities, htmlLangDir,
  translation, translated, dbExec, ADMIN_EMAIL,
} from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------ the server behind a proxy */

let proxied = null; // { url, child, log, exited }

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

before(async () => {
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--db', DB_URL, '--listen', `127.0.0.1:${port}`, '--trust-proxy', '127.0.0.1'], {
    env: { ...process.env, JOUDA_STRICT_TEMPLATES: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proxied = { url: `http://127.0.0.1:${port}`, child, log: '', exited: null };
  child.stderr.on('data', (b) => { proxied.log += b.toString(); });
  proxied.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${proxied.url}/healthz`);
      if (res.ok) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`the server with --trust-proxy did not start: ${proxied.log.slice(-2000)}`);
});

after(async () => {
  if (!proxied) return;
  proxied.child.kill('SIGTERM');
  const timer = setTimeout(() => proxied.child.kill('SIGKILL'), 15000);
  const { code, signal } = await proxied.exited;
  clearTimeout(timer);
  assert.equal(code, 0, `the second server stopped with ${code ?? signal}: ${proxied.log.slice(-2000)}`);
  assert.doesNotMatch(proxied.log, /ERROR: (Address|Leak)Sanitizer|runtime error:/, 'no sanitizer report');
});

/* A browser behind the proxy: its own cookies, its own client address. */
class Device extends Client {
  constructor(ip, { lang, https = false } = {}) {
    super({ lang });
    this.ip = ip;
    this.https = https;
  }

  request(method, path, opts = {}) {
    const headers = { 'x-forwarded-for': this.ip, ...(opts.headers || {}) };
    if (this.https) headers['x-forwarded-proto'] = 'https';
    return super.request(method, new URL(path, proxied.url).href, { ...opts, headers });
  }

  /** Another browser with only this one's device cookie (its session ended). */
  sameBrowserLater(ip = this.ip) {
    const d = new Device(ip, { lang: this.acceptLanguage });
    d.cookies.set('jouda_device', this.cookies.get('jouda_device'));
    return d;
  }
}

// addresses of this run only (IPv6 documentation prefix), one per use
const RUN = randomBytes(2).toString('hex');
let nextAddress = 1;
const address = () => `2001:db8:${RUN}::${(nextAddress++).toString(16)}`;

function deviceCookie(res) {
  return (res.headers['set-cookie'] || []).find((c) => c.startsWith('jouda_device='));
}
function sessionCookie(res) {
  return (res.headers['set-cookie'] || []).find((c) => c.startsWith('jouda_session='));
}
function retryAfter(res) {
  const v = res.headers['retry-after'];
  assert.match(v || '', /^[1-9][0-9]*$/, `Retry-After in seconds: ${show(res)}`);
  return parseInt(v, 10);
}

/** One sign-in through the form; res.ms is the time the POST took. */
async function tryLogin(dev, login, password) {
  const page = await dev.get('/login');
  assert.equal(page.status, 200, show(page));
  const t0 = Date.now();
  const res = await dev.post('/login', { login, password, next: '/', _csrf: extractCsrf(page.text) }, { csrf: false });
  res.ms = Date.now() - t0;
  return res;
}

/** n wrong passwords (401) from dev, waiting out each 429 as Retry-After says. */
async function fail(dev, login, n) {
  let failures = 0;
  while (failures < n) {
    const res = await tryLogin(dev, login, `Wrong-${RUN}-${failures}`);
    if (res.status === 401) failures++;
    else if (res.status === 429) await sleep(retryAfter(res) * 1000);
    else assert.fail(`a wrong password answered ${show(res)}`);
  }
}

async function newAccount(prefix, language = 'fr') {
  const d = await demo();
  const password = `Pass-${RUN}-${randomBytes(4).toString('hex')}`;
  const res = await api('POST', '/api/v1/users', {
    username: uniq(prefix), name: 'Compte Délai', password, language,
    roles: [{ role: 'staff', node_id: d.eps1.id }],
  }, { token: tokenFor(ADMIN_EMAIL) });
  assert.equal(res.status, 201, show(res));
  return { ...res.json(), password };
}

/** The start of the "try again in N seconds" message, in lang. */
function waitPrefix(lang) {
  return translation(lang, 'Too many attempts; try again in %d second.').split('%d')[0];
}

/* ------------------------------------------------------------------- tests */

describe('sign-in delays instead of lockouts', () => {
  test('wrong passwords from one address never stop the right one from another', async () => {
    const u = await newAccount('delay.');
    const a = new Device(address(), { lang: 'ar' });
    await fail(a, u.username, 5);
    // from A, even the right password now waits; it is told so at once
    const slowed = await tryLogin(a, u.username, u.password);
    assert.equal(slowed.status, 429, show(slowed));
    const wait = retryAfter(slowed);
    assert.ok(wait >= 1 && wait <= 4, `after five failures the pair waits 4 s at most, not ${wait}`);
    assert.ok(slowed.ms < 1000, `the 429 came at once, not after ${slowed.ms} ms`);
    assert.equal(sessionCookie(slowed), undefined, 'no session');
    assert.match(slowed.headers['content-type'] || '', /text\/html/);
    // the sign-in page in the page's language, the login typed kept
    assert.deepEqual(htmlLangDir(slowed.text), { lang: 'ar', dir: 'rtl' });
    const text = decodeEntities(slowed.text);
    assert.ok(text.includes(`${waitPrefix('ar')}${wait}`), `the page says how long to wait: ${waitPrefix('ar')}${wait}`);
    assert.ok(slowed.text.includes(`value="${u.username}"`), 'the login typed is kept');
    assert.ok(extractCsrf(slowed.text), 'the form is shown again');
    // from B, the right password gets in at once
    const b = new Device(address());
    const ok = await tryLogin(b, u.username, u.password);
    assert.equal(ok.status, 303, show(ok));
    assert.ok(sessionCookie(ok), 'a session');
    const me = await b.api('GET', '/api/v1/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.json().username, u.username);
  });

  test('a device that signed in before gets in while failures pile up elsewhere', async () => {
    const u = await newAccount('device.');
    const home = address();
    // the owner's browser signs in over HTTPS (through the proxy)
    const owner = new Device(home, { https: true });
    const first = await tryLogin(owner, u.username, u.password);
    assert.equal(first.status, 303, show(first));
    const dc = deviceCookie(first);
    assert.ok(dc, 'a device cookie after a successful sign-in');
    assert.match(dc, /;\s*HttpOnly/i);
    assert.match(dc, /;\s*SameSite=Lax/i);
    assert.match(dc, /;\s*Secure/i, 'Secure over TLS');
    assert.match(dc, /;\s*Path=\//i);
    assert.match(dc, /;\s*Max-Age=15552000\b/i, 'kept 180 days');
    assert.match(dc.split(';')[0], new RegExp(`^jouda_device=1\\.${u.id}\\.[0-9]+\\.[A-Za-z0-9_-]{22}\\.[0-9a-f]{64}$`));
    // over plain HTTP the cookie is not Secure
    const plain = await tryLogin(new Device(address()), u.username, u.password);
    assert.equal(plain.status, 303, show(plain));
    assert.doesNotMatch(deviceCookie(plain) || '', /;\s*Secure/i);
    // a browser at the same address that signed in to another account
    const otherAccount = await newAccount('device.other.');
    const otherBrowser = new Device(home);
    assert.equal((await tryLogin(otherBrowser, otherAccount.username, otherAccount.password)).status, 303);
    otherBrowser.cookies.delete('jouda_session');
    // failures pile up: from many addresses, then from the owner's own
    for (let i = 0; i < 6; i++) await fail(new Device(address()), u.username, 1);
    await fail(new Device(home), u.username, 5);
    // an unknown browser at that address waits, even with the right password
    const stranger = await tryLogin(new Device(home), u.username, u.password);
    assert.equal(stranger.status, 429, show(stranger));
    retryAfter(stranger);
    // so does one with a forged device cookie, or with the cookie of another account
    const forged = owner.sameBrowserLater();
    const value = forged.cookies.get('jouda_device');
    forged.cookies.set('jouda_device', `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`);
    assert.equal((await tryLogin(forged, u.username, u.password)).status, 429, 'a cookie with a wrong signature counts for nothing');
    const wrongAccount = await tryLogin(otherBrowser, u.username, u.password);
    assert.equal(wrongAccount.status, 429, `a device cookie names one account: ${show(wrongAccount)}`);
    // the owner's browser, its session over, gets in at once
    const later = owner.sameBrowserLater();
    const back = await tryLogin(later, u.username, u.password);
    assert.equal(back.status, 303, show(back));
    assert.ok(sessionCookie(back), 'a session');
    const renewed = deviceCookie(back);
    assert.ok(renewed, 'the device cookie is renewed at each sign-in');
    assert.notEqual(renewed.split(';')[0], dc.split(';')[0]);
  });

  test('failures made from a known device count against that device', async () => {
    const u = await newAccount('mine.');
    const here = address();
    const owner = new Device(here);
    assert.equal((await tryLogin(owner, u.username, u.password)).status, 303);
    const same = owner.sameBrowserLater();
    await fail(same, u.username, 5);
    const slowed = await tryLogin(same, u.username, u.password);
    assert.equal(slowed.status, 429, show(slowed));
    assert.ok(slowed.ms < 1000, `the 429 came at once, not after ${slowed.ms} ms`);
    retryAfter(slowed);
    // they were that device's: another browser, even at the same address, is not slowed
    const other = await tryLogin(new Device(here), u.username, u.password);
    assert.equal(other.status, 303, show(other));
  });

  test('many failures notify the owner once, and are audited without any password', async () => {
    const u = await newAccount('alert.');
    const tried = [];
    const wrong = [];
    for (let i = 0; i < 14; i++) {
      const ip = address();
      tried.push(ip);
      const res = await tryLogin(new Device(ip), u.username, `Wrong-alert-${RUN}-${i}`);
      wrong.push(`Wrong-alert-${RUN}-${i}`);
      assert.equal(res.status, 401, `failure ${i + 1}: ${show(res)}`);
    }
    // the tenth failure within the hour was the one to report
    const reported = tried[9];
    const owner = new Device(address());
    assert.equal((await tryLogin(owner, u.username, u.password)).status, 303, 'the owner still gets in');
    const list = await owner.api('GET', '/api/v1/notifications');
    assert.equal(list.status, 200, show(list));
    const alerts = list.json().items.filter((n) => n.kind === 'login_throttled');
    assert.equal(alerts.length, 1, `one notification for the burst: ${JSON.stringify(list.json().items)}`);
    const expected = translated('fr', 'Repeated failed sign-in attempts were made on your account within an hour, the latest from the address %s. Your account stays open to you; if these attempts were not yours, change your password.', `\u2068${reported}\u2069`);
    assert.equal(alerts[0].text, expected);
    assert.equal(alerts[0].link, '/profile');
    const page = await owner.get('/notifications');
    assert.equal(page.status, 200, show(page));
    assert.ok(decodeEntities(page.text).includes(expected), 'the notifications page shows it');
    // more failures in the same burst: no more notification
    for (let i = 0; i < 3; i++) {
      const res = await tryLogin(new Device(address()), u.username, `Wrong-more-${RUN}-${i}`);
      wrong.push(`Wrong-more-${RUN}-${i}`);
      assert.equal(res.status, 401, show(res));
    }
    const again = (await owner.api('GET', '/api/v1/notifications')).json().items.filter((n) => n.kind === 'login_throttled');
    assert.equal(again.length, 1, 'still one');
    // the audit log: every failure, and the burst once (entity user)
    const token = tokenFor(ADMIN_EMAIL);
    const throttled = (await api('GET', '/api/v1/audit?action=login_throttled&limit=200', undefined, { token })).json().items
      .filter((x) => x.entity_id === u.id);
    assert.equal(throttled.length, 1, JSON.stringify(throttled));
    assert.equal(throttled[0].entity, 'user');
    assert.equal(throttled[0].ip, reported);
    const failed = (await api('GET', '/api/v1/audit?action=login_failed&limit=200', undefined, { token })).json().items
      .filter((x) => x.entity_id === u.id);
    assert.equal(failed.length, 17, 'each failure is in the log');
    // no password anywhere: the log, the counters, the notification
    const stored = [
      JSON.stringify(throttled), JSON.stringify(failed),
      dbExec(`SELECT coalesce(changes, '') || ' ' || coalesce(ip, '') FROM audit_log WHERE entity = 'user' AND entity_id = ${u.id}`),
      dbExec('SELECT key FROM login_failures'),
      dbExec(`SELECT params FROM notifications WHERE user_id = ${u.id}`),
    ].join('\n');
    for (const w of [...wrong, u.password]) assert.equal(stored.includes(w), false, `"${w}" is stored somewhere`);
  });

  test('the profile\'s password change follows the same rules', async () => {
    const u = await newAccount('profile.');
    const s = new Device(address());
    assert.equal((await tryLogin(s, u.username, u.password)).status, 303);
    const change = async (dev, current) => {
      const page = await dev.get('/profile');
      assert.equal(page.status, 200, show(page));
      const t0 = Date.now();
      const res = await dev.post('/profile/password', {
        _csrf: extractCsrf(page.text), current_password: current, new_password: `New-${RUN}-pass-2026`,
        confirm_password: `New-${RUN}-pass-2026`,
      }, { csrf: false });
      res.ms = Date.now() - t0;
      return res;
    };
    let failures = 0;
    while (failures < 5) {
      const res = await change(s, `Not-current-${failures}`);
      if (res.status === 422) failures++;
      else if (res.status === 429) await sleep(retryAfter(res) * 1000);
      else assert.fail(show(res));
    }
    const slowed = await change(s, u.password);
    assert.equal(slowed.status, 429, show(slowed));
    assert.ok(slowed.ms < 1000, `the 429 came at once, not after ${slowed.ms} ms`);
    const wait = retryAfter(slowed);
    assert.ok(decodeEntities(slowed.text).includes(`${waitPrefix('fr')}${wait}`), 'the form says how long to wait');
    // from another browser and address, the owner changes it at once
    const t = new Device(address());
    assert.equal((await tryLogin(t, u.username, u.password)).status, 303);
    const done = await change(t, u.password);
    assert.equal(done.status, 303, show(done));
  });
});
