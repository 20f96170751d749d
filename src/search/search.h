/* search.h - one search over sheets, documents, criteria and projet
 * d'établissement sections. Modules owning content put one row per
 * (type, id, lang) in the index in their own write transaction; the search
 * module folds the text (case, French accents, Arabic diacritics and letter
 * variants), indexes it (SQLite FTS5 / PostgreSQL tsvector) and answers
 * GET /search and GET /api/v1/search with only what the reader may read. */
#ifndef JOUDA_SEARCH_H
#define JOUDA_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "../app/app.h"

typedef struct {
    const char *type;      /* "sheet" | "document" | "criterion" | "section" */
    int64_t id;            /* the item's id in its module */
    const char *lang;      /* "fr" | "ar" | "en" | "" : one row per (type, id, lang) */
    const char *node_path; /* where it belongs ("/1/" = root) */
    perm_t perm;           /* what a reader needs for it, in scope of node_path */
    bool everyone;         /* any signed-in user may read it (published sheet, criteria of a published référentiel) */
    bool below;            /* also readable by those holding perm at a node BELOW node_path (a document of an
                              association read by its EPS's staff) */
    const char *title, *body;  /* stored text (Markdown allowed, marks stripped for snippets); body may be "" */
    const char *href;      /* its page ("/sheets/12") */
} search_doc_t;

/* Insert or replace the row (d->type, d->id, d->lang). DB_OK or a db code.
 * Call it inside your own transaction. NULL strings count as "". */
int search_put(db_t *db, const search_doc_t *d);

/* Remove every language of (type, id). DB_OK (also when nothing was there). */
int search_drop(db_t *db, const char *type, int64_t id);

/* Remove the rows of (type, id) whose language is not one of langs[0..n-1]
 * (after re-putting the languages an item now has). DB_OK or a db code. */
int search_drop_other_langs(db_t *db, const char *type, int64_t id, const char *const *langs, size_t n);

/* search_put with a context: a short text naming where the item belongs
 * (the référentiel of a criterion, the projet of a section), shown beside
 * the result instead of its establishment's name. NULL or "": none. */
int search_put_ctx(db_t *db, const search_doc_t *d, const char *context);

/* Remove every row of type whose item id is in [lo, hi] (the sections of one
 * projet). DB_OK. */
int search_drop_range(db_t *db, const char *type, int64_t lo, int64_t hi);

/* The item ids of type in the index, each once, ascending, appended to out
 * (a module's start hook compares them with what it holds, and indexes
 * what is missing). DB_OK or a code. */
int search_item_ids(db_t *db, arena_t *a, const char *type, app_ids_t *out);

extern const module_t search_module;

#endif
