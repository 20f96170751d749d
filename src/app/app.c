/* app.c - the modules in use, start-up and shutdown: catalogues, templates,
 * static assets, the database (every module's migrations applied at start,
 * then their start hooks) and one connection per server thread. */
#include "app_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

app_t g_app;
app_hooks_t g_hooks;

static const module_t *g_modules[APP_MAX_MODULES];
static size_t g_nmodules;

void app_use_modules(const module_t *const *modules, size_t n)
{
    g_nmodules = 0;
    memset(&g_hooks, 0, sizeof g_hooks);
    /* the framework's own tables: the core functions, then the sessions,
     * tokens and sign-in failures of auth */
    static module_t auth_tables = {.name = "auth"};
    auth_tables.migrations = auth_migrations;
    auth_tables.n_migrations = auth_migrations_count;
    g_modules[g_nmodules++] = &app_core_module;
    g_modules[g_nmodules++] = &auth_tables;
    for (size_t i = 0; i < n && g_nmodules < APP_MAX_MODULES; i++) {
        const module_t *m = modules[i];
        g_modules[g_nmodules++] = m;
        if (m->load_user && !g_hooks.load_user)
            g_hooks.load_user = m->load_user;
        if (m->ancestry && !g_hooks.ancestry)
            g_hooks.ancestry = m->ancestry;
    }
}

size_t app_module_count(void)
{
    return g_nmodules;
}

const module_t *app_module(size_t i)
{
    return i < g_nmodules ? g_modules[i] : NULL;
}

const app_entity_t *app_entity(const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < g_nmodules; i++)
        for (size_t j = 0; j < g_modules[i]->n_entities; j++)
            if (strcmp(g_modules[i]->entities[j].code, code) == 0)
                return &g_modules[i]->entities[j];
    return NULL;
}

static void app_json_release(void *p)
{
    json_decref(p);
}

json_t *app_arena_json(arena_t *a, json_t *j)
{
    if (j)
        arena_defer(a, app_json_release, j);
    return j;
}

int app_fact_query(db_t *db, arena_t *a, const char *sql, const char *scope_path, app_ids_t *out)
{
    const char *path = scope_path && *scope_path ? scope_path : "/";
    db_res_t *res = db_query(db, sql, PARAMS(P_TEXT(path), P_TEXT(app_path_upper(a, path))));
    if (!res)
        return DB_ERR;
    while (db_next(res))
        *VEC_PUSH(a, out) = db_int(res, 0);
    int rc = db_res_status(res);
    db_res_free(res);
    return rc;
}

const app_fact_t *app_fact(const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < g_nmodules; i++)
        for (size_t j = 0; j < g_modules[i]->n_facts; j++)
            if (strcmp(g_modules[i]->facts[j].code, code) == 0)
                return &g_modules[i]->facts[j];
    return NULL;
}

size_t app_kit_part_count(void)
{
    size_t n = 0;
    for (size_t i = 0; i < g_nmodules; i++)
        n += g_modules[i]->n_kit_parts;
    return n;
}

const app_kit_part_t *app_kit_part_at(size_t k)
{
    for (size_t i = 0; i < g_nmodules; i++) {
        if (k < g_modules[i]->n_kit_parts)
            return &g_modules[i]->kit_parts[k];
        k -= g_modules[i]->n_kit_parts;
    }
    return NULL;
}

const app_kit_part_t *app_kit_part(const char *type)
{
    if (!type)
        return NULL;
    for (size_t i = 0; i < app_kit_part_count(); i++) {
        const app_kit_part_t *p = app_kit_part_at(i);
        if (strcmp(p->type, type) == 0)
            return p;
    }
    return NULL;
}

/* A page names the same people and places many times (the audit log, a
 * list): each is described once per request. */
struct app_name_cache {
    const app_entity_t *e;
    int64_t id;
    const char *name, *href;
    struct app_name_cache *next;
};

const char *app_entity_name(req_t *r, const char *entity, int64_t id, const char **href)
{
    if (href)
        *href = NULL;
    const app_entity_t *e = app_entity(entity);
    if (!e || !e->describe || id <= 0)
        return NULL;
    for (struct app_name_cache *c = r->names; c; c = c->next)
        if (c->e == e && c->id == id) {
            if (href)
                *href = c->href;
            return c->name;
        }
    const char *h = NULL;
    const char *name = e->describe(r, id, &h);
    struct app_name_cache *c = arena_alloc(r->arena, sizeof *c);
    *c = (struct app_name_cache){e, id, name, name ? h : NULL, r->names};
    r->names = c;
    if (href)
        *href = c->href;
    return name;
}

char *app_node_path(db_t *db, int64_t node_id)
{
    if (!g_hooks.ancestry || node_id <= 0)
        return NULL;
    arena_t *a = arena_new();
    int64_t *ids = NULL;
    int n = 0;
    node_kind_t kind;
    char *out = NULL;
    if (g_hooks.ancestry(db, a, node_id, &ids, &n, &kind) == 0 && n > 0)
        out = xstrdup(app_path_text(a, ids, n));
    arena_free(a);
    return out;
}

const char *app_path_text(arena_t *a, const int64_t *ids, int n)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '/');
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%lld/", (long long)ids[i]);
    const char *out = arena_strdup(a, b.data);
    buf_free(&b);
    return out;
}

size_t app_entity_find(req_t *r, const char *entity, const char *q, int64_t *ids, size_t max)
{
    const app_entity_t *e = app_entity(entity);
    return e && e->find && q && *q ? e->find(r, q, ids, max) : 0;
}

void app_demo_count(app_demo_t *d, const char *what, bool created)
{
    int i = 0;
    while (i < d->n_counts && strcmp(d->counts[i].what, what) != 0)
        i++;
    if (i == d->n_counts) {
        if (d->n_counts == (int)ARRAY_LEN(d->counts))
            return;
        d->counts[d->n_counts++] = (app_demo_count_t){what, 0, 0};
    }
    if (created)
        d->counts[i].created++;
    else
        d->counts[i].existing++;
}

match_t app_route_match(const char *method, const char *path, const route_t **out, int64_t ids[2])
{
    bool other_method = false;
    *out = NULL;
    ids[0] = ids[1] = 0;
    method = http_route_method(method);
    if (!method || !path)
        return MATCH_NOT_FOUND;
    for (size_t m = 0; m < g_nmodules; m++) {
        for (size_t i = 0; i < g_modules[m]->n_routes; i++) {
            const route_t *rt = &g_modules[m]->routes[i];
            int64_t got[2];
            if (!http_path_match(rt->pattern, path, got))
                continue;
            if (strcmp(rt->method, method) == 0) {
                *out = rt;
                ids[0] = got[0];
                ids[1] = got[1];
                return MATCH_OK;
            }
            other_method = true;
        }
    }
    return other_method ? MATCH_BAD_METHOD : MATCH_NOT_FOUND;
}

const char *app_route_allow(arena_t *a, const char *path)
{
    const char *names[16];
    size_t n = 0;
    for (size_t m = 0; m < g_nmodules; m++) {
        for (size_t i = 0; i < g_modules[m]->n_routes; i++) {
            const route_t *rt = &g_modules[m]->routes[i];
            int64_t got[2];
            if (!http_path_match(rt->pattern, path, got))
                continue;
            const char *add[2] = {rt->method, strcmp(rt->method, "GET") == 0 ? "HEAD" : NULL};
            for (int k = 0; k < 2 && add[k]; k++) {
                bool seen = false;
                for (size_t j = 0; j < n && !seen; j++)
                    seen = strcmp(names[j], add[k]) == 0;
                if (!seen && n < ARRAY_LEN(names))
                    names[n++] = add[k];
            }
        }
    }
    buf_t b;
    buf_init(&b);
    for (size_t j = 0; j < n; j++)
        buf_printf(&b, "%s%s", j ? ", " : "", names[j]);
    const char *out = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

/* Every connection opened for a thread, closed at shutdown. */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static db_t *conns[256];
static size_t nconns;
static _Thread_local db_t *tl_db;

static void set_timezone(void)
{
    /* Store UTC, show Africa/Casablanca (needs tzdata; without it: UTC). */
    setenv("TZ", "Africa/Casablanca", 1);
    tzset();
}

static int migrate_all(db_t *db, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t i = 0; i < g_nmodules; i++)
        total += g_modules[i]->n_migrations;
    db_migration_t *all = xcalloc(total ? total : 1, sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < g_nmodules; i++)
        for (size_t j = 0; j < g_modules[i]->n_migrations; j++)
            all[k++] = g_modules[i]->migrations[j];
    int before = db_schema_version(db);
    int rc = db_migrate(db, all, total, err, errlen);
    free(all);
    /* fresh tables (or new indexes) need statistics before the planner
     * trusts them; cheap on a new database, skipped when nothing changed */
    if (rc == DB_OK && db_schema_version(db) != before)
        rc = app_analyze(db);
    return rc;
}

int app_analyze(db_t *db)
{
    return db_exec(db, "ANALYZE", NOPARAMS);
}

static int start_all(db_t *db)
{
    for (size_t i = 0; i < g_nmodules; i++)
        if (g_modules[i]->start) {
            int rc = g_modules[i]->start(db);
            if (rc != DB_OK)
                return rc;
        }
    return DB_OK;
}

db_t *app_open_db(const char *db_url, char *err, size_t errlen)
{
    static bool once;
    if (!once) {
        once = true;
        set_timezone();
        if (g_nmodules == 0)
            app_use_modules(NULL, 0);
        if (auth_init() != 0) {
            snprintf(err, errlen, "cannot initialise the crypto library");
            return NULL;
        }
    }
    db_t *db = db_open(db_url, err, errlen);
    if (!db)
        return NULL;
    if (migrate_all(db, err, errlen) != DB_OK || start_all(db) != DB_OK ||
        auth_load_server_key(db) != 0) {
        if (!*err)
            snprintf(err, errlen, "cannot prepare the database: %s", db_errmsg(db));
        db_close(db);
        return NULL;
    }
    return db;
}

static const char *share_path(const char *sub, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", g_app.share_dir ? g_app.share_dir : ".", sub);
    return out;
}

int app_init(const char *db_url, char *err, size_t errlen)
{
    char path[4096];
    g_app.db_url = db_url;
    const char *strict = getenv("JOUDA_STRICT_TEMPLATES");
    g_app.strict_templates = strict && strcmp(strict, "1") == 0;

    db_t *db = app_open_db(db_url, err, errlen);
    if (!db)
        return -1;
    /* the main thread keeps this one; server threads open their own */
    tl_db = db;
    pthread_mutex_lock(&conns_lock);
    conns[nconns++] = db;
    pthread_mutex_unlock(&conns_lock);

    if (i18n_load(share_path("locale", path, sizeof path), err, errlen) != 0)
        return -1;
    g_app.tpl = tpl_load_dir(share_path("templates", path, sizeof path), err, errlen);
    if (!g_app.tpl)
        return -1;
    tpl_set_strict(g_app.tpl, g_app.strict_templates);
    if (http_static_load(share_path("static", path, sizeof path)) != 0) {
        snprintf(err, errlen, "cannot load static assets from %s", path);
        return -1;
    }
    return 0;
}

db_t *app_thread_db(void)
{
    if (tl_db)
        return tl_db;
    char err[512] = "";
    db_t *db = db_open(g_app.db_url, err, sizeof err);
    if (!db) {
        log_error("database: %s", err);
        return NULL;
    }
    pthread_mutex_lock(&conns_lock);
    if (nconns < ARRAY_LEN(conns))
        conns[nconns++] = db;
    pthread_mutex_unlock(&conns_lock);
    tl_db = db;
    return db;
}

void app_shutdown(void)
{
    pthread_mutex_lock(&conns_lock);
    for (size_t i = 0; i < nconns; i++)
        db_close(conns[i]);
    nconns = 0;
    pthread_mutex_unlock(&conns_lock);
    tl_db = NULL;
    if (g_app.tpl)
        tpl_set_free(g_app.tpl);
    g_app.tpl = NULL;
    i18n_unload();
}

bool app_tx_begin(db_t *db, bool *mine)
{
    *mine = !db_in_tx(db);
    return !*mine || db_begin(db) == DB_OK;
}

int app_tx_end(db_t *db, bool mine, bool ok)
{
    if (!mine)
        return ok ? DB_OK : DB_ERR;
    if (ok)
        return db_commit(db);
    db_rollback(db);
    return DB_ERR;
}
