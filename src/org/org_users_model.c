/* org_users_model.c - users and their role assignments: the rules every entry
 * point shares (pages, API, command line, the sign-in) and the loading of the
 * signed-in user. Writes happen in one transaction with their audit rows. */
#include "org_users_model.h"

#include "../core/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* users.search_key: name, email and username folded (the fields and order
 * of org_search_keys_refresh); malloc'd. */
static char *user_search_key(const char *name, const char *email, const char *username)
{
    const char *fields[] = {name, email, username};
    return text_fold_key(fields, ARRAY_LEN(fields));
}

/* --------------------------------------------------------------- nodes -- */

int users_node_load(db_t *db, arena_t *a, int64_t id, users_node_t *out)
{
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return -1;
    db_res_t *res = db_query(db, "SELECT id, parent_id, kind, name, active, path FROM nodes WHERE id = ?",
                             PARAMS(P_INT(id)));
    if (!res)
        return -1;
    int rc = -1;
    if (db_next(res)) {
        int k = node_kind_from_code(db_text(res, 2));
        out->id = db_int(res, 0);
        out->parent_id = db_int(res, 1);
        out->kind = k < 0 ? NODE_UNIT : (node_kind_t)k;
        out->name = arena_strdup(a, db_text(res, 3) ? db_text(res, 3) : "");
        out->active = db_int(res, 4) != 0;
        out->n_path = users_path_parse(db_text(res, 5), out->path, USERS_PATH_MAX);
        if (k >= 0 && out->n_path > 0)
            rc = 0;
    }
    db_res_free(res);
    return rc;
}

int64_t users_home_for(db_t *db, int64_t role_node_id)
{
    arena_t *a = arena_new();
    users_node_t n;
    int64_t home = 0;
    if (users_node_load(db, a, role_node_id, &n) == 0)
        home = n.kind == NODE_UNIT ? n.parent_id : n.id;
    arena_free(a);
    return home;
}

/* --------------------------------------------------------------- input -- */

static const char *obj_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void set_error(json_t *errors, const char *field, const char *msgid)
{
    if (errors && !json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msgid));
}

bool users_field_present(req_t *r, const char *field)
{
    if (r->json)
        return json_object_get(r->json, field) != NULL;
    return http_form(r, field) != NULL;
}

static bool field_null(req_t *r, const char *field)
{
    return r->json && json_is_null(json_object_get(r->json, field));
}

void users_read_input(req_t *r, json_t *errors, users_input_t *in, bool creating,
                      bool want_password)
{
    memset(in, 0, sizeof *in);

    in->has_name = creating || users_field_present(r, "name");
    if (in->has_name) {
        in->name = v_text(r, errors, "name", true, USERS_NAME_MAX);
        v_required_message(errors, "name", N_("Enter the person's full name."));
        if (in->name && strpbrk(in->name, "\t\r\n"))
            set_error(errors, "name", N_("The text contains characters that are not allowed."));
    }

    in->has_email = creating || users_field_present(r, "email");
    if (in->has_email && !field_null(r, "email")) {
        const char *e = v_email(r, errors, "email", false);
        if (e && *e) {
            char *c = arena_strdup(r->arena, e);
            users_lower(c);
            const char *why = users_check_email(c);
            if (why)
                set_error(errors, "email", why);
            in->email = c;
        }
    }

    in->has_username = creating || users_field_present(r, "username");
    if (in->has_username && !field_null(r, "username")) {
        const char *u = v_text(r, errors, "username", false, USERS_USERNAME_MAX);
        if (u && *u) {
            char *c = arena_strdup(r->arena, u);
            users_lower(c);
            const char *why = users_check_username(c);
            if (why)
                set_error(errors, "username", why);
            in->username = c;
        }
    }
    if (creating && !in->email && !in->username && !json_object_get(errors, "email") &&
        !json_object_get(errors, "username"))
        set_error(errors, "email", N_("Give an email address or a username (at least one)."));

    in->has_language = creating || users_field_present(r, "language");
    if (in->has_language) {
        in->language = v_code(r, errors, "language", !creating, users_languages);
        if (!in->language && creating)
            in->language = "fr";
    }

    if (users_field_present(r, "node_id")) {
        const char *raw = input_str(r, "node_id", &(bool){false});
        if (raw && !str_empty(raw)) {
            in->node_id = v_int(r, errors, "node_id", false, 1, INT64_MAX, 0);
            in->has_node = in->node_id > 0;
        } else if (r->json && !field_null(r, "node_id")) {
            set_error(errors, "node_id", N_("Choose a place."));
        }
    }

    if (want_password) {
        bool bad = false;
        const char *p = input_str(r, "password", &bad);
        in->has_password = p != NULL || bad;
        if (bad || (p && (!utf8_valid(p, strlen(p)) || str_has_control(p)))) {
            set_error(errors, "password", N_("The password contains characters that are not allowed."));
        } else if (creating || p) {
            const char *why = password_problem(p ? p : "");
            if (!why && !users_password_fits(p))
                why = N_("The password must be at most 128 characters long.");
            if (why)
                set_error(errors, "password", why);
            in->password = p;
        }
    }
}

int users_check_unique(db_t *db, const char *email, const char *username, int64_t except_id,
                       json_t *errors)
{
    int n = 0;
    if (email && db_query_int(db, "SELECT id FROM users WHERE email = ? AND id <> ?",
                              PARAMS(P_TEXT(email), P_INT(except_id)), 0) > 0) {
        set_error(errors, "email", N_("This email is already used."));
        n++;
    }
    if (username && db_query_int(db, "SELECT id FROM users WHERE username = ? AND id <> ?",
                                 PARAMS(P_TEXT(username), P_INT(except_id)), 0) > 0) {
        set_error(errors, "username", N_("This username is already used."));
        n++;
    }
    return n;
}

/* --------------------------------------------------------------- roles -- */

int users_grant_check(req_t *r, role_t role, int64_t node_id, int64_t expires, json_t *errors,
                      const char *role_field, const char *exp_field)
{
    users_node_t n;
    if (!r->user || users_node_load(r->db, r->arena, node_id, &n) != 0)
        return 404;
    if (app_authorize(r, PERM_USER_MANAGE, node_id) == AUTHZ_NOT_FOUND)
        return 404;
    if (role == ROLE_NONE) {
        set_error(errors, role_field, N_("Choose a role."));
        return 422;
    }
    if (!authz_role_fits_node(role, n.kind)) {
        set_error(errors, role_field, N_("This role cannot be given at this kind of place."));
        return 422;
    }
    int64_t now = now_utc();
    if (!authz_can_grant(r->user->roles, r->user->n_roles, role, n.kind, n.path, n.n_path, now))
        return 403;
    if (!n.active) {
        set_error(errors, role_field, N_("This place is disabled."));
        return 422;
    }
    if (role == ROLE_INSPECTOR && expires == 0) {
        set_error(errors, exp_field, N_("An inspector needs an end date."));
        return 422;
    }
    const char *why = expires != 0 ? users_check_expiry(expires, now) : NULL;
    if (why) {
        set_error(errors, exp_field, why);
        return 422;
    }
    return 0;
}

int users_home_check(req_t *r, int64_t node_id, json_t *errors)
{
    users_node_t n;
    if (users_node_load(r->db, r->arena, node_id, &n) != 0)
        return 404;
    authz_result_t ar = app_authorize(r, PERM_USER_MANAGE, node_id);
    if (ar != AUTHZ_ALLOW)
        return ar == AUTHZ_NOT_FOUND ? 404 : 403;
    if (n.kind == NODE_UNIT) {
        set_error(errors, "node_id",
                  N_("Choose an establishment or an association: a unit does not manage accounts."));
        return 422;
    }
    if (!n.active) {
        set_error(errors, "node_id", N_("This place is disabled."));
        return 422;
    }
    return 0;
}

bool users_may_manage(req_t *r, int64_t target_id)
{
    if (!r->user)
        return false;
    db_res_t *res = db_query(r->db,
                             "SELECT ur.role, n.kind, n.path FROM user_roles ur "
                             "JOIN nodes n ON n.id = ur.node_id WHERE ur.user_id = ? ORDER BY ur.id",
                             PARAMS(P_INT(target_id)));
    if (!res)
        return false;
    bool ok = true;
    int64_t now = now_utc();
    while (ok && db_next(res)) {
        role_t role = role_from_code(db_text(res, 0));
        int kind = node_kind_from_code(db_text(res, 1));
        int64_t path[USERS_PATH_MAX];
        int n_path = users_path_parse(db_text(res, 2), path, USERS_PATH_MAX);
        ok = role != ROLE_NONE && kind >= 0 && n_path > 0 &&
             authz_can_grant(r->user->roles, r->user->n_roles, role, (node_kind_t)kind, path, n_path,
                             now);
    }
    db_res_free(res);
    return ok;
}

int users_may_change_roles(req_t *r, int64_t target_id, const char **msgid)
{
    if (msgid)
        *msgid = NULL;
    if (!r->user)
        return 403;
    /* nobody widens or narrows their own access: someone above does it */
    if (r->user->id == target_id) {
        if (msgid)
            *msgid = N_("You cannot change your own roles.");
        return 403;
    }
    return users_may_manage(r, target_id) ? 0 : 403;
}

#define ROOT_ADMINS                                                                              \
    "SELECT COUNT(*) FROM user_roles ur JOIN nodes n ON n.id = ur.node_id "                        \
    "JOIN users u ON u.id = ur.user_id WHERE ur.role = 'admin' AND n.kind = 'root' "               \
    "AND u.active = 1 AND (ur.expires_at IS NULL OR ur.expires_at > ?) "

bool users_is_last_admin(db_t *db, int64_t user_id)
{
    int64_t now = now_utc();
    if (user_id <= 0 ||
        db_query_int(db, ROOT_ADMINS "AND ur.user_id = ?", PARAMS(P_INT(now), P_INT(user_id)), 0) <= 0)
        return false;
    /* a failed count (-1) answers yes: refusing is the safe side */
    return db_query_int(db, ROOT_ADMINS "AND ur.user_id <> ?", PARAMS(P_INT(now), P_INT(user_id)), -1) <= 0;
}

/* Serialise the changes that may remove a platform administrator: SQLite
 * transactions already take the write lock (BEGIN IMMEDIATE); on PostgreSQL
 * two of them could otherwise each see the other's admin still there. */
static int lock_admins(db_t *db)
{
    if (db_kind(db) != DB_PG)
        return DB_OK;
    db_res_t *res = db_query(db, "SELECT id FROM nodes WHERE kind = 'root' ORDER BY id FOR UPDATE", NOPARAMS);
    if (!res)
        return DB_ERR;
    while (db_next(res)) {
    }
    int rc = db_res_status(res);
    db_res_free(res);
    return rc;
}

int users_role_revoke(db_t *db, int64_t actor, int64_t user_id, int64_t role_id, const char *ip,
                      const char **msgid)
{
    *msgid = NULL;
    bool mine;
    if (!users_tx_begin(db, &mine))
        return 500;
    int st = 0, rc = lock_admins(db);
    json_t *row = rc == DB_OK ? db_query_row_json(db,
                                                  "SELECT ur.role, ur.node_id, n.kind FROM user_roles ur "
                                                  "JOIN nodes n ON n.id = ur.node_id "
                                                  "WHERE ur.id = ? AND ur.user_id = ?",
                                                  PARAMS(P_INT(role_id), P_INT(user_id)))
                              : NULL;
    if (rc != DB_OK)
        st = 500;
    else if (!row)
        st = 404;
    const char *role = row ? obj_str(row, "role") : NULL;
    int64_t node_id = row ? json_integer_value(json_object_get(row, "node_id")) : 0;
    if (st == 0 && db_query_int(db, "SELECT COUNT(*) FROM user_roles WHERE user_id = ?",
                                PARAMS(P_INT(user_id)), 0) <= 1) {
        st = 409;
        *msgid = N_("An account keeps at least one role: give the new role before removing this one.");
    }
    if (st == 0 && str_eq(role, "admin") && str_eq(obj_str(row, "kind"), "root") &&
        users_is_last_admin(db, user_id)) {
        st = 409;
        *msgid = N_("This is the last active platform administrator: give the administrator role "
                    "to someone else first.");
    }
    if (st == 0) {
        rc = db_exec(db, "DELETE FROM user_roles WHERE id = ?", PARAMS(P_INT(role_id)));
        if (rc == DB_OK) {
            json_t *ch = json_pack("{sI ss sI}", "user_id", (json_int_t)user_id, "role", role,
                                   "node_id", (json_int_t)node_id);
            rc = audit_write(db, actor, "revoke", "role", role_id, node_id, ch, ip);
            json_decref(ch);
        }
        if (rc != DB_OK)
            st = 500;
    }
    json_decref(row);
    if (users_tx_end(db, mine, st == 0) != DB_OK && st == 0)
        st = 500;
    return st;
}

int users_role_insert(db_t *db, int64_t actor, int64_t user_id, role_t role, int64_t node_id,
                      int64_t expires, const char *ip, bool notify)
{
    const char *code = role_code(role);
    if (db_query_int(db, "SELECT id FROM user_roles WHERE user_id = ? AND role = ? AND node_id = ?",
                     PARAMS(P_INT(user_id), P_TEXT(code), P_INT(node_id)), 0) > 0)
        return DB_CONSTRAINT;
    int64_t role_id = db_query_int(
        db,
        "INSERT INTO user_roles (user_id, role, node_id, expires_at, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        PARAMS(P_INT(user_id), P_TEXT(code), P_INT(node_id), expires > 0 ? P_INT(expires) : P_NULL,
               P_INT(now_utc()), actor > 0 ? P_INT(actor) : P_NULL),
        0);
    if (role_id <= 0)
        return db_last_code(db) == DB_CONSTRAINT ? DB_CONSTRAINT : DB_ERR;
    json_t *ch = json_pack("{sI ss sI}", "user_id", (json_int_t)user_id, "role", code, "node_id",
                           (json_int_t)node_id);
    if (expires > 0)
        json_object_set_new(ch, "expires_at", json_integer(expires));
    int rc = audit_write(db, actor, "grant", "role", role_id, node_id, ch, ip);
    json_decref(ch);
    if (rc != DB_OK)
        return rc;
    if (notify) {
        json_t *row = db_query_row_json(db, "SELECT name FROM nodes WHERE id = ?", PARAMS(P_INT(node_id)));
        const char *node_name = row ? json_string_value(json_object_get(row, "name")) : NULL;
        /* arg1 is the role's msgid: the notifications page translates it */
        rc = notify_user(db, user_id, "role_granted", N_("You were given the role %s at %s."),
                         users_role_msgid(role), node_name ? node_name : "", "/");
        json_decref(row);
    }
    return rc;
}

/* --------------------------------------------------------------- users -- */

bool users_tx_begin(db_t *db, bool *mine)
{
    *mine = !db_in_tx(db);
    return !*mine || db_begin(db) == DB_OK;
}

int users_tx_end(db_t *db, bool mine, bool ok)
{
    if (!mine)
        return ok ? DB_OK : DB_ERR;
    if (ok)
        return db_commit(db);
    db_rollback(db);
    return DB_ERR;
}

static int insert_fail(const char **err_msgid, const char **err_field, const char *msgid,
                       const char *field)
{
    *err_msgid = msgid;
    *err_field = field;
    return DB_ERR;
}

int users_insert(db_t *db, int64_t actor, const org_user_new_t *u, const char *ip,
                 int64_t *id_out, const char **err_msgid, const char **err_field)
{
    const char *dummy_msg, *dummy_field;
    if (!err_msgid)
        err_msgid = &dummy_msg;
    if (!err_field)
        err_field = &dummy_field;
    *err_msgid = NULL;
    *err_field = NULL;

    char email[USERS_EMAIL_MAX + 1] = "", username[USERS_USERNAME_MAX + 1] = "";
    if (u->email && *u->email) {
        if (strlen(u->email) > USERS_EMAIL_MAX)
            return insert_fail(err_msgid, err_field, users_check_email(""), "email");
        snprintf(email, sizeof email, "%s", u->email);
        users_lower(email);
        const char *why = users_check_email(email);
        if (why)
            return insert_fail(err_msgid, err_field, why, "email");
    }
    if (u->username && *u->username) {
        if (strlen(u->username) > USERS_USERNAME_MAX)
            return insert_fail(err_msgid, err_field, users_check_username("x"), "username");
        snprintf(username, sizeof username, "%s", u->username);
        users_lower(username);
        const char *why = users_check_username(username);
        if (why)
            return insert_fail(err_msgid, err_field, why, "username");
    }
    if (!*email && !*username)
        return insert_fail(err_msgid, err_field,
                           N_("Give an email address or a username (at least one)."), "email");
    const char *why = users_check_name(u->name);
    if (why)
        return insert_fail(err_msgid, err_field, why, "name");
    const char *lang = u->language ? u->language : "fr";
    if (!users_language_ok(lang))
        return insert_fail(err_msgid, err_field, N_("Choose a language."), "language");
    if (!u->password_hash || !*u->password_hash)
        return insert_fail(err_msgid, err_field, N_("Enter a password."), "password");
    if (u->n_roles < 1 || !u->roles || !u->role_nodes)
        return insert_fail(err_msgid, err_field, N_("Give at least one role."), "roles");

    arena_t *a = arena_new();
    for (int i = 0; i < u->n_roles; i++) {
        users_node_t n;
        if (users_node_load(db, a, u->role_nodes[i], &n) != 0) {
            arena_free(a);
            return insert_fail(err_msgid, err_field, N_("This place does not exist."), "roles");
        }
        if (!authz_role_fits_node(u->roles[i], n.kind)) {
            arena_free(a);
            return insert_fail(err_msgid, err_field,
                               N_("This role cannot be given at this kind of place."), "roles");
        }
        const char *why_exp = u->role_expiry && u->role_expiry[i] != 0
                                  ? users_check_expiry(u->role_expiry[i], now_utc())
                                  : NULL;
        if (why_exp) {
            arena_free(a);
            return insert_fail(err_msgid, err_field, why_exp, "roles");
        }
    }
    arena_free(a);
    int64_t home = u->home_node_id > 0 ? u->home_node_id : users_home_for(db, u->role_nodes[0]);
    if (home <= 0 || db_query_int(db, "SELECT id FROM nodes WHERE id = ?", PARAMS(P_INT(home)), 0) <= 0)
        return insert_fail(err_msgid, err_field, N_("This place does not exist."), "node_id");

    bool mine;
    if (!users_tx_begin(db, &mine))
        return insert_fail(err_msgid, err_field, N_("The database is busy; try again."), NULL);
    json_t *dup = json_object();
    int ndup = users_check_unique(db, *email ? email : NULL, *username ? username : NULL, 0, dup);
    if (ndup > 0) {
        bool email_dup = json_object_get(dup, "email") != NULL;
        *err_field = email_dup ? "email" : "username";
        *err_msgid = email_dup ? N_("This email is already used.") : N_("This username is already used.");
        json_decref(dup);
        users_tx_end(db, mine, false);
        return DB_CONSTRAINT;
    }
    json_decref(dup);

    int64_t now = now_utc();
    const char *email_p = *email ? email : NULL, *username_p = *username ? username : NULL;
    char *key = user_search_key(u->name, email_p, username_p);
    const char *key_p = key;
    int64_t id = db_query_int(
        db,
        "INSERT INTO users (node_id, email, username, name, language, password_hash, search_key, "
        "active, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?) "
        "RETURNING id",
        PARAMS(P_INT(home), P_TEXT(email_p), P_TEXT(username_p), P_TEXT(u->name), P_TEXT(lang),
               P_TEXT(u->password_hash), P_TEXT(key_p), P_INT(now), P_INT(now)),
        0);
    free(key);
    bool ok = id > 0;
    int rc = ok ? DB_OK : (db_last_code(db) == DB_CONSTRAINT ? DB_CONSTRAINT : DB_ERR);
    if (ok) {
        json_t *before = json_object();
        json_t *after = json_pack("{ss so so ss sI}", "name", u->name, "email",
                                  *email ? json_string(email) : json_null(), "username",
                                  *username ? json_string(username) : json_null(), "language", lang,
                                  "node_id", (json_int_t)home);
        json_t *ch = audit_diff(before, after);
        json_object_set_new(ch, "password", json_string("set"));
        rc = audit_write(db, actor, "create", "user", id, home, ch, ip);
        json_decref(ch);
        json_decref(before);
        json_decref(after);
        ok = rc == DB_OK;
    }
    for (int i = 0; ok && i < u->n_roles; i++) {
        rc = users_role_insert(db, actor, id, u->roles[i], u->role_nodes[i],
                               u->role_expiry ? u->role_expiry[i] : 0, ip, false);
        if (rc == DB_CONSTRAINT)
            rc = DB_OK; /* the same role twice in the list: once is enough */
        ok = rc == DB_OK;
    }
    if (users_tx_end(db, mine, ok) != DB_OK || !ok) {
        if (rc == DB_CONSTRAINT) {
            *err_msgid = N_("This email or username is already used.");
            *err_field = *email ? "email" : "username";
            return DB_CONSTRAINT;
        }
        *err_msgid = N_("The account could not be saved; try again.");
        return rc == DB_OK ? DB_ERR : rc;
    }
    if (id_out)
        *id_out = id;
    return DB_OK;
}

int org_user_create(db_t *db, int64_t actor, const org_user_new_t *u, int64_t *id_out,
                    const char **err_msgid)
{
    const char *field = NULL;
    return users_insert(db, actor, u, NULL, id_out, err_msgid, &field) == DB_OK ? 0 : -1;
}

int users_set_active(db_t *db, int64_t actor, int64_t user_id, bool active, const char *ip)
{
    bool mine;
    if (!users_tx_begin(db, &mine))
        return DB_BUSY;
    json_t *row = !active && lock_admins(db) != DB_OK
                      ? NULL
                      : db_query_row_json(db, "SELECT active, node_id FROM users WHERE id = ?",
                                          PARAMS(P_INT(user_id)));
    if (!row) {
        users_tx_end(db, mine, false);
        return DB_ERR;
    }
    bool was = json_integer_value(json_object_get(row, "active")) != 0;
    int64_t home = json_integer_value(json_object_get(row, "node_id"));
    json_decref(row);
    if (was && !active && users_is_last_admin(db, user_id)) {
        users_tx_end(db, mine, false);
        return DB_CONSTRAINT;
    }
    int rc = DB_OK;
    if (was != active) {
        rc = db_exec(db, "UPDATE users SET active = ?, version = version + 1, updated_at = ? WHERE id = ?",
                     PARAMS(P_INT(active ? 1 : 0), P_INT(now_utc()), P_INT(user_id)));
        if (rc == DB_OK) {
            json_t *ch = json_pack("{s{sbsb}}", "active", "from", was, "to", active);
            rc = audit_write(db, actor, active ? "enable" : "disable", "user", user_id, home, ch, ip);
            json_decref(ch);
        }
        if (rc == DB_OK && !active)
            rc = session_delete_user(db, user_id) == 0 ? DB_OK : DB_ERR;
    }
    return users_tx_end(db, mine, rc == DB_OK);
}

int org_user_set_active(db_t *db, int64_t actor, int64_t user_id, bool active)
{
    return users_set_active(db, actor, user_id, active, NULL) == DB_OK ? 0 : -1;
}

/* ------------------------------------------------------------- editing -- */

/* users_update inside an open transaction. */
static int update_in_tx(req_t *r, int64_t id, const users_input_t *in, int64_t version, json_t *errors)
{
    json_t *before = db_query_row_json(
        r->db, "SELECT name, email, username, language, node_id, version FROM users WHERE id = ?",
        PARAMS(P_INT(id)));
    if (!before)
        return 404;
    arena_defer(r->arena, (void (*)(void *))json_decref, before);
    const char *name = in->has_name ? in->name : obj_str(before, "name");
    const char *email = in->has_email ? in->email : obj_str(before, "email");
    const char *username = in->has_username ? in->username : obj_str(before, "username");
    const char *lang = in->has_language ? in->language : obj_str(before, "language");
    int64_t home = in->has_node ? in->node_id : json_integer_value(json_object_get(before, "node_id"));
    int64_t current = json_integer_value(json_object_get(before, "version"));
    if (!email && !username) {
        set_error(errors, "email", N_("Give an email address or a username (at least one)."));
        return 422;
    }
    if (!name || !lang)
        return 422;
    if (version > 0 && version != current)
        return 409;
    if (users_check_unique(r->db, email, username, id, errors) > 0)
        return 409;

    json_t *after = json_pack("{ss so so ss sI}", "name", name, "email",
                              email ? json_string(email) : json_null(), "username",
                              username ? json_string(username) : json_null(), "language", lang,
                              "node_id", (json_int_t)home);
    arena_defer(r->arena, (void (*)(void *))json_decref, after);
    json_t *diff = audit_diff(before, after);
    arena_defer(r->arena, (void (*)(void *))json_decref, diff);
    if (json_object_size(diff) == 0)
        return 0;

    char *key = user_search_key(name, email, username);
    const char *key_p = arena_strdup(r->arena, key);
    free(key);
    int rc = db_exec(r->db,
                     "UPDATE users SET name = ?, email = ?, username = ?, language = ?, node_id = ?, "
                     "search_key = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                     PARAMS(P_TEXT(name), P_TEXT(email), P_TEXT(username), P_TEXT(lang),
                            P_INT(home), P_TEXT(key_p), P_INT(now_utc()), P_INT(id), P_INT(current)));
    if (rc == DB_OK && db_changes(r->db) != 1)
        return 409;
    if (rc == DB_CONSTRAINT) {
        set_error(errors, email ? "email" : "username", N_("This email or username is already used."));
        return 409;
    }
    if (rc == DB_OK)
        rc = audit_write(r->db, r->user->id, "update", "user", id, home, diff, req_ip(r));
    return rc == DB_OK ? 0 : 500;
}

int users_update(req_t *r, int64_t id, const users_input_t *in, int64_t version, json_t *errors)
{
    bool mine;
    if (!users_tx_begin(r->db, &mine))
        return 500;
    int st = update_in_tx(r, id, in, version, errors);
    if (users_tx_end(r->db, mine, st == 0) != DB_OK && st == 0)
        st = 500;
    return st;
}

int users_apply(req_t *r, int64_t id, const users_input_t *in, int64_t version, int active,
                const char *password_hash, json_t *errors, const char **msgid)
{
    *msgid = NULL;
    bool mine;
    if (!users_tx_begin(r->db, &mine))
        return 500;
    int st = update_in_tx(r, id, in, version, errors);
    if (st == 0 && active >= 0) {
        int rc = users_set_active(r->db, r->user->id, id, active != 0, req_ip(r));
        if (rc == DB_CONSTRAINT) {
            st = 409;
            *msgid = N_("This is the last active platform administrator: give the administrator role "
                        "to someone else first.");
        } else if (rc != DB_OK) {
            st = 500;
        }
    }
    if (st == 0 && password_hash &&
        users_store_password(r->db, r->user->id, id, password_hash, "password_reset", req_ip(r)) != DB_OK)
        st = 500;
    if (users_tx_end(r->db, mine, st == 0) != DB_OK && st == 0)
        st = 500;
    return st;
}

bool users_may_reset(req_t *r, int64_t id, int64_t home_node_id)
{
    return app_authorize(r, PERM_USER_RESET_PASSWORD, home_node_id) == AUTHZ_ALLOW &&
           users_may_manage(r, id);
}

int users_set_password(db_t *db, int64_t actor, int64_t id, const char *password,
                       const char *action, const char *ip)
{
    char hash[160];
    /* hashed before the transaction: the write lock is never held that long */
    if (!users_password_fits(password) || password_hash(password, hash, sizeof hash) != 0)
        return DB_ERR;
    return users_store_password(db, actor, id, hash, action, ip);
}

int users_store_password(db_t *db, int64_t actor, int64_t id, const char *hash,
                         const char *action, const char *ip)
{
    if (!hash || !*hash)
        return DB_ERR;
    int64_t home = users_home_of(db, id);
    bool mine;
    if (!users_tx_begin(db, &mine))
        return DB_BUSY;
    const char *hash_p = hash;
    int rc = db_exec(db,
                     "UPDATE users SET password_hash = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ?",
                     PARAMS(P_TEXT(hash_p), P_INT(now_utc()), P_INT(id)));
    if (rc == DB_OK && db_changes(db) != 1)
        rc = DB_ERR;
    if (rc == DB_OK) {
        json_t *ch = json_pack("{ss}", "password", "changed");
        rc = audit_write(db, actor, action, "user", id, home, ch, ip);
        json_decref(ch);
    }
    /* every browser signed in as this user is signed out */
    if (rc == DB_OK)
        rc = session_delete_user(db, id) == 0 ? DB_OK : DB_ERR;
    int end = users_tx_end(db, mine, rc == DB_OK);
    return rc != DB_OK ? rc : end;
}

int users_reset_password(req_t *r, int64_t id, const char *password)
{
    return users_set_password(r->db, r->user->id, id, password, "password_reset", req_ip(r)) == DB_OK
               ? 0
               : 500;
}

int64_t users_home_of(db_t *db, int64_t id)
{
    return db_query_int(db, "SELECT node_id FROM users WHERE id = ?", PARAMS(P_INT(id)), 0);
}

void users_touch_login(db_t *db, int64_t id)
{
    db_exec(db, "UPDATE users SET last_login_at = ? WHERE id = ?", PARAMS(P_INT(now_utc()), P_INT(id)));
}

bool users_check_password(db_t *db, int64_t id, const char *password)
{
    json_t *row = db_query_row_json(db, "SELECT password_hash FROM users WHERE id = ?", PARAMS(P_INT(id)));
    const char *stored = row ? json_string_value(json_object_get(row, "password_hash")) : NULL;
    bool ok = stored && users_password_fits(password) && password_verify(stored, password);
    json_decref(row);
    return ok;
}

int users_set_language(db_t *db, int64_t id, const char *lang, const char *ip)
{
    json_t *row = db_query_row_json(db, "SELECT language, node_id FROM users WHERE id = ?", PARAMS(P_INT(id)));
    if (!row)
        return DB_ERR;
    int rc = DB_OK;
    const char *was = obj_str(row, "language");
    if (!str_eq(was, lang)) {
        rc = db_begin(db);
        if (rc == DB_OK)
            rc = db_exec(db, "UPDATE users SET language = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         PARAMS(P_TEXT(lang), P_INT(now_utc()), P_INT(id)));
        if (rc == DB_OK) {
            json_t *ch = json_pack("{s{ss? ss}}", "language", "from", was, "to", lang);
            rc = audit_write(db, id, "update", "user", id, json_integer_value(json_object_get(row, "node_id")), ch, ip);
            json_decref(ch);
        }
        if (rc == DB_OK)
            rc = db_commit(db);
        else if (db_in_tx(db))
            db_rollback(db);
    }
    json_decref(row);
    return rc;
}


bool org_user_is_last_admin(db_t *db, int64_t user_id)
{
    return users_is_last_admin(db, user_id);
}

int org_user_set_language(db_t *db, int64_t user_id, const char *lang, const char *ip)
{
    return users_set_language(db, user_id, lang, ip);
}
