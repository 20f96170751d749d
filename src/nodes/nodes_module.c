/* nodes_module.c - the nodes module in one place: its routes (method,
 * pattern, permission, how {id} resolves to a node, handler, flags), its
 * menu entry, its home page part, what the audit log says of a node, and
 * its hooks. The pipeline authorizes from the routes table before a handler
 * runs; routes that create below a node named in the body (parent_id) check
 * it in the handler. */
#include "nodes_internal.h"

#include <string.h>

static const route_t nodes_routes[] = {
    /* pages */
    {"GET", "/admin/nodes", PERM_ORG_READ, NULL, nodes_page_tree, 0},
    {"GET", "/admin/nodes/new", PERM_AUTHENTICATED, NULL, nodes_page_new, 0},
    {"POST", "/admin/nodes", PERM_AUTHENTICATED, NULL, nodes_page_create, ROUTE_FORM},
    {"GET", "/admin/nodes/{id}", PERM_ORG_READ, nodes_resolve, nodes_page_show, 0},
    {"GET", "/admin/nodes/{id}/edit", PERM_ORG_MANAGE, nodes_resolve, nodes_page_edit, 0},
    {"POST", "/admin/nodes/{id}", PERM_ORG_MANAGE, nodes_resolve, nodes_page_update, ROUTE_FORM},
    {"POST", "/admin/nodes/{id}/disable", PERM_ORG_MANAGE, nodes_resolve, nodes_page_disable, ROUTE_FORM},
    {"POST", "/admin/nodes/{id}/enable", PERM_ORG_MANAGE, nodes_resolve, nodes_page_enable, ROUTE_FORM},
    /* JSON API */
    {"GET", "/api/v1/nodes", PERM_ORG_READ, NULL, nodes_api_list, 0},
    {"POST", "/api/v1/nodes", PERM_AUTHENTICATED, NULL, nodes_api_create, ROUTE_JSON},
    {"GET", "/api/v1/nodes/{id}", PERM_ORG_READ, nodes_resolve, nodes_api_get, 0},
    {"PATCH", "/api/v1/nodes/{id}", PERM_ORG_MANAGE, nodes_resolve, nodes_api_patch, ROUTE_JSON},
};

static const app_menu_t nodes_menu[] = {
    {N_("Establishments"), "/admin/nodes", PERM_ORG_READ, 10},
};

/* The audit log names a node by its name in the reader's language, with a
 * link when the reader may open its page. */
static const char *nodes_describe(req_t *r, int64_t id, const char **href)
{
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0)
        return NULL;
    if (n.kind == NODE_ROOT)
        return T(r, N_("The platform"));
    *href = app_can_at_path(r, PERM_ORG_READ, n.path) ? nodes_href(r, n.id) : NULL;
    return nodes_display_name(r, n.name, n.name_ar);
}

static const app_field_t nodes_fields[] = {
    {"name", N_("Name"), FIELD_TEXT, NULL},
    {"name_ar", N_("Name in Arabic"), FIELD_TEXT, NULL},
    {"kind", N_("Kind"), FIELD_CODE, "kind"},
    {"parent_id", N_("Placed under"), FIELD_REF, "node"},
    {"category", N_("Category"), FIELD_CODE, "category"},
    {"region", N_("Region"), FIELD_CODE, "region"},
    {"province", N_("Province or prefecture"), FIELD_TEXT, NULL},
    {"capacity", N_("Capacity"), FIELD_NUMBER, NULL},
    {"authorisation_no", N_("Authorisation number"), FIELD_TEXT, NULL},
    {"unit_kind", N_("Kind of unit"), FIELD_CODE, "unit_kind"},
    {"active", N_("Active"), FIELD_BOOL, NULL},
    /* the onboarding wizard's summary row ("onboard") of a new EPS */
    {"units", N_("Units created"), FIELD_NUMBER, NULL},
    {"accounts", N_("Accounts created"), FIELD_NUMBER, NULL},
    {"roadmap", N_("Roadmap opened"), FIELD_BOOL, NULL},
    {"kit_created", N_("Kit items added"), FIELD_NUMBER, NULL},
    {"kit_updated", N_("Kit items updated"), FIELD_NUMBER, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t nodes_entities[] = {
    {"node", N_("audit_entity.node"), nodes_describe, nodes_fields, NULL},
};

static const char *const nodes_audit_actions[] = {"create", "update", "disable", "enable", NULL};

/* Versions 10-14. The first migrations of the tree also created the users'
 * tables; those now belong to the users module, which creates them when
 * absent (a new database) and finds them otherwise. */
static const char nodes_v10_sql[] =
    "CREATE TABLE nodes ("
    " id ID_PK,"
    " parent_id BIGINT REFERENCES nodes(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('root','association','eps','unit')),"
    " name TEXT NOT NULL,"
    " name_ar TEXT,"
    " category TEXT,"
    " region TEXT,"
    " province TEXT,"
    " capacity INTEGER,"
    " authorisation_no TEXT,"
    " unit_kind TEXT,"
    " path TEXT NOT NULL DEFAULT '',"
    " active INTEGER NOT NULL DEFAULT 1,"
    " version INTEGER NOT NULL DEFAULT 1,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX nodes_parent_idx ON nodes(parent_id);"
    "CREATE INDEX nodes_path_idx ON nodes(path);"
    /* The root: the first row of a fresh table, so id 1; its path names it. */
    "INSERT INTO nodes (parent_id, kind, name, path, active, version, created_at, updated_at)"
    " VALUES (NULL, 'root', 'Jouda', '', 1, 1, NOW_EPOCH, NOW_EPOCH);"
    "UPDATE nodes SET path = '/' || CAST(id AS TEXT) || '/' WHERE kind = 'root';";

/* Search: the folded text of a node's names (src/core/fold.h), written by
 * the application with every insert and update. SQL cannot fold, so rows
 * that exist when this runs keep '' ("not computed yet") until the start
 * hook fills them. */
static const char nodes_v11_sql[] =
    "ALTER TABLE nodes ADD COLUMN search_key TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX nodes_search_key_idx ON nodes(search_key);";

/* Scope filters read a range of paths ("/1/4/" <= path < "/1/40"): on
 * PostgreSQL the column compares bytes (collation "C", whatever the
 * database's locale) so that its index serves the range; the children of a
 * node by kind serve the counts of units. SQLite compares bytes already. */
static const char nodes_v12_sql[] =
    "CREATE INDEX nodes_parent_kind_idx ON nodes(parent_id, kind, active);";
static const char nodes_v12_pg[] =
    "DROP INDEX nodes_path_idx;"
    "ALTER TABLE nodes ALTER COLUMN path TYPE TEXT COLLATE \"C\";"
    "CREATE INDEX nodes_path_idx ON nodes(path);"
    "CREATE INDEX nodes_parent_kind_idx ON nodes(parent_id, kind, active);";

/* Version 13: every write to the tree invalidates the cached views (app.h). */
static const char nodes_v13_sql[] = APP_DATA_VERSION_SQLITE("nodes", "");
static const char nodes_v13_pg[] = APP_DATA_VERSION_PG("nodes", "");

/* Version 14: the order of the node list (kind, then name), an index that
 * serves it whole for a national reader (nodes_api.c) */
static const char nodes_v14_sql[] =
    "CREATE INDEX nodes_list_order ON nodes ((CASE kind WHEN 'root' THEN 0 WHEN 'association' THEN 1"
    " WHEN 'eps' THEN 2 ELSE 3 END), lower(name), id)";

static const db_migration_t nodes_migrations[] = {
    {10, "nodes: the organisation tree", nodes_v10_sql, NULL},
    {11, "nodes: search keys", nodes_v11_sql, NULL},
    {12, "nodes: byte-ordered paths for scope ranges", nodes_v12_sql, nodes_v12_pg},
    {13, "nodes: writes raise the data version", nodes_v13_sql, nodes_v13_pg},
    {14, "nodes: the order of the list", nodes_v14_sql, NULL},
};

const module_t nodes_module = {
    .name = "nodes",
    .migrations = nodes_migrations,
    .n_migrations = ARRAY_LEN(nodes_migrations),
    .routes = nodes_routes,
    .n_routes = ARRAY_LEN(nodes_routes),
    .menu = nodes_menu,
    .n_menu = ARRAY_LEN(nodes_menu),
    .home = nodes_home,
    .entities = nodes_entities,
    .n_entities = ARRAY_LEN(nodes_entities),
    .audit_actions = nodes_audit_actions,
    .start = nodes_start,
    .demo = nodes_demo,
    .ancestry = nodes_ancestry,
};
