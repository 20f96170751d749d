/* users_module.c - the users module in one place: its routes, menu entry,
 * tables, what the audit log says of accounts and roles, its part of the
 * home page and of a node's page, the accounts figure of nodes, and the
 * framework's hook that loads the signed-in user. */
#include "users_internal.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

static const route_t users_routes[] = {
    /* pages */
    {"GET", "/admin/users", PERM_USER_READ, NULL, users_page_list, 0},
    {"GET", "/admin/users/new", PERM_USER_MANAGE, NULL, users_page_new, 0},
    {"POST", "/admin/users", PERM_USER_MANAGE, NULL, users_page_create, ROUTE_FORM | ROUTE_SLOW},
    {"GET", "/admin/users/{id}", PERM_USER_READ, users_resolve, users_page_show, 0},
    {"POST", "/admin/users/{id}", PERM_USER_MANAGE, users_resolve, users_page_update, ROUTE_FORM},
    {"POST", "/admin/users/{id}/disable", PERM_USER_MANAGE, users_resolve, users_page_disable, ROUTE_FORM},
    {"POST", "/admin/users/{id}/enable", PERM_USER_MANAGE, users_resolve, users_page_enable, ROUTE_FORM},
    {"POST", "/admin/users/{id}/roles", PERM_USER_MANAGE, users_resolve, users_page_role_grant, ROUTE_FORM},
    {"POST", "/admin/users/{id}/roles/{id2}/delete", PERM_USER_MANAGE, users_resolve, users_page_role_revoke, ROUTE_FORM},
    {"POST", "/admin/users/{id}/password", PERM_USER_RESET_PASSWORD, users_resolve, users_page_password, ROUTE_FORM | ROUTE_SLOW},
    /* JSON API */
    {"GET", "/api/v1/users", PERM_USER_READ, NULL, users_api_list, 0},
    {"POST", "/api/v1/users", PERM_USER_MANAGE, NULL, users_api_create, ROUTE_JSON | ROUTE_SLOW},
    {"GET", "/api/v1/users/{id}", PERM_USER_READ, users_resolve, users_api_get, 0},
    {"PATCH", "/api/v1/users/{id}", PERM_USER_MANAGE, users_resolve, users_api_patch, ROUTE_JSON | ROUTE_SLOW},
    {"POST", "/api/v1/users/{id}/roles", PERM_USER_MANAGE, users_resolve, users_api_role_grant, ROUTE_JSON},
    {"DELETE", "/api/v1/users/{id}/roles/{id2}", PERM_USER_MANAGE, users_resolve, users_api_role_revoke, 0},
};

static const app_menu_t users_menu[] = {
    {N_("Users"), "/admin/users", PERM_USER_READ, 20},
};

/* --- What the audit log and notifications say of accounts and roles ------ */

static const char *users_describe(req_t *r, int64_t id, const char **href)
{
    user_t u;
    if (users_load(r->db, r->arena, id, &u) != 0)
        return NULL;
    *href = app_can_at_path(r, PERM_USER_READ, u.home_path)
                ? arena_printf(r->arena, "/admin/users/%lld", (long long)u.id)
                : NULL;
    return u.name;
}

/* Accounts whose name, email or username matches q, in the reader's scope. */
static size_t users_find(req_t *r, const char *q, int64_t *ids, size_t max)
{
    users_filter_t f = {.q = q, .active = -1, .limit = (int64_t)max, .offset = 0};
    int64_t total = 0;
    json_t *items = users_list(r, &f, &total);
    size_t n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
        if (n < max)
            ids[n++] = json_integer_value(json_object_get(it, "id"));
    json_decref(items);
    return n;
}

/* "Director · Village d'enfants Tanger" while the role exists. */
static const char *roles_describe(req_t *r, int64_t id, const char **href)
{
    db_res_t *res = db_query(r->db, "SELECT " ROLE_COLS ", ur.user_id FROM user_roles ur WHERE ur.id = ?",
                             PARAMS(P_INT(id)));
    role_assignment_t ra;
    int64_t user = 0;
    bool ok = res && db_next(res) && users_role_from_row(r->arena, res, 0, &ra);
    if (ok)
        user = db_int(res, 6);
    if (res)
        db_res_free(res);
    if (!ok)
        return NULL;
    const char *node = app_entity_name(r, "node", ra.node_id, NULL);
    *href = app_can_at_path(r, PERM_USER_READ, ra.node_path)
                ? arena_printf(r->arena, "/admin/users/%lld", (long long)user)
                : NULL;
    return arena_printf(r->arena, "%s · %s", T(r, users_role_msgid(ra.role)), node ? node : "");
}

static const app_field_t users_fields[] = {
    {"name", N_("Name"), FIELD_TEXT, NULL},
    {"email", N_("Email"), FIELD_TEXT, NULL},
    {"username", N_("Username"), FIELD_TEXT, NULL},
    {"language", N_("Language"), FIELD_LANG, NULL},
    {"node_id", N_("Account managed by"), FIELD_REF, "node"},
    {"active", N_("Active"), FIELD_BOOL, NULL},
    {"password", N_("Password"), FIELD_SECRET, NULL},
    {"api_tokens_revoked", N_("API tokens revoked"), FIELD_NUMBER, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_field_t roles_fields[] = {
    {"user_id", N_("Person"), FIELD_REF, "user"},
    {"role", N_("Role"), FIELD_CODE, "role"},
    {"node_id", N_("Place"), FIELD_REF, "node"},
    {"expires_at", N_("Until"), FIELD_TIME, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t users_entities[] = {
    {"user", N_("audit_entity.user"), users_describe, users_fields, users_find},
    {"role", N_("audit_entity.role"), roles_describe, roles_fields, NULL},
};

static const char *const users_audit_actions[] = {
    "create", "update", "disable", "enable", "grant", "revoke", "password_change", "password_reset",
    "token_revoke_all", NULL};

/* --- Home and node pages -------------------------------------------------- */

/* "Your roles" for network roles (their home shows the network, not one
 * establishment with their role on it). */
void users_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    int64_t now = now_utc();
    bool network = false;
    json_t *roles = json_array();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now))
            continue;
        if (ra->node_kind == NODE_ROOT || ra->node_kind == NODE_ASSOCIATION ||
            ra->role == ROLE_ADMIN || ra->role == ROLE_QUALITY_ADVISOR ||
            ra->role == ROLE_OBSERVER || ra->role == ROLE_INSPECTOR)
            network = true;
        const char *href = NULL;
        const char *where = ra->node_kind == NODE_ROOT ? T(r, N_("The whole platform"))
                                                       : app_entity_name(r, "node", ra->node_id, &href);
        json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "role", T(r, users_role_msgid(ra->role)),
                              "where", where ? where : "", "kind_label",
                              T(r, arena_printf(r->arena, "kind.%s", node_kind_code(ra->node_kind))),
                              "href", json_str_or_null(href));
        char d[32];
        if (ra->expires_at > 0)
            format_local_date(ra->expires_at, d, sizeof d);
        json_object_set_new(o, "expires", ra->expires_at > 0 ? json_string(d) : json_null());
        json_array_append_new(roles, o);
    }
    if (!network) {
        json_decref(roles);
        return;
    }
    json_array_append_new(sections, json_pack("{s:s, s:i, s:o, s:b}", "partial", "users/home_roles",
                                              "order", 90, "roles", roles, "has_roles", 1));
}

/* The accounts card of a node's page, for those who may read them. */
void users_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections)
{
    /* for those who keep the accounts; the staff of a house need it not */
    if (!app_can_at_path(r, PERM_USER_READ, path))
        return;
    json_t *figs = app_node_figures(r, &node_id, 1);
    int64_t n = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_array_get(figs, 0), i, f)
        if (str_eq(json_string_value(json_object_get(f, "key")), "accounts"))
            n = json_integer_value(json_object_get(f, "value"));
    json_decref(figs);
    bool readable = app_can_at_path(r, PERM_USER_READ, path);
    json_array_append_new(
        sections,
        json_pack("{s:s, s:i, s:b, s:I, s:s, s:o}", "partial", "users/node_accounts", "order", 10,
                  "aside", 1, "count", (json_int_t)n, "count_h", app_number(r, n), "users_href",
                  readable ? json_string(arena_printf(r->arena, "/admin/users?node=%lld",
                                                      (long long)node_id))
                           : json_null()));
}

/* --- Tables ----------------------------------------------------------------- */

/* Versions 15-19. The tables were first created by the tree's first
 * migration; a new database gets them here. A role keeps a copy of its
 * node's path and kind, an account of its home's path: scope filters read
 * them from their own indexes, and the signed-in user is loaded without a
 * join (a node never moves and never changes kind). */
static const char users_v15_sql[] =
    "CREATE TABLE IF NOT EXISTS users ("
    " id ID_PK,"
    " node_id BIGINT NOT NULL REFERENCES nodes(id),"
    " email TEXT UNIQUE,"
    " username TEXT UNIQUE,"
    " name TEXT NOT NULL,"
    " language TEXT NOT NULL DEFAULT 'fr',"
    " password_hash TEXT NOT NULL,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " version INTEGER NOT NULL DEFAULT 1,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " last_login_at BIGINT,"
    " search_key TEXT NOT NULL DEFAULT '',"
    " CHECK (email IS NOT NULL OR username IS NOT NULL)"
    ");"
    "CREATE INDEX IF NOT EXISTS users_node_idx ON users(node_id);"
    "CREATE INDEX IF NOT EXISTS users_search_key_idx ON users(search_key);"
    "CREATE TABLE IF NOT EXISTS user_roles ("
    " id ID_PK,"
    " user_id BIGINT NOT NULL REFERENCES users(id),"
    " role TEXT NOT NULL,"
    " node_id BIGINT NOT NULL REFERENCES nodes(id),"
    " expires_at BIGINT,"
    " created_at BIGINT NOT NULL,"
    " created_by BIGINT,"
    " UNIQUE (user_id, role, node_id)"
    ");"
    "CREATE INDEX IF NOT EXISTS user_roles_user_idx ON user_roles(user_id);"
    "CREATE INDEX IF NOT EXISTS user_roles_node_idx ON user_roles(node_id);";

#define USERS_V16_FILL                                                                             \
    "UPDATE users SET home_path = (SELECT n.path FROM nodes n WHERE n.id = users.node_id);"       \
    "UPDATE user_roles SET node_path = (SELECT n.path FROM nodes n WHERE n.id = user_roles.node_id),"\
    " node_kind = (SELECT n.kind FROM nodes n WHERE n.id = user_roles.node_id);"                  \
    "CREATE INDEX users_home_path_idx ON users(home_path, active);"                                \
    "CREATE INDEX user_roles_node_path_idx ON user_roles(node_path);"                             \
    "CREATE INDEX user_roles_admin_idx ON user_roles(role, node_kind);"

static const char users_v16_sql[] =
    "ALTER TABLE users ADD COLUMN home_path TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE user_roles ADD COLUMN node_path TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE user_roles ADD COLUMN node_kind TEXT NOT NULL DEFAULT '';" USERS_V16_FILL;
static const char users_v16_pg[] =
    "ALTER TABLE users ADD COLUMN home_path TEXT COLLATE \"C\" NOT NULL DEFAULT '';"
    "ALTER TABLE user_roles ADD COLUMN node_path TEXT COLLATE \"C\" NOT NULL DEFAULT '';"
    "ALTER TABLE user_roles ADD COLUMN node_kind TEXT NOT NULL DEFAULT '';" USERS_V16_FILL;

/* The users list reads in the order of names. */
static const char users_v17_sql[] = "CREATE INDEX users_name_idx ON users(name, id);";

/* Version 18: writes to accounts (but for sign-in times, passwords and
 * preferences) and to roles invalidate the cached views (app.h). */
#define USERS_V18_COLS " OF active, home_path, node_id, name, email, username"
static const char users_v18_sql[] =
    APP_DATA_VERSION_SQLITE("users", USERS_V18_COLS) APP_DATA_VERSION_SQLITE("user_roles", "");
static const char users_v18_pg[] =
    APP_DATA_VERSION_PG("users", USERS_V18_COLS) APP_DATA_VERSION_PG("user_roles", "");

static const db_migration_t users_migrations[] = {
    {15, "users: accounts and roles", users_v15_sql, NULL},
    {16, "users: paths of homes and roles", users_v16_sql, users_v16_pg},
    {17, "users: the list by name", users_v17_sql, NULL},
    {18, "users: writes raise the data version", users_v18_sql, users_v18_pg},
};

int users_start(db_t *db)
{
    int rc = app_fill_search_keys(db,
                                  "SELECT id, name, email, username FROM users"
                                  " WHERE search_key = '' AND id > ? ORDER BY id LIMIT ?",
                                  "UPDATE users SET search_key = ? WHERE id = ? AND search_key = ''", 3);
    if (rc != DB_OK)
        log_error("users: search keys could not be computed: %s", db_errmsg(db));
    return rc;
}

/* The accounts figure changes by time alone when a role ends. */
static int64_t users_figures_until(db_t *db, int64_t now)
{
    return db_query_int(db, "SELECT MIN(expires_at) FROM user_roles WHERE expires_at > ?",
                        PARAMS(P_INT(now)), 0);
}

const module_t users_module = {
    .name = "users",
    .migrations = users_migrations,
    .n_migrations = ARRAY_LEN(users_migrations),
    .routes = users_routes,
    .n_routes = ARRAY_LEN(users_routes),
    .menu = users_menu,
    .n_menu = ARRAY_LEN(users_menu),
    .home = users_home,
    .node_sections = users_node_sections,
    .node_figures = users_node_figures,
    .figures_until = users_figures_until,
    .entities = users_entities,
    .n_entities = ARRAY_LEN(users_entities),
    .audit_actions = users_audit_actions,
    .start = users_start,
    .demo = users_demo,
    .load_user = users_load_ctx,
    .facts = users_facts,
    .n_facts = USERS_N_FACTS,
};
