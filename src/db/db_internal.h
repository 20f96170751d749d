/* db_internal.h - private to the db module: the table of engine operations
 * that db.c dispatches to, the common head of a connection and of a result,
 * and the SQL scanning helpers shared by the engines. */
#ifndef JOUDA_DB_INTERNAL_H
#define JOUDA_DB_INTERNAL_H

#include "../core/core.h"
#include "db.h"

/* How a value of a result column converts to JSON. */
typedef enum { DBC_NULL, DBC_INT, DBC_REAL, DBC_BOOL, DBC_TEXT, DBC_BLOB } db_ctype_t;

typedef struct {
    const char *name; /* "sqlite" | "postgresql" */
    void (*close)(db_t *db);
    /* One statement with parameters; *changes = rows inserted, updated or deleted. */
    int (*exec)(db_t *db, const char *sql, const db_param_t *params, int n, int64_t *changes);
    db_res_t *(*query)(db_t *db, const char *sql, const db_param_t *params, int n);
    int (*exec_script)(db_t *db, const char *sql);
    /* BEGIN / COMMIT / ROLLBACK (no parameters). */
    int (*control)(db_t *db, const char *sql);
    bool (*engine_in_tx)(db_t *db); /* the engine's own view of the transaction */
    bool (*next)(db_res_t *res);
    int (*ncols)(db_res_t *res);
    const char *(*colname)(db_res_t *res, int col);
    db_ctype_t (*coltype)(db_res_t *res, int col); /* DBC_NULL for a NULL value */
    int64_t (*col_int)(db_res_t *res, int col);
    double (*col_real)(db_res_t *res, int col);
    const char *(*col_text)(db_res_t *res, int col, size_t *len);
    const void *(*col_blob)(db_res_t *res, int col, size_t *len);
    void (*res_free)(db_res_t *res);
    int (*cache_count)(db_t *db);
} db_ops_t;

/* Head of every connection; each engine embeds it first in its own struct. */
struct db {
    const db_ops_t *ops;
    db_kind_t kind;
    bool in_tx;
    bool tx_failed; /* a statement failed inside the transaction: only rollback is allowed */
    int last_code;
    int64_t changes;
    char err[512];
};

/* Head of every result; each engine embeds it first. */
struct db_res {
    db_t *db;
    int status; /* DB_OK, or the code of an error met while fetching rows */
};

/* Record a failure: message (with the SQL, never the parameters) in the log,
 * db_errmsg/db_last_code updated, the open transaction marked failed.
 * Returns code. sql may be NULL. */
int db_fail(db_t *db, int code, const char *sql, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Engines. */
db_t *db_sqlite_open(const char *path, char *err, size_t errlen);
int db_sqlite_backup(db_t *db, const char *out_path, char *err, size_t errlen);
db_t *db_pg_open(const char *url, char *err, size_t errlen);

/* SQL scanning. If s[i] starts a string literal, quoted identifier, comment or
 * dollar-quoted string, return the index just past it, else i. */
size_t db_sql_skip(const char *s, size_t i);
/* Rewrite '?' placeholders (outside literals and comments) to $1..$n; malloc'd.
 * *nparams gets the count. */
char *db_sql_rewrite(const char *sql, int *nparams);
/* True when nothing but blanks, ';' and comments remain from s. */
bool db_sql_rest_is_empty(const char *s);

/* Statement caches: bounded so that generated SQL cannot grow them without end. */
#define DB_STMT_CACHE_MAX 512
#define DB_STMT_BUCKETS 256
uint32_t db_hash(const char *s, uint32_t h);

#endif
