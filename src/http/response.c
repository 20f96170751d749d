/* response.c - what a handler uses to set the response (status, type, body,
 * headers, cookies, redirects) and the compression helpers (Accept-Encoding
 * negotiation, gzip). The server turns r's response fields into bytes. */
#include "http.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <zlib.h>

static void clear_body(http_req_t *r)
{
    buf_reset(&r->resp_body);
    r->resp_static = NULL;
    r->resp_static_len = 0;
}

void http_respond(http_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    r->status = status;
    r->resp_type = content_type ? arena_strdup(r->arena, content_type) : NULL;
    r->resp_static = NULL;
    r->resp_static_len = 0;
    if (body && r->resp_body.data && body >= r->resp_body.data &&
        body < r->resp_body.data + r->resp_body.cap) {
        /* the body already lives in resp_body: move it to the front */
        memmove(r->resp_body.data, body, len);
        r->resp_body.len = len;
        r->resp_body.data[len] = '\0';
        return;
    }
    buf_reset(&r->resp_body);
    if (body && len)
        buf_append(&r->resp_body, body, len);
}

void http_respond_static(http_req_t *r, int status, const char *content_type, const void *data, size_t len)
{
    clear_body(r);
    r->status = status;
    r->resp_type = content_type ? arena_strdup(r->arena, content_type) : NULL;
    r->resp_static = data ? data : "";
    r->resp_static_len = data ? len : 0;
}

/* A header value must not split the response: no CR, LF or other controls. */
static bool header_value_ok(const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c < 32 && c != '\t') || c == 127)
            return false;
    }
    return true;
}

void http_redirect(http_req_t *r, const char *location)
{
    if (!location || !header_value_ok(location) || location[0] == '\0')
        location = "/";
    http_respond(r, 303, "text/plain; charset=utf-8", NULL, 0);
    http_add_header(r, "Location", location);
}

void http_add_header(http_req_t *r, const char *name, const char *value)
{
    if (!name || !value || !header_value_ok(name) || !header_value_ok(value)) {
        log_error("http: refused header %s (control characters)", name ? name : "(null)");
        return;
    }
    http_kv_t *kv = arena_alloc(r->arena, sizeof *kv);
    kv->key = arena_strdup(r->arena, name);
    kv->val = arena_strdup(r->arena, value);
    kv->val_len = strlen(value);
    http_kv_t **tail = &r->resp_headers;
    while (*tail)
        tail = &(*tail)->next;
    *tail = kv;
}

/* RFC 6265 cookie-octets (and token characters for the name): nothing that
 * could end the pair or add an attribute. */
static bool cookie_part_ok(const char *s, bool is_name)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 32 || c >= 127 || c == ';' || c == ',' || c == '"' || c == '\\')
            return false;
        if (is_name && strchr("()<>@:/[]?={}", c))
            return false;
    }
    return true;
}

void http_set_cookie(http_req_t *r, const char *name, const char *value, int max_age, bool http_only)
{
    if (!name || !*name || !cookie_part_ok(name, true) || (value && !cookie_part_ok(value, false))) {
        log_error("http: refused cookie %s (invalid characters)", name ? name : "(null)");
        return;
    }
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s=%s; Path=/; SameSite=Lax", name, value ? value : "");
    if (max_age >= 0)
        buf_printf(&b, "; Max-Age=%d", max_age);
    if (http_only)
        buf_puts(&b, "; HttpOnly");
    if (r->tls)
        buf_puts(&b, "; Secure");
    http_add_header(r, "Set-Cookie", b.data);
    buf_free(&b);
}

/* --- compression --------------------------------------------------------- */

/* "0", "0.", "0.0", "0.000" are zero; anything else counts as accepted. */
static bool qvalue_zero(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || s[0] != '0')
        return false;
    for (size_t i = 1; i < n; i++) {
        if (i == 1 && s[i] == '.')
            continue;
        if (s[i] != '0')
            return false;
    }
    return true;
}

/* One coding of Accept-Encoding: name and whether its q is 0. */
static void parse_coding(const char *s, size_t n, const char **name, size_t *nlen, bool *zero)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    const char *semi = memchr(s, ';', n);
    size_t cl = semi ? (size_t)(semi - s) : n;
    while (cl && isspace((unsigned char)s[cl - 1]))
        cl--;
    *name = s;
    *nlen = cl;
    *zero = false;
    while (semi) {
        const char *p = semi + 1;
        size_t rest = n - (size_t)(p - s);
        const char *next = memchr(p, ';', rest);
        size_t plen = next ? (size_t)(next - p) : rest;
        while (plen && isspace((unsigned char)*p)) {
            p++;
            plen--;
        }
        if (plen >= 2 && (p[0] == 'q' || p[0] == 'Q')) {
            const char *eq = p + 1;
            size_t l = plen - 1;
            while (l && isspace((unsigned char)*eq)) {
                eq++;
                l--;
            }
            if (l && *eq == '=')
                *zero = qvalue_zero(eq + 1, l - 1);
        }
        semi = next;
    }
}

bool http_accepts_gzip(const char *ae)
{
    if (!ae)
        return false;
    int gzip = -1, star = -1; /* -1 unknown, 0 refused, 1 accepted */
    const char *p = ae;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *name;
        size_t nlen;
        bool zero;
        parse_coding(p, n, &name, &nlen, &zero);
        if ((nlen == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (nlen == 6 && strncasecmp(name, "x-gzip", 6) == 0)) {
            if (gzip != 0)
                gzip = zero ? 0 : 1;
        } else if (nlen == 1 && name[0] == '*') {
            if (star != 0)
                star = zero ? 0 : 1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    if (gzip >= 0)
        return gzip == 1;
    return star == 1;
}

/* One deflate state per thread, reset for each response: deflateInit2
 * allocates about 256 KB that would otherwise be mapped and zeroed again for
 * every page. Freed when the thread ends. */
static pthread_key_t gzip_key;
static pthread_once_t gzip_once = PTHREAD_ONCE_INIT;

static void gzip_state_free(void *p)
{
    deflateEnd(p);
    free(p);
}

static void gzip_key_make(void)
{
    pthread_key_create(&gzip_key, gzip_state_free);
}

static z_stream *gzip_state(void)
{
    pthread_once(&gzip_once, gzip_key_make);
    z_stream *zs = pthread_getspecific(gzip_key);
    if (zs)
        return deflateReset(zs) == Z_OK ? zs : NULL;
    zs = xcalloc(1, sizeof *zs);
    if (deflateInit2(zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(zs);
        return NULL;
    }
    pthread_setspecific(gzip_key, zs);
    return zs;
}

int http_gzip(const void *in, size_t len, void **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (len > (size_t)UINT32_MAX / 2)
        return -1; /* zlib counts in uInt */
    z_stream *zs = gzip_state();
    if (!zs)
        return -1;
    uLong bound = deflateBound(zs, (uLong)len) + 32;
    unsigned char *buf = xmalloc(bound);
    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->avail_in = (uInt)len;
    zs->next_out = buf;
    zs->avail_out = (uInt)bound;
    int rc = deflate(zs, Z_FINISH);
    size_t produced = (size_t)zs->total_out;
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = produced;
    return 0;
}
