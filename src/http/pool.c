/* pool.c - fixed worker threads and one FIFO queue guarded by a mutex. */
#include "pool.h"

#include "../core/core.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    wpool_fn fn;
    void *arg;
    struct job *next;
} job_t;

struct wpool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job_t *head, *tail;
    size_t queued, running;
    bool stopping, joined;
    pthread_t *threads;
    int nthreads;
};

static void *worker_main(void *arg)
{
    wpool_t *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        job_t *j = p->head;
        if (!j)
            break; /* stopping and drained */
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->mu);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->mu);
        p->running--;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

wpool_t *wpool_new(int nthreads)
{
    if (nthreads <= 0)
        nthreads = 2;
    wpool_t *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = xcalloc((size_t)nthreads, sizeof *p->threads);
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        log_error("pool: no worker thread could be started");
        p->joined = true;
        wpool_free(p);
        return NULL;
    }
    return p;
}

int wpool_submit(wpool_t *p, wpool_fn fn, void *arg)
{
    job_t *j = xmalloc(sizeof *j);
    j->fn = fn;
    j->arg = arg;
    j->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        free(j);
        return -1;
    }
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->queued++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

size_t wpool_pending(wpool_t *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->queued + p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void wpool_shutdown(wpool_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    bool join = !p->joined;
    p->joined = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (join)
        for (int i = 0; i < p->nthreads; i++)
            pthread_join(p->threads[i], NULL);
}

void wpool_free(wpool_t *p)
{
    if (!p)
        return;
    wpool_shutdown(p);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}
