/* users_api.c - the users JSON API: list (scope-filtered before paging),
 * create with roles, read, PATCH (fields, active, password reset), and a
 * role given or removed. Same rules and validation as the pages
 * (users_write.c). */
#include "users_internal.h"

#include <string.h>

#define API_MAX_ROLES 20


/* The API writes times as ISO 8601 strings (pages format them themselves). */
static json_t *api_user_times(json_t *u)
{
    static const char *const user_times[] = {"created_at", "last_login_at", NULL};
    static const char *const role_times[] = {"expires_at", NULL};
    api_times_iso(u, user_times);
    if (json_is_array(u)) {
        size_t i;
        json_t *v;
        json_array_foreach(u, i, v) api_times_iso(json_object_get(v, "roles"), role_times);
    } else {
        api_times_iso(json_object_get(u, "roles"), role_times);
    }
    return u;
}

static void fail_invalid(req_t *r, json_t *errors)
{
    app_fail(r, RES_INVALID, N_("Some fields are not valid."), errors);
}

/* ------------------------------------------------------------------ list -- */

void users_api_list(req_t *r)
{
    json_t *errors = json_object();
    users_filter_t f = {.active = -1, .limit = 50};
    const char *q = req_query(r, "q");
    if (q && (strlen(q) > 200 || !utf8_valid(q, strlen(q)) || str_has_control(q)))
        json_object_set_new(errors, "q", json_string(N_("The text contains characters that are not allowed.")));
    else if (q)
        f.q = str_trim(arena_strdup(r->arena, q));
    const char *node = req_query(r, "node_id");
    if (node && *node && (!str_to_i64(node, &f.node_id) || f.node_id < 1))
        json_object_set_new(errors, "node_id", json_string(N_("Enter a whole number.")));
    const char *role = req_query(r, "role");
    if (role && *role && role_from_code(role) == ROLE_NONE)
        json_object_set_new(errors, "role", json_string(N_("Choose a role.")));
    else if (role && *role)
        f.role = role;
    const char *active = req_query(r, "active");
    if (str_eq(active, "1") || str_eq(active, "true"))
        f.active = 1;
    else if (str_eq(active, "0") || str_eq(active, "false"))
        f.active = 0;
    else if (active && *active)
        json_object_set_new(errors, "active", json_string(N_("Must be true or false.")));
    v_paging(r, errors, &f.limit, &f.offset);
    if (json_object_size(errors) > 0)
        return fail_invalid(r, errors);
    json_decref(errors);
    int64_t total = 0;
    json_t *items = users_list(r, &f, &total);
    api_send(r, 200, json_pack("{so sI}", "items", api_user_times(items), "total", (json_int_t)total));
}

/* ---------------------------------------------------------------- create -- */

typedef struct {
    role_t role;
    int64_t node_id;
    int64_t expires;
} api_role_t;

static bool role_keys_known(json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "role") != 0 && strcmp(key, "node_id") != 0 && strcmp(key, "expires_at") != 0)
            return false;
    }
    return true;
}

/* Parse "roles": [{"role","node_id","expires_at"}]. Returns the count; errors
 * go to errors["roles"]. */
static int parse_roles(req_t *r, json_t *errors, api_role_t *out)
{
    json_t *arr = json_object_get(r->json, "roles");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        json_object_set_new(errors, "roles", json_string(N_("Give at least one role.")));
        return 0;
    }
    if (json_array_size(arr) > API_MAX_ROLES) {
        json_object_set_new(errors, "roles", json_string(N_("Too many roles at once.")));
        return 0;
    }
    int n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        json_t *jr = json_object_get(it, "role");
        json_t *jn = json_object_get(it, "node_id");
        json_t *je = json_object_get(it, "expires_at");
        role_t role = json_is_string(jr) ? role_from_code(json_string_value(jr)) : ROLE_NONE;
        const char *why = NULL;
        int64_t expires = 0;
        if (!json_is_object(it) || !role_keys_known(it))
            why = N_("Each role needs a role and a place, nothing else.");
        else if (role == ROLE_NONE)
            why = N_("Choose a role.");
        else if (!json_is_integer(jn) || json_integer_value(jn) < 1)
            why = N_("Choose a place.");
        else if (json_is_integer(je)) {
            /* an integer is a wish for an end date: 0 or below is no "never" */
            expires = json_integer_value(je);
            why = users_check_expiry(expires, now_utc());
        } else if (json_is_string(je)) {
            if (users_parse_date(json_string_value(je), &expires) != 0 &&
                users_parse_iso(json_string_value(je), &expires) != 0)
                why = N_("Enter a date like 31/12/2026.");
            else
                why = users_check_expiry(expires, now_utc());
        } else if (je && !json_is_null(je))
            why = N_("Enter a date like 31/12/2026.");
        if (why) {
            if (!json_object_get(errors, "roles"))
                json_object_set_new(errors, "roles", json_string(why));
            continue;
        }
        out[n++] = (api_role_t){role, json_integer_value(jn), expires};
    }
    return n;
}

void users_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    static const char *const known[] = {"email", "username", "name",  "password",
                                        "language", "node_id", "roles", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    users_input_t in;
    users_read_input(r, errors, &in, true, true);
    api_role_t roles[API_MAX_ROLES];
    int n = parse_roles(r, errors, roles);
    for (int i = 0; i < n; i++) {
        res_t st = users_grant_check(r, roles[i].role, roles[i].node_id, roles[i].expires, errors,
                                     "roles", "roles");
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN) {
            json_decref(errors);
            return app_fail(r, st, NULL, NULL);
        }
    }
    int64_t home = in.has_node ? in.node_id : (n > 0 ? nodes_home_for(r->db, roles[0].node_id) : 0);
    if (home > 0) {
        res_t st = users_home_check(r, home, errors);
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN) {
            json_decref(errors);
            return app_fail(r, st, NULL, NULL);
        }
    }
    if (json_object_size(errors) > 0)
        return fail_invalid(r, errors);
    if (users_check_unique(r->db, in.email, in.username, 0, errors) > 0)
        return app_fail(r, RES_CONFLICT, N_("This email or username is already used."), errors);

    char hash[160];
    if (password_hash(in.password, hash, sizeof hash) != 0) {
        json_decref(errors);
        return app_fail(r, RES_ERROR, NULL, NULL);
    }
    role_t rl[API_MAX_ROLES];
    int64_t rn[API_MAX_ROLES], re[API_MAX_ROLES];
    for (int i = 0; i < n; i++) {
        rl[i] = roles[i].role;
        rn[i] = roles[i].node_id;
        re[i] = roles[i].expires;
    }
    user_new_t nu = {
        .email = in.email,
        .username = in.username,
        .name = in.name,
        .language = in.language,
        .password_hash = hash,
        .home_node_id = home,
        .roles = rl,
        .role_nodes = rn,
        .role_expiry = re,
        .n_roles = n,
    };
    int64_t id = 0;
    const char *msg = NULL, *field = NULL;
    res_t rc = users_insert(r->db, r->user->id, &nu, req_ip(r), &id, &msg, &field);
    if (rc != RES_OK) {
        if (!field) {
            json_decref(errors);
            return app_fail(r, RES_ERROR, msg, NULL);
        }
        json_object_set_new(errors, field, json_string(msg));
        if (rc == RES_CONFLICT)
            return app_fail(r, RES_CONFLICT, msg, errors);
        return fail_invalid(r, errors);
    }
    json_decref(errors);
    json_t *u = users_json(r, id);
    if (!u)
        return app_fail(r, RES_ERROR, NULL, NULL);
    api_send(r, 201, api_user_times(u));
}

/* ------------------------------------------------------------ read/patch -- */

void users_api_get(req_t *r)
{
    json_t *u = users_json(r, r->ids[0]);
    if (!u)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    api_send(r, 200, api_user_times(u));
}

void users_api_patch(req_t *r)
{
    if (!api_body_object(r))
        return;
    int64_t id = r->ids[0];
    bool self = r->user->id == id;
    static const char *const known[] = {"name",   "email",    "username", "language",
                                        "active", "password", "version",  "node_id", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    users_input_t in;
    users_read_input(r, errors, &in, false, true);
    int64_t version = v_int(r, errors, "version", false, 1, INT64_MAX, 0);
    json_t *active = json_object_get(r->json, "active");
    if (active && !json_is_boolean(active))
        json_object_set_new(errors, "active", json_string(N_("Must be true or false.")));

    /* 403 before 422: may this caller touch this account at all? */
    bool only_own_fields = self && !active && !in.has_password && !in.has_node;
    if (!only_own_fields && !users_may_manage(r, id)) {
        json_decref(errors);
        return app_fail(r, RES_FORBIDDEN, NULL, NULL);
    }
    if (in.has_node) {
        res_t st = users_home_check(r, in.node_id, errors);
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN) {
            json_decref(errors);
            return app_fail(r, st, NULL, NULL);
        }
    }
    if (in.has_password && !users_may_reset(r, id, r->node_id)) {
        json_decref(errors);
        return app_fail(r, RES_FORBIDDEN, NULL, NULL);
    }
    if (json_object_size(errors) > 0)
        return fail_invalid(r, errors);
    /* 409 after 422: conflicts with the current state */
    if (self && json_is_false(active)) {
        json_decref(errors);
        return app_fail(r, RES_CONFLICT, N_("You cannot disable your own account."), NULL);
    }
    char hash[160];
    if (in.has_password && password_hash(in.password, hash, sizeof hash) != 0) {
        json_decref(errors);
        return app_fail(r, RES_ERROR, NULL, NULL);
    }
    /* fields, active and password: one transaction, all or nothing */
    const char *msg = NULL;
    res_t st = users_apply(r, id, &in, version, active ? (json_is_true(active) ? 1 : 0) : -1,
                           in.has_password ? hash : NULL, errors, &msg);
    if (st == RES_CONFLICT && json_object_size(errors) > 0)
        return app_fail(r, RES_CONFLICT, N_("This email or username is already used."), errors);
    if (st == RES_INVALID)
        return fail_invalid(r, errors);
    json_decref(errors);
    if (st != RES_OK)
        return app_fail(r, st,
                        st == RES_CONFLICT && !msg
                            ? N_("Someone else changed this account meanwhile; reload the page and try again.")
                            : msg,
                        NULL);
    json_t *u = users_json(r, id);
    if (!u)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    api_send(r, 200, api_user_times(u));
}

/* ----------------------------------------------------------------- roles -- */

/* POST /api/v1/users/{id}/roles {"role", "node_id", "expires_at"} -> 201
 * with the assignment: the rules, statuses, audit and notification of the
 * grant form. */
void users_api_role_grant(req_t *r)
{
    if (!api_body_object(r))
        return;
    int64_t id = r->ids[0];
    static const char *const known[] = {"role", "node_id", "expires_at", NULL};
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    v_unknown_fields(r, errors, known);
    const char *why = NULL;
    /* 403 before 422: may this caller change this account's roles at all? */
    res_t st = users_may_change_roles(r, id, &why);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    json_t *jr = json_object_get(r->json, "role");
    json_t *jn = json_object_get(r->json, "node_id");
    json_t *je = json_object_get(r->json, "expires_at");
    role_t role = ROLE_NONE;
    if (!jr || json_is_null(jr))
        v_error(errors, "role", N_("Choose a role."));
    else if (!json_is_string(jr) || (role = role_from_code(json_string_value(jr))) == ROLE_NONE)
        v_error(errors, "role", N_("Choose a value from the list."));
    int64_t node = 0;
    if (!jn || json_is_null(jn))
        v_error(errors, "node_id", N_("Choose where the role applies."));
    else if (!json_is_integer(jn) || (node = json_integer_value(jn)) < 1)
        v_error(errors, "node_id", N_("Enter a whole number."));
    int64_t expires = 0;
    if (json_is_string(je)) {
        const char *bad = NULL;
        if (users_parse_date(json_string_value(je), &expires) != 0 &&
            users_parse_iso(json_string_value(je), &expires) != 0)
            v_error(errors, "expires_at", N_("Enter a date like 31/12/2026."));
        else if ((bad = users_check_expiry(expires, now_utc())) != NULL)
            v_error(errors, "expires_at", bad);
    } else if (json_is_integer(je)) {
        expires = json_integer_value(je);
        const char *bad = users_check_expiry(expires, now_utc());
        if (bad)
            v_error(errors, "expires_at", bad);
    } else if (je && !json_is_null(je)) {
        v_error(errors, "expires_at", N_("Enter a date like 31/12/2026."));
    }
    if (node > 0) {
        /* 404 outside the caller's scope, 403 where they may not give it */
        json_t *scratch = json_object();
        arena_defer(r->arena, (void (*)(void *))json_decref, scratch);
        st = users_grant_check(r, role == ROLE_NONE ? ROLE_STAFF : role, node, 0, scratch, "role",
                               "expires_at");
        if (st == RES_NOT_FOUND || st == RES_FORBIDDEN)
            return app_fail(r, st, NULL, NULL);
    }
    if (json_object_size(errors) > 0)
        return app_fail(r, RES_INVALID, N_("Some fields are not valid."), json_incref(errors));
    int64_t role_id = 0;
    st = users_role_grant(r, id, role, node, expires, errors, "role", "node_id", "expires_at",
                          &role_id, &why);
    if (st == RES_INVALID || (st == RES_CONFLICT && json_object_size(errors) > 0))
        return app_fail(r, st, st == RES_CONFLICT ? N_("This person already holds this role here.")
                                                  : N_("Some fields are not valid."),
                        json_incref(errors));
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    db_res_t *res = db_query(r->db, "SELECT " ROLE_COLS " FROM user_roles ur WHERE ur.id = ?",
                             PARAMS(P_INT(role_id)));
    role_assignment_t ra;
    bool ok = res && db_next(res) && users_role_from_row(r->arena, res, 0, &ra);
    if (res)
        db_res_free(res);
    if (!ok)
        return app_fail(r, RES_ERROR, NULL, NULL);
    node_t n;
    json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:o}", "id", (json_int_t)ra.id, "user_id",
                          (json_int_t)id, "role", role_code(ra.role), "node_id", (json_int_t)ra.node_id,
                          "node_name", nodes_load(r->db, r->arena, ra.node_id, &n) == 0 ? n.name : "",
                          "node_kind", node_kind_code(ra.node_kind), "expires_at",
                          ra.expires_at ? json_integer(ra.expires_at) : json_null());
    static const char *const times[] = {"expires_at", NULL};
    api_times_iso(o, times);
    api_send(r, 201, o);
}

/* DELETE /api/v1/users/{id}/roles/{role_id} -> 204. */
void users_api_role_revoke(req_t *r)
{
    int64_t id = r->ids[0], role_id = r->ids[1];
    role_assignment_t ra;
    const char *why = NULL;
    res_t st = users_role_revoke_check(r, id, role_id, &ra, &why);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    st = users_role_revoke(r->db, r->user->id, id, role_id, req_ip(r), &why);
    if (st != RES_OK)
        return app_fail(r, st, why, NULL);
    http_respond(r->http, 204, NULL, NULL, 0);
}
