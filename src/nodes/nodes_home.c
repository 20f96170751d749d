/* nodes_home.c - the nodes module's part of the home page: what the
 * signed-in user's scope holds. Association, platform and national roles
 * see the network (associations and their EPS, with totals); people working
 * in establishments see a card per EPS (its units, figures, their roles,
 * what they may manage); staff of a unit land on their unit (its details and
 * what other modules show there: its documents, later its actions and its
 * children's reviews). Every figure is read through the user's scope, and
 * figures of other modules (accounts...) come through app_node_figures, the
 * same everywhere. */
#include "nodes_internal.h"

#include <stdlib.h>
#include <string.h>

#define HOME_EPS_TABLE_MAX 100 /* beyond this, one panel per association without EPS rows */

static void add_link(req_t *r, json_t *links, const char *href, const char *msgid, bool primary)
{
    json_array_append_new(links, json_pack("{s:s, s:s, s:b}", "href", href, "label", T(r, msgid),
                                           "primary", primary));
}

typedef enum { VIEW_NONE, VIEW_NETWORK, VIEW_EPS, VIEW_UNIT } home_view_t;

/* Network roles look at several establishments; staff whose every role is
 * at a unit land on their unit; everyone else on their establishment(s). */
static home_view_t home_view(req_t *r, int64_t now)
{
    bool any = false, only_units = true;
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now))
            continue;
        any = true;
        if (ra->node_kind == NODE_ROOT || ra->node_kind == NODE_ASSOCIATION ||
            ra->role == ROLE_ADMIN || ra->role == ROLE_QUALITY_ADVISOR ||
            ra->role == ROLE_OBSERVER || ra->role == ROLE_INSPECTOR)
            return VIEW_NETWORK;
        if (!(ra->role == ROLE_STAFF && ra->node_kind == NODE_UNIT))
            only_units = false;
    }
    return !any ? VIEW_NONE : only_units ? VIEW_UNIT : VIEW_EPS;
}

typedef struct {
    const char *label;
    json_t *row;
} row_sort_t;

static int row_sort_cmp(const void *a, const void *b)
{
    return str_natural_cmp(((const row_sort_t *)a)->label, ((const row_sort_t *)b)->label);
}

/* Rows (objects with a "name") in natural order of their names. */
static void sort_rows(json_t *rows)
{
    size_t n = json_array_size(rows);
    if (n < 2)
        return;
    row_sort_t *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].row = json_incref(json_array_get(rows, i));
        v[i].label = json_string_value(json_object_get(v[i].row, "name"));
    }
    qsort(v, n, sizeof *v, row_sort_cmp);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, v[i].row);
    free(v);
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The position of id in ids (ascending), -1 when absent. */
static ssize_t id_index(const int64_t *ids, size_t n, int64_t id)
{
    const int64_t *hit = bsearch(&id, ids, n, sizeof *ids, id_cmp);
    return hit ? hit - ids : -1;
}

/* ---- Network view --------------------------------------------------------- */

typedef struct {
    int64_t id;
    json_t *eps; /* rows */
    int64_t n_eps, units, capacity;
    const char *name, *path;
    bool active, in_scope;
} assoc_t;

static int assoc_cmp(const void *a, const void *b)
{
    const assoc_t *x = a, *y = b;
    int c = str_natural_cmp(x->name, y->name);
    return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

/* The nodes at the top of the user's reading scope (their roles' nodes, less
 * those inside another), ascending: the totals are their figures. */
static size_t scope_roots(req_t *r, int64_t now, int64_t *out, size_t max)
{
    const char *paths[64];
    int64_t ids[64];
    size_t n = 0;
    for (int i = 0; i < r->user->n_roles && n < ARRAY_LEN(ids); i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (authz_role_live(ra, now) && authz_role_grants(ra->role, ra->node_kind, PERM_ORG_READ) &&
            ra->node_path) {
            paths[n] = ra->node_path;
            ids[n++] = ra->node_id;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        bool inside = false;
        for (size_t j = 0; j < n && !inside; j++)
            inside = (j != i && nodes_path_within(paths[i], paths[j]) &&
                      (strcmp(paths[i], paths[j]) != 0 || j < i));
        bool dup = false;
        for (size_t j = 0; j < k; j++)
            dup |= out[j] == ids[i];
        if (!inside && !dup)
            out[k++] = ids[i];
    }
    qsort(out, k, sizeof *out, id_cmp);
    return k;
}

static void add_stat(json_t *stats, req_t *r, int64_t value, const char *unit)
{
    json_array_append_new(stats, json_pack("{s:I, s:s, s:s}", "value", (json_int_t)value, "value_h",
                                           app_number(r, value), "label", unit));
}

static void network_compute(req_t *r, json_t *s, int64_t now)
{
    db_param_t params[96];
    int np = 0;
    buf_t sql;
    buf_init(&sql);

    /* Associations in scope, or holding an EPS in scope. */
    buf_puts(&sql, "SELECT a.id, a.name, a.name_ar, a.active, a.path FROM nodes a"
                   " WHERE a.kind = 'association' AND (");
    app_scope_sql(r, PERM_ORG_READ, "a.path", &sql, params, &np, 40);
    buf_puts(&sql, " OR a.id IN (SELECT n.parent_id FROM nodes n WHERE n.kind = 'eps' AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 80);
    buf_puts(&sql, ")) ORDER BY a.id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    VEC(assoc_t) as = {0};
    while (res && db_next(res)) {
        assoc_t *a = VEC_PUSH(r->arena, &as);
        a->id = db_int(res, 0);
        a->name = nodes_display_name(r, arena_strdup(r->arena, db_text(res, 1)),
                                     arena_strdup(r->arena, db_text(res, 2)));
        a->active = db_int(res, 3) != 0;
        a->path = arena_strdup(r->arena, db_text(res, 4));
        a->in_scope = app_can_at_path(r, PERM_ORG_READ, a->path);
        a->eps = json_array();
    }
    if (res)
        db_res_free(res);
    size_t na = as.n;
    int64_t *aids = arena_alloc(r->arena, sizeof(int64_t) * (na ? na : 1));
    for (size_t i = 0; i < na; i++)
        aids[i] = as.v[i].id; /* ascending: the query's order */

    /* Active establishments, their places and their active units, per
     * association: grouped queries over index ranges of the scope. */
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT n.parent_id, COUNT(*), SUM(CASE WHEN n.capacity > 0 THEN n.capacity ELSE 0"
                   " END) FROM nodes n WHERE n.kind = 'eps' AND n.active = 1 AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 40);
    buf_puts(&sql, " GROUP BY n.parent_id ORDER BY n.parent_id");
    res = db_query(r->db, sql.data, params, np);
    while (res && db_next(res)) {
        ssize_t k = id_index(aids, na, db_int(res, 0));
        if (k >= 0) {
            as.v[k].n_eps = db_int(res, 1);
            as.v[k].capacity = db_int(res, 2);
        }
    }
    if (res)
        db_res_free(res);
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT e.parent_id, COUNT(*) FROM nodes u JOIN nodes e ON e.id = u.parent_id"
                   " WHERE u.kind = 'unit' AND u.active = 1 AND e.active = 1 AND ");
    app_scope_sql(r, PERM_ORG_READ, "u.path", &sql, params, &np, 40);
    buf_puts(&sql, " GROUP BY e.parent_id ORDER BY e.parent_id");
    res = db_query(r->db, sql.data, params, np);
    while (res && db_next(res)) {
        ssize_t k = id_index(aids, na, db_int(res, 0));
        if (k >= 0)
            as.v[k].units = db_int(res, 1);
    }
    if (res)
        db_res_free(res);

    /* One row per establishment while the tables stay readable. */
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT COUNT(*) FROM nodes n WHERE n.kind = 'eps' AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 40);
    int64_t eps_in_scope = db_query_int(r->db, sql.data, params, np, 0);
    bool eps_tables = eps_in_scope <= HOME_EPS_TABLE_MAX;
    json_t *eps_heads = json_array();
    if (eps_tables && eps_in_scope > 0) {
        buf_reset(&sql);
        np = 0;
        buf_puts(&sql, "SELECT n.id, n.parent_id, n.name, n.name_ar, n.region, n.category, n.capacity,"
                       " n.active, (SELECT COUNT(*) FROM nodes u WHERE u.parent_id = n.id"
                       " AND u.kind = 'unit' AND u.active = 1) FROM nodes n WHERE n.kind = 'eps' AND ");
        app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 40);
        buf_puts(&sql, " ORDER BY n.id");
        res = db_query(r->db, sql.data, params, np);
        json_t *rows = json_array();
        VEC(int64_t) eids = {0};
        VEC(int64_t) parents = {0};
        while (res && db_next(res)) {
            json_t *o = json_object();
            *VEC_PUSH(r->arena, &eids) = db_int(res, 0);
            *VEC_PUSH(r->arena, &parents) = db_int(res, 1);
            json_object_set_new(o, "href", json_string(nodes_href(r, db_int(res, 0))));
            json_object_set_new(o, "name", json_string(nodes_display_name(r, db_text(res, 2),
                                                                          db_text(res, 3))));
            json_object_set_new(o, "region",
                                json_str_or_null(nodes_code_label(r, "region", db_text(res, 4))));
            json_object_set_new(o, "category",
                                json_str_or_null(nodes_code_label(r, "category", db_text(res, 5))));
            json_object_set_new(o, "capacity", db_isnull(res, 6) ? json_null()
                                                                 : json_string(app_number(r, db_int(res, 6))));
            json_object_set_new(o, "active", json_boolean(db_int(res, 7) != 0));
            json_object_set_new(o, "units", json_integer(db_int(res, 8)));
            json_array_append_new(rows, o);
        }
        if (res)
            db_res_free(res);
        json_t *figs = nodes_figures(r, eids.v, eids.n);
        size_t i;
        json_t *f;
        json_array_foreach(json_array_get(figs, 0), i, f)
            json_array_append_new(eps_heads, json_pack("{s:O}", "label", json_object_get(f, "label")));
        for (size_t k = 0; k < eids.n; k++) {
            json_t *o = json_array_get(rows, k);
            json_object_set(o, "figures", json_array_get(figs, k));
            ssize_t a = id_index(aids, na, parents.v[k]);
            if (a >= 0)
                json_array_append(as.v[a].eps, o);
        }
        json_decref(figs);
        json_decref(rows);
    }

    /* The figures of the associations and of the scope's top nodes (for
     * the totals), in one go: the ids merged, ascending. */
    int64_t roots[16];
    size_t nroots = scope_roots(r, now, roots, ARRAY_LEN(roots));
    int64_t *fids = arena_alloc(r->arena, sizeof(int64_t) * (na + nroots + 1));
    size_t nf = 0;
    for (size_t i = 0; i < na; i++)
        fids[nf++] = aids[i];
    for (size_t i = 0; i < nroots; i++)
        if (id_index(aids, na, roots[i]) < 0)
            fids[nf++] = roots[i];
    qsort(fids, nf, sizeof *fids, id_cmp);
    json_t *afigs = nodes_figures(r, fids, nf);

    /* Associations, by name, with their figures (only what the reader sees). */
    json_t *assocs = json_array();
    int64_t t_assoc = 0, t_eps = 0, t_units = 0, t_capacity = 0;
    qsort(as.v, na, sizeof *as.v, assoc_cmp);
    for (size_t i = 0; i < na; i++) {
        assoc_t *a = &as.v[i];
        t_assoc += a->active;
        t_eps += a->n_eps;
        t_units += a->units;
        t_capacity += a->capacity;
        sort_rows(a->eps);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(a->name));
        json_object_set_new(o, "anchor",
                            json_string(arena_printf(r->arena, "assoc-%lld", (long long)a->id)));
        json_object_set_new(o, "href", a->in_scope ? json_string(nodes_href(r, a->id)) : json_null());
        json_object_set_new(o, "active", json_boolean(a->active));
        json_object_set_new(o, "eps_count", json_integer(a->n_eps));
        json_object_set_new(o, "units", json_integer(a->units));
        json_object_set_new(o, "capacity", json_integer(a->capacity));
        ssize_t k = id_index(fids, nf, a->id);
        json_object_set_new(o, "figures", k >= 0 ? json_incref(json_array_get(afigs, k)) : json_array());
        json_object_set_new(o, "has_eps", json_boolean(json_array_size(a->eps) > 0));
        bool can_add = a->active && app_can_at_path(r, PERM_ORG_MANAGE, a->path);
        json_object_set_new(o, "add_href",
                            can_add ? json_string(nodes_add_href(r, a->id, NODE_EPS)) : json_null());
        json_object_set_new(o, "eps", a->eps);
        json_array_append_new(assocs, o);
    }

    /* Totals: the tree's own counts, then the figures of the scope's top
     * nodes - the same definition as each panel's. */
    json_t *stats = json_array();
    add_stat(stats, r, t_assoc, TN(r, "association", "associations", (unsigned long)t_assoc));
    add_stat(stats, r, t_eps, TN(r, "establishment", "establishments", (unsigned long)t_eps));
    add_stat(stats, r, t_units, TN(r, "unit", "units", (unsigned long)t_units));
    json_t *first = nroots ? json_array_get(afigs, id_index(fids, nf, roots[0])) : NULL;
    size_t fi;
    json_t *f;
    json_array_foreach(first, fi, f) {
        const char *key = json_string_value(json_object_get(f, "key"));
        int64_t sum = 0;
        for (size_t k = 0; k < nroots; k++)
            sum += nodes_figure(json_array_get(afigs, id_index(fids, nf, roots[k])), key);
        const char *one = json_string_value(json_object_get(f, "one"));
        const char *many = json_string_value(json_object_get(f, "many"));
        add_stat(stats, r, sum, one && many ? TN(r, one, many, (unsigned long)sum) : "");
    }
    json_decref(afigs);
    add_stat(stats, r, t_capacity,
             TN(r, "place (total capacity)", "places (total capacity)", (unsigned long)t_capacity));
    buf_free(&sql);

    json_t *links = json_array();
    add_link(r, links, "/admin/nodes", N_("See the organisation tree"), true);
    int64_t root = nodes_root_id(r->db);
    if (root > 0 && app_authorize(r, PERM_ORG_MANAGE, root) == AUTHZ_ALLOW)
        add_link(r, links, nodes_add_href(r, root, NODE_ASSOCIATION), N_("Add an association"), false);

    json_object_set_new(s, "lead", json_string(T(r, N_("The associations and establishments you follow, with their main figures."))));
    json_object_set_new(s, "links", links);
    json_object_set_new(s, "stats", stats);
    json_object_set_new(s, "associations", assocs);
    json_object_set_new(s, "has_associations", json_boolean(na > 0));
    json_object_set_new(s, "eps_tables", json_boolean(eps_tables));
    json_object_set_new(s, "eps_heads", eps_heads);
}

/* The network view costs a pass over the reader's whole scope (the country
 * for a national reader): kept until the data changes (app_cache_*), for
 * every reader with the same language and live roles. */
static void network_view(req_t *r, json_t *s, int64_t now)
{
    int64_t version = app_data_version(r->db); /* before the data */
    const char *key = arena_printf(r->arena, "nodes.network|%s", app_reader_key(r, now));
    json_t *v = app_cache_get(key, version);
    if (!v) {
        v = json_object();
        network_compute(r, v, now);
        app_cache_put(key, version, app_figures_until(r->db, now), v);
    }
    json_object_update(s, v);
    json_decref(v);
}

/* ---- Establishment view --------------------------------------------------- */

/* The user's live roles at n or at one of its units, as tags. */
static json_t *roles_here(req_t *r, const node_t *n, int64_t now)
{
    json_t *roles = json_array();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now))
            continue;
        const char *role = T(r, arena_printf(r->arena, "role.%s", role_code(ra->role)));
        if (ra->node_id == n->id) {
            json_array_append_new(roles, json_pack("{s:s, s:n}", "role", role, "unit"));
        } else if (ra->node_kind == NODE_UNIT) {
            node_t u;
            if (nodes_load(r->db, r->arena, ra->node_id, &u) == 0 && u.parent_id == n->id)
                json_array_append_new(roles, json_pack("{s:s, s:s}", "role", role, "unit",
                                                       nodes_display_name(r, u.name, u.name_ar)));
        }
    }
    return roles;
}

/* One card per establishment where the user holds a role (at the EPS or at
 * one of its units). */
static void eps_view(req_t *r, json_t *s, int64_t now)
{
    int64_t eps_ids[64];
    int n_eps = 0;
    for (int i = 0; i < r->user->n_roles && n_eps < (int)ARRAY_LEN(eps_ids); i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now))
            continue;
        int64_t id = ra->node_id;
        if (ra->node_kind == NODE_UNIT)
            id = nodes_home_for(r->db, id);
        else if (ra->node_kind != NODE_EPS)
            continue;
        bool seen = false;
        for (int j = 0; j < n_eps; j++)
            seen |= eps_ids[j] == id;
        if (!seen && id > 0)
            eps_ids[n_eps++] = id;
    }
    json_t *cards = json_array();
    for (int e = 0; e < n_eps; e++) {
        node_t n;
        if (nodes_load(r->db, r->arena, eps_ids[e], &n) != 0)
            continue;
        bool can_read = app_can_at_path(r, PERM_ORG_READ, n.path);
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(nodes_display_name(r, n.name, n.name_ar)));
        json_object_set_new(c, "href", can_read ? json_string(nodes_href(r, n.id)) : json_null());
        json_object_set_new(c, "active", json_boolean(n.active));
        json_object_set_new(c, "region", json_str_or_null(nodes_code_label(r, "region", n.region)));
        json_object_set_new(c, "category", json_str_or_null(nodes_code_label(r, "category", n.category)));
        json_object_set_new(c, "capacity", n.capacity >= 0 ? json_string(app_number(r, n.capacity))
                                                           : json_null());
        json_object_set_new(c, "roles", roles_here(r, &n, now));

        /* Units the user can see, in natural order. */
        buf_t sql;
        buf_init(&sql);
        db_param_t params[48];
        int np = 0;
        params[np++] = P_INT(n.id);
        buf_puts(&sql, "SELECT n.id, n.name, n.name_ar, n.unit_kind, n.active FROM nodes n"
                       " WHERE n.parent_id = ? AND n.kind = 'unit' AND ");
        app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 40);
        buf_puts(&sql, " ORDER BY n.id");
        db_res_t *res = db_query(r->db, sql.data, params, np);
        buf_free(&sql);
        json_t *units = json_array();
        int64_t n_units = 0;
        while (res && db_next(res)) {
            json_t *u = json_object();
            json_object_set_new(u, "name", json_string(nodes_display_name(r, db_text(res, 1),
                                                                          db_text(res, 2))));
            json_object_set_new(u, "href", json_string(nodes_href(r, db_int(res, 0))));
            json_object_set_new(u, "kind", json_str_or_null(nodes_code_label(r, "unit_kind", db_text(res, 3))));
            json_object_set_new(u, "active", json_boolean(db_int(res, 4) != 0));
            n_units += db_int(res, 4) != 0;
            json_array_append_new(units, u);
        }
        if (res)
            db_res_free(res);
        sort_rows(units);
        json_object_set_new(c, "units", units);
        json_object_set_new(c, "has_units", json_boolean(json_array_size(units) > 0));
        json_object_set_new(c, "count_units", json_integer(n_units));
        json_t *figs = nodes_figures(r, &n.id, 1);
        json_object_set_new(c, "figures", json_incref(json_array_get(figs, 0)));
        json_decref(figs);

        json_t *links = json_array();
        if (app_can_at_path(r, PERM_ORG_MANAGE, n.path)) {
            add_link(r, links, nodes_href(r, n.id), N_("Manage the units"), true);
            if (n.active)
                add_link(r, links, nodes_add_href(r, n.id, NODE_UNIT), N_("Add a unit"), false);
        } else if (can_read) {
            add_link(r, links, nodes_href(r, n.id), N_("See the establishment"), false);
        }
        if (app_can_at_path(r, PERM_USER_MANAGE, n.path))
            add_link(r, links, arena_printf(r->arena, "/admin/users?node=%lld", (long long)n.id),
                     N_("Manage the staff accounts"), false);
        else if (app_can_at_path(r, PERM_USER_READ, n.path))
            add_link(r, links, arena_printf(r->arena, "/admin/users?node=%lld", (long long)n.id),
                     N_("See the staff"), false);
        json_object_set_new(c, "links", links);
        json_array_append_new(cards, c);
    }
    sort_rows(cards);
    json_object_set_new(s, "lead", json_string(T(r, N_("Your establishment at a glance: its units, its team and what you can do."))));
    /* One establishment takes the whole width; several sit side by side. */
    json_object_set_new(s, "cards_grid", json_boolean(json_array_size(cards) > 1));
    json_object_set_new(s, "cards", cards);
}

/* ---- Unit view ------------------------------------------------------------- */

/* The units where the user works: each with its details and what other
 * modules show on its page (its documents...). */
static void unit_view(req_t *r, json_t *sections, int64_t now)
{
    int64_t seen[64];
    size_t nseen = 0;
    int order = 10;
    for (int i = 0; i < r->user->n_roles && nseen < ARRAY_LEN(seen); i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now) || ra->node_kind != NODE_UNIT)
            continue;
        bool dup = false;
        for (size_t j = 0; j < nseen; j++)
            dup |= seen[j] == ra->node_id;
        node_t u, eps;
        if (dup || nodes_load(r->db, r->arena, ra->node_id, &u) != 0)
            continue;
        seen[nseen++] = u.id;
        json_t *s = json_object();
        json_object_set_new(s, "partial", json_string("nodes/home_unit"));
        json_object_set_new(s, "order", json_integer(order++));
        if (nseen == 1)
            json_object_set_new(s, "lead", json_string(T(r, N_("Your unit: its details and its documents."))));
        json_object_set_new(s, "name", json_string(nodes_display_name(r, u.name, u.name_ar)));
        json_object_set_new(s, "href", json_string(nodes_href(r, u.id)));
        json_object_set_new(s, "active", json_boolean(u.active));
        json_object_set_new(s, "kind", json_str_or_null(nodes_code_label(r, "unit_kind", u.unit_kind)));
        bool has_eps = nodes_load(r->db, r->arena, u.parent_id, &eps) == 0;
        json_object_set_new(s, "eps_name",
                            has_eps ? json_string(nodes_display_name(r, eps.name, eps.name_ar)) : json_null());
        json_object_set_new(s, "eps_href", has_eps && app_can_at_path(r, PERM_ORG_READ, eps.path)
                                               ? json_string(nodes_href(r, eps.id))
                                               : json_null());
        json_object_set_new(s, "roles", roles_here(r, &u, now));
        json_object_set_new(s, "sections", app_node_sections(r, u.id, u.path));
        json_array_append_new(sections, s);
    }
}

void nodes_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    int64_t now = now_utc();
    home_view_t view = home_view(r, now);
    if (view == VIEW_UNIT) {
        unit_view(r, sections, now);
        return;
    }
    if (view == VIEW_NONE)
        return;
    json_t *s = json_object();
    json_object_set_new(s, "order", json_integer(10));
    if (view == VIEW_NETWORK) {
        json_object_set_new(s, "partial", json_string("nodes/home_network"));
        network_view(r, s, now);
    } else {
        json_object_set_new(s, "partial", json_string("nodes/home_eps"));
        eps_view(r, s, now);
    }
    json_array_append_new(sections, s);
}
