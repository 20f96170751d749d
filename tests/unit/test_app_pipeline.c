/* test_app_pipeline.c - the request pipeline of the application layer
 * without a server: the order of its checks (401, 404, 403, 415, CSRF), the
 * language, and scope filters run for real, on a database migrated as the
 * server does it (SQLite, and PostgreSQL when JOUDA_TEST_PG_URL is set). */
#include "testutil.h"

#include "app/app_internal.h"
#include "org/org.h"

typedef struct {
    test_db_t *t;
    db_t *db; /* the application's connection, t->db */
    bool pg;
    int64_t root, assoc, eps1, unit1, eps2, assoc2, eps3, filler[12];
    int64_t dir, staff, other, gone;
    char tok_dir[64], tok_staff[64], tok_gone[64];
} pfx_t;
static pfx_t P;

static int64_t add_user(const char *email, const char *lang, role_t role, int64_t node)
{
    user_new_t u = {.email = email, .name = "Fatima Zahra Bennani", .language = lang,
                        .password_hash = TEST_FAKE_HASH, .roles = &role, .role_nodes = &node, .n_roles = 1};
    int64_t id = 0;
    const char *why = NULL;
    if (users_create(P.db, 0, &u, &id, &why) != 0)
        fprintf(stderr, "user %s: %s\n", email, why ? why : "?");
    return id;
}

static int fixture(void)
{
    int64_t tid;
    P.root = nodes_root_id(P.db);
    P.assoc = test_add_node(P.db, P.root, "association", "Association Amal");
    P.eps1 = test_add_node(P.db, P.assoc, "eps", "Village d'enfants Amal");
    P.unit1 = test_add_node(P.db, P.eps1, "unit", "Maison 1");
    P.eps2 = test_add_node(P.db, P.assoc, "eps", "Dar Al Atfal");
    P.assoc2 = test_add_node(P.db, P.root, "association", "Association Nour");
    P.eps3 = test_add_node(P.db, P.assoc2, "eps", "Dar Nour");
    /* ids into the teens, so a scope on "/3/" is seen not to catch "/13/" */
    for (int i = 0; i < 12; i++)
        P.filler[i] = test_add_node(P.db, P.eps3, "unit", "Maison");
    P.dir = add_user("directrice@amal.ma", "ar", ROLE_DIRECTOR, P.eps1);
    P.staff = add_user("educatrice@amal.ma", "fr", ROLE_STAFF, P.unit1);
    P.other = add_user("admin@nour.ma", "fr", ROLE_ADMIN, P.assoc2);
    P.gone = add_user("partie@amal.ma", "fr", ROLE_STAFF, P.unit1);
    if (P.filler[11] <= 0 || P.dir <= 0 || P.staff <= 0 || P.other <= 0 || P.gone <= 0 ||
        api_token_create(P.db, P.dir, "t", P.tok_dir, sizeof P.tok_dir, &tid) != 0 ||
        api_token_create(P.db, P.staff, "t", P.tok_staff, sizeof P.tok_staff, &tid) != 0 ||
        api_token_create(P.db, P.gone, "t", P.tok_gone, sizeof P.tok_gone, &tid) != 0 ||
        org_user_set_active(P.db, 0, P.gone, false) != 0)
        return -1;
    return 0;
}

/* An empty database of the test's own, migrated by app_open_db as the
 * server does it, on its own connection (which replaces the fixture's). */
static int setup(bool pg)
{
    memset(&P, 0, sizeof P);
    P.pg = pg;
    P.t = test_db_open(pg, "app");
    if (!P.t)
        return -1;
    if (!P.t->db)
        return 0; /* every test skips itself */
    db_close(P.t->db);
    char err[512] = "";
    g_app.db_url = P.t->url;
    P.db = P.t->db = app_open_db(P.t->url, err, sizeof err);
    if (!P.db) {
        fprintf(stderr, "%s: %s\n", pg ? "pg" : "sqlite", err);
        return -1;
    }
    return fixture();
}

static int setup_sqlite(void **state) { return setup(false); }
static int setup_pg(void **state) { return setup(true); }

static int teardown(void **state)
{
    test_db_close(P.t);
    g_app.db_url = NULL;
    memset(&P, 0, sizeof P);
    return 0;
}

#define NEED_DB()                                                                  \
    do {                                                                           \
        if (!P.db && (!P.pg || test_pg_url()))                                     \
            fail_msg("the test database could not be opened (see above)");        \
        if (!P.db)                                                                 \
            skip();                                                                \
    } while (0)

static req_t *preq(const char *method, const char *path)
{
    req_t *r = test_req(method, path);
    r->db = P.db;
    r->lang = NULL;
    return r;
}

static void bearer(req_t *r, const char *tok)
{
    r->authorization = arena_printf(r->arena, "Bearer %s", tok);
}

static void cookie(req_t *r, const char *session_token)
{
    const char *h = arena_printf(r->arena, "jouda_lang=fr; %s=%s", SESSION_COOKIE, session_token);
    assert_int_equal(http_parse_cookies(r->arena, h, &r->cookies), 0);
}

static const char *err_code(req_t *r)
{
    json_t *j = json_loads(r->resp_body.data ? r->resp_body.data : "", 0, NULL);
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    const char *out = arena_strdup(r->arena, c ? c : "(none)");
    json_decref(j);
    return out;
}

/* app_prepare alone: 0 when the request goes on to its body, else the status
 * it answered, whose error code is checked. */
static int prep(req_t *r, const char *want_code)
{
    if (app_prepare(r)) {
        assert_int_equal(r->status, 0);
        return 0;
    }
    if (want_code)
        assert_string_equal(err_code(r), want_code);
    return r->status;
}

static const char *node_path(const char *pre, int64_t id, const char *post)
{
    static char buf[8][96];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, sizeof buf[0], "%s%lld%s", pre, (long long)id, post);
    return b;
}

/* One request: method, path, bearer token (or NULL), body type and length. */
static int run(const char *method, const char *path, const char *tok, const char *ct, int64_t len,
               const char *want_code)
{
    req_t *r = preq(method, path);
    if (tok)
        bearer(r, tok);
    r->content_type = ct;
    r->content_length = len;
    int st = prep(r, want_code);
    test_req_free(r);
    return st;
}

static void test_p_basics(void **state)
{
    (void)state;
    NEED_DB();
    req_t *r = preq("GET", "/healthz");
    r->db = NULL;
    assert_int_equal(prep(r, "unavailable"), 503);
    test_req_free(r);
    assert_int_equal(run("GET", "/nope", NULL, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", "/api/v1/nope", P.tok_dir, NULL, -1, "not_found"), 404);
    assert_int_equal(run("POST", "/healthz", NULL, NULL, -1, "method_not_allowed"), 405);
    assert_int_equal(run("HEAD", "/healthz", NULL, NULL, -1, NULL), 0);
    r = preq("GET", "/healthz");
    assert_int_equal(prep(r, NULL), 0);
    app_handle(r);
    assert_int_equal(r->status, 200);
    json_t *j = json_loads(r->resp_body.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(j, "db")), P.pg ? "postgresql" : "sqlite");
    json_decref(j);
    test_req_free(r);
}

static void test_p_401_first(void **state)
{
    (void)state;
    NEED_DB();
    /* not signed in: 401 whether the id exists, is elsewhere, or the body is wrong */
    assert_int_equal(run("GET", "/api/v1/nodes/999999", NULL, NULL, -1, "unauthorized"), 401);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.eps3, ""), NULL, NULL, -1, "unauthorized"), 401);
    assert_int_equal(run("PATCH", node_path("/api/v1/nodes/", P.eps1, ""), NULL, "text/plain", 10, "unauthorized"), 401);
    assert_int_equal(run("POST", "/api/v1/users", NULL, "text/plain", 10, "unauthorized"), 401);
    assert_int_equal(run("GET", "/api/v1/me", NULL, NULL, -1, "unauthorized"), 401);
    assert_int_equal(run("GET", "/admin/nodes/999999", NULL, NULL, -1, "unauthorized"), 401);
    assert_int_equal(run("POST", node_path("/admin/nodes/", P.eps3, ""), NULL, "text/plain", 3, "unauthorized"), 401);
    /* bad credentials are no credentials */
    assert_int_equal(run("GET", "/api/v1/me", "jouda_not-a-token", NULL, -1, "unauthorized"), 401);
    assert_int_equal(run("GET", "/api/v1/me", P.tok_gone, NULL, -1, "unauthorized"), 401); /* disabled */
    req_t *r = preq("GET", "/api/v1/me");
    r->authorization = "Basic ZGlyOnB3";
    assert_int_equal(prep(r, "unauthorized"), 401);
    test_req_free(r);
    r = preq("GET", "/api/v1/me");
    cookie(r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(prep(r, "unauthorized"), 401);
    test_req_free(r);
    /* a bearer request never falls back to the session cookie */
    char tok[64], hash[80];
    assert_int_equal(session_create(P.db, P.dir, "127.0.0.1", NULL, tok, sizeof tok, hash, sizeof hash), 0);
    r = preq("GET", "/api/v1/me");
    cookie(r, tok);
    bearer(r, "jouda_wrong");
    assert_int_equal(prep(r, "unauthorized"), 401);
    assert_null(r->user);
    test_req_free(r);
    r = preq("GET", "/api/v1/me");
    cookie(r, tok);
    assert_int_equal(prep(r, NULL), 0);
    assert_int_equal(r->auth, AUTH_SESSION);
    assert_int_equal(r->user->id, P.dir);
    test_req_free(r);
    session_delete(P.db, hash);
}

static void test_p_404_scope(void **state)
{
    (void)state;
    NEED_DB();
    const char *d = P.tok_dir, *s = P.tok_staff;
    assert_int_equal(run("GET", "/api/v1/nodes/999999", d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.eps3, ""), d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.eps2, ""), d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.assoc, ""), d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.root, ""), d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/admin/nodes/", P.eps3, ""), d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/users/", P.other, ""), d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", "/api/v1/users/999999", d, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/users/", P.staff, ""), d, NULL, -1, NULL), 0);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.unit1, ""), d, NULL, -1, NULL), 0);

    req_t *r = preq("GET", node_path("/api/v1/nodes/", P.eps1, ""));
    bearer(r, d);
    assert_int_equal(prep(r, NULL), 0);
    assert_int_equal(r->auth, AUTH_BEARER);
    assert_int_equal(r->node_id, P.eps1);
    assert_int_equal(r->ids[0], P.eps1);
    assert_int_equal(r->n_node_path, 3);
    assert_int_equal(r->node_path[0], P.root);
    assert_int_equal(r->node_path[1], P.assoc);
    assert_int_equal(r->node_path[2], P.eps1);
    test_req_free(r);

    /* staff of a unit: its EPS is above the scope; 404 comes before 403 and 415 */
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.eps1, ""), s, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", node_path("/api/v1/nodes/", P.unit1, ""), s, NULL, -1, NULL), 0);
    assert_int_equal(run("PATCH", node_path("/api/v1/nodes/", P.eps2, ""), s, "application/json", 2, "not_found"), 404);
    assert_int_equal(run("PATCH", node_path("/api/v1/nodes/", P.eps3, ""), s, "text/plain", 2, "not_found"), 404);
}

static void test_p_403(void **state)
{
    (void)state;
    NEED_DB();
    const char *d = P.tok_dir, *s = P.tok_staff;
    const char *unit = node_path("/api/v1/nodes/", P.unit1, "");
    assert_int_equal(run("PATCH", unit, s, "application/json", 2, "forbidden"), 403);
    assert_int_equal(run("PATCH", unit, s, "text/plain", 2, "forbidden"), 403); /* before 415 */
    assert_int_equal(run("PATCH", unit, d, "application/json", 2, NULL), 0);
    assert_int_equal(run("GET", "/api/v1/users", s, NULL, -1, "forbidden"), 403);
    assert_int_equal(run("GET", "/api/v1/users", d, NULL, -1, NULL), 0);
    assert_int_equal(run("GET", "/admin/users/new", s, NULL, -1, "forbidden"), 403);
    assert_int_equal(run("GET", "/admin/users/new", d, NULL, -1, NULL), 0);
    assert_int_equal(run("POST", "/api/v1/users", s, "text/plain", 5, "forbidden"), 403);
    assert_int_equal(run("GET", "/api/v1/audit", s, NULL, -1, "forbidden"), 403);
    assert_int_equal(run("GET", "/api/v1/me", s, NULL, -1, NULL), 0);
}

static void test_p_415(void **state)
{
    (void)state;
    NEED_DB();
    const char *d = P.tok_dir;
    const char *api = node_path("/api/v1/nodes/", P.eps1, "");
    const char *U = "unsupported_media_type";
    assert_int_equal(run("PATCH", api, d, "text/plain", 10, U), 415);
    assert_int_equal(run("PATCH", api, d, "application/json", 10, NULL), 0);
    assert_int_equal(run("PATCH", api, d, "application/json; charset=utf-8", 10, NULL), 0);
    assert_int_equal(run("PATCH", api, d, "Application/JSON", 10, NULL), 0);
    assert_int_equal(run("PATCH", api, d, "application/jsonp", 10, U), 415);
    assert_int_equal(run("PATCH", api, d, "multipart/form-data; boundary=b", 10, U), 415);
    assert_int_equal(run("PATCH", api, d, "application/x-www-form-urlencoded", 10, U), 415);
    assert_int_equal(run("PATCH", api, d, NULL, 10, U), 415);
    assert_int_equal(run("PATCH", api, d, "text/plain", -1, U), 415); /* chunked */
    assert_int_equal(run("PATCH", api, d, "text/plain", 0, NULL), 0); /* no body */
    assert_int_equal(run("PATCH", api, d, NULL, -1, NULL), 0);
    assert_int_equal(run("GET", api, d, "text/plain", 10, NULL), 0); /* reads ignore bodies */
    const char *page = node_path("/admin/nodes/", P.eps1, "");
    assert_int_equal(run("POST", page, d, "application/x-www-form-urlencoded", 10, NULL), 0);
    assert_int_equal(run("POST", page, d, "multipart/form-data; boundary=b", 10, NULL), 0);
    assert_int_equal(run("POST", page, d, "application/json", 10, U), 415);
    assert_int_equal(run("POST", page, d, "text/plain", 10, U), 415);
    const char *up = node_path("/api/v1/nodes/", P.eps1, "/attachments");
    assert_int_equal(run("POST", up, d, "multipart/form-data; boundary=b", 10, NULL), 0);
    assert_int_equal(run("POST", up, d, "application/json", 10, U), 415);
}

static const char *masked(req_t *r, const char *secret)
{
    char tok[128];
    csrf_mask(secret, tok, sizeof tok);
    return arena_strdup(r->arena, tok);
}

/* A request with a body that app_prepare let through: signed in with the
 * session cookie when session is given, else with the bearer token. */
static req_t *prepared(const char *method, const char *path, const char *session, const char *tok,
                       const char *ct, int64_t len)
{
    req_t *r = preq(method, path);
    if (session)
        cookie(r, session);
    else
        bearer(r, tok);
    r->content_type = ct;
    r->content_length = len;
    assert_int_equal(prep(r, NULL), 0);
    return r;
}

static void test_p_csrf(void **state)
{
    (void)state;
    NEED_DB();
    char tok[64], hash[80], secret[64], hash2[80];
    int64_t uid = 0;
    assert_int_equal(session_create(P.db, P.dir, "127.0.0.1", NULL, tok, sizeof tok, hash, sizeof hash), 0);
    assert_int_equal(session_lookup(P.db, tok, &uid, secret, sizeof secret, hash2, sizeof hash2), 0);
    char other[64];
    token_random(other, sizeof other);
    const char *api = node_path("/api/v1/nodes/", P.eps1, "");

    /* reads with the session: no token needed */
    req_t *r = preq("GET", "/api/v1/me");
    cookie(r, tok);
    assert_int_equal(prep(r, NULL), 0);
    app_handle(r);
    assert_int_equal(r->status, 200);
    test_req_free(r);

    /* a session write without a token, with a wrong one, with another secret's */
    for (int k = 0; k < 3; k++) {
        r = prepared("PATCH", api, tok, NULL, "application/json", 30);
        test_req_json(r, "{\"name\":\"Village Amal\"}");
        r->csrf_header = k == 0 ? NULL : k == 1 ? "garbage" : masked(r, other);
        app_handle(r);
        assert_int_equal(r->status, 403);
        assert_string_equal(err_code(r), "csrf");
        test_req_free(r);
    }
    r = prepared("PATCH", api, tok, NULL, "application/json", 30);
    test_req_json(r, "{\"name\":\"Village Amal\"}");
    r->csrf_header = masked(r, secret);
    app_handle(r);
    assert_int_equal(r->status, 200);
    test_req_free(r);

    /* the API with a bearer token: no CSRF */
    r = prepared("PATCH", api, NULL, P.tok_dir, "application/json", 30);
    test_req_json(r, "{\"name\":\"Village d'enfants Amal\"}");
    app_handle(r);
    assert_int_equal(r->status, 200);
    test_req_free(r);

    /* a JSON body that is not an object */
    r = prepared("PATCH", api, NULL, P.tok_dir, "application/json", 3);
    test_req_json(r, "[1]");
    app_handle(r);
    assert_int_equal(r->status, 422);
    assert_string_equal(err_code(r), "invalid");
    test_req_free(r);

    /* a page form: the body type is checked before the token */
    r = preq("POST", "/logout");
    cookie(r, tok);
    r->content_type = "application/json";
    r->content_length = 2;
    assert_int_equal(prep(r, "unsupported_media_type"), 415);
    test_req_free(r);
    r = prepared("POST", "/logout", tok, NULL, "application/x-www-form-urlencoded", 5);
    test_req_form(r, "a=b&_csrf=nope");
    app_handle(r);
    assert_int_equal(r->status, 403);
    assert_string_equal(err_code(r), "csrf");
    test_req_free(r);
    assert_int_equal(session_lookup(P.db, tok, &uid, secret, sizeof secret, hash2, sizeof hash2), 0);
    r = prepared("POST", "/logout", tok, NULL, "application/x-www-form-urlencoded", 60);
    test_req_form(r, arena_printf(r->arena, "_csrf=%s", masked(r, secret)));
    app_handle(r);
    assert_int_equal(r->status, 303);
    assert_string_equal(http_kv_get(r->resp_headers, "Location"), "/login");
    test_req_free(r);
    assert_int_equal(session_lookup(P.db, tok, &uid, secret, sizeof secret, hash2, sizeof hash2), -1);
}

static void test_p_language(void **state)
{
    (void)state;
    NEED_DB();
    req_t *r = preq("GET", "/api/v1/me");
    bearer(r, P.tok_dir); /* her account says Arabic */
    assert_int_equal(prep(r, NULL), 0);
    assert_string_equal(r->lang, "ar");
    test_req_free(r);
    r = preq("GET", "/api/v1/me");
    bearer(r, P.tok_dir);
    test_req_query(r, "lang=en");
    assert_int_equal(prep(r, NULL), 0);
    assert_string_equal(r->lang, "en");
    assert_null(r->resp_headers); /* no language cookie from the API */
    test_req_free(r);
    r = preq("GET", "/profile");
    test_req_query(r, "lang=ar");
    assert_int_equal(prep(r, "unauthorized"), 401);
    assert_string_equal(r->lang, "ar");
    test_req_free(r);
}

/* The scope filter, run for real: exactly the subtree of each assignment. */
static void scope_ids(int64_t user, perm_t perm, const int64_t *want, int nwant)
{
    req_t *r = preq("GET", "/api/v1/nodes");
    r->user = users_load_ctx(P.db, r->arena, user);
    assert_non_null(r->user);
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT n.id FROM nodes n WHERE ");
    db_param_t params[8];
    int n = 0;
    app_scope_sql(r, perm, "n.path", &sql, params, &n, 8);
    buf_puts(&sql, " ORDER BY n.id");
    db_res_t *res = db_query(P.db, sql.data, params, n);
    assert_non_null(res);
    int got = 0;
    while (db_next(res)) {
        assert_true(got < nwant);
        assert_int_equal(db_int(res, 0), want[got]);
        got++;
    }
    db_res_free(res);
    assert_int_equal(got, nwant);
    buf_free(&sql);
    test_req_free(r);
}

static void test_p_scope_sql_db(void **state)
{
    (void)state;
    NEED_DB();
    scope_ids(P.dir, PERM_ORG_READ, (int64_t[]){P.eps1, P.unit1}, 2);
    scope_ids(P.staff, PERM_ORG_READ, (int64_t[]){P.unit1}, 1);
    scope_ids(P.staff, PERM_USER_READ, NULL, 0);
    int64_t nour[14] = {P.assoc2, P.eps3};
    for (int i = 0; i < 12; i++)
        nour[2 + i] = P.filler[i];
    scope_ids(P.other, PERM_ORG_READ, nour, 14);
}

int main(void)
{
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_p_basics),   cmocka_unit_test(test_p_401_first),
        cmocka_unit_test(test_p_404_scope), cmocka_unit_test(test_p_403),
        cmocka_unit_test(test_p_415),      cmocka_unit_test(test_p_csrf),
        cmocka_unit_test(test_p_language), cmocka_unit_test(test_p_scope_sql_db),
    };
    int failed = cmocka_run_group_tests_name("app: pipeline on SQLite", t, setup_sqlite, teardown);
    failed += cmocka_run_group_tests_name("app: pipeline on PostgreSQL", t, setup_pg, teardown);
    return failed;
}
