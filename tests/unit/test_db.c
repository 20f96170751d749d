/* test_db.c - the database layer: the same tests run on SQLite (a temporary
 * file) and, when JOUDA_TEST_PG_URL is set, on PostgreSQL (a schema of its
 * own per test, dropped afterwards), plus engine-independent SQL scanning. */
#include "testutil.h"

#include <pthread.h>
#include <time.h>

#include "db/db_internal.h"

static bool g_pg; /* the engine of the group being run */

/* ---- fixture ---- */

static int fx_setup(void **state)
{
    *state = test_db_open(g_pg, "db");
    return *state ? 0 : -1;
}

static void remove_sqlite(const char *path)
{
    char p[512];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

#define FX()                                                                                                           \
    test_db_t *fx = *state;                                                                                            \
    db_t *db = test_db_or_skip(fx)

/* Run a migration-style script through the dialect. */
static void script(db_t *db, const char *sql)
{
    char *s = db_dialect(db_kind(db), sql);
    int rc = db_exec_script(db, s);
    if (rc != DB_OK)
        fprintf(stderr, "script failed: %s\n", db_errmsg(db));
    assert_int_equal(rc, DB_OK);
    free(s);
}

static int64_t count(db_t *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return db_query_int(db, sql, NOPARAMS, -1);
}

/* ---- engine-independent ---- */

static void test_rewrite(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"SELECT ?", "SELECT $1", 1},
        {"SELECT 'a?b', ?, \"c?\" FROM t WHERE x = ?", "SELECT 'a?b', $1, \"c?\" FROM t WHERE x = $2", 2},
        {"SELECT 'it''s?', ?", "SELECT 'it''s?', $1", 1},
        {"SELECT ? -- why?\n, ? /* what? /* nested? */ still? */ , ?",
         "SELECT $1 -- why?\n, $2 /* what? /* nested? */ still? */ , $3", 3},
        {"SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1},
        {"SELECT $$ ? $$, $tag$ '?' $x$ $tag$, ?", "SELECT $$ ? $$, $tag$ '?' $x$ $tag$, $1", 1},
        {"SELECT a$b, ?", "SELECT a$b, $1", 1},
        {"SELECT 'unterminated ?", "SELECT 'unterminated ?", 0},
        {"", "", 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int n = -1;
        char *out = db_sql_rewrite(cases[i].in, &n);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, cases[i].n);
        free(out);
    }
}

static void test_dialect(void **state)
{
    (void)state;
    const char *in = "CREATE TABLE x (id ID_PK, b BLOB, t BIGINT NOT NULL DEFAULT NOW_EPOCH, "
                     "s TEXT DEFAULT 'ID_PK BLOB', BLOBS INTEGER, xBLOB INTEGER, \"BLOB\" INTEGER) -- BLOB";
    char *sq = db_dialect(DB_SQLITE, in);
    char *pg = db_dialect(DB_PG, in);
    assert_string_equal(sq, "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB, t BIGINT NOT NULL "
                            "DEFAULT (CAST(strftime('%s','now') AS INTEGER)), s TEXT DEFAULT 'ID_PK BLOB', "
                            "BLOBS INTEGER, xBLOB INTEGER, \"BLOB\" INTEGER) -- BLOB");
    assert_string_equal(pg, "CREATE TABLE x (id BIGSERIAL PRIMARY KEY, b BYTEA, t BIGINT NOT NULL "
                            "DEFAULT (CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)), s TEXT DEFAULT 'ID_PK BLOB', "
                            "BLOBS INTEGER, xBLOB INTEGER, \"BLOB\" INTEGER) -- BLOB");
    free(sq);
    free(pg);
}

static void test_like_escape_text(void **state)
{
    (void)state;
    char *e = db_like_escape("50%_a\\b");
    assert_string_equal(e, "50\\%\\_a\\\\b");
    free(e);
    e = db_like_escape(NULL);
    assert_string_equal(e, "");
    free(e);
}

static void test_open_errors(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(db_open("", err, sizeof err));
    assert_true(err[0] != '\0');
    err[0] = '\0';
    assert_null(db_open("/nonexistent-dir/x/y.db", err, sizeof err));
    assert_true(err[0] != '\0');
    err[0] = '\0';
    assert_null(db_open("postgresql://nobody@/none?host=/nonexistent-socket-dir&connect_timeout=2", err, sizeof err));
    assert_true(err[0] != '\0');
}

/* ---- both engines ---- */

static void test_placeholders(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, a TEXT, b INTEGER)");
    assert_int_equal(db_exec(db, "INSERT INTO t (a, b) VALUES (?, ?)", PARAMS(P_TEXT("x?y"), P_INT(7))), DB_OK);
    db_res_t *r = db_query(db,
                           "SELECT 'what?' AS q, 'it''s ?' AS q2, a, \"b\" /* ? */ FROM t -- ?\n"
                           "WHERE b = ? AND a = ?",
                           PARAMS(P_INT(7), P_TEXT("x?y")));
    assert_non_null(r);
    assert_true(db_next(r));
    assert_int_equal(db_ncols(r), 4);
    assert_string_equal(db_colname(r, 0), "q");
    assert_string_equal(db_text(r, 0), "what?");
    assert_string_equal(db_text(r, 1), "it's ?");
    assert_string_equal(db_text(r, 2), "x?y");
    assert_int_equal(db_int(r, 3), 7);
    assert_false(db_next(r));
    assert_int_equal(db_res_status(r), DB_OK);
    db_res_free(r);

    /* wrong parameter count is an error, not a crash */
    assert_int_equal(db_exec(db, "INSERT INTO t (a, b) VALUES (?, ?)", PARAMS(P_TEXT("x"))), DB_ERR);
    assert_null(db_query(db, "SELECT a FROM t WHERE b = ?", NOPARAMS));
    assert_int_equal(db_last_code(db), DB_ERR);
    assert_int_equal(count(db, "t"), 1);
}

static void test_types(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, i BIGINT, r DOUBLE PRECISION, s TEXT, n TEXT)");
    const int64_t big = INT64_C(4611686018427387904) + 3, neg = -INT64_C(9000000000);
    assert_int_equal(db_exec(db, "INSERT INTO t (i, r, s, n) VALUES (?, 1.5, ?, ?)",
                             PARAMS(P_INT(big), P_TEXT("hello"), P_TEXT(NULL))),
                     DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t (i, r, s, n) VALUES (?, NULL, NULL, NULL)", PARAMS(P_INT(neg))),
                     DB_OK);
    db_res_t *r = db_query(db, "SELECT i, r, s, n FROM t ORDER BY id", NOPARAMS);
    assert_non_null(r);
    assert_true(db_next(r));
    assert_true(db_int(r, 0) == big);
    assert_false(db_isnull(r, 1));
    assert_string_equal(db_text(r, 2), "hello");
    assert_true(db_isnull(r, 3));
    assert_null(db_text(r, 3));
    assert_int_equal(db_int(r, 3), 0);
    /* out-of-range columns read as NULL */
    assert_true(db_isnull(r, 9));
    assert_null(db_colname(r, 9));
    assert_true(db_next(r));
    assert_true(db_int(r, 0) == neg);
    assert_true(db_isnull(r, 1));
    assert_true(db_isnull(r, 2));
    assert_false(db_next(r));
    assert_false(db_next(r));
    db_res_free(r);

    assert_int_equal(db_query_int(db, "SELECT i FROM t WHERE i < ?", PARAMS(P_INT(0)), 5), neg);
    assert_int_equal(db_query_int(db, "SELECT i FROM t WHERE i = ?", PARAMS(P_INT(12345)), 5), 5);
    assert_int_equal(db_query_int(db, "SELECT n FROM t ORDER BY id", NOPARAMS, 9), 9);
    assert_int_equal(db_query_int(db, "SELECT ? + 1", PARAMS(P_INT(41)), 0), 42);
}

static void test_blob(void **state)
{
    FX();
    script(db, "CREATE TABLE f (id ID_PK, data BLOB)");
    unsigned char bytes[300];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7);
    bytes[0] = 0;
    bytes[150] = 0;
    db_res_t *r = db_query(db, "INSERT INTO f (data) VALUES (?) RETURNING id", PARAMS(P_BLOB(bytes, sizeof bytes)));
    assert_non_null(r);
    assert_true(db_next(r));
    int64_t id = db_int(r, 0);
    db_res_free(r);
    assert_int_equal(db_exec(db, "INSERT INTO f (data) VALUES (?)", PARAMS(P_BLOB("", 0))), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO f (data) VALUES (?)", PARAMS(P_NULL)), DB_OK);

    r = db_query(db, "SELECT data FROM f WHERE id = ?", PARAMS(P_INT(id)));
    assert_true(db_next(r));
    size_t len = 0;
    const void *p = db_blob(r, 0, &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(p, bytes, sizeof bytes);
    /* read twice: the decoded copy stays valid until the next row */
    assert_ptr_equal(db_blob(r, 0, &len), p);
    db_res_free(r);

    r = db_query(db, "SELECT data FROM f ORDER BY id", NOPARAMS);
    assert_true(db_next(r));
    assert_true(db_next(r));
    p = db_blob(r, 0, &len);
    assert_non_null(p); /* empty, not NULL */
    assert_int_equal(len, 0);
    assert_false(db_isnull(r, 0));
    assert_true(db_next(r));
    assert_null(db_blob(r, 0, &len));
    assert_int_equal(len, 0);
    assert_true(db_isnull(r, 0));
    db_res_free(r);

    /* blobs are left out of JSON */
    json_t *j = db_query_row_json(db, "SELECT id, data FROM f WHERE id = ?", PARAMS(P_INT(id)));
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 1);
    json_decref(j);
}

static void test_returning_and_changes(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, a TEXT NOT NULL)");
    for (int i = 1; i <= 3; i++) {
        db_res_t *r = db_query(db, "INSERT INTO t (a) VALUES (?) RETURNING id", PARAMS(P_TEXT("v")));
        assert_non_null(r);
        assert_true(db_next(r));
        assert_int_equal(db_int(r, 0), i);
        db_res_free(r);
    }
    assert_int_equal(db_exec(db, "UPDATE t SET a = ? WHERE id >= ?", PARAMS(P_TEXT("w"), P_INT(2))), DB_OK);
    assert_int_equal(db_changes(db), 2);
    assert_int_equal(db_exec(db, "DELETE FROM t WHERE id = ?", PARAMS(P_INT(99))), DB_OK);
    assert_int_equal(db_changes(db), 0);
    assert_int_equal(db_exec(db, "DELETE FROM t WHERE id = ?", PARAMS(P_INT(1))), DB_OK);
    assert_int_equal(db_changes(db), 1);
    assert_int_equal(db_exec(db, "SELECT id FROM t", NOPARAMS), DB_OK);
    assert_int_equal(db_changes(db), 0);
    assert_int_equal(db_exec(db, "INSERT INTO t (id, a) VALUES (?, ?) ON CONFLICT DO NOTHING",
                             PARAMS(P_INT(2), P_TEXT("dup"))),
                     DB_OK);
    assert_int_equal(db_changes(db), 0);
}

static void test_transactions(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, a TEXT)");
    assert_false(db_in_tx(db));
    assert_int_equal(db_begin(db), DB_OK);
    assert_true(db_in_tx(db));
    assert_int_equal(db_begin(db), DB_ERR); /* no nesting */
    assert_true(db_in_tx(db));
    assert_int_equal(db_exec(db, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("gone"))), DB_OK);
    assert_int_equal(count(db, "t"), 1);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_false(db_in_tx(db));
    assert_int_equal(count(db, "t"), 0);

    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("kept"))), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_false(db_in_tx(db));
    assert_int_equal(count(db, "t"), 1);

    assert_int_equal(db_commit(db), DB_ERR);  /* nothing to commit */
    assert_int_equal(db_rollback(db), DB_OK); /* nothing to undo: harmless */
}

static void test_constraints(void **state)
{
    FX();
    script(db, "CREATE TABLE p (id ID_PK, email TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0));"
               "CREATE TABLE c (id ID_PK, p_id BIGINT NOT NULL REFERENCES p(id))");
    assert_int_equal(db_exec(db, "INSERT INTO p (email, n) VALUES (?, 1)", PARAMS(P_TEXT("a@x"))), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO p (email, n) VALUES (?, 1)", PARAMS(P_TEXT("a@x"))), DB_CONSTRAINT);
    assert_int_equal(db_last_code(db), DB_CONSTRAINT);
    assert_true(strlen(db_errmsg(db)) > 0);
    assert_null(db_query(db, "INSERT INTO p (email, n) VALUES (?, 1) RETURNING id", PARAMS(P_TEXT("a@x"))));
    assert_int_equal(db_last_code(db), DB_CONSTRAINT);
    assert_int_equal(db_exec(db, "INSERT INTO p (email, n) VALUES (?, -1)", PARAMS(P_TEXT("b@x"))), DB_CONSTRAINT);
    assert_int_equal(db_exec(db, "INSERT INTO p (email, n) VALUES (?, 1)", PARAMS(P_NULL)), DB_CONSTRAINT);
    assert_int_equal(db_exec(db, "INSERT INTO c (p_id) VALUES (?)", PARAMS(P_INT(999))), DB_CONSTRAINT);
    assert_int_equal(db_exec(db, "INSERT INTO c (p_id) VALUES (?)", PARAMS(P_INT(1))), DB_OK);
    assert_int_equal(db_exec(db, "DELETE FROM p WHERE id = ?", PARAMS(P_INT(1))), DB_CONSTRAINT);
    assert_int_equal(count(db, "p"), 1);
}

static void test_constraint_in_tx(void **state)
{
    FX();
    script(db, "CREATE TABLE u (id ID_PK, email TEXT NOT NULL UNIQUE)");
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("a"))), DB_OK);

    /* a violation inside a transaction; rollback leaves a working connection */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("b"))), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("a"))), DB_CONSTRAINT);
    /* the same on both engines: after a failure only rollback is allowed */
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("c"))), DB_ERR);
    assert_null(db_query(db, "SELECT id FROM u", NOPARAMS));
    assert_int_equal(db_rollback(db), DB_OK);
    assert_false(db_in_tx(db));
    assert_int_equal(count(db, "u"), 1);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("b"))), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(count(db, "u"), 2);

    /* committing a failed transaction rolls it back and says so */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("c"))), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("a"))), DB_CONSTRAINT);
    assert_int_equal(db_commit(db), DB_ERR);
    assert_false(db_in_tx(db));
    assert_int_equal(count(db, "u"), 2);
    assert_int_equal(db_exec(db, "INSERT INTO u (email) VALUES (?)", PARAMS(P_TEXT("c"))), DB_OK);
    assert_int_equal(count(db, "u"), 3);
}

static void test_statement_cache(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, n INTEGER)");
    int before = -1;
    for (int i = 0; i < 500; i++) {
        assert_int_equal(db_exec(db, "INSERT INTO t (n) VALUES (?)", PARAMS(P_INT(i))), DB_OK);
        assert_int_equal(db_query_int(db, "SELECT n FROM t WHERE id = ?", PARAMS(P_INT(i + 1)), -1), i);
        if (i == 0)
            before = db_stmt_cache_count(db);
    }
    assert_true(before >= 2);
    assert_int_equal(db_stmt_cache_count(db), before);
    if (db_kind(db) == DB_PG) { /* the server holds exactly what the cache names */
        int64_t on_server = db_query_int(db, "SELECT count(*) FROM pg_prepared_statements", NOPARAMS, -1);
        assert_int_equal(on_server, db_stmt_cache_count(db)); /* this query included */
        before++;
    }

    /* many distinct statements: the cache stays bounded and all still run */
    char sql[96];
    for (int i = 0; i < DB_STMT_CACHE_MAX + 50; i++) {
        snprintf(sql, sizeof sql, "SELECT %d + n FROM t WHERE id = ?", i);
        assert_int_equal(db_query_int(db, sql, PARAMS(P_INT(1)), -1), i);
    }
    assert_true(db_stmt_cache_count(db) <= DB_STMT_CACHE_MAX);
    assert_int_equal(db_query_int(db, "SELECT n FROM t WHERE id = ?", PARAMS(P_INT(3)), -1), 2);
}

static void test_nested_same_sql(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, parent BIGINT)");
    for (int i = 0; i < 5; i++)
        assert_int_equal(db_exec(db, "INSERT INTO t (parent) VALUES (?)", PARAMS(i ? P_INT(1) : P_NULL)), DB_OK);
    const char *sql = "SELECT id FROM t WHERE id >= ? ORDER BY id";
    db_res_t *outer = db_query(db, sql, PARAMS(P_INT(1)));
    assert_non_null(outer);
    int rows = 0;
    int cached = db_stmt_cache_count(db);
    while (db_next(outer)) {
        int64_t id = db_int(outer, 0);
        assert_int_equal(id, rows + 1);
        db_res_t *inner = db_query(db, sql, PARAMS(P_INT(id)));
        assert_non_null(inner);
        int n = 0;
        while (db_next(inner))
            n++;
        assert_int_equal(n, 5 - rows);
        db_res_free(inner);
        /* the outer row is intact */
        assert_int_equal(db_int(outer, 0), id);
        rows++;
    }
    assert_int_equal(rows, 5);
    assert_int_equal(db_res_status(outer), DB_OK);
    db_res_free(outer);
    assert_int_equal(db_stmt_cache_count(db), cached);
    /* the cached statement is free again */
    assert_int_equal(db_query_int(db, sql, PARAMS(P_INT(5)), -1), 5);
}

static const db_migration_t mig_base[] = {
    {3, "seed", "INSERT INTO kv (k, v) VALUES ('seed', 'x')", NULL},
    {1, "kv", "CREATE TABLE kv (id ID_PK, k TEXT NOT NULL UNIQUE, v TEXT, at BIGINT NOT NULL DEFAULT NOW_EPOCH)",
     NULL},
    {2, "kv_blob", "ALTER TABLE kv ADD COLUMN data BLOB; CREATE TABLE log (id ID_PK, kv_id BIGINT REFERENCES kv(id))",
     NULL},
};

static void test_migrations(void **state)
{
    FX();
    char err[256];
    assert_int_equal(db_schema_version(db), 0);
    assert_int_equal(db_migrate(db, mig_base, ARRAY_LEN(mig_base), err, sizeof err), DB_OK);
    assert_string_equal(err, "");
    assert_int_equal(db_schema_version(db), 3);
    assert_int_equal(count(db, "kv"), 1);
    assert_int_equal(count(db, "schema_migrations"), 3);
    int64_t at = db_query_int(db, "SELECT at FROM kv WHERE k = 'seed'", NOPARAMS, 0);
    int64_t now = (int64_t)time(NULL);
    assert_true(at > now - 60 && at <= now + 1);

    /* rerun: nothing applied twice */
    assert_int_equal(db_migrate(db, mig_base, ARRAY_LEN(mig_base), err, sizeof err), DB_OK);
    assert_int_equal(count(db, "kv"), 1);
    assert_int_equal(count(db, "schema_migrations"), 3);

    /* a new one is applied alone; recorded names */
    db_migration_t more[4];
    memcpy(more, mig_base, sizeof mig_base);
    more[3] = (db_migration_t){4, "more", "INSERT INTO kv (k, v) VALUES ('four', 'y')", NULL};
    assert_int_equal(db_migrate(db, more, 4, err, sizeof err), DB_OK);
    assert_int_equal(db_schema_version(db), 4);
    assert_int_equal(count(db, "kv"), 2);
    json_t *row = db_query_row_json(db, "SELECT name FROM schema_migrations WHERE version = ?", PARAMS(P_INT(4)));
    assert_string_equal(json_string_value(json_object_get(row, "name")), "more");
    json_decref(row);

    /* duplicate versions are refused before anything runs */
    db_migration_t dup[2] = {{7, "a", "CREATE TABLE a7 (x INTEGER)", NULL}, {7, "b", "CREATE TABLE b7 (x INTEGER)", NULL}};
    assert_int_equal(db_migrate(db, dup, 2, err, sizeof err), DB_ERR);
    assert_non_null(strstr(err, "share version 7"));
    assert_int_equal(db_schema_version(db), 4);

    /* a failing migration leaves nothing behind and stops the run */
    db_migration_t bad[2] = {
        {5, "bad", "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1)", NULL},
        {6, "after", "CREATE TABLE after6 (x INTEGER)", NULL},
    };
    assert_int_not_equal(db_migrate(db, bad, 2, err, sizeof err), DB_OK);
    assert_non_null(strstr(err, "migration 5 (bad)"));
    assert_false(db_in_tx(db));
    assert_int_equal(db_schema_version(db), 4);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM half", NOPARAMS, -1), -1); /* no table */
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM after6", NOPARAMS, -1), -1);
    /* the connection is still usable */
    assert_int_equal(count(db, "kv"), 2);
}

static void test_migration_sql_pg(void **state)
{
    FX();
    char err[256];
    db_migration_t m[] = {
        {10, "engine", "CREATE TABLE e (name TEXT); INSERT INTO e VALUES ('sqlite')",
         "CREATE TABLE e (name TEXT); INSERT INTO e VALUES ('pg')"},
        {11, "portable", "INSERT INTO e VALUES ('both')", NULL},
    };
    assert_int_equal(db_migrate(db, m, 2, err, sizeof err), DB_OK);
    json_t *rows = db_query_json(db, "SELECT name FROM e ORDER BY name", NOPARAMS);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")), "both");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "name")),
                        db_kind(db) == DB_PG ? "pg" : "sqlite");
    json_decref(rows);
}

typedef struct {
    test_db_t *fx;
    int rc;
    char err[256];
} mig_thread_t;

static const db_migration_t mig_race[] = {
    {1, "t", "CREATE TABLE hits (id ID_PK, who TEXT)", NULL},
    {2, "hit2", "INSERT INTO hits (who) VALUES ('2')", NULL},
    {3, "hit3", "INSERT INTO hits (who) VALUES ('3')", NULL},
};

static void *mig_thread(void *arg)
{
    mig_thread_t *t = arg;
    db_t *db = test_db_connect(t->fx);
    if (!db) {
        t->rc = -100;
        return NULL;
    }
    t->rc = db_migrate(db, mig_race, ARRAY_LEN(mig_race), t->err, sizeof t->err);
    db_close(db);
    return NULL;
}

static void test_migrations_concurrent(void **state)
{
    FX();
    enum { N = 4 };
    pthread_t th[N];
    mig_thread_t args[N];
    for (int i = 0; i < N; i++) {
        args[i] = (mig_thread_t){.fx = fx};
        assert_int_equal(pthread_create(&th[i], NULL, mig_thread, &args[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        if (args[i].rc != DB_OK)
            fprintf(stderr, "thread %d: %s\n", i, args[i].err);
        assert_int_equal(args[i].rc, DB_OK);
    }
    assert_int_equal(count(db, "hits"), 2);
    assert_int_equal(db_schema_version(db), 3);
}

static void test_json(void **state)
{
    FX();
    script(db, "CREATE TABLE j (id ID_PK, i INTEGER, r DOUBLE PRECISION, s TEXT, n TEXT, b BLOB)");
    assert_int_equal(db_exec(db, "INSERT INTO j (i, r, s, n, b) VALUES (?, 2.5, ?, NULL, ?)",
                             PARAMS(P_INT(-3), P_TEXT("t\"x"), P_BLOB("\0\1", 2))),
                     DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO j (i) VALUES (?)", PARAMS(P_INT(10))), DB_OK);
    json_t *a = db_query_json(db, "SELECT id, i, r, s, n, b FROM j ORDER BY id", NOPARAMS);
    assert_non_null(a);
    assert_int_equal(json_array_size(a), 2);
    json_t *o = json_array_get(a, 0);
    assert_true(json_is_integer(json_object_get(o, "id")));
    assert_int_equal(json_integer_value(json_object_get(o, "i")), -3);
    assert_true(json_is_real(json_object_get(o, "r")));
    assert_true(json_real_value(json_object_get(o, "r")) == 2.5);
    assert_string_equal(json_string_value(json_object_get(o, "s")), "t\"x");
    assert_true(json_is_null(json_object_get(o, "n")));
    assert_null(json_object_get(o, "b"));
    json_decref(a);

    /* aggregates: integers stay integers on both engines */
    o = db_query_row_json(db, "SELECT count(*) AS c, SUM(i) AS s, MAX(i) AS m FROM j", NOPARAMS);
    assert_non_null(o);
    assert_true(json_is_integer(json_object_get(o, "c")));
    assert_int_equal(json_integer_value(json_object_get(o, "c")), 2);
    assert_true(json_is_integer(json_object_get(o, "s")));
    assert_int_equal(json_integer_value(json_object_get(o, "s")), 7);
    assert_int_equal(json_integer_value(json_object_get(o, "m")), 10);
    json_decref(o);
    o = db_query_row_json(db, "SELECT ? AS p, CAST(? AS TEXT) AS q", PARAMS(P_INT(5), P_TEXT("five")));
    assert_true(json_is_integer(json_object_get(o, "p")));
    assert_string_equal(json_string_value(json_object_get(o, "q")), "five");
    json_decref(o);

    if (db_kind(db) == DB_PG) {
        o = db_query_row_json(db, "SELECT 1 = 1 AS t, 1 = 2 AS f, CAST(1.25 AS NUMERIC) AS d", NOPARAMS);
        assert_true(json_is_true(json_object_get(o, "t")));
        assert_true(json_is_false(json_object_get(o, "f")));
        assert_true(json_is_real(json_object_get(o, "d")));
        json_decref(o);
    }
    assert_null(db_query_row_json(db, "SELECT id FROM j WHERE id = ?", PARAMS(P_INT(99))));
    assert_null(db_query_json(db, "SELECT nope FROM j", NOPARAMS));
    a = db_query_json(db, "SELECT id FROM j WHERE id > ?", PARAMS(P_INT(99)));
    assert_true(json_is_array(a) && json_array_size(a) == 0);
    json_decref(a);
}

static void test_like(void **state)
{
    FX();
    script(db, "CREATE TABLE w (id ID_PK, v TEXT)");
    const char *vals[] = {"100%", "100x", "a_b", "axb", "back\\slash", "backxslash"};
    for (size_t i = 0; i < ARRAY_LEN(vals); i++)
        assert_int_equal(db_exec(db, "INSERT INTO w (v) VALUES (?)", PARAMS(P_TEXT(vals[i]))), DB_OK);
    const char *needles[] = {"0%", "_", "\\", "100"};
    const int expect[] = {1, 1, 1, 2};
    for (size_t i = 0; i < ARRAY_LEN(needles); i++) {
        char *e = db_like_escape(needles[i]);
        char *pat = xasprintf("%%%s%%", e);
        assert_int_equal(db_query_int(db, "SELECT count(*) FROM w WHERE v LIKE ? ESCAPE '\\'", PARAMS(P_TEXT(pat)), -1),
                         expect[i]);
        free(pat);
        free(e);
    }
}

static void test_backup(void **state)
{
    FX();
    char out[300], err[256] = "";
    snprintf(out, sizeof out, "%s.backup", !fx->pg ? fx->url : "/tmp/jouda_test_pg");
    unlink(out);
    if (db_kind(db) == DB_PG) {
        assert_int_equal(db_backup(db, out, err, sizeof err), DB_ERR);
        assert_string_equal(err, "use pg_dump for PostgreSQL");
        assert_int_not_equal(access(out, F_OK), 0);
        return;
    }
    script(db, "CREATE TABLE t (id ID_PK, a TEXT)");
    assert_int_equal(db_exec(db, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("saved"))), DB_OK);
    assert_int_equal(db_backup(db, out, err, sizeof err), DB_OK);
    db_t *copy = db_open(out, err, sizeof err);
    assert_non_null(copy);
    json_t *row = db_query_row_json(copy, "SELECT a FROM t", NOPARAMS);
    assert_string_equal(json_string_value(json_object_get(row, "a")), "saved");
    json_decref(row);
    db_close(copy);
    /* never overwrites */
    assert_int_equal(db_backup(db, out, err, sizeof err), DB_ERR);
    assert_non_null(strstr(err, "exists"));
    remove_sqlite(out);
}

static void test_utf8(void **state)
{
    FX();
    script(db, "CREATE TABLE names (id ID_PK, name TEXT NOT NULL)");
    const char *ar = "مؤسسة الرعاية الاجتماعية – دار الطالبة";
    const char *fr = "Établissement d'accueil « Les Hirondelles »";
    assert_int_equal(db_exec(db, "INSERT INTO names (name) VALUES (?), (?)", PARAMS(P_TEXT(ar), P_TEXT(fr))), DB_OK);
    db_res_t *r = db_query(db, "SELECT name, length(name) FROM names ORDER BY id", NOPARAMS);
    assert_true(db_next(r));
    assert_string_equal(db_text(r, 0), ar);
    assert_int_equal(db_int(r, 1), utf8_count(ar)); /* characters, not bytes, on both */
    assert_true(db_next(r));
    assert_string_equal(db_text(r, 0), fr);
    db_res_free(r);
    json_t *row = db_query_row_json(db, "SELECT name FROM names WHERE name = ?", PARAMS(P_TEXT(ar)));
    assert_string_equal(json_string_value(json_object_get(row, "name")), ar);
    json_decref(row);
}

typedef struct {
    db_t *db;
    int rc;
} commit_later_t;

static void *commit_later(void *arg)
{
    commit_later_t *c = arg;
    usleep(300 * 1000);
    c->rc = db_commit(c->db);
    return NULL;
}

static void test_two_connections(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, a TEXT)");
    db_t *other = test_db_connect(fx);
    assert_non_null(other);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("one"))), DB_OK);
    /* a reader is not blocked by the open write transaction, and sees the last commit */
    assert_int_equal(count(other, "t"), 0);

    /* a second writer waits (busy timeout) until the first commits */
    commit_later_t c = {db, -99};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, commit_later, &c), 0);
    assert_int_equal(db_begin(other), DB_OK);
    assert_int_equal(db_exec(other, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("two"))), DB_OK);
    assert_int_equal(db_commit(other), DB_OK);
    pthread_join(th, NULL);
    assert_int_equal(c.rc, DB_OK);
    assert_int_equal(count(other, "t"), 2);
    assert_int_equal(count(db, "t"), 2);
    db_close(other);
}

/* A lock not obtained within the wait limit is DB_BUSY on both engines. */
static void test_busy(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, a TEXT)");
    assert_int_equal(db_exec(db, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("x"))), DB_OK);
    db_t *other = test_db_connect(fx);
    assert_non_null(other);
    assert_int_equal(db_exec_script(other, db_kind(db) == DB_PG ? "SET lock_timeout = '100ms'" : "PRAGMA busy_timeout = 100"),
                     DB_OK);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_exec(db, "UPDATE t SET a = ? WHERE id = 1", PARAMS(P_TEXT("A"))), DB_OK);
    assert_int_equal(db_exec(other, "UPDATE t SET a = ? WHERE id = 1", PARAMS(P_TEXT("B"))), DB_BUSY);
    assert_int_equal(db_last_code(other), DB_BUSY);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_exec(other, "UPDATE t SET a = ? WHERE id = 1", PARAMS(P_TEXT("B"))), DB_OK);
    json_t *row = db_query_row_json(db, "SELECT a FROM t WHERE id = 1", NOPARAMS);
    assert_string_equal(json_string_value(json_object_get(row, "a")), "B");
    json_decref(row);
    db_close(other);
}

/* Another process changes a table under a cached statement. */
static void test_schema_change(void **state)
{
    FX();
    script(db, "CREATE TABLE t (id ID_PK, a TEXT)");
    assert_int_equal(db_exec(db, "INSERT INTO t (a) VALUES (?)", PARAMS(P_TEXT("x"))), DB_OK);
    json_t *row = db_query_row_json(db, "SELECT * FROM t", NOPARAMS);
    assert_int_equal(json_object_size(row), 2);
    json_decref(row);
    db_t *other = test_db_connect(fx);
    assert_non_null(other);
    assert_int_equal(db_exec_script(other, "ALTER TABLE t ADD COLUMN b INTEGER"), DB_OK);
    db_close(other);
    row = db_query_row_json(db, "SELECT * FROM t", NOPARAMS);
    assert_non_null(row);
    assert_int_equal(json_object_size(row), 3);
    assert_true(json_is_null(json_object_get(row, "b")));
    json_decref(row);
}

static void test_errors(void **state)
{
    FX();
    assert_null(db_query(db, "SELEC 1", NOPARAMS));
    assert_int_equal(db_last_code(db), DB_ERR);
    assert_true(strlen(db_errmsg(db)) > 0);
    assert_int_equal(db_exec(db, "INSERT INTO nowhere VALUES (1)", NOPARAMS), DB_ERR);
    /* one statement per db_exec: scripts go through db_exec_script */
    assert_int_equal(db_exec(db, "CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER)", NOPARAMS), DB_ERR);
    assert_int_equal(db_exec(db, "SELECT 1; -- trailing comment\n", NOPARAMS), DB_OK);
    assert_int_equal(db_exec_script(db, "CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER);"), DB_OK);
    assert_int_equal(db_exec_script(db, "INSERT INTO a VALUES (1); INSERT INTO nowhere VALUES (2)"), DB_ERR);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM a", NOPARAMS, -1),
                     db_kind(db) == DB_PG ? 0 : 1); /* PostgreSQL runs a script as one transaction */

    /* an error met while fetching rows is reported, on whichever step it happens */
    script(db, "CREATE TABLE n (id ID_PK)");
    for (int i = 0; i < 3; i++)
        assert_int_equal(db_exec(db, "INSERT INTO n (id) VALUES (?)", PARAMS(P_INT(i + 1))), DB_OK);
    db_res_t *r = db_query(db,
                           "SELECT CASE WHEN id = 2 THEN abs(CAST(-9223372036854775808 AS BIGINT)) ELSE id END "
                           "FROM n ORDER BY id",
                           NOPARAMS);
    if (r) {
        int rows = 0;
        while (db_next(r))
            rows++;
        assert_int_equal(rows, 1);
        assert_int_equal(db_res_status(r), DB_ERR);
        db_res_free(r);
    } else {
        assert_int_equal(db_last_code(db), DB_ERR);
    }
    assert_int_equal(count(db, "n"), 3);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, test_db_teardown)

int main(void)
{
    const struct CMUnitTest common[] = {
        cmocka_unit_test(test_rewrite),
        cmocka_unit_test(test_dialect),
        cmocka_unit_test(test_like_escape_text),
        cmocka_unit_test(test_open_errors),
    };
    const struct CMUnitTest engine[] = {
        T(test_placeholders),
        T(test_types),
        T(test_blob),
        T(test_returning_and_changes),
        T(test_transactions),
        T(test_constraints),
        T(test_constraint_in_tx),
        T(test_statement_cache),
        T(test_nested_same_sql),
        T(test_migrations),
        T(test_migration_sql_pg),
        T(test_migrations_concurrent),
        T(test_json),
        T(test_like),
        T(test_backup),
        T(test_utf8),
        T(test_two_connections),
        T(test_busy),
        T(test_schema_change),
        T(test_errors),
    };
    int failed = cmocka_run_group_tests_name("db_common", common, NULL, NULL);
    g_pg = false;
    failed += cmocka_run_group_tests_name("db_sqlite", engine, NULL, NULL);
    g_pg = true;
    failed += cmocka_run_group_tests_name("db_postgresql", engine, NULL, NULL);
    return failed ? 1 : 0;
}
