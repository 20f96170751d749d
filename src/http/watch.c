/* watch.c - one list of open connections guarded by a mutex, and one thread
 * looking at it four times a second. A connection stays in the list until
 * libmicrohttpd says it is closed, which it says before closing the socket:
 * under the mutex the socket is therefore always the connection's own. */
#include "watch.h"

#include "../core/core.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define CWATCH_TICK_MS 250

struct cwatch_conn {
    int fd;
    _Atomic int64_t deadline_ms;
    atomic_bool dropped;
    struct cwatch_conn *prev, *next;
};

struct cwatch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cwatch_conn_t *head;
    bool stopping;
    pthread_t thread;
};

static void *cwatch_main(void *arg)
{
    cwatch_t *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += CWATCH_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        if (w->stopping)
            break;
        int64_t now = now_ms_monotonic();
        for (cwatch_conn_t *c = w->head; c; c = c->next) {
            int64_t d = atomic_load(&c->deadline_ms);
            if (d && now > d && !atomic_load(&c->dropped)) {
                atomic_store(&c->dropped, true);
                shutdown(c->fd, SHUT_RDWR);
            }
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

cwatch_t *cwatch_new(void)
{
    cwatch_t *w = xcalloc(1, sizeof *w);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, cwatch_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void cwatch_free(cwatch_t *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    while (w->head) { /* none expected: libmicrohttpd has closed them all */
        cwatch_conn_t *c = w->head;
        w->head = c->next;
        free(c);
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

cwatch_conn_t *cwatch_add(cwatch_t *w, int fd, int64_t deadline_ms)
{
    cwatch_conn_t *c = xcalloc(1, sizeof *c);
    c->fd = fd;
    atomic_init(&c->deadline_ms, deadline_ms);
    atomic_init(&c->dropped, false);
    pthread_mutex_lock(&w->mu);
    c->next = w->head;
    if (w->head)
        w->head->prev = c;
    w->head = c;
    pthread_mutex_unlock(&w->mu);
    return c;
}

void cwatch_remove(cwatch_t *w, cwatch_conn_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&w->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&w->mu);
    free(c);
}

void cwatch_set(cwatch_conn_t *c, int64_t deadline_ms)
{
    if (c)
        atomic_store(&c->deadline_ms, deadline_ms);
}

bool cwatch_dropped(const cwatch_conn_t *c)
{
    return c && atomic_load(&c->dropped);
}
