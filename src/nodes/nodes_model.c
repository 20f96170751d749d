/* nodes_model.c - what the nodes module knows about the tree: the code
 * lists (categories, unit kinds, regions), paths and kinds, reading a node
 * (record, ancestry, resolver, root, JSON view), its name and label in the
 * reader's language, and the choices of node offered by forms. */
#include "nodes_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nodes_categories[] = {"children", "students", "women",    "elderly",
                                      "disability", "homeless", "other", NULL};
const char *const nodes_unit_kinds[] = {"family_house", "youth_home", "mother_child", "day_centre",
                                      "other", NULL};
const char *const nodes_regions[] = {"tanger_tetouan_alhoceima",
                                   "oriental",
                                   "fes_meknes",
                                   "rabat_sale_kenitra",
                                   "beni_mellal_khenifra",
                                   "casablanca_settat",
                                   "marrakech_safi",
                                   "draa_tafilalet",
                                   "souss_massa",
                                   "guelmim_oued_noun",
                                   "laayoune_sakia_elhamra",
                                   "dakhla_oued_eddahab",
                                   NULL};

/* Every label msgid used through nodes_code_msgid, listed once for extraction. */
static const char *const nodes_label_msgids[] __attribute__((unused)) = {
    N_("category.children"), N_("category.students"), N_("category.women"),
    N_("category.elderly"), N_("category.disability"), N_("category.homeless"),
    N_("category.other"), N_("unit_kind.family_house"), N_("unit_kind.youth_home"),
    N_("unit_kind.mother_child"), N_("unit_kind.day_centre"), N_("unit_kind.other"),
    N_("region.tanger_tetouan_alhoceima"), N_("region.oriental"), N_("region.fes_meknes"),
    N_("region.rabat_sale_kenitra"), N_("region.beni_mellal_khenifra"),
    N_("region.casablanca_settat"), N_("region.marrakech_safi"), N_("region.draa_tafilalet"),
    N_("region.souss_massa"), N_("region.guelmim_oued_noun"),
    N_("region.laayoune_sakia_elhamra"), N_("region.dakhla_oued_eddahab"), N_("kind.root"),
    N_("kind.association"), N_("kind.eps"), N_("kind.unit")};

const char *nodes_code_msgid(arena_t *a, const char *prefix, const char *code)
{
    if (!code || !*code)
        return NULL;
    return arena_printf(a, "%s.%s", prefix, code);
}

/* --- Paths and kinds ------------------------------------------------------ */

int nodes_path_parse(const char *path, int64_t *ids, int max)
{
    if (!path || path[0] != '/' || path[1] == '\0')
        return -1;
    int n = 0;
    const char *p = path + 1;
    while (*p) {
        const char *end;
        int64_t v;
        if (n >= max || !id_parse(p, &end, &v) || *end != '/')
            return -1;
        ids[n++] = v;
        p = end + 1;
    }
    return n;
}

char *nodes_path_child(arena_t *a, const char *parent_path, int64_t id)
{
    int64_t ids[NODES_PATH_MAX];
    int n = nodes_path_parse(parent_path, ids, NODES_PATH_MAX);
    if (id <= 0 || n < 1 || n >= NODES_PATH_MAX)
        return NULL;
    return arena_printf(a, "%s%lld/", parent_path, (long long)id);
}

bool nodes_path_within(const char *path, const char *ancestor)
{
    if (!path || !ancestor || !*ancestor)
        return false;
    return strncmp(path, ancestor, strlen(ancestor)) == 0;
}

int nodes_child_kind(node_kind_t parent)
{
    switch (parent) {
    case NODE_ROOT: return NODE_ASSOCIATION;
    case NODE_ASSOCIATION: return NODE_EPS;
    case NODE_EPS: return NODE_UNIT;
    default: return -1;
    }
}

bool nodes_kind_parent_ok(node_kind_t child, node_kind_t parent)
{
    return nodes_child_kind(parent) == (int)child;
}

bool nodes_field_applies(node_kind_t kind, const char *field)
{
    static const char *const common[] = {"name", "name_ar", NULL};
    static const char *const eps[] = {"category", "region", "province", "capacity",
                                      "authorisation_no", NULL};
    static const char *const unit[] = {"unit_kind", NULL};
    if (str_in(common, field))
        return true;
    if (kind == NODE_EPS)
        return str_in(eps, field);
    if (kind == NODE_UNIT)
        return str_in(unit, field);
    return false;
}

/* --- Database ------------------------------------------------------------- */

int nodes_ancestry(db_t *db, arena_t *a, int64_t node_id, int64_t **path, int *n,
                      node_kind_t *kind)
{
    *path = NULL;
    *n = 0;
    db_res_t *res = db_query(db, "SELECT path, kind FROM nodes WHERE id = ?", PARAMS(P_INT(node_id)));
    if (!res)
        return -1;
    int rc = -1;
    if (db_next(res)) {
        const char *p = db_text(res, 0);
        int k = node_kind_from_code(db_text(res, 1));
        int64_t ids[NODES_PATH_MAX];
        int cnt = nodes_path_parse(p, ids, NODES_PATH_MAX);
        if (k >= 0 && cnt > 0 && ids[cnt - 1] == node_id) {
            *path = arena_alloc(a, sizeof(int64_t) * (size_t)cnt);
            memcpy(*path, ids, sizeof(int64_t) * (size_t)cnt);
            *n = cnt;
            if (kind)
                *kind = (node_kind_t)k;
            rc = 0;
        } else {
            log_error("nodes: node %lld has a malformed path", (long long)node_id);
            *path = NULL;
            *n = 0;
        }
    }
    db_res_free(res);
    return rc;
}

int64_t nodes_resolve(req_t *r, int64_t node_id)
{
    if (node_id <= 0)
        return 0;
    return db_query_int(r->db, "SELECT id FROM nodes WHERE id = ?", PARAMS(P_INT(node_id)), 0);
}

int64_t nodes_root_id(db_t *db)
{
    return db_query_int(db, "SELECT id FROM nodes WHERE kind = 'root' ORDER BY id LIMIT 1",
                        NOPARAMS, 0);
}

static const char *col_text(arena_t *a, db_res_t *res, int col)
{
    const char *s = db_text(res, col);
    return (s && *s) ? arena_strdup(a, s) : NULL;
}

void nodes_from_row(arena_t *a, db_res_t *res, int c, node_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_int(res, c + 0);
    out->parent_id = db_isnull(res, c + 1) ? 0 : db_int(res, c + 1);
    int k = node_kind_from_code(db_text(res, c + 2));
    out->kind = k < 0 ? NODE_UNIT : (node_kind_t)k;
    out->name = col_text(a, res, c + 3);
    if (!out->name)
        out->name = "";
    out->name_ar = col_text(a, res, c + 4);
    out->category = col_text(a, res, c + 5);
    out->region = col_text(a, res, c + 6);
    out->province = col_text(a, res, c + 7);
    out->capacity = db_isnull(res, c + 8) ? -1 : db_int(res, c + 8);
    out->authorisation_no = col_text(a, res, c + 9);
    out->unit_kind = col_text(a, res, c + 10);
    out->path = col_text(a, res, c + 11);
    if (!out->path)
        out->path = "";
    out->active = db_int(res, c + 12) != 0;
    out->version = db_int(res, c + 13);
    out->created_at = db_int(res, c + 14);
    out->updated_at = db_int(res, c + 15);
}

int nodes_load(db_t *db, arena_t *a, int64_t id, node_t *out)
{
    db_res_t *res = db_query(db, "SELECT " NODE_COLS " FROM nodes n WHERE n.id = ?",
                             PARAMS(P_INT(id)));
    if (!res)
        return -1;
    int rc = -1;
    if (db_next(res)) {
        nodes_from_row(a, res, 0, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

json_t *nodes_json(const node_t *n)
{
    char created[32], updated[32];
    format_iso_utc(n->created_at, created, sizeof created);
    format_iso_utc(n->updated_at, updated, sizeof updated);
    /* An association hangs under the root, which the API does not expose as a
     * parent: its parent_id is null, like the root's. */
    bool no_parent = n->kind == NODE_ROOT || n->kind == NODE_ASSOCIATION || n->parent_id == 0;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(n->id));
    json_object_set_new(o, "parent_id", no_parent ? json_null() : json_integer(n->parent_id));
    json_object_set_new(o, "kind", json_string(node_kind_code(n->kind)));
    json_object_set_new(o, "name", json_string(n->name));
    json_object_set_new(o, "name_ar", json_str_or_null(n->name_ar));
    json_object_set_new(o, "category", json_str_or_null(n->category));
    json_object_set_new(o, "region", json_str_or_null(n->region));
    json_object_set_new(o, "province", json_str_or_null(n->province));
    json_object_set_new(o, "capacity", n->capacity >= 0 ? json_integer(n->capacity) : json_null());
    json_object_set_new(o, "authorisation_no", json_str_or_null(n->authorisation_no));
    json_object_set_new(o, "unit_kind", json_str_or_null(n->unit_kind));
    json_object_set_new(o, "active", json_boolean(n->active));
    json_object_set_new(o, "version", json_integer(n->version));
    json_object_set_new(o, "created_at", json_string(created));
    json_object_set_new(o, "updated_at", json_string(updated));
    return o;
}

const char *nodes_display_name(req_t *r, const char *name, const char *name_ar)
{
    if (r && r->lang && strcmp(r->lang, "ar") == 0 && name_ar && *name_ar)
        return name_ar;
    return name ? name : "";
}

const char *nodes_msg_created(node_kind_t k)
{
    switch (k) {
    case NODE_ASSOCIATION: return N_("The association was created.");
    case NODE_EPS: return N_("The establishment was created.");
    default: return N_("The unit was created.");
    }
}

const char *nodes_msg_disabled(node_kind_t k)
{
    switch (k) {
    case NODE_ASSOCIATION: return N_("The association was disabled.");
    case NODE_EPS: return N_("The establishment was disabled.");
    default: return N_("The unit was disabled.");
    }
}

const char *nodes_msg_enabled(node_kind_t k)
{
    switch (k) {
    case NODE_ASSOCIATION: return N_("The association was enabled again.");
    case NODE_EPS: return N_("The establishment was enabled again.");
    default: return N_("The unit was enabled again.");
    }
}

const char *nodes_msg_active_children(node_kind_t k)
{
    switch (k) {
    case NODE_ROOT:
        return N_("The platform still has active associations: it cannot be disabled.");
    case NODE_ASSOCIATION:
        return N_("This association still has active establishments: disable them first.");
    default: return N_("This establishment still has active units: disable them first.");
    }
}

/* --- Shared by the tree pages and the home page ----------------------------- */

const char *nodes_code_label(req_t *r, const char *prefix, const char *code)
{
    const char *m = nodes_code_msgid(r->arena, prefix, code);
    return m ? T(r, m) : NULL;
}

const char *nodes_href(req_t *r, int64_t id)
{
    return arena_printf(r->arena, "/admin/nodes/%lld", (long long)id);
}

const char *nodes_add_label(req_t *r, int child_kind)
{
    switch (child_kind) {
    case NODE_ASSOCIATION: return T(r, N_("Add an association"));
    case NODE_EPS: return T(r, N_("Add an establishment"));
    case NODE_UNIT: return T(r, N_("Add a unit"));
    default: return NULL;
    }
}

const char *nodes_add_href(req_t *r, int64_t parent_id, int child_kind)
{
    return arena_printf(r->arena, "/admin/nodes/new?parent=%lld&kind=%s", (long long)parent_id,
                        node_kind_code((node_kind_t)child_kind));
}

/* --- Search keys ------------------------------------------------------------ */

/* nodes.search_key of rows written before it existed: the fields and their
 * order are those of the writes (nodes_write.c). */
int nodes_start(db_t *db)
{
    int rc = app_fill_search_keys(
        db, "SELECT id, name, name_ar FROM nodes WHERE search_key = '' AND id > ? ORDER BY id LIMIT ?",
        "UPDATE nodes SET search_key = ? WHERE id = ? AND search_key = ''", 2);
    if (rc != DB_OK)
        log_error("nodes: search keys could not be computed: %s", db_errmsg(db));
    return rc;
}

/* --- For other modules --------------------------------------------------- */

const char *nodes_path_of(db_t *db, arena_t *a, int64_t node_id)
{
    db_res_t *res = db_query(db, "SELECT path FROM nodes WHERE id = ?", PARAMS(P_INT(node_id)));
    const char *path = "";
    if (res) {
        if (db_next(res) && db_text(res, 0))
            path = arena_strdup(a, db_text(res, 0));
        db_res_free(res);
    }
    return path;
}

int64_t nodes_home_for(db_t *db, int64_t role_node_id)
{
    db_res_t *res = db_query(db, "SELECT kind, parent_id FROM nodes WHERE id = ?",
                             PARAMS(P_INT(role_node_id)));
    int64_t home = 0;
    if (res) {
        if (db_next(res))
            home = strcmp(db_text(res, 0), "unit") == 0 ? db_int(res, 1) : role_node_id;
        db_res_free(res);
    }
    return home;
}

int64_t nodes_figure(json_t *figs, const char *key)
{
    size_t i;
    json_t *f;
    json_array_foreach(figs, i, f)
        if (str_eq(json_string_value(json_object_get(f, "key")), key))
            return json_integer_value(json_object_get(f, "value"));
    return 0;
}

json_t *nodes_figures(req_t *r, const int64_t *ids, size_t n)
{
    return app_node_figures(r, ids, n);
}

json_t *nodes_names(db_t *db, const int64_t *ids, size_t n)
{
    json_t *out = json_object();
    if (n == 0 || n > 500)
        return out;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT id, name FROM nodes WHERE id IN (");
    db_param_t *params = xcalloc(n, sizeof *params);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&sql, i ? ", ?" : "?");
        params[i] = P_INT(ids[i]);
    }
    buf_puts(&sql, ") ORDER BY id");
    db_res_t *res = db_query(db, sql.data, params, (int)n);
    while (res && db_next(res)) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)db_int(res, 0));
        json_object_set_new(out, key, json_string(db_text(res, 1) ? db_text(res, 1) : ""));
    }
    if (res)
        db_res_free(res);
    buf_free(&sql);
    free(params);
    return out;
}

node_t *nodes_all_eps(db_t *db, arena_t *a, size_t *n_out)
{
    *n_out = 0;
    int64_t n = db_query_int(db, "SELECT COUNT(*) FROM nodes WHERE kind = 'eps' AND active = 1",
                             NOPARAMS, -1);
    if (n < 0)
        return NULL;
    node_t *out = arena_alloc(a, ((size_t)n + 1) * sizeof *out);
    db_res_t *res = db_query(db,
                             "SELECT " NODE_COLS " FROM nodes n WHERE n.kind = 'eps' AND n.active = 1"
                             " ORDER BY n.id",
                             NOPARAMS);
    size_t k = 0;
    while (res && db_next(res) && k < (size_t)n)
        nodes_from_row(a, res, 0, &out[k++]);
    db_res_free(res);
    *n_out = k;
    return out;
}

/* name or name_ar in Arabic; units carry their parent's name. */
static const char *label_of(arena_t *a, const char *lang, const char *kind, const char *name,
                            const char *name_ar, const char *pname, const char *pname_ar)
{
    bool ar = str_eq(lang, "ar");
    const char *n = ar && name_ar && *name_ar ? name_ar : (name ? name : "");
    if (str_eq(kind, "unit") && pname) {
        const char *pn = ar && pname_ar && *pname_ar ? pname_ar : pname;
        return arena_printf(a, "%s (%s)", n, pn);
    }
    return arena_strdup(a, n);
}

const char *nodes_label(db_t *db, arena_t *a, const char *lang, int64_t node_id)
{
    db_res_t *res = db_query(db,
                             "SELECT n.kind, n.name, n.name_ar, p.name, p.name_ar FROM nodes n "
                             "LEFT JOIN nodes p ON p.id = n.parent_id WHERE n.id = ?",
                             PARAMS(P_INT(node_id)));
    if (!res)
        return "";
    const char *label = "";
    if (db_next(res))
        label = label_of(a, lang, db_text(res, 0), db_text(res, 1), db_text(res, 2), db_text(res, 3),
                         db_text(res, 4));
    db_res_free(res);
    return label;
}

typedef struct {
    int64_t id;
    int kind;
    const char *label;
    int64_t path[NODES_PATH_MAX];
    int n_path;
} node_opt_t;

/* Tree order: a node right before its subtree, siblings by id (the order
 * they were created in). Comparing path strings would put "/1/17/" before
 * "/1/3/". */
static int node_opt_cmp(const void *pa, const void *pb)
{
    const node_opt_t *a = pa, *b = pb;
    for (int i = 0; i < a->n_path && i < b->n_path; i++)
        if (a->path[i] != b->path[i])
            return a->path[i] < b->path[i] ? -1 : 1;
    return a->n_path - b->n_path;
}

json_t *nodes_options(req_t *r, perm_t perm, unsigned flags, int64_t selected, nodes_keep_fn keep,
                      void *ctx)
{
    json_t *out = json_array();
    if (!r->user)
        return out;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT n.id, n.name, n.kind, n.path, p.name, n.name_ar, p.name_ar FROM nodes n "
                   "LEFT JOIN nodes p ON p.id = n.parent_id WHERE n.active = 1 AND ");
    db_param_t params[64];
    int np = 0;
    app_scope_sql(r, perm, "n.path", &sql, params, &np, 64);
    buf_puts(&sql, " ORDER BY n.id LIMIT 5000");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    if (!res)
        return out;
    VEC(node_opt_t) opts = {0};
    while (db_next(res)) {
        node_opt_t o = {.id = db_int(res, 0), .kind = node_kind_from_code(db_text(res, 2))};
        o.n_path = nodes_path_parse(db_text(res, 3), o.path, NODES_PATH_MAX);
        if (o.n_path < 1 || o.kind < 0 || ((flags & NODES_OPT_HOMES) && o.kind == NODE_UNIT))
            continue;
        if (keep && !keep(r, (node_kind_t)o.kind, o.path, o.n_path, ctx))
            continue;
        o.label = label_of(r->arena, r->lang, db_text(res, 2), db_text(res, 1), db_text(res, 5),
                           db_text(res, 4), db_text(res, 6));
        *VEC_PUSH(r->arena, &opts) = o;
    }
    db_res_free(res);
    if (opts.n > 1)
        qsort(opts.v, opts.n, sizeof *opts.v, node_opt_cmp);
    for (size_t i = 0; i < opts.n; i++)
        json_array_append_new(out, json_pack("{sI ss ss sb}", "id", (json_int_t)opts.v[i].id, "label",
                                             opts.v[i].label, "kind",
                                             node_kind_code((node_kind_t)opts.v[i].kind), "selected",
                                             opts.v[i].id == selected));
    return out;
}
