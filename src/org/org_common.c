/* org_common.c - what the whole org module shares about the tree: the code
 * lists (categories, unit kinds, regions), node ancestry from nodes.path, the
 * resolver of node ids, the root, the node record (read, JSON view), and the
 * filling of search keys not computed yet. */
#include "org_nodes.h"

#include "../core/fold.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const org_categories[] = {"children", "students", "women",    "elderly",
                                      "disability", "homeless", "other", NULL};
const char *const org_unit_kinds[] = {"family_house", "youth_home", "mother_child", "day_centre",
                                      "other", NULL};
const char *const org_regions[] = {"tanger_tetouan_alhoceima",
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

/* Every label msgid used through org_code_msgid, listed once for extraction. */
static const char *const org_label_msgids[] __attribute__((unused)) = {
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

bool org_code_in(const char *const *list, const char *code)
{
    if (!list || !code)
        return false;
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], code) == 0)
            return true;
    return false;
}

const char *org_code_msgid(arena_t *a, const char *prefix, const char *code)
{
    if (!code || !*code)
        return NULL;
    return arena_printf(a, "%s.%s", prefix, code);
}

/* --- Paths and kinds ------------------------------------------------------ */

int org_path_parse(arena_t *a, const char *path, int64_t **ids, int *n)
{
    *ids = NULL;
    *n = 0;
    if (!path || path[0] != '/' || path[1] == '\0')
        return -1;
    int64_t tmp[ORG_PATH_MAX_DEPTH];
    int count = 0;
    const char *p = path + 1;
    while (*p) {
        int64_t v = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9') {
            int d = *p - '0';
            if (v > (INT64_MAX - d) / 10)
                return -1;
            v = v * 10 + d;
            p++;
        }
        if (p == start || *p != '/' || v <= 0 || *start == '0')
            return -1;
        if (count == ORG_PATH_MAX_DEPTH)
            return -1;
        tmp[count++] = v;
        p++; /* the '/' */
    }
    *ids = arena_alloc(a, sizeof(int64_t) * (size_t)count);
    memcpy(*ids, tmp, sizeof(int64_t) * (size_t)count);
    *n = count;
    return 0;
}

char *org_path_child(arena_t *a, const char *parent_path, int64_t id)
{
    int64_t *ids;
    int n;
    if (id <= 0 || org_path_parse(a, parent_path, &ids, &n) != 0 || n >= ORG_PATH_MAX_DEPTH)
        return NULL;
    return arena_printf(a, "%s%lld/", parent_path, (long long)id);
}

bool org_path_within(const char *path, const char *ancestor)
{
    if (!path || !ancestor || !*ancestor)
        return false;
    return strncmp(path, ancestor, strlen(ancestor)) == 0;
}

int org_child_kind(node_kind_t parent)
{
    switch (parent) {
    case NODE_ROOT: return NODE_ASSOCIATION;
    case NODE_ASSOCIATION: return NODE_EPS;
    case NODE_EPS: return NODE_UNIT;
    default: return -1;
    }
}

bool org_kind_parent_ok(node_kind_t child, node_kind_t parent)
{
    return org_child_kind(parent) == (int)child;
}

bool org_field_applies(node_kind_t kind, const char *field)
{
    static const char *const common[] = {"name", "name_ar", NULL};
    static const char *const eps[] = {"category", "region", "province", "capacity",
                                      "authorisation_no", NULL};
    static const char *const unit[] = {"unit_kind", NULL};
    if (org_code_in(common, field))
        return true;
    if (kind == NODE_EPS)
        return org_code_in(eps, field);
    if (kind == NODE_UNIT)
        return org_code_in(unit, field);
    return false;
}

int org_natural_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : (b ? -1 : 0);
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)a[la]))
                la++;
            while (isdigit((unsigned char)b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
            continue;
        }
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        a++;
        b++;
    }
    if (*a)
        return 1;
    if (*b)
        return -1;
    return 0;
}

/* --- Database ------------------------------------------------------------- */

int org_node_ancestry(db_t *db, arena_t *a, int64_t node_id, int64_t **path, int *n,
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
        if (k >= 0 && org_path_parse(a, p, path, n) == 0 && *n > 0 && (*path)[*n - 1] == node_id) {
            if (kind)
                *kind = (node_kind_t)k;
            rc = 0;
        } else {
            log_error("org: node %lld has a malformed path", (long long)node_id);
            *path = NULL;
            *n = 0;
        }
    }
    db_res_free(res);
    return rc;
}

int64_t org_resolve_node(req_t *r, int64_t node_id)
{
    if (node_id <= 0)
        return 0;
    return db_query_int(r->db, "SELECT id FROM nodes WHERE id = ?", PARAMS(P_INT(node_id)), 0);
}

int64_t org_root_id(db_t *db)
{
    return db_query_int(db, "SELECT id FROM nodes WHERE kind = 'root' ORDER BY id LIMIT 1",
                        NOPARAMS, 0);
}

static const char *col_text(arena_t *a, db_res_t *res, int col)
{
    const char *s = db_text(res, col);
    return (s && *s) ? arena_strdup(a, s) : NULL;
}

void org_node_from_row(arena_t *a, db_res_t *res, int c, org_node_t *out)
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

int org_node_load(db_t *db, arena_t *a, int64_t id, org_node_t *out)
{
    db_res_t *res = db_query(db, "SELECT " ORG_NODE_COLS " FROM nodes n WHERE n.id = ?",
                             PARAMS(P_INT(id)));
    if (!res)
        return -1;
    int rc = -1;
    if (db_next(res)) {
        org_node_from_row(a, res, 0, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *org_node_json(const org_node_t *n)
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
    json_object_set_new(o, "name_ar", str_or_null(n->name_ar));
    json_object_set_new(o, "category", str_or_null(n->category));
    json_object_set_new(o, "region", str_or_null(n->region));
    json_object_set_new(o, "province", str_or_null(n->province));
    json_object_set_new(o, "capacity", n->capacity >= 0 ? json_integer(n->capacity) : json_null());
    json_object_set_new(o, "authorisation_no", str_or_null(n->authorisation_no));
    json_object_set_new(o, "unit_kind", str_or_null(n->unit_kind));
    json_object_set_new(o, "active", json_boolean(n->active));
    json_object_set_new(o, "version", json_integer(n->version));
    json_object_set_new(o, "created_at", json_string(created));
    json_object_set_new(o, "updated_at", json_string(updated));
    return o;
}

const char *org_node_display_name(req_t *r, const char *name, const char *name_ar)
{
    if (r && r->lang && strcmp(r->lang, "ar") == 0 && name_ar && *name_ar)
        return name_ar;
    return name ? name : "";
}

bool org_can_at_path(req_t *r, perm_t perm, const char *path)
{
    if (!r->user)
        return false;
    int64_t *ids;
    int n;
    if (org_path_parse(r->arena, path, &ids, &n) != 0 || n == 0)
        return false;
    return authz_decide(r->user->roles, r->user->n_roles, perm, ids, n, now_utc()) == AUTHZ_ALLOW;
}

const char *org_msg_created(node_kind_t k)
{
    switch (k) {
    case NODE_ASSOCIATION: return N_("The association was created.");
    case NODE_EPS: return N_("The establishment was created.");
    default: return N_("The unit was created.");
    }
}

const char *org_msg_disabled(node_kind_t k)
{
    switch (k) {
    case NODE_ASSOCIATION: return N_("The association was disabled.");
    case NODE_EPS: return N_("The establishment was disabled.");
    default: return N_("The unit was disabled.");
    }
}

const char *org_msg_enabled(node_kind_t k)
{
    switch (k) {
    case NODE_ASSOCIATION: return N_("The association was enabled again.");
    case NODE_EPS: return N_("The establishment was enabled again.");
    default: return N_("The unit was enabled again.");
    }
}

const char *org_msg_active_children(node_kind_t k)
{
    switch (k) {
    case NODE_ROOT:
        return N_("The platform still has active associations: it cannot be disabled.");
    case NODE_ASSOCIATION:
        return N_("This association still has active establishments: disable them first.");
    default: return N_("This establishment still has active units: disable them first.");
    }
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    size_t idx;
    int64_t user;
} org_pair_t;

static int pair_cmp(const void *a, const void *b)
{
    const org_pair_t *x = a, *y = b;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    return x->user < y->user ? -1 : x->user > y->user;
}

/* One query for all the listed nodes instead of one per node: the active
 * accounts working at or below a node - their home is there, or they hold a
 * live role there (the rule of the users list's node filter) - each person
 * counted once per node. */
void org_count_users_by_ancestor(req_t *r, const int64_t *ids_sorted, size_t n, int64_t *counts)
{
    memset(counts, 0, sizeof(int64_t) * n);
    if (n == 0)
        return;
    buf_t sql;
    buf_init(&sql);
    db_param_t params[100];
    int np = 0;
    buf_puts(&sql, "SELECT u.id, un.path FROM users u JOIN nodes un ON un.id = u.node_id"
                   " WHERE u.active = 1 AND ");
    app_scope_sql(r, PERM_ORG_READ, "un.path", &sql, params, &np, 49);
    buf_puts(&sql, " UNION SELECT u.id, rn.path FROM user_roles ur JOIN users u ON u.id = ur.user_id"
                   " JOIN nodes rn ON rn.id = ur.node_id WHERE u.active = 1"
                   " AND (ur.expires_at IS NULL OR ur.expires_at > ?) AND ");
    params[np++] = P_INT(now_utc());
    app_scope_sql(r, PERM_ORG_READ, "rn.path", &sql, params, &np, 100);
    buf_puts(&sql, " ORDER BY 1, 2");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    if (!res)
        return;
    org_pair_t *pairs = NULL;
    size_t npairs = 0, cap = 0;
    while (db_next(res)) {
        int64_t *ids;
        int depth;
        if (org_path_parse(r->arena, db_text(res, 1), &ids, &depth) != 0)
            continue;
        int64_t user = db_int(res, 0);
        for (int i = 0; i < depth; i++) {
            const int64_t *hit = bsearch(&ids[i], ids_sorted, n, sizeof(int64_t), id_cmp);
            if (!hit)
                continue;
            if (npairs == cap) {
                cap = cap ? cap * 2 : 256;
                pairs = xrealloc(pairs, cap * sizeof *pairs);
            }
            pairs[npairs++] = (org_pair_t){(size_t)(hit - ids_sorted), user};
        }
    }
    db_res_free(res);
    if (npairs)
        qsort(pairs, npairs, sizeof *pairs, pair_cmp);
    for (size_t i = 0; i < npairs; i++)
        if (i == 0 || pair_cmp(&pairs[i], &pairs[i - 1]) != 0)
            counts[pairs[i].idx]++;
    free(pairs);
}

/* --- Shared by the tree pages and the home page ----------------------------- */

const char *org_code_label(req_t *r, const char *prefix, const char *code)
{
    const char *m = org_code_msgid(r->arena, prefix, code);
    return m ? T(r, m) : NULL;
}

const char *org_node_href(req_t *r, int64_t id)
{
    return arena_printf(r->arena, "/admin/nodes/%lld", (long long)id);
}

const char *org_add_label(req_t *r, int child_kind)
{
    switch (child_kind) {
    case NODE_ASSOCIATION: return T(r, N_("Add an association"));
    case NODE_EPS: return T(r, N_("Add an establishment"));
    case NODE_UNIT: return T(r, N_("Add a unit"));
    default: return NULL;
    }
}

const char *org_add_href(req_t *r, int64_t parent_id, int child_kind)
{
    return arena_printf(r->arena, "/admin/nodes/new?parent=%lld&kind=%s", (long long)parent_id,
                        node_kind_code((node_kind_t)child_kind));
}

int64_t org_users_in_subtree(req_t *r, const char *path)
{
    /* the nodes of the subtree are found once, then the people at them */
    return db_query_int(r->db,
                        "SELECT COUNT(*) FROM users u WHERE u.active = 1 AND u.id IN ("
                        "SELECT h.id FROM users h JOIN nodes hn ON hn.id = h.node_id"
                        " WHERE instr(hn.path, ?) = 1"
                        " UNION SELECT ur.user_id FROM user_roles ur JOIN nodes rn ON rn.id = ur.node_id"
                        " WHERE instr(rn.path, ?) = 1 AND (ur.expires_at IS NULL OR ur.expires_at > ?))",
                        PARAMS(P_TEXT(path), P_TEXT(path), P_INT(now_utc())), 0);
}

json_t *org_jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* --- Search keys ------------------------------------------------------------ */

#define ORG_KEYS_BATCH 200

/* One table: rows whose key is '' get it, ORG_KEYS_BATCH rows per
 * transaction (or all in the caller's open one). The fields and their order
 * are those the writes use (org_nodes_api.c, org_users_model.c, demo). */
static int org_search_keys_table(db_t *db, const char *select_sql, const char *update_sql,
                                 int nfields)
{
    int64_t last = 0;
    for (;;) {
        int64_t ids[ORG_KEYS_BATCH];
        char *keys[ORG_KEYS_BATCH];
        int n = 0;
        db_res_t *res = db_query(db, select_sql, PARAMS(P_INT(last), P_INT(ORG_KEYS_BATCH)));
        if (!res)
            return db_last_code(db) ? db_last_code(db) : DB_ERR;
        while (n < ORG_KEYS_BATCH && db_next(res)) {
            const char *fields[3] = {NULL, NULL, NULL};
            for (int i = 0; i < nfields && i < 3; i++)
                fields[i] = db_text(res, 1 + i);
            ids[n] = db_int(res, 0);
            keys[n] = text_fold_key(fields, (size_t)nfields);
            n++;
        }
        int rc = db_res_status(res);
        db_res_free(res);
        bool mine = rc == DB_OK && n > 0 && !db_in_tx(db);
        if (mine)
            rc = db_begin(db);
        /* "AND search_key = ''": a key written meanwhile by the application
         * is newer than this one */
        for (int i = 0; i < n && rc == DB_OK; i++) {
            const char *k = keys[i];
            rc = db_exec(db, update_sql, PARAMS(P_TEXT(k), P_INT(ids[i])));
        }
        if (mine && rc == DB_OK)
            rc = db_commit(db);
        else if (mine)
            db_rollback(db);
        for (int i = 0; i < n; i++)
            free(keys[i]);
        if (rc != DB_OK)
            return rc;
        if (n < ORG_KEYS_BATCH)
            return DB_OK;
        last = ids[n - 1];
    }
}

int org_search_keys_refresh(db_t *db)
{
    int rc = org_search_keys_table(
        db,
        "SELECT id, name, name_ar FROM nodes WHERE search_key = '' AND id > ? ORDER BY id LIMIT ?",
        "UPDATE nodes SET search_key = ? WHERE id = ? AND search_key = ''", 2);
    if (rc == DB_OK)
        rc = org_search_keys_table(db,
                                   "SELECT id, name, email, username FROM users"
                                   " WHERE search_key = '' AND id > ? ORDER BY id LIMIT ?",
                                   "UPDATE users SET search_key = ? WHERE id = ? AND search_key = ''",
                                   3);
    if (rc != DB_OK)
        log_error("org: search keys could not be computed: %s", db_errmsg(db));
    return rc;
}
