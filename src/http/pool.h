/* pool.h - a small worker pool: a fixed number of threads taking jobs from
 * one queue. The HTTP server hands it the slow handlers (password hashing,
 * exports) so that libmicrohttpd's threads keep serving other connections. */
#ifndef JOUDA_HTTP_POOL_H
#define JOUDA_HTTP_POOL_H

#include <stddef.h>

typedef struct wpool wpool_t;
typedef void (*wpool_fn)(void *arg);

/* nthreads <= 0 means 2. Returns NULL when no thread could be started. */
wpool_t *wpool_new(int nthreads);
/* Queues fn(arg). 0, or -1 once the pool is shutting down (fn not run). */
int wpool_submit(wpool_t *p, wpool_fn fn, void *arg);
/* Jobs queued or running. */
size_t wpool_pending(wpool_t *p);
/* Refuses new jobs, runs every queued job, joins the threads. Idempotent. */
void wpool_shutdown(wpool_t *p);
/* Shuts down (if not yet) and frees. */
void wpool_free(wpool_t *p);

#endif
