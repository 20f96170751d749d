/* nodes_tree.c - the organisation tree of the user's scope
 * (/admin/nodes): associations > establishments > units as nested lists,
 * with status, counts, a name search and a category filter. Everything is
 * read through the scope filter; matches keep their ancestors and
 * descendants so a result is always shown in its place. */
#include "nodes_internal.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

#define TREE_UNITS_MAX_EPS 60 /* beyond this many establishments, units stay on each EPS page */

static const char *kind_label(req_t *r, node_kind_t k)
{
    return nodes_code_label(r, "kind", node_kind_code(k));
}

typedef struct tnode {
    int64_t id, parent_id;
    node_kind_t kind;
    const char *label, *name, *name_ar, *category, *unit_kind, *path;
    bool active, match_q, match_cat, up_q, down_q, up_cat, down_cat;
    int64_t n_children;
    json_t *figures; /* borrowed: other modules' figures (associations and EPS) */
    struct tnode *parent;
    struct tnode **kids;
    size_t nkids, capkids;
} tnode_t;

static int tnode_cmp(const void *a, const void *b)
{
    const tnode_t *x = *(tnode_t *const *)a, *y = *(tnode_t *const *)b;
    int c = str_natural_cmp(x->label, y->label);
    return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

static int tnode_id_cmp(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key;
    const tnode_t *t = elem;
    return id < t->id ? -1 : id > t->id;
}

/* The search of the API (nodes_api_list) on the stored key: every word
 * of the folded query in the folded name or Arabic name. A key not computed
 * yet ('') is computed here from the same fields. */
static bool tnode_matches(const char *key, const char *name, const char *name_ar, const char *q)
{
    if (key && *key)
        return text_fold_match(key, q);
    const char *fields[] = {name, name_ar};
    char *k = text_fold_key(fields, ARRAY_LEN(fields));
    bool ok = text_fold_match(k, q);
    free(k);
    return ok;
}

/* up: the node or one below matches; down: the node or one above matches. */
static void mark_up(tnode_t *t)
{
    for (size_t i = 0; i < t->nkids; i++) {
        mark_up(t->kids[i]);
        t->up_q |= t->kids[i]->up_q;
        t->up_cat |= t->kids[i]->up_cat;
    }
    t->up_q |= t->match_q;
    t->up_cat |= t->match_cat;
}

static void mark_down(tnode_t *t, bool q, bool cat)
{
    t->down_q = q || t->match_q;
    t->down_cat = cat || t->match_cat;
    for (size_t i = 0; i < t->nkids; i++)
        mark_down(t->kids[i], t->down_q, t->down_cat);
}

typedef struct {
    req_t *r;
    bool use_q, use_cat, show_units, open_units;
} tree_ctx_t;

static bool tnode_kept(const tree_ctx_t *c, const tnode_t *t)
{
    if (c->use_q && !(t->up_q || t->down_q))
        return false;
    if (c->use_cat && !(t->up_cat || t->down_cat))
        return false;
    return true;
}

static json_t *tnode_json(const tree_ctx_t *c, const tnode_t *t)
{
    req_t *r = c->r;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "href", json_string(nodes_href(r, t->id)));
    json_object_set_new(o, "name", json_string(t->label));
    json_object_set_new(o, "kind_label", json_string(kind_label(r, t->kind)));
    json_object_set_new(o, "active", json_boolean(t->active));
    const char *meta = t->kind == NODE_EPS    ? nodes_code_label(r, "category", t->category)
                       : t->kind == NODE_UNIT ? nodes_code_label(r, "unit_kind", t->unit_kind)
                                              : NULL;
    json_object_set_new(o, "meta", json_str_or_null(meta));
    json_object_set_new(o, "is_association", json_boolean(t->kind == NODE_ASSOCIATION));
    json_object_set_new(o, "is_eps", json_boolean(t->kind == NODE_EPS));
    json_object_set_new(o, "sub_count", json_integer(t->n_children));
    json_object_set_new(o, "figures", t->figures ? json_incref(t->figures) : json_array());
    int ck = nodes_child_kind(t->kind);
    bool can_add = ck >= 0 && t->active && app_can_at_path(r, PERM_ORG_MANAGE, t->path);
    json_object_set_new(o, "add_href", can_add ? json_string(nodes_add_href(r, t->id, ck)) : json_null());
    json_object_set_new(o, "add_label", can_add ? json_string(nodes_add_label(r, ck)) : json_null());
    json_t *kids = json_array();
    bool descend = t->kind != NODE_EPS || c->show_units;
    for (size_t i = 0; descend && i < t->nkids; i++)
        if (tnode_kept(c, t->kids[i]))
            json_array_append_new(kids, tnode_json(c, t->kids[i]));
    json_object_set_new(o, "has_children", json_boolean(json_array_size(kids) > 0));
    json_object_set_new(o, "is_unit", json_boolean(t->kind == NODE_UNIT));
    /* Units fold under their establishment unless the view is small or searched. */
    json_object_set_new(o, "collapse", json_boolean(t->kind == NODE_EPS));
    json_object_set_new(o, "open", json_boolean(c->open_units));
    json_object_set_new(o, "children", kids);
    return o;
}

void nodes_page_tree(req_t *r)
{
    const char *q = req_query(r, "q");
    const char *cat = req_query(r, "category");
    if (str_empty(q) || !utf8_valid(q, strlen(q)))
        q = NULL;
    else
        q = str_trim(arena_strdup(r->arena, q));
    if (!str_in(nodes_categories, cat))
        cat = NULL;

    buf_t sql;
    buf_init(&sql);
    db_param_t params[48];
    int np = 0;
    /* Beyond TREE_UNITS_MAX_EPS establishments the units stay on each EPS
     * page: they are not even read, unless a search may find one. */
    buf_puts(&sql, "SELECT COUNT(*) FROM nodes n WHERE n.kind = 'eps' AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 48);
    bool with_units = q || db_query_int(r->db, sql.data, params, np, 0) <= TREE_UNITS_MAX_EPS;
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql,
             "SELECT n.id, n.parent_id, n.kind, n.name, n.name_ar, n.category, n.unit_kind,"
             " n.active, n.path, n.search_key"
             " FROM nodes n WHERE n.kind <> 'root' AND ");
    if (!with_units)
        buf_puts(&sql, "n.kind <> 'unit' AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 48);
    buf_puts(&sql, " ORDER BY n.id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    if (!res) {
        buf_free(&sql);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    VEC(tnode_t) all = {0};
    while (db_next(res)) {
        tnode_t *t = VEC_PUSH(r->arena, &all);
        t->id = db_int(res, 0);
        t->parent_id = db_int(res, 1);
        int k = node_kind_from_code(db_text(res, 2));
        t->kind = k < 0 ? NODE_UNIT : (node_kind_t)k;
        t->name = arena_strdup(r->arena, db_text(res, 3));
        t->name_ar = arena_strdup(r->arena, db_text(res, 4));
        t->category = arena_strdup(r->arena, db_text(res, 5));
        t->unit_kind = arena_strdup(r->arena, db_text(res, 6));
        t->active = db_int(res, 7) != 0;
        t->path = arena_strdup(r->arena, db_text(res, 8));
        t->label = nodes_display_name(r, t->name, t->name_ar);
        t->match_q = q && tnode_matches(db_text(res, 9), t->name, t->name_ar, q);
        t->match_cat = cat && t->kind == NODE_EPS && str_eq(t->category, cat);
    }
    db_res_free(res);
    tnode_t *rows = all.v;
    size_t n = all.n;

    /* Link children to parents (rows are ordered by id). */
    size_t ntop = 0;
    tnode_t **top = arena_alloc(r->arena, sizeof(tnode_t *) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        tnode_t *p = bsearch(&rows[i].parent_id, rows, n, sizeof *rows, tnode_id_cmp);
        if (!p) {
            top[ntop++] = &rows[i];
            continue;
        }
        rows[i].parent = p;
        p->capkids++;
    }
    for (size_t i = 0; i < n; i++)
        if (rows[i].capkids)
            rows[i].kids = arena_alloc(r->arena, sizeof(tnode_t *) * rows[i].capkids);
    for (size_t i = 0; i < n; i++)
        if (rows[i].parent) {
            rows[i].parent->kids[rows[i].parent->nkids++] = &rows[i];
            rows[i].parent->n_children += rows[i].active;
        }
    if (!with_units) {
        /* the units of each EPS, counted by the index of children by kind */
        buf_reset(&sql);
        np = 0;
        buf_puts(&sql, "SELECT n.parent_id, COUNT(*) FROM nodes n WHERE n.kind = 'unit' AND n.active = 1 AND ");
        app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 48);
        buf_puts(&sql, " GROUP BY n.parent_id ORDER BY n.parent_id");
        res = db_query(r->db, sql.data, params, np);
        while (res && db_next(res)) {
            int64_t pid = db_int(res, 0);
            tnode_t *p = bsearch(&pid, rows, n, sizeof *rows, tnode_id_cmp);
            if (p)
                p->n_children = db_int(res, 1);
        }
        if (res)
            db_res_free(res);
    }
    buf_free(&sql);
    /* Figures of associations and EPS (accounts...; rows are in id order). */
    int64_t *ids = arena_alloc(r->arena, sizeof(int64_t) * (n ? n : 1));
    tnode_t **which = arena_alloc(r->arena, sizeof(tnode_t *) * (n ? n : 1));
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].kind == NODE_ASSOCIATION || rows[i].kind == NODE_EPS) {
            which[nf] = &rows[i];
            ids[nf++] = rows[i].id;
        }
    json_t *figs = nodes_figures(r, ids, nf);
    arena_defer(r->arena, (void (*)(void *))json_decref, figs);
    for (size_t i = 0; i < nf; i++)
        which[i]->figures = json_array_get(figs, i);
    for (size_t i = 0; i < n; i++)
        if (rows[i].nkids > 1)
            qsort(rows[i].kids, rows[i].nkids, sizeof(tnode_t *), tnode_cmp);
    if (ntop > 1)
        qsort(top, ntop, sizeof(tnode_t *), tnode_cmp);

    tree_ctx_t c = {.r = r, .use_q = q != NULL, .use_cat = cat != NULL, .show_units = true};
    for (size_t i = 0; i < ntop; i++) {
        mark_up(top[i]);
        mark_down(top[i], false, false);
    }
    int64_t n_assoc = 0, n_eps = 0, n_units = 0;
    for (size_t i = 0; i < n; i++) {
        if (!tnode_kept(&c, &rows[i]))
            continue;
        n_assoc += rows[i].kind == NODE_ASSOCIATION;
        n_eps += rows[i].kind == NODE_EPS;
        n_units += with_units ? rows[i].kind == NODE_UNIT
                              : (rows[i].kind == NODE_EPS ? rows[i].n_children : 0);
    }
    c.show_units = n_eps <= TREE_UNITS_MAX_EPS;
    c.open_units = q || cat || n_eps <= 2;
    json_t *tree = json_array();
    for (size_t i = 0; i < ntop; i++)
        if (tnode_kept(&c, top[i]))
            json_array_append_new(tree, tnode_json(&c, top[i]));

    int64_t root = nodes_root_id(r->db);
    bool can_add_assoc = root > 0 && app_authorize(r, PERM_ORG_MANAGE, root) == AUTHZ_ALLOW;

    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Establishments"))));
    json_object_set_new(m, "tree", tree);
    json_object_set_new(m, "has_tree", json_boolean(json_array_size(tree) > 0));
    json_object_set_new(m, "filtered", json_boolean(q || cat));
    json_object_set_new(m, "q", json_string(q ? q : ""));
    json_object_set_new(m, "category_options",
                        nodes_code_options(r, "category", nodes_categories, cat, T(r, N_("All categories"))));
    json_object_set_new(m, "count_associations", json_integer(n_assoc));
    json_object_set_new(m, "count_eps", json_integer(n_eps));
    json_object_set_new(m, "count_units", json_integer(n_units));
    json_object_set_new(m, "units_hidden", json_boolean(!c.show_units));
    json_object_set_new(m, "add_association_href",
                        can_add_assoc ? json_string(nodes_add_href(r, root, NODE_ASSOCIATION)) : json_null());
    page_render(r, 200, "nodes/tree", m);
}


