/* db_sqlite.c - the SQLite engine: a WAL database with foreign keys and a busy
 * timeout, prepared statements cached per connection by SQL text, lazily
 * stepped results, and the online backup. */
#include "db_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sq_entry {
    char *sql;
    uint32_t hash;
    bool in_use; /* held by an open result */
    sqlite3_stmt *stmt;
    struct sq_entry *next;
} sq_entry_t;

typedef struct {
    db_t base;
    sqlite3 *h;
    sq_entry_t *buckets[DB_STMT_BUCKETS];
    size_t count;
} sq_db_t;

enum { ROW_PENDING, ROW_ITER, ROW_DONE };

typedef struct {
    db_res_t base;
    sqlite3_stmt *stmt;
    sq_entry_t *entry; /* NULL: a temporary statement, finalized at free */
    int state;
} sq_res_t;

static sq_db_t *SQ(db_t *db) { return (sq_db_t *)db; }
static sq_res_t *SR(db_res_t *r) { return (sq_res_t *)r; }

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    default: return DB_ERR;
    }
}

static int sq_fail(sq_db_t *s, int rc, const char *sql)
{
    return db_fail(&s->base, map_rc(rc), sql, "%s", sqlite3_errmsg(s->h));
}

/* ---- statement cache ---- */

/* A ready statement for sql: the cached one when free, else a temporary one
 * (nested query with the same SQL, or cache full). *entry is NULL for a
 * temporary statement. Returns NULL after recording the error. */
static sqlite3_stmt *stmt_get(sq_db_t *s, const char *sql, sq_entry_t **entry)
{
    uint32_t h = db_hash(sql, 0);
    sq_entry_t **slot = &s->buckets[h % DB_STMT_BUCKETS];
    bool cached = false;
    *entry = NULL;
    for (sq_entry_t *e = *slot; e; e = e->next) {
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            if (!e->in_use) {
                e->in_use = true;
                *entry = e;
                return e->stmt;
            }
            cached = true;
            break;
        }
    }
    bool keep = !cached && s->count < DB_STMT_CACHE_MAX;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(s->h, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, &st, &tail);
    if (rc != SQLITE_OK) {
        sq_fail(s, rc, sql);
        return NULL;
    }
    if (!st) {
        db_fail(&s->base, DB_ERR, sql, "empty statement");
        return NULL;
    }
    if (!db_sql_rest_is_empty(tail)) {
        sqlite3_finalize(st);
        db_fail(&s->base, DB_ERR, sql, "one statement at a time (use db_exec_script for scripts)");
        return NULL;
    }
    if (keep) {
        sq_entry_t *e = xcalloc(1, sizeof *e);
        e->sql = xstrdup(sql);
        e->hash = h;
        e->stmt = st;
        e->in_use = true;
        e->next = *slot;
        *slot = e;
        s->count++;
        *entry = e;
    }
    return st;
}

static void stmt_release(sqlite3_stmt *st, sq_entry_t *e)
{
    if (e) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        e->in_use = false;
    } else {
        sqlite3_finalize(st);
    }
}

static int bind_params(sq_db_t *s, sqlite3_stmt *st, const char *sql, const db_param_t *p, int n,
                       sqlite3_destructor_type how)
{
    int want = sqlite3_bind_parameter_count(st);
    if (want != n)
        return db_fail(&s->base, DB_ERR, sql, "statement takes %d parameters, %d given", want, n);
    for (int i = 0; i < n; i++) {
        int rc;
        switch (p[i].type) {
        case DBP_INT: rc = sqlite3_bind_int64(st, i + 1, p[i].i); break;
        case DBP_TEXT: rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, how); break;
        case DBP_BLOB: /* a NULL pointer would bind SQL NULL: keep empty blobs non-NULL */
            rc = sqlite3_bind_blob64(st, i + 1, p[i].s ? p[i].s : "", p[i].len, how);
            break;
        default: rc = sqlite3_bind_null(st, i + 1); break;
        }
        if (rc != SQLITE_OK)
            return sq_fail(s, rc, sql);
    }
    return DB_OK;
}

/* ---- engine operations ---- */

static int sq_exec(db_t *db, const char *sql, const db_param_t *params, int n, int64_t *changes)
{
    sq_db_t *s = SQ(db);
    sq_entry_t *e;
    sqlite3_stmt *st = stmt_get(s, sql, &e);
    if (!st)
        return db->last_code;
    /* the statement runs to completion here: parameters need not be copied */
    int rc = bind_params(s, st, sql, params, n, SQLITE_STATIC);
    if (rc == DB_OK) {
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (src == SQLITE_DONE)
            *changes = sqlite3_stmt_readonly(st) ? 0 : sqlite3_changes64(s->h);
        else
            rc = sq_fail(s, src, sql);
    }
    stmt_release(st, e);
    return rc;
}

static db_res_t *sq_query(db_t *db, const char *sql, const db_param_t *params, int n)
{
    sq_db_t *s = SQ(db);
    sq_entry_t *e;
    sqlite3_stmt *st = stmt_get(s, sql, &e);
    if (!st)
        return NULL;
    /* rows are stepped later: SQLite must keep its own copy of the values */
    if (bind_params(s, st, sql, params, n, SQLITE_TRANSIENT) != DB_OK) {
        stmt_release(st, e);
        return NULL;
    }
    /* The first step runs now so that errors (a constraint on INSERT ...
     * RETURNING, a busy database) surface here as on PostgreSQL. */
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_fail(s, rc, sql);
        stmt_release(st, e);
        return NULL;
    }
    sq_res_t *r = xcalloc(1, sizeof *r);
    r->base.db = db;
    r->stmt = st;
    r->entry = e;
    r->state = rc == SQLITE_ROW ? ROW_PENDING : ROW_DONE;
    if (r->state == ROW_DONE)
        sqlite3_reset(st); /* release the read lock at once */
    return &r->base;
}

static bool sq_next(db_res_t *res)
{
    sq_res_t *r = SR(res);
    if (r->state == ROW_PENDING) {
        r->state = ROW_ITER;
        return true;
    }
    if (r->state == ROW_DONE)
        return false;
    int rc = sqlite3_step(r->stmt);
    if (rc == SQLITE_ROW)
        return true;
    r->state = ROW_DONE;
    if (rc != SQLITE_DONE)
        res->status = sq_fail(SQ(res->db), rc, sqlite3_sql(r->stmt));
    sqlite3_reset(r->stmt);
    return false;
}

static int sq_ncols(db_res_t *res) { return sqlite3_column_count(SR(res)->stmt); }
static const char *sq_colname(db_res_t *res, int col) { return sqlite3_column_name(SR(res)->stmt, col); }

static db_ctype_t sq_coltype(db_res_t *res, int col)
{
    if (SR(res)->state != ROW_ITER)
        return DBC_NULL;
    switch (sqlite3_column_type(SR(res)->stmt, col)) {
    case SQLITE_INTEGER: return DBC_INT;
    case SQLITE_FLOAT: return DBC_REAL;
    case SQLITE_TEXT: return DBC_TEXT;
    case SQLITE_BLOB: return DBC_BLOB;
    default: return DBC_NULL;
    }
}

static int64_t sq_col_int(db_res_t *res, int col) { return sqlite3_column_int64(SR(res)->stmt, col); }
static double sq_col_real(db_res_t *res, int col) { return sqlite3_column_double(SR(res)->stmt, col); }

static const char *sq_col_text(db_res_t *res, int col, size_t *len)
{
    const char *s = (const char *)sqlite3_column_text(SR(res)->stmt, col);
    *len = s ? (size_t)sqlite3_column_bytes(SR(res)->stmt, col) : 0;
    return s;
}

static const void *sq_col_blob(db_res_t *res, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(SR(res)->stmt, col);
    *len = (size_t)sqlite3_column_bytes(SR(res)->stmt, col);
    return p ? p : ""; /* an empty blob is not NULL */
}

static void sq_res_free(db_res_t *res)
{
    sq_res_t *r = SR(res);
    /* A write read only in part (INSERT ... RETURNING) completes, and in
     * autocommit mode commits, at this reset: report a failure there. */
    if (r->state != ROW_DONE && !sqlite3_stmt_readonly(r->stmt)) {
        int rc = sqlite3_reset(r->stmt);
        if (rc != SQLITE_OK)
            sq_fail(SQ(res->db), rc, sqlite3_sql(r->stmt));
    }
    stmt_release(r->stmt, r->entry);
    free(r);
}

static int sq_exec_script(db_t *db, const char *sql)
{
    sq_db_t *s = SQ(db);
    char *msg = NULL;
    int rc = sqlite3_exec(s->h, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return DB_OK;
    rc = db_fail(db, map_rc(rc), sql, "%s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc;
}

static int sq_control(db_t *db, const char *sql)
{
    int64_t changes;
    return sq_exec(db, sql, NULL, 0, &changes);
}

static bool sq_engine_in_tx(db_t *db) { return !sqlite3_get_autocommit(SQ(db)->h); }

static void sq_close(db_t *db)
{
    sq_db_t *s = SQ(db);
    for (size_t b = 0; b < DB_STMT_BUCKETS; b++) {
        for (sq_entry_t *e = s->buckets[b], *next; e; e = next) {
            next = e->next;
            sqlite3_finalize(e->stmt);
            free(e->sql);
            free(e);
        }
    }
    sqlite3_close_v2(s->h);
    free(s);
}

static int sq_cache_count(db_t *db) { return (int)SQ(db)->count; }

static const db_ops_t sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .exec = sq_exec,
    .query = sq_query,
    .exec_script = sq_exec_script,
    .control = sq_control,
    .engine_in_tx = sq_engine_in_tx,
    .next = sq_next,
    .ncols = sq_ncols,
    .colname = sq_colname,
    .coltype = sq_coltype,
    .col_int = sq_col_int,
    .col_real = sq_col_real,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .res_free = sq_res_free,
    .cache_count = sq_cache_count,
};

static int journal_mode_cb(void *arg, int ncols, char **vals, char **names)
{
    (void)names;
    if (ncols > 0 && vals[0])
        snprintf(arg, 16, "%s", vals[0]);
    return 0;
}

db_t *db_sqlite_open(const char *path, char *err, size_t errlen)
{
    sqlite3 *h = NULL;
    /* One connection per thread, never shared at once: no SQLite mutexes. */
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, 5000);
    /* WAL lets readers go on while one writer writes; the normal locking mode
     * (never exclusive) lets the command line work on the file beside the server. */
    char *msg = NULL;
    rc = sqlite3_exec(h,
                      "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                      "PRAGMA synchronous=NORMAL;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    char mode[16] = "";
    sqlite3_exec(h, "PRAGMA journal_mode", journal_mode_cb, mode, NULL);
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
        log_error("db sqlite: %s: journal mode is %s, not wal: readers will wait for writers", path, mode);
    sq_db_t *s = xcalloc(1, sizeof *s);
    s->base.ops = &sq_ops;
    s->base.kind = DB_SQLITE;
    s->h = h;
    return &s->base;
}

int db_sqlite_backup(db_t *db, const char *out_path, char *err, size_t errlen)
{
    sq_db_t *s = SQ(db);
    /* O_EXCL: never overwrite; 0600: the copy holds personal data. */
    int fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", out_path,
                 errno == EEXIST ? "file exists, refusing to overwrite it" : strerror(errno));
        return DB_ERR;
    }
    close(fd);
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(out_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->h, "main");
        if (b) {
            for (int tries = 0; tries < 100; tries++) {
                rc = sqlite3_backup_step(b, -1);
                if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
                    break;
                sqlite3_sleep(50);
            }
            sqlite3_backup_finish(b);
            if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        } else {
            rc = sqlite3_errcode(dst);
        }
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "backup to %s: %s", out_path, sqlite3_errstr(rc));
        sqlite3_close(dst);
        unlink(out_path);
        return map_rc(rc);
    }
    sqlite3_close(dst);
    return DB_OK;
}
