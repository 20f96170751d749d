/* search_internal.h - private to the search module: the query as read from
 * the request, the rows it finds, and the handlers named by the routes
 * table in search_module.c.
 *
 * Who reads a row (decided in SQL, before LIMIT, totals and counts too):
 *  - any signed-in user when it is for everyone (criteria of published
 *    référentiels, published sheets);
 *  - otherwise whoever holds its permission through a live role at its
 *    node or above it (the scope ranges of app_scope_sql);
 *  - and, for a row marked "below", whoever holds its permission through a
 *    live role at a node below its node (a projet's sections read by the
 *    staff of the EPS's units; an association's documents by its EPS). */
#ifndef JOUDA_SEARCH_INTERNAL_H
#define JOUDA_SEARCH_INTERNAL_H

#include "../core/fold.h"
#include "../core/snippet.h"
#include "../core/words.h"
#include "search.h"

#define SEARCH_Q_MAX 200        /* characters of a query */
#define SEARCH_PAGE 20          /* results on a page */
#define SEARCH_TITLE_WORDS 200  /* words of a title indexed */
#define SEARCH_BODY_WORDS 20000 /* words of a body indexed */
#define SEARCH_MAX_PARAMS 400

/* The kinds of things found, in the order of the filter chips. */
extern const char *const search_types[]; /* NULL-terminated */
const char *search_type_label(req_t *r, const char *type);  /* "Criterion" */
const char *search_type_plural(req_t *r, const char *type); /* "Criteria" */

typedef struct {
    const char *q;      /* as typed, trimmed ("" when none) */
    const char *words[TEXT_FOLD_MAX_WORDS];
    size_t n_words;     /* folded words searched, 0 when too short */
    const char *type;   /* NULL: every type */
    bool empty;         /* nothing typed */
} search_query_t;

/* Read q and type from the query string; errors (field -> msgid): q too
 * long or not text, type unknown. Too short (no word of two letters) sets
 * n_words 0 without an error: the caller decides. */
void search_read(req_t *r, json_t *errors, search_query_t *q);

typedef struct {
    int64_t id, item_id;
    const char *type, *lang, *node_path, *title, *body, *href, *context;
} search_hit_t;

/* One page of what the reader may read matching every word, best first;
 * *total: how many there are of q->type (or of every type); *counts:
 * {type: n} for every type (a new object). RES_OK or RES_ERROR. */
res_t search_run(req_t *r, const search_query_t *q, int64_t limit, int64_t offset,
                 search_hit_t **hits, size_t *n, int64_t *total, json_t **counts);

/* The visibility condition on the alias s. of search_items for the reader,
 * appended with its parameters. */
void search_visible_sql(req_t *r, buf_t *sql, db_param_t *params, int *np, int max);

/* Segments [{text, hit}] of a snippet (a new array), and its plain text. */
json_t *search_segments_json(const snippet_t *s);

/* search_pages.c */
void search_page(req_t *r);
void search_api(req_t *r);

#endif
