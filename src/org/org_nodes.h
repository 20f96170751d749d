/* org_nodes.h - private to the organisation-tree files of the org module
 * (org_common.c, org_nodes.c, org_nodes_api.c, org_home.c): the node record,
 * pure helpers on paths and kinds, input validation shared by pages and API,
 * and the audited writes. */
#ifndef JOUDA_ORG_NODES_H
#define JOUDA_ORG_NODES_H

#include "org_internal.h"

#define ORG_NAME_MAX 200
#define ORG_PROVINCE_MAX 100
#define ORG_AUTHNO_MAX 60
#define ORG_CAPACITY_MAX 10000
#define ORG_PATH_MAX_DEPTH 16

/* One row of nodes. Text fields live in the arena; NULL when empty. */
typedef struct {
    int64_t id;
    int64_t parent_id;  /* 0 for the root */
    node_kind_t kind;
    const char *name, *name_ar, *category, *region, *province, *authorisation_no, *unit_kind;
    int64_t capacity;   /* -1 when unknown */
    const char *path;
    bool active;
    int64_t version, created_at, updated_at;
} org_node_t;

/* Columns read by org_node_from_row, in order, for a nodes table aliased n. */
#define ORG_NODE_COLS                                                                              \
    "n.id, n.parent_id, n.kind, n.name, n.name_ar, n.category, n.region, n.province, n.capacity, " \
    "n.authorisation_no, n.unit_kind, n.path, n.active, n.version, n.created_at, n.updated_at"
#define ORG_NODE_NCOLS 16

/* --- Pure helpers (unit-tested) ----------------------------------------- */
/* Path of a new child: parent "/1/4/" and id 9 -> "/1/4/9/"; NULL when the
 * parent path is malformed or id is not positive. */
char *org_path_child(arena_t *a, const char *parent_path, int64_t id);
/* "/1/4/9/" -> {1,4,9}. 0, or -1 when malformed (empty segment, non-digit,
 * zero, overflow, deeper than ORG_PATH_MAX_DEPTH). */
int org_path_parse(arena_t *a, const char *path, int64_t **ids, int *n);
/* Is `ancestor` an ancestor-or-self path of `path` (prefix)? */
bool org_path_within(const char *path, const char *ancestor);
/* The kind that goes directly under a parent kind, -1 for none (unit). */
int org_child_kind(node_kind_t parent);
bool org_kind_parent_ok(node_kind_t child, node_kind_t parent);
/* Which optional fields a kind carries (category, region, ... for eps;
 * unit_kind for unit). */
bool org_field_applies(node_kind_t kind, const char *field);
/* Natural order for names: "Maison 2" < "Maison 10"; ASCII case folded. */
int org_natural_cmp(const char *a, const char *b);
/* msgid of a code: "category.children", "region.fes_meknes"... (arena). */
const char *org_code_msgid(arena_t *a, const char *prefix, const char *code);

/* --- Reading ------------------------------------------------------------- */
void org_node_from_row(arena_t *a, db_res_t *res, int first_col, org_node_t *out);
/* 0, or -1 when absent. */
int org_node_load(db_t *db, arena_t *a, int64_t id, org_node_t *out);
/* The API view of a node (a new object). */
json_t *org_node_json(const org_node_t *n);
/* Name to show in the request's language (name_ar in Arabic when set). */
const char *org_node_display_name(req_t *r, const char *name, const char *name_ar);
/* Active accounts working at or below each of ids_sorted (ascending): home
 * there or a live role there; within the user's scope, into counts[]. */
void org_count_users_by_ancestor(req_t *r, const int64_t *ids_sorted, size_t n, int64_t *counts);
/* Page helpers: a code's translated label (NULL for no code), links. */
const char *org_code_label(req_t *r, const char *prefix, const char *code);
const char *org_node_href(req_t *r, int64_t id);
const char *org_add_label(req_t *r, int child_kind);   /* "Add a unit"... */
const char *org_add_href(req_t *r, int64_t parent_id, int child_kind);
/* Active accounts whose home or a live role is at path or below. */
int64_t org_users_in_subtree(req_t *r, const char *path);
json_t *org_jstr(const char *s); /* string or null */
/* Breadcrumb entries (label, href or null) for ids, the root left out, after
 * the "Establishments" entry (org_nodes.c). */
json_t *org_crumbs(req_t *r, const int64_t *ids, int n);
/* [{code,label,selected}] with an empty first choice (org_nodes.c). */
json_t *org_code_options(req_t *r, const char *prefix, const char *const *codes,
                         const char *selected, const char *empty_label);
/* Decide perm at a node from its path, without a database read. */
bool org_can_at_path(req_t *r, perm_t perm, const char *path);

/* --- Input --------------------------------------------------------------- */
typedef struct {
    bool has_name, has_name_ar, has_category, has_region, has_province, has_capacity,
        has_authorisation_no, has_unit_kind, has_active;
    const char *name, *name_ar, *category, *region, *province, *authorisation_no, *unit_kind;
    int64_t capacity; /* -1: none */
    bool active;
} org_node_input_t;

/* Read and validate the fields a node of `kind` carries from the form or the
 * JSON body, adding field -> msgid to errors. partial (API PATCH): absent
 * fields stay unchanged; otherwise an absent field is empty. */
void org_node_input_read(req_t *r, json_t *errors, node_kind_t kind, bool partial,
                         org_node_input_t *in);
/* For the API: JSON types of every known field present (strings, integers,
 * booleans, null where a value may be cleared) -> errors. */
void org_node_json_types(req_t *r, json_t *errors);

/* --- Writes (each in its own transaction, audited) ----------------------- */
enum { ORG_W_OK = 0, ORG_W_ERROR = -1, ORG_W_CONFLICT = 1 };
/* Create a child of parent. ORG_W_CONFLICT (msgid set) when the parent is
 * disabled. */
int org_node_insert(req_t *r, const org_node_t *parent, node_kind_t kind,
                    const org_node_input_t *in, int64_t *id_out, const char **conflict_msgid);
/* Apply the given fields (and active) to cur when its version is still
 * expected_version. ORG_W_CONFLICT with a msgid when stale, or when disabling
 * a node that has active children, or enabling under a disabled parent. */
int org_node_write(req_t *r, const org_node_t *cur, const org_node_input_t *in,
                   int64_t expected_version, const char **conflict_msgid);

/* Flash and conflict messages by kind. */
const char *org_msg_created(node_kind_t k);
const char *org_msg_disabled(node_kind_t k);
const char *org_msg_enabled(node_kind_t k);
const char *org_msg_active_children(node_kind_t k);

#endif
