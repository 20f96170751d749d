// transport.test.mjs - what happens before the application: slow clients
// dropped within bounded times while others are served, X-Forwarded-* believed
// only from the trusted proxy's exact address, Strict-Transport-Security only
// over the trusted https path, log lines that always split into the same
// fields, and one whole flow through nginx running docs/nginx.conf itself
// (TLS with a certificate made here, Secure cookies, HSTS, an upload, the
// address nginx saw in the audit log).
// The server under test (JOUDA_URL) trusts no proxy; the tests start a second
// one on the same database with --trust-proxy 127.0.0.1 and read its log.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  BASE, BIN, DB_URL, ADMIN_EMAIL, Client, rawRequest, api, tokenFor, demo, show, smallPdf, uniq,
} from './lib.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = 'directrice.casa@amal.ma';
const HSTS = 'max-age=31536000; includeSubDomains';
const HEAD_LIMIT_MS = 10000; // HTTP_HEAD_TIMEOUT_S, HTTP_BODY_TIMEOUT_S
const DROP_BY_MS = 13000;    // the limit, the watch's tick and some slack
const GIVE_UP_MS = 18000;    // a connection still open then was never dropped
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
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

/** `jouda serve` on the test database with extra arguments; its standard
 *  error is kept (log()) and it is stopped with SIGTERM (stop() -> exit code). */
async function startJouda(args) {
  const proc = spawn(BIN, ['serve', '--db', DB_URL, '--listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, JOUDA_SHARE_DIR: ROOT, JOUDA_STRICT_TEMPLATES: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal)));
  const port = await new Promise((resolve, reject) => {
    const t0 = Date.now();
    const iv = setInterval(() => {
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearInterval(iv); resolve(Number(m[1])); }
      else if (proc.exitCode !== null || Date.now() - t0 > 60000) {
        clearInterval(iv);
        proc.kill('SIGKILL');
        reject(new Error(`jouda serve ${args.join(' ')} did not start (exit ${proc.exitCode}): ${err.slice(-1500)}`));
      }
    }, 50);
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** A raw connection that sends `first`, then `drip` every `every` ms; resolves
 *  when the server closes it: {ms: how long it stayed open, data: what came}. */
function slowSocket({ port, first, drip, every = 1500, localAddress }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let data = '';
    let timer = null;
    let iv = null;
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      if (first) s.write(first);
      if (drip) iv = setInterval(() => { if (!s.destroyed) s.write(drip); }, every);
    });
    s.on('data', (d) => { data += d; });
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(iv);
      clearTimeout(timer);
      resolve({ ms: Date.now() - t0, data });
    });
    timer = setTimeout(() => s.destroy(), GIVE_UP_MS); // resolves with ms >= GIVE_UP_MS
  });
}

/** One request on a raw connection (paths node would refuse to send). */
function rawExchange(port, text) {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(text));
    s.setTimeout(10000, () => s.destroy(new Error('no answer')));
    s.on('data', (d) => { data += d; });
    s.on('error', reject);
    s.on('close', () => resolve(data));
  });
}

/** The newest login rows of the audit log (read by the root admin). */
async function loginRows() {
  const res = await api('GET', '/api/v1/audit?action=login&limit=100', undefined, { token: tokenFor(ADMIN_EMAIL) });
  assert.equal(res.status, 200, show(res));
  return res.json().items;
}

const docIp = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
const hasSecure = (res, name) => (res.headers['set-cookie'] || [])
  .filter((c) => c.startsWith(`${name}=`))
  .map((c) => c.split(';').map((a) => a.trim().toLowerCase()).includes('secure'));

let proxied; // the second server, trusting 127.0.0.1
before(async () => { proxied = await startJouda(['--trust-proxy', '127.0.0.1']); });
after(async () => {
  if (!proxied) return;
  const code = await proxied.stop();
  assert.equal(code, 0, `the --trust-proxy server stopped with ${code}: ${proxied.log().slice(-1500)}`);
  assert.doesNotMatch(proxied.log(), /ERROR: (Address|Leak)Sanitizer|runtime error:/);
});

describe('slow clients', () => {
  let slow;
  // All at once, so that the file waits for the limit once: three clients
  // that never finish their head (silent, stuck, one byte every 1.5 s) on the
  // server under test, one that sends its body a byte every 1.5 s on the second.
  const slowClients = () => {
    if (!slow) {
      const port = Number(new URL(BASE).port);
      slow = Promise.all([
        slowSocket({ port }),
        slowSocket({ port, first: 'GET / HTTP/1.1\r\nHost: jouda\r\n' }),
        slowSocket({ port, first: 'GET / HTTP/1.1\r\nHost: jouda\r\nX-Slow: ', drip: 'a' }),
        slowSocket({
          port: proxied.port,
          first: 'POST /login HTTP/1.1\r\nHost: jouda\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
            'Content-Length: 1000\r\n\r\nlogin=',
          drip: 'a',
        }),
      ]);
    }
    return slow;
  };

  test('a client that never finishes its request head is dropped within ~10 s; others are served meanwhile', async () => {
    const pending = slowClients();
    await sleep(1000);
    const t0 = Date.now();
    const ok = await rawRequest('GET', '/healthz');
    assert.equal(ok.status, 200, show(ok));
    assert.ok(Date.now() - t0 < 3000, 'a normal request is answered at once');
    const [silent, stuck, dribbling] = await pending;
    for (const [name, r] of [['silent', silent], ['stuck in its head', stuck], ['dribbling its head', dribbling]]) {
      assert.ok(r.ms < DROP_BY_MS, `the ${name} client was still connected after ${r.ms} ms`);
      assert.equal(r.data, '', `nothing is answered to the ${name} client`);
    }
    // the byte every 1.5 s kept it alive past the idle timeout's reach: the
    // limit counts from the start of the head
    assert.ok(dribbling.ms >= HEAD_LIMIT_MS - 1000, `dropped after ${dribbling.ms} ms only`);
    const again = await rawRequest('GET', '/healthz');
    assert.equal(again.status, 200);
  });

  test('a body that comes a byte at a time is dropped within a bounded time (logged 408)', async () => {
    const [, , , body] = await slowClients();
    assert.ok(body.ms < DROP_BY_MS, `still connected after ${body.ms} ms`);
    assert.ok(body.ms >= HEAD_LIMIT_MS - 1000, `dropped after ${body.ms} ms only`);
    assert.equal(body.data, '');
    for (let i = 0; i < 40 && !/ POST \/login 408 \d+ms$/m.test(proxied.log()); i++) await sleep(50);
    assert.match(proxied.log(), / info POST \/login 408 \d+ms$/m);
  });
});

describe('the trusted proxy', () => {
  test('X-Forwarded-For is believed from the proxy\'s exact address only', async () => {
    const uid = (await demo()).user(DIR).id;
    const since = Date.now() - 2000;
    const viaProxy = docIp();
    const fromElsewhere = docIp();
    const untrusted = docIp();
    // from 127.0.0.1, the trusted address
    const a = new Client({ base: proxied.url, headers: { 'x-forwarded-for': `198.51.100.1, ${viaProxy}` } });
    assert.equal((await a.login(DIR)).status, 303);
    // from 127.0.0.2: in 127.0.0.0/8, but not the proxy
    const b = new Client({ base: proxied.url, local: { localAddress: '127.0.0.2' }, headers: { 'x-forwarded-for': fromElsewhere } });
    assert.equal((await b.login(DIR)).status, 303);
    // the server under test trusts nobody
    const c = new Client({ headers: { 'x-forwarded-for': untrusted } });
    assert.equal((await c.login(DIR)).status, 303);

    const rows = (await loginRows()).filter((r) => r.actor_id === uid && Date.parse(r.at) >= since);
    const ips = rows.map((r) => r.ip);
    assert.ok(ips.includes(viaProxy), `the last X-Forwarded-For entry from the proxy is recorded: ${ips}`);
    assert.ok(!ips.includes('198.51.100.1'), 'not the entries the client wrote itself');
    assert.ok(ips.includes('127.0.0.2'), `the peer's own address from 127.0.0.2: ${ips}`);
    assert.ok(!ips.includes(fromElsewhere), 'X-Forwarded-For from 127.0.0.2 is ignored');
    assert.ok(!ips.includes(untrusted), 'X-Forwarded-For without --trust-proxy is ignored');
  });

  test('Strict-Transport-Security and Secure cookies only over the trusted https path', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const trusted = await rawRequest('GET', '/login', { base: proxied.url, headers: https });
    assert.equal(trusted.status, 200, show(trusted));
    assert.equal(trusted.headers['strict-transport-security'], HSTS);
    assert.deepEqual(hasSecure(trusted, 'jouda_csrf'), [true]);

    const cases = [
      ['plain HTTP from the proxy', { base: proxied.url }],
      ['X-Forwarded-Proto: http from the proxy', { base: proxied.url, headers: { 'x-forwarded-proto': 'http' } }],
      ['https claimed from 127.0.0.2', { base: proxied.url, headers: https, local: { localAddress: '127.0.0.2' } }],
      ['https claimed to a server trusting no proxy', { headers: https }],
    ];
    for (const [what, opts] of cases) {
      const res = await rawRequest('GET', '/login', opts);
      assert.equal(res.status, 200, `${what}: ${show(res)}`);
      assert.equal(res.headers['strict-transport-security'], undefined, `${what}: no HSTS`);
      assert.deepEqual(hasSecure(res, 'jouda_csrf'), [false], `${what}: no Secure cookie`);
    }
  });
});

describe('the log', () => {
  test('a path with spaces, quotes and controls stays one field: METHOD PATH STATUS MSms', async () => {
    const odd = '/no such"place\'s\\x';
    const encoded = '/no%20such%22place%27s%5Cx';
    const answer = await rawExchange(proxied.port, `GET ${encoded} HTTP/1.1\r\nHost: jouda\r\nConnection: close\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 404 /);
    const raw = await rawExchange(proxied.port, 'GET /raw"quote\x01 HTTP/1.1\r\nHost: jouda\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 404 /);
    const line = (re) => proxied.log().split('\n').find((l) => re.test(l));
    for (let i = 0; i < 40 && !(line(/ GET \/no/) && line(/ GET \/raw/)); i++) await sleep(50);

    const fields = (l) => {
      const m = l && l.match(/^(\S+) info (.*)$/);
      assert.ok(m, `a log line: ${l}`);
      return m[2].split(' ');
    };
    const f = fields(line(/ GET \/no/));
    assert.equal(f.length, 4, `4 fields: ${f.join(' | ')}`);
    assert.deepEqual(f.slice(0, 3), ['GET', encoded, '404']);
    assert.match(f[3], /^\d+ms$/);
    assert.equal(decodeURIComponent(f[1]), odd, 'the logged path decodes back to the path');
    assert.deepEqual(fields(line(/ GET \/raw/)).slice(0, 3), ['GET', '/raw%22quote%01', '404']);

    // every request line of this server parses the same way
    const requests = proxied.log().split('\n').filter((l) => / info [A-Z]+ \//.test(l));
    assert.ok(requests.length >= 5, 'the requests of this file are logged');
    for (const l of requests) {
      assert.match(l, /^\S+ info [A-Z]+ \/\S* \d{3} \d+ms$/, `parses: ${l}`);
    }
  });
});

describe('through nginx with docs/nginx.conf', () => {
  let dir;
  let nginx;
  let nginxErr = '';
  let tlsUrl;
  let plainUrl;
  let ca;

  before(async () => {
    const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) || 'nginx';
    dir = mkdtempSync(join(tmpdir(), 'jouda-nginx-'));
    chmodSync(dir, 0o755); // nginx's workers may run as another user (started by root)
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=jouda.example.ma', '-addext', 'subjectAltName=DNS:jouda.example.ma,IP:127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    ca = readFileSync(join(dir, 'cert.pem'));
    const [tlsPort, plainPort] = [await freePort(), await freePort()];

    // docs/nginx.conf with this machine's ports, certificate and log paths:
    // each text replaced must be there, so that the sample cannot drift away
    let site = readFileSync(join(ROOT, 'docs/nginx.conf'), 'utf8');
    const subs = [
      ['listen 443 ssl', `listen 127.0.0.1:${tlsPort} ssl`],
      ['listen 80;', `listen 127.0.0.1:${plainPort};`],
      ['/etc/ssl/jouda/fullchain.pem', join(dir, 'cert.pem')],
      ['/etc/ssl/jouda/privkey.pem', join(dir, 'key.pem')],
      ['server 127.0.0.1:8080;', `server 127.0.0.1:${proxied.port};`],
      ['/var/log/nginx/', `${dir}/`],
    ];
    for (const [from, to] of subs) {
      assert.ok(site.includes(from), `docs/nginx.conf has "${from}"`);
      site = site.split(from).join(to);
    }
    site = site.split('\n').filter((l) => !/^\s*listen \[::\]/.test(l)).join('\n'); // IPv4 loopback only here
    writeFileSync(join(dir, 'jouda.conf'), site);
    // what /etc/nginx/nginx.conf gives a site on Debian, in this directory
    writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/jouda.conf;
}
`);
    nginx = spawn(nginxBin, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout.on('data', (d) => { nginxErr += d; });
    nginx.stderr.on('data', (d) => { nginxErr += d; });
    nginx.on('error', (e) => { nginxErr += `${e.message}\n`; });
    tlsUrl = `https://127.0.0.1:${tlsPort}`;
    plainUrl = `http://127.0.0.1:${plainPort}`;
    for (let i = 0; ; i++) {
      const up = await new Promise((resolve) => {
        const s = net.connect({ port: tlsPort, host: '127.0.0.1' }, () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      if (nginx.exitCode !== null || i > 200) {
        throw new Error(`nginx (${nginxBin}) did not start with docs/nginx.conf: ${nginxErr} ${log}`.slice(0, 3000));
      }
      await sleep(50);
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const gone = new Promise((resolve) => nginx.on('exit', resolve));
      nginx.kill('SIGTERM');
      await Promise.race([gone, sleep(5000)]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('sign in, a page, API calls and an upload over TLS; HSTS, Secure cookies, the address nginx saw', async () => {
    const d = await demo();
    const uid = d.user(DIR).id;
    const since = Date.now() - 2000;
    // a browser on 127.0.0.2: nginx sees that address, Jouda sees nginx's
    const c = new Client({ base: tlsUrl, local: { ca, localAddress: '127.0.0.2' } });
    const page = await c.get('/login');
    assert.equal(page.status, 200, show(page));
    assert.equal(page.headers['strict-transport-security'], HSTS, 'one HSTS header');
    assert.deepEqual(hasSecure(page, 'jouda_csrf'), [true]);

    const login = await c.login(DIR);
    assert.equal(login.status, 303, show(login));
    assert.deepEqual(hasSecure(login, 'jouda_session'), [true], 'the session cookie is Secure');
    assert.equal(login.headers['strict-transport-security'], HSTS);

    const home = await c.get('/');
    assert.equal(home.status, 200, show(home));
    assert.match(home.headers['content-type'], /^text\/html/);
    assert.equal(home.headers['strict-transport-security'], HSTS);

    const me = await c.api('GET', '/api/v1/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.json().email, DIR);

    // an upload over nginx's default 1 MiB, buffered by nginx before Jouda sees it
    const name = `${uniq('proxied')}.pdf`;
    await c.get(`/admin/nodes/${d.eps1.id}`);
    const up = await c.postMultipart(`/admin/nodes/${d.eps1.id}/documents`, {}, [
      { field: 'file', filename: name, type: 'application/pdf', data: smallPdf('x'.repeat(3 * 1024 * 1024)) },
    ]);
    assert.equal(up.status, 303, show(up));
    const list = await c.api('GET', `/api/v1/nodes/${d.eps1.id}/attachments`);
    assert.equal(list.status, 200, show(list));
    const items = list.json().items || list.json();
    assert.ok(items.some((x) => x.filename === name || x.name === name), `uploaded: ${JSON.stringify(items).slice(0, 300)}`);

    // over Jouda's 10 MiB: nginx refuses it itself, with HSTS
    const big = await rawRequest('POST', `/api/v1/nodes/${d.eps1.id}/attachments`, {
      base: tlsUrl, local: { ca }, body: Buffer.alloc(10 * 1024 * 1024 + 1024, 0x61),
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    assert.equal(big.status, 413, show(big));
    assert.equal(big.headers['strict-transport-security'], HSTS);

    // the audit log has the address nginx saw, not nginx's own
    const rows = (await loginRows()).filter((r) => r.actor_id === uid && Date.parse(r.at) >= since);
    assert.ok(rows.some((r) => r.ip === '127.0.0.2'), `login from 127.0.0.2: ${rows.map((r) => r.ip)}`);
  });

  test('plain HTTP only redirects to HTTPS, without HSTS', async () => {
    const res = await rawRequest('GET', '/login', { base: plainUrl });
    assert.equal(res.status, 301, show(res));
    assert.match(res.location || '', /^https:\/\//);
    assert.equal(res.headers['strict-transport-security'], undefined);
  });
});
