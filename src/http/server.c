/* server.c - the libmicrohttpd glue: one http_req_t per request, headers in,
 * app prepare, body read within limits and parsed, the handler run inline or
 * (when the application asks) in the worker pool while the connection is suspended, then the
 * response out with the security headers, optional gzip and one log line.
 *
 * A request's conn_t lives from the first access-handler call to the
 * completed callback. While a worker runs its handler the connection is
 * suspended, and libmicrohttpd never completes a suspended connection, so
 * the worker is the only one touching it; the stop sequence joins the
 * workers before stopping the daemon for the same reason.
 *
 * Slow clients: every connection is in the watch (watch.h) with the deadline
 * of its current phase: the head (HTTP_HEAD_TIMEOUT_S from its opening or the
 * end of its previous request), the body (HTTP_BODY_TIMEOUT_S, extended by
 * what arrives at HTTP_BODY_MIN_RATE), none while the handler runs and the
 * answer is sent (libmicrohttpd's idle timeout covers a client that stops
 * reading). */
#include "http.h"
#include "pool.h"
#include "watch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SRV_CONN_LIMIT 1024
#define SRV_PER_IP_LIMIT 64
#define SRV_CONN_MEMORY (64 * 1024)
#define SRV_STOP_WAIT_MS 10000
#define SRV_GZIP_MIN 1024
#define SRV_LOG_PATH_MAX 600 /* escaped: 200 plain bytes or more */
#define SRV_LOG_METHOD_MAX 48
#define SRV_HSTS "max-age=31536000; includeSubDomains"

static const char k_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct http_server {
    struct MHD_Daemon *d;
    http_config_t cfg;
    wpool_t *pool;
    cwatch_t *watch;
    http_addr_t proxy;    /* family 0: no trusted proxy */
    atomic_int inflight;  /* requests between first call and completion */
    atomic_bool stopping;
    int port;
};

typedef enum { PH_BODY = 0, PH_WORKING, PH_QUEUED } phase_t;

typedef struct {
    http_req_t r;
    http_server_t *srv;
    struct MHD_Connection *mc;
    cwatch_conn_t *wc;     /* the connection's entry in the watch */
    phase_t phase;
    size_t limit;
    bool too_large;
    uint64_t received;     /* body bytes that arrived, kept or not */
    buf_t body;
    int sent_status;       /* status actually queued, for the log */
    atomic_bool job_done;  /* set by the worker before resuming */
} conn_t;

/* --- small helpers ------------------------------------------------------- */

static bool compressible_type(const char *t)
{
    if (!t)
        return false;
    while (*t == ' ')
        t++;
    return strncasecmp(t, "text/", 5) == 0 || http_media_is(t, "application/json") ||
           http_media_is(t, "image/svg+xml");
}

static const char *resp_header(const http_req_t *r, const char *name)
{
    for (const http_kv_t *h = r->resp_headers; h; h = h->next)
        if (strcasecmp(h->key, name) == 0)
            return h->val;
    return NULL;
}

static void plain(http_req_t *r, int status, const char *text)
{
    http_respond(r, status, "text/plain; charset=utf-8", text, strlen(text));
}

static const char *status_text(int status)
{
    switch (status) {
    case 400: return "Bad request\n";
    case 404: return "Not found\n";
    case 413: return "Request too large\n";
    case 503: return "Service unavailable\n";
    default: return "Internal server error\n";
    }
}

/* An error found by the server itself: the integrator's hook renders it in
 * the request's language; plain text otherwise. Extra headers stay (cookies). */
static void server_error(conn_t *c, int status)
{
    http_req_t *r = &c->r;
    r->status = 0;
    r->resp_type = NULL;
    buf_reset(&r->resp_body);
    r->resp_static = NULL;
    r->resp_static_len = 0;
    if (r->resp_fd >= 0) {
        close(r->resp_fd);
        r->resp_fd = -1;
    }
    if (c->srv->cfg.error)
        c->srv->cfg.error(r, status);
    if (r->status == 0)
        plain(r, status, status_text(status));
}

/* A method or path for the log (http_log_escape), "-" when empty. */
static void log_safe(char *out, size_t outlen, const char *s)
{
    http_log_escape(out, outlen, s);
    if (!out[0] && outlen > 1) {
        out[0] = '-';
        out[1] = '\0';
    }
}

static cwatch_conn_t *watch_entry(struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static const char *ip_string(arena_t *a, const struct sockaddr *sa)
{
    char buf[INET6_ADDRSTRLEN] = "";
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof buf);
    return arena_strdup(a, buf[0] ? buf : "-");
}

/* The last address of X-Forwarded-For: the one our own proxy appended
 * (earlier entries come from the client and prove nothing). */
static const char *forwarded_for(arena_t *a, const char *xff)
{
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    char ip[INET6_ADDRSTRLEN + 1];
    size_t n = strcspn(last, " \t");
    if (n == 0 || n >= sizeof ip)
        return NULL;
    memcpy(ip, last, n);
    ip[n] = '\0';
    unsigned char tmp[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, ip, tmp) != 1 && inet_pton(AF_INET6, ip, tmp) != 1)
        return NULL;
    return arena_strdup(a, ip);
}

/* --- building the request ------------------------------------------------ */

static const char *hdr(http_req_t *r, struct MHD_Connection *mc, const char *name)
{
    return arena_strdup(r->arena, MHD_lookup_connection_value(mc, MHD_HEADER_KIND, name));
}

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    http_req_t *r = cls;
    if (!key || key_size == 0)
        return MHD_YES;
    http_kv_t *kv = arena_alloc(r->arena, sizeof *kv);
    kv->key = arena_strndup(r->arena, key, key_size);
    kv->val = value ? arena_strndup(r->arena, value, value_size) : arena_strdup(r->arena, "");
    kv->val_len = value ? value_size : 0;
    http_kv_t **tail = &r->query;
    while (*tail)
        tail = &(*tail)->next;
    *tail = kv;
    return MHD_YES;
}

/* Several Cookie headers are joined as one list. */
static enum MHD_Result cookie_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    buf_t *b = cls;
    if (key && value && strcasecmp(key, "Cookie") == 0) {
        if (b->len)
            buf_puts(b, "; ");
        buf_puts(b, value);
    }
    return MHD_YES;
}

static conn_t *conn_new(http_server_t *s, struct MHD_Connection *mc, const char *url,
                        const char *method)
{
    conn_t *c = xcalloc(1, sizeof *c);
    http_req_t *r = &c->r;
    c->srv = s;
    c->mc = mc;
    c->wc = watch_entry(mc);
    buf_init(&c->body);
    atomic_init(&c->job_done, false);
    r->arena = arena_new();
    buf_init(&r->resp_body);
    r->resp_fd = -1;
    r->started_ms = now_ms_monotonic();
    r->method = arena_strdup(r->arena, method ? method : "");
    r->path = arena_strdup(r->arena, url ? url : "/");
    r->is_api = strncmp(r->path, "/api/", 5) == 0;

    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *peer = ci ? ci->client_addr : NULL;
    r->client_ip = ip_string(r->arena, peer);
    if (http_addr_is(&s->proxy, peer)) {
        const char *proto = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-Proto");
        if (proto && strcasecmp(proto, "https") == 0)
            r->tls = true;
        const char *xff = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-For");
        const char *ip = xff ? forwarded_for(r->arena, xff) : NULL;
        if (ip)
            r->client_ip = ip;
    }

    r->content_type = hdr(r, mc, MHD_HTTP_HEADER_CONTENT_TYPE);
    r->accept_language = hdr(r, mc, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
    r->accept_encoding = hdr(r, mc, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    r->if_none_match = hdr(r, mc, MHD_HTTP_HEADER_IF_NONE_MATCH);
    r->authorization = hdr(r, mc, MHD_HTTP_HEADER_AUTHORIZATION);
    r->csrf_header = hdr(r, mc, "X-CSRF-Token");
    r->content_length = -1;
    const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t n;
    if (cl && str_to_i64(cl, &n) && n >= 0)
        r->content_length = n;

    MHD_get_connection_values_n(mc, MHD_GET_ARGUMENT_KIND, query_iter, r);
    buf_t cookies;
    buf_init(&cookies);
    MHD_get_connection_values(mc, MHD_HEADER_KIND, cookie_iter, &cookies);
    if (cookies.len)
        http_parse_cookies(r->arena, cookies.data, &r->cookies);
    buf_free(&cookies);

    return c;
}

static void conn_free(conn_t *c)
{
    http_req_t *r = &c->r;
    if (r->resp_fd >= 0)
        close(r->resp_fd);
    buf_free(&r->resp_body);
    buf_free(&c->body);
    arena_free(r->arena); /* runs the deferred json_decref */
    free(c);
}

/* --- the response -------------------------------------------------------- */

static struct MHD_Response *body_response(conn_t *c, bool *vary, bool *gzipped)
{
    http_req_t *r = &c->r;
    *vary = *gzipped = false;
    if (r->resp_fd >= 0) {
        struct MHD_Response *resp = MHD_create_response_from_fd(r->resp_fd_len, r->resp_fd);
        if (resp)
            r->resp_fd = -1; /* libmicrohttpd closes it */
        return resp;
    }
    const void *data;
    size_t len;
    if (r->resp_static) {
        data = r->resp_static;
        len = r->resp_static_len;
    } else {
        data = r->resp_body.data;
        len = r->resp_body.len;
    }
    if (r->status == 204 || r->status == 304)
        len = 0;
    if (!r->resp_no_gzip && len > SRV_GZIP_MIN && compressible_type(r->resp_type) &&
        !resp_header(r, "Content-Encoding")) {
        *vary = true;
        void *gz;
        size_t gl;
        if (http_accepts_gzip(r->accept_encoding) && http_gzip(data, len, &gz, &gl) == 0) {
            *gzipped = true;
            return MHD_create_response_from_buffer_with_free_callback(gl, gz, free);
        }
    }
    if (len == 0)
        return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r->resp_static)
        return MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
    size_t blen = r->resp_body.len;
    char *owned = buf_detach(&r->resp_body);
    return MHD_create_response_from_buffer_with_free_callback(blen, owned, free);
}

static void add_header(struct MHD_Response *resp, const char *name, const char *value)
{
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        log_error("http: header %s refused", name);
}

static enum MHD_Result queue_response(conn_t *c)
{
    http_req_t *r = &c->r;
    http_server_t *s = c->srv;
    cwatch_set(c->wc, 0); /* answering: no deadline but the idle timeout */
    if (r->status < 100 || r->status > 599) {
        char m[SRV_LOG_METHOD_MAX], p[SRV_LOG_PATH_MAX];
        log_safe(m, sizeof m, r->method);
        log_safe(p, sizeof p, r->path);
        if (r->status == 0)
            log_error("http: no response set for %s %s", m, p);
        else
            log_error("http: invalid status %d for %s %s", r->status, m, p);
        if (r->resp_fd >= 0) {
            close(r->resp_fd);
            r->resp_fd = -1;
        }
        r->resp_static = NULL;
        plain(r, 500, status_text(500));
    }
    bool has_body = r->resp_fd >= 0 ? r->resp_fd_len > 0
                    : r->resp_static ? r->resp_static_len > 0 : r->resp_body.len > 0;
    bool vary, gzipped;
    struct MHD_Response *resp = body_response(c, &vary, &gzipped);
    if (!resp) {
        log_error("http: cannot create the response");
        if (r->resp_fd >= 0) {
            close(r->resp_fd);
            r->resp_fd = -1;
        }
        r->resp_static = NULL;
        plain(r, 500, status_text(500));
        has_body = true;
        resp = body_response(c, &vary, &gzipped);
        if (!resp)
            return MHD_NO;
    }
    if (r->status != 304 && r->status != 204) {
        /* with nosniff a body needs a declared type; a neutral one when unset */
        if (r->resp_type)
            add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->resp_type);
        else if (has_body)
            add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    }
    add_header(resp, "Content-Security-Policy", k_csp);
    add_header(resp, "X-Content-Type-Options", "nosniff");
    add_header(resp, "Referrer-Policy", "same-origin");
    add_header(resp, "X-Frame-Options", "DENY");
    if (r->tls) /* only what came through the trusted proxy over https */
        add_header(resp, "Strict-Transport-Security", SRV_HSTS);
    bool own_cc = false;
    for (const http_kv_t *h = r->resp_headers; h; h = h->next) {
        if (strcasecmp(h->key, "Cache-Control") == 0) {
            if (r->resp_no_store)
                continue;
            own_cc = true;
        }
        add_header(resp, h->key, h->val);
    }
    if (!own_cc)
        add_header(resp, "Cache-Control", "no-store");
    if (gzipped)
        add_header(resp, "Content-Encoding", "gzip");
    if (vary && !resp_header(r, "Vary"))
        add_header(resp, "Vary", "Accept-Encoding");
    if (atomic_load(&s->stopping))
        add_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c->mc, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    if (ret != MHD_YES)
        log_error("http: the response could not be queued (status %d)", r->status);
    c->phase = PH_QUEUED;
    c->sent_status = r->status;
    return ret;
}

/* --- the body ------------------------------------------------------------ */

static void decref_json(void *p)
{
    json_decref((json_t *)p);
}

/* Parses the complete body by Content-Type; false when malformed (400 set). */
static bool parse_body(conn_t *c)
{
    http_req_t *r = &c->r;
    r->body = c->body.data ? c->body.data : arena_strdup(r->arena, "");
    r->body_len = c->body.len;
    if (r->body_len == 0)
        return true; /* nothing to parse: the app decides whether a body was due */
    int rc = 0;
    if (http_media_is(r->content_type, "application/x-www-form-urlencoded")) {
        rc = http_parse_urlencoded(r->arena, r->body, r->body_len, &r->form);
    } else if (http_media_is(r->content_type, "multipart/form-data")) {
        rc = http_parse_multipart(r->arena, r->content_type, r->body, r->body_len, &r->form,
                                  &r->files);
    } else if (http_media_is(r->content_type, "application/json")) {
        json_error_t jerr;
        json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!j) {
            rc = -1;
        } else {
            r->json = j;
            arena_defer(r->arena, decref_json, j);
        }
    }
    if (rc != 0) {
        server_error(c, 400);
        return false;
    }
    return true;
}

/* --- slow handlers in the worker pool ------------------------------------ */

static void slow_job(void *arg)
{
    conn_t *c = arg;
    http_server_t *s = c->srv;
    struct MHD_Connection *mc = c->mc;
    if (s->cfg.handle)
        s->cfg.handle(&c->r);
    atomic_store(&c->job_done, true);
    /* Last touch: once resumed, the connection may complete and c be freed. */
    MHD_resume_connection(mc);
}

/* --- libmicrohttpd callbacks --------------------------------------------- */

/* libmicrohttpd hands the path over decoded, as a C string: a %00 would cut
 * it there ("/api/v1/nodes/3%00x" read as "/api/v1/nodes/3"). The raw target
 * is seen here first; what this returns is the request's first *con_cls. */
static char k_nul_path; /* marker: the decoded path holds a NUL byte */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
    (void)cls;
    (void)mc;
    size_t n = uri ? strcspn(uri, "?") : 0; /* the query keeps its lengths */
    for (size_t i = 0; i + 2 < n; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
            return &k_nul_path;
    return NULL;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *mc, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_server_t *s = cls;
    conn_t *c = *con_cls;
    bool nul_path = *con_cls == (void *)&k_nul_path;

    if (!c || nul_path) { /* headers are in */
        c = conn_new(s, mc, url, method);
        *con_cls = c;
        atomic_fetch_add(&s->inflight, 1);
        http_req_t *r = &c->r;
        if (nul_path) {
            server_error(c, 400);
            return queue_response(c);
        }
        if (http_static_serve(r))
            return queue_response(c);
        if (s->cfg.prepare && !s->cfg.prepare(r))
            return queue_response(c);
        c->limit = r->body_limit ? r->body_limit : HTTP_MAX_BODY;
        if (r->content_length > (int64_t)c->limit) {
            server_error(c, 413);
            return queue_response(c);
        }
        cwatch_set(c->wc, r->started_ms + HTTP_BODY_TIMEOUT_S * 1000);
        return MHD_YES;
    }

    if (c->phase == PH_QUEUED) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) { /* a piece of the body */
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!c->too_large) {
            if (n > c->limit - c->body.len) {
                c->too_large = true; /* the rest is read and dropped; 413 at the end */
                buf_free(&c->body);
            } else {
                buf_append(&c->body, upload_data, n);
            }
        }
        /* more time for what arrives, up to the limit (an endless body that
         * is read and dropped earns none) */
        c->received += n;
        uint64_t counted = c->received < c->limit ? c->received : c->limit;
        cwatch_set(c->wc, c->r.started_ms + HTTP_BODY_TIMEOUT_S * 1000 +
                              (int64_t)(counted * 1000 / HTTP_BODY_MIN_RATE));
        return MHD_YES;
    }

    /* the request is complete */
    http_req_t *r = &c->r;
    if (c->phase == PH_WORKING)
        return atomic_load(&c->job_done) ? queue_response(c) : MHD_YES;
    if (c->too_large) {
        server_error(c, 413);
        return queue_response(c);
    }
    if (!parse_body(c))
        return queue_response(c);
    cwatch_set(c->wc, 0); /* the body is in: the handler's turn */
    if (r->run_slow) {
        c->phase = PH_WORKING;
        MHD_suspend_connection(mc);
        if (wpool_submit(s->pool, slow_job, c) != 0) {
            server_error(c, 503);
            atomic_store(&c->job_done, true);
            MHD_resume_connection(mc);
        }
        return MHD_YES;
    }
    if (s->cfg.handle)
        s->cfg.handle(r);
    return queue_response(c);
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    http_server_t *s = cls;
    /* a kept-alive connection has the same time for its next head */
    cwatch_set(watch_entry(mc), now_ms_monotonic() + HTTP_HEAD_TIMEOUT_S * 1000);
    conn_t *c = *con_cls;
    if (!c || *con_cls == (void *)&k_nul_path) /* ended before its headers were in */
        return;
    *con_cls = NULL;
    char m[SRV_LOG_METHOD_MAX], p[SRV_LOG_PATH_MAX];
    log_safe(m, sizeof m, c->r.method);
    log_safe(p, sizeof p, c->r.path);
    /* closed by the watch before an answer: 408, as a proxy would log it */
    int status = c->sent_status == 0 && cwatch_dropped(c->wc) ? 408 : c->sent_status;
    log_info("%s %s %d %lldms", m, p, status,
             (long long)(now_ms_monotonic() - c->r.started_ms));
    conn_free(c);
    atomic_fetch_sub(&s->inflight, 1);
}

/* libmicrohttpd's own messages (a client gone, a port taken...) as log lines
 * like the others: time stamped, one line each, no control characters. */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fm, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fm, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)msg[i] < 32 || msg[i] == 127)
            msg[i] = '?';
    log_error("libmicrohttpd: %s", msg);
}

/* Every connection enters the watch when accepted, with the time it has to
 * send its first request head, and leaves it before its socket is closed. */
static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_server_t *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? cwatch_add(s->watch, ci->connect_fd,
                                          now_ms_monotonic() + HTTP_HEAD_TIMEOUT_S * 1000)
                             : NULL;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        cwatch_remove(s->watch, *socket_context);
        *socket_context = NULL;
    }
}

/* --- start / stop -------------------------------------------------------- */

/* "host:port", "[v6]:port", ":port" or "*:port" (all addresses), "port". */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, char *err,
                        size_t errlen)
{
    memset(ss, 0, sizeof *ss);
    *v6 = false;
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    char host[128];
    const char *port;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host)
            goto bad;
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        port = close + 2;
        *v6 = true;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon) {
            snprintf(host, sizeof host, "127.0.0.1");
            port = listen;
        } else {
            if (memchr(listen, ':', (size_t)(colon - listen)))
                goto bad; /* a bare IPv6 address needs brackets */
            if ((size_t)(colon - listen) >= sizeof host)
                goto bad;
            memcpy(host, listen, (size_t)(colon - listen));
            host[colon - listen] = '\0';
            port = colon + 1;
        }
    }
    if (!*port || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port))
        goto bad;
    long pn = strtol(port, NULL, 10);
    if (pn > 65535)
        goto bad;
    if (*v6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)pn);
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            goto bad;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)pn);
        if (host[0] == '\0' || strcmp(host, "*") == 0)
            in->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (strcmp(host, "localhost") == 0)
            in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
            goto bad;
    }
    return 0;
bad:
    snprintf(err, errlen, "invalid listen address \"%s\" (expected host:port or [v6]:port)", listen);
    return -1;
}

http_server_t *http_server_start(const http_config_t *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    bool v6;
    if (parse_listen(cfg->listen, &ss, &v6, err, errlen) != 0)
        return NULL;
    http_addr_t proxy = {0};
    if (cfg->trust_proxy && !http_addr_parse(cfg->trust_proxy, &proxy)) {
        snprintf(err, errlen, "invalid proxy address \"%s\" (expected an IPv4 or IPv6 address)",
                 cfg->trust_proxy);
        return NULL;
    }
    http_server_t *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->proxy = proxy;
    atomic_init(&s->inflight, 0);
    atomic_init(&s->stopping, false);
    int threads = cfg->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 2;
    }
    s->pool = wpool_new(cfg->workers > 0 ? cfg->workers : 2);
    s->watch = s->pool ? cwatch_new() : NULL;
    if (!s->watch) {
        snprintf(err, errlen, "cannot start the worker pool or the connection watch");
        wpool_free(s->pool);
        free(s);
        return NULL;
    }
    /* Behind a trusted proxy every connection comes from the proxy's address:
     * the proxy limits connections per client (docs/nginx.conf). */
    unsigned per_ip = proxy.family ? 0 : SRV_PER_IP_LIMIT;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    /* libmicrohttpd sets SO_REUSEADDR by default; its REUSE option would add
     * SO_REUSEPORT and let a second instance share the port silently. */
    /* A pool of one is no pool for libmicrohttpd (and it warns): say nothing then. */
    struct MHD_OptionItem pool_opt[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    errno = 0;
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, s,
                            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first */
                            MHD_OPTION_ARRAY, pool_opt,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)SRV_CONN_LIMIT,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SRV_CONN_MEMORY,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                            MHD_OPTION_END);
    if (!s->d) {
        /* the caller names the address; libmicrohttpd has logged the details */
        snprintf(err, errlen, "%s", errno ? strerror(errno) : "the HTTP server could not start");
        cwatch_free(s->watch);
        wpool_free(s->pool);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? (int)di->port : 0;
    return s;
}

int http_server_port(http_server_t *s)
{
    return s ? s->port : 0;
}

void http_server_stop(http_server_t *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    MHD_socket lfd = MHD_quiesce_daemon(s->d); /* no new connections */
    int64_t deadline = now_ms_monotonic() + SRV_STOP_WAIT_MS;
    while ((atomic_load(&s->inflight) > 0 || wpool_pending(s->pool) > 0) &&
           now_ms_monotonic() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&s->inflight) > 0)
        log_error("http: stopping with %d request(s) still in flight", atomic_load(&s->inflight));
    /* Workers must be done (their connections resumed) before the daemon
     * stops: libmicrohttpd cannot stop with suspended connections. */
    wpool_shutdown(s->pool);
    MHD_stop_daemon(s->d); /* closes every connection: the watch is empty */
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    cwatch_free(s->watch);
    wpool_free(s->pool);
    free(s);
}
