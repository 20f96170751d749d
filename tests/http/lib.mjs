// lib.mjs - helpers for the HTTP tests: a client keeping its own cookies
// (one per signed-in user), login through the real form with its CSRF token,
// JSON API calls with a bearer token or a session, API tokens made with the
// command line, and the demo data looked up through the root admin's API;
// the translations of po/*.po, SQL on the test database for states no route
// produces, and scopeCheck, the scope test every module's routes go through
// (with the demo logins of fixture.mjs).
// Redirects are never followed: tests assert status codes exactly.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export const BASE = (process.env.JOUDA_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const ENGINE = process.env.JOUDA_ENGINE || 'sqlite';
/** This run's own name (engine and build) for the files the tests write:
 *  the release and ASan runs of an engine go side by side. */
export const RUN_NAME = `${ENGINE}-${process.env.JOUDA_VARIANT || 'rel'}`;
export const BIN = process.env.JOUDA_BIN || './jouda';
export const DB_URL = process.env.JOUDA_DB_URL || 'var/jouda.db';
export const DEMO_PASSWORD = 'Jouda-demo-2026';
export const ADMIN_EMAIL = 'admin@jouda.ma';
export const ADMIN_PASSWORD = process.env.JOUDA_ADMIN_PASSWORD || 'Jouda-admin-2026';

/** A short unique suffix for names created by a test (tests share one database). */
export function uniq(prefix = 't') {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** One HTTP exchange. Body: Buffer | string | undefined. Returns
 *  {status, headers, body (Buffer, gunzipped), text, rawLength, json()}.
 *  base: another server than BASE (http: or https:); local: more options of
 *  the request (localAddress, ca, servername...). */
export function rawRequest(method, path, { headers = {}, body, base = BASE, local = {} } = {}) {
  const url = new URL(path, base);
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(String(body));
  const hdrs = { ...headers };
  if (data !== undefined && hdrs['content-length'] === undefined) hdrs['content-length'] = String(data.length);
  return new Promise((resolve, reject) => {
    let done = false;
    const req = (url.protocol === 'https:' ? https : http).request(
      { ...local, method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers: hdrs, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', (e) => { if (!done) { done = true; reject(e); } });
        res.on('end', () => {
          if (!req.writableEnded) req.destroy(); // body never asked for (refused early)
          if (done) return;
          done = true;
          const raw = Buffer.concat(chunks);
          let buf = raw;
          if ((res.headers['content-encoding'] || '').includes('gzip') && raw.length > 0) {
            try { buf = zlib.gunzipSync(raw); } catch (e) { reject(new Error(`bad gzip body from ${method} ${path}: ${e.message}`)); return; }
          }
          const text = buf.toString('utf8');
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: buf,
            rawLength: raw.length,
            text,
            location: res.headers.location,
            json() {
              try { return JSON.parse(text); } catch { throw new Error(`${method} ${path}: not JSON (status ${res.statusCode}): ${text.slice(0, 300)}`); }
            },
          });
        });
      },
    );
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
    // A server refusing a large body may answer and close before reading it:
    // the response still arrives, so write errors are only fatal without one.
    req.on('error', (e) => {
      setTimeout(() => { if (!done) { done = true; reject(e); } }, 200);
    });
    if (data !== undefined && data.length > 512 * 1024 && hdrs.expect === undefined) {
      // large bodies wait for "100 Continue": a server refusing them (413)
      // answers at once instead of reading megabytes first
      req.setHeader('expect', '100-continue');
      req.on('continue', () => req.end(data));
      req.flushHeaders();
    } else if (data !== undefined) req.end(data); else req.end();
  });
}

/** The masked CSRF token carried by a page (hidden _csrf input or meta). */
export function extractCsrf(html) {
  const inputs = html.match(/<input\b[^>]*>/gi) || [];
  for (const tag of inputs) {
    if (/\bname\s*=\s*["']_csrf["']/i.test(tag)) {
      const m = tag.match(/\bvalue\s*=\s*["']([^"']*)["']/i);
      if (m) return decodeEntities(m[1]);
    }
  }
  const meta = html.match(/<meta\b[^>]*name=["']csrf-token["'][^>]*content=["']([^"']+)["']/i);
  return meta ? decodeEntities(meta[1]) : null;
}

export function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The `<html lang dir>` of a page. */
export function htmlLangDir(html) {
  const m = html.match(/<html\b[^>]*>/i);
  if (!m) return { lang: null, dir: null };
  const lang = (m[0].match(/\blang\s*=\s*["']([^"']*)["']/i) || [])[1] || null;
  const dir = (m[0].match(/\bdir\s*=\s*["']([^"']*)["']/i) || [])[1] || null;
  return { lang, dir };
}

/** The fields of the first form whose action matches (a string ending or a
 *  RegExp): inputs (not buttons/files), selects (selected option or first),
 *  textareas. Returns {action, method, enctype, fields: {name: value}}. */
export function parseForm(html, actionMatch) {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  for (const f of forms) {
    const attrs = f[1];
    const action = decodeEntities((attrs.match(/\baction\s*=\s*["']([^"']*)["']/i) || [])[1] || '');
    const ok = actionMatch === undefined ? true
      : actionMatch instanceof RegExp ? actionMatch.test(action) : action.split('?')[0].endsWith(actionMatch);
    if (!ok) continue;
    const body = f[2];
    const fields = {};
    for (const m of body.matchAll(/<input\b([^>]*)>/gi)) {
      const a = m[1];
      const name = (a.match(/\bname\s*=\s*["']([^"']*)["']/i) || [])[1];
      if (!name) continue;
      const type = ((a.match(/\btype\s*=\s*["']([^"']*)["']/i) || [])[1] || 'text').toLowerCase();
      if (['submit', 'button', 'file', 'image', 'reset'].includes(type)) continue;
      const value = decodeEntities((a.match(/\bvalue\s*=\s*["']([^"']*)["']/i) || [])[1] || '');
      if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/i.test(a)) continue;
      fields[name] = value;
    }
    for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = (m[1].match(/\bname\s*=\s*["']([^"']*)["']/i) || [])[1];
      if (!name) continue;
      const opts = [...m[2].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)].map((o) => ({
        value: decodeEntities((o[1].match(/\bvalue\s*=\s*["']([^"']*)["']/i) || [])[1] ?? o[2].trim()),
        selected: /\bselected\b/i.test(o[1]),
        label: decodeEntities(o[2].replace(/<[^>]*>/g, '').trim()),
      }));
      const sel = opts.find((o) => o.selected) || opts[0];
      fields[name] = sel ? sel.value : '';
      fields[`__options_${name}`] = opts;
    }
    for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const name = (m[1].match(/\bname\s*=\s*["']([^"']*)["']/i) || [])[1];
      if (name) fields[name] = decodeEntities(m[2]);
    }
    const method = ((attrs.match(/\bmethod\s*=\s*["']([^"']*)["']/i) || [])[1] || 'get').toUpperCase();
    const enctype = (attrs.match(/\benctype\s*=\s*["']([^"']*)["']/i) || [])[1] || 'application/x-www-form-urlencoded';
    return { action, method, enctype, fields };
  }
  return null;
}

/** The form's fields ready to post (the __options_ helpers removed). */
export function formFields(form) {
  const out = {};
  for (const [k, v] of Object.entries(form.fields)) if (!k.startsWith('__options_')) out[k] = v;
  return out;
}

/** application/x-www-form-urlencoded body from an object (values strings). */
export function urlencode(obj) {
  return Object.entries(obj)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v ?? '')}`)
    .join('&');
}

/** multipart/form-data body: fields {name: value}, files [{field, filename, type, data}]. */
export function multipart(fields = {}, files = []) {
  const boundary = `----jouda${randomBytes(12).toString('hex')}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n`));
    parts.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
    parts.push(Buffer.from('\r\n'));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field || 'file'}"; filename="${f.filename}"\r\nContent-Type: ${f.type || 'application/octet-stream'}\r\n\r\n`));
    parts.push(Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A browser-like client: its own cookie jar and the latest CSRF token seen.
 *  base, local: as rawRequest's; headers: sent with every request. */
export class Client {
  constructor({ lang, base = BASE, local = {}, headers = {} } = {}) {
    this.cookies = new Map();
    this.lastCsrf = null;
    this.acceptLanguage = lang || null;
    this.loginName = null;
    this.base = base;
    this.local = local;
    this.headers = headers;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  session() {
    return this.cookies.get('jouda_session');
  }

  storeCookies(res) {
    for (const sc of res.headers['set-cookie'] || []) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      const expires = attrs.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      const gone = value === '' || (maxAge && parseInt(maxAge.split('=')[1], 10) <= 0) ||
        (expires && Date.parse(expires.slice(8)) < Date.now());
      if (gone) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }

  async request(method, path, { headers = {}, body, type } = {}) {
    const h = { ...this.headers, ...headers };
    const c = this.cookieHeader();
    if (c && h.cookie === undefined) h.cookie = c;
    if (this.acceptLanguage && h['accept-language'] === undefined) h['accept-language'] = this.acceptLanguage;
    if (type) h['content-type'] = type;
    const res = await rawRequest(method, path, { headers: h, body, base: this.base, local: this.local });
    this.storeCookies(res);
    if ((res.headers['content-type'] || '').includes('text/html')) {
      const t = extractCsrf(res.text);
      if (t) this.lastCsrf = t;
    }
    return res;
  }

  get(path, opts = {}) {
    return this.request('GET', path, opts);
  }

  /** POST a form (urlencoded). With csrf: true (default) the latest token is added
   *  as _csrf unless the fields carry one already. */
  async post(path, fields = {}, { csrf = true, headers } = {}) {
    const f = { ...fields };
    if (csrf && f._csrf === undefined) {
      if (!this.lastCsrf) await this.get('/');
      f._csrf = this.lastCsrf;
    }
    return this.request('POST', path, { headers, body: urlencode(f), type: 'application/x-www-form-urlencoded' });
  }

  /** POST multipart (uploads) with the CSRF token as a field. */
  async postMultipart(path, fields = {}, files = [], { csrf = true } = {}) {
    const f = { ...fields };
    if (csrf && f._csrf === undefined) {
      if (!this.lastCsrf) await this.get('/');
      f._csrf = this.lastCsrf;
    }
    const mp = multipart(f, files);
    return this.request('POST', path, { body: mp.body, type: mp.contentType });
  }

  /** The latest masked token, fetching a page that carries one when needed. */
  async csrf(path = '/') {
    if (!this.lastCsrf) await this.get(path);
    return this.lastCsrf;
  }

  /** Sign in through the form. Returns the POST /login response (303 expected). */
  async login(login, password = DEMO_PASSWORD) {
    let page = await this.get('/login');
    if (page.status === 303 && this.session()) {
      // already signed in: /login sends home; sign in again from there
      page = await this.get('/');
    }
    if (page.status !== 200) throw new Error(`GET /login answered ${page.status}`);
    const token = extractCsrf(page.text);
    const form = parseForm(page.text, '/login');
    const fields = form ? formFields(form) : {};
    const loginField = form && Object.keys(form.fields).find((k) => /^(login|email|username|identifier)$/.test(k));
    const passField = form && Object.keys(form.fields).find((k) => /pass/.test(k));
    delete fields[loginField || 'login'];
    fields[loginField || 'login'] = login;
    fields[passField || 'password'] = password;
    fields._csrf = token;
    const res = await this.post('/login', fields, { csrf: false });
    if (res.status === 303) {
      this.loginName = login;
      this.lastCsrf = null;
    }
    return res;
  }

  async logout() {
    const res = await this.post('/logout', {});
    return res;
  }

  /** JSON API call with this session (CSRF header on writes). */
  async api(method, path, body, { headers = {}, csrf = true } = {}) {
    const h = { accept: 'application/json', ...headers };
    if (method !== 'GET' && csrf && h['x-csrf-token'] === undefined) h['x-csrf-token'] = await this.csrf();
    return this.request(method, path, {
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      type: body === undefined ? undefined : headers['content-type'] || 'application/json',
    });
  }
}

/** Sign in a new client; throws unless the login redirects (303). */
export async function signIn(login, password = DEMO_PASSWORD, opts = {}) {
  const c = new Client(opts);
  const res = await c.login(login, password);
  if (res.status !== 303) throw new Error(`login of ${login} answered ${res.status}, not 303: ${res.text.slice(0, 200)}`);
  await c.get('/');
  return c;
}

const tokens = new Map();
/** An API bearer token for a user, made with `jouda token create` (cached). */
export function tokenFor(login) {
  if (tokens.has(login)) return tokens.get(login);
  const out = execFileSync(BIN, ['token', 'create', '--db', DB_URL, '--user', login], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60000,
  });
  const lines = out.trim().split('\n');
  const token = lines[lines.length - 1].trim();
  if (!token || /\s/.test(token)) throw new Error(`token create for ${login} printed: ${out}`);
  tokens.set(login, token);
  return token;
}

/** JSON API call with a bearer token: api('POST', '/api/v1/nodes', {...}, {token}).
 *  body: object (sent as JSON), string/Buffer (sent as is with opts.type). */
export async function api(method, path, body, { token, client, type, headers = {} } = {}) {
  if (client) return client.api(method, path, body, { headers: type ? { ...headers, 'content-type': type } : headers });
  const h = { accept: 'application/json', ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let data;
  if (body !== undefined) {
    data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    h['content-type'] = type || 'application/json';
  }
  return rawRequest(method, path, { headers: h, body: data });
}

/** Every item of a paged list ({items,total}), following offset. */
export async function listAll(path, opts, pageSize = 100) {
  const items = [];
  let total = null;
  for (let offset = 0; offset < 100000; offset += pageSize) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', `${path}${sep}limit=${pageSize}&offset=${offset}`, undefined, opts);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    const j = res.json();
    if (!Array.isArray(j.items) || typeof j.total !== 'number') throw new Error(`GET ${path}: not {items,total}: ${res.text.slice(0, 300)}`);
    total = j.total;
    items.push(...j.items);
    if (j.items.length < pageSize || items.length >= total) break;
  }
  return { items, total };
}

let demoCache = null;
/** The demo as the root admin sees it: nodes and users, and named handles. */
export async function demo() {
  if (demoCache) return demoCache;
  const token = tokenFor(ADMIN_EMAIL);
  const nodes = (await listAll('/api/v1/nodes', { token })).items;
  const users = (await listAll('/api/v1/users', { token })).items;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const find = (kind, re) => {
    const n = nodes.find((x) => x.kind === kind && re.test(x.name));
    if (!n) throw new Error(`demo: no ${kind} named like ${re}`);
    return n;
  };
  // in the API an association has no parent_id: it hangs from the root
  const rootNode = nodes.find((n) => n.kind === 'root');
  const parentOf = (n) => (n.parent_id == null && n.kind === 'association' && rootNode ? rootNode.id : n.parent_id);
  const children = (id) => nodes.filter((n) => n.kind !== 'root' && parentOf(n) === id);
  const subtree = (id) => {
    const out = [];
    const walk = (x) => { out.push(x); for (const c of children(x.id)) walk(c); };
    walk(byId.get(id));
    return out;
  };
  const user = (login) => {
    const l = login.toLowerCase();
    const u = users.find((x) => (x.email && x.email.toLowerCase() === l) || (x.username && x.username.toLowerCase() === l));
    if (!u) throw new Error(`demo: no user ${login}`);
    return u;
  };
  const assoc1 = find('association', /Amal/);
  const assoc2 = find('association', /Nour/);
  const eps1 = find('eps', /Casablanca/);
  const eps2 = find('eps', /Dar Bouazza/);
  const eps3 = find('eps', /Tanger/);
  const nour = find('eps', /Nour/);
  demoCache = {
    nodes, users, byId, children, subtree, user, find, parentOf,
    root: rootNode,
    assoc1, assoc2, eps1, eps2, eps3, nour,
    maison1: children(eps1.id).find((n) => /^Maison 1$/.test(n.name)),
  };
  return demoCache;
}

/** A small valid PDF. */
export function smallPdf(text = 'Jouda test') {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n` +
    `3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

/** The bytes of a zip archive: entries [{name, data, store?, encrypted?,
 *  declaredSize?}], in order. Entries are deflated unless store; encrypted
 *  only sets the flag that says so (the bytes stay readable); declaredSize
 *  is the size once unpacked the archive claims (a zip bomb's lie), with
 *  data then taken as already deflated. */
export function zipArchive(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
    const method = e.store ? 0 : 8;
    const body = e.declaredSize !== undefined ? raw : e.store ? raw : zlib.deflateRawSync(raw);
    const crc = e.declaredSize !== undefined ? 0 : zlib.crc32(raw);
    const size = e.declaredSize ?? raw.length;
    const name = Buffer.from(e.name);
    const flags = 0x0800 | (e.encrypted ? 1 : 0); // UTF-8 names
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10); // time and date
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const DOCX_TYPES = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

/** The parts of a minimal Word document (add more to them for a variant). */
export function docxParts(text = 'Projet') {
  return [
    { name: '[Content_Types].xml', data: DOCX_TYPES },
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>' },
    { name: 'word/document.xml', data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>` },
  ];
}

/** The parts of a minimal OpenDocument text. */
export function odtParts() {
  return [
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', store: true },
    { name: 'META-INF/manifest.xml', data: '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>' },
    { name: 'content.xml', data: '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"><office:body/></office:document-content>' },
  ];
}

/** The ids of the nodes an organisation tree page (/admin/nodes) shows, in order. */
export function treeIds(html) {
  return [...html.matchAll(/<li id="n(\d+)"/g)].map((m) => Number(m[1]));
}

/** The links that open or close a level of the tree: [{id, href, open}]
 *  (open: the link opens the node; else it closes it). */
export function treeToggles(html) {
  return [...html.matchAll(/<a class="tree__toggle" href="([^"]*)" data-tree-toggle="n(\d+)" aria-expanded="(true|false)"/g)]
    .map((m) => ({ href: decodeEntities(m[1]), id: Number(m[2]), open: m[3] === 'false' }));
}

/** The pager of a page: {text, prev, next} (hrefs decoded, null when absent), or null. */
export function pagerOf(html) {
  const nav = html.match(/<nav class="pager"[\s\S]*?<\/nav>/);
  if (!nav) return null;
  const href = (rel) => {
    const m = nav[0].match(new RegExp(`<a href="([^"]*)" rel="${rel}"`));
    return m ? decodeEntities(m[1]) : null;
  };
  const text = nav[0].match(/<span class="pager__text">([^<]*)<\/span>/);
  return { text: text ? decodeEntities(text[1]) : '', prev: href('prev'), next: href('next') };
}

/** A readable summary of a response for assertion messages. */
export function show(res) {
  return `${res.status} ${res.headers['content-type'] || ''} ${res.location ? `-> ${res.location} ` : ''}${res.text.slice(0, 400).replace(/\s+/g, ' ')}`;
}

/* ------------------------------------------------------------ translations */

const catalogues = new Map();
function poString(s) {
  const m = s.trim().match(/^"((?:[^"\\]|\\.)*)"$/);
  if (!m) throw new Error(`po: not a string: ${s}`);
  return m[1].replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' }[c] ?? c));
}
function parsePo(text) {
  const map = new Map();
  let cur = null;
  let field = null;
  const flush = () => { if (cur && cur.msgid && cur.msgstr) map.set(cur.msgid, cur.msgstr); };
  for (const line of text.split('\n')) {
    if (line.startsWith('msgid ')) {
      flush();
      cur = { msgid: poString(line.slice(6)), msgstr: '' };
      field = 'msgid';
    } else if (line.startsWith('msgid_plural ')) {
      field = null;
    } else if (line.startsWith('msgstr ') || line.startsWith('msgstr[0] ')) {
      cur.msgstr = poString(line.slice(line.indexOf(' ') + 1));
      field = 'msgstr';
    } else if (line.startsWith('msgstr[')) {
      field = null;
    } else if (line.startsWith('"') && cur && field) {
      cur[field] += poString(line);
    }
  }
  flush();
  return map;
}

/** The translation of msgid in po/<lang>.po (the singular of a plural entry),
 *  as the server shows it. Throws when the catalogue has none. */
export function translation(lang, msgid) {
  if (!catalogues.has(lang)) {
    catalogues.set(lang, parsePo(readFileSync(new URL(`../../po/${lang}.po`, import.meta.url), 'utf8')));
  }
  const s = catalogues.get(lang).get(msgid);
  if (!s) throw new Error(`po/${lang}.po has no translation of "${msgid}"`);
  return s;
}

/** msgid translated, its %s replaced in order by args. */
export function translated(lang, msgid, ...args) {
  let i = 0;
  return translation(lang, msgid).replace(/%s/g, () => String(args[i++] ?? ''));
}

/* ---------------------------------------------------------- the database */

/** Runs one SQL statement on the test database with the engine's own client
 *  (sqlite3 or psql); for states that no route or command produces. */
export function dbExec(sql) {
  const args = ENGINE === 'postgresql'
    ? ['psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', DB_URL, '-c', sql]]
    : ['sqlite3', ['-bail', '-cmd', '.timeout 10000', DB_URL, sql]];
  return execFileSync(args[0], args[1], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
}

/** The first column of the first row a query gives on the test database, as
 *  text ('' when there is no row): for what no route shows. */
export function dbValue(sql) {
  const args = ENGINE === 'postgresql'
    ? ['psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', DB_URL, '-c', sql]]
    : ['sqlite3', ['-bail', '-cmd', '.timeout 10000', DB_URL, sql]];
  const out = execFileSync(args[0], args[1], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  return (out.trim().split('\n')[0] || '').split('|')[0].trim();
}

/** The first year after every projet period in the test database (2100 at
 *  the earliest): test files run one after another on one database, so the
 *  periods a file takes from there overlap no other file's projets. */
export function freeProjectYear() {
  const last = Number(dbValue('SELECT MAX(period_end) FROM projects').slice(0, 4)) || 0;
  return Math.max(2100, last + 1);
}

/** A new API token (not cached) made with `jouda token create --label`. */
export function newToken(login, label) {
  const out = execFileSync(BIN, ['token', 'create', '--db', DB_URL, '--user', login, '--label', label], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60000,
  });
  const token = out.trim().split('\n').pop().trim();
  if (!token || /\s/.test(token)) throw new Error(`token create for ${login} printed: ${out}`);
  return token;
}

/* ------------------------------------------------------------------ scope */

const statusList = (v, ...args) => {
  const s = typeof v === 'function' ? v(...args) : v;
  return Array.isArray(s) ? s : [s];
};

/** Tries one actor on every route that takes an id, and says what did not
 *  answer as it should. The pattern every module's scope tests follow:
 *
 *  scopeCheck({ actor, routes, inside, outside })
 *   actor   a demo login as fixture.mjs demoActor() describes it (can, anywhere)
 *   routes  [{ kind, perm, label, read, call(obj) -> Promise<response>,
 *              outside?: statuses | (obj, actor) => statuses   (default 404),
 *              ok?: statuses | (obj) => statuses   (a permitted read; default 200),
 *              verify?(res, obj) -> message | null   (what a permitted read shows) }]
 *            kind names the objects the route takes ('node', 'user', ...);
 *            perm is a fixture.mjs permission or 'authenticated';
 *            read: true when the route changes nothing.
 *   inside  [{ kind, id, node, label }]: objects in the actor's scope (node: the
 *            node the object belongs to)
 *   outside [{ kind, id, label, absent? }]: objects outside it (absent: an id
 *            that does not exist, which must look the same)
 *
 *  Outside, every route answers 404, as if the object did not exist. Inside,
 *  a route needing a permission the actor lacks at the object's node answers
 *  403; a permitted read answers 200 and shows the object (verify); a
 *  permitted write is not tried (the data must not change).
 *  Throws unless some existing objects are inside and outside, and every route
 *  was tried at least once. Returns {wrong: the wrong answers (empty: all
 *  good), inside: requests made inside the scope, outside: requests outside,
 *  read: the kinds of which an object inside was read (200)}. */
export async function scopeCheck({ actor, routes, inside, outside }) {
  if (!inside.length) throw new Error(`${actor.login}: no object inside the scope to try`);
  if (!outside.some((o) => !o.absent)) throw new Error(`${actor.login}: no existing object outside the scope to try`);
  const wrong = [];
  const tried = new Set();
  const count = { inside: 0, outside: 0 };
  const read = new Set();
  const attempt = async (route, obj, want, where) => {
    tried.add(route);
    count[obj.where]++;
    const label = `${route.label} on ${obj.kind} ${obj.id}${obj.label ? ` (${obj.label})` : ''}, ${where}`;
    let res;
    try {
      res = await route.call(obj);
    } catch (e) {
      wrong.push(`${label}: ${e.message}`);
      return;
    }
    if (!want.includes(res.status)) {
      wrong.push(`${label}: want ${want.join('|')}, got ${res.status} ${res.text.slice(0, 120).replace(/\s+/g, ' ')}`);
      return;
    }
    if (res.status === 200 && route.verify) {
      const why = route.verify(res, obj);
      if (why) {
        wrong.push(`${label}: ${why}`);
        return;
      }
    }
    if (res.status === 200 && obj.where === 'inside') read.add(obj.kind);
  };
  for (const o of outside) {
    const obj = { ...o, where: 'outside' };
    for (const route of routes.filter((r) => r.kind === obj.kind)) {
      await attempt(route, obj, statusList(route.outside ?? 404, obj, actor), 'outside the scope');
    }
  }
  for (const o of inside) {
    const obj = { ...o, where: 'inside' };
    for (const route of routes.filter((r) => r.kind === obj.kind)) {
      if (!actor.can(route.perm, obj.node)) {
        await attempt(route, obj, [403], `in scope without ${route.perm}`);
      } else if (route.read) {
        await attempt(route, obj, statusList(route.ok ?? 200, obj), `in scope with ${route.perm}`);
      }
    }
  }
  const never = routes.filter((r) => !tried.has(r)).map((r) => r.label);
  if (never.length) throw new Error(`${actor.login}: routes never tried: ${never.join(', ')}`);
  return { wrong, ...count, read: [...read].sort() };
}
