/* nodes_tree.c - the organisation tree of the user's scope (/admin/nodes),
 * one level at a time: the associations, then an association's
 * establishments and an establishment's units once opened (?open=<id> opens
 * the node and its ancestors: plain links, no JavaScript needed; a scope
 * with a single place at the top opens by itself). A name search (q) and a
 * category filter show each match in its place, its ancestors opened; the
 * counts are those of everything that matches. Pages hold at most
 * TREE_PAGE_NODES nodes, the ancestors of a page's first node repeated at
 * its top; the pager keeps the filters and the opened node. Everything is
 * read through the scope filter; units only where they are shown or
 * searched. */
#include "nodes_internal.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

#define TREE_PAGE_NODES 200 /* nodes on a page, repeated ancestors included */
#define TREE_MAX_PARAMS 48

static const char *kind_label(req_t *r, node_kind_t k)
{
    return nodes_code_label(r, "kind", node_kind_code(k));
}

typedef struct tnode {
    int64_t id, parent_id;
    node_kind_t kind;
    const char *label, *name, *name_ar, *category, *unit_kind, *path;
    bool active, match_q, match_cat, up_q, down_q, up_cat, down_cat;
    bool expanded;    /* its children are listed */
    bool opened;      /* by ?open= (the node or one below it) */
    bool forced;      /* opened by itself (alone at the top, or on a search's way) */
    bool on_page;     /* shown on the current page (or as the context of its first node) */
    bool dup;         /* a unit read for a role held there, read again with its establishment's */
    int64_t n_children, n_active_children;
    json_t *figures; /* borrowed: other modules' figures (associations and EPS) */
    struct tnode *parent;
    struct tnode **kids;
    size_t nkids, capkids;
} tnode_t;

typedef struct {
    req_t *r;
    const char *q, *cat;
    bool use_q, use_cat;
    int64_t open; /* the node asked to be opened, 0: none */
    VEC(tnode_t *) flat; /* the nodes shown, in order */
    VEC(int) depth;
} tree_t;

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

static const char k_columns[] = "SELECT n.id, n.parent_id, n.kind, n.name, n.name_ar, n.category,"
                                " n.unit_kind, n.active, n.path, n.search_key FROM nodes n WHERE ";

static void read_row(tree_t *tr, db_res_t *res, tnode_t *t)
{
    req_t *r = tr->r;
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
    t->match_q = tr->use_q && tnode_matches(db_text(res, 9), t->name, t->name_ar, tr->q);
    t->match_cat = tr->use_cat && t->kind == NODE_EPS && str_eq(t->category, tr->cat);
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

static bool kept(const tree_t *tr, const tnode_t *t)
{
    if (tr->use_q && !(t->up_q || t->down_q))
        return false;
    if (tr->use_cat && !(t->up_cat || t->down_cat))
        return false;
    return true;
}

/* A search opens the way to its matches: a node opens when one of its
 * children is a match or leads to one (for one filter at least), and,
 * for every filter, either that child does or the node is already within
 * a match. A match with nothing matching below it stays closed. */
static bool leads_to_match(const tree_t *tr, const tnode_t *t)
{
    if (!tr->use_q && !tr->use_cat)
        return false;
    for (size_t i = 0; i < t->nkids; i++) {
        const tnode_t *c = t->kids[i];
        if (!kept(tr, c))
            continue;
        bool all = (!tr->use_q || t->down_q || c->up_q) && (!tr->use_cat || t->down_cat || c->up_cat);
        bool one = (tr->use_q && c->up_q) || (tr->use_cat && c->up_cat);
        if (all && one)
            return true;
    }
    return false;
}

static size_t kept_kids(const tree_t *tr, const tnode_t *t, tnode_t **only)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nkids; i++)
        if (kept(tr, t->kids[i])) {
            n++;
            *only = t->kids[i];
        }
    return n;
}

/* The units of an establishment, when they were not read with the rest. */
static void load_units(tree_t *tr, tnode_t *eps)
{
    if (eps->kind != NODE_EPS || eps->nkids > 0 || eps->n_children == 0)
        return;
    req_t *r = tr->r;
    buf_t sql;
    buf_init(&sql);
    db_param_t params[TREE_MAX_PARAMS];
    int np = 0;
    buf_puts(&sql, k_columns);
    buf_puts(&sql, "n.kind = 'unit' AND n.parent_id = ? AND ");
    params[np++] = P_INT(eps->id);
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, TREE_MAX_PARAMS);
    buf_puts(&sql, " ORDER BY n.id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    VEC(tnode_t *) units = {0};
    while (res && db_next(res)) {
        tnode_t *u = arena_alloc(r->arena, sizeof *u);
        memset(u, 0, sizeof *u);
        read_row(tr, res, u);
        u->parent = eps;
        *VEC_PUSH(r->arena, &units) = u;
    }
    if (res)
        db_res_free(res);
    eps->kids = units.v;
    eps->nkids = eps->capkids = units.n;
    if (eps->nkids > 1)
        qsort(eps->kids, eps->nkids, sizeof(tnode_t *), tnode_cmp);
    for (size_t i = 0; i < eps->nkids; i++)
        mark_down(eps->kids[i], eps->down_q, eps->down_cat);
}

/* The nodes shown, depth first, in the order of their names. */
static void flatten(tree_t *tr, tnode_t *t, int depth)
{
    *VEC_PUSH(tr->r->arena, &tr->flat) = t;
    *VEC_PUSH(tr->r->arena, &tr->depth) = depth;
    if (!t->expanded)
        return;
    for (size_t i = 0; i < t->nkids; i++)
        if (kept(tr, t->kids[i]))
            flatten(tr, t->kids[i], depth + 1);
}

/* "/admin/nodes?q=..&category=..&open=..&page=..#n<anchor>" with what is
 * set (page 0: the page where the opened node's children are). */
static void qs_add(buf_t *b, const char *key, const char *val)
{
    if (!val || !*val)
        return;
    buf_putc(b, b->len > strlen("/admin/nodes") ? '&' : '?');
    buf_puts(b, key);
    buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

static const char *tree_url(const tree_t *tr, int64_t open, int page, int64_t anchor)
{
    arena_t *a = tr->r->arena;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "/admin/nodes");
    qs_add(&b, "q", tr->q);
    qs_add(&b, "category", tr->cat);
    qs_add(&b, "open", open > 0 ? arena_printf(a, "%lld", (long long)open) : NULL);
    qs_add(&b, "page", page > 0 ? arena_printf(a, "%d", page) : NULL);
    if (anchor > 0)
        buf_printf(&b, "#n%lld", (long long)anchor);
    const char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

static json_t *tnode_json(const tree_t *tr, const tnode_t *t)
{
    req_t *r = tr->r;
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
    json_object_set_new(o, "is_unit", json_boolean(t->kind == NODE_UNIT));
    json_object_set_new(o, "sub_count", json_integer(t->n_active_children));
    json_object_set_new(o, "figures", t->figures ? json_incref(t->figures) : json_array());
    int ck = nodes_child_kind(t->kind);
    bool can_add = ck >= 0 && t->active && app_can_at_path(r, PERM_ORG_MANAGE, t->path);
    json_object_set_new(o, "add_href", can_add ? json_string(nodes_add_href(r, t->id, ck)) : json_null());
    json_object_set_new(o, "add_label", can_add ? json_string(nodes_add_label(r, ck)) : json_null());
    /* opening and closing: links to this page, kept filters, back to this node */
    bool openable = t->kind != NODE_UNIT && t->n_children > 0 && !t->expanded;
    bool closable = t->expanded && t->opened && !t->forced;
    int64_t parent = t->parent ? t->parent->id : 0;
    json_object_set_new(o, "open_href", openable ? json_string(tree_url(tr, t->id, 0, t->id)) : json_null());
    json_object_set_new(o, "close_href", closable ? json_string(tree_url(tr, parent, 0, t->id)) : json_null());
    const char *open_label = t->kind == NODE_ASSOCIATION ? N_("See the establishments") : N_("See the units");
    const char *close_label = t->kind == NODE_ASSOCIATION ? N_("Hide the establishments") : N_("Hide the units");
    json_object_set_new(o, "open_label", json_string(T(r, open_label)));
    json_object_set_new(o, "close_label", json_string(T(r, close_label)));
    json_t *kids = json_array();
    for (size_t i = 0; t->expanded && i < t->nkids; i++)
        if (t->kids[i]->on_page && kept(tr, t->kids[i]))
            json_array_append_new(kids, tnode_json(tr, t->kids[i]));
    json_object_set_new(o, "has_children", json_boolean(json_array_size(kids) > 0));
    json_object_set_new(o, "children", kids);
    return o;
}

/* The rows of the scope: associations and establishments, the units where
 * the user holds a role (the top of their scope), and every unit when a
 * search may find one. Linked to their parents. */
static bool tree_read(tree_t *tr, tnode_t **rows_out, size_t *n_out)
{
    req_t *r = tr->r;
    buf_t sql;
    buf_init(&sql);
    db_param_t params[TREE_MAX_PARAMS];
    int np = 0;
    buf_puts(&sql, k_columns);
    if (tr->use_q) {
        buf_puts(&sql, "n.kind <> 'root' AND ");
    } else {
        buf_puts(&sql, "(n.kind IN ('association', 'eps')");
        int64_t now = now_utc();
        for (int i = 0; r->user && i < r->user->n_roles && np < TREE_MAX_PARAMS / 3; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            if (ra->node_kind == NODE_UNIT && authz_role_live(ra, now) &&
                authz_role_grants(ra->role, ra->node_kind, PERM_ORG_READ)) {
                buf_puts(&sql, " OR n.id = ?");
                params[np++] = P_INT(ra->node_id);
            }
        }
        buf_puts(&sql, ") AND ");
    }
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, TREE_MAX_PARAMS);
    buf_puts(&sql, " ORDER BY n.id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    if (!res) {
        buf_free(&sql);
        return false;
    }
    VEC(tnode_t) all = {0};
    while (db_next(res))
        read_row(tr, res, VEC_PUSH(r->arena, &all));
    db_res_free(res);
    tnode_t *rows = all.v;
    size_t n = all.n;

    /* children by parent (rows are ordered by id) */
    for (size_t i = 0; i < n; i++) {
        tnode_t *p = bsearch(&rows[i].parent_id, rows, n, sizeof *rows, tnode_id_cmp);
        if (p && rows[i].kind == NODE_UNIT && !tr->use_q) {
            rows[i].dup = true; /* read with all its siblings when shown */
        } else if (p) {
            rows[i].parent = p;
            p->capkids++;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (rows[i].capkids)
            rows[i].kids = arena_alloc(r->arena, sizeof(tnode_t *) * rows[i].capkids);
    for (size_t i = 0; i < n; i++)
        if (rows[i].parent) {
            tnode_t *p = rows[i].parent;
            p->kids[p->nkids++] = &rows[i];
            p->n_children++;
            p->n_active_children += rows[i].active;
        }
    if (!tr->use_q) {
        /* the units of each establishment, counted by the index of children */
        buf_reset(&sql);
        np = 0;
        buf_puts(&sql, "SELECT n.parent_id, COUNT(*), SUM(n.active) FROM nodes n WHERE n.kind = 'unit' AND ");
        app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, TREE_MAX_PARAMS);
        buf_puts(&sql, " GROUP BY n.parent_id ORDER BY n.parent_id");
        res = db_query(r->db, sql.data, params, np);
        while (res && db_next(res)) {
            int64_t pid = db_int(res, 0);
            tnode_t *p = bsearch(&pid, rows, n, sizeof *rows, tnode_id_cmp);
            if (p) {
                p->n_children = db_int(res, 1);
                p->n_active_children = db_int(res, 2);
            }
        }
        if (res)
            db_res_free(res);
    }
    buf_free(&sql);
    for (size_t i = 0; i < n; i++)
        if (rows[i].nkids > 1)
            qsort(rows[i].kids, rows[i].nkids, sizeof(tnode_t *), tnode_cmp);
    *rows_out = rows;
    *n_out = n;
    return true;
}

/* Where each page starts: a page holds TREE_PAGE_NODES nodes, the
 * ancestors of its first node (repeated from before) counted in. A page
 * does not end on a node whose children begin the next one: that node
 * moves there, where it would be repeated anyway. */
static size_t page_starts(const tree_t *tr, size_t *starts, size_t max)
{
    size_t n = tr->flat.n, np = 0;
    for (size_t i = 0; i < n && np < max;) {
        starts[np++] = i;
        size_t room = TREE_PAGE_NODES - (size_t)tr->depth.v[i];
        size_t take = room < n - i ? room : n - i;
        while (take > 1 && i + take < n && tr->flat.v[i + take]->parent == tr->flat.v[i + take - 1])
            take--;
        i += take;
    }
    return np;
}

void nodes_page_tree(req_t *r)
{
    tree_t tr = {.r = r};
    const char *q = req_query(r, "q");
    const char *cat = req_query(r, "category");
    if (str_empty(q) || !utf8_valid(q, strlen(q)))
        q = NULL;
    else
        q = str_trim(arena_strdup(r->arena, q));
    if (!str_in(nodes_categories, cat))
        cat = NULL;
    tr.q = q;
    tr.cat = cat;
    tr.use_q = q != NULL;
    tr.use_cat = cat != NULL;
    const char *open_s = req_query(r, "open"), *page_s = req_query(r, "page"), *end;
    int64_t open = 0, page = 0;
    if (open_s && !(id_parse(open_s, &end, &open) && !*end))
        open = 0;
    if (page_s && !(id_parse(page_s, &end, &page) && !*end))
        page = 0;

    tnode_t *rows;
    size_t n;
    if (!tree_read(&tr, &rows, &n)) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    size_t ntop = 0;
    tnode_t **top = arena_alloc(r->arena, sizeof(tnode_t *) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        if (!rows[i].parent && !rows[i].dup)
            top[ntop++] = &rows[i];
    if (ntop > 1)
        qsort(top, ntop, sizeof(tnode_t *), tnode_cmp);
    for (size_t i = 0; i < ntop; i++) {
        mark_up(top[i]);
        mark_down(top[i], false, false);
    }

    /* the node asked to be opened (a unit opens its establishment) */
    tnode_t *opened = open > 0 ? bsearch(&open, rows, n, sizeof *rows, tnode_id_cmp) : NULL;
    if (open > 0 && !opened && !tr.use_q) {
        int64_t eps = db_query_int(r->db, "SELECT parent_id FROM nodes WHERE id = ? AND kind = 'unit'",
                                   PARAMS(P_INT(open)), 0);
        opened = eps > 0 ? bsearch(&eps, rows, n, sizeof *rows, tnode_id_cmp) : NULL;
    }
    if (opened && opened->kind == NODE_UNIT) /* NULL when its establishment is out of scope */
        opened = bsearch(&opened->parent_id, rows, n, sizeof *rows, tnode_id_cmp);
    if (opened && !kept(&tr, opened))
        opened = NULL;
    tr.open = opened ? opened->id : 0;
    /* a search opens the way to its matches */
    for (size_t i = 0; i < n; i++)
        if (leads_to_match(&tr, &rows[i]))
            rows[i].expanded = rows[i].forced = true;
    /* a single place at the top opens by itself, and so on while alone */
    size_t nkept_top = 0;
    tnode_t *single = NULL;
    for (size_t i = 0; i < ntop; i++)
        if (kept(&tr, top[i])) {
            nkept_top++;
            single = top[i];
        }
    for (tnode_t *t = nkept_top == 1 ? single : NULL; t;) {
        load_units(&tr, t);
        t->expanded = t->forced = true;
        tnode_t *only = NULL;
        t = kept_kids(&tr, t, &only) == 1 ? only : NULL;
    }
    for (tnode_t *t = opened; t; t = t->parent)
        t->expanded = t->opened = true;
    if (opened)
        load_units(&tr, opened);

    /* the counts: everything kept, not only this page */
    int64_t n_assoc = 0, n_eps = 0, n_units = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].dup || !kept(&tr, &rows[i]))
            continue;
        n_assoc += rows[i].kind == NODE_ASSOCIATION;
        n_eps += rows[i].kind == NODE_EPS;
        n_units += rows[i].kind == NODE_UNIT; /* all of them when searched, else those at the top */
        if (!tr.use_q && rows[i].kind == NODE_EPS)
            n_units += rows[i].n_active_children;
    }

    /* the page */
    for (size_t i = 0; i < ntop; i++)
        if (kept(&tr, top[i]))
            flatten(&tr, top[i], 0);
    size_t max_pages = tr.flat.n + 1;
    size_t *starts = arena_alloc(r->arena, sizeof(size_t) * max_pages);
    size_t npages = page_starts(&tr, starts, max_pages);
    size_t pg = 0; /* 0-based */
    if (page > 0) {
        pg = (size_t)page - 1 < npages ? (size_t)page - 1 : (npages ? npages - 1 : 0);
    } else if (opened) {
        /* the page where the opened node's children begin */
        size_t at = 0;
        while (at < tr.flat.n && tr.flat.v[at] != opened)
            at++;
        if (at + 1 < tr.flat.n && tr.flat.v[at + 1]->parent == opened)
            at++;
        while (pg + 1 < npages && starts[pg + 1] <= at)
            pg++;
    }
    size_t from = npages ? starts[pg] : 0;
    size_t to = pg + 1 < npages ? starts[pg + 1] : tr.flat.n;
    for (size_t i = from; i < to; i++)
        tr.flat.v[i]->on_page = true;
    if (from < tr.flat.n)
        for (tnode_t *t = tr.flat.v[from]->parent; t; t = t->parent)
            t->on_page = true; /* the context of the first node */

    /* figures of the associations and establishments shown (ids ascending) */
    int64_t *ids = arena_alloc(r->arena, sizeof(int64_t) * (n ? n : 1));
    tnode_t **which = arena_alloc(r->arena, sizeof(tnode_t *) * (n ? n : 1));
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].on_page && (rows[i].kind == NODE_ASSOCIATION || rows[i].kind == NODE_EPS)) {
            which[nf] = &rows[i];
            ids[nf++] = rows[i].id;
        }
    json_t *figs = nodes_figures(r, ids, nf);
    arena_defer(r->arena, (void (*)(void *))json_decref, figs);
    for (size_t i = 0; i < nf; i++)
        which[i]->figures = json_array_get(figs, i);

    json_t *tree = json_array();
    for (size_t i = 0; i < ntop; i++)
        if (top[i]->on_page && kept(&tr, top[i]))
            json_array_append_new(tree, tnode_json(&tr, top[i]));

    json_t *pager = json_null();
    if (npages > 1) {
        long long nums[2] = {(long long)pg + 1, (long long)npages};
        pager = json_pack("{s:s, s:o, s:o}", "text",
                          text_fill_numbers(r->arena, T(r, N_("Page %d of %d")), nums, 2), "prev",
                          pg > 0 ? json_string(tree_url(&tr, tr.open, (int)pg, 0)) : json_null(),
                          "next",
                          pg + 1 < npages ? json_string(tree_url(&tr, tr.open, (int)pg + 2, 0)) : json_null());
    }

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
    json_object_set_new(m, "pager", pager);
    json_object_set_new(m, "add_association_href",
                        can_add_assoc ? json_string(nodes_add_href(r, root, NODE_ASSOCIATION)) : json_null());
    page_render(r, 200, "nodes/tree", m);
}
