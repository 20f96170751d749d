/* test_router.c - route matching: literals, {id}/{id2}, rejected ids (zero,
 * leading zeros, signs, too long), wrong method, exact trailing slash,
 * overlapping patterns and the order of tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static void h_a(req_t *r) { (void)r; }
static void h_b(req_t *r) { (void)r; }
static void h_c(req_t *r) { (void)r; }

static const route_t t1[] = {
    {"GET", "/", PERM_PUBLIC, NULL, h_a, 0},
    {"GET", "/admin/nodes", PERM_ORG_READ, NULL, h_a, 0},
    {"GET", "/admin/nodes/new", PERM_AUTHENTICATED, NULL, h_b, 0},
    {"POST", "/admin/nodes", PERM_AUTHENTICATED, NULL, h_b, ROUTE_FORM},
    {"GET", "/admin/nodes/{id}", PERM_ORG_READ, NULL, h_c, 0},
    {"POST", "/admin/nodes/{id}", PERM_ORG_MANAGE, NULL, h_a, ROUTE_FORM},
    {"GET", "/admin/nodes/{id}/edit", PERM_ORG_MANAGE, NULL, h_b, 0},
    {"POST", "/admin/users/{id}/roles/{id2}/delete", PERM_USER_MANAGE, NULL, h_c, ROUTE_FORM},
    {"PATCH", "/api/v1/nodes/{id}", PERM_ORG_MANAGE, NULL, h_a, ROUTE_JSON},
};
static const route_t t2[] = {
    {"GET", "/admin/nodes/{id}", PERM_ORG_READ, NULL, h_b, 0}, /* shadowed by t1 */
    {"GET", "/reports/{id}", PERM_QUALITY_READ, NULL, h_b, 0},
    {"DELETE", "/api/v1/nodes/{id}", PERM_ORG_MANAGE, NULL, h_b, 0},
};
static const route_table_t tables[] = {{t1, sizeof t1 / sizeof t1[0]}, {t2, sizeof t2 / sizeof t2[0]}};

static match_t m(const char *method, const char *path, const route_t **rt, int64_t ids[2])
{
    return http_route_match(tables, 2, method, path, rt, ids);
}

static void test_literal(void **state)
{
    (void)state;
    const route_t *rt;
    int64_t ids[2] = {7, 7};
    assert_int_equal(m("GET", "/", &rt, ids), MATCH_OK);
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
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        match_t res = m("GET", bad[i], &rt, ids);
        if (res != MATCH_NOT_FOUND)
            fail_msg("%s matched (%d)", bad[i], (int)res);
        assert_null(rt);
        assert_int_equal(ids[0], 0);
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
    assert_int_equal(m("GET", "/api/v1/nodes/3", &rt, ids), MATCH_BAD_METHOD);
    /* a method present only in the second table */
    assert_int_equal(m("DELETE", "/api/v1/nodes/3", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t2[2]);
    /* a bad id is not found, not a bad method */
    assert_int_equal(m("PUT", "/admin/nodes/0", &rt, ids), MATCH_NOT_FOUND);
    /* HEAD is served by GET routes */
    assert_int_equal(m("HEAD", "/admin/nodes", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[1]);
    assert_int_equal(m("get", "/admin/nodes", &rt, ids), MATCH_BAD_METHOD);
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
    /* both tables have GET /admin/nodes/{id}: the first table wins */
    assert_int_equal(m("GET", "/admin/nodes/8", &rt, ids), MATCH_OK);
    assert_ptr_equal(rt, &t1[4]);
    assert_ptr_equal(rt->handler, h_c);
    /* no tables at all */
    assert_int_equal(http_route_match(tables, 0, "GET", "/", &rt, ids), MATCH_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal),      cmocka_unit_test(test_ids),
        cmocka_unit_test(test_bad_ids),      cmocka_unit_test(test_bad_method),
        cmocka_unit_test(test_trailing_slash), cmocka_unit_test(test_overlap_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
