/* db.c - the engine-independent half of the database layer: opening by URL,
 * dispatch to the SQLite or PostgreSQL engine, transactions, SQL scanning
 * (placeholder rewrite, dialect words), JSON conversion of rows, and the
 * migrations runner. */
#include "db_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

int db_fail(db_t *db, int code, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    db->last_code = code;
    if (db->in_tx)
        db->tx_failed = true;
    if (sql)
        log_error("db %s: %s [sql: %.600s]", db->ops->name, db->err, sql);
    else
        log_error("db %s: %s", db->ops->name, db->err);
    return code;
}

const char *db_errmsg(db_t *db) { return db->err; }
int db_last_code(db_t *db) { return db->last_code; }

/* ---- open / close ---- */

static bool is_pg_url(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

db_t *db_open(const char *url, char *err, size_t errlen)
{
    if (!url || !*url) {
        snprintf(err, errlen, "no database given");
        return NULL;
    }
    return is_pg_url(url) ? db_pg_open(url, err, errlen) : db_sqlite_open(url, err, errlen);
}

void db_close(db_t *db)
{
    if (!db)
        return;
    if (db->in_tx)
        db_rollback(db);
    db->ops->close(db);
}

db_kind_t db_kind(const db_t *db) { return db->kind; }
const char *db_kind_name(const db_t *db) { return db->ops->name; }

/* ---- transactions ----
 * After a failed statement inside a transaction PostgreSQL refuses everything
 * but ROLLBACK; SQLite would carry on. The flag tx_failed makes SQLite behave
 * the same, so code tested on one engine behaves alike on the other. */

int db_begin(db_t *db)
{
    if (db->in_tx) {
        /* a misuse, not a failed statement: the open transaction stays usable */
        bool failed = db->tx_failed;
        db_fail(db, DB_ERR, NULL, "db_begin: a transaction is already open (nesting is not supported)");
        db->tx_failed = failed;
        return DB_ERR;
    }
    int rc = db->ops->control(db, db->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc == DB_OK) {
        db->in_tx = true;
        db->tx_failed = false;
    }
    return rc;
}

static void end_tx(db_t *db)
{
    db->in_tx = false;
    db->tx_failed = false;
}

int db_rollback(db_t *db)
{
    if (!db->in_tx)
        return DB_OK; /* nothing to undo: convenient on error paths */
    int rc = DB_OK;
    if (db->ops->engine_in_tx(db))
        rc = db->ops->control(db, "ROLLBACK");
    end_tx(db);
    return rc;
}

int db_commit(db_t *db)
{
    if (!db->in_tx)
        return db_fail(db, DB_ERR, NULL, "db_commit: no transaction is open");
    if (db->tx_failed) {
        if (db->ops->engine_in_tx(db))
            db->ops->control(db, "ROLLBACK");
        end_tx(db);
        db_fail(db, DB_ERR, NULL, "transaction rolled back: a statement inside it failed");
        return DB_ERR;
    }
    int rc = db->ops->control(db, "COMMIT");
    if (rc != DB_OK && db->ops->engine_in_tx(db))
        db->ops->control(db, "ROLLBACK"); /* the same end state on both engines */
    end_tx(db);
    return rc;
}

bool db_in_tx(const db_t *db) { return db->in_tx; }

static int refuse_failed_tx(db_t *db, const char *sql)
{
    return db_fail(db, DB_ERR, sql, "transaction aborted by an earlier error: roll it back");
}

/* ---- statements ---- */

int db_exec(db_t *db, const char *sql, const db_param_t *params, int n)
{
    if (db->in_tx && db->tx_failed)
        return refuse_failed_tx(db, sql);
    int64_t changes = 0;
    int rc = db->ops->exec(db, sql, params, n, &changes);
    db->changes = rc == DB_OK ? changes : 0;
    return rc;
}

int64_t db_changes(db_t *db) { return db->changes; }

int db_exec_script(db_t *db, const char *sql)
{
    if (db->in_tx && db->tx_failed)
        return refuse_failed_tx(db, sql);
    return db->ops->exec_script(db, sql);
}

db_res_t *db_query(db_t *db, const char *sql, const db_param_t *params, int n)
{
    if (db->in_tx && db->tx_failed) {
        refuse_failed_tx(db, sql);
        return NULL;
    }
    return db->ops->query(db, sql, params, n);
}

bool db_next(db_res_t *res) { return res && res->status == DB_OK && res->db->ops->next(res); }
int db_ncols(db_res_t *res) { return res->db->ops->ncols(res); }

static bool col_ok(db_res_t *res, int col) { return col >= 0 && col < res->db->ops->ncols(res); }

const char *db_colname(db_res_t *res, int col)
{
    return col_ok(res, col) ? res->db->ops->colname(res, col) : NULL;
}

bool db_isnull(db_res_t *res, int col)
{
    return !col_ok(res, col) || res->db->ops->coltype(res, col) == DBC_NULL;
}

int64_t db_int(db_res_t *res, int col)
{
    if (db_isnull(res, col))
        return 0;
    return res->db->ops->col_int(res, col);
}

const char *db_text(db_res_t *res, int col)
{
    size_t len;
    if (db_isnull(res, col))
        return NULL;
    return res->db->ops->col_text(res, col, &len);
}

const void *db_blob(db_res_t *res, int col, size_t *len)
{
    *len = 0;
    if (db_isnull(res, col))
        return NULL;
    return res->db->ops->col_blob(res, col, len);
}

int db_res_status(db_res_t *res) { return res ? res->status : DB_ERR; }

void db_res_free(db_res_t *res)
{
    if (res)
        res->db->ops->res_free(res);
}

/* ---- convenience ---- */

int64_t db_query_int(db_t *db, const char *sql, const db_param_t *params, int n, int64_t dflt)
{
    db_res_t *res = db_query(db, sql, params, n);
    int64_t v = dflt;
    if (res && db_next(res) && !db_isnull(res, 0))
        v = db_int(res, 0);
    db_res_free(res);
    return v;
}

/* JSON strings must be valid UTF-8: replace each invalid byte by U+FFFD
 * rather than lose the whole value. */
static json_t *json_text(const char *s, size_t len)
{
    if (utf8_valid(s, len))
        return json_stringn(s, len);
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < len;) {
        size_t k = 1;
        while (k <= 4 && i + k <= len && !utf8_valid(s + i, k))
            k++;
        if (k <= 4 && i + k <= len) {
            buf_append(&b, s + i, k);
            i += k;
        } else {
            buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    json_t *v = json_stringn(b.data, b.len);
    buf_free(&b);
    return v;
}

json_t *db_row_json(db_res_t *res)
{
    const db_ops_t *ops = res->db->ops;
    json_t *obj = json_object();
    int nc = ops->ncols(res);
    for (int c = 0; c < nc; c++) {
        const char *name = ops->colname(res, c);
        json_t *v = NULL;
        size_t len;
        if (!name)
            continue;
        switch (ops->coltype(res, c)) {
        case DBC_NULL: v = json_null(); break;
        case DBC_INT: v = json_integer(ops->col_int(res, c)); break;
        case DBC_REAL: v = json_real(ops->col_real(res, c)); break; /* NULL when not finite */
        case DBC_BOOL: v = json_boolean(ops->col_int(res, c) != 0); break;
        case DBC_TEXT: {
            const char *s = ops->col_text(res, c, &len);
            v = s ? json_text(s, len) : json_null();
            break;
        }
        case DBC_BLOB: continue;
        }
        json_object_set_new(obj, name, v ? v : json_null());
    }
    return obj;
}

json_t *db_query_json(db_t *db, const char *sql, const db_param_t *params, int n)
{
    db_res_t *res = db_query(db, sql, params, n);
    if (!res)
        return NULL;
    json_t *arr = json_array();
    while (db_next(res))
        json_array_append_new(arr, db_row_json(res));
    if (res->status != DB_OK) {
        json_decref(arr);
        arr = NULL;
    }
    db_res_free(res);
    return arr;
}

json_t *db_query_row_json(db_t *db, const char *sql, const db_param_t *params, int n)
{
    db_res_t *res = db_query(db, sql, params, n);
    json_t *obj = NULL;
    if (res && db_next(res))
        obj = db_row_json(res);
    db_res_free(res);
    return obj;
}

char *db_like_escape(const char *s)
{
    buf_t b;
    buf_init(&b);
    for (; s && *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    return buf_detach(&b);
}

/* ---- SQL scanning ---- */

static bool ident_char(unsigned char c) { return isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

/* $tag$ opening a dollar-quoted string: returns the tag length (both '$'
 * included) or 0. */
static size_t dollar_tag(const char *s, size_t i)
{
    if (s[i] != '$' || (i > 0 && ident_char((unsigned char)s[i - 1])))
        return 0;
    size_t j = i + 1;
    if (s[j] != '$') {
        if (!(isalpha((unsigned char)s[j]) || s[j] == '_' || (unsigned char)s[j] >= 0x80))
            return 0;
        while (s[j] && s[j] != '$' && (isalnum((unsigned char)s[j]) || s[j] == '_' || (unsigned char)s[j] >= 0x80))
            j++;
        if (s[j] != '$')
            return 0;
    }
    return j - i + 1;
}

size_t db_sql_skip(const char *s, size_t i)
{
    char c = s[i];
    if (c == '\'') {
        /* E'...' strings take backslash escapes (PostgreSQL) */
        bool esc = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                   (i == 1 || !ident_char((unsigned char)s[i - 2]));
        for (i++; s[i]; i++) {
            if (esc && s[i] == '\\' && s[i + 1]) {
                i++;
            } else if (s[i] == '\'') {
                if (s[i + 1] != '\'')
                    return i + 1;
                i++;
            }
        }
        return i;
    }
    if (c == '"') {
        for (i++; s[i]; i++) {
            if (s[i] == '"') {
                if (s[i + 1] != '"')
                    return i + 1;
                i++;
            }
        }
        return i;
    }
    if (c == '-' && s[i + 1] == '-') {
        while (s[i] && s[i] != '\n')
            i++;
        return i;
    }
    if (c == '/' && s[i + 1] == '*') {
        int depth = 0; /* PostgreSQL nests block comments */
        while (s[i]) {
            if (s[i] == '/' && s[i + 1] == '*') {
                depth++;
                i += 2;
            } else if (s[i] == '*' && s[i + 1] == '/') {
                i += 2;
                if (--depth == 0)
                    return i;
            } else {
                i++;
            }
        }
        return i;
    }
    size_t tl = dollar_tag(s, i);
    if (tl) {
        const char *end = NULL;
        for (size_t j = i + tl; s[j]; j++) {
            if (s[j] == '$' && strncmp(s + j, s + i, tl) == 0) {
                end = s + j + tl;
                break;
            }
        }
        return end ? (size_t)(end - s) : i + strlen(s + i);
    }
    return i;
}

char *db_sql_rewrite(const char *sql, int *nparams)
{
    buf_t b;
    buf_init(&b);
    int n = 0;
    for (size_t i = 0; sql[i];) {
        size_t j = db_sql_skip(sql, i);
        if (j != i) {
            buf_append(&b, sql + i, j - i);
            i = j;
        } else if (sql[i] == '?') {
            buf_printf(&b, "$%d", ++n);
            i++;
        } else {
            buf_putc(&b, sql[i++]);
        }
    }
    *nparams = n;
    return buf_detach(&b);
}

bool db_sql_rest_is_empty(const char *s)
{
    for (size_t i = 0; s && s[i];) {
        if (isspace((unsigned char)s[i]) || s[i] == ';') {
            i++;
        } else if ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '/' && s[i + 1] == '*')) {
            i = db_sql_skip(s, i);
        } else {
            return false;
        }
    }
    return true;
}

/* Dialect words. NOW_EPOCH is parenthesised so that "DEFAULT NOW_EPOCH" is
 * valid on SQLite, which wants an expression default in parentheses. */
static const struct {
    const char *word;
    const char *sqlite;
    const char *pg;
} dialect_words[] = {
    {"ID_PK", "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"},
    {"BLOB", "BLOB", "BYTEA"},
    {"NOW_EPOCH", "(CAST(strftime('%s','now') AS INTEGER))", "(CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))"},
};

char *db_dialect(db_kind_t kind, const char *sql)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; sql[i];) {
        size_t j = db_sql_skip(sql, i);
        if (j != i) {
            buf_append(&b, sql + i, j - i);
            i = j;
            continue;
        }
        if (ident_char((unsigned char)sql[i]) && (i == 0 || !ident_char((unsigned char)sql[i - 1]))) {
            size_t e = i;
            while (ident_char((unsigned char)sql[e]))
                e++;
            const char *rep = NULL;
            for (size_t w = 0; w < ARRAY_LEN(dialect_words); w++) {
                if (strlen(dialect_words[w].word) == e - i && memcmp(sql + i, dialect_words[w].word, e - i) == 0)
                    rep = kind == DB_PG ? dialect_words[w].pg : dialect_words[w].sqlite;
            }
            if (rep)
                buf_puts(&b, rep);
            else
                buf_append(&b, sql + i, e - i);
            i = e;
            continue;
        }
        buf_putc(&b, sql[i++]);
    }
    return buf_detach(&b);
}

uint32_t db_hash(const char *s, uint32_t h)
{
    if (!h)
        h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* ---- migrations ---- */

static int schema_table_exists(db_t *db)
{
    const char *sql = db->kind == DB_PG
                          ? "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"
                          : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
    return (int)db_query_int(db, sql, NOPARAMS, -1);
}

int db_schema_version(db_t *db)
{
    if (schema_table_exists(db) != 1)
        return 0;
    return (int)db_query_int(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NOPARAMS, 0);
}

static int cmp_mig(const void *a, const void *b)
{
    int va = (*(const db_migration_t *const *)a)->version, vb = (*(const db_migration_t *const *)b)->version;
    return (va > vb) - (va < vb);
}

/* Inside the migration transaction: take the cross-process lock (PostgreSQL;
 * SQLite's BEGIN IMMEDIATE already holds the write lock). */
static int migrate_lock(db_t *db)
{
    if (db->kind == DB_PG)
        return db_exec(db, "SELECT pg_advisory_xact_lock(74241)", NOPARAMS);
    return DB_OK;
}

static const char schema_migrations_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static int apply_one(db_t *db, const db_migration_t *m, char *err, size_t errlen)
{
    int rc = db_begin(db);
    if (rc == DB_OK)
        rc = migrate_lock(db);
    if (rc == DB_OK) {
        /* another process may have applied it while we waited for the lock */
        int64_t done = db_query_int(db, "SELECT count(*) FROM schema_migrations WHERE version = ?",
                                    PARAMS(P_INT(m->version)), -1);
        if (done < 0) {
            rc = db->last_code ? db->last_code : DB_ERR;
        } else if (done > 0) {
            db_rollback(db);
            return DB_OK;
        }
    }
    if (rc == DB_OK) {
        const char *src = (db->kind == DB_PG && m->sql_pg) ? m->sql_pg : m->sql;
        char *sql = db_dialect(db->kind, src);
        rc = db_exec_script(db, sql);
        free(sql);
    }
    if (rc == DB_OK)
        rc = db_exec(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                     PARAMS(P_INT(m->version), P_TEXT(m->name), P_INT(now_utc())));
    if (rc == DB_OK)
        rc = db_commit(db);
    if (rc != DB_OK) {
        snprintf(err, errlen, "migration %d (%s): %s", m->version, m->name, db_errmsg(db));
        db_rollback(db);
        return rc;
    }
    log_info("db: applied migration %d (%s)", m->version, m->name);
    return DB_OK;
}

int db_migrate(db_t *db, const db_migration_t *list, size_t n, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (db->in_tx) {
        snprintf(err, errlen, "db_migrate: called inside a transaction");
        return DB_ERR;
    }
    const db_migration_t **sorted = xcalloc(n ? n : 1, sizeof *sorted);
    size_t nrec = 0, caprec = 16;
    int *rec = xmalloc(caprec * sizeof *rec);
    db_res_t *res;
    int rc = DB_OK;
    for (size_t i = 0; i < n; i++) {
        sorted[i] = &list[i];
        if (list[i].version <= 0 || !list[i].name || !list[i].sql) {
            snprintf(err, errlen, "migration %d: version must be positive, name and sql set", list[i].version);
            rc = DB_ERR;
            goto out;
        }
    }
    qsort(sorted, n, sizeof *sorted, cmp_mig);
    for (size_t i = 1; i < n; i++) {
        if (sorted[i]->version == sorted[i - 1]->version) {
            snprintf(err, errlen, "migrations \"%s\" and \"%s\" share version %d", sorted[i - 1]->name,
                     sorted[i]->name, sorted[i]->version);
            rc = DB_ERR;
            goto out;
        }
    }

    /* Create the bookkeeping table under the lock too: concurrent CREATE TABLE
     * IF NOT EXISTS races on PostgreSQL. */
    rc = db_begin(db);
    if (rc == DB_OK)
        rc = migrate_lock(db);
    if (rc == DB_OK)
        rc = db_exec_script(db, schema_migrations_sql);
    if (rc == DB_OK)
        rc = db_commit(db);
    if (rc != DB_OK) {
        snprintf(err, errlen, "schema_migrations: %s", db_errmsg(db));
        db_rollback(db);
        goto out;
    }

    /* Which versions are recorded already (checked again under the lock). */
    res = db_query(db, "SELECT version FROM schema_migrations ORDER BY version", NOPARAMS);
    while (res && db_next(res)) {
        if (nrec == caprec)
            rec = xrealloc(rec, (caprec *= 2) * sizeof *rec);
        rec[nrec++] = (int)db_int(res, 0);
    }
    if (!res || db_res_status(res) != DB_OK) {
        snprintf(err, errlen, "schema_migrations: %s", db_errmsg(db));
        rc = DB_ERR;
    }
    db_res_free(res);

    for (size_t i = 0, r = 0; rc == DB_OK && i < n; i++) {
        while (r < nrec && rec[r] < sorted[i]->version)
            r++;
        if (r < nrec && rec[r] == sorted[i]->version)
            continue;
        rc = apply_one(db, sorted[i], err, errlen);
    }
out:
    free(rec);
    free(sorted);
    return rc;
}

int db_stmt_cache_count(db_t *db) { return db->ops->cache_count(db); }

/* ---- backup ---- */

int db_backup(db_t *db, const char *out_path, char *err, size_t errlen)
{
    if (db->kind == DB_PG) {
        snprintf(err, errlen, "use pg_dump for PostgreSQL");
        return DB_ERR;
    }
    return db_sqlite_backup(db, out_path, err, errlen);
}
