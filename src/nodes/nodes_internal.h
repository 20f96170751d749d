/* nodes_internal.h - private to the nodes module: its handlers (named by the
 * routes table in nodes_module.c), what pages and API share (input, audited
 * writes) and page helpers. */
#ifndef JOUDA_NODES_INTERNAL_H
#define JOUDA_NODES_INTERNAL_H

#include "../audit/audit.h"
#include "nodes.h"

/* nodes_pages.c */
void nodes_page_show(req_t *r);
void nodes_page_new(req_t *r);
void nodes_page_create(req_t *r);
void nodes_page_edit(req_t *r);
void nodes_page_update(req_t *r);
void nodes_page_disable(req_t *r);
void nodes_page_enable(req_t *r);
/* nodes_tree.c */
void nodes_page_tree(req_t *r);
/* nodes_api.c */
void nodes_api_list(req_t *r);
void nodes_api_create(req_t *r);
void nodes_api_get(req_t *r);
void nodes_api_patch(req_t *r);
/* nodes_home.c: the module's part of the home page */
void nodes_home(req_t *r, json_t *sections);
/* nodes_demo.c */
int nodes_demo(app_demo_t *d);

/* --- Writes (nodes_write.c; each in its own transaction, audited) -------- */
/* Apply the given fields (and active) to cur when its version is still
 * expected_version. RES_CONFLICT with a msgid when stale, or when disabling
 * a node that has active children, or enabling under a disabled parent. */
res_t nodes_write(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *cur,
                  const node_input_t *in, int64_t expected_version, const char **conflict_msgid);

/* --- Page helpers (nodes_pages.c, nodes_model.c) ------------------------- */
/* Breadcrumb entries (label, href or null) for ids, the root left out, after
 * the "Establishments" entry. */
json_t *nodes_crumbs(req_t *r, const int64_t *ids, int n);
const char *nodes_add_label(req_t *r, int child_kind);   /* "Add a unit"... */
const char *nodes_add_href(req_t *r, int64_t parent_id, int child_kind);
/* Flash and conflict messages by kind. */
const char *nodes_msg_created(node_kind_t k);
const char *nodes_msg_disabled(node_kind_t k);
const char *nodes_msg_enabled(node_kind_t k);
const char *nodes_msg_active_children(node_kind_t k);

/* Figures other modules give about nodes (accounts...), for table columns:
 * for ids (ascending) an array of n arrays of {key, label, value}. */
json_t *nodes_figures(req_t *r, const int64_t *ids, size_t n);
/* The value of figure key in one of those arrays (0 when absent). */
int64_t nodes_figure(json_t *figs, const char *key);

/* The start hook: search keys of rows written before they existed. */
int nodes_start(db_t *db);

#endif
