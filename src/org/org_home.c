/* org_home.c - the home page: what the signed-in user's scope holds.
 * People working in establishments see a card per EPS (its units, counts,
 * their roles, what they may manage); association, platform and national
 * roles see the network (associations and their EPS, with totals). Every
 * figure is read through the user's scope. */
#include "org_nodes.h"

#include <stdlib.h>
#include <string.h>

#define HOME_EPS_TABLE_MAX 100 /* beyond this, one row per association */

static bool role_is_live(const role_assignment_t *ra, int64_t now)
{
    return ra->expires_at == 0 || ra->expires_at > now;
}

static void add_link(req_t *r, json_t *links, const char *href, const char *msgid, bool primary)
{
    json_array_append_new(links, json_pack("{s:s, s:s, s:b}", "href", href, "label", T(r, msgid),
                                           "primary", primary));
}

/* "Your roles": each live assignment with where it is held. */
static json_t *roles_list(req_t *r, int64_t now)
{
    json_t *arr = json_array();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!role_is_live(ra, now))
            continue;
        org_node_t n;
        if (org_node_load(r->db, r->arena, ra->node_id, &n) != 0)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "role",
                            json_string(T(r, arena_printf(r->arena, "role.%s", role_code(ra->role)))));
        json_object_set_new(o, "where",
                            json_string(n.kind == NODE_ROOT
                                            ? T(r, N_("The whole platform"))
                                            : org_node_display_name(r, n.name, n.name_ar)));
        json_object_set_new(o, "kind_label", json_string(org_code_label(r, "kind", node_kind_code(n.kind))));
        json_object_set_new(o, "href",
                            n.kind != NODE_ROOT && org_can_at_path(r, PERM_ORG_READ, n.path)
                                ? json_string(arena_printf(r->arena, "/admin/nodes/%lld",
                                                           (long long)n.id))
                                : json_null());
        if (ra->expires_at > 0) {
            char d[32];
            format_local_date(ra->expires_at, d, sizeof d);
            json_object_set_new(o, "expires", json_string(d));
        } else {
            json_object_set_new(o, "expires", json_null());
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

/* Does the user hold a role that looks at a network rather than one EPS? */
static bool wants_network(req_t *r, int64_t now)
{
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!role_is_live(ra, now))
            continue;
        if (ra->node_kind == NODE_ROOT || ra->node_kind == NODE_ASSOCIATION ||
            ra->role == ROLE_ADMIN || ra->role == ROLE_QUALITY_ADVISOR ||
            ra->role == ROLE_OBSERVER || ra->role == ROLE_INSPECTOR)
            return true;
    }
    return false;
}

/* ---- Network view --------------------------------------------------------- */

typedef struct {
    int64_t id;
    json_t *eps;   /* rows */
    int64_t n_eps, units, users, capacity;
    const char *name, *path;
    bool active, in_scope;
} assoc_t;

static int assoc_cmp(const void *a, const void *b)
{
    const assoc_t *x = a, *y = b;
    int c = org_natural_cmp(x->name, y->name);
    return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

typedef struct {
    const char *label;
    json_t *row;
} eps_sort_t;

static int eps_sort_cmp(const void *a, const void *b)
{
    return org_natural_cmp(((const eps_sort_t *)a)->label, ((const eps_sort_t *)b)->label);
}

static void sort_rows(json_t *rows)
{
    size_t n = json_array_size(rows);
    if (n < 2)
        return;
    eps_sort_t *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].row = json_incref(json_array_get(rows, i));
        v[i].label = json_string_value(json_object_get(v[i].row, "name"));
    }
    qsort(v, n, sizeof *v, eps_sort_cmp);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, v[i].row);
    free(v);
}

static void network_view(req_t *r, json_t *m)
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
    size_t na = 0, cap = 8;
    assoc_t *as = xcalloc(cap, sizeof *as);
    while (res && db_next(res)) {
        if (na == cap) {
            cap *= 2;
            as = xrealloc(as, cap * sizeof *as);
        }
        assoc_t *a = &as[na++];
        memset(a, 0, sizeof *a);
        a->id = db_int(res, 0);
        a->name = org_node_display_name(r, arena_strdup(r->arena, db_text(res, 1)),
                                        arena_strdup(r->arena, db_text(res, 2)));
        a->active = db_int(res, 3) != 0;
        a->path = arena_strdup(r->arena, db_text(res, 4));
        a->in_scope = org_can_at_path(r, PERM_ORG_READ, a->path);
        a->eps = json_array();
    }
    if (res)
        db_res_free(res);
    arena_defer(r->arena, free, as);
    qsort(as, na, sizeof *as, assoc_cmp);

    /* Establishments in scope, then their counts in two grouped queries. */
    typedef struct {
        int64_t id, parent, capacity;
        const char *name, *region, *category;
        bool active;
    } eps_row_t;
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT n.id, n.parent_id, n.name, n.name_ar, n.region, n.category, n.capacity,"
                   " n.active FROM nodes n WHERE n.kind = 'eps' AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 40);
    buf_puts(&sql, " ORDER BY n.id");
    res = db_query(r->db, sql.data, params, np);
    size_t ne = 0, ecap = 16;
    eps_row_t *er = xcalloc(ecap, sizeof *er);
    arena_defer(r->arena, free, er); /* freed with the request, after any realloc below */
    while (res && db_next(res)) {
        if (ne == ecap) {
            ecap *= 2;
            eps_row_t *grown = arena_alloc(r->arena, ecap * sizeof *er);
            memcpy(grown, er, ne * sizeof *er);
            er = grown;
        }
        eps_row_t *e = &er[ne++];
        e->id = db_int(res, 0);
        e->parent = db_int(res, 1);
        e->name = arena_strdup(r->arena, org_node_display_name(r, db_text(res, 2), db_text(res, 3)));
        e->region = org_code_label(r, "region", db_text(res, 4));
        e->category = org_code_label(r, "category", db_text(res, 5));
        e->capacity = db_isnull(res, 6) ? -1 : db_int(res, 6);
        e->active = db_int(res, 7) != 0;
    }
    if (res)
        db_res_free(res);
    int64_t *ids = arena_alloc(r->arena, sizeof(int64_t) * (ne ? ne : 1));
    int64_t *users_of = arena_alloc(r->arena, sizeof(int64_t) * (ne ? ne : 1));
    int64_t *units_of = arena_alloc(r->arena, sizeof(int64_t) * (ne ? ne : 1));
    for (size_t i = 0; i < ne; i++)
        ids[i] = er[i].id;
    org_count_users_by_ancestor(r, ids, ne, users_of);
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT c.parent_id, COUNT(*) FROM nodes c WHERE c.kind = 'unit'"
                   " AND c.active = 1 AND ");
    app_scope_sql(r, PERM_ORG_READ, "c.path", &sql, params, &np, 40);
    buf_puts(&sql, " GROUP BY c.parent_id ORDER BY c.parent_id");
    res = db_query(r->db, sql.data, params, np);
    while (res && db_next(res)) {
        int64_t pid = db_int(res, 0);
        for (size_t lo = 0, hi = ne; lo < hi;) { /* ids ascending */
            size_t mid = (lo + hi) / 2;
            if (ids[mid] == pid) {
                units_of[mid] = db_int(res, 1);
                break;
            }
            if (ids[mid] < pid)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    if (res)
        db_res_free(res);

    int64_t t_eps = 0, t_units = 0, t_capacity = 0;
    for (size_t k = 0; k < ne; k++) {
        const eps_row_t *e = &er[k];
        assoc_t *a = NULL;
        for (size_t i = 0; i < na && !a; i++)
            if (as[i].id == e->parent)
                a = &as[i];
        if (!a)
            continue;
        int64_t units = units_of[k], users = users_of[k];
        json_t *o = json_object();
        json_object_set_new(o, "href", json_string(arena_printf(r->arena, "/admin/nodes/%lld",
                                                                (long long)e->id)));
        json_object_set_new(o, "name", json_string(e->name));
        json_object_set_new(o, "region", org_jstr(e->region));
        json_object_set_new(o, "category", org_jstr(e->category));
        json_object_set_new(o, "capacity", e->capacity >= 0 ? json_integer(e->capacity) : json_null());
        json_object_set_new(o, "units", json_integer(units));
        json_object_set_new(o, "users", json_integer(users));
        json_object_set_new(o, "active", json_boolean(e->active));
        json_array_append_new(a->eps, o);
        a->users += users;
        if (e->active) {
            a->n_eps++;
            a->units += units;
            if (e->capacity > 0)
                a->capacity += e->capacity;
            t_eps++;
            t_units += units;
            t_capacity += e->capacity > 0 ? e->capacity : 0;
        }
    }

    /* Accounts whose home is in scope (association staff included). */
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT COUNT(*) FROM users u JOIN nodes n ON n.id = u.node_id"
                   " WHERE u.active = 1 AND ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &np, 40);
    int64_t t_users = db_query_int(r->db, sql.data, params, np, 0);
    buf_free(&sql);

    int64_t t_assoc = 0;
    json_t *assocs = json_array();
    for (size_t i = 0; i < na; i++) {
        assoc_t *a = &as[i];
        t_assoc += a->active;
        sort_rows(a->eps);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(a->name));
        json_object_set_new(o, "anchor",
                            json_string(arena_printf(r->arena, "assoc-%lld", (long long)a->id)));
        json_object_set_new(o, "href", a->in_scope ? json_string(arena_printf(r->arena,
                                                                              "/admin/nodes/%lld",
                                                                              (long long)a->id))
                                                   : json_null());
        json_object_set_new(o, "active", json_boolean(a->active));
        json_object_set_new(o, "eps_count", json_integer(a->n_eps));
        json_object_set_new(o, "units", json_integer(a->units));
        json_object_set_new(o, "users", json_integer(a->users));
        json_object_set_new(o, "capacity", json_integer(a->capacity));
        json_object_set_new(o, "has_eps", json_boolean(json_array_size(a->eps) > 0));
        bool can_add = a->active && org_can_at_path(r, PERM_ORG_MANAGE, a->path);
        json_object_set_new(o, "add_href",
                            can_add ? json_string(arena_printf(r->arena,
                                                               "/admin/nodes/new?parent=%lld&kind=eps",
                                                               (long long)a->id))
                                    : json_null());
        json_object_set_new(o, "eps", a->eps);
        json_array_append_new(assocs, o);
    }

    json_t *stats = json_array();
    json_array_append_new(stats, json_pack("{s:I, s:s}", "value", (json_int_t)t_assoc, "label",
                                           TN(r, "association", "associations", (unsigned long)t_assoc)));
    json_array_append_new(stats, json_pack("{s:I, s:s}", "value", (json_int_t)t_eps, "label",
                                           TN(r, "establishment", "establishments", (unsigned long)t_eps)));
    json_array_append_new(stats, json_pack("{s:I, s:s}", "value", (json_int_t)t_units, "label",
                                           TN(r, "unit", "units", (unsigned long)t_units)));
    json_array_append_new(stats, json_pack("{s:I, s:s}", "value", (json_int_t)t_users, "label",
                                           TN(r, "user account", "user accounts", (unsigned long)t_users)));
    json_array_append_new(stats, json_pack("{s:I, s:s}", "value", (json_int_t)t_capacity, "label",
                                           TN(r, "place (total capacity)", "places (total capacity)", (unsigned long)t_capacity)));
    json_object_set_new(m, "stats", stats);
    json_object_set_new(m, "associations", assocs);
    json_object_set_new(m, "has_associations", json_boolean(na > 0));
    json_object_set_new(m, "eps_tables", json_boolean(t_eps <= HOME_EPS_TABLE_MAX));
}

/* ---- Establishment view --------------------------------------------------- */

/* One card per establishment where the user holds a role (at the EPS or at
 * one of its units). */
static void eps_view(req_t *r, json_t *m, int64_t now)
{
    int64_t eps_ids[64];
    int n_eps = 0;
    for (int i = 0; i < r->user->n_roles && n_eps < (int)ARRAY_LEN(eps_ids); i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!role_is_live(ra, now))
            continue;
        int64_t id = ra->node_id;
        if (ra->node_kind == NODE_UNIT)
            id = db_query_int(r->db, "SELECT parent_id FROM nodes WHERE id = ?", PARAMS(P_INT(id)), 0);
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
        org_node_t n;
        if (org_node_load(r->db, r->arena, eps_ids[e], &n) != 0)
            continue;
        bool can_read = org_can_at_path(r, PERM_ORG_READ, n.path);
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(org_node_display_name(r, n.name, n.name_ar)));
        json_object_set_new(c, "href", can_read ? json_string(arena_printf(r->arena,
                                                                            "/admin/nodes/%lld",
                                                                            (long long)n.id))
                                                : json_null());
        json_object_set_new(c, "active", json_boolean(n.active));
        json_object_set_new(c, "region", org_jstr(org_code_label(r, "region", n.region)));
        json_object_set_new(c, "category", org_jstr(org_code_label(r, "category", n.category)));
        json_object_set_new(c, "capacity", n.capacity >= 0 ? json_integer(n.capacity) : json_null());

        /* Their roles here. */
        json_t *roles = json_array();
        for (int i = 0; i < r->user->n_roles; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            if (!role_is_live(ra, now))
                continue;
            const char *role = T(r, arena_printf(r->arena, "role.%s", role_code(ra->role)));
            if (ra->node_id == n.id) {
                json_array_append_new(roles, json_pack("{s:s, s:n}", "role", role, "unit"));
            } else if (ra->node_kind == NODE_UNIT) {
                org_node_t u;
                if (org_node_load(r->db, r->arena, ra->node_id, &u) == 0 && u.parent_id == n.id)
                    json_array_append_new(roles, json_pack("{s:s, s:s}", "role", role, "unit",
                                                           org_node_display_name(r, u.name, u.name_ar)));
            }
        }
        json_object_set_new(c, "roles", roles);

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
        while (res && db_next(res)) {
            json_t *u = json_object();
            json_object_set_new(u, "name", json_string(org_node_display_name(r, db_text(res, 1),
                                                                             db_text(res, 2))));
            json_object_set_new(u, "href", json_string(arena_printf(r->arena, "/admin/nodes/%lld",
                                                                    (long long)db_int(res, 0))));
            json_object_set_new(u, "kind", org_jstr(org_code_label(r, "unit_kind", db_text(res, 3))));
            json_object_set_new(u, "active", json_boolean(db_int(res, 4) != 0));
            json_array_append_new(units, u);
        }
        if (res)
            db_res_free(res);
        sort_rows(units);
        json_object_set_new(c, "units", units);
        json_object_set_new(c, "has_units", json_boolean(json_array_size(units) > 0));

        int64_t n_units = db_query_int(
            r->db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ? AND kind = 'unit' AND active = 1",
            PARAMS(P_INT(n.id)), 0);
        int64_t n_users = org_users_in_subtree(r, n.path);
        json_object_set_new(c, "count_units", json_integer(n_units));
        json_object_set_new(c, "count_users", json_integer(n_users));

        json_t *links = json_array();
        if (org_can_at_path(r, PERM_ORG_MANAGE, n.path)) {
            add_link(r, links, arena_printf(r->arena, "/admin/nodes/%lld", (long long)n.id),
                     N_("Manage the units"), true);
            if (n.active)
                add_link(r, links,
                         arena_printf(r->arena, "/admin/nodes/new?parent=%lld&kind=unit",
                                      (long long)n.id),
                         N_("Add a unit"), false);
        } else if (can_read) {
            add_link(r, links, arena_printf(r->arena, "/admin/nodes/%lld", (long long)n.id),
                     N_("See the establishment"), false);
        }
        if (org_can_at_path(r, PERM_USER_MANAGE, n.path))
            add_link(r, links, arena_printf(r->arena, "/admin/users?node=%lld", (long long)n.id),
                     N_("Manage the staff accounts"), false);
        else if (org_can_at_path(r, PERM_USER_READ, n.path))
            add_link(r, links, arena_printf(r->arena, "/admin/users?node=%lld", (long long)n.id),
                     N_("See the staff"), false);
        json_object_set_new(c, "links", links);
        json_array_append_new(cards, c);
    }
    sort_rows(cards);
    /* One establishment takes the whole width; several sit side by side. */
    json_object_set_new(m, "cards_grid", json_boolean(json_array_size(cards) > 1));
    json_object_set_new(m, "cards", cards);
}

void org_page_home(req_t *r)
{
    int64_t now = now_utc();
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Home"))));
    json_object_set_new(m, "user_name", json_string(r->user && r->user->name ? r->user->name : ""));
    json_t *roles = r->user ? roles_list(r, now) : json_array();
    bool any_role = json_array_size(roles) > 0;
    json_object_set_new(m, "roles", roles);
    json_object_set_new(m, "has_roles", json_boolean(any_role));
    bool network = any_role && wants_network(r, now);
    json_object_set_new(m, "network", json_boolean(network));
    json_object_set_new(m, "eps_view", json_boolean(any_role && !network));
    json_object_set_new(m, "lead",
                        json_string(T(r, !any_role ? N_("You have no role at the moment.")
                                         : network ? N_("The associations and establishments you follow, with their main figures.")
                                                   : N_("Your establishment at a glance: its units, its team and what you can do."))));

    /* Quick links for the network view. */
    json_t *links = json_array();
    if (network) {
        add_link(r, links, "/admin/nodes", N_("See the organisation tree"), true);
        int64_t root = org_root_id(r->db);
        if (root > 0 && app_authorize(r, PERM_ORG_MANAGE, root) == AUTHZ_ALLOW)
            add_link(r, links, "/admin/nodes/new?kind=association", N_("Add an association"), false);
        if (app_user_can_anywhere(r, PERM_USER_READ))
            add_link(r, links, "/admin/users", N_("See the user accounts"), false);
        if (app_user_can_anywhere(r, PERM_AUDIT_READ))
            add_link(r, links, "/admin/audit", N_("See the audit log"), false);
    }
    json_object_set_new(m, "links", links);

    if (network) {
        network_view(r, m);
    } else {
        json_object_set_new(m, "stats", json_array());
        json_object_set_new(m, "associations", json_array());
        json_object_set_new(m, "has_associations", json_false());
        json_object_set_new(m, "eps_tables", json_false());
    }
    if (any_role && !network)
        eps_view(r, m, now);
    else {
        json_object_set_new(m, "cards", json_array());
        json_object_set_new(m, "cards_grid", json_false());
    }
    page_render(r, 200, "home", m);
}
