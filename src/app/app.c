/* app.c - start-up and shutdown: catalogues, templates, static assets, the
 * database (migrated at start) and one connection per server thread. */
#include "app_internal.h"
#include "../org/org.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

app_t g_app;
app_modules_t g_modules;

/* Version 1: SQL functions every module may use on both engines. instr(a, b)
 * (SQLite's own) is what scope filters use rather than LIKE ?, whose bound
 * pattern makes SQLite prepare the statement again at every run. */
const db_migration_t app_migrations[] = {
    {1, "portable functions", "SELECT 1",
     "CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer "
     "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT strpos(haystack, needle)'"},
};
const size_t app_migrations_count = ARRAY_LEN(app_migrations);

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
    for (size_t i = 0; i < g_modules.nmigrations; i++)
        total += g_modules.migrations[i].n;
    db_migration_t *all = xcalloc(total ? total : 1, sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < g_modules.nmigrations; i++)
        for (size_t j = 0; j < g_modules.migrations[i].n; j++)
            all[k++] = g_modules.migrations[i].list[j];
    int rc = db_migrate(db, all, total, err, errlen);
    free(all);
    return rc;
}

db_t *app_open_db(const char *db_url, char *err, size_t errlen)
{
    static bool once;
    if (!once) {
        once = true;
        set_timezone();
        app_modules_collect(&g_modules);
        if (auth_init() != 0) {
            snprintf(err, errlen, "cannot initialise the crypto library");
            return NULL;
        }
    }
    db_t *db = db_open(db_url, err, errlen);
    if (!db)
        return NULL;
    if (migrate_all(db, err, errlen) != DB_OK || org_search_keys_refresh(db) != DB_OK ||
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
