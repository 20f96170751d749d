/* org.h - the organisation tree (root -> associations -> EPS -> units), users
 * and their scoped role assignments. Owns tables nodes, users, user_roles.
 *
 * Every node keeps its ancestry in nodes.path ("/1/4/9/", root first, itself
 * last), so "in the subtree of X" is `path LIKE '<X's path>%'`.
 * Every user has a home node (users.node_id: the EPS, association or root that
 * manages the account); a user is visible to whoever may read users there. */
#ifndef JOUDA_ORG_H
#define JOUDA_ORG_H

#include "../auth/authz.h"
#include "../db/db.h"
#include "../http/http.h"

/* EPS categories under Law 65-15. */
extern const char *const org_categories[]; /* "children","students","women","elderly","disability","homeless","other", NULL */
extern const char *const org_unit_kinds[]; /* "family_house","youth_home","mother_child","day_centre","other", NULL */
extern const char *const org_regions[];    /* the 12 regions' codes, NULL-terminated */
bool org_code_in(const char *const *list, const char *code);

/* Ancestry of a node (root first, the node last) in the arena, and its kind.
 * 0, or -1 when the node does not exist. */
int org_node_ancestry(db_t *db, arena_t *a, int64_t node_id, int64_t **path, int *n,
                      node_kind_t *kind);

/* The signed-in user with live role assignments, in the arena; NULL when the
 * user does not exist or is disabled. */
user_ctx_t *org_user_ctx_load(db_t *db, arena_t *a, int64_t user_id);

/* Login by email (case-insensitive) or username. Fills id and the stored
 * hash (>= 128 bytes). 0 when an active user matches, -1 otherwise. */
int org_user_find_login(db_t *db, const char *login, int64_t *id, char *hash_out, size_t hash_len);

/* Resolvers for routes taking ids. */
int64_t org_resolve_node(req_t *r, int64_t node_id);  /* the node itself */
int64_t org_resolve_user(req_t *r, int64_t user_id);  /* the user's home node */
int64_t org_resolve_role(req_t *r, int64_t role_id);  /* the node where the role is held */

/* Create a user with roles (command line `init`, `user add`, demo). The
 * password hash is computed by the caller. Returns 0 and the id, -1 with a
 * msgid in *err_msgid (duplicate email/username...). Audited. */
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
} org_user_new_t;
int org_user_create(db_t *db, int64_t actor, const org_user_new_t *u, int64_t *id_out,
                    const char **err_msgid);
int org_user_set_active(db_t *db, int64_t actor, int64_t user_id, bool active);
/* Save the user's language (fr|ar|en); audited; nothing when unchanged. */
int org_user_set_language(db_t *db, int64_t user_id, const char *lang, const char *ip);
/* Is this the only active account holding a live admin role at the root? */
bool org_user_is_last_admin(db_t *db, int64_t user_id);
int64_t org_root_id(db_t *db); /* the root node, created by the org migration */
/* Fill nodes.search_key and users.search_key where still '' (rows written
 * before migration 11). Run after the migrations. DB_OK or a code. */
int org_search_keys_refresh(db_t *db);

extern const route_t org_routes[];
extern const size_t org_routes_count;
extern const db_migration_t org_migrations[];
extern const size_t org_migrations_count;

#endif
