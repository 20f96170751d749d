/* ref_module.c - the référentiels module in one place: its tables, routes
 * (pages under /referentiels, API under /api/v1/referentiels), menu entry,
 * what the audit log says of a référentiel, and its start hook (the
 * référentiels shipped with the program).
 *
 * Permissions: a référentiel belongs to the root or to an association; those
 * who hold quality.write there (admin, quality_advisor) manage it (import,
 * edit a draft, publish, archive, new version). Every signed-in user reads
 * the published and archived ones; a draft is absent (404) for the others.
 * So the routes ask for a signed-in user, and the handlers decide on the
 * référentiel itself (ref_can_read: 404, ref_can_manage: 403). */
#include "ref_internal.h"

#include <string.h>

static const route_t ref_routes[] = {
    /* pages */
    {"GET", "/referentiels", PERM_AUTHENTICATED, NULL, ref_page_list, 0},
    {"GET", "/referentiels/import", PERM_AUTHENTICATED, NULL, ref_page_import_form, 0},
    {"POST", "/referentiels/import", PERM_AUTHENTICATED, NULL, ref_page_import,
     ROUTE_FORM | ROUTE_UPLOAD},
    {"GET", "/referentiels/{id}", PERM_AUTHENTICATED, ref_resolve, ref_page_show, 0},
    {"GET", "/referentiels/{id}/edit", PERM_AUTHENTICATED, ref_resolve, ref_page_edit, 0},
    {"POST", "/referentiels/{id}", PERM_AUTHENTICATED, ref_resolve, ref_page_update, ROUTE_FORM},
    {"POST", "/referentiels/{id}/publish", PERM_AUTHENTICATED, ref_resolve, ref_page_publish,
     ROUTE_FORM},
    {"POST", "/referentiels/{id}/archive", PERM_AUTHENTICATED, ref_resolve, ref_page_archive,
     ROUTE_FORM},
    {"POST", "/referentiels/{id}/new-version", PERM_AUTHENTICATED, ref_resolve,
     ref_page_new_version, ROUTE_FORM},
    {"POST", "/referentiels/{id}/delete", PERM_AUTHENTICATED, ref_resolve, ref_page_delete,
     ROUTE_FORM},
    {"GET", "/referentiels/{id}/items/new", PERM_AUTHENTICATED, ref_resolve, ref_page_item_new, 0},
    {"POST", "/referentiels/{id}/items", PERM_AUTHENTICATED, ref_resolve, ref_page_item_create,
     ROUTE_FORM},
    {"GET", "/referentiels/{id}/items/{id}/edit", PERM_AUTHENTICATED, ref_resolve,
     ref_page_item_edit, 0},
    {"POST", "/referentiels/{id}/items/{id}", PERM_AUTHENTICATED, ref_resolve,
     ref_page_item_update, ROUTE_FORM},
    {"POST", "/referentiels/{id}/items/{id}/delete", PERM_AUTHENTICATED, ref_resolve,
     ref_page_item_delete, ROUTE_FORM},
    /* JSON API */
    {"GET", "/api/v1/referentiels", PERM_AUTHENTICATED, NULL, ref_api_list, 0},
    {"POST", "/api/v1/referentiels", PERM_AUTHENTICATED, NULL, ref_api_create,
     ROUTE_JSON | ROUTE_CSV},
    {"GET", "/api/v1/referentiels/{id}", PERM_AUTHENTICATED, ref_resolve, ref_api_get, 0},
    {"GET", "/api/v1/referentiels/{id}.csv", PERM_AUTHENTICATED, ref_resolve, ref_api_get_csv, 0},
    {"POST", "/api/v1/referentiels/{id}/publish", PERM_AUTHENTICATED, ref_resolve,
     ref_api_publish, ROUTE_JSON},
    {"POST", "/api/v1/referentiels/{id}/archive", PERM_AUTHENTICATED, ref_resolve,
     ref_api_archive, ROUTE_JSON},
    {"POST", "/api/v1/referentiels/{id}/versions", PERM_AUTHENTICATED, ref_resolve,
     ref_api_new_version, ROUTE_JSON},
};

static const app_menu_t ref_menu[] = {
    {N_("Référentiels"), "/referentiels", PERM_QUALITY_READ, 20},
};

int64_t ref_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM referentiels WHERE id = ?", PARAMS(P_INT(id)),
                        0);
}

int64_t ref_home_node(req_t *r, const char **path)
{
    int64_t best = 0;
    size_t best_len = 0;
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || !a->node_path ||
            (a->node_kind != NODE_ROOT && a->node_kind != NODE_ASSOCIATION) ||
            !authz_role_grants(a->role, a->node_kind, PERM_QUALITY_WRITE))
            continue;
        size_t len = strlen(a->node_path);
        if (!best || len < best_len) {
            best = a->node_id;
            best_len = len;
            if (path)
                *path = a->node_path;
        }
    }
    return best;
}

/* The audit log names a référentiel by its title and version. */
static const char *ref_describe(req_t *r, int64_t id, const char **href)
{
    ref_t ref;
    if (ref_load(r->db, r->arena, id, &ref) != 0 || !ref_can_read(r, &ref))
        return NULL;
    *href = arena_printf(r->arena, "/referentiels/%lld", (long long)id);
    const char *title = ref_title(r, ref.title_fr, ref.title_ar, ref.title_en, NULL);
    const long long v = ref.version;
    return arena_printf(r->arena, "%s (%s)", title,
                        text_fill_numbers(r->arena, T(r, N_("version %d")), &v, 1));
}

static const app_field_t ref_fields[] = {
    {"code", N_("Code"), FIELD_TEXT, NULL},
    {"version", N_("Version"), FIELD_NUMBER, NULL},
    {"status", N_("Status"), FIELD_CODE, "ref_status"},
    {"n_criteria", N_("Criteria"), FIELD_NUMBER, NULL},
    {"title_fr", N_("Title in French"), FIELD_TEXT, NULL},
    {"title_ar", N_("Title in Arabic"), FIELD_TEXT, NULL},
    {"title_en", N_("Title in English"), FIELD_TEXT, NULL},
    {"scale", N_("Scale"), FIELD_CODE, "scale"},
    {"item", N_("Item"), FIELD_TEXT, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t ref_entities[] = {
    {"referentiel", N_("audit_entity.referentiel"), ref_describe, ref_fields, NULL},
};

/* Codes shown through the catalogues ("<prefix>.<code>"), listed for them. */
static const char *const ref_code_msgids[] __attribute__((unused)) = {
    N_("ref_status.draft"), N_("ref_status.published"), N_("ref_status.archived"),
    N_("scale.has4"), N_("scale.conformity"), N_("method.accompanied_tracer"),
    N_("method.targeted_tracer"), N_("method.system_audit"), N_("method.interview"),
    N_("method.observation"), N_("method.documents"), N_("audit_action.import"),
    N_("audit_action.publish"), N_("audit_action.archive"), N_("audit_action.new_version"),
    N_("audit_action.delete")};

static const char *const ref_audit_actions[] = {"import", "publish", "archive", "new_version",
                                                "update", "delete", NULL};

/* Versions 100-109. A référentiel keeps a copy of its owner's path (a node
 * never moves) for scope checks without reading the nodes module's table. */
static const char ref_v100_sql[] =
    "CREATE TABLE referentiels ("
    " id ID_PK,"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " code TEXT NOT NULL,"
    " version BIGINT NOT NULL,"
    " title_fr TEXT NOT NULL,"
    " title_ar TEXT,"
    " title_en TEXT,"
    " scale TEXT NOT NULL DEFAULT 'has4' CHECK (scale IN ('has4','conformity')),"
    " scale_given INTEGER NOT NULL DEFAULT 0,"
    " levels TEXT NOT NULL DEFAULT '[]',"
    " status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published','archived')),"
    " n_criteria INTEGER NOT NULL DEFAULT 0,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " published_at BIGINT,"
    " UNIQUE (code, version)"
    ");"
    "CREATE TABLE ref_items ("
    " id ID_PK,"
    " referentiel_id BIGINT NOT NULL REFERENCES referentiels(id),"
    " parent_id BIGINT REFERENCES ref_items(id),"
    " ord INTEGER NOT NULL,"
    " depth INTEGER NOT NULL,"
    " code TEXT NOT NULL,"
    " level TEXT,"
    " title_fr TEXT NOT NULL,"
    " title_ar TEXT,"
    " title_en TEXT,"
    " leaf INTEGER NOT NULL,"
    " imperative INTEGER NOT NULL DEFAULT 0,"
    " categories TEXT NOT NULL DEFAULT '',"
    " methods TEXT NOT NULL DEFAULT '',"
    " elements_fr TEXT NOT NULL DEFAULT '[]',"
    " elements_ar TEXT NOT NULL DEFAULT '[]',"
    " evidence_fr TEXT NOT NULL DEFAULT '[]',"
    " evidence_ar TEXT NOT NULL DEFAULT '[]',"
    " guidance_fr TEXT,"
    " guidance_ar TEXT,"
    " search_key TEXT NOT NULL DEFAULT '',"
    " UNIQUE (referentiel_id, code)"
    ");"
    "CREATE INDEX ref_items_order ON ref_items(referentiel_id, ord);"
    "CREATE INDEX ref_items_parent ON ref_items(parent_id);"
    "CREATE TABLE ref_crosswalk ("
    " item_id BIGINT NOT NULL REFERENCES ref_items(id),"
    " ord INTEGER NOT NULL,"
    " target_ref TEXT NOT NULL,"
    " target_code TEXT NOT NULL,"
    " PRIMARY KEY (item_id, ord)"
    ");"
    "CREATE INDEX ref_crosswalk_target ON ref_crosswalk(target_ref, target_code);";

static const db_migration_t ref_migrations[] = {
    {100, "referentiels: versions, items, crosswalk", ref_v100_sql, NULL},
};

extern const app_kit_part_t ref_kit_part; /* ref_kit.c */

const module_t ref_module = {
    .name = "referentiels",
    .migrations = ref_migrations,
    .n_migrations = ARRAY_LEN(ref_migrations),
    .routes = ref_routes,
    .n_routes = ARRAY_LEN(ref_routes),
    .menu = ref_menu,
    .n_menu = ARRAY_LEN(ref_menu),
    .entities = ref_entities,
    .n_entities = ARRAY_LEN(ref_entities),
    .audit_actions = ref_audit_actions,
    .start = ref_search_start,
    .kit_parts = &ref_kit_part,
    .n_kit_parts = 1,
};
