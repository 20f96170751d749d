/* http.h - the HTTP layer: server (libmicrohttpd), the protocol side of a
 * request, path patterns, body parsing (urlencoded, multipart, JSON), cookies
 * and responses. It knows nothing of users, permissions or modules: the
 * application hangs its own context on http_req_t.app.
 *
 * A request flows one way:
 *   server (headers) -> cfg.prepare (the application decides: answer now, or
 *   read a body of at most body_limit bytes, inline or in the worker pool)
 *   -> server reads and parses the body -> cfg.handle -> server sends the
 *   response (security headers, gzip, one log line).
 * Everything allocated for a request lives in r->arena and dies with it. */
#ifndef JOUDA_HTTP_H
#define JOUDA_HTTP_H

#include "../core/core.h"
#include <jansson.h>

typedef struct http_req http_req_t;

/* Key/value list (query string, form fields, cookies). Later keys do not
 * replace earlier ones: http_kv_get returns the first, http_kv_all all. */
typedef struct http_kv {
    const char *key;
    const char *val;
    size_t val_len;
    struct http_kv *next;
} http_kv_t;

typedef struct http_file {
    const char *field;
    const char *filename;     /* as sent, never trusted as a path */
    const char *content_type; /* as sent */
    const char *data;
    size_t len;
    struct http_file *next;
} http_file_t;

/* Does path match pattern? Patterns are literal except {id} and {id2},
 * which match a positive decimal id segment (core's id_parse: no sign, no
 * leading zero, at most 18 digits); ids[0..1] receive them. An id ends at
 * '/', at the end, or at '.' where the pattern has one ("{id}.csv"). A final
 * {code} matches a last segment of 1-64 of [A-Za-z0-9._-]. Exact:
 * "/a/" does not match "/a". Pure. */
bool http_path_match(const char *pattern, const char *path, int64_t ids[2]);
/* Is the media type of a Content-Type header want (case-insensitive,
 * parameters ignored)? "multipart/form-data; boundary=x" is "multipart/form-data". */
bool http_media_is(const char *content_type, const char *want);
/* HEAD is answered as GET without the body: the method to route by. */
const char *http_route_method(const char *method);

struct http_req {
    arena_t *arena;

    /* request line and headers */
    const char *method;
    const char *path;       /* decoded, without the query string */
    const char *client_ip;
    bool tls;               /* served over TLS or a trusted proxy said so */
    bool is_api;            /* path under /api/ */
    const char *content_type;
    const char *accept_language;
    const char *accept_encoding;
    const char *if_none_match;
    const char *authorization;
    const char *csrf_header;   /* X-CSRF-Token (scripts using the session cookie) */
    int64_t content_length; /* -1 when not given */
    http_kv_t *query;
    http_kv_t *cookies;

    /* body */
    char *body;
    size_t body_len;
    http_kv_t *form;        /* urlencoded or multipart fields */
    http_file_t *files;
    json_t *json;           /* parsed JSON body (decref'd with the arena) */

    /* set by cfg.prepare */
    void *app;              /* the application's context of this request */
    size_t body_limit;      /* largest body accepted (0: HTTP_MAX_BODY) */
    bool run_slow;          /* run cfg.handle in the worker pool */
    int64_t started_ms;

    /* response */
    int status;             /* 0 until a response is set */
    const char *resp_type;  /* Content-Type */
    buf_t resp_body;
    const void *resp_static;    /* when set, sent instead of resp_body (not freed) */
    size_t resp_static_len;
    int resp_fd;            /* when >= 0, sent from this file descriptor (closed after) */
    size_t resp_fd_len;
    http_kv_t *resp_headers;/* extra headers (Set-Cookie may repeat) */
    bool resp_no_gzip;
    bool resp_no_store;     /* Cache-Control: no-store (pages with personal data, default for dynamic) */
};

/* Lookups (NULL when absent). */
const char *http_query(http_req_t *r, const char *key);
const char *http_form(http_req_t *r, const char *key);
const char *http_cookie(http_req_t *r, const char *key);
const http_file_t *http_file(http_req_t *r, const char *field);
const char *http_kv_get(const http_kv_t *kv, const char *key);
/* Every value of key, in order: fills vals[0..max-1], returns how many exist
 * (may be more than max). */
int http_kv_all(const http_kv_t *kv, const char *key, const char **vals, int max);

/* Responses. */
void http_respond(http_req_t *r, int status, const char *content_type, const char *body, size_t len);
void http_respond_static(http_req_t *r, int status, const char *content_type, const void *data, size_t len);
void http_redirect(http_req_t *r, const char *location);   /* 303 See Other */
void http_add_header(http_req_t *r, const char *name, const char *value);
/* Set-Cookie with HttpOnly; SameSite=Lax; Path=/; Secure when r->tls.
 * max_age < 0: session cookie; 0: delete. */
void http_set_cookie(http_req_t *r, const char *name, const char *value, int max_age, bool http_only);

/* Body parsers (pure, fuzzed). Return 0 or -1 on malformed input.
 * Values are NUL-terminated copies in the arena; invalid UTF-8 is kept as is
 * (validation belongs to the handler, which answers 422). */
int http_parse_urlencoded(arena_t *a, const char *data, size_t len, http_kv_t **out);
/* boundary from the Content-Type header; fields go to *fields, files to *files
 * (a part with a filename is a file). */
int http_parse_multipart(arena_t *a, const char *content_type, const char *data, size_t len,
                         http_kv_t **fields, http_file_t **files);
int http_parse_cookies(arena_t *a, const char *header, http_kv_t **out);
/* Percent-decoding ('+' -> ' ' when plus_space). Returns length or -1. */
long http_url_decode(char *dst, const char *src, size_t len, bool plus_space);
/* Does the Accept-Encoding header accept gzip? */
bool http_accepts_gzip(const char *accept_encoding);
/* gzip a buffer; returns 0 and a malloc'd result. */
int http_gzip(const void *in, size_t len, void **out, size_t *outlen);

/* Limits. */
#define HTTP_MAX_BODY (1024 * 1024)           /* forms and JSON */
#define HTTP_MAX_UPLOAD (10 * 1024 * 1024)    /* multipart uploads (ROUTE_UPLOAD) */

/* Slow clients. A connection must send a complete request head within
 * HTTP_HEAD_TIMEOUT_S of being opened (or of the end of its previous
 * request); a body must keep coming: after HTTP_BODY_TIMEOUT_S from the end
 * of the head it must have averaged HTTP_BODY_MIN_RATE bytes a second, and
 * nothing at all may arrive for HTTP_IDLE_TIMEOUT_S (libmicrohttpd's own
 * timeout, which also bounds a client that stops reading its answer).
 * Connections past these are closed. */
#define HTTP_HEAD_TIMEOUT_S 10
#define HTTP_BODY_TIMEOUT_S 10
#define HTTP_BODY_MIN_RATE 2048
#define HTTP_IDLE_TIMEOUT_S 10

/* An IP address, as the trusted proxy's is given. */
typedef struct {
    int family;               /* AF_INET or AF_INET6 */
    unsigned char bytes[16];  /* network order; IPv4 uses 4 */
} http_addr_t;
/* One literal address: "127.0.0.1", "::1" or "[::1]". False for anything
 * else (names, ranges such as 127.0.0.0/8, ports, empty text). Pure. */
bool http_addr_parse(const char *text, http_addr_t *out);
/* Is the socket address sa (AF_INET or AF_INET6, IPv4-mapped IPv6 included)
 * exactly a? */
struct sockaddr;
bool http_addr_is(const http_addr_t *a, const struct sockaddr *sa);
/* A decoded path (or method) as it is written in the log: printable ASCII
 * stays, every other byte and space, '"', '\'', '\\' and '%' become %XX, so
 * a log line always splits into the same fields and the path decodes back.
 * Truncated to fit outlen (never in the middle of an escape). Pure. */
void http_log_escape(char *out, size_t outlen, const char *s);

/* Server. */
typedef struct http_server http_server_t;
typedef struct {
    const char *listen;       /* "127.0.0.1:8080" */
    int threads;              /* libmicrohttpd pool threads, default = cores */
    int workers;              /* worker pool threads for ROUTE_SLOW, default 2 */
    /* The reverse proxy's address ("127.0.0.1", "::1"), NULL when none.
     * From that exact address only, X-Forwarded-For gives the client's
     * address and X-Forwarded-Proto: https marks the request as TLS (Secure
     * cookies, Strict-Transport-Security). */
    const char *trust_proxy;
    /* Called once the headers are in. Returns true to go on reading the body
     * (r->body_limit, r->run_slow set), false when it has set a response. */
    bool (*prepare)(http_req_t *r);
    /* Called with the parsed body; must set a response. */
    void (*handle)(http_req_t *r);
    /* Optional: renders an error the server itself detects (400 malformed
     * body, 413 too large, 503 shutting down) in the request's language.
     * Must set a response; when NULL (or it sets none) a plain text body is sent. */
    void (*error)(http_req_t *r, int status);
} http_config_t;

http_server_t *http_server_start(const http_config_t *cfg, char *err, size_t errlen);
void http_server_stop(http_server_t *s); /* graceful: finishes requests in flight */
/* The bound TCP port (useful with port 0 = ephemeral). */
int http_server_port(http_server_t *s);

/* Static assets: loaded once from dir, served under /static/<name> with
 * ETag, a long cache, and a pre-compressed gzip copy. */
int http_static_load(const char *dir);
/* Returns true when the path was a static asset (response set, even 304/404). */
bool http_static_serve(http_req_t *r);
/* "/static/jouda.css?v=<etag>" for templates (cache busting). */
const char *http_static_url(const char *name);

#endif
