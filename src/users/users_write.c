/* users_write.c - users and their role assignments: the rules every entry
 * point shares (pages, API, command line, the sign-in) and the writes, each
 * in one transaction with its audit rows. */
#include "users_internal.h"

#include "../core/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_LAST_ADMIN                                                                             \
    N_("This is the last active platform administrator: give the administrator role to someone "   \
       "else first.")

char *users_search_key(const char *name, const char *email, const char *username)
{
    const char *fields[] = {name, email, username};
    return text_fold_key(fields, ARRAY_LEN(fields));
}

/* A node as the rules need it: record and ancestry. 0 or -1. */
static int load_place(db_t *db, arena_t *a, int64_t id, node_t *n, int64_t *path, int *n_path)
{
    if (id <= 0 || nodes_load(db, a, id, n) != 0)
        return -1;
    *n_path = nodes_path_parse(n->path, path, NODES_PATH_MAX);
    return *n_path > 0 ? 0 : -1;
}

/* --------------------------------------------------------------- input -- */

static bool field_null(req_t *r, const char *field)
{
    return r->json && json_is_null(json_object_get(r->json, field));
}

void users_read_input(req_t *r, json_t *errors, users_input_t *in, bool creating,
                      bool want_password)
{
    memset(in, 0, sizeof *in);

    in->has_name = creating || input_present(r, "name");
    if (in->has_name) {
        in->name = v_text(r, errors, "name", true, USERS_NAME_MAX);
        v_required_message(errors, "name", N_("Enter the person's full name."));
    }

    in->has_email = creating || input_present(r, "email");
    if (in->has_email && !field_null(r, "email")) {
        const char *e = v_email(r, errors, "email", false);
        if (e && *e) {
            char *c = arena_strdup(r->arena, e);
            users_lower(c);
            const char *why = users_check_email(c);
            if (why)
                v_error(errors, "email", why);
            in->email = c;
        }
    }

    in->has_username = creating || input_present(r, "username");
    if (in->has_username && !field_null(r, "username")) {
        const char *u = v_text(r, errors, "username", false, USERS_USERNAME_MAX);
        if (u && *u) {
            char *c = arena_strdup(r->arena, u);
            users_lower(c);
            const char *why = users_check_username(c);
            if (why)
                v_error(errors, "username", why);
            in->username = c;
        }
    }
    if (creating && !in->email && !in->username && !json_object_get(errors, "email") &&
        !json_object_get(errors, "username"))
        v_error(errors, "email", N_("Give an email address or a username (at least one)."));

    in->has_language = creating || input_present(r, "language");
    if (in->has_language) {
        in->language = v_code(r, errors, "language", !creating, users_languages);
        if (!in->language && creating)
            in->language = "fr";
    }

    if (input_present(r, "node_id")) {
        bool bad = false;
        const char *raw = input_str(r, "node_id", &bad);
        if (raw && !str_empty(raw)) {
            in->node_id = v_int(r, errors, "node_id", false, 1, INT64_MAX, 0);
            in->has_node = in->node_id > 0;
        } else if (r->json && !field_null(r, "node_id")) {
            v_error(errors, "node_id", N_("Choose a place."));
        }
    }

    if (want_password) {
        bool bad = false;
        const char *p = input_str(r, "password", &bad);
        in->has_password = p != NULL || bad;
        if (bad || (p && (!utf8_valid(p, strlen(p)) || str_has_control(p)))) {
            v_error(errors, "password", N_("The password contains characters that are not allowed."));
        } else if (creating || p) {
            const char *why = password_problem(p ? p : "");
            if (!why && !users_password_fits(p))
                why = N_("The password must be at most 128 characters long.");
            if (why)
                v_error(errors, "password", why);
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
        v_error(errors, "email", N_("This email is already used."));
        n++;
    }
    if (username && db_query_int(db, "SELECT id FROM users WHERE username = ? AND id <> ?",
                                 PARAMS(P_TEXT(username), P_INT(except_id)), 0) > 0) {
        v_error(errors, "username", N_("This username is already used."));
        n++;
    }
    return n;
}

/* --------------------------------------------------------------- roles -- */

res_t users_grant_check(req_t *r, role_t role, int64_t node_id, int64_t expires, json_t *errors,
                        const char *role_field, const char *exp_field)
{
    node_t n;
    int64_t path[NODES_PATH_MAX];
    int n_path;
    if (!r->user || load_place(r->db, r->arena, node_id, &n, path, &n_path) != 0)
        return RES_NOT_FOUND;
    if (app_authorize(r, PERM_USER_MANAGE, node_id) == AUTHZ_NOT_FOUND)
        return RES_NOT_FOUND;
    if (role == ROLE_NONE) {
        v_error(errors, role_field, N_("Choose a role."));
        return RES_INVALID;
    }
    int64_t now = now_utc();
    /* a role its holder may never give is refused before any place is
     * considered (a director asking for admin: 403, not "wrong place") */
    if (!authz_may_grant_role(r->user->roles, r->user->n_roles, role, now))
        return RES_FORBIDDEN;
    if (!authz_role_fits_node(role, n.kind)) {
        v_error(errors, role_field, N_("This role cannot be given at this kind of place."));
        return RES_INVALID;
    }
    if (!authz_can_grant(r->user->roles, r->user->n_roles, role, n.kind, path, n_path, now))
        return RES_FORBIDDEN;
    if (!n.active) {
        v_error(errors, role_field, N_("This place is disabled."));
        return RES_INVALID;
    }
    if (role == ROLE_INSPECTOR && expires == 0) {
        v_error(errors, exp_field, N_("An inspector needs an end date."));
        return RES_INVALID;
    }
    const char *why = expires != 0 ? users_check_expiry(expires, now) : NULL;
    if (why) {
        v_error(errors, exp_field, why);
        return RES_INVALID;
    }
    return RES_OK;
}

res_t users_home_check(req_t *r, int64_t node_id, json_t *errors)
{
    node_t n;
    if (node_id <= 0 || nodes_load(r->db, r->arena, node_id, &n) != 0)
        return RES_NOT_FOUND;
    authz_result_t ar = app_authorize(r, PERM_USER_MANAGE, node_id);
    if (ar != AUTHZ_ALLOW)
        return ar == AUTHZ_NOT_FOUND ? RES_NOT_FOUND : RES_FORBIDDEN;
    if (n.kind == NODE_UNIT) {
        v_error(errors, "node_id",
                N_("Choose an establishment or an association: a unit does not manage accounts."));
        return RES_INVALID;
    }
    if (!n.active) {
        v_error(errors, "node_id", N_("This place is disabled."));
        return RES_INVALID;
    }
    return RES_OK;
}

bool users_may_manage(req_t *r, int64_t target_id)
{
    if (!r->user)
        return false;
    db_res_t *res = db_query(r->db, "SELECT " ROLE_COLS " FROM user_roles ur WHERE ur.user_id = ?"
                                    " ORDER BY ur.id",
                             PARAMS(P_INT(target_id)));
    if (!res)
        return false;
    bool ok = true;
    int64_t now = now_utc();
    while (ok && db_next(res)) {
        role_assignment_t ra;
        int64_t path[NODES_PATH_MAX];
        int n_path = 0;
        ok = users_role_from_row(r->arena, res, 0, &ra) &&
             (n_path = nodes_path_parse(ra.node_path, path, NODES_PATH_MAX)) > 0 &&
             authz_can_grant(r->user->roles, r->user->n_roles, ra.role, ra.node_kind, path, n_path,
                             now);
    }
    db_res_free(res);
    return ok;
}

res_t users_may_change_roles(req_t *r, int64_t target_id, const char **msgid)
{
    if (msgid)
        *msgid = NULL;
    if (!r->user)
        return RES_FORBIDDEN;
    /* nobody widens or narrows their own access: someone above does it */
    if (r->user->id == target_id) {
        if (msgid)
            *msgid = N_("You cannot change your own roles.");
        return RES_FORBIDDEN;
    }
    return users_may_manage(r, target_id) ? RES_OK : RES_FORBIDDEN;
}

#define ROOT_ADMINS                                                                              \
    "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.role = 'admin'" \
    " AND ur.node_kind = 'root' AND u.active = 1 AND " ROLE_LIVE_SQL " "

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
#define USERS_ADMIN_LOCK 0x6a6f7564 /* "joud" */
static int lock_admins(db_t *db)
{
    if (db_kind(db) != DB_PG)
        return DB_OK;
    db_res_t *res = db_query(db, "SELECT pg_advisory_xact_lock(?)", PARAMS(P_INT(USERS_ADMIN_LOCK)));
    if (!res)
        return DB_ERR;
    while (db_next(res)) {
    }
    int rc = db_res_status(res);
    db_res_free(res);
    return rc;
}

/* The end of an account's access when its password changes or it is
 * disabled, inside the caller's transaction: its sessions end and its live
 * API tokens are revoked for good, with one audit row saying how many. */
static int end_access(db_t *db, int64_t actor, int64_t user_id, int64_t home, const char *ip)
{
    if (session_delete_user(db, user_id) != 0)
        return DB_ERR;
    int64_t n = api_token_revoke_user(db, user_id);
    if (n < 0)
        return DB_ERR;
    if (n == 0)
        return DB_OK;
    json_t *ch = json_pack("{sI}", "api_tokens_revoked", (json_int_t)n);
    int rc = audit_write(db, actor, "token_revoke_all", "user", user_id, home, ch, ip);
    json_decref(ch);
    return rc;
}

int users_role_load(db_t *db, arena_t *a, int64_t user_id, int64_t role_id, role_assignment_t *out)
{
    db_res_t *res = db_query(db, "SELECT " ROLE_COLS " FROM user_roles ur WHERE ur.id = ? AND ur.user_id = ?",
                             PARAMS(P_INT(role_id), P_INT(user_id)));
    if (!res)
        return -1;
    int rc = db_next(res) && users_role_from_row(a, res, 0, out) ? 0 : -1;
    db_res_free(res);
    return rc;
}

res_t users_role_revoke_check(req_t *r, int64_t user_id, int64_t role_id, role_assignment_t *out,
                              const char **msgid)
{
    int64_t path[NODES_PATH_MAX];
    int n_path;
    *msgid = NULL;
    if (users_role_load(r->db, r->arena, user_id, role_id, out) != 0 ||
        (n_path = nodes_path_parse(out->node_path, path, NODES_PATH_MAX)) <= 0 ||
        app_authorize(r, PERM_USER_MANAGE, out->node_id) == AUTHZ_NOT_FOUND)
        return RES_NOT_FOUND;
    res_t st = users_may_change_roles(r, user_id, msgid);
    if (st != RES_OK)
        return st;
    if (!authz_can_grant(r->user->roles, r->user->n_roles, out->role, out->node_kind, path, n_path,
                         now_utc()))
        return RES_FORBIDDEN;
    return RES_OK;
}

res_t users_role_revoke(db_t *db, int64_t actor, int64_t user_id, int64_t role_id, const char *ip,
                        const char **msgid)
{
    *msgid = NULL;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    arena_t *a = arena_new();
    role_assignment_t ra;
    res_t st = RES_OK;
    if (lock_admins(db) != DB_OK)
        st = RES_ERROR;
    else if (users_role_load(db, a, user_id, role_id, &ra) != 0)
        st = RES_NOT_FOUND;
    if (st == RES_OK && db_query_int(db, "SELECT COUNT(*) FROM user_roles WHERE user_id = ?",
                                     PARAMS(P_INT(user_id)), 0) <= 1) {
        st = RES_CONFLICT;
        *msgid = N_("An account keeps at least one role: give the new role before removing this one.");
    }
    if (st == RES_OK && ra.role == ROLE_ADMIN && ra.node_kind == NODE_ROOT &&
        users_is_last_admin(db, user_id)) {
        st = RES_CONFLICT;
        *msgid = MSG_LAST_ADMIN;
    }
    if (st == RES_OK) {
        int rc = db_exec(db, "DELETE FROM user_roles WHERE id = ?", PARAMS(P_INT(role_id)));
        if (rc == DB_OK) {
            json_t *ch = json_pack("{sI ss sI}", "user_id", (json_int_t)user_id, "role",
                                   role_code(ra.role), "node_id", (json_int_t)ra.node_id);
            rc = audit_write(db, actor, "revoke", "role", role_id, ra.node_id, ch, ip);
            json_decref(ch);
        }
        if (rc != DB_OK)
            st = RES_ERROR;
    }
    arena_free(a);
    if (app_tx_end(db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

int users_role_insert(db_t *db, int64_t actor, int64_t user_id, role_t role, int64_t node_id,
                      int64_t expires, const char *ip, bool notify)
{
    const char *code = role_code(role);
    if (db_query_int(db, "SELECT id FROM user_roles WHERE user_id = ? AND role = ? AND node_id = ?",
                     PARAMS(P_INT(user_id), P_TEXT(code), P_INT(node_id)), 0) > 0)
        return DB_CONSTRAINT;
    arena_t *a = arena_new();
    node_t n;
    if (nodes_load(db, a, node_id, &n) != 0) {
        arena_free(a);
        return DB_ERR;
    }
    int64_t role_id = db_query_int(
        db,
        "INSERT INTO user_roles (user_id, role, node_id, node_kind, node_path, expires_at,"
        " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        PARAMS(P_INT(user_id), P_TEXT(code), P_INT(node_id), P_TEXT(node_kind_code(n.kind)),
               P_TEXT(n.path), expires > 0 ? P_INT(expires) : P_NULL, P_INT(now_utc()),
               actor > 0 ? P_INT(actor) : P_NULL),
        0);
    arena_free(a);
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
        /* named at read time, in the reader's language */
        notify_arg_t args[] = {NOTIFY_CODE(users_role_msgid(role)), NOTIFY_REF("node", node_id)};
        rc = notify_user(db, user_id, "role_granted", N_("You were given the role %s at %s."), "/",
                         args, 2);
    }
    return rc;
}

res_t users_role_grant(req_t *r, int64_t user_id, role_t role, int64_t node_id, int64_t expires,
                       json_t *errors, const char *role_field, const char *node_field,
                       const char *exp_field, int64_t *role_id, const char **msgid)
{
    *msgid = NULL;
    *role_id = 0;
    res_t st = users_may_change_roles(r, user_id, msgid);
    if (st != RES_OK)
        return st;
    if (node_id <= 0) {
        v_error(errors, node_field, N_("Choose a place."));
        return RES_INVALID;
    }
    st = users_grant_check(r, role, node_id, expires, errors, role_field, exp_field);
    if (st != RES_OK)
        return st;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    int rc = users_role_insert(r->db, r->user->id, user_id, role, node_id, expires, req_ip(r), true);
    if (rc == DB_OK)
        *role_id = db_query_int(r->db,
                                "SELECT id FROM user_roles WHERE user_id = ? AND role = ? AND node_id = ?",
                                PARAMS(P_INT(user_id), P_TEXT(role_code(role)), P_INT(node_id)), 0);
    if (app_tx_end(r->db, mine, rc == DB_OK) != DB_OK && rc == DB_OK)
        rc = DB_ERR;
    if (rc == DB_CONSTRAINT) {
        v_error(errors, role_field, N_("This person already holds this role here."));
        return RES_CONFLICT;
    }
    return rc == DB_OK ? RES_OK : RES_ERROR;
}

/* --------------------------------------------------------------- users -- */

static res_t insert_fail(const char **err_msgid, const char **err_field, const char *msgid,
                         const char *field)
{
    *err_msgid = msgid;
    *err_field = field;
    return RES_INVALID;
}

res_t users_insert(db_t *db, int64_t actor, const user_new_t *u, const char *ip, int64_t *id_out,
                   const char **err_msgid, const char **err_field)
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
    res_t bad = RES_OK;
    for (int i = 0; i < u->n_roles && bad == RES_OK; i++) {
        node_t n;
        if (nodes_load(db, a, u->role_nodes[i], &n) != 0)
            bad = insert_fail(err_msgid, err_field, N_("This place does not exist."), "roles");
        else if (!authz_role_fits_node(u->roles[i], n.kind))
            bad = insert_fail(err_msgid, err_field,
                              N_("This role cannot be given at this kind of place."), "roles");
        else if (u->role_expiry && u->role_expiry[i] != 0 &&
                 (why = users_check_expiry(u->role_expiry[i], now_utc())) != NULL)
            bad = insert_fail(err_msgid, err_field, why, "roles");
    }
    int64_t home = u->home_node_id > 0 ? u->home_node_id : nodes_home_for(db, u->role_nodes[0]);
    const char *home_path = bad == RES_OK && home > 0 ? nodes_path_of(db, a, home) : "";
    if (bad == RES_OK && !*home_path)
        bad = insert_fail(err_msgid, err_field, N_("This place does not exist."), "node_id");
    if (bad != RES_OK) {
        arena_free(a);
        return bad;
    }

    bool mine;
    if (!app_tx_begin(db, &mine)) {
        arena_free(a);
        *err_msgid = N_("The database is busy; try again.");
        return RES_ERROR;
    }
    json_t *dup = json_object();
    int ndup = users_check_unique(db, *email ? email : NULL, *username ? username : NULL, 0, dup);
    if (ndup > 0) {
        bool email_dup = json_object_get(dup, "email") != NULL;
        *err_field = email_dup ? "email" : "username";
        *err_msgid = email_dup ? N_("This email is already used.") : N_("This username is already used.");
        json_decref(dup);
        app_tx_end(db, mine, false);
        arena_free(a);
        return RES_CONFLICT;
    }
    json_decref(dup);

    int64_t now = now_utc();
    const char *email_p = *email ? email : NULL, *username_p = *username ? username : NULL;
    char *key = users_search_key(u->name, email_p, username_p);
    const char *key_p = key;
    int64_t id = db_query_int(
        db,
        "INSERT INTO users (node_id, home_path, email, username, name, language, password_hash,"
        " search_key, active, version, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?) RETURNING id",
        PARAMS(P_INT(home), P_TEXT(home_path), P_TEXT(email_p), P_TEXT(username_p), P_TEXT(u->name),
               P_TEXT(lang), P_TEXT(u->password_hash), P_TEXT(key_p), P_INT(now), P_INT(now)),
        0);
    free(key);
    arena_free(a);
    bool ok = id > 0;
    int rc = ok ? DB_OK : (db_last_code(db) == DB_CONSTRAINT ? DB_CONSTRAINT : DB_ERR);
    if (ok) {
        json_t *after = json_pack("{ss so so ss sI}", "name", u->name, "email",
                                  *email ? json_string(email) : json_null(), "username",
                                  *username ? json_string(username) : json_null(), "language", lang,
                                  "node_id", (json_int_t)home);
        json_t *ch = audit_diff(NULL, after);
        json_object_set_new(ch, "password", json_string("set"));
        rc = audit_write(db, actor, "create", "user", id, home, ch, ip);
        json_decref(ch);
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
    if (app_tx_end(db, mine, ok) != DB_OK || !ok) {
        if (rc == DB_CONSTRAINT) {
            *err_msgid = N_("This email or username is already used.");
            *err_field = *email ? "email" : "username";
            return RES_CONFLICT;
        }
        *err_msgid = N_("The account could not be saved; try again.");
        return RES_ERROR;
    }
    if (id_out)
        *id_out = id;
    return RES_OK;
}

res_t users_set_active(db_t *db, int64_t actor, int64_t user_id, bool active, const char *ip)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    if (!active && lock_admins(db) != DB_OK) {
        app_tx_end(db, mine, false);
        return RES_ERROR;
    }
    json_t *row = db_query_row_json(db, "SELECT active, node_id FROM users WHERE id = ?",
                                    PARAMS(P_INT(user_id)));
    if (!row) {
        app_tx_end(db, mine, false);
        return RES_NOT_FOUND;
    }
    bool was = json_integer_value(json_object_get(row, "active")) != 0;
    int64_t home = json_integer_value(json_object_get(row, "node_id"));
    json_decref(row);
    if (was && !active && users_is_last_admin(db, user_id)) {
        app_tx_end(db, mine, false);
        return RES_CONFLICT;
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
            rc = end_access(db, actor, user_id, home, ip);
    }
    return app_tx_end(db, mine, rc == DB_OK) == DB_OK ? RES_OK : RES_ERROR;
}

/* ------------------------------------------------------------- editing -- */

/* users_update inside an open transaction. */
static res_t update_in_tx(req_t *r, int64_t id, const users_input_t *in, int64_t version,
                          json_t *errors)
{
    user_t cur;
    if (users_load(r->db, r->arena, id, &cur) != 0)
        return RES_NOT_FOUND;
    const char *name = in->has_name ? in->name : cur.name;
    const char *email = in->has_email ? in->email : cur.email;
    const char *username = in->has_username ? in->username : cur.username;
    const char *lang = in->has_language ? in->language : cur.language;
    int64_t home = in->has_node ? in->node_id : cur.node_id;
    const char *home_path = home == cur.node_id ? cur.home_path : nodes_path_of(r->db, r->arena, home);
    if (!email && !username) {
        v_error(errors, "email", N_("Give an email address or a username (at least one)."));
        return RES_INVALID;
    }
    if (!name || !lang || !*home_path)
        return RES_INVALID;
    if (version > 0 && version != cur.version)
        return RES_CONFLICT;
    if (users_check_unique(r->db, email, username, id, errors) > 0)
        return RES_CONFLICT;

    json_t *before = json_pack("{ss so so ss sI}", "name", cur.name, "email",
                               json_str_or_null(cur.email), "username",
                               json_str_or_null(cur.username), "language", cur.language, "node_id",
                               (json_int_t)cur.node_id);
    json_t *after = json_pack("{ss so so ss sI}", "name", name, "email", json_str_or_null(email),
                              "username", json_str_or_null(username), "language", lang, "node_id",
                              (json_int_t)home);
    json_t *diff = audit_diff(before, after);
    json_decref(before);
    json_decref(after);
    arena_defer(r->arena, (void (*)(void *))json_decref, diff);
    if (json_object_size(diff) == 0)
        return RES_OK;

    char *key = users_search_key(name, email, username);
    const char *key_p = arena_strdup(r->arena, key);
    free(key);
    int rc = db_exec(r->db,
                     "UPDATE users SET name = ?, email = ?, username = ?, language = ?, node_id = ?,"
                     " home_path = ?, search_key = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND version = ?",
                     PARAMS(P_TEXT(name), P_TEXT(email), P_TEXT(username), P_TEXT(lang), P_INT(home),
                            P_TEXT(home_path), P_TEXT(key_p), P_INT(now_utc()), P_INT(id),
                            P_INT(cur.version)));
    if (rc == DB_OK && db_changes(r->db) != 1)
        return RES_CONFLICT;
    if (rc == DB_CONSTRAINT) {
        v_error(errors, email ? "email" : "username", N_("This email or username is already used."));
        return RES_CONFLICT;
    }
    if (rc == DB_OK)
        rc = audit_write(r->db, r->user->id, "update", "user", id, home, diff, req_ip(r));
    return rc == DB_OK ? RES_OK : RES_ERROR;
}

res_t users_update(req_t *r, int64_t id, const users_input_t *in, int64_t version, json_t *errors)
{
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    res_t st = update_in_tx(r, id, in, version, errors);
    if (app_tx_end(r->db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

res_t users_apply(req_t *r, int64_t id, const users_input_t *in, int64_t version, int active,
                  const char *password_hash, json_t *errors, const char **msgid)
{
    *msgid = NULL;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    res_t st = update_in_tx(r, id, in, version, errors);
    if (st == RES_OK && active >= 0) {
        st = users_set_active(r->db, r->user->id, id, active != 0, req_ip(r));
        if (st == RES_CONFLICT)
            *msgid = MSG_LAST_ADMIN;
    }
    if (st == RES_OK && password_hash)
        st = users_store_password(r->db, r->user->id, id, password_hash, "password_reset", req_ip(r));
    if (app_tx_end(r->db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

bool users_may_reset(req_t *r, int64_t id, int64_t home_node_id)
{
    return app_authorize(r, PERM_USER_RESET_PASSWORD, home_node_id) == AUTHZ_ALLOW &&
           users_may_manage(r, id);
}

res_t users_set_password(db_t *db, int64_t actor, int64_t id, const char *password,
                         const char *action, const char *ip)
{
    char hash[160];
    /* hashed before the transaction: the write lock is never held that long */
    if (!users_password_fits(password) || password_hash(password, hash, sizeof hash) != 0)
        return RES_ERROR;
    return users_store_password(db, actor, id, hash, action, ip);
}

res_t users_store_password(db_t *db, int64_t actor, int64_t id, const char *hash,
                           const char *action, const char *ip)
{
    if (!hash || !*hash)
        return RES_ERROR;
    int64_t home = users_home_of(db, id);
    if (home <= 0)
        return RES_NOT_FOUND;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
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
    /* every browser signed in as this user is signed out, every token revoked */
    if (rc == DB_OK)
        rc = end_access(db, actor, id, home, ip);
    int end = app_tx_end(db, mine, rc == DB_OK);
    return rc == DB_OK && end == DB_OK ? RES_OK : RES_ERROR;
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

res_t users_set_language(db_t *db, int64_t id, const char *lang, const char *ip)
{
    if (!users_language_ok(lang))
        return RES_INVALID;
    json_t *row = db_query_row_json(db, "SELECT language, node_id FROM users WHERE id = ?", PARAMS(P_INT(id)));
    if (!row)
        return RES_NOT_FOUND;
    int rc = DB_OK;
    const char *was = json_string_value(json_object_get(row, "language"));
    if (!str_eq(was, lang)) {
        bool mine;
        rc = app_tx_begin(db, &mine) ? DB_OK : DB_ERR;
        if (rc == DB_OK)
            rc = db_exec(db, "UPDATE users SET language = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         PARAMS(P_TEXT(lang), P_INT(now_utc()), P_INT(id)));
        if (rc == DB_OK) {
            json_t *ch = json_pack("{s{ss? ss}}", "language", "from", was, "to", lang);
            rc = audit_write(db, id, "update", "user", id,
                             json_integer_value(json_object_get(row, "node_id")), ch, ip);
            json_decref(ch);
        }
        rc = app_tx_end(db, mine, rc == DB_OK);
    }
    json_decref(row);
    return rc == DB_OK ? RES_OK : RES_ERROR;
}
