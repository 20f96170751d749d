/* cache.c - views too costly to compute at every request (the figures of the
 * whole country for a national reader), kept in this process until the data
 * they were computed from changes.
 *
 * What "changes" means is kept by the database itself: table data_version
 * holds one counter, and the tables that cached views read carry triggers
 * that add one to it at every write (APP_DATA_VERSION_*: each module
 * declares them in its migrations for its own tables). A cached value is
 * stored with the counter read before it was computed and is served only
 * while the counter is unchanged, and until its own end of validity (the
 * next moment a role ends, for example), whichever comes first. Several
 * servers on one database each keep their own cache, all invalidated by the
 * same counter; a write becomes visible to them as soon as it commits.
 *
 * Reading the counter before the data is what keeps this right: a write
 * committed in between makes the value newer than its counter, never older,
 * and the next reader, seeing a new counter, computes again. */
#include "app_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64
#define CACHE_KEY_MAX 2048

typedef struct {
    char *key;          /* malloc'd; NULL when the slot is free */
    int64_t version;    /* of the data it was computed from */
    int64_t until;      /* epoch seconds: served only before */
    json_t *value;      /* never modified once stored */
    uint64_t used;      /* clock of the last use, for eviction */
} slot_t;

static slot_t g_slots[CACHE_SLOTS];
static uint64_t g_clock;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t app_data_version(db_t *db)
{
    return db_query_int(db, "SELECT version FROM data_version WHERE id = 1", NOPARAMS, -1);
}

json_t *app_cache_get(const char *key, int64_t version)
{
    if (version < 0 || !key || strlen(key) > CACHE_KEY_MAX)
        return NULL;
    int64_t now = now_utc();
    json_t *hit = NULL;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        slot_t *s = &g_slots[i];
        if (s->key && strcmp(s->key, key) == 0) {
            if (s->version == version && now < s->until) {
                s->used = ++g_clock;
                hit = json_incref(s->value);
            }
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
    if (!hit)
        return NULL;
    /* a copy the caller may change; the stored value is shared by threads */
    json_t *copy = json_deep_copy(hit);
    json_decref(hit);
    return copy;
}

void app_cache_put(const char *key, int64_t version, int64_t until, const json_t *value)
{
    if (version < 0 || !key || !value || strlen(key) > CACHE_KEY_MAX || until <= now_utc())
        return;
    json_t *copy = json_deep_copy(value);
    if (!copy)
        return;
    json_t *old = NULL;
    char *old_key = NULL;
    pthread_mutex_lock(&g_lock);
    slot_t *dst = NULL;
    for (size_t i = 0; i < CACHE_SLOTS && !dst; i++)
        if (g_slots[i].key && strcmp(g_slots[i].key, key) == 0)
            dst = &g_slots[i];
    for (size_t i = 0; i < CACHE_SLOTS && !dst; i++)
        if (!g_slots[i].key)
            dst = &g_slots[i];
    if (!dst) { /* the least recently used goes */
        dst = &g_slots[0];
        for (size_t i = 1; i < CACHE_SLOTS; i++)
            if (g_slots[i].used < dst->used)
                dst = &g_slots[i];
    }
    if (dst->key && strcmp(dst->key, key) == 0 && dst->version > version) {
        /* a newer value is there already: keep it */
        pthread_mutex_unlock(&g_lock);
        json_decref(copy);
        return;
    }
    old = dst->value;
    if (!dst->key || strcmp(dst->key, key) != 0) {
        old_key = dst->key;
        dst->key = xstrdup(key);
    }
    dst->version = version;
    dst->until = until;
    dst->value = copy;
    dst->used = ++g_clock;
    pthread_mutex_unlock(&g_lock);
    json_decref(old);
    free(old_key);
}

void app_cache_clear(void)
{
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        json_decref(g_slots[i].value);
        free(g_slots[i].key);
        g_slots[i] = (slot_t){0};
    }
    g_clock = 0;
    pthread_mutex_unlock(&g_lock);
}

const char *app_reader_key(req_t *r, int64_t now)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s|", r->lang ? r->lang : "");
    if (r->user)
        for (int i = 0; i < r->user->n_roles; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            bool live = ra->expires_at == 0 || ra->expires_at > now;
            if (live)
                buf_printf(&b, "%d@%lld;", (int)ra->role, (long long)ra->node_id);
        }
    const char *key = arena_strdup(r->arena, b.data ? b.data : "");
    buf_free(&b);
    return key;
}
