// basics.test.mjs - health, security headers, static assets, gzip, language
// negotiation, and what an anonymous visitor gets (login redirects for pages,
// 401 JSON for the API, never a redirect there).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, ENGINE, Client, rawRequest, api, signIn, htmlLangDir, demo, show, tokenFor, decodeEntities, translation,
  ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

function assertSecurityHeaders(res, what) {
  const h = res.headers;
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(h['referrer-policy'], `${what}: Referrer-Policy present`);
  const csp = h['content-security-policy'];
  assert.ok(csp, `${what}: Content-Security-Policy present`);
  assert.doesNotMatch(csp, /unsafe-inline/, `${what}: CSP allows no inline code: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-eval/, `${what}: CSP allows no eval: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors 'none': ${csp}`);
  assert.match(csp, /default-src|script-src/, `${what}: CSP restricts scripts: ${csp}`);
}

function cssHref(html) {
  const links = html.match(/<link\b[^>]*>/gi) || [];
  for (const l of links) {
    if (/rel=["']stylesheet["']/i.test(l)) {
      const m = l.match(/href=["']([^"']+)["']/i);
      if (m) return m[1].replace(/&amp;/g, '&');
    }
  }
  return null;
}

describe('health', () => {
  test('GET /healthz answers the engine and version as JSON', async () => {
    const res = await rawRequest('GET', '/healthz');
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^application\/json/);
    const j = res.json();
    assert.equal(j.status, 'ok');
    assert.equal(j.db, ENGINE);
    assert.equal(typeof j.version, 'string');
    assert.ok(j.version.length > 0);
  });

  test('HEAD answers like GET without a body; unknown paths do not crash the server', async () => {
    for (const path of ['/healthz', '/login']) {
      const get = await rawRequest('GET', path);
      const head = await rawRequest('HEAD', path);
      assert.equal(head.status, 200, `HEAD ${path}: ${show(head)}`);
      assert.equal(head.rawLength, 0, `HEAD ${path} has no body`);
      assert.equal(head.headers['content-type'], get.headers['content-type'], `HEAD ${path}: the type of GET`);
      assertSecurityHeaders(head, `HEAD ${path}`);
    }
    const headMissing = await rawRequest('HEAD', '/no/such/page');
    assert.equal(headMissing.status, 404, show(headMissing));
    assert.equal(headMissing.rawLength, 0);
    const res = await rawRequest('GET', '/no/such/page');
    assert.equal(res.status, 404, show(res));
    const res2 = await rawRequest('GET', '/%00%ff/../../etc/passwd');
    assert.ok([400, 404].includes(res2.status), show(res2));
    const res3 = await rawRequest('GET', '/healthz');
    assert.equal(res3.status, 200);
  });
});

describe('security headers', () => {
  test('on pages', async () => {
    const res = await rawRequest('GET', '/login');
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^text\/html; charset=utf-8/i);
    assertSecurityHeaders(res, 'GET /login');
    // inline scripts are forbidden by the CSP: the pages must not rely on any
    assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)[^>]*>\s*\S/i, 'no inline <script> in the login page');
    assert.doesNotMatch(res.text, /\son[a-z]+\s*=\s*["']/i, 'no inline event handlers');
  });

  test('on the API (errors included)', async () => {
    const res = await rawRequest('GET', '/api/v1/me');
    assert.equal(res.status, 401);
    assertSecurityHeaders(res, 'GET /api/v1/me');
    const ok = await api('GET', '/api/v1/me', undefined, { token: tokenFor('directrice.casa@amal.ma') });
    assert.equal(ok.status, 200, show(ok));
    assertSecurityHeaders(ok, 'GET /api/v1/me with a token');
  });

  test('on static assets', async () => {
    const page = await rawRequest('GET', '/login');
    const href = cssHref(page.text);
    assert.ok(href && href.startsWith('/static/'), `a stylesheet under /static/ is linked: ${href}`);
    const res = await rawRequest('GET', href);
    assert.equal(res.status, 200);
    assertSecurityHeaders(res, `GET ${href}`);
  });

  test('dynamic pages are not cached by shared caches', async () => {
    const c = await signIn('directrice.casa@amal.ma');
    const res = await c.get('/');
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['cache-control'] || '', /no-store|private/, 'Cache-Control on a personal page');
  });
});

describe('static assets', () => {
  let href;
  before(async () => {
    href = cssHref((await rawRequest('GET', '/login')).text);
  });

  test('ETag and a long cache', async () => {
    const res = await rawRequest('GET', href);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/css/);
    assert.ok(res.headers.etag, 'ETag present');
    const cc = res.headers['cache-control'] || '';
    const maxAge = parseInt((cc.match(/max-age=(\d+)/) || [])[1] || '0', 10);
    assert.ok(maxAge >= 30 * 86400, `long cache (max-age >= 30 days): ${cc}`);
  });

  test('304 on If-None-Match', async () => {
    const res = await rawRequest('GET', href);
    const res2 = await rawRequest('GET', href, { headers: { 'if-none-match': res.headers.etag } });
    assert.equal(res2.status, 304);
    assert.equal(res2.rawLength, 0, '304 carries no body');
    const res3 = await rawRequest('GET', href, { headers: { 'if-none-match': '"not-the-etag"' } });
    assert.equal(res3.status, 200);
  });

  test('gzip when accepted, plain otherwise', async () => {
    const plain = await rawRequest('GET', href, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    if (plain.body.length > 1024) {
      const gz = await rawRequest('GET', href, { headers: { 'accept-encoding': 'gzip, deflate' } });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gz.rawLength < plain.body.length, 'compressed is smaller');
      assert.deepEqual(gz.body, plain.body, 'same bytes once decompressed');
    }
  });

  test('unknown asset and path escapes answer 404', async () => {
    for (const p of ['/static/no-such-file.css', '/static/../Makefile', '/static/%2e%2e/Makefile', '/static/']) {
      const res = await rawRequest('GET', p);
      assert.ok([400, 404].includes(res.status), `${p}: ${show(res)}`);
      assert.doesNotMatch(res.text, /\.DEFAULT_GOAL/);
    }
  });
});

describe('gzip of pages', () => {
  test('a page over 1 KB is gzipped when accepted', async () => {
    const c = await signIn('directrice.casa@amal.ma');
    const plain = await c.get('/', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.length > 1024, 'home page is over 1 KB');
    const gz = await c.get('/', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gz.headers.vary || '', /accept-encoding/i);
    assert.ok(gz.rawLength < gz.body.length);
    assert.match(gz.text, /<\/html>\s*$/);
  });

  test('an API list over 1 KB is gzipped when accepted', async () => {
    const res = await api('GET', '/api/v1/nodes?limit=100', undefined, {
      token: tokenFor('directrice.casa@amal.ma'), headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(res.status, 200);
    if (res.body.length > 1024) assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(Array.isArray(res.json().items));
  });
});

describe('language', () => {
  test('French by default, left to right', async () => {
    const res = await rawRequest('GET', '/login');
    assert.deepEqual(htmlLangDir(res.text), { lang: 'fr', dir: 'ltr' });
  });

  test('?lang=ar gives Arabic, right to left', async () => {
    const res = await rawRequest('GET', '/login?lang=ar');
    assert.equal(res.status, 200);
    assert.deepEqual(htmlLangDir(res.text), { lang: 'ar', dir: 'rtl' });
    // the words of the form, in Arabic and not in French
    const text = decodeEntities(res.text);
    for (const msgid of ['Email or username', 'Password', 'Sign in']) {
      assert.ok(text.includes(translation('ar', msgid)), `"${translation('ar', msgid)}" (${msgid}) on the page`);
      assert.equal(text.includes(translation('fr', msgid)), false, `"${translation('fr', msgid)}" (French) on the page`);
    }
  });

  test('?lang=en gives English', async () => {
    const res = await rawRequest('GET', '/login?lang=en');
    assert.deepEqual(htmlLangDir(res.text), { lang: 'en', dir: 'ltr' });
  });

  test('Accept-Language chooses when no ?lang', async () => {
    const ar = await rawRequest('GET', '/login', { headers: { 'accept-language': 'ar-MA,ar;q=0.9,fr;q=0.5' } });
    assert.deepEqual(htmlLangDir(ar.text), { lang: 'ar', dir: 'rtl' });
    const en = await rawRequest('GET', '/login', { headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    assert.equal(htmlLangDir(en.text).lang, 'en');
    const other = await rawRequest('GET', '/login', { headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    assert.equal(htmlLangDir(other.text).lang, 'fr');
    const q = await rawRequest('GET', '/login?lang=fr', { headers: { 'accept-language': 'ar' } });
    assert.equal(htmlLangDir(q.text).lang, 'fr', '?lang wins over Accept-Language');
  });

  test('an unknown ?lang is ignored', async () => {
    const res = await rawRequest('GET', '/login?lang=xx%3Cscript%3E');
    assert.equal(res.status, 200);
    assert.equal(htmlLangDir(res.text).lang, 'fr');
    assert.doesNotMatch(res.text, /xx<script>/);
  });

  test('the choice made with ?lang is kept when logged out (cookie)', async () => {
    const c = new Client();
    await c.get('/login?lang=ar');
    const res = await c.get('/login');
    assert.deepEqual(htmlLangDir(res.text), { lang: 'ar', dir: 'rtl' });
  });
});

describe('anonymous visitors', () => {
  const pages = ['/', '/admin/nodes', '/admin/nodes/new', '/admin/nodes/2', '/admin/nodes/2/edit',
    '/admin/users', '/admin/users/new', '/admin/users/1', '/notifications', '/profile', '/admin/audit',
    '/attachments/1'];

  test('pages redirect to /login (303)', async () => {
    for (const p of pages) {
      const res = await rawRequest('GET', p);
      assert.equal(res.status, 303, `GET ${p}: ${show(res)}`);
      assert.equal(new URL(res.location, BASE).pathname, '/login', `GET ${p} -> ${res.location}`);
    }
  });

  test('page posts redirect to /login too, changing nothing', async () => {
    for (const p of ['/admin/nodes', '/admin/nodes/2', '/admin/nodes/2/disable', '/admin/users/1/disable',
      '/admin/users/1/password', '/profile/language', '/logout']) {
      const res = await rawRequest('POST', p, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x',
      });
      assert.equal(res.status, 303, `POST ${p}: ${show(res)}`);
      assert.equal(new URL(res.location, BASE).pathname, '/login');
    }
    const d = await demo();
    const assoc = await api('GET', `/api/v1/nodes/${d.assoc1.id}`, undefined, { token: tokenFor('admin@jouda.ma') });
    assert.equal(assoc.json().name, d.assoc1.name);
  });

  test('every API route answers 401 JSON without credentials, never a redirect', async () => {
    const routes = [
      ['GET', '/api/v1/me'], ['GET', '/api/v1/nodes'], ['POST', '/api/v1/nodes'],
      ['GET', '/api/v1/nodes/1'], ['PATCH', '/api/v1/nodes/1'], ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users'], ['GET', '/api/v1/users/1'], ['PATCH', '/api/v1/users/1'],
      ['GET', '/api/v1/audit'], ['GET', '/api/v1/nodes/1/attachments'], ['POST', '/api/v1/nodes/1/attachments'],
      ['GET', '/api/v1/nodes/999999'], ['PATCH', '/api/v1/users/999999'],
      ['GET', '/api/v1/notifications'], ['POST', '/api/v1/notifications/read-all'], ['POST', '/api/v1/notifications/1/read'],
    ];
    for (const [m, p] of routes) {
      for (const auth of [undefined, 'Bearer not-a-valid-token', 'Basic YWRtaW46YWRtaW4=']) {
        const headers = { accept: 'text/html' };
        if (auth) headers.authorization = auth;
        let body;
        if (m !== 'GET') { headers['content-type'] = 'application/json'; body = '{"name":"x"}'; }
        const res = await rawRequest(m, p, { headers, body });
        assert.equal(res.status, 401, `${m} ${p} (${auth || 'no credentials'}): ${show(res)}`);
        assert.equal(res.location, undefined);
        assert.match(res.headers['content-type'] || '', /^application\/json/, `${m} ${p}`);
        const j = res.json();
        assert.equal(typeof j.error?.code, 'string', `${m} ${p}: error.code`);
        assert.equal(typeof j.error?.message, 'string', `${m} ${p}: error.message`);
      }
    }
  });

  test('a session cookie that was never issued is no session', async () => {
    const res = await rawRequest('GET', '/api/v1/me', { headers: { cookie: 'jouda_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    assert.equal(res.status, 401);
    const page = await rawRequest('GET', '/', { headers: { cookie: 'jouda_session=forged' } });
    assert.equal(page.status, 303);
  });

  test('unknown API path and wrong method', async () => {
    const token = tokenFor('directrice.casa@amal.ma');
    const res = await api('GET', '/api/v1/no-such-thing', undefined, { token });
    assert.equal(res.status, 404, show(res));
    assert.match(res.headers['content-type'], /^application\/json/);
    const d = await demo();
    const del = await api('DELETE', `/api/v1/nodes/${d.eps1.id}`, undefined, { token });
    assert.equal(del.status, 405, show(del));
  });
});

describe('paths, methods and JSON bodies', () => {
  test('a NUL in the path (%00) is 400, pages and API, never the path cut there', async () => {
    const d = await demo();
    const token = tokenFor(ADMIN_EMAIL);
    assert.equal((await api('GET', `/api/v1/nodes/${d.eps1.id}`, undefined, { token })).status, 200);
    for (const p of [`/api/v1/nodes/${d.eps1.id}%00`, `/api/v1/nodes/${d.eps1.id}%00.json`, '/api/v1/me%00', '/api/v1%00/nodes']) {
      const res = await api('GET', p, undefined, { token });
      assert.equal(res.status, 400, `${p}: ${show(res)}`);
      assert.match(res.headers['content-type'], /^application\/json/, p);
      assert.equal(res.json().error.code, 'bad_request', p);
    }
    const c = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    for (const p of [`/admin/nodes/${d.eps1.id}%00`, '/admin/nodes%00', '/%00', `/static/jouda.css%00.map`]) {
      const res = await c.get(p);
      assert.equal(res.status, 400, `${p}: ${show(res)}`);
      assert.match(res.headers['content-type'], /^text\/html/, p);
      assert.equal(res.text.includes(d.eps1.name), false, `${p} shows nothing of the node`);
    }
    const post = await c.post(`/admin/nodes/${d.eps1.id}%00/disable`, {});
    assert.equal(post.status, 400, show(post));
    // "%2500" is the three characters "%00": no such node
    const lit = await api('GET', `/api/v1/nodes/${d.eps1.id}%2500`, undefined, { token });
    assert.equal(lit.status, 404, show(lit));
  });

  test('405 says in Allow which methods the path accepts (HEAD with GET), pages and API', async () => {
    const d = await demo();
    const token = tokenFor(ADMIN_EMAIL);
    const cases = [
      ['DELETE', `/api/v1/nodes/${d.eps1.id}`, 'GET, HEAD, PATCH'],
      ['PUT', '/api/v1/nodes', 'GET, HEAD, POST'],
      ['GET', `/api/v1/users/${d.user('mere.fatima').id}/roles`, 'POST'],
      ['POST', '/api/v1/me', 'GET, HEAD'],
      ['DELETE', '/admin/nodes', 'GET, HEAD, POST'],
      ['PATCH', '/login', 'GET, HEAD, POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['OPTIONS', `/admin/nodes/${d.eps1.id}`, 'GET, HEAD, POST'],
    ];
    const sorted = (v) => (v || '').split(',').map((x) => x.trim()).filter(Boolean).sort().join(', ');
    for (const [method, path, allow] of cases) {
      const res = await api(method, path, undefined, { token });
      assert.equal(res.status, 405, `${method} ${path}: ${show(res)}`);
      assert.equal(sorted(res.headers.allow), sorted(allow), `${method} ${path}: Allow`);
    }
    const page = await rawRequest('DELETE', '/admin/users');
    assert.equal(page.status, 405, show(page));
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.equal(sorted(page.headers.allow), 'GET, HEAD, POST');
    const missing = await rawRequest('DELETE', '/no/such/page');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.allow, undefined);
  });

  test('every JSON route answers 400 to a body that is JSON but no object (docs/API.md)', async () => {
    const d = await demo();
    const token = tokenFor(ADMIN_EMAIL);
    const fatima = d.user('mere.fatima');
    const notes = await api('GET', '/api/v1/notifications', undefined, { token });
    assert.equal(notes.status, 200, show(notes));
    const note = notes.json().items[0];
    assert.ok(note, 'the platform administrator has a notification in the demo');
    const routes = [
      ['POST', '/api/v1/nodes'],
      ['PATCH', `/api/v1/nodes/${d.eps1.id}`],
      ['POST', '/api/v1/users'],
      ['PATCH', `/api/v1/users/${fatima.id}`],
      ['POST', `/api/v1/users/${fatima.id}/roles`],
      ['POST', '/api/v1/notifications/read-all'],
      ['POST', `/api/v1/notifications/${note.id}/read`],
    ];
    for (const [method, path] of routes) {
      for (const body of ['[]', '[{"name": "x"}]', '[1, 2]']) {
        const res = await api(method, path, body, { token });
        assert.equal(res.status, 400, `${method} ${path} ${body}: ${show(res)}`);
        assert.equal(res.json().error.code, 'bad_request', `${method} ${path}`);
      }
    }
    // a body is needed where the route creates or changes something
    for (const [method, path] of routes.slice(0, 5)) {
      const res = await api(method, path, '', { token });
      assert.equal(res.status, 400, `${method} ${path} without a body: ${show(res)}`);
    }
    // nothing was marked read
    const after = await api('GET', '/api/v1/notifications', undefined, { token });
    assert.equal(after.json().unread, notes.json().unread);
  });
});
