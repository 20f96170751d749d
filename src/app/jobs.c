/* jobs.c - what modules do for one another beyond pages: events (one
 * module's change that another acts on, in the same transaction), links to
 * the items of another module's object, and the daily work (reminders),
 * done once a day whatever the number of app servers: each server tries to
 * record today's run in daily_runs, and the one whose insert succeeds does it. */
#include "app_internal.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

int app_emit(db_t *db, app_event_t *ev)
{
    for (size_t i = 0; i < app_module_count(); i++) {
        const module_t *m = app_module(i);
        if (!m->on_event)
            continue;
        int rc = m->on_event(db, ev);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

json_t *app_item_links(req_t *r, const char *entity, int64_t id)
{
    json_t *out = json_object();
    for (size_t i = 0; i < app_module_count(); i++)
        if (app_module(i)->item_links)
            app_module(i)->item_links(r, entity, id, out);
    return out;
}

int app_run_daily(db_t *db, int64_t now, bool force)
{
    char day[11];
    iso_day_local(now, day);
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    int rc = db_exec(db,
                     "INSERT INTO daily_runs (day, started_at, host) VALUES (?, ?, ?)"
                     " ON CONFLICT (day) DO NOTHING",
                     PARAMS(P_TEXT(day), P_INT(now), P_TEXT(host)));
    if (rc != DB_OK)
        return -1;
    if (db_changes(db) == 0) { /* another server (or an earlier run) has it */
        if (!force)
            return 0;
        if (db_exec(db, "UPDATE daily_runs SET started_at = ?, finished_at = NULL, host = ?"
                        " WHERE day = ?",
                    PARAMS(P_INT(now), P_TEXT(host), P_TEXT(day))) != DB_OK)
            return -1;
    }
    int failed = 0;
    for (size_t i = 0; i < app_module_count(); i++) {
        const module_t *m = app_module(i);
        if (m->daily && m->daily(db, day, now) != DB_OK) {
            log_error("daily work of %s failed", m->name);
            failed = 1;
        }
    }
    db_exec(db, "UPDATE daily_runs SET finished_at = ? WHERE day = ?",
            PARAMS(P_INT(now_utc()), P_TEXT(day)));
    return failed ? -1 : 1;
}

/* --- The thread inside jouda serve ------------------------------------------ */

static pthread_t daily_thread;
static bool daily_running;
static pthread_mutex_t daily_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t daily_cond = PTHREAD_COND_INITIALIZER;
static bool daily_stopping;

#define DAILY_CHECK_S 300

static void *daily_main(void *arg)
{
    (void)arg;
    for (;;) {
        db_t *db = app_thread_db();
        if (db && app_run_daily(db, now_utc(), false) < 0)
            log_error("daily work: %s", db_errmsg(db));
        pthread_mutex_lock(&daily_lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += DAILY_CHECK_S;
        while (!daily_stopping)
            if (pthread_cond_timedwait(&daily_cond, &daily_lock, &until) != 0)
                break;
        bool stop = daily_stopping;
        pthread_mutex_unlock(&daily_lock);
        if (stop)
            return NULL;
    }
}

void app_daily_start(void)
{
    daily_stopping = false;
    daily_running = pthread_create(&daily_thread, NULL, daily_main, NULL) == 0;
    if (!daily_running)
        log_error("cannot start the daily work");
}

void app_daily_stop(void)
{
    if (!daily_running)
        return;
    pthread_mutex_lock(&daily_lock);
    daily_stopping = true;
    pthread_cond_signal(&daily_cond);
    pthread_mutex_unlock(&daily_lock);
    pthread_join(daily_thread, NULL);
    daily_running = false;
}
