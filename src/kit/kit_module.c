/* kit_module.c - the transfer kits in one place: tables, routes (pages
 * under /kits, API under /api/v1/kits), menu entry, what the audit log says
 * of an import, a trusted key and the instance, the sealed secret key.
 *
 * Who: kits are for the administrators and quality advisors of the root or
 * of an association (kit_can_use: quality.write held there); the instance's
 * name, its signing key and the trusted keys are the root administrators'
 * (kit_can_admin). Directors and referents see the page without its
 * forms (the menu shows it to them); every action answers them 403, and
 * the staff of establishments 403 everywhere, before a body is read (the
 * routes' checks). A kit user exports what is placed at their node (the
 * root, or their association, ?node_id= choosing another they write
 * quality work at) and below it, with the national items above it. */
#include "kit_internal.h"

#include <string.h>

#include "../nodes/nodes.h"

/* Who may use a route, decided before its body is read (the pipeline runs
 * a route's check on routes without an id too): quality.write, which the
 * route asks, is held by the staff of establishments as well. */
static int check_use(req_t *r, int64_t id)
{
    (void)id;
    if (kit_can_use(r))
        return 0;
    app_deny(r, "forbidden", N_("Transfer kits are for administrators and quality advisors."),
             NULL, NULL);
    return 403;
}

static int check_admin(req_t *r, int64_t id)
{
    if (check_use(r, id))
        return 403;
    if (kit_can_admin(r))
        return 0;
    app_deny(r, "forbidden",
             N_("The national administrators manage the instance's name and keys."), NULL, NULL);
    return 403;
}

static const route_t kit_routes[] = {
    /* pages (GET /kits: also the explanation read by directors and referents) */
    {"GET", "/kits", PERM_QUALITY_WRITE, NULL, kit_page_index, 0, NULL},
    {"GET", "/kits/export", PERM_QUALITY_WRITE, NULL, kit_page_export, ROUTE_SLOW, check_use},
    {"POST", "/kits/import", PERM_QUALITY_WRITE, NULL, kit_page_upload,
     ROUTE_FORM | ROUTE_UPLOAD | ROUTE_SLOW, check_use},
    {"POST", "/kits/apply", PERM_QUALITY_WRITE, NULL, kit_page_apply, ROUTE_FORM | ROUTE_SLOW,
     check_use},
    {"POST", "/kits/name", PERM_QUALITY_WRITE, NULL, kit_page_name, ROUTE_FORM, check_admin},
    {"POST", "/kits/keygen", PERM_QUALITY_WRITE, NULL, kit_page_keygen, ROUTE_FORM, check_admin},
    {"POST", "/kits/keys", PERM_QUALITY_WRITE, NULL, kit_page_trust, ROUTE_FORM, check_admin},
    {"POST", "/kits/keys/delete", PERM_QUALITY_WRITE, NULL, kit_page_untrust, ROUTE_FORM,
     check_admin},
    /* JSON API */
    {"GET", "/api/v1/kits/export", PERM_QUALITY_WRITE, NULL, kit_api_export, ROUTE_SLOW, check_use},
    {"POST", "/api/v1/kits/import", PERM_QUALITY_WRITE, NULL, kit_api_import,
     ROUTE_UPLOAD | ROUTE_ZIP | ROUTE_SLOW, check_use},
};

/* Shown to administrators and quality advisors only (kit_can_use). Others
 * who open /kits (directors, referents) read on the page what a kit is and
 * who makes them; every action (export, import, keys, name) answers them 403. */
static const app_menu_t kit_menu[] = {
    {N_("Transfer kits"), "/kits", PERM_USER_READ, 85, kit_can_use},
};

bool kit_can_use(req_t *r)
{
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (authz_role_live(ra, now) &&
            (ra->node_kind == NODE_ROOT || ra->node_kind == NODE_ASSOCIATION) &&
            authz_role_grants(ra->role, ra->node_kind, PERM_QUALITY_WRITE))
            return true;
    }
    return false;
}

int64_t kit_default_node(req_t *r)
{
    int64_t best = 0;
    size_t best_len = 0;
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now) || !ra->node_path ||
            (ra->node_kind != NODE_ROOT && ra->node_kind != NODE_ASSOCIATION) ||
            !authz_role_grants(ra->role, ra->node_kind, PERM_QUALITY_WRITE))
            continue;
        size_t len = strlen(ra->node_path);
        if (!best || len < best_len) {
            best = ra->node_id;
            best_len = len;
        }
    }
    return best;
}

bool kit_can_admin(req_t *r)
{
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (authz_role_live(ra, now) && ra->node_kind == NODE_ROOT && ra->role == ROLE_ADMIN)
            return true;
    }
    return false;
}

static const char *import_describe(req_t *r, int64_t id, const char **href)
{
    json_t *row = db_query_row_json(r->db,
                                    "SELECT producer, applied_at FROM kit_imports WHERE id = ?",
                                    PARAMS(P_INT(id)));
    if (!row || !kit_can_use(r)) {
        json_decref(row);
        return NULL;
    }
    char day[32] = "";
    format_local_date(json_integer_value(json_object_get(row, "applied_at")), day, sizeof day);
    const char *args[] = {json_string_value(json_object_get(row, "producer")), day};
    const char *name = text_fill_strings(r->arena, T(r, N_("Kit of %s imported on %s")), args, 2);
    json_decref(row);
    *href = "/kits#history";
    return name;
}

static const char *key_describe(req_t *r, int64_t id, const char **href)
{
    json_t *row = db_query_row_json(r->db, "SELECT name FROM kit_keys WHERE id = ?",
                                    PARAMS(P_INT(id)));
    const char *name = NULL;
    if (row && kit_can_use(r)) {
        name = arena_strdup(r->arena, json_string_value(json_object_get(row, "name")));
        *href = "/kits#keys";
    }
    json_decref(row);
    return name;
}

static const char *instance_describe(req_t *r, int64_t id, const char **href)
{
    if (!kit_can_use(r))
        return NULL;
    *href = "/kits";
    return kit_instance_name(r->db, r->arena);
}

static const app_field_t kit_fields[] = {
    {"producer", N_("Producer"), FIELD_TEXT, NULL},
    {"signed", N_("Signed by a trusted key"), FIELD_BOOL, NULL},
    {"created", N_("Items created"), FIELD_NUMBER, NULL},
    {"updated", N_("Items updated"), FIELD_NUMBER, NULL},
    {"same", N_("Items already here"), FIELD_NUMBER, NULL},
    {"skipped", N_("Items kept as they were"), FIELD_NUMBER, NULL},
    {"invalid", N_("Items refused"), FIELD_NUMBER, NULL},
    {"name", N_("Name"), FIELD_TEXT, NULL},
    {"public_key", N_("Public key"), FIELD_TEXT, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t kit_entities[] = {
    {"kit_import", N_("audit_entity.kit_import"), import_describe, kit_fields, NULL},
    {"kit_key", N_("audit_entity.kit_key"), key_describe, kit_fields, NULL},
    {"instance", N_("audit_entity.instance"), instance_describe, kit_fields, NULL},
};

static const char *const kit_audit_actions[] = {"import", "create", "delete", "update", "keygen",
                                                NULL};

static const char *const kit_code_msgids[] __attribute__((unused)) = {
    N_("audit_action.keygen"), N_("kit_action.create"), N_("kit_action.update"),
    N_("kit_action.same"), N_("kit_action.skip"), N_("kit_action.invalid")};

/* The secret key is sealed with the key file's key: `jouda key rotate`
 * seals it again. */
static const app_sealed_t kit_sealed[] = {
    {"kit_signing_key", "id", "secret_key"},
};

/* The demo instance signs its kits: its key pair, made once. */
static int kit_demo(app_demo_t *d)
{
    arena_t *a = arena_new();
    bool had = kit_own_public(d->db, a) != NULL;
    const char *pk = NULL;
    int rc = had || kit_keygen(d->db, a, false, 0, "demo", &pk) == RES_OK ? DB_OK : DB_ERR;
    app_demo_count(d, "signing key", !had);
    arena_free(a);
    return rc;
}

/* Versions 640-649. */
static const char kit_v640_sql[] =
    "CREATE TABLE kit_signing_key ("
    " id BIGINT PRIMARY KEY CHECK (id = 1),"
    " public_key TEXT NOT NULL,"
    " secret_key TEXT NOT NULL,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE kit_keys ("
    " id ID_PK,"
    " name TEXT NOT NULL,"
    " public_key TEXT NOT NULL UNIQUE,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE kit_imports ("
    " id ID_PK,"
    " status TEXT NOT NULL CHECK (status IN ('preview','applied')),"
    " producer TEXT NOT NULL,"
    " kit_created_at TEXT NOT NULL DEFAULT '',"
    " zip_sha256 TEXT NOT NULL,"
    " signed INTEGER NOT NULL DEFAULT 0,"
    " key_known INTEGER NOT NULL DEFAULT 0,"
    " public_key TEXT,"
    " key_name TEXT,"
    " n_create INTEGER NOT NULL DEFAULT 0,"
    " n_update INTEGER NOT NULL DEFAULT 0,"
    " n_same INTEGER NOT NULL DEFAULT 0,"
    " n_skip INTEGER NOT NULL DEFAULT 0,"
    " n_invalid INTEGER NOT NULL DEFAULT 0,"
    " node_id BIGINT,"
    " user_id BIGINT,"
    " created_at BIGINT NOT NULL,"
    " applied_at BIGINT,"
    " expires_at BIGINT,"
    " data BLOB"
    ");"
    "CREATE INDEX kit_imports_status ON kit_imports(status, applied_at, id);";

static const db_migration_t kit_migrations[] = {
    {640, "kit: signing key, trusted keys, imports", kit_v640_sql, NULL},
};

const module_t kit_module = {
    .name = "kit",
    .migrations = kit_migrations,
    .n_migrations = ARRAY_LEN(kit_migrations),
    .routes = kit_routes,
    .n_routes = ARRAY_LEN(kit_routes),
    .menu = kit_menu,
    .n_menu = ARRAY_LEN(kit_menu),
    .entities = kit_entities,
    .n_entities = ARRAY_LEN(kit_entities),
    .audit_actions = kit_audit_actions,
    .demo = kit_demo,
    .sealed = kit_sealed,
    .n_sealed = ARRAY_LEN(kit_sealed),
};
