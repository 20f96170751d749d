/* home.c - the framework's own routes (GET /healthz, GET /) and how pages
 * are composed from modules: the home page and a node's page are lists of
 * sections each module adds ({"partial": template, "order": n, ...}), and
 * tables of nodes take their figures (accounts, later scores...) from every
 * module. The framework names no module: it walks the list. */
#include "app_internal.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

static int section_order(json_t *s)
{
    return (int)json_integer_value(json_object_get(s, "order"));
}

/* Stable sort by "order" (insertion: a few sections). */
static json_t *sorted(json_t *sections)
{
    size_t n = json_array_size(sections);
    json_t **v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(sections, i));
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && section_order(v[j - 1]) > section_order(v[j]); j--) {
            json_t *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, v[i]);
    free(v);
    json_decref(sections);
    return out;
}

json_t *app_home_sections(req_t *r)
{
    json_t *sections = json_array();
    for (size_t i = 0; i < app_module_count(); i++)
        if (app_module(i)->home)
            app_module(i)->home(r, sections);
    return sorted(sections);
}

json_t *app_node_sections(req_t *r, int64_t node_id, const char *path)
{
    json_t *sections = json_array();
    for (size_t i = 0; i < app_module_count(); i++)
        if (app_module(i)->node_sections)
            app_module(i)->node_sections(r, node_id, path, sections);
    return sorted(sections);
}

json_t *app_node_figures(req_t *r, const int64_t *ids, size_t n)
{
    json_t *out = json_array();
    json_t **each = xcalloc(n ? n : 1, sizeof *each);
    for (size_t i = 0; i < n; i++) {
        each[i] = json_array();
        json_array_append_new(out, each[i]);
    }
    for (size_t i = 0; i < app_module_count() && n > 0; i++)
        if (app_module(i)->node_figures)
            app_module(i)->node_figures(r, ids, n, each);
    free(each);
    return out;
}

int64_t app_figures_until(db_t *db, int64_t now)
{
    int64_t until = now + APP_CACHE_MAX_S;
    for (size_t i = 0; i < app_module_count(); i++)
        if (app_module(i)->figures_until) {
            int64_t t = app_module(i)->figures_until(db, now);
            if (t > now && t < until)
                until = t;
        }
    return until;
}

json_t *app_figure(req_t *r, const char *key, const char *label, const char *one,
                   const char *many, int64_t value)
{
    const char *noun = TN(r, one, many, value < 0 ? 0 : (unsigned long)value);
    const char *num = app_number(r, value);
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "key", key, "label", T(r, label),
                     "value", (json_int_t)value, "value_h", num, "one", one, "many", many, "text",
                     arena_printf(r->arena, "%s %s", num, noun));
}

/* --- GET /healthz ------------------------------------------------------ */

static void health_get(req_t *r)
{
    int64_t one = r->db ? db_query_int(r->db, "SELECT 1", NOPARAMS, 0) : 0;
    json_t *o = json_pack("{s:s, s:s, s:s}", "status", one == 1 ? "ok" : "error", "db",
                          r->db ? db_kind_name(r->db) : "none", "version", JOUDA_VERSION);
    api_send(r, one == 1 ? 200 : 503, o);
}

/* --- GET / --------------------------------------------------------------- */

/* The home page: a greeting, then what each module shows this person
 * (their establishment or network, their unit and its documents, later
 * their actions and reviews). The first section that has a "lead" says in
 * one sentence what the page holds. */
static void home_get(req_t *r)
{
    json_t *sections = app_home_sections(r);
    const char *lead = NULL;
    size_t i;
    json_t *s;
    json_array_foreach(sections, i, s) {
        lead = json_string_value(json_object_get(s, "lead"));
        if (lead)
            break;
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Home"))));
    json_object_set_new(m, "user_name", json_string(r->user && r->user->name ? r->user->name : ""));
    json_object_set_new(m, "lead", json_string(lead ? lead : T(r, N_("You have no role at the moment."))));
    json_object_set_new(m, "sections", sections);
    page_render(r, 200, "home", m);
}

static const route_t app_routes[] = {
    {"GET", "/healthz", PERM_PUBLIC, NULL, health_get, 0},
    {"GET", "/", PERM_AUTHENTICATED, NULL, home_get, 0},
};

static const app_menu_t app_menu[] = {
    {N_("Home"), "/", PERM_AUTHENTICATED, 0},
};

/* Version 1: SQL functions every module may use on both engines: instr(a, b)
 * is SQLite's own. Version 2: the counter of writes that cached views
 * depend on (cache.c), and on PostgreSQL the function its triggers call. */
#define APP_V2_TABLE                                                                               \
    "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);\n" \
    "INSERT INTO data_version (id, version) VALUES (1, 0);\n"
const db_migration_t app_migrations[] = {
    {1, "portable functions", "SELECT 1",
     "CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer "
     "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT strpos(haystack, needle)'"},
    {2, "data version", APP_V2_TABLE,
     APP_V2_TABLE "CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                  "BEGIN " APP_DATA_VERSION_BUMP "; RETURN NULL; END;\n$$;\n"},
    {3, "daily runs",
     "CREATE TABLE daily_runs (day TEXT PRIMARY KEY, started_at BIGINT NOT NULL,"
     " finished_at BIGINT, host TEXT);",
     NULL},
};
const size_t app_migrations_count = ARRAY_LEN(app_migrations);

const module_t app_core_module = {
    .name = "core",
    .migrations = app_migrations,
    .n_migrations = ARRAY_LEN(app_migrations),
    .routes = app_routes,
    .n_routes = ARRAY_LEN(app_routes),
    .menu = app_menu,
    .n_menu = ARRAY_LEN(app_menu),
};

/* --- Search keys ------------------------------------------------------------ */

#define KEYS_BATCH 200

int app_fill_search_keys(db_t *db, const char *select_sql, const char *update_sql, int nfields)
{
    int64_t last = 0;
    for (;;) {
        int64_t ids[KEYS_BATCH];
        char *keys[KEYS_BATCH];
        int n = 0;
        db_res_t *res = db_query(db, select_sql, PARAMS(P_INT(last), P_INT(KEYS_BATCH)));
        if (!res)
            return db_last_code(db) ? db_last_code(db) : DB_ERR;
        while (n < KEYS_BATCH && db_next(res)) {
            const char *fields[3] = {NULL, NULL, NULL};
            for (int i = 0; i < nfields && i < 3; i++)
                fields[i] = db_text(res, 1 + i);
            ids[n] = db_int(res, 0);
            keys[n] = text_fold_key(fields, (size_t)(nfields < 3 ? nfields : 3));
            n++;
        }
        int rc = db_res_status(res);
        db_res_free(res);
        bool mine = rc == DB_OK && n > 0 && !db_in_tx(db);
        if (mine)
            rc = db_begin(db);
        /* "AND key = ''" in update_sql: a key written meanwhile by the
         * application is newer than this one */
        for (int i = 0; i < n && rc == DB_OK; i++)
            rc = db_exec(db, update_sql, PARAMS(P_TEXT(keys[i]), P_INT(ids[i])));
        if (mine && rc == DB_OK)
            rc = db_commit(db);
        else if (mine)
            db_rollback(db);
        for (int i = 0; i < n; i++)
            free(keys[i]);
        if (rc != DB_OK)
            return rc;
        if (n < KEYS_BATCH)
            return DB_OK;
        last = ids[n - 1];
    }
}
