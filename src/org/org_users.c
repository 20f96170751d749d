/* org_users.c - the users administration pages: list (scope-filtered),
 * create, details with editing, roles (grant and revoke), disable/enable and
 * password reset. Validation and rules live in org_users_model.c, shared with
 * the API. */
#include "org_users_model.h"

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
    static const char *const secret[] = {"password", "password_confirm", "current_password",
                                         "new_password", "confirm_password", CSRF_FIELD};
    for (size_t i = 0; i < ARRAY_LEN(secret); i++)
        json_object_del(values, secret[i]);
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

void org_page_users(req_t *r)
{
    users_filter_t f = {.active = -1, .limit = 50};
    const char *q = http_query(r, "q");
    if (q && (strlen(q) > 200 || !utf8_valid(q, strlen(q)) || str_has_control(q)))
        q = NULL;
    if (q) {
        q = str_trim(arena_strdup(r->arena, q));
        f.q = *q ? q : NULL;
    }
    const char *node_s = http_query(r, "node");
    if (node_s && !str_to_i64(node_s, &f.node_id))
        f.node_id = 0;
    const char *role = http_query(r, "role");
    f.role = role_from_code(role) != ROLE_NONE ? role : NULL;
    const char *active = http_query(r, "active");
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
                                 users_node_label(r->db, r->arena, r->lang, val_int(ro, "node_id"))));
        }
        json_array_append_new(rows, json_pack("{sI ss ss ss so sb}", "id", (json_int_t)val_int(it, "id"),
                                              "name", js(it, "name"), "login",
                                              user_login(it) ? user_login(it) : "", "home",
                                              users_node_label(r->db, r->arena, r->lang, val_int(it, "node_id")),
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
        const char *text = T(r, "%d to %d of %d");
        text = users_fill_count(r->arena, text, (long)(json_array_size(rows) ? f.offset + 1 : 0));
        text = users_fill_count(r->arena, text, (long)to);
        text = users_fill_count(r->arena, text, (long)total);
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
        users_node_options(r, PERM_USER_READ, 0, f.node_id, NULL), "role_options",
        role_options(~0u, f.role), "status_options", status, "total", (json_int_t)total,
        "can_create", app_user_can_anywhere(r, PERM_USER_MANAGE), "filtered", filtered, "pager",
        pager);
    page_render(r, 200, "org/user_list", model);
}

/* ------------------------------------------------------------------- new -- */

static void render_new(req_t *r, int status, json_t *errors)
{
    static const char *const order[] = {"name", "email", "username", "language", "role", "role_node",
                                        "expires", "node_id", "password", NULL};
    if (errors)
        users_errors_order(errors, order);
    json_t *model = json_pack("{ss}", "title", T(r, "Add a user"));
    json_t *values = prepare_form(r, model, errors, json_pack("{ss}", "language", r->lang ? r->lang : "fr"));
    unsigned mask = 0;
    json_t *grant_nodes = users_node_options(r, PERM_USER_MANAGE, USERS_OPT_GRANTABLE, val_int(values, "role_node"), &mask);
    json_object_set_new(model, "can_grant", json_boolean(json_array_size(grant_nodes) > 0));
    json_object_set_new(model, "role_node_options", grant_nodes);
    json_object_set_new(model, "role_options",
                        role_options(mask, json_string_value(json_object_get(values, "role"))));
    json_object_set_new(model, "can_inspector", json_boolean(mask & (1u << ROLE_INSPECTOR)));
    json_object_set_new(model, "home_options",
                        users_node_options(r, PERM_USER_MANAGE, USERS_OPT_HOMES, val_int(values, "node_id"), NULL));
    json_object_set_new(model, "language_options",
                        language_options(json_string_value(json_object_get(values, "language"))));
    page_render(r, status, "org/user_form", model);
}

/* The role to give (role, role_node, expires fields of the new-user and the
 * grant forms): errors go to errors; returns 404 or 403 when the node is
 * outside the scope or the role may not be given there, else 0. */
static int read_role_fields(req_t *r, json_t *errors, role_t *role, int64_t *node,
                            int64_t *expires)
{
    const char *role_s = v_code(r, errors, "role", true, users_role_codes);
    *node = v_int(r, errors, "role_node", true, 1, INT64_MAX, 0);
    v_required_message(errors, "role", N_("Choose a role."));
    v_required_message(errors, "role_node", N_("Choose where the role applies."));
    *expires = read_expiry(r, errors, "expires");
    *role = role_from_code(role_s);
    if (*node > 0) {
        int st = users_grant_check(r, *role, *node, *expires, errors, "role", "expires");
        if (st == 404 || st == 403)
            return st;
    }
    return 0;
}

void org_page_user_new(req_t *r)
{
    render_new(r, 200, NULL);
}

void org_page_user_create(req_t *r)
{
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    users_input_t in;
    users_read_input(r, errors, &in, true, true);
    role_t role;
    int64_t role_node, expires;
    int st = read_role_fields(r, errors, &role, &role_node, &expires);
    if (st)
        return users_fail(r, st, NULL);
    int64_t home = in.has_node ? in.node_id : (role_node > 0 ? users_home_for(r->db, role_node) : 0);
    if (home > 0) {
        st = users_home_check(r, home, errors);
        if (st == 404 || st == 403)
            return users_fail(r, st, NULL);
    }
    if (json_object_size(errors) == 0)
        users_check_unique(r->db, in.email, in.username, 0, errors);
    if (json_object_size(errors) > 0)
        return render_new(r, 422, errors);

    char hash[160];
    if (password_hash(in.password, hash, sizeof hash) != 0)
        return users_fail(r, 500, NULL);
    org_user_new_t nu = {
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
    int rc = users_insert(r->db, r->user->id, &nu, req_ip(r), &id, &msg, &field);
    if (rc != DB_OK) {
        if (!field)
            return users_fail(r, 500, msg);
        json_object_set_new(errors, field, json_string(msg));
        return render_new(r, 422, errors);
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
        users_errors_order(errors, order);
    json_t *u = users_json(r->db, r, id);
    if (!u)
        return users_fail(r, 404, NULL);
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
        users_node_t n;
        bool can_revoke = false;
        if (roles_editable && several && users_node_load(r->db, r->arena, val_int(ro, "node_id"), &n) == 0)
            can_revoke = authz_can_grant(r->user->roles, r->user->n_roles, role, n.kind, n.path,
                                         n.n_path, now);
        int64_t exp = val_int(ro, "expires_at");
        char date[32] = "";
        if (exp > 0)
            format_local_date(exp, date, sizeof date);
        json_array_append_new(roles, json_pack("{sI ss ss ss sb sb}", "id", (json_int_t)val_int(ro, "id"),
                                               "msgid", users_role_msgid(role), "node",
                                               users_node_label(r->db, r->arena, r->lang, val_int(ro, "node_id")), "expires", date,
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
        js(u, "username"), "language", lang_label, "home", users_node_label(r->db, r->arena, r->lang, home), "active",
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
    json_t *grant_nodes = roles_editable ? users_node_options(r, PERM_USER_MANAGE, USERS_OPT_GRANTABLE,
                                                              val_int(values, "role_node"), &mask)
                                         : json_array();
    json_object_set_new(model, "can_grant", json_boolean(json_array_size(grant_nodes) > 0));
    json_object_set_new(model, "role_node_options", grant_nodes);
    json_object_set_new(model, "role_options",
                        role_options(mask, json_string_value(json_object_get(values, "role"))));
    json_object_set_new(model, "can_inspector", json_boolean(mask & (1u << ROLE_INSPECTOR)));
    json_object_set_new(model, "language_options",
                        language_options(json_string_value(json_object_get(values, "language"))));
    json_t *homes = manage_here ? users_node_options(r, PERM_USER_MANAGE, USERS_OPT_HOMES,
                                                     val_int(values, "node_id"), NULL)
                                : json_array();
    /* the current home stays offered even when disabled, so that saving
     * other fields never moves the account by accident */
    bool found = false;
    json_t *opt;
    json_array_foreach(homes, i, opt) found = found || json_is_true(json_object_get(opt, "selected"));
    if (manage_here && !found)
        json_array_insert_new(homes, 0,
                              json_pack("{sI ss ss sb}", "id", (json_int_t)home, "label",
                                        users_node_label(r->db, r->arena, r->lang, home), "kind", "", "selected", true));
    json_object_set_new(model, "home_options", homes);
    page_render(r, status, "org/user_show", model);
}

void org_page_user_show(req_t *r)
{
    render_show(r, r->ids[0], 200, NULL, OPEN_NONE);
}

void org_page_user_update(req_t *r)
{
    int64_t id = r->ids[0];
    if (r->user->id != id && !users_may_manage(r, id))
        return users_fail(r, 403, NULL);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    users_input_t in;
    users_read_input(r, errors, &in, false, false);
    int64_t version = v_int(r, errors, "version", true, 1, INT64_MAX, 0);
    if (in.has_node) {
        int st = users_home_check(r, in.node_id, errors);
        if (st == 404 || st == 403)
            return users_fail(r, st, NULL);
    }
    if (json_object_size(errors) > 0)
        return render_show(r, id, 422, errors, OPEN_EDIT);
    int st = users_update(r, id, &in, version, errors);
    if (st == 0)
        return page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                                   N_("The changes were saved."));
    if ((st == 409 || st == 422) && json_object_size(errors) > 0)
        return render_show(r, id, st, errors, OPEN_EDIT);
    users_fail(r, st, NULL);
}

static void set_active(req_t *r, bool active)
{
    int64_t id = r->ids[0];
    if (!users_may_manage(r, id))
        return users_fail(r, 403, NULL);
    if (!active && r->user->id == id)
        return users_fail(r, 409, N_("You cannot disable your own account."));
    int rc = users_set_active(r->db, r->user->id, id, active, req_ip(r));
    if (rc == DB_CONSTRAINT)
        return users_fail(r, 409, N_("This is the last active platform administrator: give the "
                                     "administrator role to someone else first."));
    if (rc != DB_OK)
        return users_fail(r, 500, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        active ? N_("The account was enabled.")
                               : N_("The account was disabled; its sessions were ended."));
}

void org_page_user_disable(req_t *r)
{
    set_active(r, false);
}

void org_page_user_enable(req_t *r)
{
    set_active(r, true);
}

/* ----------------------------------------------------------------- roles -- */

void org_page_role_grant(req_t *r)
{
    int64_t id = r->ids[0];
    const char *why = NULL;
    if (users_may_change_roles(r, id, &why) != 0)
        return users_fail(r, 403, why);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    role_t role;
    int64_t node, expires;
    int st = read_role_fields(r, errors, &role, &node, &expires);
    if (st)
        return users_fail(r, st, NULL);
    if (json_object_size(errors) > 0)
        return render_show(r, id, 422, errors, OPEN_GRANT);
    if (db_begin(r->db) != DB_OK)
        return users_fail(r, 500, NULL);
    int rc = users_role_insert(r->db, r->user->id, id, role, node, expires, req_ip(r), true);
    if (rc != DB_OK) {
        db_rollback(r->db);
        if (rc != DB_CONSTRAINT)
            return users_fail(r, 500, NULL);
        json_object_set_new(errors, "role", json_string(N_("This person already has this role there.")));
        return render_show(r, id, 409, errors, OPEN_GRANT);
    }
    if (db_commit(r->db) != DB_OK)
        return users_fail(r, 500, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The role was given."));
}

void org_page_role_revoke(req_t *r)
{
    int64_t id = r->ids[0], role_id = r->ids[1];
    json_t *row = db_query_row_json(r->db,
                                    "SELECT ur.role, ur.node_id FROM user_roles ur "
                                    "WHERE ur.id = ? AND ur.user_id = ?",
                                    PARAMS(P_INT(role_id), P_INT(id)));
    if (!row)
        return users_fail(r, 404, NULL);
    arena_defer(r->arena, (void (*)(void *))json_decref, row);
    role_t role = role_from_code(json_string_value(json_object_get(row, "role")));
    int64_t node_id = val_int(row, "node_id");
    users_node_t n;
    if (users_node_load(r->db, r->arena, node_id, &n) != 0 ||
        app_authorize(r, PERM_USER_MANAGE, node_id) == AUTHZ_NOT_FOUND)
        return users_fail(r, 404, NULL);
    const char *why = NULL;
    if (users_may_change_roles(r, id, &why) != 0)
        return users_fail(r, 403, why);
    if (!authz_can_grant(r->user->roles, r->user->n_roles, role, n.kind, n.path, n.n_path, now_utc()))
        return users_fail(r, 403, NULL);
    int st = users_role_revoke(r->db, r->user->id, id, role_id, req_ip(r), &why);
    if (st != 0)
        return users_fail(r, st, why);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The role was removed."));
}

/* -------------------------------------------------------------- password -- */

void org_page_user_password(req_t *r)
{
    int64_t id = r->ids[0];
    if (!users_may_reset(r, id, r->node_id))
        return users_fail(r, 403, NULL);
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
    if (users_reset_password(r, id, p) != 0)
        return users_fail(r, 500, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/admin/users/%lld", (long long)id),
                        N_("The password was changed. Give it to the person privately; they can change it in their profile."));
}
