/* test_router.c - route matching in two layers: the HTTP layer's path
 * patterns (http_path_match: literals, {id}/{id2}, rejected ids - zero,
 * leading zeros, signs, too long -, exact trailing slash), the method a
 * request is routed by and media types; then the application's matching
 * over every module's routes (wrong method, overlapping patterns, the order
 * of modules, the framework's own routes first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_internal.h"

/* --- path patterns (http) ---------------------------------------------------- */

static void test_path_match(void **state)
{
    (void)state;
    int64_t ids[2] = {7, 7};
    assert_true(http_path_match("/", "/", ids));
    assert_int_equal(ids[0], 0); /* no {id}: both zero */
    assert_int_equal(ids[1], 0);
    assert_true(http_path_match("/admin/nodes", "/admin/nodes", ids));
    assert_true(http_path_match("/admin/nodes/{id}", "/admin/nodes/42", ids));
    assert_int_equal(ids[0], 42);
    assert_int_equal(ids[1], 0);
    assert_true(http_path_match("/admin/nodes/{id}/edit", "/admin/nodes/42/edit", ids));
    assert_int_equal(ids[0], 42);
    assert_true(http_path_match("/admin/users/{id}/roles/{id2}/delete", "/admin/users/3/roles/900/delete", ids));
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 900);
    assert_true(http_path_match("/admin/nodes/{id}", "/admin/nodes/999999999999999999", ids)); /* 18 digits */
    assert_true(ids[0] == 999999999999999999LL);
    assert_true(http_path_match("/a/{id}", "/a/9", ids));
    assert_int_equal(ids[0], 9);

    /* exact: literal by byte, no prefix, no trailing slash either way */
    static const char *const no[][2] = {
        {"/admin/nodes", "/admin/node"},       {"/admin/nodes", "/admin/nodesx"},
        {"/admin/nodes", "/ADMIN/nodes"},      {"/admin/nodes", ""},
        {"/admin/nodes", "/admin/nodes/"},     {"/admin/nodes/", "/admin/nodes"},
        {"/admin/nodes/{id}", "/admin/nodes/5/"}, {"/admin/nodes/{id}", "/admin/nodes/"},
        {"/admin/nodes", "/admin//nodes"},     {"/", "//"},
        {"/admin/nodes/{id}/edit", "/admin/nodes/5"}, {"/admin/nodes/{id}", "/admin/nodes/5/edit"},
        {"/admin/nodes/new", "/admin/nodes/5"}, {"/admin/nodes/{id}", "/admin/nodes/new"},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (http_path_match(no[i][0], no[i][1], ids))
            fail_msg("\"%s\" matched \"%s\"", no[i][1], no[i][0]);

    /* an id segment is what core's id_parse reads, up to the next '/' */
    static const char *const bad[] = {
        "/admin/nodes/0",  "/admin/nodes/007", "/admin/nodes/-1",  "/admin/nodes/+1",
        "/admin/nodes/1a", "/admin/nodes/ 1",  "/admin/nodes/1.0", "/admin/nodes/1e3",
        "/admin/nodes/1000000000000000000", /* 19 digits */
        "/admin/nodes/9223372036854775807", /* INT64_MAX has 19 */
        "/admin/nodes/99999999999999999999999999", "/admin/nodes/x", "/admin/nodes/%31",
        "/admin/nodes/\xD9\xA3", /* an Arabic-Indic digit */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (http_path_match("/admin/nodes/{id}", bad[i], ids))
            fail_msg("%s matched", bad[i]);
    assert_false(http_path_match("/admin/users/{id}/roles/{id2}/delete", "/admin/users/3/roles/0/delete", ids));
    assert_false(http_path_match("/admin/users/{id}/roles/{id2}/delete", "/admin/users/0/roles/3/delete", ids));

    /* NULL pattern or path: no match */
    assert_false(http_path_match(NULL, "/", ids));
    assert_false(http_path_match("/", NULL, ids));
    /* a malformed pattern never matches */
    assert_false(http_path_match("/a/{id", "/a/1", ids));
    assert_false(http_path_match("/a/{id}/{id2}/{id3}", "/a/1/2/3", ids)); /* at most two ids */
}

static void test_route_method_and_media(void **state)
{
    (void)state;
    /* HEAD is routed as GET; the rest as they are */
    assert_string_equal(http_route_method("HEAD"), "GET");
    assert_string_equal(http_route_method("GET"), "GET");
    assert_string_equal(http_route_method("POST"), "POST");
    assert_string_equal(http_route_method("head"), "head"); /* methods are case-sensitive */
    assert_null(http_route_method(NULL));

    assert_true(http_media_is("application/json", "application/json"));
    assert_true(http_media_is("Application/JSON", "application/json"));
    assert_true(http_media_is("application/json; charset=utf-8", "application/json"));
    assert_true(http_media_is("application/json ;charset=utf-8", "application/json"));
    assert_true(http_media_is("  multipart/form-data; boundary=x", "multipart/form-data"));
    assert_false(http_media_is("application/jsonp", "application/json"));
    assert_false(http_media_is("application/js", "application/json"));
    assert_false(http_media_is("text/plain", "application/json"));
    assert_false(http_media_is("", "application/json"));
    assert_false(http_media_is(NULL, "application/json"));
    assert_false(http_media_is("application/json", NULL));
}

/* --- the application's routes ------------------------------------------------- */

static void h_a(req_t *r) { (void)r; }
static void h_b(req_t *r) { (void)r; }
static void h_c(req_t *r) { (void)r; }

static const route_t t1[] = {
    {"GET", "/help", PERM_PUBLIC, NULL, h_a, 0},
    {"GET", "/admin/nodes", PERM_ORG_READ, NULL, h_a, 0},
    {"GET", "/admin/nodes/new", PERM_AUTHENTICATED, NULL, h_b, 0},
    {"POST", "/admin/nodes", PERM_AUTHENTICATED, NULL, h_b, ROUTE_FORM},
    {"GET", "/admin/nodes/{id}", PERM_ORG_READ, NULL, h_c, 0},
    {"POST", "/admin/nodes/{id}", PERM_ORG_MANAGE, NULL, h_a, ROUTE_FORM},
    {"GET", "/admin/nodes/{id}/edit", PERM_ORG_MANAGE, NULL, h_b, 0},
    {"POST", "/admin/users/{id}/roles/{id2}/delete", PERM_USER_MANAGE, NULL, h_c, ROUTE_FORM},
    {"PATCH", "/api/v1/nodes/{id}", PERM_ORG_MANAGE, NULL, h_a, ROUTE_JSON},
    {"GET", "/", PERM_PUBLIC, NULL, h_a, 0}, /* shadowed by the framework's home page */
};
static const route_t t2[] = {
    {"GET", "/admin/nodes/{id}", PERM_ORG_READ, NULL, h_b, 0}, /* shadowed by t1 */
    {"GET", "/reports/{id}", PERM_QUALITY_READ, NULL, h_b, 0},
    {"DELETE", "/api/v1/nodes/{id}", PERM_ORG_MANAGE, NULL, h_b, 0},
};
static const module_t mod1 = {.name = "one", .routes = t1, .n_routes = sizeof t1 / sizeof t1[0]};
static const module_t mod2 = {.name = "two", .routes = t2, .n_routes = sizeof t2 / sizeof t2[0]};
static const module_t *const both[] = {&mod1, &mod2};

static int use_both(void **state)
{
    (void)state;
    app_use_modules(both, 2);
    return 0;
}

static match_t m(const char *method, const char *path, const route_t **rt, int64_t ids[2])
{
    return app_route_match(method, path, rt, ids);
}

static void test_literal(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2] = {7, 7};
    assert_int_equal(m("GET", "/help", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[0]);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 0);
    assert_int_equal(m("GET", "/admin/nodes", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[1]);
    assert_int_equal(m("POST", "/admin/nodes", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[3]);
    assert_int_equal(m("GET", "/admin/node", &rt, ids), MATCH_NOT_FOUND);
    assert_null(rt);
    assert_int_equal(m("GET", "/admin/nodesx", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", "", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", "/ADMIN/nodes", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", NULL, &rt, ids), MATCH_NOT_FOUND);
    assert_null(rt);
    assert_int_equal(m(NULL, "/admin/nodes", &rt, ids), MATCH_NOT_FOUND);
    assert_null(rt);
}

static void test_ids(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2];
    assert_int_equal(m("GET", "/admin/nodes/42", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[4]);
    assert_int_equal(ids[0], 42);
    assert_int_equal(m("GET", "/admin/nodes/42/edit", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[6]);
    assert_int_equal(ids[0], 42);
    assert_int_equal(m("POST", "/admin/users/3/roles/900/delete", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[7]);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 900);
    assert_int_equal(m("GET", "/admin/nodes/999999999999999999", &rt, ids), MATCH_OK);
    assert_true(ids[0] == 999999999999999999LL);
    assert_int_equal(m("GET", "/reports/5", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t2[1]);
    assert_int_equal(ids[0], 5);
}

static void test_bad_ids(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2];
    const char *bad[] = {
        "/admin/nodes/0",  "/admin/nodes/007", "/admin/nodes/-1",  "/admin/nodes/+1",
        "/admin/nodes/1a", "/admin/nodes/ 1",  "/admin/nodes/1.0", "/admin/nodes/1e3",
        "/admin/nodes/1000000000000000000", /* 19 digits */
        "/admin/nodes/99999999999999999999999999", "/reports/", "/reports/x",
        "/admin/users/3/roles/0/delete", /* the first id was read: still none comes back */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ids[0] = ids[1] = 7;
        match_t res = m(i == 12 ? "POST" : "GET", bad[i], &rt, ids);
        if (res != MATCH_NOT_FOUND)
            fail_msg("%s matched (%d)", bad[i], (int)res);
        assert_null(rt);
        assert_int_equal(ids[0], 0);
        assert_int_equal(ids[1], 0);
    }
}

static void test_bad_method(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2];
    assert_int_equal(m("DELETE", "/admin/nodes", &rt, ids), MATCH_BAD_METHOD);
    assert_null(rt);
    assert_int_equal(m("PUT", "/admin/nodes/3", &rt, ids), MATCH_BAD_METHOD);
    assert_int_equal(ids[0], 0); /* nothing matched: no id either */
    assert_int_equal(m("GET", "/api/v1/nodes/3", &rt, ids), MATCH_BAD_METHOD);
    /* a method present only in the second module */
    assert_int_equal(m("DELETE", "/api/v1/nodes/3", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t2[2]);
    assert_int_equal(ids[0], 3);
    /* a bad id is not found, not a bad method */
    assert_int_equal(m("PUT", "/admin/nodes/0", &rt, ids), MATCH_NOT_FOUND);
    /* HEAD is served by GET routes */
    assert_int_equal(m("HEAD", "/admin/nodes", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[1]);
    assert_int_equal(m("get", "/admin/nodes", &rt, ids), MATCH_BAD_METHOD);
    /* the framework's own routes answer other methods the same way */
    assert_int_equal(m("POST", "/healthz", &rt, ids), MATCH_BAD_METHOD);
}

static void test_trailing_slash(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2];
    assert_int_equal(m("GET", "/admin/nodes/", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", "/admin/nodes/5/", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", "//", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", "/admin//nodes", &rt, ids), MATCH_NOT_FOUND);
    assert_int_equal(m("GET", "/help/", &rt, ids), MATCH_NOT_FOUND);
}

static void test_overlap_and_order(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2];
    /* "new" is not an id: the literal route answers */
    assert_int_equal(m("GET", "/admin/nodes/new", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[2]);
    assert_int_equal(ids[0], 0);
    /* both modules have GET /admin/nodes/{id}: the first module wins */
    assert_int_equal(m("GET", "/admin/nodes/8", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[4]);
    assert_ptr_equal(rt->handler, h_c);
    /* the framework's own module comes before those given: its home page
     * and health check cannot be taken over */
    const module_t *core = app_module(0);
    assert_non_null(core);
    assert_ptr_not_equal(core, &mod1);
    assert_int_equal(m("GET", "/", &rt, ids), MATCH_OK);
    assert_ptr_not_equal(rt, &t1[9]);
    assert_true(rt >= core->routes && rt < core->routes + core->n_routes);
    assert_int_equal(m("GET", "/healthz", &rt, ids), MATCH_OK);
    assert_true(rt >= core->routes && rt < core->routes + core->n_routes);
    assert_int_equal(rt->perm, PERM_PUBLIC);

    /* the order is the one given */
    static const module_t *const reversed[] = {&mod2, &mod1};
    app_use_modules(reversed, 2);
    assert_int_equal(m("GET", "/admin/nodes/8", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t2[0]);
    assert_ptr_equal(rt->handler, h_b);

    /* no module given: the framework's routes alone */
    app_use_modules(NULL, 0);
    assert_int_equal(m("GET", "/admin/nodes/8", &rt, ids), MATCH_NOT_FOUND);
    assert_null(rt);
    assert_int_equal(m("GET", "/healthz", &rt, ids), MATCH_OK);
    app_use_modules(both, 2);
}

/* An export is the resource's path with a suffix ("/x/{id}.csv"): the id
 * ends at the dot only where the pattern has one. */
static void test_path_match_suffix(void **state)
{
    (void)state;
    int64_t ids[2];
    assert_true(http_path_match("/api/v1/referentiels/{id}.csv", "/api/v1/referentiels/5.csv", ids));
    assert_int_equal(ids[0], 5);
    assert_false(http_path_match("/api/v1/referentiels/{id}", "/api/v1/referentiels/5.csv", ids));
    assert_false(http_path_match("/api/v1/referentiels/{id}.csv", "/api/v1/referentiels/5", ids));
    assert_false(http_path_match("/api/v1/referentiels/{id}.csv", "/api/v1/referentiels/5.csvx", ids));
    assert_false(http_path_match("/api/v1/referentiels/{id}.csv", "/api/v1/referentiels/5.xlsx", ids));
    assert_true(http_path_match("/c/{id}/results.xlsx", "/c/12/results.xlsx", ids));
    assert_int_equal(ids[0], 12);
}

/* A final {code} takes a criterion's code, nothing with a slash or a space. */
static void test_path_match_code(void **state)
{
    (void)state;
    int64_t ids[2];
    assert_true(http_path_match("/c/{id}/ratings/{code}", "/c/7/ratings/1.2.3", ids));
    assert_int_equal(ids[0], 7);
    assert_true(http_path_match("/c/{id}/ratings/{code}", "/c/7/ratings/A_b-9", ids));
    assert_false(http_path_match("/c/{id}/ratings/{code}", "/c/7/ratings/", ids));
    assert_false(http_path_match("/c/{id}/ratings/{code}", "/c/7/ratings/1/2", ids));
    assert_false(http_path_match("/c/{id}/ratings/{code}", "/c/7/ratings/1 2", ids));
    char long_code[80];
    memset(long_code, 'x', 65);
    long_code[65] = 0;
    char path[120];
    snprintf(path, sizeof path, "/c/7/ratings/%s", long_code);
    assert_false(http_path_match("/c/{id}/ratings/{code}", path, ids));
    path[strlen(path) - 1] = 0; /* 64 */
    assert_true(http_path_match("/c/{id}/ratings/{code}", path, ids));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_match),
        cmocka_unit_test(test_path_match_suffix),
        cmocka_unit_test(test_path_match_code),
        cmocka_unit_test(test_route_method_and_media),
        cmocka_unit_test(test_literal),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_bad_ids),
        cmocka_unit_test(test_bad_method),
        cmocka_unit_test(test_trailing_slash),
        cmocka_unit_test(test_overlap_and_order),
    };
    return cmocka_run_group_tests(tests, use_both, NULL);
}
