/* watch.h - deadlines for connections. libmicrohttpd's timeout is an idle
 * timeout: every byte received starts it again, so a client sending one byte
 * every few seconds would keep its connection (and its slot) for ever. The
 * watch keeps, for every open connection, the time by which its current
 * phase must be over (the request head, the body), and one thread closes
 * the connections that are past it (shutdown of the socket: libmicrohttpd
 * then sees the connection end and cleans it up itself). */
#ifndef JOUDA_HTTP_WATCH_H
#define JOUDA_HTTP_WATCH_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cwatch cwatch_t;
typedef struct cwatch_conn cwatch_conn_t;

/* Starts the watching thread. NULL when it cannot start. */
cwatch_t *cwatch_new(void);
/* Stops the thread and frees; every connection must have been removed. */
void cwatch_free(cwatch_t *w);
/* A new connection on socket fd, to be over by deadline_ms
 * (now_ms_monotonic; 0: no deadline). Called when libmicrohttpd accepts it. */
cwatch_conn_t *cwatch_add(cwatch_t *w, int fd, int64_t deadline_ms);
/* Forget it; called before its socket is closed. */
void cwatch_remove(cwatch_t *w, cwatch_conn_t *c);
/* A new deadline for the connection's current phase (0: none). Any thread. */
void cwatch_set(cwatch_conn_t *c, int64_t deadline_ms);
/* Was it closed by the watch? */
bool cwatch_dropped(const cwatch_conn_t *c);

#endif
