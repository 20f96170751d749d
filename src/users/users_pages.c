/* users_pages.c - the users administration pages: list (scope-filtered),
 * create, details with editing, roles (grant and revoke), disable/enable
 * (asked first) and password reset. Validation and rules live in
 * users_write.c, shared with the API. */
#include "users_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lang_labels[] = {"Français", "العربية", "English"};

/* --------------------------------------------------------------- helpers -- */

static void qs_add(buf_t *b, const char *key, const char *val)
{
    if (!val || !*val)
        return;
    buf_putc(b, b->len ? '&' : '?');
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

static int64_t val_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    int64_t n = 0;
    if (json_is_string(v) && str_to_i64(json_string_value(v), &n))
        return n;
    return 0;
}

/* A string member, "" when absent or null (templates print no null). */
static const char *js(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static json_t *language_options(const char *selected)
{
    json_t *a = json_array();
    for (int i = 0; users_languages[i]; i++)
        json_array_append_new(a, json_pack("{ss ss sb}", "code", users_languages[i], "label",
                                           lang_labels[i], "selected",
                                           str_eq(selected, users_languages[i])));
    return a;
}

/* Roles as options; mask: which roles to offer (all when ~0u). */
static json_t *role_options(unsigned mask, const char *selected)
{
    json_t *a = json_array();
    for (int role = ROLE_NONE + 1; role < ROLE__COUNT; role++)
        if (mask & (1u << role))
            json_array_append_new(a, json_pack("{ss ss sb}", "code", role_code((role_t)role),
                                               "msgid", users_role_msgid((role_t)role), "selected",
                                               str_eq(selected, role_code((role_t)role))));
    return a;
}

/* Form keys on a page model: errors/error_summary/values (typed values when
 * there are errors, completed by defaults), never a password. */
static json_t *prepare_form(req_t *r, json_t *model, json_t *errors, json_t *defaults)
{
    if (errors && json_object_size(errors) > 0)
        model_form_errors(r, model, errors);
    json_t *values = json_object_get(model, "values");
    if (!json_is_object(values)) {
        values = json_object();
        json_object_set_new(model, "values", values);
    }
    if (defaults) {
        json_object_update_missing(values, defaults);
        json_decref(defaults);
    }
    static const char *const secret[] = {"password_confirm", "current_password", "new_password",
                                         "confirm_password", CSRF_FIELD};
    for (size_t i = 0; i < ARRAY_LEN(secret); i++)
        json_object_del(values, secret[i]);
    /* a password is typed again only when it was itself refused: the
     * other fields' errors do not cost it (the page is never cached) */
    const char *pw = req_form(r, "password");
    if (errors && json_object_size(errors) > 0 && !json_object_get(errors, "password") && pw &&
        utf8_valid(pw, strlen(pw)) && !str_has_control(pw))
        json_object_set_new(values, "password", json_string(pw));
    else
        json_object_del(values, "password");
    return values;
}

static const char *user_login(json_t *u)
{
    const char *e = json_string_value(json_object_get(u, "email"));
    return e ? e : json_string_value(json_object_get(u, "username"));
}

/* Expiry date from the form: empty -> 0; invalid or out of range -> error. */
static int64_t read_expiry(req_t *r, json_t *errors, const char *field)
{
    const char *s = v_text(r, errors, field, false, 20);
    int64_t t = 0;
    if (!s || !*s || json_object_get(errors, field))
        return 0;
    const char *why = users_parse_date(s, &t) != 0 ? N_("Enter a date like 31/12/2026.")
                                                   : users_check_expiry(t, now_utc());
    if (why)
        json_object_set_new(errors, field, json_string(why));
    return t;
}

/* ------------------------------------------------------------------ list -- */

void users_page_list(req_t *r)
{
    users_filter_t f = {.active = -1, .limit = 50};
    const char *q = req_query(r, "q");
    if (q && (strlen(q) > 200 || !utf8_valid(q, strlen(q)) || str_has_control(q)))
        q = NULL;
    if (q) {
        q = str_trim(arena_strdup(r->arena, q));
        f.q = *q ? q : NULL;
    }
    const char *node_s = req_query(r, "node");
    if (node_s && !str_to_i64(node_s, &f.node_id))
        f.node_id = 0;
    const char *role = req_query(r, "role");
    f.role = role_from_code(role) != ROLE_NONE ? role : NULL;
    const char *active = req_query(r, "active");
    if (str_eq(active, "1") || str_eq(active, "0"))
        f.active = active[0] - '0';
    json_t *perr = json_object();
    v_paging(r, perr, &f.limit, &f.offset);
    if (json_object_size(perr) > 0) {
        f.limit = 50;
        f.offset = 0;
    }
    json_decref(perr);

    int64_t total = 0;
    json_t *items = users_list(r, &f, &total);
    json_t *rows = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *roles = json_array();
        size_t j;
        json_t *ro;
        json_array_foreach(json_object_get(it, "roles"), j, ro)
        {
            json_array_append_new(
                roles, json_pack("{ss ss}", "msgid",
                                 users_role_msgid(role_from_code(js(ro, "role"))), "node",
                                 nodes_label(r->db, r->arena, r->lang, val_int(ro, "node_id"))));
        }
        json_array_append_new(rows, json_pack("{sI ss ss ss so sb}", "id", (json_int_t)val_int(it, "id"),
                                              "name", js(it, "name"), "login",
                                              user_login(it) ? user_login(it) : "", "home",
                                              nodes_label(r->db, r->arena, r->lang, val_int(it, "node_id")),
                                              "roles", roles,
                                              "active", json_is_true(json_object_get(it, "active"))));
    }
    json_decref(items);

    /* pager links keep the filters */
    buf_t base;
    buf_init(&base);
    qs_add(&base, "q", f.q);
    qs_add(&base, "node", f.node_id > 0 ? arena_printf(r->arena, "%lld", (long long)f.node_id) : NULL);
    qs_add(&base, "role", f.role);
    qs_add(&base, "active", f.active >= 0 ? (f.active ? "1" : "0") : NULL);
    qs_add(&base, "limit", f.limit != 50 ? arena_printf(r->arena, "%lld", (long long)f.limit) : NULL);
    json_t *pager = json_null();
    if ((total > f.limit || f.offset > 0) && json_array_size(rows) > 0) {
        int64_t to = f.offset + (int64_t)json_array_size(rows);
        const char *sep = base.len ? "&" : "?";
        const char *prev = f.offset > 0
                               ? arena_printf(r->arena, "/admin/users%s%soffset=%lld", base.data ? base.data : "", sep,
                                              (long long)(f.offset > f.limit ? f.offset - f.limit : 0))
                               : NULL;
        const char *next = to < total ? arena_printf(r->arena, "/admin/users%s%soffset=%lld",
                                                     base.data ? base.data : "", sep, (long long)to)
                                      : NULL;
        /* "%d to %d of %d": three numbers, filled in order */
        long long nums[3] = {json_array_size(rows) ? f.offset + 1 : 0, to, total};
        const char *text = text_fill_numbers(r->arena, T(r, "%d to %d of %d"), nums, 3);
        pager = json_pack("{ss ss? ss?}", "text", text, "prev", prev, "next", next);
    }
    buf_free(&base);

    json_t *status = json_pack("[{ss ss sb} {ss ss sb} {ss ss sb}]", "code", "", "label",
                               T(r, "All"), "selected", f.active < 0, "code", "1", "label",
                               T(r, "Active"), "selected", f.active == 1, "code", "0", "label",
                               T(r, "Disabled"), "selected", f.active == 0);
    bool filtered = f.q || f.node_id > 0 || f.role || f.active >= 0;
    json_t *model = json_pack(
        "{ss so so so so so sI sb sb so}", "title", T(r, "Users"), "users", rows, "filters",
        json_pack("{ss}", "q", f.q ? f.q : ""), "node_options",
        nodes_options(r, PERM_USER_READ, 0, f.node_id, NULL, NULL), "role_options",
        role_options(~0u, f.role), "status_options", status, "total", (json_int_t)total,
        "can_create", app_user_can_anywhere(r, PERM_USER_MANAGE), "filtered", filtered, "pager",
        pager);
    page_render(r, 200, "users/list", model);
}

/* ------------------------------------------------------------------- new -- */

/* nodes_options filter: places where the current user may give a role,
 * recording which roles in *ctx (a bit mask). */
static bool grantable(req_t *r, node_kind_t kind, const int64_t *path, int n_path, void *ctx)
{
    unsigned *mask = ctx, m = 0;
    int64_t now = now_utc();
    for (int role = ROLE_NONE + 1; role < ROLE__COUNT; role++)
        if (authz_can_grant(r->user->roles, r->user->n_roles, (role_t)role, kind, path, n_path, now))
            m |= 1u << role;
    *mask |= m;
    return m != 0;
}

static void render_new(req_t *r, int status, json_t *errors)
{
    static const char *const order[] = {"name", "email", "username", "language", "role", "role_node",
                                        "expires", "node_id", "password", NULL};
    if (errors)
        v_errors_order(errors, order);
    json_t *model = json_pack("{ss}", "title", T(r, "Add a user"));
    json_t *values = prepare_form(r, model, errors, json_pack("{ss}", "language", r->lang ? r->lang : "fr"));
    unsigned mask = 0;
    json_t *grant_nodes = nodes_options(r, PERM_USER_MANAGE, 0, val_int(values, "role_node"), grantable, &mask);
    json_object_set_new(model, "can_grant", json_boolean(json_array_size(grant_nodes) > 0));
    json_object_set_new(model, "role_node_options", grant_nodes);
    json_object_set_new(model, "role_options",
                        role_options(mask, json_string_value(json_object_get(values, "role"))));
    json_object_set_new(model, "can_inspector", json_boolean(mask & (1u << ROLE_INSPECTOR)));
    json_object_set_new(model, "home_options",
                        nodes_options(r, PERM_USER_MANAGE, NODES_OPT_HOMES, val_int(values, "node_id"), NULL, NULL));
    json_object_set_new(model, "language_options",
                        language_options(json_string_value(json_object_get(values, "language"))));
    page_render(r, status, "users/form", model);
}

/* The role to give (role, role_node, expires fields of the new-user and the
 * grant forms): errors go to errors; RES_NOT_FOUND or RES_FORBIDDEN when the
 * node is outside the scope or the role may not be given there, else RES_OK. */
static res_t read_role_fields(req_t *r, json_t *errors, role_t *role, int64_t *node,
                              int64_t *expires)
{
    const char *role_s = v_code(r, errors, "role", true, users_role_codes);
    *node = v_int(r, errors, "role_node", true, 1, INT64_MAX, 0);
    v_required_message(errors, "role", N_("Choose a role."));
    v_required_message(errors, "role_node", N_("Choose where the role applies."));
    *expires = read_expiry(r, errors, "expires");
    *role = role_from_code(role_s);
    if (*node > 0) {
        res_t st = users_grant_check(r, *role, *node, *expires, errors, "role", "expires");
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN)
            return st;
    }
    return RES_OK;
}

void users_page_new(req_t *r)
{
    render_new(r, 200, NULL);
}

void users_page_create(req_t *r)
{
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    users_input_t in;
    users_read_input(r, errors, &in, true, true);
    role_t role;
    int64_t role_node, expires;
    res_t st = read_role_fields(r, errors, &role, &role_node, &expires);
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    int64_t home = in.has_node ? in.node_id : (role_node > 0 ? nodes_home_for(r->db, role_node) : 0);
    if (home > 0) {
        st = users_home_check(r, home, errors);
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN)
            return app_fail(r, st, NULL, NULL);
    }
    /* every error at once: a used email or username too */
    users_check_unique(r->db, json_object_get(errors, "email") ? NULL : in.email,
                       json_object_get(errors, "username") ? NULL : in.username, 0, errors);
    if (json_object_size(errors) > 0)
        return render_new(r, 422, errors);

    char hash[160];
    if (password_hash(in.password, hash, sizeof hash) != 0)
        return app_fail(r, RES_ERROR, NULL, NULL);
    user_new_t nu = {
        .email = in.email,
        .username = in.username,
        .name = in.name,
        .language = in.language,
        .password_hash = hash,
        .home_node_id = home,
        .roles = &role,
        .role_nodes = &role_node,
        .role_expiry = &expires,
        .n_roles = 1,
    };
    int64_t id = 0;
    const char *msg = NULL, *field = NULL;
    res_t rc = users_insert(r->db, r->user->id, &nu, req_ip(r), &id, &msg, &field);
    if (rc != RES_OK) {
        if (!field)
            return app_fail(r, RES_ERROR, msg, NULL);
        json_object_set_new(errors, field, json_string(msg));
        return render_new(r, rc == RES_CONFLICT ? 409 : 422, errors);
    }
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The account was created."));
}

/* ------------------------------------------------------------------ show -- */

enum { OPEN_NONE, OPEN_EDIT, OPEN_GRANT, OPEN_RESET };

static void render_show(req_t *r, int64_t id, int status, json_t *errors, int open)
{
    static const char *const order[] = {"role", "role_node", "expires", "name", "email", "username",
                                        "language", "node_id", "password", "password_confirm", NULL};
    if (errors)
        v_errors_order(errors, order);
    json_t *u = users_json(r, id);
    if (!u)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    arena_defer(r->arena, (void (*)(void *))json_decref, u);
    int64_t home = val_int(u, "node_id");
    bool is_self = r->user && r->user->id == id;
    bool manage_here = app_authorize(r, PERM_USER_MANAGE, home) == AUTHZ_ALLOW;
    bool may_manage = manage_here && users_may_manage(r, id);
    /* nobody gives or removes their own roles */
    bool roles_editable = may_manage && !is_self;
    int64_t now = now_utc();

    /* an account keeps one role at least: its last one offers no removal */
    bool several = db_query_int(r->db, "SELECT COUNT(*) FROM user_roles WHERE user_id = ?",
                                PARAMS(P_INT(id)), 0) > 1;
    json_t *roles = json_array();
    size_t i;
    json_t *ro;
    json_array_foreach(json_object_get(u, "roles"), i, ro)
    {
        role_t role = role_from_code(json_string_value(json_object_get(ro, "role")));
        role_assignment_t ra;
        int64_t path[NODES_PATH_MAX];
        int n_path;
        bool can_revoke = false;
        if (roles_editable && several &&
            users_role_load(r->db, r->arena, id, val_int(ro, "id"), &ra) == 0 &&
            (n_path = nodes_path_parse(ra.node_path, path, NODES_PATH_MAX)) > 0)
            can_revoke = authz_can_grant(r->user->roles, r->user->n_roles, role, ra.node_kind, path,
                                         n_path, now);
        int64_t exp = val_int(ro, "expires_at");
        char date[32] = "";
        if (exp > 0)
            format_local_date(exp, date, sizeof date);
        json_array_append_new(roles, json_pack("{sI ss ss ss sb sb}", "id", (json_int_t)val_int(ro, "id"),
                                               "msgid", users_role_msgid(role), "node",
                                               nodes_label(r->db, r->arena, r->lang, val_int(ro, "node_id")), "expires", date,
                                               "expired", exp > 0 && exp <= now, "can_revoke",
                                               can_revoke));
    }

    char created[32] = "", last[32] = "";
    format_local_date(val_int(u, "created_at"), created, sizeof created);
    if (val_int(u, "last_login_at") > 0)
        format_local_datetime(val_int(u, "last_login_at"), last, sizeof last);
    const char *lang = json_string_value(json_object_get(u, "language"));
    const char *lang_label = "";
    for (int k = 0; users_languages[k]; k++)
        if (str_eq(lang, users_languages[k]))
            lang_label = lang_labels[k];

    json_t *model = json_pack(
        "{ss s{sI ss ss ss ss ss sb ss ss} so sb sb sb sb sb sb sb sb}", "title", js(u, "name"),
        "user", "id", (json_int_t)id, "name", js(u, "name"), "email", js(u, "email"), "username",
        js(u, "username"), "language", lang_label, "home", nodes_label(r->db, r->arena, r->lang, home), "active",
        json_is_true(json_object_get(u, "active")), "created", created, "last_login", last, "roles",
        roles, "is_self", is_self, "can_edit", manage_here && (may_manage || is_self), "can_disable",
        may_manage && !is_self, "can_reset", users_may_reset(r, id, home), "can_grant", false,
        "open_edit", open == OPEN_EDIT, "open_grant", open == OPEN_GRANT, "open_reset",
        open == OPEN_RESET);
    json_t *defaults = json_pack("{ss ss ss ss sI sI}", "name", js(u, "name"), "email",
                                 js(u, "email"), "username", js(u, "username"), "language",
                                 js(u, "language"), "node_id", (json_int_t)home, "version",
                                 (json_int_t)val_int(u, "version"));
    json_t *values = prepare_form(r, model, errors, defaults);

    unsigned mask = 0;
    json_t *grant_nodes = roles_editable ? nodes_options(r, PERM_USER_MANAGE, 0,
                                                         val_int(values, "role_node"), grantable, &mask)
                                         : json_array();
    json_object_set_new(model, "can_grant", json_boolean(json_array_size(grant_nodes) > 0));
    json_object_set_new(model, "role_node_options", grant_nodes);
    json_object_set_new(model, "role_options",
                        role_options(mask, json_string_value(json_object_get(values, "role"))));
    json_object_set_new(model, "can_inspector", json_boolean(mask & (1u << ROLE_INSPECTOR)));
    json_object_set_new(model, "language_options",
                        language_options(json_string_value(json_object_get(values, "language"))));
    json_t *homes = manage_here ? nodes_options(r, PERM_USER_MANAGE, NODES_OPT_HOMES,
                                                val_int(values, "node_id"), NULL, NULL)
                                : json_array();
    /* the current home stays offered even when disabled, so that saving
     * other fields never moves the account by accident */
    bool found = false;
    json_t *opt;
    json_array_foreach(homes, i, opt) found = found || json_is_true(json_object_get(opt, "selected"));
    if (manage_here && !found)
        json_array_insert_new(homes, 0,
                              json_pack("{sI ss ss sb}", "id", (json_int_t)home, "label",
                                        nodes_label(r->db, r->arena, r->lang, home), "kind", "", "selected", true));
    json_object_set_new(model, "home_options", homes);
    page_render(r, status, "users/show", model);
}

void users_page_show(req_t *r)
{
    render_show(r, r->ids[0], 200, NULL, OPEN_NONE);
}

void users_page_update(req_t *r)
{
    int64_t id = r->ids[0];
    if (r->user->id != id && !users_may_manage(r, id))
        return app_fail(r, RES_FORBIDDEN, NULL, NULL);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    users_input_t in;
    users_read_input(r, errors, &in, false, false);
    int64_t version = v_int(r, errors, "version", true, 1, INT64_MAX, 0);
    if (in.has_node) {
        res_t st = users_home_check(r, in.node_id, errors);
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN)
            return app_fail(r, st, NULL, NULL);
    }
    if (json_object_size(errors) > 0)
        return render_show(r, id, 422, errors, OPEN_EDIT);
    res_t st = users_update(r, id, &in, version, errors);
    if (st == RES_OK)
        return page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                                   N_("The changes were saved."));
    if ((st == RES_CONFLICT || st == RES_INVALID) && json_object_size(errors) > 0)
        return render_show(r, id, app_status_of(st), errors, OPEN_EDIT);
    app_fail(r, st, st == RES_CONFLICT
                        ? N_("Someone else changed this account meanwhile; reload the page and try again.")
                        : NULL,
             NULL);
}

static void set_active(req_t *r, bool active)
{
    int64_t id = r->ids[0];
    if (!users_may_manage(r, id))
        return app_fail(r, RES_FORBIDDEN, NULL, NULL);
    if (!active && r->user->id == id)
        return app_fail(r, RES_CONFLICT, N_("You cannot disable your own account."), NULL);
    if (!active && page_needs_confirm(r)) {
        user_t u;
        if (users_load(r->db, r->arena, id, &u) != 0)
            return app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return page_confirm(r, N_("Disable the account"),
                            N_("Disable this account? The person is signed out at once and can no longer sign in; the account and its history are kept."),
                            u.name, arena_printf(r->arena, "/admin/users/%lld/disable", (long long)id),
                            NULL, N_("Yes, disable the account"),
                            arena_printf(r->arena, "/admin/users/%lld", (long long)id));
    }
    res_t rc = users_set_active(r->db, r->user->id, id, active, req_ip(r));
    if (rc == RES_CONFLICT)
        return app_fail(r, RES_CONFLICT, N_("This is the last active platform administrator: give "
                                            "the administrator role to someone else first."),
                        NULL);
    if (rc != RES_OK)
        return app_fail(r, rc, NULL, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        active ? N_("The account was enabled.")
                               : N_("The account was disabled; its sessions were ended."));
}

void users_page_disable(req_t *r)
{
    set_active(r, false);
}

void users_page_enable(req_t *r)
{
    set_active(r, true);
}

/* ----------------------------------------------------------------- roles -- */

void users_page_role_grant(req_t *r)
{
    int64_t id = r->ids[0];
    const char *why = NULL;
    res_t st = users_may_change_roles(r, id, &why);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    role_t role;
    int64_t node, expires;
    st = read_role_fields(r, errors, &role, &node, &expires);
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    if (json_object_size(errors) > 0)
        return render_show(r, id, 422, errors, OPEN_GRANT);
    int64_t role_id = 0;
    st = users_role_grant(r, id, role, node, expires, errors, "role", "role_node", "expires", &role_id,
                          &why);
    if ((st == RES_INVALID || st == RES_CONFLICT) && json_object_size(errors) > 0)
        return render_show(r, id, app_status_of(st), errors, OPEN_GRANT);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The role was given."));
}

void users_page_role_revoke(req_t *r)
{
    int64_t id = r->ids[0], role_id = r->ids[1];
    role_assignment_t ra;
    const char *why = NULL;
    res_t st = users_role_revoke_check(r, id, role_id, &ra, &why);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    if (page_needs_confirm(r)) {
        user_t u;
        const char *place = nodes_label(r->db, r->arena, r->lang, ra.node_id);
        users_load(r->db, r->arena, id, &u);
        return page_confirm(r, N_("Remove the role"),
                            N_("Remove this role? The person loses what it gives at once."),
                            arena_printf(r->arena, "%s · %s · %s", u.name ? u.name : "",
                                         T(r, users_role_msgid(ra.role)), place),
                            arena_printf(r->arena, "/admin/users/%lld/roles/%lld/delete",
                                         (long long)id, (long long)role_id),
                            NULL, N_("Yes, remove the role"),
                            arena_printf(r->arena, "/admin/users/%lld", (long long)id));
    }
    st = users_role_revoke(r->db, r->user->id, id, role_id, req_ip(r), &why);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The role was removed."));
}

/* -------------------------------------------------------------- password -- */

void users_page_password(req_t *r)
{
    int64_t id = r->ids[0];
    if (!users_may_reset(r, id, r->node_id))
        return app_fail(r, RES_FORBIDDEN, NULL, NULL);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    bool bad = false, bad2 = false;
    const char *p = input_str(r, "password", &bad);
    const char *confirm = input_str(r, "password_confirm", &bad2);
    const char *why = NULL;
    if (bad || (p && (!utf8_valid(p, strlen(p)) || str_has_control(p))))
        why = N_("The password contains characters that are not allowed.");
    else
        why = password_problem(p ? p : "");
    if (!why && !users_password_fits(p))
        why = N_("The password must be at most 128 characters long.");
    if (why)
        json_object_set_new(errors, "password", json_string(why));
    else if (bad2 || !str_eq(p, confirm))
        json_object_set_new(errors, "password_confirm", json_string(N_("The two passwords are different.")));
    if (json_object_size(errors) > 0)
        return render_show(r, id, 422, errors, OPEN_RESET);
    res_t rc = users_set_password(r->db, r->user->id, id, p, "password_reset", req_ip(r));
    if (rc != RES_OK)
        return app_fail(r, rc, NULL, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The password was changed. Give it to the person privately; they can change it in their profile."));
}
