/* db.h - one portable interface over SQLite and PostgreSQL (libpq).
 *
 * SQL is written once with '?' placeholders; on PostgreSQL they are rewritten
 * to $1..$n (outside string literals). Statements are prepared once per
 * connection and cached by their SQL text. One connection belongs to one
 * thread at a time (the server keeps one per worker thread).
 *
 * Portable SQL rules for the project:
 *  - ids: INSERT ... RETURNING id (SQLite >= 3.35 and PostgreSQL both have it);
 *  - booleans are INTEGER 0/1; times are BIGINT seconds since the epoch (UTC);
 *  - always ORDER BY explicitly; use LIKE only with an explicit ESCAPE '\'
 *    (db_like_escape) - SQLite LIKE is case-insensitive for ASCII, PostgreSQL's is
 *    not: for case-insensitive search compare lower(col) with a lowered value;
 *  - in migrations, write ID_PK, BLOB and NOW_EPOCH as bare words:
 *    db_migrate() rewrites them per engine (see db_dialect()).
 */
#ifndef JOUDA_DB_H
#define JOUDA_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { DB_SQLITE = 1, DB_PG = 2 } db_kind_t;

/* Result codes (functions return DB_OK or a negative code). */
enum {
    DB_OK = 0,
    DB_ERR = -1,        /* anything else: logged with the SQL text */
    DB_CONSTRAINT = -2, /* unique / foreign key / check violation */
    DB_BUSY = -3,       /* lock could not be taken within the busy timeout */
};

typedef struct db db_t;
typedef struct db_res db_res_t;

typedef enum { DBP_NULL, DBP_INT, DBP_TEXT, DBP_BLOB } db_ptype_t;
typedef struct {
    db_ptype_t type;
    int64_t i;
    const char *s; /* TEXT: NUL-terminated; BLOB: bytes */
    size_t len;    /* BLOB length */
} db_param_t;

#define P_INT(x) ((db_param_t){.type = DBP_INT, .i = (int64_t)(x)})
/* NULL pointer becomes SQL NULL */
static inline db_param_t db_p_text(const char *s)
{
    db_param_t p = {.type = s ? DBP_TEXT : DBP_NULL, .s = s};
    return p;
}
#define P_TEXT(x) db_p_text(x)
#define P_BLOB(p, n) ((db_param_t){.type = DBP_BLOB, .s = (const char *)(p), .len = (n)})
#define P_NULL ((db_param_t){.type = DBP_NULL})
/* Helper for call sites: db_query(db, sql, PARAMS(P_INT(1), P_TEXT(s))) */
#define PARAMS(...) (db_param_t[]){__VA_ARGS__}, (int)(sizeof((db_param_t[]){__VA_ARGS__}) / sizeof(db_param_t))
#define NOPARAMS NULL, 0

/* "path/to/file.db" (SQLite, created if absent) or "postgresql://..." / "postgres://...".
 * Returns NULL and writes a readable message in err on failure. */
db_t *db_open(const char *url, char *err, size_t errlen);
void db_close(db_t *db);
db_kind_t db_kind(const db_t *db);
const char *db_kind_name(const db_t *db); /* "sqlite" | "postgresql" */
const char *db_errmsg(db_t *db);          /* last error text */

/* Transactions. db_begin takes the write lock at once on SQLite (BEGIN IMMEDIATE).
 * Nesting is not supported: a second db_begin without commit/rollback is DB_ERR.
 * After a statement fails inside a transaction, every further statement fails
 * (DB_ERR) until db_rollback - PostgreSQL's rule, enforced on SQLite as well;
 * db_commit of such a transaction rolls it back and returns DB_ERR. A failed
 * COMMIT also ends the transaction. db_rollback outside a transaction does nothing. */
int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
bool db_in_tx(const db_t *db);

/* Run one statement that returns no rows (or ignore them). Returns DB_OK or a code.
 * On PostgreSQL, P_INT parameters are sent as BIGINT and P_TEXT ones untyped
 * (the server infers them): where nothing fixes a text parameter's type, as in
 * "? IS NULL", write CAST(? AS TEXT). Name computed columns (count(*) AS n):
 * the engines name them differently. */
int db_exec(db_t *db, const char *sql, const db_param_t *params, int n);
/* Rows inserted, updated or deleted by the last db_exec (0 for any other
 * statement, and for rows skipped by ON CONFLICT DO NOTHING); same on both engines. */
int64_t db_changes(db_t *db);
/* Run a statement without parameters that may hold several statements
 * separated by ';' (migrations only). */
int db_exec_script(db_t *db, const char *sql);

/* Run a query; NULL on error (then db_errmsg / db_last_code tell why).
 * Iterate with db_next(); free with db_res_free(). Values read from a row are
 * valid until the next db_next() or db_res_free(). */
db_res_t *db_query(db_t *db, const char *sql, const db_param_t *params, int n);
int db_last_code(db_t *db); /* DB_CONSTRAINT, DB_BUSY, DB_ERR of the last failure */
bool db_next(db_res_t *res);
int db_ncols(db_res_t *res);
const char *db_colname(db_res_t *res, int col);
bool db_isnull(db_res_t *res, int col);
int64_t db_int(db_res_t *res, int col);        /* NULL -> 0 */
const char *db_text(db_res_t *res, int col);   /* NULL -> NULL */
const void *db_blob(db_res_t *res, int col, size_t *len);
void db_res_free(db_res_t *res);
/* DB_OK, or the code of an error met by db_next() while fetching rows (SQLite
 * reads lazily; a loop that ends early because of an error is told apart from
 * one that reached the last row by this). */
int db_res_status(db_res_t *res);

/* Convenience. */
/* First column of the first row as an integer; dflt when no row, NULL, or error. */
int64_t db_query_int(db_t *db, const char *sql, const db_param_t *params, int n, int64_t dflt);
/* Rows as a JSON array of objects keyed by column name. Integers become JSON
 * integers, text JSON strings, NULL json null, blobs are skipped. NULL on error.
 * PostgreSQL: bool -> true/false, float -> real, numeric -> integer when whole
 * (so SUM of integers is an integer on both engines) else real. */
json_t *db_query_json(db_t *db, const char *sql, const db_param_t *params, int n);
/* The current row as a JSON object (same conversion). */
json_t *db_row_json(db_res_t *res);
/* First row as an object, or NULL when there is no row (or on error). */
json_t *db_query_row_json(db_t *db, const char *sql, const db_param_t *params, int n);

/* Escape % _ and \ for use in "LIKE ? ESCAPE '\'"; result malloc'd. */
char *db_like_escape(const char *s);

/* Rewrite ID_PK / BLOB / NOW_EPOCH for this engine (malloc'd). Whole upper-case
 * words outside literals, quoted names and comments; NOW_EPOCH becomes a
 * parenthesised expression, so "DEFAULT NOW_EPOCH" is valid on both engines. */
char *db_dialect(db_kind_t kind, const char *sql);

/* Migrations: an ordered list, each applied once, recorded in schema_migrations.
 * sql_pg, when not NULL, replaces sql on PostgreSQL (for triggers and the like).
 * A script runs inside its migration's transaction: no BEGIN/COMMIT in it. */
typedef struct {
    int version;
    const char *name;
    const char *sql;
    const char *sql_pg;
} db_migration_t;

/* Apply, in ascending version order, every migration whose version is not yet
 * recorded in schema_migrations, each in its own transaction, serialised
 * across processes (BEGIN IMMEDIATE / pg_advisory_xact_lock). The list need
 * not be sorted. Module version ranges: core 1-9, org 10-19, auth 20-29,
 * audit 30-39, attach 40-49, notify 50-59; later modules take 100-199, 200-299...
 * Returns DB_OK or a code; err gets the failing migration's message. */
int db_migrate(db_t *db, const db_migration_t *list, size_t n, char *err, size_t errlen);
int db_schema_version(db_t *db); /* highest recorded version, 0 when none */

/* Statements held in this connection's cache (diagnostics and tests). */
int db_stmt_cache_count(db_t *db);

/* SQLite online backup of the open database into a new file. DB_ERR on PostgreSQL. */
int db_backup(db_t *db, const char *out_path, char *err, size_t errlen);

#endif
