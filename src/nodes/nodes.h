/* nodes.h - the organisation tree: root -> associations -> EPS -> units.
 * Owns the table nodes. Every node keeps its ancestry in nodes.path
 * ("/1/4/9/", root first, itself last), so a subtree is a range of paths
 * (app_scope_sql). Other modules use a node through this header: its
 * record, its name in the reader's language, its page, the choices of a
 * form, and the ancestry the framework authorizes with. */
#ifndef JOUDA_NODES_H
#define JOUDA_NODES_H

#include "../app/app.h"

#define NODES_NAME_MAX 200
#define NODES_PROVINCE_MAX 100
#define NODES_AUTHNO_MAX 60
#define NODES_CAPACITY_MAX 10000
#define NODES_PATH_MAX 16 /* depth of the tree: root, association, EPS, unit (and room to spare) */

/* EPS categories under Law 65-15, kinds of units, the 12 regions (codes,
 * NULL-terminated; labels are "category.<code>"... in the catalogues). */
extern const char *const nodes_categories[];
extern const char *const nodes_unit_kinds[];
extern const char *const nodes_regions[];

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
} node_t;

/* Columns read by nodes_from_row, in order, for a nodes table aliased n. */
#define NODE_COLS                                                                                  \
    "n.id, n.parent_id, n.kind, n.name, n.name_ar, n.category, n.region, n.province, n.capacity, " \
    "n.authorisation_no, n.unit_kind, n.path, n.active, n.version, n.created_at, n.updated_at"
#define NODE_NCOLS 16

/* --- Pure helpers (unit-tested) ----------------------------------------- */
/* "/1/4/9/" -> {1,4,9}: the count, or -1 when malformed (not "/"-framed,
 * an id that id_parse refuses) or deeper than max. */
int nodes_path_parse(const char *path, int64_t *ids, int max);
/* Path of a new child: parent "/1/4/" and id 9 -> "/1/4/9/"; NULL when the
 * parent path is malformed or id is not positive. */
char *nodes_path_child(arena_t *a, const char *parent_path, int64_t id);
/* Is `ancestor` an ancestor-or-self path of `path` (prefix)? */
bool nodes_path_within(const char *path, const char *ancestor);
/* The kind that goes directly under a parent kind, -1 for none (unit). */
int nodes_child_kind(node_kind_t parent);
bool nodes_kind_parent_ok(node_kind_t child, node_kind_t parent);
/* Which optional fields a kind carries (category, region, ... for eps;
 * unit_kind for unit). */
bool nodes_field_applies(node_kind_t kind, const char *field);
/* msgid of a code: "category.children", "region.fes_meknes"... (arena). */
const char *nodes_code_msgid(arena_t *a, const char *prefix, const char *code);

/* --- Reading ------------------------------------------------------------- */
void nodes_from_row(arena_t *a, db_res_t *res, int first_col, node_t *out);
/* 0, or -1 when absent. */
int nodes_load(db_t *db, arena_t *a, int64_t id, node_t *out);
/* The ancestry hook of the framework: ids root first, the node last, in the
 * arena, and its kind. 0, or -1 when the node does not exist. */
int nodes_ancestry(db_t *db, arena_t *a, int64_t node_id, int64_t **path, int *n,
                   node_kind_t *kind);
/* The stored path of a node ("" when absent), in the arena. */
const char *nodes_path_of(db_t *db, arena_t *a, int64_t node_id);
int64_t nodes_root_id(db_t *db); /* the root, created by the first migration */
/* Resolver of routes whose {id} is a node. */
int64_t nodes_resolve(req_t *r, int64_t node_id);
/* The node that manages accounts for a role held at role_node_id: a unit
 * lifts to its EPS. 0 when absent. */
int64_t nodes_home_for(db_t *db, int64_t role_node_id);
/* The stored names of nodes ids (n <= 500) in one read: an object
 * {"<id>": "name"} (a new object; absent ids are left out). */
json_t *nodes_names(db_t *db, const int64_t *ids, size_t n);
/* Every active establishment, by id (demo data of other modules). */
node_t *nodes_all_eps(db_t *db, arena_t *a, size_t *n);
/* The API view of a node (a new object). */
json_t *nodes_json(const node_t *n);

/* --- Input and creation (nodes_write.c, nodes_model.c) -----------------
 * Public so that other modules may create nodes the way the nodes module
 * does (the onboarding wizard opens an EPS and its units). */
typedef struct {
    bool has_name, has_name_ar, has_category, has_region, has_province, has_capacity,
        has_authorisation_no, has_unit_kind, has_active;
    const char *name, *name_ar, *category, *region, *province, *authorisation_no, *unit_kind;
    int64_t capacity; /* -1: none */
    bool active;
} node_input_t;

/* Read and validate the fields a node of `kind` carries from the form or the
 * JSON body, adding field -> msgid to errors. partial (API PATCH): absent
 * fields stay unchanged; otherwise an absent field is empty. */
void nodes_input_read(req_t *r, json_t *errors, node_kind_t kind, bool partial, node_input_t *in);
/* For the API: JSON types of every known field present (strings, integers,
 * booleans, null where a value may be cleared) -> errors. */
void nodes_json_types(req_t *r, json_t *errors);
/* Create a child of parent as actor, audited, in a transaction unless one is
 * open (then inside the caller's: a failure leaves the rollback to it).
 * RES_CONFLICT (msgid set) when the parent is disabled; RES_ERROR. */
res_t nodes_insert(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *parent,
                   node_kind_t kind, const node_input_t *in, int64_t *id_out,
                   const char **conflict_msgid);
/* [{code,label,selected}] with an empty first choice. */
json_t *nodes_code_options(req_t *r, const char *prefix, const char *const *codes,
                           const char *selected, const char *empty_label);

/* --- Showing ------------------------------------------------------------- */
/* Name to show in the request's language (name_ar in Arabic when set). */
const char *nodes_display_name(req_t *r, const char *name, const char *name_ar);
/* A node's name for pages in lang: a unit followed by its establishment in
 * brackets. "" when absent. */
const char *nodes_label(db_t *db, arena_t *a, const char *lang, int64_t node_id);
/* A code's translated label (NULL for no code). */
const char *nodes_code_label(req_t *r, const char *prefix, const char *code);
/* "/admin/nodes/<id>" */
const char *nodes_href(req_t *r, int64_t id);

/* Active nodes where the current user holds perm (scope-filtered), in tree
 * order: [{id, label, kind, selected}] (label shows the parent for units).
 * NODES_OPT_HOMES keeps only nodes that may manage accounts (no units);
 * keep, when given, decides for each node (it may record what it saw). */
enum { NODES_OPT_HOMES = 1 };
typedef bool (*nodes_keep_fn)(req_t *r, node_kind_t kind, const int64_t *path, int n_path,
                              void *ctx);
json_t *nodes_options(req_t *r, perm_t perm, unsigned flags, int64_t selected, nodes_keep_fn keep,
                      void *ctx);

extern const module_t nodes_module;

#endif
