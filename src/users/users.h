/* users.h - user accounts and their scoped role assignments. Owns the tables
 * users and user_roles. Every user has a home node (users.node_id: the EPS,
 * association or root that manages the account); a user is visible to
 * whoever may read users there, or where one of their roles is held. A role
 * keeps a copy of its node's path and kind (a node never moves), so that
 * loading the signed-in user and filtering by scope never read the tree.
 * This is what other modules (account, the command line, demo data) may use. */
#ifndef JOUDA_USERS_H
#define JOUDA_USERS_H

#include "../app/app.h"

#define USERS_NAME_MAX 120
#define USERS_EMAIL_MAX 254
#define USERS_USERNAME_MIN 3
#define USERS_USERNAME_MAX 40
/* The latest end date of a role: 31/12/9999 23:59:59 in Casablanca, the last
 * day the date fields can express (and that pages can print). */
#define USERS_EXPIRES_MAX INT64_C(253402297199)
/* Passwords are counted in characters; the byte cap only bounds the work
 * on input no valid password can be (4 bytes per character at most). */
#define USERS_PASSWORD_MAX_BYTES (4 * PASSWORD_MAX)

extern const char *const users_languages[];  /* "fr", "ar", "en", NULL */
extern const char *const users_role_codes[]; /* every role code, NULL-terminated */

/* One row of users (never the password hash). Text in the arena. */
typedef struct {
    int64_t id, node_id;
    const char *email, *username, *name, *language;
    bool active;
    int64_t version, created_at, last_login_at; /* last_login_at 0: never */
    const char *home_path;
} user_t;

/* --- Pure helpers (users_check.c; no I/O; tests/unit/test_users.c) ------ */
void users_lower(char *s);                         /* ASCII lower case, in place */
const char *users_check_username(const char *u);   /* lowered; NULL or a msgid */
const char *users_check_email(const char *e);      /* lowered; NULL or a msgid */
const char *users_check_name(const char *n);       /* NULL or a msgid */
bool users_language_ok(const char *l);
/* A "next" target after login: the path itself when it is local ("/x", not
 * "//x", no backslash, no control character, at most 500 bytes), else "/". */
const char *users_safe_next(const char *next);
/* "31/12/2026" or "2026-12-31" -> the last second of that day in
 * Africa/Casablanca, as UTC seconds. 0 or -1. */
int users_parse_date(const char *s, int64_t *out);
/* "2030-12-31T23:59:59Z" (how the API writes times) -> UTC seconds. 0 or -1. */
int users_parse_iso(const char *s, int64_t *out);
int64_t users_minutes_ceil(int64_t seconds);       /* 61 s -> 2 min, never below 1 */
const char *users_role_msgid(role_t r);            /* "role.director"... "" when unknown */
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

/* --- Reading ------------------------------------------------------------- */
/* The signed-in user with live role assignments, in the arena; NULL when the
 * user does not exist or is disabled. Index lookups only (the framework's
 * load_user hook, run on every request). */
app_user_t *users_load_ctx(db_t *db, arena_t *a, int64_t user_id);
/* Login by email (case-insensitive) or username. Fills id and the stored
 * hash (>= 128 bytes). 0 when an active user matches, -1 otherwise. */
int users_find_login(db_t *db, const char *login, int64_t *id, char *hash_out, size_t hash_len);
/* An account's id by email (case-insensitive) or username, active or not;
 * 0 when none. */
int64_t users_find_id(db_t *db, const char *login);
/* 0, or -1 when absent. */
int users_load(db_t *db, arena_t *a, int64_t id, user_t *out);
int64_t users_home_of(db_t *db, int64_t id);   /* the home node, 0 when no such user */
bool users_is_active(db_t *db, int64_t id);
/* The people who work at the EPS of eps_path (a live director, quality
 * referent or staff role at it or one of its units), active: [{id, name}]
 * by name; and whether user_id is one of them. */
json_t *users_workers(db_t *db, const char *eps_path);
bool users_works_at(db_t *db, const char *eps_path, int64_t user_id);
/* The active accounts holding a live role at exactly the node of node_path
 * (the directors of an EPS): [{id, name}] by name. */
json_t *users_holding(db_t *db, const char *node_path, role_t role);
/* Is user_id an active account holding a live admin role at the root, with
 * no other active account holding one? (its removal would leave the
 * platform without an administrator) */
bool users_is_last_admin(db_t *db, int64_t user_id);
/* The user as JSON (never the hash): id, email, username, name, language,
 * node_id, node_name, active (bool), version, created_at, last_login_at and
 * roles [{id, role, node_id, node_name, node_kind, expires_at}], roles at
 * nodes outside r's user-reading scope left out. NULL when the user does
 * not exist. */
json_t *users_json(req_t *r, int64_t id);
/* The roles of a user with their nodes (for /api/v1/me and the profile);
 * within r's user-reading scope when scoped. */
json_t *users_roles_json(req_t *r, int64_t id, bool live_only, bool scoped);
/* Every account with its roles, for the command line: rows
 * {id, login, name, active, role, node_id} (a row per role; role null for
 * none), of the subtree of node_id when > 0, by id. */
json_t *users_listing(db_t *db, arena_t *a, int64_t node_id);

/* --- Writing (each in a transaction unless one is open, audited) --------- */
typedef struct {
    const char *email;     /* may be NULL when username is set */
    const char *username;  /* may be NULL when email is set */
    const char *name;
    const char *language;  /* fr | ar | en */
    const char *password_hash;
    int64_t home_node_id;  /* 0: derived from the first role */
    const role_t *roles;
    const int64_t *role_nodes;
    const int64_t *role_expiry; /* may be NULL */
    int n_roles;
} user_new_t;
/* Validate and insert a user with roles. RES_OK; otherwise *err_msgid and
 * *err_field (may be "email", "username", "name", "language", "roles",
 * "node_id") say why: RES_INVALID, RES_CONFLICT for a duplicate, RES_ERROR. */
res_t users_insert(db_t *db, int64_t actor, const user_new_t *u, const char *ip, int64_t *id_out,
                   const char **err_msgid, const char **err_field);
/* Disable or enable (disabling ends the user's sessions and revokes their
 * API tokens for good: enabling does not bring them back). RES_OK when done
 * or already so, RES_NOT_FOUND, RES_CONFLICT when disabling the platform's
 * last administrator, RES_ERROR. */
res_t users_set_active(db_t *db, int64_t actor, int64_t user_id, bool active, const char *ip);
/* Hash (slow) and store a new password: "password_change" from the profile,
 * "password_reset" by someone else; ends the user's sessions and revokes
 * their API tokens (audited "token_revoke_all" with their number). */
res_t users_set_password(db_t *db, int64_t actor, int64_t id, const char *password,
                         const char *action, const char *ip);
bool users_check_password(db_t *db, int64_t id, const char *password);
/* The user's saved language (fr|ar|en), audited; nothing when unchanged. */
res_t users_set_language(db_t *db, int64_t id, const char *lang, const char *ip);
void users_touch_login(db_t *db, int64_t id);  /* last_login_at = now */

extern const module_t users_module;

#endif
