/* users_internal.h - private to the users module: what its pages
 * (users_pages.c), its API (users_api.c), its model (users_write.c,
 * users_query.c) and its module table (users_module.c) share. */
#ifndef JOUDA_USERS_INTERNAL_H
#define JOUDA_USERS_INTERNAL_H

#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "users.h"

/* Columns read by users_from_row, in order, for a users table aliased u. */
#define USER_COLS                                                                                \
    "u.id, u.node_id, u.email, u.username, u.name, u.language, u.active, u.version, "             \
    "u.created_at, u.last_login_at, u.home_path"
void users_from_row(arena_t *a, db_res_t *res, int first_col, user_t *out);
/* authz_role_live in SQL, for a user_roles table aliased ur; binds now. */
#define ROLE_LIVE_SQL "(ur.expires_at IS NULL OR ur.expires_at > ?)"
/* Columns read by users_role_from_row for a user_roles table aliased ur. */
#define ROLE_COLS "ur.id, ur.role, ur.node_id, ur.node_kind, ur.expires_at, ur.node_path"
/* false when the row's role or kind is unknown. */
bool users_role_from_row(arena_t *a, db_res_t *res, int first_col, role_assignment_t *out);

/* --- Handlers ------------------------------------------------------------- */
void users_page_list(req_t *r);
void users_page_new(req_t *r);
void users_page_create(req_t *r);
void users_page_show(req_t *r);
void users_page_update(req_t *r);
void users_page_disable(req_t *r);
void users_page_enable(req_t *r);
void users_page_role_grant(req_t *r);
void users_page_role_revoke(req_t *r);
void users_page_password(req_t *r);
void users_api_list(req_t *r);
void users_api_create(req_t *r);
void users_api_get(req_t *r);
void users_api_patch(req_t *r);
void users_api_role_grant(req_t *r);
void users_api_role_revoke(req_t *r);
/* Resolvers. */
int64_t users_resolve(req_t *r, int64_t user_id);      /* the user's home node */
int64_t users_resolve_role(req_t *r, int64_t role_id); /* the node where the role is held */

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
/* Adds "This email is already used." / "This username is already used." to
 * errors for values held by another user. Returns the number of conflicts. */
int users_check_unique(db_t *db, const char *email, const char *username, int64_t except_id,
                       json_t *errors);

/* --- Roles ---------------------------------------------------------------- */
/* May the current user give `role` at node_id (expires: 0 or UTC seconds)?
 * RES_OK; RES_NOT_FOUND (node absent or outside scope), RES_FORBIDDEN (in
 * scope, not allowed), or RES_INVALID with errors set on role_field /
 * exp_field. */
res_t users_grant_check(req_t *r, role_t role, int64_t node_id, int64_t expires, json_t *errors,
                        const char *role_field, const char *exp_field);
/* May the current user make node_id the home of an account? RES_OK;
 * RES_NOT_FOUND; RES_FORBIDDEN; RES_INVALID with errors["node_id"]. */
res_t users_home_check(req_t *r, int64_t node_id, json_t *errors);
/* Does the current user hold grant rights over every role of the target?
 * (a director manages staff of their EPS, not another director) */
bool users_may_manage(req_t *r, int64_t target_id);
/* May the current user give or remove roles of target_id at all? RES_OK, or
 * RES_FORBIDDEN with *msgid (may be NULL) for their own account or an
 * account they may not manage. */
res_t users_may_change_roles(req_t *r, int64_t target_id, const char **msgid);
/* Give a role to an existing account: every check of the pages and the API
 * (may change roles, grant check, not held already), the insert, its audit
 * row and the notification of the person. RES_OK with *role_id; otherwise
 * errors / *msgid say why. */
res_t users_role_grant(req_t *r, int64_t user_id, role_t role, int64_t node_id, int64_t expires,
                       json_t *errors, const char *role_field, const char *node_field,
                       const char *exp_field, int64_t *role_id, const char **msgid);
/* May the current user remove role role_id of user_id? RES_OK with the
 * role in *out; RES_NOT_FOUND (no such role, or outside the scope);
 * RES_FORBIDDEN with *msgid (may be NULL). The checks of pages and API. */
res_t users_role_revoke_check(req_t *r, int64_t user_id, int64_t role_id, role_assignment_t *out,
                              const char **msgid);
/* Remove role role_id of user_id, audited. RES_OK; RES_NOT_FOUND when the
 * user holds no such role; RES_CONFLICT with *msgid (the account's last
 * role, or the platform's last administrator); RES_ERROR. */
res_t users_role_revoke(db_t *db, int64_t actor, int64_t user_id, int64_t role_id, const char *ip,
                        const char **msgid);
/* Insert one role (inside the caller's transaction), audit it and, when
 * notify is set, tell the user. DB_OK, DB_CONSTRAINT when already held. */
int users_role_insert(db_t *db, int64_t actor, int64_t user_id, role_t role, int64_t node_id,
                      int64_t expires, const char *ip, bool notify);
/* The role of user_id with id role_id as a record (0 or -1). */
int users_role_load(db_t *db, arena_t *a, int64_t user_id, int64_t role_id,
                    role_assignment_t *out);

/* --- Users ---------------------------------------------------------------- */
/* Update the fields present in `in` (and the home node when in->has_node).
 * version > 0: refused when the account changed since. RES_OK,
 * RES_NOT_FOUND, RES_INVALID (errors set), RES_CONFLICT (errors set on a
 * duplicate email or username; errors empty when the version is stale),
 * RES_ERROR. */
res_t users_update(req_t *r, int64_t id, const users_input_t *in, int64_t version, json_t *errors);
/* Fields, active flag (-1: unchanged, 0, 1) and a new password hash (NULL:
 * unchanged) in one transaction: all or nothing. Returns what users_update
 * returns, or RES_CONFLICT with *msgid when the change would disable the
 * platform's last administrator. */
res_t users_apply(req_t *r, int64_t id, const users_input_t *in, int64_t version, int active,
                  const char *password_hash, json_t *errors, const char **msgid);
/* Store an already computed hash, inside the caller's transaction when one
 * is open. */
res_t users_store_password(db_t *db, int64_t actor, int64_t id, const char *hash,
                           const char *action, const char *ip);
/* May the current user reset this user's password? (the permission at the
 * user's home node and every role of theirs grantable by the current user) */
bool users_may_reset(req_t *r, int64_t id, int64_t home_node_id);

/* Users in the current user's reading scope, filtered before paging:
 * q (name, email, username), node (users with their home or a role in its
 * subtree), role code, active (-1: any). total receives the count before
 * paging. */
typedef struct {
    const char *q;
    int64_t node_id;
    const char *role;
    int active;
    int64_t limit, offset;
} users_filter_t;
json_t *users_list(req_t *r, const users_filter_t *f, int64_t *total);
/* The API view of user records with their roles (scoped to r): an array. */
json_t *users_records_json(req_t *r, const user_t *users, size_t n);

/* --- Module parts --------------------------------------------------------- */
/* Accounts of nodes: active accounts whose home or a live role is at the
 * node or below, each once, within the reader's scope (node_figures). */
void users_node_figures(req_t *r, const int64_t *ids, size_t n, json_t *const *out);
/* The staff accounts card of a node's page. */
void users_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections);
/* "Your roles" on the home page of network roles. */
void users_home(req_t *r, json_t *sections);
/* Demo accounts. */
int users_demo(app_demo_t *d);
/* "quality_referent_named" (users_facts.c; the roadmap's evidence). */
#define USERS_N_FACTS 1
extern const app_fact_t users_facts[USERS_N_FACTS];
/* Search keys of rows written before they existed. */
int users_start(db_t *db);
/* users.search_key of these fields (malloc'd). */
char *users_search_key(const char *name, const char *email, const char *username);

#endif
