/* org_schema.c - migrations of the org module (versions 10-19): the
 * organisation tree (nodes), user accounts (users) and their scoped role
 * assignments (user_roles). The root node is created here so that every
 * database has exactly one, with id 1 and path '/1/'. */
#include "org.h"

static const char org_v10_sql[] =
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
    "CREATE TABLE users ("
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
    " CHECK (email IS NOT NULL OR username IS NOT NULL)"
    ");"
    "CREATE INDEX users_node_idx ON users(node_id);"
    "CREATE TABLE user_roles ("
    " id ID_PK,"
    " user_id BIGINT NOT NULL REFERENCES users(id),"
    " role TEXT NOT NULL,"
    " node_id BIGINT NOT NULL REFERENCES nodes(id),"
    " expires_at BIGINT,"
    " created_at BIGINT NOT NULL,"
    " created_by BIGINT,"
    " UNIQUE (user_id, role, node_id)"
    ");"
    "CREATE INDEX user_roles_user_idx ON user_roles(user_id);"
    "CREATE INDEX user_roles_node_idx ON user_roles(node_id);"
    /* The root: the first row of a fresh table, so id 1; its path names it. */
    "INSERT INTO nodes (parent_id, kind, name, path, active, version, created_at, updated_at)"
    " VALUES (NULL, 'root', 'Jouda', '', 1, 1, NOW_EPOCH, NOW_EPOCH);"
    "UPDATE nodes SET path = '/' || CAST(id AS TEXT) || '/' WHERE kind = 'root';";

/* Search: the folded text of a node's names and of a user's name, email and
 * username (src/core/fold.h), written by the application with every insert
 * and update of those fields. SQL cannot fold, so rows that exist when this
 * runs keep '' ("not computed yet") until org_search_keys_refresh fills them
 * at start-up. The index serves that lookup; searches scan the keys. */
static const char org_v11_sql[] =
    "ALTER TABLE nodes ADD COLUMN search_key TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX nodes_search_key_idx ON nodes(search_key);"
    "CREATE INDEX users_search_key_idx ON users(search_key);";

const db_migration_t org_migrations[] = {
    {10, "org: nodes, users, user_roles", org_v10_sql, NULL},
    {11, "org: search keys of nodes and users", org_v11_sql, NULL},
};
const size_t org_migrations_count = ARRAY_LEN(org_migrations);
