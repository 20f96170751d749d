/* form.c - hand-written, pure parsers for what a client sends: percent
 * decoding, application/x-www-form-urlencoded, multipart/form-data and the
 * Cookie header, plus the key/value lookups. Every copy lands in the arena,
 * NUL-terminated (binary file data too). Fuzzed by fuzz/fuzz_form.c. */
#include "http.h"

#include <string.h>
#include <strings.h>

#define FORM_MAX_FIELDS 1000
#define MULTIPART_MAX_PARTS 100
#define MULTIPART_MAX_BOUNDARY 70
#define COOKIE_MAX 200

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long http_url_decode(char *dst, const char *src, size_t len, bool plus_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            if (len - i < 3)
                return -1;
            int h = hexval((unsigned char)src[i + 1]), l = hexval((unsigned char)src[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            dst[o++] = (char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_space) {
            dst[o++] = ' ';
        } else {
            dst[o++] = (char)c;
        }
    }
    dst[o] = '\0';
    return (long)o;
}

/* Appends at the tail so the list keeps the order of the input. */
static void kv_append(http_kv_t ***tail, http_kv_t *kv)
{
    **tail = kv;
    *tail = &kv->next;
}

static http_kv_t *kv_new(arena_t *a, const char *key, const char *val, size_t val_len)
{
    http_kv_t *kv = arena_alloc(a, sizeof *kv);
    kv->key = key;
    kv->val = val;
    kv->val_len = val_len;
    return kv;
}

int http_parse_urlencoded(arena_t *a, const char *data, size_t len, http_kv_t **out)
{
    http_kv_t *head = NULL, **tail = &head;
    int n = 0;
    size_t i = 0;
    *out = NULL;
    while (i < len) {
        const char *seg = data + i;
        const char *amp = memchr(seg, '&', len - i);
        size_t slen = amp ? (size_t)(amp - seg) : len - i;
        i += slen + 1;
        if (slen == 0)
            continue; /* "a=1&&b=2" */
        const char *eq = memchr(seg, '=', slen);
        size_t klen = eq ? (size_t)(eq - seg) : slen;
        size_t vlen = eq ? slen - klen - 1 : 0;
        char *key = arena_alloc(a, klen + 1);
        char *val = arena_alloc(a, vlen + 1);
        long kn = http_url_decode(key, seg, klen, true);
        long vn = eq ? http_url_decode(val, eq + 1, vlen, true) : 0;
        if (kn < 0 || vn < 0)
            return -1;
        if (kn == 0)
            continue; /* a value without a name cannot be looked up */
        if (++n > FORM_MAX_FIELDS)
            return -1;
        kv_append(&tail, kv_new(a, key, val, (size_t)vn));
    }
    *out = head;
    return 0;
}

/* --- header parameters (Content-Type, Content-Disposition) --------------- */

static bool is_lws(char c)
{
    return c == ' ' || c == '\t';
}

/* A parameter parsed from "; name=value" lists. The value is unquoted into
 * the arena. */
typedef struct {
    const char *name;
    size_t name_len;
    char *value;
    size_t value_len;
} hparam_t;

/* Parses the next ";"-separated parameter starting at *p (bounded by end).
 * Returns 1 when one was read, 0 at the end, -1 when malformed. */
static int next_param(arena_t *a, const char **p, const char *end, hparam_t *out)
{
    const char *s = *p;
    while (s < end && (is_lws(*s) || *s == ';'))
        s++;
    if (s >= end)
        return 0;
    const char *name = s;
    while (s < end && *s != '=' && *s != ';' && !is_lws(*s))
        s++;
    out->name = name;
    out->name_len = (size_t)(s - name);
    while (s < end && is_lws(*s))
        s++;
    if (s >= end || *s != '=') {
        /* a bare token such as "form-data": value-less */
        out->value = arena_strdup(a, "");
        out->value_len = 0;
        *p = s;
        return out->name_len ? 1 : -1;
    }
    s++; /* '=' */
    while (s < end && is_lws(*s))
        s++;
    if (s < end && *s == '"') {
        s++;
        char *v = arena_alloc(a, (size_t)(end - s) + 1);
        size_t n = 0;
        while (s < end && *s != '"') {
            if (*s == '\\' && s + 1 < end)
                s++;
            v[n++] = *s++;
        }
        if (s >= end)
            return -1; /* unterminated quote */
        s++;
        v[n] = '\0';
        out->value = v;
        out->value_len = n;
    } else {
        const char *v = s;
        while (s < end && *s != ';' && !is_lws(*s))
            s++;
        out->value = arena_strndup(a, v, (size_t)(s - v));
        out->value_len = (size_t)(s - v);
    }
    while (s < end && is_lws(*s))
        s++;
    if (s < end && *s != ';')
        return -1;
    *p = s;
    return 1;
}

static bool param_is(const hparam_t *p, const char *name)
{
    return strlen(name) == p->name_len && strncasecmp(p->name, name, p->name_len) == 0;
}

/* RFC 5987 ext-value: UTF-8''percent-encoded. NULL when not UTF-8 or malformed. */
static char *ext_value_decode(arena_t *a, const char *v, size_t len)
{
    if (len < 7 || strncasecmp(v, "UTF-8'", 6) != 0)
        return NULL;
    const char *q = memchr(v + 6, '\'', len - 6);
    if (!q)
        return NULL;
    q++;
    size_t rest = len - (size_t)(q - v);
    char *out = arena_alloc(a, rest + 1);
    if (http_url_decode(out, q, rest, false) < 0)
        return NULL;
    return out;
}

/* The boundary parameter of a multipart/form-data Content-Type. */
static const char *multipart_boundary(arena_t *a, const char *ct)
{
    if (!ct)
        return NULL;
    const char *end = ct + strlen(ct);
    const char *semi = memchr(ct, ';', (size_t)(end - ct));
    const char *mend = semi ? semi : end;
    const char *m = ct;
    while (m < mend && is_lws(*m))
        m++;
    while (mend > m && is_lws(mend[-1]))
        mend--;
    if ((size_t)(mend - m) != strlen("multipart/form-data") ||
        strncasecmp(m, "multipart/form-data", (size_t)(mend - m)) != 0)
        return NULL;
    if (!semi)
        return NULL;
    const char *p = semi;
    hparam_t hp;
    int rc;
    while ((rc = next_param(a, &p, end, &hp)) == 1) {
        if (param_is(&hp, "boundary")) {
            if (hp.value_len == 0 || hp.value_len > MULTIPART_MAX_BOUNDARY)
                return NULL;
            return hp.value;
        }
    }
    return NULL;
}

/* Searches needle in [hay, hay+len). */
static const char *find_bytes(const char *hay, size_t len, const char *needle, size_t nlen)
{
    return memmem(hay, len, needle, nlen);
}

/* One part: headers then body. Appends to fields/files. */
static int multipart_part(arena_t *a, const char *p, size_t len, http_kv_t ***ftail,
                          http_file_t ***filetail)
{
    const char *body;
    size_t hlen;
    if (len >= 2 && p[0] == '\r' && p[1] == '\n') {
        hlen = 0;
        body = p + 2;
    } else {
        const char *sep = find_bytes(p, len, "\r\n\r\n", 4);
        if (!sep)
            return -1;
        hlen = (size_t)(sep - p) + 2; /* keep the last header's CRLF */
        body = sep + 4;
    }
    size_t blen = len - (size_t)(body - p);

    const char *name = NULL, *filename = NULL, *filename_ext = NULL, *ctype = NULL;
    bool has_filename = false, disposition = false;
    const char *line = p;
    const char *hend = p + hlen;
    while (line < hend) {
        const char *eol = find_bytes(line, (size_t)(hend - line), "\r\n", 2);
        if (!eol)
            return -1;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (!colon)
            return -1;
        size_t nlen = (size_t)(colon - line);
        const char *v = colon + 1;
        while (v < eol && is_lws(*v))
            v++;
        if (nlen == strlen("Content-Disposition") &&
            strncasecmp(line, "Content-Disposition", nlen) == 0) {
            const char *semi = memchr(v, ';', (size_t)(eol - v));
            const char *tend = semi ? semi : eol;
            while (tend > v && is_lws(tend[-1]))
                tend--;
            if ((size_t)(tend - v) != 9 || strncasecmp(v, "form-data", 9) != 0)
                return -1;
            disposition = true;
            const char *q = semi ? semi : eol;
            hparam_t hp;
            int rc;
            while ((rc = next_param(a, &q, eol, &hp)) == 1) {
                if (param_is(&hp, "name"))
                    name = hp.value;
                else if (param_is(&hp, "filename")) {
                    filename = hp.value;
                    has_filename = true;
                } else if (param_is(&hp, "filename*")) {
                    filename_ext = ext_value_decode(a, hp.value, hp.value_len);
                    has_filename = true;
                }
            }
            if (rc < 0)
                return -1;
        } else if (nlen == strlen("Content-Type") && strncasecmp(line, "Content-Type", nlen) == 0) {
            const char *te = eol;
            while (te > v && is_lws(te[-1]))
                te--;
            ctype = arena_strndup(a, v, (size_t)(te - v));
        }
        line = eol + 2;
    }
    if (!disposition || !name)
        return -1;
    if (filename_ext)
        filename = filename_ext;
    if (has_filename) {
        if (!filename)
            filename = "";
        /* A file input left empty is sent as filename="" with no bytes:
         * that is no file at all. */
        if (filename[0] == '\0' && blen == 0)
            return 0;
        http_file_t *f = arena_alloc(a, sizeof *f);
        f->field = name;
        f->filename = filename;
        f->content_type = ctype ? ctype : "application/octet-stream";
        char *d = arena_alloc(a, blen + 1);
        if (blen)
            memcpy(d, body, blen);
        d[blen] = '\0';
        f->data = d;
        f->len = blen;
        **filetail = f;
        *filetail = &f->next;
    } else {
        char *d = arena_alloc(a, blen + 1);
        if (blen)
            memcpy(d, body, blen);
        d[blen] = '\0';
        kv_append(ftail, kv_new(a, name, d, blen));
    }
    return 0;
}

int http_parse_multipart(arena_t *a, const char *content_type, const char *data, size_t len,
                         http_kv_t **fields, http_file_t **files)
{
    *fields = NULL;
    *files = NULL;
    const char *boundary = multipart_boundary(a, content_type);
    if (!boundary)
        return -1;
    size_t blen = strlen(boundary);
    /* delim = "\r\n--" boundary; the first one may start the body without CRLF */
    char *delim = arena_alloc(a, blen + 5);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);
    size_t dlen = blen + 4;

    size_t pos;
    if (len >= dlen - 2 && memcmp(data, delim + 2, dlen - 2) == 0) {
        pos = dlen - 2;
    } else {
        const char *f = find_bytes(data, len, delim, dlen);
        if (!f)
            return -1;
        pos = (size_t)(f - data) + dlen;
    }

    http_kv_t *fhead = NULL, **ftail = &fhead;
    http_file_t *filehead = NULL, **filetail = &filehead;
    int parts = 0;
    for (;;) {
        /* just after a delimiter: "--" closes, else padding then CRLF */
        if (len - pos >= 2 && data[pos] == '-' && data[pos + 1] == '-')
            break; /* the epilogue is ignored */
        while (pos < len && is_lws(data[pos]))
            pos++;
        if (len - pos < 2 || data[pos] != '\r' || data[pos + 1] != '\n')
            return -1;
        pos += 2;
        const char *next = find_bytes(data + pos, len - pos, delim, dlen);
        if (!next)
            return -1; /* no closing delimiter */
        size_t plen = (size_t)(next - (data + pos));
        if (++parts > MULTIPART_MAX_PARTS)
            return -1;
        if (multipart_part(a, data + pos, plen, &ftail, &filetail) < 0)
            return -1;
        pos += plen + dlen;
    }
    *fields = fhead;
    *files = filehead;
    return 0;
}

/* --- cookies ------------------------------------------------------------- */

static bool cookie_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?={}", c))
            return false;
    }
    return true;
}

int http_parse_cookies(arena_t *a, const char *header, http_kv_t **out)
{
    http_kv_t *head = NULL, **tail = &head;
    int n = 0;
    const char *p = header ? header : "";
    while (*p) {
        const char *semi = strchr(p, ';');
        const char *end = semi ? semi : p + strlen(p);
        const char *s = p;
        p = semi ? semi + 1 : end;
        while (s < end && is_lws(*s))
            s++;
        const char *e = end;
        while (e > s && is_lws(e[-1]))
            e--;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq)
            continue;
        const char *ne = eq;
        while (ne > s && is_lws(ne[-1]))
            ne--;
        const char *v = eq + 1;
        while (v < e && is_lws(*v))
            v++;
        if (!cookie_name_ok(s, (size_t)(ne - s)))
            continue;
        size_t vlen = (size_t)(e - v);
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
            v++;
            vlen -= 2;
        }
        if (n >= COOKIE_MAX)
            break;
        n++;
        kv_append(&tail, kv_new(a, arena_strndup(a, s, (size_t)(ne - s)),
                                arena_strndup(a, v, vlen), vlen));
    }
    *out = head;
    return 0;
}

/* --- lookups ------------------------------------------------------------- */

const char *http_kv_get(const http_kv_t *kv, const char *key)
{
    for (; kv && key; kv = kv->next)
        if (strcmp(kv->key, key) == 0)
            return kv->val;
    return NULL;
}

int http_kv_all(const http_kv_t *kv, const char *key, const char **vals, int max)
{
    int n = 0;
    for (; kv && key; kv = kv->next)
        if (strcmp(kv->key, key) == 0) {
            if (n < max)
                vals[n] = kv->val;
            n++;
        }
    return n;
}

const char *http_query(http_req_t *r, const char *key)
{
    return http_kv_get(r->query, key);
}

const char *http_form(http_req_t *r, const char *key)
{
    return http_kv_get(r->form, key);
}

const char *http_cookie(http_req_t *r, const char *key)
{
    return http_kv_get(r->cookies, key);
}

const http_file_t *http_file(http_req_t *r, const char *field)
{
    for (const http_file_t *f = r->files; f && field; f = f->next)
        if (strcmp(f->field, field) == 0)
            return f;
    return NULL;
}
