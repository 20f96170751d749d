/* ref_internal.h - private to the référentiels module: its handlers (named
 * by the routes table in ref_module.c), the stored form and its writes. */
#ifndef JOUDA_REF_INTERNAL_H
#define JOUDA_REF_INTERNAL_H

#include "../audit/audit.h"
#include "ref.h"
#include "../core/fold.h"

/* ref_store.c */
const char *ref_cols(void);           /* the columns ref_from_row reads */
void ref_from_row(arena_t *a, db_res_t *res, ref_t *out);
/* Store a checked document as a new référentiel owned by node_id (one
 * audited transaction, or the caller's). RES_CONFLICT when its code and
 * version exist. */
res_t ref_store_doc(db_t *db, arena_t *a, int64_t node_id, const char *node_path, int64_t actor,
                    const char *ip, const ref_doc_t *doc, ref_status_t status, int64_t *id_out);
/* draft -> published -> archived (and archived -> published); RES_CONFLICT
 * for any other move, or when the row changed meanwhile. */
res_t ref_set_status(db_t *db, int64_t actor, const char *ip, const ref_t *ref, ref_status_t to);
/* A draft copy under the next free version of the code. */
res_t ref_new_version(db_t *db, arena_t *a, int64_t actor, const char *ip, const ref_t *ref,
                      int64_t *id_out);
/* Replace a draft's header and items by doc (checked); changes: the audit row's. */
res_t ref_replace_draft(db_t *db, arena_t *a, int64_t actor, const char *ip, const ref_t *ref,
                        const ref_doc_t *doc, json_t *changes);
res_t ref_delete_draft(db_t *db, int64_t actor, const char *ip, const ref_t *ref);

/* The référentiel of the route's {id}, readable by the reader (404 sent
 * otherwise); with manage, also managed by them (403 sent otherwise). */
ref_t *ref_of_route(req_t *r, bool manage);
const char *ref_href(req_t *r, int64_t id); /* "/referentiels/<id>" */

/* ref_module.c */
int64_t ref_resolve(req_t *r, int64_t id);
/* Where a new référentiel of this reader goes: the root when they manage
 * quality there, else the first association where they do; 0 when none. */
int64_t ref_home_node(req_t *r, const char **path);

/* ref_api.c */
void ref_api_list(req_t *r);
void ref_api_create(req_t *r);
void ref_api_get(req_t *r);
void ref_api_get_csv(req_t *r);
void ref_api_publish(req_t *r);
void ref_api_archive(req_t *r);
void ref_api_new_version(req_t *r);

/* ref_pages.c */
void ref_page_list(req_t *r);
void ref_page_show(req_t *r);
void ref_page_import_form(req_t *r);
void ref_page_import(req_t *r);
void ref_page_publish(req_t *r);
void ref_page_archive(req_t *r);
void ref_page_new_version(req_t *r);
void ref_page_delete(req_t *r);
void ref_page_edit(req_t *r);
void ref_page_update(req_t *r);
void ref_page_item_edit(req_t *r);
void ref_page_item_update(req_t *r);
void ref_page_item_new(req_t *r);
void ref_page_item_create(req_t *r);
void ref_page_item_delete(req_t *r);

/* ref_builtin.c: the référentiels shipped with the program */
int ref_start(db_t *db);

/* ref_search.c: criteria of published référentiels in the one search */
/* Write (published) or remove (otherwise) the search rows of a version's
 * criteria, inside the caller's transaction. DB_OK or a code. */
int ref_search_index(db_t *db, int64_t ref_id);
/* The start hook: the built-in référentiels, then what the search lacks. */
int ref_search_start(db_t *db);
size_t ref_builtin_count(void);
const char *ref_builtin_data(size_t i, size_t *len);

#endif
