/* test_app_pipeline.c - the request pipeline of the application layer
 * without a server: the protocol request goes through app_prepare (the
 * order of its checks: 401, 404, 403, 415; what it tells the server: the
 * body limit, the worker pool) and app_handle (CSRF, the handler), with the
 * language, the server's own errors, and scope filters run for real, on a
 * database migrated as the server does it (every module's migrations, by
 * app_open_db; SQLite, and PostgreSQL when JOUDA_TEST_PG_URL is set). The
 * pipeline reads and writes through its thread's connection
 * (app_thread_db), the fixture through the one that migrated. */
#include "testutil.h"

#include "app/app_internal.h"
#include "cli/cli.h"
#include "nodes/nodes.h"
#include "users/users.h"

typedef struct {
    test_db_t *t;
    db_t *db; /* the fixture's connection, t->db */
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
    const char *why = NULL, *field = NULL;
    if (users_insert(P.db, 0, &u, "192.0.2.1", &id, &why, &field) != RES_OK)
        fprintf(stderr, "user %s: %s (%s)\n", email, why ? why : "?", field ? field : "?");
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
        api_token_create(P.db, P.dir, "t", 0, P.tok_dir, sizeof P.tok_dir, &tid) != 0 ||
        api_token_create(P.db, P.staff, "t", 0, P.tok_staff, sizeof P.tok_staff, &tid) != 0 ||
        api_token_create(P.db, P.gone, "t", 0, P.tok_gone, sizeof P.tok_gone, &tid) != 0 ||
        users_set_active(P.db, 0, P.gone, false, "192.0.2.1") != RES_OK)
        return -1;
    return 0;
}

/* An empty database of the test's own, migrated by app_open_db as the
 * server does it, on its own connection (which replaces the fixture's);
 * the pipeline opens its thread's connection to the same database. */
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
    jouda_use_modules();
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
    app_shutdown(); /* the pipeline's connections first: they hold the schema */
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

/* A protocol request as the server hands it to app_prepare. */
static http_req_t *preq(const char *method, const char *path)
{
    return test_http_req(method, path);
}

/* The application's side of a request app_prepare has seen. */
static req_t *R(http_req_t *h)
{
    assert_non_null(h->app);
    return h->app;
}

static void bearer(http_req_t *h, const char *tok)
{
    h->authorization = arena_printf(h->arena, "Bearer %s", tok);
}

static void cookie(http_req_t *h, const char *session_token)
{
    const char *c = arena_printf(h->arena, "jouda_lang=fr; %s=%s", SESSION_COOKIE, session_token);
    assert_int_equal(http_parse_cookies(h->arena, c, &h->cookies), 0);
}

static const char *err_code(http_req_t *h)
{
    json_t *j = json_loads(h->resp_body.data ? h->resp_body.data : "", 0, NULL);
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    const char *out = arena_strdup(h->arena, c ? c : "(none)");
    json_decref(j);
    return out;
}

/* app_prepare alone: 0 when the request goes on to its body, else the status
 * it answered, whose error code is checked. */
static int prep(http_req_t *h, const char *want_code)
{
    if (app_prepare(h)) {
        assert_int_equal(h->status, 0);
        assert_ptr_equal(R(h)->http, h);
        return 0;
    }
    assert_true(h->status > 0);
    if (want_code)
        assert_string_equal(err_code(h), want_code);
    return h->status;
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
    http_req_t *h = preq(method, path);
    if (tok)
        bearer(h, tok);
    h->content_type = ct;
    h->content_length = len;
    int st = prep(h, want_code);
    test_http_req_free(h);
    return st;
}

static void test_p_basics(void **state)
{
    (void)state;
    NEED_DB();
    /* no connection for this thread: 503 before anything else */
    app_shutdown();
    g_app.db_url = "/nonexistent-jouda-dir/none/jouda.db";
    http_req_t *h = preq("GET", "/healthz");
    assert_int_equal(prep(h, "unavailable"), 503);
    test_http_req_free(h);
    app_shutdown();
    g_app.db_url = P.t->url;

    assert_int_equal(run("GET", "/nope", NULL, NULL, -1, "not_found"), 404);
    assert_int_equal(run("GET", "/api/v1/nope", P.tok_dir, NULL, -1, "not_found"), 404);
    assert_int_equal(run("POST", "/healthz", NULL, NULL, -1, "method_not_allowed"), 405);
    /* a 405 says what the path accepts: HEAD wherever GET is, each once */
    h = preq("DELETE", "/admin/nodes");
    assert_int_equal(prep(h, "method_not_allowed"), 405);
    assert_string_equal(http_kv_get(h->resp_headers, "Allow"), "GET, HEAD, POST");
    test_http_req_free(h);
    h = preq("PUT", node_path("/api/v1/nodes/", P.eps1, ""));
    bearer(h, P.tok_dir);
    assert_int_equal(prep(h, "method_not_allowed"), 405);
    assert_string_equal(http_kv_get(h->resp_headers, "Allow"), "GET, HEAD, PATCH");
    test_http_req_free(h);
    h = preq("OPTIONS", "/healthz");
    assert_int_equal(prep(h, "method_not_allowed"), 405);
    assert_string_equal(http_kv_get(h->resp_headers, "Allow"), "GET, HEAD");
    test_http_req_free(h);
    h = preq("GET", "/nope");
    assert_int_equal(prep(h, "not_found"), 404);
    assert_null(http_kv_get(h->resp_headers, "Allow"));
    test_http_req_free(h);
    assert_int_equal(run("HEAD", "/healthz", NULL, NULL, -1, NULL), 0);
    h = preq("GET", "/healthz");
    assert_int_equal(prep(h, NULL), 0);
    /* the request the application made of it */
    req_t *r = R(h);
    assert_ptr_equal(r->arena, h->arena);
    assert_ptr_equal(r->db, app_thread_db());
    assert_ptr_not_equal(r->db, P.db);
    assert_string_equal(r->method, "GET");
    assert_string_equal(r->path, "/healthz");
    assert_false(r->is_api);
    assert_non_null(r->route);
    assert_string_equal(r->route->pattern, "/healthz");
    assert_null(r->user);
    assert_int_equal(r->auth, AUTH_NONE);
    assert_int_equal(r->node_id, 0);
    assert_non_null(r->lang);
    /* what the server is told: an ordinary body, handled inline */
    assert_int_equal(h->body_limit, HTTP_MAX_BODY);
    assert_false(h->run_slow);
    app_handle(h);
    assert_int_equal(h->status, 200);
    json_t *j = json_loads(h->resp_body.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(j, "db")), P.pg ? "postgresql" : "sqlite");
    json_decref(j);
    test_http_req_free(h);

    /* uploads get the larger limit, password hashing the worker pool */
    h = preq("POST", node_path("/api/v1/nodes/", P.eps1, "/attachments"));
    bearer(h, P.tok_dir);
    h->content_type = "multipart/form-data; boundary=b";
    h->content_length = 10;
    assert_int_equal(prep(h, NULL), 0);
    assert_int_equal(h->body_limit, HTTP_MAX_UPLOAD);
    assert_false(h->run_slow);
    test_http_req_free(h);
    h = preq("POST", "/api/v1/users");
    bearer(h, P.tok_dir);
    h->content_type = "application/json";
    h->content_length = 10;
    assert_int_equal(prep(h, NULL), 0);
    assert_int_equal(h->body_limit, HTTP_MAX_BODY);
    assert_true(h->run_slow);
    test_http_req_free(h);

    /* errors the server itself raises, before or after app_prepare */
    h = preq("POST", "/api/v1/users");
    app_http_error(h, 413);
    assert_int_equal(h->status, 413);
    assert_string_equal(err_code(h), "too_large");
    assert_ptr_equal(R(h)->http, h);
    test_http_req_free(h);
    h = preq("PATCH", node_path("/api/v1/nodes/", P.eps1, ""));
    bearer(h, P.tok_dir);
    h->content_type = "application/json";
    h->content_length = 3;
    assert_int_equal(prep(h, NULL), 0);
    app_http_error(h, 400);
    assert_int_equal(h->status, 400);
    assert_string_equal(err_code(h), "bad_request");
    test_http_req_free(h);
    /* app_handle answers nothing more once a response is set */
    h = preq("GET", "/nope");
    assert_int_equal(prep(h, "not_found"), 404);
    size_t len = h->resp_body.len;
    app_handle(h);
    assert_int_equal(h->status, 404);
    assert_int_equal(h->resp_body.len, len);
    test_http_req_free(h);
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
    http_req_t *h = preq("GET", "/api/v1/me");
    h->authorization = "Basic ZGlyOnB3";
    assert_int_equal(prep(h, "unauthorized"), 401);
    test_http_req_free(h);
    h = preq("GET", "/api/v1/me");
    cookie(h, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(prep(h, "unauthorized"), 401);
    test_http_req_free(h);
    /* a bearer request never falls back to the session cookie */
    char tok[64], hash[80];
    assert_int_equal(session_create(P.db, P.dir, "127.0.0.1", NULL, tok, sizeof tok, hash, sizeof hash), 0);
    h = preq("GET", "/api/v1/me");
    cookie(h, tok);
    bearer(h, "jouda_wrong");
    assert_int_equal(prep(h, "unauthorized"), 401);
    assert_null(R(h)->user);
    test_http_req_free(h);
    h = preq("GET", "/api/v1/me");
    cookie(h, tok);
    assert_int_equal(prep(h, NULL), 0);
    assert_int_equal(R(h)->auth, AUTH_SESSION);
    assert_int_equal(R(h)->user->id, P.dir);
    assert_non_null(R(h)->session_hash);
    assert_string_equal(R(h)->session_hash, hash);
    assert_non_null(R(h)->csrf_secret);
    test_http_req_free(h);
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

    http_req_t *h = preq("GET", node_path("/api/v1/nodes/", P.eps1, ""));
    bearer(h, d);
    assert_int_equal(prep(h, NULL), 0);
    req_t *r = R(h);
    assert_int_equal(r->auth, AUTH_BEARER);
    assert_true(r->is_api);
    assert_int_equal(r->user->id, P.dir);
    assert_int_equal(r->user->home_node_id, P.eps1);
    assert_int_equal(r->node_id, P.eps1);
    assert_int_equal(r->ids[0], P.eps1);
    assert_int_equal(r->ids[1], 0);
    assert_int_equal(r->n_node_path, 3);
    assert_int_equal(r->node_path[0], P.root);
    assert_int_equal(r->node_path[1], P.assoc);
    assert_int_equal(r->node_path[2], P.eps1);
    test_http_req_free(h);

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

static const char *masked(http_req_t *h, const char *secret)
{
    char tok[128];
    csrf_mask(secret, tok, sizeof tok);
    return arena_strdup(h->arena, tok);
}

/* A request with a body that app_prepare let through: signed in with the
 * session cookie when session is given, else with the bearer token. */
static http_req_t *prepared(const char *method, const char *path, const char *session, const char *tok,
                            const char *ct, int64_t len)
{
    http_req_t *h = preq(method, path);
    if (session)
        cookie(h, session);
    else
        bearer(h, tok);
    h->content_type = ct;
    h->content_length = len;
    assert_int_equal(prep(h, NULL), 0);
    return h;
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
    http_req_t *h = preq("GET", "/api/v1/me");
    cookie(h, tok);
    assert_int_equal(prep(h, NULL), 0);
    app_handle(h);
    assert_int_equal(h->status, 200);
    test_http_req_free(h);

    /* a session write without a token, with a wrong one, with another secret's */
    for (int k = 0; k < 3; k++) {
        h = prepared("PATCH", api, tok, NULL, "application/json", 30);
        test_http_json(h, "{\"name\":\"Village Amal\"}");
        h->csrf_header = k == 0 ? NULL : k == 1 ? "garbage" : masked(h, other);
        app_handle(h);
        assert_int_equal(h->status, 403);
        assert_string_equal(err_code(h), "csrf");
        test_http_req_free(h);
    }
    assert_int_equal(test_int(P.db, "SELECT COUNT(*) FROM nodes WHERE id = ? AND name = 'Village Amal'", P.eps1), 0);
    h = prepared("PATCH", api, tok, NULL, "application/json", 30);
    test_http_json(h, "{\"name\":\"Village Amal\"}");
    h->csrf_header = masked(h, secret);
    app_handle(h);
    assert_int_equal(h->status, 200);
    assert_ptr_equal(R(h)->json, h->json); /* the body the handler read */
    test_http_req_free(h);
    assert_int_equal(test_int(P.db, "SELECT COUNT(*) FROM nodes WHERE id = ? AND name = 'Village Amal'", P.eps1), 1);

    /* the API with a bearer token: no CSRF */
    h = prepared("PATCH", api, NULL, P.tok_dir, "application/json", 30);
    test_http_json(h, "{\"name\":\"Village d'enfants Amal\"}");
    app_handle(h);
    assert_int_equal(h->status, 200);
    test_http_req_free(h);

    /* a JSON body that is not an object is malformed: 400, as the API says */
    h = prepared("PATCH", api, NULL, P.tok_dir, "application/json", 3);
    test_http_json(h, "[1]");
    app_handle(h);
    assert_int_equal(h->status, 400);
    assert_string_equal(err_code(h), "bad_request");
    test_http_req_free(h);

    /* a page form: the body type is checked before the token */
    h = preq("POST", "/logout");
    cookie(h, tok);
    h->content_type = "application/json";
    h->content_length = 2;
    assert_int_equal(prep(h, "unsupported_media_type"), 415);
    test_http_req_free(h);
    h = prepared("POST", "/logout", tok, NULL, "application/x-www-form-urlencoded", 5);
    test_http_form(h, "a=b&_csrf=nope");
    app_handle(h);
    assert_int_equal(h->status, 403);
    assert_string_equal(err_code(h), "csrf");
    test_http_req_free(h);
    assert_int_equal(session_lookup(P.db, tok, &uid, secret, sizeof secret, hash2, sizeof hash2), 0);
    h = prepared("POST", "/logout", tok, NULL, "application/x-www-form-urlencoded", 60);
    test_http_form(h, arena_printf(h->arena, "_csrf=%s", masked(h, secret)));
    app_handle(h);
    assert_int_equal(h->status, 303);
    assert_string_equal(http_kv_get(h->resp_headers, "Location"), "/login");
    test_http_req_free(h);
    assert_int_equal(session_lookup(P.db, tok, &uid, secret, sizeof secret, hash2, sizeof hash2), -1);
}

static void test_p_language(void **state)
{
    (void)state;
    NEED_DB();
    http_req_t *h = preq("GET", "/api/v1/me");
    bearer(h, P.tok_dir); /* her account says Arabic */
    assert_int_equal(prep(h, NULL), 0);
    assert_string_equal(R(h)->lang, "ar");
    test_http_req_free(h);
    h = preq("GET", "/api/v1/me");
    bearer(h, P.tok_dir);
    test_http_query(h, "lang=en");
    assert_int_equal(prep(h, NULL), 0);
    assert_string_equal(R(h)->lang, "en");
    assert_null(h->resp_headers); /* no language cookie from the API */
    test_http_req_free(h);
    h = preq("GET", "/profile");
    test_http_query(h, "lang=ar");
    assert_int_equal(prep(h, "unauthorized"), 401);
    assert_string_equal(R(h)->lang, "ar");
    test_http_req_free(h);
}

/* The scope filter, run for real: exactly the subtree of each assignment. */
static void scope_ids(int64_t user, perm_t perm, const int64_t *want, int nwant)
{
    req_t *r = test_req("GET", "/api/v1/nodes");
    r->db = P.db;
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
