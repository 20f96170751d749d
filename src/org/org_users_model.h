/* org_users_model.h - what the users pages (org_users.c), the users API
 * (org_users_api.c) and the account pages (src/account) share: validation of
 * user input, the same for forms, JSON and the command line
 * (org_users_check.c), reading users and nodes (org_users_query.c), and the
 * audited writes and the rules for granting roles (org_users_model.c). */
#ifndef JOUDA_ORG_USERS_MODEL_H
#define JOUDA_ORG_USERS_MODEL_H

#include "org_internal.h"

#define USERS_NAME_MAX 120
#define USERS_EMAIL_MAX 254
#define USERS_USERNAME_MIN 3
#define USERS_USERNAME_MAX 40
#define USERS_PATH_MAX 16 /* depth of the tree: root, association, EPS, unit (and room to spare) */
/* The latest end date of a role: 31/12/9999 23:59:59 in Casablanca, the last
 * day the date fields can express (and that pages can print). */
#define USERS_EXPIRES_MAX INT64_C(253402297199)
/* Passwords are counted in characters; the byte cap only bounds the work
 * on input no valid password can be (4 bytes per character at most). */
#define USERS_PASSWORD_MAX_BYTES (4 * PASSWORD_MAX)

extern const char *const users_languages[];  /* "fr", "ar", "en", NULL */
extern const char *const users_role_codes[]; /* every role code, NULL-terminated */

/* --- Pure helpers (org_users_check.c; no I/O; tests/unit/test_users.c) --- */
void users_lower(char *s);                         /* ASCII lower case, in place */
const char *users_check_username(const char *u);   /* lowered; NULL or a msgid */
const char *users_check_email(const char *e);      /* lowered; NULL or a msgid */
const char *users_check_name(const char *n);       /* NULL or a msgid */
bool users_language_ok(const char *l);
/* A "next" target after login: the path itself when it is local ("/x", not
 * "//x", no backslash, no control character, at most 500 bytes), else "/". */
const char *users_safe_next(const char *next);
/* "31/12/2026" or "2026-12-31" -> the last second of that day in
 * Africa/Casablanca (UTC+1), as UTC seconds. 0 or -1. */
int users_parse_date(const char *s, int64_t *out);
/* "/1/4/9/" -> {1,4,9}. The count, or -1 when malformed or too deep. */
int users_path_parse(const char *path, int64_t *ids, int max);
int64_t users_minutes_ceil(int64_t seconds);       /* 61 s -> 2 min, never below 1 */
const char *users_role_msgid(role_t r);            /* "role.director"... "" when unknown */
/* Replace the first "%d" of a translated text by n (never a printf format);
 * call again for the next number. */
char *users_fill_count(arena_t *a, const char *text, long n);
/* The key used for throttling and lookups: trimmed and ASCII lower-cased copy. */
char *users_login_key(arena_t *a, const char *login);
/* The throttling key of a sign-in: "user:<id>" once the login matched an
 * account (so that its email and its username share one counter), else the
 * typed key, which never takes the "user:" form of an account's key. */
char *users_throttle_key(arena_t *a, const char *typed_key, int64_t user_id);
/* An end date of a role (UTC seconds, 0 = none is not checked here): NULL
 * when now < expires <= USERS_EXPIRES_MAX, else a msgid. */
const char *users_check_expiry(int64_t expires, int64_t now);
/* The one length rule of passwords, for setting and for checking them:
 * valid UTF-8, at most PASSWORD_MAX characters and USERS_PASSWORD_MAX_BYTES
 * bytes. */
bool users_password_fits(const char *password);

/* --- Nodes --------------------------------------------------------------- */
typedef struct {
    int64_t id;
    int64_t parent_id;
    node_kind_t kind;
    const char *name;
    bool active;
    int64_t path[USERS_PATH_MAX];
    int n_path;
} users_node_t;
/* 0, or -1 when the node does not exist. Strings in the arena. */
int users_node_load(db_t *db, arena_t *a, int64_t id, users_node_t *out);
/* The home node a role's node gives: a unit lifts to its EPS. */
int64_t users_home_for(db_t *db, int64_t role_node_id);

/* Nodes the current user holds perm on (scope-filtered), active ones, in tree
 * order: [{id, label, kind, selected}] (label shows the parent for units).
 * flags: USERS_OPT_*.
 * role_mask (may be NULL) receives the bits (1 << role) of the roles the user
 * may give at one of these nodes at least. */
enum {
    USERS_OPT_GRANTABLE = 1, /* only nodes where a role may be given */
    USERS_OPT_HOMES = 2,     /* only nodes that may manage accounts (no units) */
};
json_t *users_node_options(req_t *r, perm_t perm, unsigned flags, int64_t selected,
                           unsigned *role_mask);
/* A node's name for pages: name_ar in Arabic when set; a unit followed by
 * its establishment in brackets. "" when absent. */
const char *users_node_label(db_t *db, arena_t *a, const char *lang, int64_t node_id);

/* --- Input shared by pages and the API ---------------------------------- */
typedef struct {
    const char *name, *email, *username, *language, *password;
    bool has_name, has_email, has_username, has_language, has_password;
    int64_t node_id;
    bool has_node;
} users_input_t;
/* Reads name, email, username, language (and password when want_password)
 * through the app's validators. creating: name and language are required and
 * at least one of email/username must be given. Fields absent from a JSON
 * body are left unset (has_x false); JSON null clears email/username. */
void users_read_input(req_t *r, json_t *errors, users_input_t *in, bool creating,
                      bool want_password);
bool users_field_present(req_t *r, const char *field);
/* Put the entries of errors in the order of the form's fields (NULL-ended),
 * so that the error summary reads top to bottom. */
void users_errors_order(json_t *errors, const char *const *fields);

/* Adds "This email is already used." / "This username is already used." to
 * errors for values held by another user. Returns the number of conflicts. */
int users_check_unique(db_t *db, const char *email, const char *username, int64_t except_id,
                       json_t *errors);

/* --- Roles ---------------------------------------------------------------- */
/* May the current user give `role` at node_id (expires: 0 or UTC seconds)?
 * 0 when yes; else 404 (node absent or outside scope), 403 (in scope, not
 * allowed), or 422 with errors set on role_field / exp_field. */
int users_grant_check(req_t *r, role_t role, int64_t node_id, int64_t expires, json_t *errors,
                      const char *role_field, const char *exp_field);
/* May the current user make node_id the home of an account? 0; 404 (absent
 * or outside scope); 403; 422 with errors["node_id"] (a unit, disabled). */
int users_home_check(req_t *r, int64_t node_id, json_t *errors);
/* Does the current user hold grant rights over every role of the target?
 * (a director manages staff of their EPS, not another director). */
bool users_may_manage(req_t *r, int64_t target_id);
/* May the current user give or remove roles of target_id at all? 0; 403
 * with *msgid (may be NULL) for their own account or an account they may not
 * manage. The role and place themselves are checked by users_grant_check. */
int users_may_change_roles(req_t *r, int64_t target_id, const char **msgid);
/* Is user_id an active account holding a live admin role at the root, with
 * no other active account holding one? (its removal would leave the
 * platform without an administrator) */
bool users_is_last_admin(db_t *db, int64_t user_id);
/* Remove role role_id of user_id (in a transaction unless one is open),
 * audited. 0; 404 when the user holds no such role; 409 with *msgid (the
 * account's last role, or the platform's last administrator); 500. */
int users_role_revoke(db_t *db, int64_t actor, int64_t user_id, int64_t role_id, const char *ip,
                      const char **msgid);
/* Insert one role (inside the caller's transaction), audit it and, when
 * notify is set, tell the user. DB_OK, DB_CONSTRAINT when already held. */
int users_role_insert(db_t *db, int64_t actor, int64_t user_id, role_t role, int64_t node_id,
                      int64_t expires, const char *ip, bool notify);

/* --- Users ---------------------------------------------------------------- */
/* Validate and insert a user with roles, in a transaction unless one is open.
 * Returns DB_OK; otherwise *err_msgid and *err_field (may be "email",
 * "username", "name", "language", "roles") say why; DB_CONSTRAINT for a
 * duplicate. */
int users_insert(db_t *db, int64_t actor, const org_user_new_t *u, const char *ip,
                 int64_t *id_out, const char **err_msgid, const char **err_field);
/* Disable or enable (disabling ends the user's sessions); audited. DB_OK when
 * done or already so, DB_ERR when the user does not exist, DB_CONSTRAINT when
 * disabling the platform's last administrator (users_is_last_admin). */
int users_set_active(db_t *db, int64_t actor, int64_t user_id, bool active, const char *ip);
/* The user as JSON (never the hash): id, email, username, name, language,
 * node_id, node_name, active (bool), version, created_at, last_login_at and
 * roles [{id, role, node_id, node_name, node_kind, expires_at}]. When r is
 * given, roles at nodes outside r's user-reading scope are left out. NULL
 * when the user does not exist. */
json_t *users_json(db_t *db, req_t *r, int64_t id);
/* The live roles of a user with their nodes (for /api/v1/me and the profile). */
json_t *users_roles_json(db_t *db, req_t *r, int64_t id, bool live_only);

/* Update the fields present in `in` (and the home node when in->has_node).
 * version > 0: refused when the account changed since. Returns 0, 404 (no
 * such user), 422 (errors set), 409 (errors set on a duplicate email or
 * username; errors empty when the version is stale), 500. Audited. Inside
 * the caller's transaction when one is open (which the caller then ends). */
int users_update(req_t *r, int64_t id, const users_input_t *in, int64_t version, json_t *errors);
/* Fields, active flag (-1: unchanged, 0, 1) and a new password hash (NULL:
 * unchanged) in one transaction: all or nothing. Returns what users_update
 * returns, or 409 with *msgid when the change would disable the platform's
 * last administrator. */
int users_apply(req_t *r, int64_t id, const users_input_t *in, int64_t version, int active,
                const char *password_hash, json_t *errors, const char **msgid);
/* Hash and store a new password set by someone else, end the user's
 * sessions, audit "password_reset" (never the value). 0 or 500. */
int users_reset_password(req_t *r, int64_t id, const char *password);
/* The same for any actor and audit action ("password_change" from the
 * profile). Slow (hashing). DB_OK or a code. */
int users_set_password(db_t *db, int64_t actor, int64_t id, const char *password,
                       const char *action, const char *ip);
/* Store an already computed hash the same way, inside the caller's
 * transaction when one is open. DB_OK or a code. */
int users_store_password(db_t *db, int64_t actor, int64_t id, const char *hash,
                         const char *action, const char *ip);
bool users_check_password(db_t *db, int64_t id, const char *password);
int users_set_language(db_t *db, int64_t id, const char *lang, const char *ip); /* audited */
int64_t users_home_of(db_t *db, int64_t id);   /* the home node, 0 when no such user */
void users_touch_login(db_t *db, int64_t id);  /* last_login_at = now */
/* May the current user reset this user's password? (the permission at the
 * user's home node and every role of theirs grantable by the current user) */
bool users_may_reset(req_t *r, int64_t id, int64_t home_node_id);

/* Users in the current user's reading scope, filtered before paging:
 * q (name, email, username), node (users with their home or a role in its
 * subtree), role code, active (-1: any). Items as users_json without roles
 * when with_roles is false. total receives the count before paging. */
typedef struct {
    const char *q;
    int64_t node_id;
    const char *role;
    int active;
    int64_t limit, offset;
} users_filter_t;
json_t *users_list(req_t *r, const users_filter_t *f, int64_t *total);

/* Error answer with a standard message: 403, 404, 409 (msgid may be NULL
 * for the standard one), 500. Pages get an error page, the API JSON. */
void users_fail(req_t *r, int status, const char *msgid);

/* Transactions: begin unless already in one. */
bool users_tx_begin(db_t *db, bool *mine);
int users_tx_end(db_t *db, bool mine, bool ok);

#endif
