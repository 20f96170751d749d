/* audit.c - writing the append-only audit log and computing what changed.
 * The table refuses UPDATE and DELETE through triggers (migration 30), so a
 * row once written stays as written, whatever the application does later. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

/* Fields whose values never reach the log: only the fact that they changed. */
static bool audit_key_sensitive(const char *key)
{
    static const char *const exact[] = {"password", "password_hash", "secret", "token",
                                        "csrf_secret", "token_hash"};
    for (size_t i = 0; i < ARRAY_LEN(exact); i++)
        if (strcmp(key, exact[i]) == 0)
            return true;
    size_t n = strlen(key);
    /* new_password, password_confirm, api_token, session_secret... */
    if (strstr(key, "password"))
        return true;
    if (n > 6 && strcmp(key + n - 6, "secret") == 0)
        return true;
    if (n > 5 && strcmp(key + n - 5, "token") == 0)
        return true;
    return false;
}

json_t *audit_diff(json_t *before, json_t *after)
{
    json_t *out = json_object();
    if (!json_is_object(after))
        return out;
    const char *key;
    json_t *to;
    json_object_foreach(after, key, to) {
        json_t *from = json_is_object(before) ? json_object_get(before, key) : NULL;
        bool same = from ? json_equal(from, to) : json_is_null(to);
        if (same)
            continue;
        if (audit_key_sensitive(key)) {
            json_object_set_new(out, key, json_string("changed"));
            continue;
        }
        json_t *entry = json_object();
        json_object_set(entry, "from", from ? from : json_null());
        json_object_set(entry, "to", to);
        json_object_set_new(out, key, entry);
    }
    return out;
}

/* A copy of changes where sensitive values are replaced by "changed", in case
 * a caller hands a raw object instead of one built by audit_diff. */
static json_t *audit_redact(json_t *changes)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(changes, key, v) {
        /* markers such as "set" or "changed" say nothing about the value */
        bool marker = json_is_string(v) && (strcmp(json_string_value(v), "changed") == 0 ||
                                            strcmp(json_string_value(v), "set") == 0 ||
                                            strcmp(json_string_value(v), "reset") == 0);
        if (audit_key_sensitive(key) && !marker)
            json_object_set_new(out, key, json_string("changed"));
        else
            json_object_set(out, key, v);
    }
    return out;
}

int audit_write(db_t *db, int64_t actor, const char *action, const char *entity, int64_t entity_id,
                int64_t node_id, json_t *changes, const char *ip)
{
    if (!db || !action || !entity)
        return DB_ERR;
    /* The node's path is copied now so that reading by scope needs no join
     * and stays right even if the tree changes later. */
    char *node_path = node_id > 0 ? app_node_path(db, node_id) : NULL;
    char *json = NULL;
    if (changes && json_is_object(changes) && json_object_size(changes) > 0) {
        json_t *clean = audit_redact(changes);
        json = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(clean);
    } else if (changes && !json_is_object(changes)) {
        json = json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    }
    int rc = db_exec(db,
                     "INSERT INTO audit_log(at, actor_id, action, entity, entity_id, node_id, "
                     "node_path, changes, ip) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     PARAMS(P_INT(now_utc()), actor > 0 ? P_INT(actor) : P_NULL, P_TEXT(action),
                            P_TEXT(entity), entity_id > 0 ? P_INT(entity_id) : P_NULL,
                            node_id > 0 ? P_INT(node_id) : P_NULL,
                            P_TEXT(node_path ? node_path : ""), P_TEXT(json), P_TEXT(ip)));
    if (rc != DB_OK)
        log_error("audit: cannot write %s %s: %s", action, entity, db_errmsg(db));
    free(json);
    free(node_path);
    return rc;
}

/* Version 30. UPDATE and DELETE are refused by the database itself. */
#define AUDIT_TABLE \
    "CREATE TABLE audit_log(\n" \
    "  id ID_PK,\n" \
    "  at BIGINT NOT NULL,\n" \
    "  actor_id BIGINT,\n" \
    "  action TEXT NOT NULL,\n" \
    "  entity TEXT NOT NULL,\n" \
    "  entity_id BIGINT,\n" \
    "  node_id BIGINT,\n" \
    "  node_path TEXT NOT NULL DEFAULT '',\n" \
    "  changes TEXT,\n" \
    "  ip TEXT\n" \
    ");\n"

static const char audit_sql_sqlite[] =
    AUDIT_TABLE
    "CREATE INDEX audit_log_node_path ON audit_log(node_path);\n"
    "CREATE INDEX audit_log_at ON audit_log(at);\n"
    "CREATE INDEX audit_log_actor ON audit_log(actor_id);\n"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;\n"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;\n";

static const char audit_sql_pg[] =
    AUDIT_TABLE
    "CREATE INDEX audit_log_node_path ON audit_log(node_path text_pattern_ops);\n"
    "CREATE INDEX audit_log_at ON audit_log(at);\n"
    "CREATE INDEX audit_log_actor ON audit_log(actor_id);\n"
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END;\n"
    "$$;\n"
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log\n"
    "  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();\n"
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();\n";

/* Version 31: scope filters read a range of paths; on PostgreSQL the column
 * compares bytes so that a plain index serves the range. */
static const char audit_v31_pg[] =
    "DROP INDEX audit_log_node_path;\n"
    "ALTER TABLE audit_log ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";\n"
    "CREATE INDEX audit_log_node_path ON audit_log(node_path, at);\n";

const db_migration_t audit_migrations[AUDIT_N_MIGRATIONS] = {
    {30, "audit_log", audit_sql_sqlite, audit_sql_pg},
    {31, "audit_log: byte-ordered paths", "SELECT 1", audit_v31_pg},
    {32, "audit_log: the history of one thing",
     "CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, at);", NULL},
};
