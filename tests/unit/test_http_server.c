/* test_http_server.c - the real server on 127.0.0.1 with an ephemeral port,
 * a tiny application of its own (a route table, and the prepare hook that
 * sets the body limit and the worker pool) and plain sockets: status lines,
 * security headers, query/cookie/body parsing, body limits (413 early and
 * while reading), malformed bodies through the error hook, gzip, static
 * assets, a slow route in the worker pool that must not hold up another
 * request, and a graceful stop that lets a slow request finish. */
#include "testutil.h"

#include <strings.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

/* --- the application side ------------------------------------------------ */

static void echo(http_req_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void echo(http_req_t *r, const char *fmt, ...)
{
    buf_t b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    http_respond(r, 200, "text/plain; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

static const char *nz(const char *s)
{
    return s ? s : "(null)";
}

static void h_hello(http_req_t *r)
{
    echo(r, "hello q=%s c=%s api=%d ip=%s csrf=%s%s", nz(http_query(r, "q")),
         nz(http_cookie(r, "c")), r->is_api, r->client_ip, nz(r->csrf_header),
         r->tls ? " tls" : "");
}

static void h_form(http_req_t *r)
{
    const http_file_t *f = http_file(r, "doc");
    echo(r, "a=%s b=%s file=%s:%zu", nz(http_form(r, "a")), nz(http_form(r, "b")),
         f ? f->filename : "-", f ? f->len : 0);
}

static void h_json(http_req_t *r)
{
    const char *k = r->json ? json_string_value(json_object_get(r->json, "k")) : NULL;
    echo(r, "k=%s", nz(k));
}

static atomic_int g_slow_running;

static void h_slow(http_req_t *r)
{
    atomic_fetch_add(&g_slow_running, 1);
    usleep(1000 * 1000);
    echo(r, "slow done");
    atomic_fetch_sub(&g_slow_running, 1);
}

static void h_fast(http_req_t *r)
{
    echo(r, "fast");
}

static void h_big(http_req_t *r)
{
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 500; i++)
        buf_printf(&b, "<li>ligne %d</li>\n", i);
    http_respond(r, 200, "text/html; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

static void h_nothing(http_req_t *r)
{
    (void)r;
}

static void h_cookie(http_req_t *r)
{
    http_set_cookie(r, "a", "1", -1, true);
    http_set_cookie(r, "b", "2", 60, false);
    http_add_header(r, "Cache-Control", "private, max-age=60");
    echo(r, "ok");
}

static void h_file(http_req_t *r)
{
    FILE *f = tmpfile();
    for (int i = 0; i < 300; i++)
        fprintf(f, "line %04d\n", i); /* 3000 bytes */
    fflush(f);
    r->resp_fd = dup(fileno(f));
    fclose(f);
    r->resp_fd_len = 3000;
    r->status = 200;
    r->resp_type = "text/plain; charset=utf-8";
}

static void h_nostore(http_req_t *r)
{
    http_add_header(r, "Cache-Control", "public, max-age=60");
    r->resp_no_store = true;
    echo(r, "personal");
}

/* The application of this test: routes matched by the HTTP layer's
 * patterns, and what prepare decides from them (as the real application
 * does): a bigger body for uploads, the worker pool for slow handlers. */
enum { T_UPLOAD = 1u << 0, T_SLOW = 1u << 1 };
typedef struct {
    const char *method;
    const char *pattern;
    void (*handler)(http_req_t *r);
    unsigned flags;
} t_route_t;

static const t_route_t routes[] = {
    {"GET", "/file", h_file, 0},
    {"GET", "/nostore", h_nostore, 0},
    {"GET", "/hello", h_hello, 0},
    {"GET", "/api/v1/hello", h_hello, 0},
    {"POST", "/form", h_form, 0},
    {"POST", "/upload", h_form, T_UPLOAD},
    {"POST", "/json", h_json, 0},
    {"GET", "/slow", h_slow, T_SLOW},
    {"POST", "/slow", h_slow, T_SLOW},
    {"GET", "/fast", h_fast, 0},
    {"GET", "/big", h_big, 0},
    {"GET", "/nothing", h_nothing, 0},
    {"GET", "/cookie", h_cookie, 0},
};

static bool t_prepare(http_req_t *r)
{
    const char *method = http_route_method(r->method);
    bool other_method = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t ids[2];
        if (!http_path_match(routes[i].pattern, r->path, ids))
            continue;
        if (strcmp(routes[i].method, method) != 0) {
            other_method = true;
            continue;
        }
        r->app = (void *)&routes[i];
        r->body_limit = (routes[i].flags & T_UPLOAD) ? HTTP_MAX_UPLOAD : 0;
        r->run_slow = (routes[i].flags & T_SLOW) != 0;
        return true;
    }
    if (other_method)
        http_respond(r, 405, "text/plain", "method\n", 7);
    else
        http_respond(r, 404, "text/plain", "nf\n", 3);
    return false;
}

static void t_handle(http_req_t *r)
{
    const t_route_t *rt = r->app;
    rt->handler(r);
}

static void t_error(http_req_t *r, int status)
{
    char b[32];
    int n = snprintf(b, sizeof b, "hook %d", status);
    http_respond(r, status, "text/plain", b, (size_t)n);
}

/* --- a raw HTTP client --------------------------------------------------- */

typedef struct {
    int status;
    char *raw;
    char *body;
    size_t body_len;
    char *names[64];
    char *values[64];
    int nh;
} resp_t;

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may close early (413): read what it said */
        p += w;
        n -= (size_t)w;
    }
}

static void read_response(int fd, resp_t *out)
{
    buf_t b;
    buf_init(&b);
    char chunk[8192];
    ssize_t n;
    while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0)
        buf_append(&b, chunk, (size_t)n);
    memset(out, 0, sizeof *out);
    out->raw = b.data ? b.data : calloc(1, 1);
    size_t total = b.len;
    char *sep = strstr(out->raw, "\r\n\r\n");
    if (!sep)
        return;
    *sep = '\0';
    out->body = sep + 4;
    out->body_len = total - (size_t)(out->body - out->raw);
    sscanf(out->raw, "HTTP/1.%*d %d", &out->status);
    char *save, *line = strtok_r(out->raw, "\r\n", &save);
    while ((line = strtok_r(NULL, "\r\n", &save)) && out->nh < 64) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        out->names[out->nh] = line;
        out->values[out->nh++] = v;
    }
}

static void request(int port, const char *req, size_t len, resp_t *out)
{
    int fd = connect_to(port);
    assert_true(fd >= 0);
    send_all(fd, req, len);
    read_response(fd, out);
    close(fd);
}

static void req_str(int port, const char *req, resp_t *out)
{
    request(port, req, strlen(req), out);
}

static const char *hdr(const resp_t *r, const char *name, int nth)
{
    for (int i = 0; i < r->nh; i++)
        if (strcasecmp(r->names[i], name) == 0 && nth-- == 0)
            return r->values[i];
    return NULL;
}

static void resp_free(resp_t *r)
{
    free(r->raw);
}

static int64_t ms_now(void)
{
    return now_ms_monotonic();
}

/* --- fixtures ------------------------------------------------------------ */

typedef struct {
    http_server_t *s;
    int port;
    char dir[64];
} fixture_t;

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/jouda-srv-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/site.css", f->dir);
    FILE *fp = fopen(path, "w");
    for (int i = 0; i < 200; i++)
        fprintf(fp, "body .x%d { padding: 1px; }\n", i);
    fclose(fp);
    if (http_static_load(f->dir) != 0)
        return -1;
    /* one libmicrohttpd thread: a slow handler would block everything
     * unless it really runs in the worker pool */
    http_config_t cfg = {.listen = "127.0.0.1:0", .threads = 1, .workers = 2,
                         .prepare = t_prepare, .handle = t_handle, .error = t_error};
    char err[256] = "";
    f->s = http_server_start(&cfg, err, sizeof err);
    if (!f->s) {
        fprintf(stderr, "start: %s\n", err);
        return -1;
    }
    f->port = http_server_port(f->s);
    *state = f;
    return f->port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f->s)
        http_server_stop(f->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* --- tests --------------------------------------------------------------- */

static void test_get_and_headers(void **state)
{
    fixture_t *f = *state;
    resp_t r;
    req_str(f->port, "GET /hello?q=x%20y&q=2 HTTP/1.1\r\nHost: t\r\nCookie: c=zz; other=1\r\n"
                     "X-CSRF-Token: tok\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello q=x y c=zz api=0 ip=127.0.0.1 csrf=tok");
    assert_string_equal(hdr(&r, "Content-Type", 0), "text/plain; charset=utf-8");
    assert_string_equal(hdr(&r, "Content-Security-Policy", 0),
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    assert_string_equal(hdr(&r, "X-Content-Type-Options", 0), "nosniff");
    assert_string_equal(hdr(&r, "Referrer-Policy", 0), "same-origin");
    assert_string_equal(hdr(&r, "X-Frame-Options", 0), "DENY");
    assert_string_equal(hdr(&r, "Cache-Control", 0), "no-store");
    assert_null(hdr(&r, "Vary", 0)); /* small body: no gzip */
    resp_free(&r);

    req_str(f->port, "GET /api/v1/hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello q=(null) c=(null) api=1 ip=127.0.0.1 csrf=(null)");
    resp_free(&r);

    req_str(f->port, "HEAD /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    resp_free(&r);

    req_str(f->port, "GET /missing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(hdr(&r, "X-Frame-Options", 0), "DENY");
    resp_free(&r);

    req_str(f->port, "DELETE /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);

    /* no response set by the handler: 500 */
    req_str(f->port, "GET /nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 500);
    resp_free(&r);

    /* own Cache-Control kept, Set-Cookie repeated */
    req_str(f->port, "GET /cookie HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Cache-Control", 0), "private, max-age=60");
    assert_null(hdr(&r, "Cache-Control", 1));
    assert_string_equal(hdr(&r, "Set-Cookie", 0), "a=1; Path=/; SameSite=Lax; HttpOnly");
    assert_string_equal(hdr(&r, "Set-Cookie", 1), "b=2; Path=/; SameSite=Lax; Max-Age=60");
    resp_free(&r);
}

/* libmicrohttpd decodes the path into a C string: a %00 would cut it. */
static void test_nul_in_path(void **state)
{
    fixture_t *f = *state;
    resp_t r;
    static const char *const nul[] = {"/hello%00", "/hello%00x", "/api/v1/hello%00.json", "/%00",
                                      "/static/site.css%00.map", "/hel%25%00lo"};
    for (size_t i = 0; i < ARRAY_LEN(nul); i++) {
        char req[256];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", nul[i]);
        req_str(f->port, req, &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(r.body, "hook 400"); /* the application's error page */
        assert_string_equal(hdr(&r, "X-Content-Type-Options", 0), "nosniff");
        resp_free(&r);
    }
    /* "%2500" is the three characters %00, not a NUL; the query keeps its lengths */
    req_str(f->port, "GET /hello%2500 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    req_str(f->port, "GET /hello?q=a%00b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_fd_and_no_store(void **state)
{
    fixture_t *f = *state;
    resp_t r;
    req_str(f->port, "GET /file HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 3000);
    assert_true(strncmp(r.body, "line 0000\nline 0001\n", 20) == 0);
    assert_true(strncmp(r.body + 2990, "line 0299\n", 10) == 0);
    assert_string_equal(hdr(&r, "Content-Length", 0), "3000");
    assert_null(hdr(&r, "Content-Encoding", 0));
    assert_string_equal(hdr(&r, "Content-Type", 0), "text/plain; charset=utf-8");
    resp_free(&r);

    req_str(f->port, "GET /nostore HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Cache-Control", 0), "no-store");
    assert_null(hdr(&r, "Cache-Control", 1));
    resp_free(&r);
}

/* One line per request on stderr: method, path without the query, status, time. */
static void test_log_line(void **state)
{
    fixture_t *f = *state;
    char path[] = "/tmp/jouda-log-XXXXXX";
    int lfd = mkstemp(path);
    assert_true(lfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(lfd, 2);
    resp_t r;
    req_str(f->port, "GET /hello?token=s3cr3t HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    char text[4096] = "";
    for (int i = 0; i < 100 && !strstr(text, "ms\n"); i++) {
        usleep(10000);
        ssize_t n = pread(lfd, text, sizeof text - 1, 0);
        text[n > 0 ? n : 0] = '\0';
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(lfd);
    unlink(path);
    assert_non_null(strstr(text, "GET /hello 200 "));
    assert_non_null(strstr(text, "ms\n"));
    assert_null(strstr(text, "s3cr3t"));
    assert_null(strstr(text, "token"));
}

static void test_keep_alive(void **state)
{
    fixture_t *f = *state;
    int fd = connect_to(f->port);
    assert_true(fd >= 0);
    const char *two = "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"
                      "GET /hello?q=2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    send_all(fd, two, strlen(two));
    buf_t b;
    buf_init(&b);
    char chunk[4096];
    ssize_t n;
    while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0)
        buf_append(&b, chunk, (size_t)n);
    close(fd);
    assert_non_null(b.data);
    char *second = strstr(b.data + 1, "HTTP/1.1 200");
    assert_true(strncmp(b.data, "HTTP/1.1 200", 12) == 0);
    assert_non_null(second);
    assert_non_null(strstr(second, "hello q=2"));
    buf_free(&b);
}

/* POST path with a body of the given type; Content-Length says its length. */
static void post(int port, const char *path, const char *type, const char *body, resp_t *out)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                     "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
                     path, type, strlen(body), body);
    request(port, req, (size_t)n, out); /* the bodies here are short */
}

static void test_bodies(void **state)
{
    fixture_t *f = *state;
    resp_t r;
    const char *form = "application/x-www-form-urlencoded";
    post(f->port, "/form", form, "a=1&b=h%C3%A9+x&", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "a=1 b=h\xc3\xa9 x file=-:0");
    resp_free(&r);

    post(f->port, "/form", form, "a=%zz", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "hook 400");
    assert_string_equal(hdr(&r, "X-Content-Type-Options", 0), "nosniff");
    resp_free(&r);

    const char *mp_body = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv1\r\n"
                          "--XX\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"f.bin\"\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n\x01\x02\r\n\x03\r\n--XX--\r\n";
    post(f->port, "/upload", "multipart/form-data; boundary=XX", mp_body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "a=v1 b=(null) file=f.bin:5");
    resp_free(&r);

    /* a multipart body without its final boundary */
    post(f->port, "/form", "multipart/form-data; boundary=XX", "--XX\r\nab", &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);

    post(f->port, "/json", "application/json; charset=utf-8", "{\"k\":\"v\"}\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "k=v");
    resp_free(&r);

    post(f->port, "/json", "application/json", "{\"k\":\"v\",\"k\":\"w\"}", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "hook 400");
    resp_free(&r);

    post(f->port, "/json", "application/json", "{\"k", &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
}

static void test_limits(void **state)
{
    fixture_t *f = *state;
    resp_t r;
    /* announced too large: answered before the body is read */
    req_str(f->port,
            "POST /form HTTP/1.1\r\nHost: t\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048577\r\n\r\n", &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "hook 413");
    resp_free(&r);

    /* the same size is fine on an upload route */
    size_t len = 1048577 + 100;
    char *big = malloc(len + 512);
    int h = snprintf(big, 512,
                     "POST /upload HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\na=",
                     len);
    memset(big + h, 'x', len - 2);
    request(f->port, big, (size_t)h + len - 2, &r);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.body, "a=xxx", 5) == 0);
    resp_free(&r);

    /* chunked, no length announced: counted while reading, 413 at the end */
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "POST /form HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 20; i++) {
        buf_printf(&b, "%x\r\n", 65536);
        size_t at = b.len;
        buf_append(&b, big + h, 65536);
        (void)at;
        buf_puts(&b, "\r\n");
    }
    buf_puts(&b, "0\r\n\r\n");
    request(f->port, b.data, b.len, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "hook 413");
    buf_free(&b);
    resp_free(&r);
    free(big);

    /* the server still works */
    req_str(f->port, "GET /fast HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_gzip(void **state)
{
    fixture_t *f = *state;
    resp_t plain, gz;
    req_str(f->port, "GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &plain);
    assert_int_equal(plain.status, 200);
    assert_null(hdr(&plain, "Content-Encoding", 0));
    assert_string_equal(hdr(&plain, "Vary", 0), "Accept-Encoding");
    assert_true(plain.body_len > 1024);

    req_str(f->port, "GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n", &gz);
    assert_int_equal(gz.status, 200);
    assert_string_equal(hdr(&gz, "Content-Encoding", 0), "gzip");
    assert_string_equal(hdr(&gz, "Vary", 0), "Accept-Encoding");
    assert_true(gz.body_len < plain.body_len / 3);
    buf_t out;
    buf_init(&out);
    test_gunzip(gz.body, gz.body_len, &out);
    assert_int_equal(out.len, plain.body_len);
    assert_memory_equal(out.data, plain.body, plain.body_len);
    buf_free(&out);
    resp_free(&gz);

    req_str(f->port, "GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0\r\nConnection: close\r\n\r\n", &gz);
    assert_null(hdr(&gz, "Content-Encoding", 0));
    assert_int_equal(gz.body_len, plain.body_len);
    resp_free(&gz);
    resp_free(&plain);
}

static void test_static(void **state)
{
    fixture_t *f = *state;
    resp_t r;
    const char *url = http_static_url("site.css");
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n", url);
    req_str(f->port, req, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Cache-Control", 0), "public, max-age=31536000, immutable");
    assert_null(hdr(&r, "Cache-Control", 1));
    assert_string_equal(hdr(&r, "Content-Encoding", 0), "gzip");
    assert_null(hdr(&r, "Content-Encoding", 1)); /* not compressed twice */
    assert_string_equal(hdr(&r, "Content-Type", 0), "text/css; charset=utf-8");
    assert_string_equal(hdr(&r, "X-Content-Type-Options", 0), "nosniff");
    char etag[40];
    snprintf(etag, sizeof etag, "%s", hdr(&r, "ETag", 0));
    resp_free(&r);

    snprintf(req, sizeof req, "GET /static/site.css HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\nConnection: close\r\n\r\n", etag);
    req_str(f->port, req, &r);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body_len, 0);
    resp_free(&r);

    req_str(f->port, "GET /static/none.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(hdr(&r, "Cache-Control", 0), "no-store");
    resp_free(&r);
}

typedef struct {
    int port;
    const char *req;
    resp_t resp;
    int64_t ms;
} bg_t;

static void *bg_request(void *arg)
{
    bg_t *b = arg;
    int64_t t0 = ms_now();
    int fd = connect_to(b->port);
    if (fd >= 0) {
        send_all(fd, b->req, strlen(b->req));
        read_response(fd, &b->resp);
        close(fd);
    }
    b->ms = ms_now() - t0;
    return NULL;
}

static void test_slow_route(void **state)
{
    fixture_t *f = *state;
    bg_t slow = {.port = f->port, .req = "GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"};
    bg_t slow2 = {.port = f->port,
                  .req = "POST /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                         "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=1"};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, bg_request, &slow);
    pthread_create(&t2, NULL, bg_request, &slow2);
    for (int i = 0; i < 200 && atomic_load(&g_slow_running) < 2; i++)
        usleep(5000);
    assert_int_equal(atomic_load(&g_slow_running), 2);
    /* both workers busy, the only server thread free: served at once */
    bg_t fast = {.port = f->port, .req = "GET /fast HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"};
    bg_request(&fast);
    assert_int_equal(fast.resp.status, 200);
    assert_string_equal(fast.resp.body, "fast");
    assert_true(fast.ms < 800); /* the slow ones take 1000 ms */
    assert_int_equal(atomic_load(&g_slow_running), 2); /* the slow ones still run */
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(slow.resp.status, 200);
    assert_string_equal(slow.resp.body, "slow done");
    assert_string_equal(hdr(&slow.resp, "Cache-Control", 0), "no-store");
    assert_true(slow.ms >= 1000);
    assert_int_equal(slow2.resp.status, 200);
    resp_free(&slow.resp);
    resp_free(&slow2.resp);
    resp_free(&fast.resp);
}

static void test_graceful_stop(void **state)
{
    fixture_t *f = *state;
    bg_t slow = {.port = f->port, .req = "GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"};
    pthread_t t;
    pthread_create(&t, NULL, bg_request, &slow);
    for (int i = 0; i < 200 && atomic_load(&g_slow_running) < 1; i++)
        usleep(5000);
    assert_int_equal(atomic_load(&g_slow_running), 1);
    int64_t t0 = ms_now();
    http_server_stop(f->s);
    f->s = NULL;
    assert_true(ms_now() - t0 < 5000);
    pthread_join(t, NULL);
    assert_int_equal(slow.resp.status, 200);
    assert_string_equal(slow.resp.body, "slow done");
    assert_string_equal(hdr(&slow.resp, "Connection", 0), "close");
    resp_free(&slow.resp);
    /* nobody listens any more */
    int fd = connect_to(f->port);
    assert_true(fd < 0);
}

static void test_listen_parsing(void **state)
{
    (void)state;
    const char *bad[] = {"nonsense", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:8x",
                         "::1:8080", "[::1]8080", "[::1", "300.1.1.1:80", "host name:80"};
    http_config_t cfg = {.threads = 2, .prepare = t_prepare, .handle = t_handle};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        cfg.listen = bad[i];
        http_server_t *s = http_server_start(&cfg, err, sizeof err);
        if (s)
            fail_msg("%s accepted", bad[i]);
        assert_non_null(strstr(err, "listen"));
    }
    /* several libmicrohttpd threads, and the default thread count */
    int counts[] = {4, 0};
    for (size_t i = 0; i < 2; i++) {
        char err[256] = "";
        cfg.listen = "127.0.0.1:0";
        cfg.threads = counts[i];
        http_server_t *s = http_server_start(&cfg, err, sizeof err);
        assert_non_null(s);
        for (int k = 0; k < 8; k++) {
            resp_t r;
            req_str(http_server_port(s), "GET /fast HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r);
            assert_int_equal(r.status, 200);
            resp_free(&r);
        }
        http_server_stop(s);
    }
    /* the port is taken */
    {
        char err[256] = "";
        cfg.listen = "127.0.0.1:0";
        http_server_t *a = http_server_start(&cfg, err, sizeof err);
        assert_non_null(a);
        char taken[32];
        snprintf(taken, sizeof taken, "127.0.0.1:%d", http_server_port(a));
        cfg.listen = taken;
        http_server_t *b = http_server_start(&cfg, err, sizeof err);
        assert_null(b);
        assert_true(err[0] != '\0');
        http_server_stop(a);
    }
    /* IPv6 loopback, when the host has it */
    char err[256] = "";
    cfg.listen = "[::1]:0";
    http_server_t *s = http_server_start(&cfg, err, sizeof err);
    if (s) {
        assert_true(http_server_port(s) > 0);
        http_server_stop(s);
    } else {
        assert_true(err[0] != '\0');
    }
}

/* X-Forwarded-* are honoured only when configured, and only from the proxy's
 * exact address (not from the rest of 127.0.0.0/8); Strict-Transport-Security
 * only when that proxy says https. */
static void test_trust_proxy(void **state)
{
    (void)state;
    const char *req = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Forwarded-Proto: https\r\n"
                      "X-Forwarded-For: 6.6.6.6, 203.0.113.9\r\nConnection: close\r\n\r\n";
    const char *proxies[] = {NULL, "127.0.0.1", "127.0.0.2", "::1"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++) {
        bool trusted = i == 1; /* the test connects from 127.0.0.1 */
        http_config_t cfg = {.listen = "127.0.0.1:0", .threads = 1, .trust_proxy = proxies[i],
                             .prepare = t_prepare, .handle = t_handle};
        char err[256];
        http_server_t *s = http_server_start(&cfg, err, sizeof err);
        assert_non_null(s);
        resp_t r;
        req_str(http_server_port(s), req, &r);
        assert_int_equal(r.status, 200);
        if (trusted) {
            assert_string_equal(r.body, "hello q=(null) c=(null) api=0 ip=203.0.113.9 csrf=(null) tls");
            assert_string_equal(hdr(&r, "Strict-Transport-Security", 0),
                                "max-age=31536000; includeSubDomains");
        } else {
            assert_string_equal(r.body, "hello q=(null) c=(null) api=0 ip=127.0.0.1 csrf=(null)");
            assert_null(hdr(&r, "Strict-Transport-Security", 0));
        }
        resp_free(&r);
        req_str(http_server_port(s), "GET /hello HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: junk\r\n"
                "Connection: close\r\n\r\n", &r);
        assert_string_equal(r.body, "hello q=(null) c=(null) api=0 ip=127.0.0.1 csrf=(null)");
        assert_null(hdr(&r, "Strict-Transport-Security", 0));
        resp_free(&r);
        http_server_stop(s);
    }
    http_config_t bad = {.listen = "127.0.0.1:0", .threads = 1, .trust_proxy = "127.0.0.0/8",
                         .prepare = t_prepare, .handle = t_handle};
    char err[256] = "";
    assert_null(http_server_start(&bad, err, sizeof err));
    assert_non_null(strstr(err, "127.0.0.0/8"));
}

/* The proxy's address: one literal IPv4 or IPv6 address, nothing else. */
static void test_addr_parse(void **state)
{
    (void)state;
    http_addr_t a;
    assert_true(http_addr_parse("127.0.0.1", &a));
    assert_int_equal(a.family, AF_INET);
    assert_memory_equal(a.bytes, "\x7f\0\0\x01", 4);
    assert_true(http_addr_parse("::1", &a));
    assert_int_equal(a.family, AF_INET6);
    assert_true(http_addr_parse("[2001:db8::7]", &a));
    assert_int_equal(a.family, AF_INET6);
    assert_int_equal(a.bytes[15], 7);
    const char *bad[] = {"", "localhost", "127.0.0.0/8", "127.0.0.1:8080", "300.1.1.1", "127.1",
                         "[::1", "::1]", "[127.0.0.1]", " 127.0.0.1", "127.0.0.1 ", "1.2.3.4.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(http_addr_parse(bad[i], &a));
    assert_false(http_addr_parse(NULL, &a));

    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
    struct sockaddr_in6 mapped = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
    http_addr_parse("127.0.0.1", &a);
    assert_true(http_addr_is(&a, (struct sockaddr *)&in));
    assert_true(http_addr_is(&a, (struct sockaddr *)&mapped));
    inet_pton(AF_INET, "127.0.0.2", &in.sin_addr);
    assert_false(http_addr_is(&a, (struct sockaddr *)&in));
    http_addr_parse("::1", &a);
    assert_false(http_addr_is(&a, (struct sockaddr *)&mapped));
    http_addr_t none = {0};
    assert_false(http_addr_is(&none, (struct sockaddr *)&in));
}

/* Log escaping: one field whatever the path holds, and it decodes back. */
static void test_log_escape(void **state)
{
    (void)state;
    char out[64];
    http_log_escape(out, sizeof out, "/a b\"c'd\\e%f\x01\x7f\xc3\xa9/ok");
    assert_string_equal(out, "/a%20b%22c%27d%5Ce%25f%01%7F%C3%A9/ok");
    http_log_escape(out, 6, "/ab cd"); /* no half escape at the end */
    assert_string_equal(out, "/ab");
    http_log_escape(out, sizeof out, "");
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_in_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fd_and_no_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_graceful_stop, setup, teardown),
        cmocka_unit_test(test_listen_parsing),
        cmocka_unit_test(test_trust_proxy),
        cmocka_unit_test(test_addr_parse),
        cmocka_unit_test(test_log_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
