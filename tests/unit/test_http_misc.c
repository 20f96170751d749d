/* test_http_misc.c - response helpers (Set-Cookie, headers, redirects),
 * Accept-Encoding negotiation with q-values, gzip round trip through zlib's
 * inflate, and the static assets (ETag, 304, gzip copy, cache-busting URL). */
#include "testutil.h"

#include <sys/stat.h>

static const char *header(const http_req_t *r, const char *name, int nth)
{
    for (const http_kv_t *h = r->resp_headers; h; h = h->next)
        if (strcmp(h->key, name) == 0 && nth-- == 0)
            return h->val;
    return NULL;
}

/* --- cookies and headers ------------------------------------------------- */

static void test_set_cookie(void **state)
{
    (void)state;
    http_req_t *r = test_http_req(NULL, NULL);
    http_set_cookie(r, "sid", "abc", -1, true);
    http_set_cookie(r, "lang", "ar", 31536000, false);
    http_set_cookie(r, "sid", "", 0, true);
    assert_string_equal(header(r, "Set-Cookie", 0), "sid=abc; Path=/; SameSite=Lax; HttpOnly");
    assert_string_equal(header(r, "Set-Cookie", 1), "lang=ar; Path=/; SameSite=Lax; Max-Age=31536000");
    assert_string_equal(header(r, "Set-Cookie", 2), "sid=; Path=/; SameSite=Lax; Max-Age=0; HttpOnly");
    assert_null(header(r, "Set-Cookie", 3));
    test_http_req_free(r);

    r = test_http_req(NULL, NULL);
    r->tls = true;
    http_set_cookie(r, "sid", "x", -1, true);
    assert_string_equal(header(r, "Set-Cookie", 0), "sid=x; Path=/; SameSite=Lax; HttpOnly; Secure");
    /* nothing that could add an attribute or split the header */
    http_set_cookie(r, "sid", "a; Domain=evil", -1, true);
    http_set_cookie(r, "sid", "a\r\nX: 1", -1, true);
    http_set_cookie(r, "s=id", "a", -1, true);
    http_set_cookie(r, "", "a", -1, true);
    assert_null(header(r, "Set-Cookie", 1));
    test_http_req_free(r);
}

static void test_headers_and_redirect(void **state)
{
    (void)state;
    http_req_t *r = test_http_req(NULL, NULL);
    http_add_header(r, "X-A", "1");
    http_add_header(r, "X-Bad", "a\r\nSet-Cookie: evil=1");
    http_add_header(r, "X-B", "2");
    assert_string_equal(r->resp_headers->key, "X-A");
    assert_string_equal(r->resp_headers->next->key, "X-B");
    assert_null(r->resp_headers->next->next);

    http_redirect(r, "/admin/nodes?x=1");
    assert_int_equal(r->status, 303);
    assert_string_equal(header(r, "Location", 0), "/admin/nodes?x=1");
    test_http_req_free(r);

    r = test_http_req(NULL, NULL);
    http_redirect(r, "/a\nb");
    assert_string_equal(header(r, "Location", 0), "/");
    test_http_req_free(r);

    r = test_http_req(NULL, NULL);
    http_respond(r, 404, "text/plain", "nope", 4);
    assert_int_equal(r->status, 404);
    assert_string_equal(r->resp_type, "text/plain");
    assert_int_equal(r->resp_body.len, 4);
    static const char blob[] = "static";
    http_respond_static(r, 200, "text/css", blob, 6);
    assert_int_equal(r->resp_body.len, 0); /* replaced, not appended */
    assert_ptr_equal(r->resp_static, blob);
    http_respond(r, 200, "text/html", "<p>", 3);
    assert_null(r->resp_static);
    assert_string_equal(r->resp_body.data, "<p>");
    /* a body taken from the response buffer itself */
    buf_puts(&r->resp_body, "abcdef");
    http_respond(r, 200, "text/plain", r->resp_body.data + 4, 4);
    assert_string_equal(r->resp_body.data, "bcde"); /* "<p>abcdef" + 4 */
    test_http_req_free(r);
}

/* --- gzip ---------------------------------------------------------------- */

static void test_accepts_gzip(void **state)
{
    (void)state;
    assert_false(http_accepts_gzip(NULL));
    assert_false(http_accepts_gzip(""));
    assert_true(http_accepts_gzip("gzip"));
    assert_true(http_accepts_gzip("gzip, deflate, br"));
    assert_true(http_accepts_gzip("deflate, GZIP;q=0.5"));
    assert_true(http_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
    assert_true(http_accepts_gzip("x-gzip"));
    assert_true(http_accepts_gzip("*"));
    assert_true(http_accepts_gzip("identity, *;q=0.5"));
    assert_true(http_accepts_gzip("gzip;q=0.001"));
    assert_true(http_accepts_gzip("gzip ; q = 1"));
    assert_false(http_accepts_gzip("gzip;q=0"));
    assert_false(http_accepts_gzip("gzip;q=0.0"));
    assert_false(http_accepts_gzip("gzip;q=0.000"));
    assert_false(http_accepts_gzip("gzip; q=0, *"));  /* explicit refusal beats * */
    assert_false(http_accepts_gzip("*;q=0"));
    assert_false(http_accepts_gzip("*;q=0, deflate"));
    assert_false(http_accepts_gzip("deflate, br"));
    assert_false(http_accepts_gzip("gzipx, xgzip"));
    assert_false(http_accepts_gzip("identity"));
}

static void test_gzip_round_trip(void **state)
{
    (void)state;
    buf_t src;
    buf_init(&src);
    for (int i = 0; i < 5000; i++)
        buf_printf(&src, "<tr><td>%d</td><td>\xd9\x85\xd8\xa4\xd8\xb3\xd8\xb3\xd8\xa9 %d</td></tr>\n", i, i * 7);
    buf_append(&src, "\0\xff\x01", 3);
    void *gz;
    size_t gl;
    assert_int_equal(http_gzip(src.data, src.len, &gz, &gl), 0);
    assert_true(gl < src.len / 4);
    const unsigned char *g = gz;
    assert_int_equal(g[0], 0x1f); /* gzip magic */
    assert_int_equal(g[1], 0x8b);
    buf_t out;
    buf_init(&out);
    assert_int_equal(test_gunzip(gz, gl, &out), 0);
    assert_int_equal(out.len, src.len);
    assert_memory_equal(out.data, src.data, src.len);
    free(gz);
    buf_free(&out);

    /* empty input is a valid, empty gzip stream */
    assert_int_equal(http_gzip("", 0, &gz, &gl), 0);
    buf_init(&out);
    assert_int_equal(test_gunzip(gz, gl, &out), 0);
    assert_int_equal(out.len, 0);
    free(gz);
    buf_free(&out);
    buf_free(&src);
}

/* --- static assets ------------------------------------------------------- */

static char g_dir[64];

static void write_file(const char *name, const char *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int static_setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/jouda-static-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/img", g_dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/img/deep", g_dir);
    mkdir(sub, 0700);
    buf_t css;
    buf_init(&css);
    for (int i = 0; i < 400; i++)
        buf_printf(&css, ".c%d { color: #123456; margin: 0 auto; }\n", i);
    write_file("jouda.css", css.data, css.len);
    buf_free(&css);
    write_file("app.js", "console.log(1);\n", 16);
    write_file("img/logo.png", "\x89PNG\r\n\x1a\n....", 12);
    write_file("img/deep/too-deep.txt", "x", 1);
    write_file(".hidden", "secret", 6);
    return http_static_load(g_dir);
}

static int static_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static http_req_t *get(const char *method, const char *path, const char *inm, const char *ae)
{
    http_req_t *r = test_http_req(method, path);
    r->if_none_match = inm;
    r->accept_encoding = ae;
    return r;
}

static void test_static(void **state)
{
    (void)state;
    /* outside /static/ or not GET/HEAD: not ours */
    http_req_t *r = get("GET", "/admin", NULL, NULL);
    assert_false(http_static_serve(r));
    assert_int_equal(r->status, 0);
    test_http_req_free(r);
    r = get("POST", "/static/jouda.css", NULL, NULL);
    assert_false(http_static_serve(r));
    test_http_req_free(r);

    const char *url = http_static_url("jouda.css");
    assert_true(strncmp(url, "/static/jouda.css?v=", 20) == 0);
    assert_int_equal(strlen(url), 20 + 16);
    assert_ptr_equal(http_static_url("jouda.css"), url); /* stable storage */
    char etag[32];
    snprintf(etag, sizeof etag, "\"%s\"", url + 20);

    r = get("GET", "/static/jouda.css", NULL, NULL);
    assert_true(http_static_serve(r));
    assert_int_equal(r->status, 200);
    assert_string_equal(r->resp_type, "text/css; charset=utf-8");
    assert_non_null(r->resp_static);
    assert_true(r->resp_no_gzip);
    assert_string_equal(header(r, "ETag", 0), etag);
    assert_string_equal(header(r, "Cache-Control", 0), "public, max-age=31536000, immutable");
    assert_string_equal(header(r, "Vary", 0), "Accept-Encoding");
    assert_null(header(r, "Content-Encoding", 0));
    assert_true(memcmp(r->resp_static, ".c0 {", 5) == 0);
    size_t plain_len = r->resp_static_len;
    test_http_req_free(r);

    r = get("GET", "/static/jouda.css", NULL, "br, gzip");
    assert_true(http_static_serve(r));
    assert_int_equal(r->status, 200);
    assert_string_equal(header(r, "Content-Encoding", 0), "gzip");
    assert_true(r->resp_static_len < plain_len);
    buf_t out;
    buf_init(&out);
    assert_int_equal(test_gunzip(r->resp_static, r->resp_static_len, &out), 0);
    assert_int_equal(out.len, plain_len);
    buf_free(&out);
    test_http_req_free(r);

    r = get("HEAD", "/static/jouda.css", "W/\"nope\", " "\"zzz\"", NULL);
    assert_true(http_static_serve(r));
    assert_int_equal(r->status, 200);
    test_http_req_free(r);

    char inm[64];
    snprintf(inm, sizeof inm, "\"other\", %s", etag);
    r = get("GET", "/static/jouda.css", inm, "gzip");
    assert_true(http_static_serve(r));
    assert_int_equal(r->status, 304);
    assert_int_equal(r->resp_static_len, 0);
    assert_string_equal(header(r, "ETag", 0), etag);
    test_http_req_free(r);

    r = get("GET", "/static/img/logo.png", NULL, "gzip");
    assert_true(http_static_serve(r));
    assert_int_equal(r->status, 200);
    assert_string_equal(r->resp_type, "image/png");
    assert_int_equal(r->resp_static_len, 12);
    assert_null(header(r, "Content-Encoding", 0)); /* not compressible */
    assert_null(header(r, "Vary", 0));
    test_http_req_free(r);

    r = get("GET", "/static/app.js", NULL, "gzip");
    assert_true(http_static_serve(r));
    assert_string_equal(r->resp_type, "text/javascript; charset=utf-8");
    assert_null(header(r, "Content-Encoding", 0)); /* gzip would not be smaller */
    test_http_req_free(r);

    const char *missing[] = {"/static/nope.css", "/static/.hidden", "/static/../etc/passwd",
                             "/static/img/deep/too-deep.txt", "/static/", "/static/img"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        r = get("GET", missing[i], NULL, NULL);
        assert_true(http_static_serve(r));
        if (r->status != 404)
            fail_msg("%s -> %d", missing[i], r->status);
        test_http_req_free(r);
    }
    assert_string_equal(http_static_url("nope.css"), "/static/nope.css");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_cookie),
        cmocka_unit_test(test_headers_and_redirect),
        cmocka_unit_test(test_accepts_gzip),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test_setup_teardown(test_static, static_setup, static_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
