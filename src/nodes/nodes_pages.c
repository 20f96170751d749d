/* nodes_pages.c - the pages of one node of the organisation tree: its page
 * (details, children with their figures, what other modules show there -
 * documents, staff -, disable/enable) and the forms to add and edit
 * associations, establishments and units. The tree of the user's scope is
 * in nodes_tree.c; the writes are in nodes_write.c. */
#include "nodes_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *kind_label(req_t *r, node_kind_t k)
{
    return nodes_code_label(r, "kind", node_kind_code(k));
}

/* Breadcrumb entries for the nodes ids[0..n-1], the root left out; names of
 * nodes outside the user's scope are shown without a link. */
json_t *nodes_crumbs(req_t *r, const int64_t *ids, int n)
{
    json_t *arr = json_array();
    json_t *top = json_object();
    json_object_set_new(top, "label", json_string(T(r, N_("Establishments"))));
    json_object_set_new(top, "href", json_string("/admin/nodes"));
    json_array_append_new(arr, top);
    for (int i = 0; i < n; i++) {
        node_t a;
        if (nodes_load(r->db, r->arena, ids[i], &a) != 0 || a.kind == NODE_ROOT)
            continue;
        json_t *c = json_object();
        json_object_set_new(c, "label",
                            json_string(nodes_display_name(r, a.name, a.name_ar)));
        json_object_set_new(c, "href", app_can_at_path(r, PERM_ORG_READ, a.path)
                                           ? json_string(nodes_href(r, a.id))
                                           : json_null());
        json_array_append_new(arr, c);
    }
    return arr;
}

/* [{code,label,selected}] with an empty first choice. */
json_t *nodes_code_options(req_t *r, const char *prefix, const char *const *codes,
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
        json_object_set_new(o, "label", json_string(nodes_code_label(r, prefix, codes[i])));
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
    int64_t n_children;
    json_t *figures; /* borrowed */
} child_t;

static int child_cmp(const void *a, const void *b)
{
    const child_t *x = *(child_t *const *)a, *y = *(child_t *const *)b;
    int c = str_natural_cmp(x->label, y->label);
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

/* The children of n with their figures (accounts, later scores...), in
 * natural order of their names; heads receives the figures' labels. */
static json_t *node_children(req_t *r, const node_t *n, json_t **heads)
{
    *heads = json_array();
    db_res_t *res = db_query(
        r->db,
        "SELECT c.id, c.kind, c.name, c.name_ar, c.category, c.unit_kind, c.active,"
        " (SELECT COUNT(*) FROM nodes g WHERE g.parent_id = c.id AND g.active = 1)"
        " FROM nodes c WHERE c.parent_id = ? ORDER BY c.id",
        PARAMS(P_INT(n->id)));
    json_t *arr = json_array();
    if (!res)
        return arr;
    VEC(child_t) rows = {0};
    while (db_next(res)) {
        child_t *t = VEC_PUSH(r->arena, &rows);
        t->id = db_int(res, 0);
        int k = node_kind_from_code(db_text(res, 1));
        t->kind = k < 0 ? NODE_UNIT : (node_kind_t)k;
        t->name = arena_strdup(r->arena, db_text(res, 2));
        t->name_ar = arena_strdup(r->arena, db_text(res, 3));
        t->category = arena_strdup(r->arena, db_text(res, 4));
        t->unit_kind = arena_strdup(r->arena, db_text(res, 5));
        t->active = db_int(res, 6) != 0;
        t->n_children = db_int(res, 7);
        t->label = nodes_display_name(r, t->name, t->name_ar);
    }
    db_res_free(res);
    /* Figures of each child (rows are in id order). */
    size_t cnt = rows.n;
    int64_t *ids = arena_alloc(r->arena, sizeof(int64_t) * (cnt ? cnt : 1));
    for (size_t i = 0; i < cnt; i++)
        ids[i] = rows.v[i].id;
    json_t *figs = nodes_figures(r, ids, cnt);
    arena_defer(r->arena, (void (*)(void *))json_decref, figs);
    child_t **order = arena_alloc(r->arena, sizeof(child_t *) * (cnt ? cnt : 1));
    for (size_t i = 0; i < cnt; i++) {
        order[i] = &rows.v[i];
        order[i]->figures = json_array_get(figs, i);
    }
    qsort(order, cnt, sizeof(child_t *), child_cmp);
    if (cnt > 0) {
        size_t i;
        json_t *f;
        json_array_foreach(json_array_get(figs, 0), i, f)
            json_array_append_new(*heads, json_pack("{s:O}", "label", json_object_get(f, "label")));
    }
    for (size_t i = 0; i < cnt; i++) {
        const child_t *t = order[i];
        json_t *o = json_object();
        json_object_set_new(o, "href", json_string(nodes_href(r, t->id)));
        json_object_set_new(o, "name", json_string(t->label));
        const char *detail = t->kind == NODE_EPS    ? nodes_code_label(r, "category", t->category)
                             : t->kind == NODE_UNIT ? nodes_code_label(r, "unit_kind", t->unit_kind)
                                                    : kind_label(r, t->kind);
        json_object_set_new(o, "detail", json_str_or_null(detail));
        json_object_set_new(o, "sub_is_eps", json_boolean(t->kind == NODE_ASSOCIATION));
        json_object_set_new(o, "sub_is_unit", json_boolean(t->kind == NODE_EPS));
        json_object_set_new(o, "sub_count", json_integer(t->n_children));
        json_object_set_new(o, "figures", json_incref(t->figures));
        json_object_set_new(o, "active", json_boolean(t->active));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* Renders the node page; action_error: a msgid shown at the top (a refused
 * disable), with the given status. */
static void render_show(req_t *r, int status, const node_t *n, const char *action_error)
{
    const char *ns = T(r, N_("Not specified"));
    char date[32];
    int64_t ids[NODES_PATH_MAX];
    int nids = nodes_path_parse(n->path, ids, NODES_PATH_MAX);
    if (nids < 0)
        nids = 0;
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(nodes_display_name(r, n->name, n->name_ar)));
    json_object_set_new(m, "id", json_integer(n->id));
    json_object_set_new(m, "kind_label", json_string(kind_label(r, n->kind)));
    json_object_set_new(m, "active", json_boolean(n->active));
    json_object_set_new(m, "crumbs", nodes_crumbs(r, ids, nids > 0 ? nids - 1 : 0));
    json_object_set_new(m, "action_error", action_error ? json_string(T(r, action_error)) : json_null());

    json_t *rows = json_array();
    summary_row(rows, T(r, N_("Kind")), kind_label(r, n->kind), ns);
    summary_row(rows, T(r, N_("Name")), n->name, ns);
    summary_row(rows, T(r, N_("Name in Arabic")), n->name_ar, ns);
    if (n->kind == NODE_EPS) {
        summary_row(rows, T(r, N_("Category")), nodes_code_label(r, "category", n->category), ns);
        summary_row(rows, T(r, N_("Region")), nodes_code_label(r, "region", n->region), ns);
        summary_row(rows, T(r, N_("Province or prefecture")), n->province, ns);
        summary_row(rows, T(r, N_("Capacity")), n->capacity >= 0 ? app_number(r, n->capacity) : NULL,
                    ns);
        summary_row(rows, T(r, N_("Authorisation number")), n->authorisation_no, ns);
    }
    if (n->kind == NODE_UNIT)
        summary_row(rows, T(r, N_("Kind of unit")), nodes_code_label(r, "unit_kind", n->unit_kind), ns);
    format_local_date(n->created_at, date, sizeof date);
    summary_row(rows, T(r, N_("Created on")), arena_strdup(r->arena, date), ns);
    format_local_date(n->updated_at, date, sizeof date);
    summary_row(rows, T(r, N_("Last changed on")), arena_strdup(r->arena, date), ns);
    json_object_set_new(m, "summary", rows);

    /* Children and what may be done here. */
    int ck = nodes_child_kind(n->kind);
    bool manage_here = app_can_at_path(r, PERM_ORG_MANAGE, n->path);
    json_t *heads = NULL;
    json_t *kids = ck >= 0 ? node_children(r, n, &heads) : (heads = json_array(), json_array());
    json_object_set_new(m, "figure_heads", heads);
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
    json_object_set_new(m, "add_href", can_add ? json_string(nodes_add_href(r, n->id, ck)) : json_null());
    json_object_set_new(m, "add_label", can_add ? json_string(nodes_add_label(r, ck)) : json_null());
    json_object_set_new(m, "edit_href",
                        manage_here ? json_string(arena_printf(r->arena, "/admin/nodes/%lld/edit",
                                                               (long long)n->id))
                                    : json_null());

    /* What other modules show here (documents, staff accounts...). */
    json_object_set_new(m, "sections", app_node_sections(r, n->id, n->path));

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
                            ? json_string(T(r, nodes_msg_active_children(n->kind)))
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
    json_object_set_new(m, "toggle_confirm",
                        json_string(T(r, N_("Disable this? Its history stays, but nothing new can be added to it."))));
    json_object_set_new(m, "toggle_danger", json_boolean(n->active));
    page_render(r, status, "nodes/show", m);
}

void nodes_page_show(req_t *r)
{
    node_t n;
    if (nodes_load(r->db, r->arena, r->node_id, &n) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    render_show(r, 200, &n, NULL);
}

/* ---- Forms ------------------------------------------------------------- */

typedef struct {
    bool create;
    node_kind_t kind;
    const node_t *parent; /* create */
    const node_t *node;   /* edit */
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
    const node_t *where = f->create ? f->parent : f->node;
    bool show_parent = f->create && f->parent && f->parent->kind != NODE_ROOT;
    json_object_set_new(m, "parent_id", json_integer(f->create && f->parent ? f->parent->id : 0));
    json_object_set_new(m, "parent_name",
                        show_parent ? json_string(nodes_display_name(r, f->parent->name,
                                                                        f->parent->name_ar))
                                    : json_null());
    json_object_set_new(m, "version", json_integer(f->version));
    json_object_set_new(m, "action",
                        json_string(f->create ? "/admin/nodes" : nodes_href(r, f->node->id)));
    const char *cancel = f->create ? (f->parent && f->parent->kind != NODE_ROOT
                                          ? nodes_href(r, f->parent->id)
                                          : "/admin/nodes")
                                   : nodes_href(r, f->node->id);
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
        int64_t ids[NODES_PATH_MAX];
        int n = nodes_path_parse(where->path, ids, NODES_PATH_MAX);
        crumbs = nodes_crumbs(r, ids, n > 0 ? n : 0);
    } else {
        crumbs = nodes_crumbs(r, NULL, 0);
    }
    json_object_set_new(m, "crumbs", crumbs);

    const char *cat = json_string_value(json_object_get(values, "category"));
    const char *reg = json_string_value(json_object_get(values, "region"));
    const char *uk = json_string_value(json_object_get(values, "unit_kind"));
    json_object_set_new(m, "category_options",
                        nodes_code_options(r, "category", nodes_categories, cat, T(r, N_("Choose a category"))));
    json_object_set_new(m, "region_options",
                        nodes_code_options(r, "region", nodes_regions, reg, T(r, N_("Not specified"))));
    json_object_set_new(m, "unit_kind_options",
                        nodes_code_options(r, "unit_kind", nodes_unit_kinds, uk, T(r, N_("Not specified"))));

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
    page_render(r, status, "nodes/form", m);
}

/* What the user typed, as text, for the fields of kind. */
static json_t *typed_values(req_t *r, node_kind_t kind)
{
    static const char *const fields[] = {"name", "name_ar", "category", "region", "province",
                                         "capacity", "authorisation_no", "unit_kind", NULL};
    json_t *v = json_object();
    for (size_t i = 0; fields[i]; i++) {
        if (!nodes_field_applies(kind, fields[i]))
            continue;
        const char *s = req_form(r, fields[i]);
        json_object_set_new(v, fields[i], json_string(s && utf8_valid(s, strlen(s)) ? s : ""));
    }
    return v;
}

static json_t *node_values(req_t *r, const node_t *n)
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
static bool resolve_new(req_t *r, const char *parent_s, const char *kind_s, node_t *parent,
                        node_kind_t *kind)
{
    int64_t pid = 0;
    int k = str_empty(kind_s) ? -1 : node_kind_from_code(kind_s);
    if (!str_empty(parent_s) && (!str_to_i64(parent_s, &pid) || pid <= 0)) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return false;
    }
    if (k == NODE_ASSOCIATION || (pid == 0 && k < 0))
        pid = nodes_root_id(r->db);
    if (pid <= 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return false;
    }
    bool found = nodes_load(r->db, r->arena, pid, parent) == 0;
    if (found && parent->kind == NODE_ROOT) {
        if (app_authorize(r, PERM_ORG_MANAGE, pid) != AUTHZ_ALLOW) {
            app_fail(r, RES_FORBIDDEN, N_("Only a platform administrator may add an association."), NULL);
            return false;
        }
    } else if (!app_require(r, PERM_ORG_MANAGE, pid)) {
        return false;
    }
    if (!found) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return false;
    }
    int expected = nodes_child_kind(parent->kind);
    if (k < 0)
        k = expected;
    if (k < 0 || k != expected) {
        app_fail(r, RES_INVALID, N_("This kind of node cannot be added here."), NULL);
        return false;
    }
    *kind = (node_kind_t)k;
    return true;
}

void nodes_page_new(req_t *r)
{
    node_t parent;
    node_kind_t kind;
    if (!resolve_new(r, req_query(r, "parent"), req_query(r, "kind"), &parent, &kind))
        return;
    if (!parent.active) {
        render_show(r, 409, &parent, N_("The node above is disabled: enable it before adding to it."));
        return;
    }
    form_ctx_t f = {.create = true, .kind = kind, .parent = &parent};
    render_form(r, 200, &f, json_object(), NULL);
}

void nodes_page_create(req_t *r)
{
    node_t parent;
    node_kind_t kind;
    if (!resolve_new(r, req_form(r, "parent_id"), req_form(r, "kind"), &parent, &kind))
        return;
    form_ctx_t f = {.create = true, .kind = kind, .parent = &parent};
    json_t *errors = json_object();
    node_input_t in;
    nodes_input_read(r, errors, kind, false, &in);
    if (json_object_size(errors) > 0) {
        render_form(r, 422, &f, typed_values(r, kind), errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    const char *conflict = NULL;
    res_t rc = nodes_insert(r->db, r->arena, r->user->id, req_ip(r), &parent, kind, &in, &id,
                            &conflict);
    if (rc == RES_CONFLICT) {
        f.conflict = conflict;
        render_form(r, 409, &f, typed_values(r, kind), NULL);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, nodes_href(r, id), nodes_msg_created(kind));
}

void nodes_page_edit(req_t *r)
{
    node_t n;
    if (nodes_load(r->db, r->arena, r->node_id, &n) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    form_ctx_t f = {.create = false, .kind = n.kind, .node = &n, .version = n.version};
    render_form(r, 200, &f, node_values(r, &n), NULL);
}

void nodes_page_update(req_t *r)
{
    node_t n;
    if (nodes_load(r->db, r->arena, r->node_id, &n) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    form_ctx_t f = {.create = false, .kind = n.kind, .node = &n, .version = n.version};
    json_t *errors = json_object();
    int64_t version = 0;
    const char *vs = req_form(r, "version");
    if (!str_to_i64(vs ? vs : "", &version) || version <= 0)
        version = -1; /* treated as stale below */
    node_input_t in;
    nodes_input_read(r, errors, n.kind, false, &in);
    if (json_object_size(errors) > 0) {
        f.version = version > 0 ? version : n.version;
        render_form(r, 422, &f, typed_values(r, n.kind), errors);
        return;
    }
    json_decref(errors);
    const char *conflict = NULL;
    res_t rc = version == n.version ? nodes_write(r->db, r->arena, r->user->id, req_ip(r), &n, &in,
                                                  version, &conflict)
                                    : RES_CONFLICT;
    if (rc == RES_CONFLICT) {
        /* Keep what they typed; the form now carries the current version, so
         * saving again replaces the other change knowingly. */
        node_t fresh;
        if (nodes_load(r->db, r->arena, n.id, &fresh) == 0)
            f.version = fresh.version;
        f.conflict = N_("Someone else changed this record while you were editing it. Your changes were not saved: check them below and save again, or cancel to see the current details.");
        render_form(r, 409, &f, typed_values(r, n.kind), NULL);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, nodes_href(r, n.id), N_("The changes were saved."));
}

static void page_set_active(req_t *r, bool active)
{
    node_t n;
    if (nodes_load(r->db, r->arena, r->node_id, &n) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (n.kind == NODE_ROOT || n.parent_id == 0 ||
        app_authorize(r, PERM_ORG_MANAGE, n.parent_id) != AUTHZ_ALLOW) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only those who manage the node above may disable or enable this one."), NULL);
        return;
    }
    if (n.active == active) {
        page_redirect_flash(r, nodes_href(r, n.id),
                            active ? nodes_msg_enabled(n.kind) : nodes_msg_disabled(n.kind));
        return;
    }
    int64_t version = n.version;
    const char *vs = req_form(r, "version");
    if (!str_empty(vs) && (!str_to_i64(vs, &version) || version <= 0))
        version = -1;
    if (!active && page_needs_confirm(r)) {
        page_confirm(r, n.kind == NODE_ASSOCIATION ? N_("Disable the association")
                        : n.kind == NODE_EPS       ? N_("Disable the establishment")
                                                   : N_("Disable the unit"),
                     N_("Disable this? Its history stays, but nothing new can be added to it."),
                     nodes_display_name(r, n.name, n.name_ar),
                     arena_printf(r->arena, "/admin/nodes/%lld/disable", (long long)n.id),
                     json_pack("{s:s}", "version", arena_printf(r->arena, "%lld", (long long)version)),
                     N_("Yes, disable it"), nodes_href(r, n.id));
        return;
    }
    node_input_t in;
    memset(&in, 0, sizeof in);
    in.has_active = true;
    in.active = active;
    const char *conflict = NULL;
    res_t rc = version == n.version ? nodes_write(r->db, r->arena, r->user->id, req_ip(r), &n, &in,
                                                  version, &conflict)
                                    : RES_CONFLICT;
    if (rc == RES_CONFLICT) {
        if (!conflict)
            conflict = N_("Someone else changed this record in the meantime. Your changes were not saved.");
        node_t fresh;
        render_show(r, 409, nodes_load(r->db, r->arena, n.id, &fresh) == 0 ? &fresh : &n,
                    conflict);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, nodes_href(r, n.id),
                        active ? nodes_msg_enabled(n.kind) : nodes_msg_disabled(n.kind));
}

void nodes_page_disable(req_t *r)
{
    page_set_active(r, false);
}

void nodes_page_enable(req_t *r)
{
    page_set_active(r, true);
}
