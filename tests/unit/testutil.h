/* testutil.h - what every unit test includes: cmocka and the helpers the tests
 * share. A database of the test's own (a temporary SQLite file, or a fresh
 * PostgreSQL schema when JOUDA_TEST_PG_URL is set) with the migrations it
 * needs; rows most database tests want; requests built by hand; .mo
 * catalogues compiled from small .po texts; gzip inflated. Each test is one
 * program built from one file alone, hence static inline functions. */
#ifndef JOUDA_TESTUTIL_H
#define JOUDA_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "app/app.h"

/* PostgreSQL URL for tests that run on both engines; NULL skips them (and
 * tests/run-all.sh counts a skip as a failure unless JOUDA_TEST_SQLITE_ONLY=1
 * says PostgreSQL is left out). When it is set, a PostgreSQL database that
 * cannot be made or opened fails the test. */
static inline const char *test_pg_url(void)
{
    const char *u = getenv("JOUDA_TEST_PG_URL");
    return u && *u ? u : NULL;
}

/* --- a database of the test's own ----------------------------------------- */

/* One per test: a SQLite file, or a PostgreSQL schema that every connection
 * opened on url uses as its search_path (also after a reconnect). Names carry
 * the process id and a counter, so that test programs running side by side,
 * or one test after another, never share anything. */
typedef struct {
    db_t *db;         /* the test's connection; NULL: PostgreSQL not configured (skip) */
    bool pg;
    char *url;        /* opens another connection to the same data: file path or URL */
    char *admin_url;  /* PostgreSQL as given, to create and drop the schema */
    char schema[64];  /* PostgreSQL schema, empty before it exists */
} test_db_t;

static inline int test_db_admin(const test_db_t *t, const char *sql)
{
    char err[256] = "";
    db_t *c = db_open(t->admin_url, err, sizeof err);
    if (!c) {
        fprintf(stderr, "postgresql: %s\n", err);
        return -1;
    }
    int rc = db_exec_script(c, sql);
    if (rc != DB_OK)
        fprintf(stderr, "postgresql: %s\n", db_errmsg(c));
    db_close(c);
    return rc == DB_OK ? 0 : -1;
}

/* Removes what test_db_open made (the connection, the file and its -wal,
 * -shm and -journal companions, or the schema) and frees t. NULL is fine. */
static inline void test_db_close(test_db_t *t)
{
    if (!t)
        return;
    db_close(t->db); /* first: a connection in the schema holds locks on it */
    if (t->pg && t->schema[0]) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", t->schema);
        test_db_admin(t, sql);
    } else if (!t->pg && t->url) {
        static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
            char *p = xasprintf("%s%s", t->url, suffix[i]);
            unlink(p);
            free(p);
        }
    }
    free(t->url);
    free(t->admin_url);
    free(t);
}

/* Opens an empty database for the test called name (letters, digits and '_':
 * it is part of a schema name): on PostgreSQL when pg is set, else SQLite.
 * Returns NULL on failure (said on stderr); with pg set and no
 * JOUDA_TEST_PG_URL, a test_db_t whose db is NULL: the test skips itself. */
static inline test_db_t *test_db_open(bool pg, const char *name)
{
    static int counter;
    test_db_t *t = xcalloc(1, sizeof *t);
    t->pg = pg;
    int n = ++counter;
    if (!pg) {
        const char *tmp = getenv("TMPDIR");
        t->url = xasprintf("%s/jouda-test-%s-%d-%d.db", tmp && *tmp ? tmp : "/tmp", name, (int)getpid(), n);
        unlink(t->url);
    } else {
        const char *base = test_pg_url();
        if (!base)
            return t;
        t->admin_url = xstrdup(base);
        snprintf(t->schema, sizeof t->schema, "test_%s_%d_%d", name, (int)getpid(), n);
        char sql[200];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", t->schema, t->schema);
        if (test_db_admin(t, sql) != 0) {
            t->schema[0] = '\0';
            test_db_close(t);
            return NULL;
        }
        t->url = xasprintf("%s%coptions=-csearch_path%%3D%s", base, strchr(base, '?') ? '&' : '?', t->schema);
    }
    char err[512] = "";
    t->db = db_open(t->url, err, sizeof err);
    if (!t->db) {
        fprintf(stderr, "%s: %s\n", pg ? "postgresql" : "sqlite", err);
        test_db_close(t);
        return NULL;
    }
    return t;
}

/* Another connection to the test's database (NULL on failure, said on stderr). */
static inline db_t *test_db_connect(const test_db_t *t)
{
    char err[512] = "";
    db_t *db = db_open(t->url, err, sizeof err);
    if (!db)
        fprintf(stderr, "open: %s\n", err);
    return db;
}

/* The test's connection, or skip the test when PostgreSQL is not configured
 * (JOUDA_TEST_PG_URL unset). Fails when the database was not opened. */
static inline db_t *test_db_or_skip(const test_db_t *t)
{
    if (!t)
        fail_msg("the test database could not be opened (see above)");
    if (!t->db) {
        if (!t->pg || test_pg_url())
            fail_msg("the test database could not be opened (see above)");
        fprintf(stderr, "JOUDA_TEST_PG_URL is not set: this PostgreSQL case is skipped\n");
        skip();
    }
    return t->db;
}

/* Migrations, applied in the order given (each list sorted by version):
 *   test_db_migrate(db, TEST_MIG_OF(nodes_module), TEST_MIG_OF(audit_module))
 * TEST_MIG_OF(m) takes the migrations of the module_t m; TEST_MIG(auth) the
 * exported array auth_migrations (tables the framework owns, no module).
 * Returns 0, or -1 with the failing migration's message on stderr. Tests
 * that need every table use app_open_db after jouda_use_modules instead. */
typedef struct {
    const db_migration_t *list;
    size_t n;
} test_mig_t;
#define TEST_MIG(name) ((test_mig_t){name##_migrations, name##_migrations_count})
#define TEST_MIG_OF(module) ((test_mig_t){(module).migrations, (module).n_migrations})
#define test_db_migrate(db, ...) \
    test_db_migrate_list((db), (const test_mig_t[]){__VA_ARGS__}, ARRAY_LEN(((const test_mig_t[]){__VA_ARGS__})))

/* The core migrations (portable SQL functions) come first, as in the server. */
static inline int test_db_migrate_list(db_t *db, const test_mig_t *m, size_t n)
{
    char err[256] = "";
    if (db_migrate(db, app_migrations, app_migrations_count, err, sizeof err) != DB_OK) {
        fprintf(stderr, "migrate: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (db_migrate(db, m[i].list, m[i].n, err, sizeof err) != DB_OK) {
            fprintf(stderr, "migrate: %s\n", err);
            return -1;
        }
    }
    return 0;
}

/* cmocka setup and teardown for a test whose state is its test_db_t:
 *   return test_db_setup(state, pg, "audit", TEST_MIG_OF(nodes_module), TEST_MIG_OF(audit_module));
 * The state is NULL when the setup failed. */
#define test_db_setup(state, pg, name, ...)                                                                 \
    test_db_setup_list((state), (pg), (name), (const test_mig_t[]){__VA_ARGS__},                            \
                       ARRAY_LEN(((const test_mig_t[]){__VA_ARGS__})))

static inline int test_db_setup_list(void **state, bool pg, const char *name, const test_mig_t *m, size_t n)
{
    test_db_t *t = test_db_open(pg, name);
    if (t && t->db && test_db_migrate_list(t->db, m, n) != 0) {
        test_db_close(t);
        t = NULL;
    }
    *state = t;
    return t ? 0 : -1;
}

static inline int test_db_teardown(void **state)
{
    test_db_close(*state);
    return 0;
}

/* --- rows ------------------------------------------------------------------ */

/* A password hash that verifies nothing: accounts that never sign in. */
#define TEST_FAKE_HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

/* A node under parent, its path computed from the parent's; 0 on failure. */
static inline int64_t test_add_node(db_t *db, int64_t parent, const char *kind, const char *name)
{
    json_t *row = db_query_row_json(db, "SELECT path FROM nodes WHERE id = ?", PARAMS(P_INT(parent)));
    if (!row)
        return 0;
    int64_t now = now_utc();
    int64_t id = db_query_int(db,
                              "INSERT INTO nodes (parent_id, kind, name, path, created_at, updated_at) "
                              "VALUES (?, ?, ?, '', ?, ?) RETURNING id",
                              PARAMS(P_INT(parent), P_TEXT(kind), P_TEXT(name), P_INT(now), P_INT(now)), 0);
    char *path = xasprintf("%s%lld/", json_string_value(json_object_get(row, "path")), (long long)id);
    const char *path_p = path;
    db_exec(db, "UPDATE nodes SET path = ? WHERE id = ?", PARAMS(P_TEXT(path_p), P_INT(id)));
    free(path);
    json_decref(row);
    return id;
}

/* The integer a query with one integer parameter answers, -1 without a row. */
static inline int64_t test_int(db_t *db, const char *sql, int64_t id)
{
    return db_query_int(db, sql, PARAMS(P_INT(id)), -1);
}

/* --- requests built by hand ------------------------------------------------- */

/* The protocol side of a request as the server hands it over before the
 * application sees it: no body, no headers, from 127.0.0.1, everything in
 * its own arena. method and path may be NULL. */
static inline http_req_t *test_http_req(const char *method, const char *path)
{
    arena_t *a = arena_new();
    http_req_t *h = arena_alloc(a, sizeof *h);
    h->arena = a;
    buf_init(&h->resp_body);
    h->resp_fd = -1;
    h->content_length = -1;
    h->method = method;
    h->path = path;
    h->is_api = path && strncmp(path, "/api/", 5) == 0;
    h->client_ip = "127.0.0.1";
    return h;
}

static inline void test_http_req_free(http_req_t *h)
{
    if (h->resp_fd >= 0)
        close(h->resp_fd);
    buf_free(&h->resp_body);
    arena_free(h->arena);
}

/* The application's request linked to a protocol request (r->http, and
 * r->http->app == r), as app_prepare makes it before authentication: no
 * user, no route, no database, French. Responses land on r->http. */
static inline req_t *test_req(const char *method, const char *path)
{
    http_req_t *h = test_http_req(method, path);
    req_t *r = arena_alloc(h->arena, sizeof *r);
    h->app = r;
    r->http = h;
    r->arena = h->arena;
    r->method = method;
    r->path = path;
    r->is_api = h->is_api;
    r->lang = "fr";
    return r;
}

static inline void test_req_free(req_t *r)
{
    test_http_req_free(r->http);
}

/* Bodies and query strings as the server would have parsed them. */
static inline void test_http_form(http_req_t *h, const char *body)
{
    assert_int_equal(http_parse_urlencoded(h->arena, body, strlen(body), &h->form), 0);
}

static inline void test_http_query(http_req_t *h, const char *qs)
{
    assert_int_equal(http_parse_urlencoded(h->arena, qs, strlen(qs), &h->query), 0);
}

static inline void test_json_decref(void *p)
{
    json_decref(p);
}

/* A parsed JSON body, freed with the request's arena. */
static inline void test_http_json(http_req_t *h, const char *text)
{
    json_error_t e;
    h->json = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!h->json)
        fail_msg("bad test JSON: %s", e.text);
    arena_defer(h->arena, test_json_decref, h->json);
}

static inline void test_req_form(req_t *r, const char *body)
{
    test_http_form(r->http, body);
}

static inline void test_req_query(req_t *r, const char *qs)
{
    test_http_query(r->http, qs);
}

/* On both sides, as the pipeline hands the body to the handler. */
static inline void test_req_json(req_t *r, const char *text)
{
    test_http_json(r->http, text);
    r->json = r->http->json;
}

/* --- translations ------------------------------------------------------------ */

#define TEST_AR_PLURAL \
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"

#define TEST_PO_HEAD                                                              \
    "msgid \"\"\nmsgstr \"\"\n\"Project-Id-Version: test\\n\"\n"                     \
    "\"PO-Revision-Date: 2026-01-01 00:00+0000\\n\"\n\"Last-Translator: none\\n\"\n" \
    "\"Language-Team: none\\n\"\n\"Language: %s\\n\"\n\"MIME-Version: 1.0\\n\"\n"    \
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"                               \
    "\"Content-Transfer-Encoding: 8bit\\n\"\n\"Plural-Forms: %s\\n\"\n\n"

/* Writes dir/<lang>.po (a header, then body) and compiles it with msgfmt and
 * its options opts into dir/<lang>.mo. */
static inline void test_write_mo(const char *dir, const char *lang, const char *plural, const char *body,
                                 const char *opts)
{
    char *po = xasprintf("%s/%s.po", dir, lang);
    FILE *f = fopen(po, "w");
    assert_non_null(f);
    fprintf(f, TEST_PO_HEAD, lang, plural);
    fputs(body, f);
    fclose(f);
    char *cmd = xasprintf("msgfmt %s -o %s/%s.mo %s", opts, dir, lang, po);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(po);
}

/* --- gzip -------------------------------------------------------------------- */

/* Inflates the gzip stream in into out; returns how many bytes of in were
 * left after the end of the stream. */
static inline size_t test_gunzip(const void *in, size_t len, buf_t *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK); /* gzip wrapper only */
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    unsigned char chunk[4096];
    int rc;
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        assert_true(rc == Z_OK || rc == Z_STREAM_END);
        buf_append(out, chunk, sizeof chunk - zs.avail_out);
    } while (rc != Z_STREAM_END);
    size_t left = zs.avail_in;
    inflateEnd(&zs);
    return left;
}

#endif
