/* org_nodes.c - the pages of one node of the organisation tree: its page
 * (details, children, accounts, documents, disable/enable) and the forms to
 * add and edit associations, establishments and units. The tree of the
 * user's scope is in org_nodes_tree.c; the writes are in org_nodes_api.c. */
#include "org_nodes.h"

#include "../attach/attach.h"

#include <stdlib.h>
#include <string.h>

static const char *kind_label(req_t *r, node_kind_t k)
{
    return org_code_label(r, "kind", node_kind_code(k));
}

/* Breadcrumb entries for the nodes ids[0..n-1], the root left out; names of
 * nodes outside the user's scope are shown without a link. */
json_t *org_crumbs(req_t *r, const int64_t *ids, int n)
{
    json_t *arr = json_array();
    json_t *top = json_object();
    json_object_set_new(top, "label", json_string(T(r, N_("Establishments"))));
    json_object_set_new(top, "href", json_string("/admin/nodes"));
    json_array_append_new(arr, top);
    for (int i = 0; i < n; i++) {
        org_node_t a;
        if (org_node_load(r->db, r->arena, ids[i], &a) != 0 || a.kind == NODE_ROOT)
            continue;
        json_t *c = json_object();
        json_object_set_new(c, "label",
                            json_string(org_node_display_name(r, a.name, a.name_ar)));
        json_object_set_new(c, "href", org_can_at_path(r, PERM_ORG_READ, a.path)
                                           ? json_string(org_node_href(r, a.id))
                                           : json_null());
        json_array_append_new(arr, c);
    }
    return arr;
}

/* [{code,label,selected}] with an empty first choice. */
json_t *org_code_options(req_t *r, const char *prefix, const char *const *codes,
                         const char *selected, const char *empty_label)
{
    json_t *arr = json_array();
    json_t *none = json_object();
    json_object_set_new(none, "code", json_string(""));
    json_object_set_new(none, "label", json_string(empty_label));
    json_object_set_new(none, "selected", json_boolean(str_empty(selected)));
    json_array_append_new(arr, none);
    for (size_t i = 0; codes[i]; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(codes[i]));
        json_object_set_new(o, "label", json_string(org_code_label(r, prefix, codes[i])));
        json_object_set_new(o, "selected", json_boolean(str_eq(selected, codes[i])));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* A child row of a node's page. */
typedef struct {
    int64_t id;
    node_kind_t kind;
    const char *label, *name, *name_ar, *category, *unit_kind, *path;
    bool active;
    int64_t n_children, n_users;
} child_t;

static int child_cmp(const void *a, const void *b)
{
    const child_t *x = *(child_t *const *)a, *y = *(child_t *const *)b;
    int c = org_natural_cmp(x->label, y->label);
    return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

static void summary_row(json_t *rows, const char *label, const char *value, const char *empty)
{
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(label));
    json_object_set_new(o, "value", json_string(value ? value : empty));
    json_object_set_new(o, "empty", json_boolean(value == NULL));
    json_array_append_new(rows, o);
}

static json_t *node_children(req_t *r, const org_node_t *n)
{
    db_res_t *res = db_query(
        r->db,
        "SELECT c.id, c.kind, c.name, c.name_ar, c.category, c.unit_kind, c.active,"
        " (SELECT COUNT(*) FROM nodes g WHERE g.parent_id = c.id AND g.active = 1)"
        " FROM nodes c WHERE c.parent_id = ? ORDER BY c.id",
        PARAMS(P_INT(n->id)));
    json_t *arr = json_array();
    if (!res)
        return arr;
    size_t cnt = 0, cap = 16;
    child_t *rows = xcalloc(cap, sizeof *rows);
    while (db_next(res)) {
        if (cnt == cap) {
            cap *= 2;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        child_t *t = &rows[cnt++];
        memset(t, 0, sizeof *t);
        t->id = db_int(res, 0);
        int k = node_kind_from_code(db_text(res, 1));
        t->kind = k < 0 ? NODE_UNIT : (node_kind_t)k;
        t->name = arena_strdup(r->arena, db_text(res, 2));
        t->name_ar = arena_strdup(r->arena, db_text(res, 3));
        t->category = arena_strdup(r->arena, db_text(res, 4));
        t->unit_kind = arena_strdup(r->arena, db_text(res, 5));
        t->active = db_int(res, 6) != 0;
        t->n_children = db_int(res, 7);
        t->label = org_node_display_name(r, t->name, t->name_ar);
    }
    db_res_free(res);
    /* Accounts below each child (rows are in id order). */
    int64_t *ids = arena_alloc(r->arena, sizeof(int64_t) * (cnt ? cnt : 1));
    int64_t *users = arena_alloc(r->arena, sizeof(int64_t) * (cnt ? cnt : 1));
    for (size_t i = 0; i < cnt; i++)
        ids[i] = rows[i].id;
    org_count_users_by_ancestor(r, ids, cnt, users);
    for (size_t i = 0; i < cnt; i++)
        rows[i].n_users = users[i];
    child_t **order = arena_alloc(r->arena, sizeof(child_t *) * (cnt ? cnt : 1));
    for (size_t i = 0; i < cnt; i++)
        order[i] = &rows[i];
    qsort(order, cnt, sizeof(child_t *), child_cmp);
    for (size_t i = 0; i < cnt; i++) {
        const child_t *t = order[i];
        json_t *o = json_object();
        json_object_set_new(o, "href", json_string(org_node_href(r, t->id)));
        json_object_set_new(o, "name", json_string(t->label));
        const char *detail = t->kind == NODE_EPS    ? org_code_label(r, "category", t->category)
                             : t->kind == NODE_UNIT ? org_code_label(r, "unit_kind", t->unit_kind)
                                                    : kind_label(r, t->kind);
        json_object_set_new(o, "detail", org_jstr(detail));
        json_object_set_new(o, "sub_is_eps", json_boolean(t->kind == NODE_ASSOCIATION));
        json_object_set_new(o, "sub_is_unit", json_boolean(t->kind == NODE_EPS));
        json_object_set_new(o, "sub_count", json_integer(t->n_children));
        json_object_set_new(o, "users_count", json_integer(t->n_users));
        json_object_set_new(o, "active", json_boolean(t->active));
        json_array_append_new(arr, o);
    }
    free(rows);
    return arr;
}

/* Renders the node page; action_error: a msgid shown at the top (a refused
 * disable), with the given status. */
static void render_show(req_t *r, int status, const org_node_t *n, const char *action_error)
{
    const char *ns = T(r, N_("Not specified"));
    char date[32];
    int64_t *ids = NULL;
    int nids = 0;
    if (org_path_parse(r->arena, n->path, &ids, &nids) != 0)
        nids = 0;
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(org_node_display_name(r, n->name, n->name_ar)));
    json_object_set_new(m, "id", json_integer(n->id));
    json_object_set_new(m, "kind_label", json_string(kind_label(r, n->kind)));
    json_object_set_new(m, "active", json_boolean(n->active));
    json_object_set_new(m, "crumbs", org_crumbs(r, ids, nids > 0 ? nids - 1 : 0));
    json_object_set_new(m, "action_error", action_error ? json_string(T(r, action_error)) : json_null());

    json_t *rows = json_array();
    summary_row(rows, T(r, N_("Kind")), kind_label(r, n->kind), ns);
    summary_row(rows, T(r, N_("Name")), n->name, ns);
    summary_row(rows, T(r, N_("Name in Arabic")), n->name_ar, ns);
    if (n->kind == NODE_EPS) {
        summary_row(rows, T(r, N_("Category")), org_code_label(r, "category", n->category), ns);
        summary_row(rows, T(r, N_("Region")), org_code_label(r, "region", n->region), ns);
        summary_row(rows, T(r, N_("Province or prefecture")), n->province, ns);
        summary_row(rows, T(r, N_("Capacity")),
                    n->capacity >= 0 ? arena_printf(r->arena, "%lld", (long long)n->capacity) : NULL,
                    ns);
        summary_row(rows, T(r, N_("Authorisation number")), n->authorisation_no, ns);
    }
    if (n->kind == NODE_UNIT)
        summary_row(rows, T(r, N_("Kind of unit")), org_code_label(r, "unit_kind", n->unit_kind), ns);
    format_local_date(n->created_at, date, sizeof date);
    summary_row(rows, T(r, N_("Created on")), arena_strdup(r->arena, date), ns);
    format_local_date(n->updated_at, date, sizeof date);
    summary_row(rows, T(r, N_("Last changed on")), arena_strdup(r->arena, date), ns);
    json_object_set_new(m, "summary", rows);

    /* Children and what may be done here. */
    int ck = org_child_kind(n->kind);
    bool manage_here = org_can_at_path(r, PERM_ORG_MANAGE, n->path);
    json_t *kids = ck >= 0 ? node_children(r, n) : json_array();
    json_object_set_new(m, "has_children_section", json_boolean(ck >= 0));
    json_object_set_new(m, "children_title",
                        ck == NODE_ASSOCIATION ? json_string(T(r, N_("Associations")))
                        : ck == NODE_EPS       ? json_string(T(r, N_("Establishments")))
                        : ck == NODE_UNIT      ? json_string(T(r, N_("Units")))
                                               : json_null());
    json_object_set_new(m, "has_children", json_boolean(json_array_size(kids) > 0));
    json_object_set_new(m, "children_have_contents", json_boolean(ck != NODE_UNIT));
    json_object_set_new(m, "children", kids);
    bool can_add = ck >= 0 && n->active && manage_here;
    json_object_set_new(m, "add_href", can_add ? json_string(org_add_href(r, n->id, ck)) : json_null());
    json_object_set_new(m, "add_label", can_add ? json_string(org_add_label(r, ck)) : json_null());
    json_object_set_new(m, "edit_href",
                        manage_here ? json_string(arena_printf(r->arena, "/admin/nodes/%lld/edit",
                                                               (long long)n->id))
                                    : json_null());

    /* Accounts whose home is here or below (a count; the list is the users page). */
    json_object_set_new(m, "users_count", json_integer(org_users_in_subtree(r, n->path)));
    json_object_set_new(m, "users_href",
                        org_can_at_path(r, PERM_USER_READ, n->path)
                            ? json_string(arena_printf(r->arena, "/admin/users?node=%lld",
                                                       (long long)n->id))
                            : json_null());

    /* Documents. */
    bool docs = org_can_at_path(r, PERM_ATTACH_READ, n->path);
    json_object_set_new(m, "show_documents", json_boolean(docs));
    attach_node_model(r, m, n->id); /* documents (localised sizes), can_upload, upload_action */

    /* Disable / enable: decided one level up. */
    bool can_toggle = false;
    if (n->kind != NODE_ROOT && nids >= 2 && r->user) {
        can_toggle = authz_decide(r->user->roles, r->user->n_roles, PERM_ORG_MANAGE, ids, nids - 1,
                                  now_utc()) == AUTHZ_ALLOW;
    }
    int64_t active_kids = db_query_int(
        r->db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ? AND active = 1", PARAMS(P_INT(n->id)), 0);
    json_object_set_new(m, "can_toggle", json_boolean(can_toggle));
    json_object_set_new(m, "version", json_integer(n->version));
    json_object_set_new(m, "toggle_action",
                        json_string(arena_printf(r->arena, "/admin/nodes/%lld/%s", (long long)n->id,
                                                 n->active ? "disable" : "enable")));
    json_object_set_new(m, "toggle_blocked",
                        (n->active && active_kids > 0)
                            ? json_string(T(r, org_msg_active_children(n->kind)))
                            : json_null());
    const char *toggle_sentence, *toggle_label;
    if (n->active) {
        toggle_sentence = n->kind == NODE_ASSOCIATION
                              ? N_("A disabled association keeps its history, but nothing new can be added to it.")
                          : n->kind == NODE_EPS
                              ? N_("A disabled establishment keeps its history and accounts, but nothing new can be added to it.")
                              : N_("A disabled unit keeps its history, but it no longer appears as active in the establishment.");
        toggle_label = n->kind == NODE_ASSOCIATION ? N_("Disable the association")
                       : n->kind == NODE_EPS       ? N_("Disable the establishment")
                                                   : N_("Disable the unit");
    } else {
        toggle_sentence = N_("This node is disabled. Enable it again to work with it.");
        toggle_label = n->kind == NODE_ASSOCIATION ? N_("Enable the association")
                       : n->kind == NODE_EPS       ? N_("Enable the establishment")
                                                   : N_("Enable the unit");
    }
    json_object_set_new(m, "toggle_sentence", json_string(T(r, toggle_sentence)));
    json_object_set_new(m, "toggle_label", json_string(T(r, toggle_label)));
    json_object_set_new(m, "toggle_danger", json_boolean(n->active));
    page_render(r, status, "org/node_show", m);
}

void org_page_node_show(req_t *r)
{
    org_node_t n;
    if (org_node_load(r->db, r->arena, r->node_id, &n) != 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    render_show(r, 200, &n, NULL);
}

/* ---- Forms ------------------------------------------------------------- */

typedef struct {
    bool create;
    node_kind_t kind;
    const org_node_t *parent; /* create */
    const org_node_t *node;   /* edit */
    int64_t version;
    const char *conflict;     /* msgid */
} form_ctx_t;

static const char *form_title(const form_ctx_t *f)
{
    if (f->create)
        return f->kind == NODE_ASSOCIATION ? N_("Add an association")
               : f->kind == NODE_EPS       ? N_("Add an establishment")
                                           : N_("Add a unit");
    switch (f->kind) {
    case NODE_ROOT: return N_("Edit the platform");
    case NODE_ASSOCIATION: return N_("Edit the association");
    case NODE_EPS: return N_("Edit the establishment");
    default: return N_("Edit the unit");
    }
}

/* The form page. values: what to show in the fields (stolen); errors: field
 * -> msgid or NULL (stolen). */
static void render_form(req_t *r, int status, const form_ctx_t *f, json_t *values, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, form_title(f))));
    const char *lead;
    if (f->create)
        lead = f->kind == NODE_ASSOCIATION
                   ? N_("The association will appear in the organisation tree; you can then add its establishments.")
               : f->kind == NODE_EPS
                   ? N_("Describe the establishment as on its authorisation. You can add its units next.")
                   : N_("A unit is a house, a home or a programme of the establishment.");
    else
        lead = N_("Change the details, then save. The kind and the place in the tree do not change.");
    json_object_set_new(m, "lead", json_string(T(r, lead)));
    json_object_set_new(m, "is_create", json_boolean(f->create));
    json_object_set_new(m, "kind", json_string(node_kind_code(f->kind)));
    json_object_set_new(m, "is_eps", json_boolean(f->kind == NODE_EPS));
    json_object_set_new(m, "is_unit", json_boolean(f->kind == NODE_UNIT));
    const org_node_t *where = f->create ? f->parent : f->node;
    bool show_parent = f->create && f->parent && f->parent->kind != NODE_ROOT;
    json_object_set_new(m, "parent_id", json_integer(f->create && f->parent ? f->parent->id : 0));
    json_object_set_new(m, "parent_name",
                        show_parent ? json_string(org_node_display_name(r, f->parent->name,
                                                                        f->parent->name_ar))
                                    : json_null());
    json_object_set_new(m, "version", json_integer(f->version));
    json_object_set_new(m, "action",
                        json_string(f->create ? "/admin/nodes" : org_node_href(r, f->node->id)));
    const char *cancel = f->create ? (f->parent && f->parent->kind != NODE_ROOT
                                          ? org_node_href(r, f->parent->id)
                                          : "/admin/nodes")
                                   : org_node_href(r, f->node->id);
    json_object_set_new(m, "cancel_href", json_string(cancel));
    const char *submit = !f->create ? N_("Save the changes")
                         : f->kind == NODE_ASSOCIATION ? N_("Create the association")
                         : f->kind == NODE_EPS         ? N_("Create the establishment")
                                                       : N_("Create the unit");
    json_object_set_new(m, "submit_label", json_string(T(r, submit)));
    json_object_set_new(m, "conflict", f->conflict ? json_string(T(r, f->conflict)) : json_null());
    json_object_set_new(m, "name_hint",
                        json_string(T(r, f->kind == NODE_EPS ? N_("As it appears on the authorisation.")
                                         : f->kind == NODE_UNIT
                                             ? N_("For example: Maison 3, Foyer des jeunes.")
                                             : N_("The name people know it by."))));

    /* Breadcrumbs: the place in the tree, then this page. */
    json_t *crumbs;
    if (where && where->kind != NODE_ROOT) {
        int64_t *ids;
        int n;
        if (org_path_parse(r->arena, where->path, &ids, &n) != 0)
            n = 0;
        crumbs = org_crumbs(r, ids, n);
    } else {
        crumbs = org_crumbs(r, NULL, 0);
    }
    json_object_set_new(m, "crumbs", crumbs);

    const char *cat = json_string_value(json_object_get(values, "category"));
    const char *reg = json_string_value(json_object_get(values, "region"));
    const char *uk = json_string_value(json_object_get(values, "unit_kind"));
    json_object_set_new(m, "category_options",
                        org_code_options(r, "category", org_categories, cat, T(r, N_("Choose a category"))));
    json_object_set_new(m, "region_options",
                        org_code_options(r, "region", org_regions, reg, T(r, N_("Not specified"))));
    json_object_set_new(m, "unit_kind_options",
                        org_code_options(r, "unit_kind", org_unit_kinds, uk, T(r, N_("Not specified"))));

    if (errors && json_object_size(errors) > 0) {
        model_form_errors(r, m, errors);
        json_object_set_new(m, "has_errors", json_true());
    } else {
        json_object_set_new(m, "errors", json_object());
        json_object_set_new(m, "error_summary", json_array());
        json_object_set_new(m, "has_errors", json_false());
    }
    json_decref(errors);
    /* The values to show win over what model_form_errors copied. */
    json_object_set_new(m, "values", values);
    page_render(r, status, "org/node_form", m);
}

/* What the user typed, as text, for the fields of kind. */
static json_t *typed_values(req_t *r, node_kind_t kind)
{
    static const char *const fields[] = {"name", "name_ar", "category", "region", "province",
                                         "capacity", "authorisation_no", "unit_kind", NULL};
    json_t *v = json_object();
    for (size_t i = 0; fields[i]; i++) {
        if (!org_field_applies(kind, fields[i]))
            continue;
        const char *s = http_form(r, fields[i]);
        json_object_set_new(v, fields[i], json_string(s && utf8_valid(s, strlen(s)) ? s : ""));
    }
    return v;
}

static json_t *node_values(req_t *r, const org_node_t *n)
{
    json_t *v = json_object();
    json_object_set_new(v, "name", json_string(n->name));
    json_object_set_new(v, "name_ar", json_string(n->name_ar ? n->name_ar : ""));
    json_object_set_new(v, "category", json_string(n->category ? n->category : ""));
    json_object_set_new(v, "region", json_string(n->region ? n->region : ""));
    json_object_set_new(v, "province", json_string(n->province ? n->province : ""));
    json_object_set_new(v, "capacity",
                        json_string(n->capacity >= 0
                                        ? arena_printf(r->arena, "%lld", (long long)n->capacity)
                                        : ""));
    json_object_set_new(v, "authorisation_no",
                        json_string(n->authorisation_no ? n->authorisation_no : ""));
    json_object_set_new(v, "unit_kind", json_string(n->unit_kind ? n->unit_kind : ""));
    return v;
}

/* Where a new node goes and whether this user may put it there. Sets the
 * response (404/403/422) and returns false when not. */
static bool resolve_new(req_t *r, const char *parent_s, const char *kind_s, org_node_t *parent,
                        node_kind_t *kind)
{
    int64_t pid = 0;
    int k = str_empty(kind_s) ? -1 : node_kind_from_code(kind_s);
    if (!str_empty(parent_s) && (!str_to_i64(parent_s, &pid) || pid <= 0)) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return false;
    }
    if (k == NODE_ASSOCIATION || (pid == 0 && k < 0))
        pid = org_root_id(r->db);
    if (pid <= 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return false;
    }
    bool found = org_node_load(r->db, r->arena, pid, parent) == 0;
    if (found && parent->kind == NODE_ROOT) {
        if (app_authorize(r, PERM_ORG_MANAGE, pid) != AUTHZ_ALLOW) {
            respond_error(r, 403, "forbidden",
                          N_("Only a platform administrator may add an association."), NULL);
            return false;
        }
    } else if (!app_require(r, PERM_ORG_MANAGE, pid)) {
        return false;
    }
    if (!found) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return false;
    }
    int expected = org_child_kind(parent->kind);
    if (k < 0)
        k = expected;
    if (k < 0 || k != expected) {
        respond_error(r, 422, "invalid", N_("This kind of node cannot be added here."), NULL);
        return false;
    }
    *kind = (node_kind_t)k;
    return true;
}

void org_page_node_new(req_t *r)
{
    org_node_t parent;
    node_kind_t kind;
    if (!resolve_new(r, http_query(r, "parent"), http_query(r, "kind"), &parent, &kind))
        return;
    if (!parent.active) {
        render_show(r, 409, &parent, N_("The node above is disabled: enable it before adding to it."));
        return;
    }
    form_ctx_t f = {.create = true, .kind = kind, .parent = &parent};
    render_form(r, 200, &f, json_object(), NULL);
}

void org_page_node_create(req_t *r)
{
    org_node_t parent;
    node_kind_t kind;
    if (!resolve_new(r, http_form(r, "parent_id"), http_form(r, "kind"), &parent, &kind))
        return;
    form_ctx_t f = {.create = true, .kind = kind, .parent = &parent};
    json_t *errors = json_object();
    org_node_input_t in;
    org_node_input_read(r, errors, kind, false, &in);
    if (json_object_size(errors) > 0) {
        render_form(r, 422, &f, typed_values(r, kind), errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    const char *conflict = NULL;
    int rc = org_node_insert(r, &parent, kind, &in, &id, &conflict);
    if (rc == ORG_W_CONFLICT) {
        f.conflict = conflict;
        render_form(r, 409, &f, typed_values(r, kind), NULL);
        return;
    }
    if (rc != ORG_W_OK) {
        respond_error(r, 500, "internal", N_("Something went wrong on our side."),
                      NULL);
        return;
    }
    page_redirect_flash(r, org_node_href(r, id), org_msg_created(kind));
}

void org_page_node_edit(req_t *r)
{
    org_node_t n;
    if (org_node_load(r->db, r->arena, r->node_id, &n) != 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    form_ctx_t f = {.create = false, .kind = n.kind, .node = &n, .version = n.version};
    render_form(r, 200, &f, node_values(r, &n), NULL);
}

void org_page_node_update(req_t *r)
{
    org_node_t n;
    if (org_node_load(r->db, r->arena, r->node_id, &n) != 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    form_ctx_t f = {.create = false, .kind = n.kind, .node = &n, .version = n.version};
    json_t *errors = json_object();
    int64_t version = 0;
    const char *vs = http_form(r, "version");
    if (!str_to_i64(vs ? vs : "", &version) || version <= 0)
        version = -1; /* treated as stale below */
    org_node_input_t in;
    org_node_input_read(r, errors, n.kind, false, &in);
    if (json_object_size(errors) > 0) {
        f.version = version > 0 ? version : n.version;
        render_form(r, 422, &f, typed_values(r, n.kind), errors);
        return;
    }
    json_decref(errors);
    const char *conflict = NULL;
    int rc = version == n.version ? org_node_write(r, &n, &in, version, &conflict) : ORG_W_CONFLICT;
    if (rc == ORG_W_CONFLICT) {
        /* Keep what they typed; the form now carries the current version, so
         * saving again replaces the other change knowingly. */
        org_node_t fresh;
        if (org_node_load(r->db, r->arena, n.id, &fresh) == 0)
            f.version = fresh.version;
        f.conflict = N_("Someone else changed this record while you were editing it. Your changes were not saved: check them below and save again, or cancel to see the current details.");
        render_form(r, 409, &f, typed_values(r, n.kind), NULL);
        return;
    }
    if (rc != ORG_W_OK) {
        respond_error(r, 500, "internal", N_("Something went wrong on our side."),
                      NULL);
        return;
    }
    page_redirect_flash(r, org_node_href(r, n.id), N_("The changes were saved."));
}

static void page_set_active(req_t *r, bool active)
{
    org_node_t n;
    if (org_node_load(r->db, r->arena, r->node_id, &n) != 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    if (n.kind == NODE_ROOT || n.parent_id == 0 ||
        app_authorize(r, PERM_ORG_MANAGE, n.parent_id) != AUTHZ_ALLOW) {
        respond_error(r, 403, "forbidden",
                      N_("Only those who manage the node above may disable or enable this one."),
                      NULL);
        return;
    }
    if (n.active == active) {
        page_redirect_flash(r, org_node_href(r, n.id),
                            active ? org_msg_enabled(n.kind) : org_msg_disabled(n.kind));
        return;
    }
    int64_t version = n.version;
    const char *vs = http_form(r, "version");
    if (!str_empty(vs) && (!str_to_i64(vs, &version) || version <= 0))
        version = -1;
    org_node_input_t in;
    memset(&in, 0, sizeof in);
    in.has_active = true;
    in.active = active;
    const char *conflict = NULL;
    int rc = version == n.version ? org_node_write(r, &n, &in, version, &conflict) : ORG_W_CONFLICT;
    if (rc == ORG_W_CONFLICT) {
        if (!conflict)
            conflict = N_("Someone else changed this record in the meantime. Your changes were not saved.");
        org_node_t fresh;
        render_show(r, 409, org_node_load(r->db, r->arena, n.id, &fresh) == 0 ? &fresh : &n,
                    conflict);
        return;
    }
    if (rc != ORG_W_OK) {
        respond_error(r, 500, "internal", N_("Something went wrong on our side."),
                      NULL);
        return;
    }
    page_redirect_flash(r, org_node_href(r, n.id),
                        active ? org_msg_enabled(n.kind) : org_msg_disabled(n.kind));
}

void org_page_node_disable(req_t *r)
{
    page_set_active(r, false);
}

void org_page_node_enable(req_t *r)
{
    page_set_active(r, true);
}
