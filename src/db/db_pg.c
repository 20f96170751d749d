/* db_pg.c - the PostgreSQL engine (libpq): '?' rewritten to $n, statements
 * prepared once per connection and cached by SQL text and parameter types,
 * text results (bytea decoded on demand), SQLSTATE mapped to DB_ codes. */
#include "db_internal.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs (pg_type.h is server-side only). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

typedef struct pg_entry {
    char *sql;
    char *sig; /* one letter per parameter: i(nt8), b(ytea), u(nknown) */
    uint32_t hash;
    int nparams;
    char name[24];
    struct pg_entry *next;
} pg_entry_t;

typedef struct {
    db_t base;
    PGconn *conn;
    pg_entry_t *buckets[DB_STMT_BUCKETS];
    size_t count;
    unsigned long next_id;
} pg_db_t;

typedef struct {
    db_res_t base;
    PGresult *r;
    int row; /* current row, -1 before the first db_next */
    int nrows, ncols;
    unsigned char **blobs; /* bytea of the current row, decoded on demand */
    size_t *bloblens;
} pg_res_t;

static pg_db_t *PG(db_t *db) { return (pg_db_t *)db; }
static pg_res_t *PR(db_res_t *r) { return (pg_res_t *)r; }

static void notice_ignore(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* ---- errors ---- */

static int map_sqlstate(const char *st)
{
    if (!st)
        return DB_ERR;
    if (strncmp(st, "23", 2) == 0)
        return DB_CONSTRAINT;
    if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0)
        return DB_BUSY;
    return DB_ERR;
}

/* Only the primary message: DETAIL would put row values (personal data) in the log. */
static int pg_fail(pg_db_t *p, PGresult *r, const char *sql)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char conn_msg[256];
    if (!msg) {
        snprintf(conn_msg, sizeof conn_msg, "%s", PQerrorMessage(p->conn));
        size_t l = strlen(conn_msg);
        while (l && (conn_msg[l - 1] == '\n' || conn_msg[l - 1] == ' '))
            conn_msg[--l] = '\0';
        msg = l ? conn_msg : "connection failed";
    }
    return db_fail(&p->base, map_sqlstate(st), sql, "%s%s%s", msg, st ? " SQLSTATE " : "", st ? st : "");
}

/* ---- connection ---- */

static bool session_setup(PGconn *c, char *err, size_t errlen)
{
    PQsetNoticeProcessor(c, notice_ignore, NULL);
    if (PQsetClientEncoding(c, "UTF8") != 0) {
        snprintf(err, errlen, "cannot set client encoding UTF8");
        return false;
    }
    /* Generic plans for the cached statements: every query filters by
     * equality on keys or by the scope's index range, whose best plan does
     * not depend on the values; custom plans cost a planning per execution
     * (0.2 to 0.7 ms each on the national organisation) for the same plan. */
    PGresult *r = PQexec(c, "SET TIME ZONE 'UTC'; SET plan_cache_mode = force_generic_plan");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, errlen, "session setup: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

static void cache_clear(pg_db_t *p)
{
    for (size_t b = 0; b < DB_STMT_BUCKETS; b++) {
        for (pg_entry_t *e = p->buckets[b], *next; e; e = next) {
            next = e->next;
            free(e->sql);
            free(e->sig);
            free(e);
        }
        p->buckets[b] = NULL;
    }
    p->count = 0;
}

/* A server restart or a dropped link leaves the connection bad; outside a
 * transaction nothing is lost by opening it again (prepared statements are
 * gone with the old session). */
static int ensure_conn(pg_db_t *p)
{
    if (PQstatus(p->conn) == CONNECTION_OK)
        return DB_OK;
    if (p->base.in_tx)
        return db_fail(&p->base, DB_ERR, NULL, "connection lost inside a transaction");
    PQreset(p->conn);
    cache_clear(p);
    char err[256];
    if (PQstatus(p->conn) != CONNECTION_OK || !session_setup(p->conn, err, sizeof err))
        return pg_fail(p, NULL, NULL);
    log_info("db postgresql: connection re-established");
    return DB_OK;
}

/* ---- statements ---- */

static char param_sig(const db_param_t *p)
{
    return p->type == DBP_INT ? 'i' : p->type == DBP_BLOB ? 'b' : 'u';
}

/* The prepared statement for sql with these parameter types: integers go as
 * int8 and blobs as bytea; text and NULL are left for the server to infer
 * from the context. Returns the statement name ("" for an unnamed one-off
 * statement when the cache is full) or NULL after recording the error. */
static const char *stmt_get(pg_db_t *p, const char *sql, const db_param_t *params, int n)
{
    char sigbuf[64];
    char *sig = n < (int)sizeof sigbuf ? sigbuf : xmalloc((size_t)n + 1);
    for (int i = 0; i < n; i++)
        sig[i] = param_sig(&params[i]);
    sig[n] = '\0';
    uint32_t h = db_hash(sig, db_hash(sql, 0));
    pg_entry_t **slot = &p->buckets[h % DB_STMT_BUCKETS];
    const char *name = NULL;
    for (pg_entry_t *e = *slot; e; e = e->next) {
        if (e->hash == h && strcmp(e->sql, sql) == 0 && strcmp(e->sig, sig) == 0) {
            name = e->name;
            goto out;
        }
    }
    int want;
    char *pgsql = db_sql_rewrite(sql, &want);
    if (want != n) {
        db_fail(&p->base, DB_ERR, sql, "statement takes %d parameters, %d given", want, n);
        free(pgsql);
        goto out;
    }
    Oid *types = xcalloc(n ? (size_t)n : 1, sizeof *types);
    for (int i = 0; i < n; i++)
        types[i] = sig[i] == 'i' ? OID_INT8 : sig[i] == 'b' ? OID_BYTEA : 0;
    pg_entry_t *e = NULL;
    if (p->count < DB_STMT_CACHE_MAX) {
        e = xcalloc(1, sizeof *e);
        snprintf(e->name, sizeof e->name, "j%lu", ++p->next_id);
    }
    PGresult *r = PQprepare(p->conn, e ? e->name : "", pgsql, n, types);
    free(types);
    free(pgsql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_fail(p, r, sql);
        PQclear(r);
        free(e);
        goto out;
    }
    PQclear(r);
    if (!e) {
        name = "";
        goto out;
    }
    e->sql = xstrdup(sql);
    e->sig = xstrdup(sig);
    e->hash = h;
    e->nparams = n;
    e->next = *slot;
    *slot = e;
    p->count++;
    name = e->name;
out:
    if (sig != sigbuf)
        free(sig);
    return name;
}

/* Forget a cached statement, here and on the server. */
static void cache_drop(pg_db_t *p, const char *name)
{
    for (size_t b = 0; b < DB_STMT_BUCKETS; b++) {
        for (pg_entry_t **pe = &p->buckets[b]; *pe; pe = &(*pe)->next) {
            pg_entry_t *e = *pe;
            if (strcmp(e->name, name) != 0)
                continue;
            char *sql = xasprintf("DEALLOCATE %s", e->name);
            PQclear(PQexec(p->conn, sql));
            free(sql);
            *pe = e->next;
            free(e->sql);
            free(e->sig);
            free(e);
            p->count--;
            return;
        }
    }
}

static PGresult *exec_prepared(pg_db_t *p, const char *name, const db_param_t *params, int n);

/* Run sql; the result (COMMAND_OK or TUPLES_OK) or NULL after recording the error. */
static PGresult *run(pg_db_t *p, const char *sql, const db_param_t *params, int n)
{
    if (n < 0 || (n > 0 && !params)) {
        db_fail(&p->base, DB_ERR, sql, "bad parameter list");
        return NULL;
    }
    if (ensure_conn(p) != DB_OK)
        return NULL;
    for (int attempt = 0;; attempt++) {
        const char *name = stmt_get(p, sql, params, n);
        if (!name)
            return NULL;
        PGresult *r = exec_prepared(p, name, params, n);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
            return r;
        /* "cached plan must not change result type": the table changed under
         * a cached statement (a migration run by another process). Outside a
         * transaction, prepare it again once. */
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (attempt == 0 && *name && !p->base.in_tx && state && strcmp(state, "0A000") == 0) {
            PQclear(r);
            cache_drop(p, name);
            log_info("db postgresql: statement prepared again after a table change [sql: %.200s]", sql);
            continue;
        }
        pg_fail(p, r, sql);
        PQclear(r);
        return NULL;
    }
}

static PGresult *exec_prepared(pg_db_t *p, const char *name, const db_param_t *params, int n)
{
    size_t cnt = n ? (size_t)n : 1;
    const char **values = xcalloc(cnt, sizeof *values);
    int *lengths = xcalloc(cnt, sizeof *lengths);
    int *formats = xcalloc(cnt, sizeof *formats);
    char (*nums)[24] = xcalloc(cnt, sizeof *nums);
    for (int i = 0; i < n; i++) {
        switch (params[i].type) {
        case DBP_INT:
            snprintf(nums[i], sizeof nums[i], "%lld", (long long)params[i].i);
            values[i] = nums[i];
            break;
        case DBP_TEXT: values[i] = params[i].s; break;
        case DBP_BLOB: /* raw bytes, binary format */
            values[i] = params[i].s ? params[i].s : "";
            lengths[i] = (int)params[i].len;
            formats[i] = 1;
            break;
        default: values[i] = NULL; break;
        }
    }
    PGresult *r = PQexecPrepared(p->conn, name, n, values, lengths, formats, 0);
    free(values);
    free(lengths);
    free(formats);
    free(nums);
    return r;
}

/* Rows inserted, updated or deleted, as SQLite's changes() counts them. */
static int64_t cmd_changes(PGresult *r)
{
    const char *tag = PQcmdStatus(r);
    if (strncmp(tag, "INSERT", 6) && strncmp(tag, "UPDATE", 6) && strncmp(tag, "DELETE", 6) &&
        strncmp(tag, "MERGE", 5))
        return 0;
    return strtoll(PQcmdTuples(r), NULL, 10);
}

static int pg_exec(db_t *db, const char *sql, const db_param_t *params, int n, int64_t *changes)
{
    PGresult *r = run(PG(db), sql, params, n);
    if (!r)
        return db->last_code;
    *changes = cmd_changes(r);
    PQclear(r);
    return DB_OK;
}

static db_res_t *pg_query(db_t *db, const char *sql, const db_param_t *params, int n)
{
    PGresult *r = run(PG(db), sql, params, n);
    if (!r)
        return NULL;
    pg_res_t *res = xcalloc(1, sizeof *res);
    res->base.db = db;
    res->r = r;
    res->row = -1;
    res->nrows = PQntuples(r);
    res->ncols = PQnfields(r);
    return &res->base;
}

static int pg_exec_script(db_t *db, const char *sql)
{
    pg_db_t *p = PG(db);
    if (ensure_conn(p) != DB_OK)
        return db->last_code;
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = DB_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = pg_fail(p, r, sql);
    PQclear(r);
    return rc;
}

static int pg_control(db_t *db, const char *sql)
{
    pg_db_t *p = PG(db);
    if (ensure_conn(p) != DB_OK)
        return db->last_code;
    PGresult *r = PQexec(p->conn, sql);
    int rc = DB_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(p, r, sql);
    else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
        rc = db_fail(db, DB_ERR, sql, "transaction was rolled back by the server");
    PQclear(r);
    return rc;
}

static bool pg_engine_in_tx(db_t *db)
{
    PGTransactionStatusType t = PQtransactionStatus(PG(db)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* ---- results ---- */

static void free_blobs(pg_res_t *r)
{
    if (!r->blobs)
        return;
    for (int c = 0; c < r->ncols; c++) {
        if (r->blobs[c])
            PQfreemem(r->blobs[c]);
        r->blobs[c] = NULL;
    }
}

static bool pg_next(db_res_t *res)
{
    pg_res_t *r = PR(res);
    free_blobs(r);
    if (r->row + 1 >= r->nrows) {
        r->row = r->nrows;
        return false;
    }
    r->row++;
    return true;
}

static int pg_ncols(db_res_t *res) { return PR(res)->ncols; }
static const char *pg_colname(db_res_t *res, int col) { return PQfname(PR(res)->r, col); }

static bool on_row(pg_res_t *r) { return r->row >= 0 && r->row < r->nrows; }

static db_ctype_t pg_coltype(db_res_t *res, int col)
{
    pg_res_t *r = PR(res);
    if (!on_row(r) || PQgetisnull(r->r, r->row, col))
        return DBC_NULL;
    switch (PQftype(r->r, col)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID: return DBC_INT;
    case OID_BOOL: return DBC_BOOL;
    case OID_FLOAT4:
    case OID_FLOAT8: return DBC_REAL;
    case OID_BYTEA: return DBC_BLOB;
    case OID_NUMERIC: {
        /* sum() and avg() of integers give numeric: whole values stay
         * integers, as SQLite returns them */
        const char *s = PQgetvalue(r->r, r->row, col);
        char *end;
        errno = 0;
        (void)strtoll(s, &end, 10);
        return (*end || errno) ? DBC_REAL : DBC_INT;
    }
    default: return DBC_TEXT;
    }
}

static int64_t pg_col_int(db_res_t *res, int col)
{
    pg_res_t *r = PR(res);
    if (!on_row(r))
        return 0;
    const char *s = PQgetvalue(r->r, r->row, col);
    if (PQftype(r->r, col) == OID_BOOL)
        return s[0] == 't';
    if (PQftype(r->r, col) == OID_FLOAT4 || PQftype(r->r, col) == OID_FLOAT8)
        return (int64_t)strtod(s, NULL);
    return strtoll(s, NULL, 10);
}

static double pg_col_real(db_res_t *res, int col)
{
    pg_res_t *r = PR(res);
    return on_row(r) ? strtod(PQgetvalue(r->r, r->row, col), NULL) : 0.0;
}

static const char *pg_col_text(db_res_t *res, int col, size_t *len)
{
    pg_res_t *r = PR(res);
    *len = 0;
    if (!on_row(r) || PQgetisnull(r->r, r->row, col))
        return NULL;
    *len = (size_t)PQgetlength(r->r, r->row, col);
    return PQgetvalue(r->r, r->row, col);
}

static const void *pg_col_blob(db_res_t *res, int col, size_t *len)
{
    pg_res_t *r = PR(res);
    *len = 0;
    if (!on_row(r) || PQgetisnull(r->r, r->row, col))
        return NULL;
    if (PQftype(r->r, col) != OID_BYTEA) {
        *len = (size_t)PQgetlength(r->r, r->row, col);
        return PQgetvalue(r->r, r->row, col);
    }
    if (!r->blobs) {
        r->blobs = xcalloc((size_t)r->ncols, sizeof *r->blobs);
        r->bloblens = xcalloc((size_t)r->ncols, sizeof *r->bloblens);
    }
    if (!r->blobs[col]) {
        r->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(r->r, r->row, col), &r->bloblens[col]);
        if (!r->blobs[col]) {
            fprintf(stderr, "fatal: out of memory\n");
            abort();
        }
    }
    *len = r->bloblens[col];
    return r->blobs[col];
}

static void pg_res_free(db_res_t *res)
{
    pg_res_t *r = PR(res);
    free_blobs(r);
    free(r->blobs);
    free(r->bloblens);
    PQclear(r->r);
    free(r);
}

static void pg_close(db_t *db)
{
    pg_db_t *p = PG(db);
    cache_clear(p);
    PQfinish(p->conn);
    free(p);
}

static int pg_cache_count(db_t *db) { return (int)PG(db)->count; }

static const db_ops_t pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .exec_script = pg_exec_script,
    .control = pg_control,
    .engine_in_tx = pg_engine_in_tx,
    .next = pg_next,
    .ncols = pg_ncols,
    .colname = pg_colname,
    .coltype = pg_coltype,
    .col_int = pg_col_int,
    .col_real = pg_col_real,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .res_free = pg_res_free,
    .cache_count = pg_cache_count,
};

db_t *db_pg_open(const char *url, char *err, size_t errlen)
{
    PGconn *c = PQconnectdb(url);
    if (!c) {
        snprintf(err, errlen, "postgresql: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "postgresql: %s", PQerrorMessage(c));
        size_t l = strlen(err);
        while (l && (err[l - 1] == '\n' || err[l - 1] == ' '))
            err[--l] = '\0';
        PQfinish(c);
        return NULL;
    }
    if (!session_setup(c, err, errlen)) {
        PQfinish(c);
        return NULL;
    }
    pg_db_t *p = xcalloc(1, sizeof *p);
    p->base.ops = &pg_ops;
    p->base.kind = DB_PG;
    p->conn = c;
    return &p->base;
}
