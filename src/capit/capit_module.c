/* capit_module.c - the capitalisation module in one place: its tables,
 * routes (pages under /sheets, API under /api/v1/sheets), menu entry, home
 * section, what the audit log says of a sheet, the fact the roadmap reads,
 * its part of transfer kits and its demo data. Who may do what is
 * described in capit_internal.h.
 *
 * Routes taking a sheet's id resolve it to its node and decide by the
 * sheet's own rule (cap_check: a published sheet is read by every signed-in
 * user, the others by quality readers of its node) before the body is
 * read; the write routes by cap_check_write (403 for a reader who may not
 * write it); handlers then check what the change needs (publishing: 403). */
#include "capit_internal.h"

#include <string.h>

#define CAP(m, p, h, f) {m, p, PERM_AUTHENTICATED, cap_resolve, h, f, cap_check}
#define CAP_W(m, p, h, f) {m, p, PERM_AUTHENTICATED, cap_resolve, h, f, cap_check_write}

static const route_t cap_routes[] = {
    /* pages */
    {"GET", "/sheets", PERM_AUTHENTICATED, NULL, cap_page_list, 0},
    {"GET", "/sheets/new", PERM_AUTHENTICATED, NULL, cap_page_new, 0},
    {"POST", "/sheets", PERM_AUTHENTICATED, NULL, cap_page_create, ROUTE_FORM},
    CAP("GET", "/sheets/{id}", cap_page_show, 0),
    CAP("GET", "/sheets/{id}/edit", cap_page_edit, 0),
    CAP_W("POST", "/sheets/{id}", cap_page_update, ROUTE_FORM),
    CAP_W("POST", "/sheets/{id}/status", cap_page_status, ROUTE_FORM),
    CAP_W("POST", "/sheets/{id}/files", cap_page_upload, ROUTE_FORM | ROUTE_UPLOAD),
    CAP("GET", "/sheets/{id}/files/{id}", cap_page_file, 0),
    /* JSON API */
    {"GET", "/api/v1/sheets", PERM_AUTHENTICATED, NULL, cap_api_list, 0},
    {"POST", "/api/v1/sheets", PERM_AUTHENTICATED, NULL, cap_api_create, ROUTE_JSON},
    CAP("GET", "/api/v1/sheets/{id}", cap_api_get, 0),
    CAP_W("PATCH", "/api/v1/sheets/{id}", cap_api_patch, ROUTE_JSON),
    CAP_W("POST", "/api/v1/sheets/{id}/status", cap_api_status, ROUTE_JSON),
    CAP("GET", "/api/v1/sheets/{id}/versions", cap_api_versions, 0),
    CAP_W("POST", "/api/v1/sheets/{id}/attachments", cap_api_upload, ROUTE_FORM | ROUTE_UPLOAD),
};

static const app_menu_t cap_menu[] = {
    {N_("Capitalisation"), "/sheets", PERM_AUTHENTICATED, 50},
};

static const char *cap_describe(req_t *r, int64_t id, const char **href)
{
    sheet_t s;
    if (cap_load(r->db, r->arena, id, &s) != 0 || cap_access(r, s.node_path, s.status) == CAP_NONE)
        return NULL;
    if (href)
        *href = cap_sheet_href(r->arena, id);
    return s.version > 1 ? arena_printf(r->arena, "%s (v%lld)", s.title, (long long)s.version)
                         : s.title;
}

static const app_field_t cap_fields[] = {
    {"title", N_("Title"), FIELD_TEXT, NULL},
    {"code", N_("Code"), FIELD_TEXT, NULL},
    {"version", N_("Version"), FIELD_NUMBER, NULL},
    {"status", N_("Status"), FIELD_CODE, "cap_status"},
    {"theme", N_("Theme"), FIELD_CODE, "cap_theme"},
    {"lang", N_("Language of writing"), FIELD_LANG, NULL},
    {"node_id", N_("Establishment"), FIELD_REF, "node"},
    {"eps_name", N_("Establishment"), FIELD_TEXT, NULL},
    {"authors", N_("Authors"), FIELD_TEXT, NULL},
    {"contributors", N_("Other contributors"), FIELD_TEXT, NULL},
    {"indicators", N_("Indicators"), FIELD_TEXT, NULL},
    {"criteria", N_("Criteria"), FIELD_TEXT, NULL},
    {"documents", N_("Documents of the library"), FIELD_TEXT, NULL},
    {"actions", N_("Improvement actions linked"), FIELD_NUMBER, NULL},
    {"comment", N_("Comment"), FIELD_TEXT, NULL},
    {"file", N_("File"), FIELD_TEXT, NULL},
    {"context", N_("Context"), FIELD_SECRET, NULL},
    {"history", N_("History and key moments"), FIELD_SECRET, NULL},
    {"objectives", N_("Objectives"), FIELD_SECRET, NULL},
    {"actors", N_("Actors"), FIELD_SECRET, NULL},
    {"implementation", N_("What was done"), FIELD_SECRET, NULL},
    {"innovation", N_("What was innovative"), FIELD_SECRET, NULL},
    {"results", N_("Results"), FIELD_SECRET, NULL},
    {"difficulties", N_("Difficulties met"), FIELD_SECRET, NULL},
    {"lessons", N_("Lessons learned"), FIELD_SECRET, NULL},
    {"replication", N_("Conditions for replication"), FIELD_SECRET, NULL},
    {"tools", N_("Tools and documents"), FIELD_SECRET, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t cap_entities[] = {
    {"sheet", N_("audit_entity.sheet"), cap_describe, cap_fields, NULL},
};

static const char *const cap_audit_actions[] = {"create", "update", "submit", "return", "publish",
                                                "supersede", "new_version", "upload", "import",
                                                NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const cap_code_msgids[] __attribute__((unused)) = {
    N_("cap_status.draft"), N_("cap_status.review"), N_("cap_status.published"),
    N_("cap_status.superseded"), N_("cap_theme.participation_enfant"),
    N_("cap_theme.bientraitance"), N_("cap_theme.education"), N_("cap_theme.sante"),
    N_("cap_theme.insertion"), N_("cap_theme.famille"), N_("cap_theme.handicap"),
    N_("cap_theme.gouvernance"), N_("cap_theme.partenariat"), N_("cap_theme.qualite"),
    N_("cap_theme.autre"), N_("audit_action.submit"), N_("audit_action.return"),
    N_("audit_action.publish"), N_("audit_action.supersede"), N_("audit_action.new_version"),
    N_("audit_action.upload"), N_("audit_action.import"), N_("audit_action.create"),
    N_("audit_action.update")};

static const app_fact_t cap_facts[] = {
    {"sheet_published", N_("A published capitalisation sheet exists"), cap_fact_eps},
};

static const app_kit_part_t cap_kit_parts[] = {
    {"sheet", N_("Capitalisation sheets"), cap_kit_export, cap_kit_import},
};

/* Versions 600-609. A sheet is one row per (code, version), keeping a copy
 * of its node's path for scope filters on its own table (the EPS, or the
 * root or an association for an imported one: eps_id is then NULL and
 * eps_name holds the producer's establishment). Texts are Markdown;
 * indicators a JSON array [{label, value, unit}]. Authors are accounts
 * (sheet_authors); criteria (référentiel code, criterion code), actions
 * (their id) and library documents (their code) are sheet_links. */
static const char cap_v600_sql[] =
    "CREATE TABLE sheets ("
    " id ID_PK,"
    " code TEXT NOT NULL,"
    " version INTEGER NOT NULL CHECK (version >= 1),"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " eps_id BIGINT,"
    " eps_name TEXT NOT NULL DEFAULT '',"
    " imported INTEGER NOT NULL DEFAULT 0,"
    " title TEXT NOT NULL,"
    " theme TEXT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr','ar')),"
    " status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published',"
    "'superseded')),"
    " context TEXT NOT NULL DEFAULT '',"
    " history TEXT NOT NULL DEFAULT '',"
    " objectives TEXT NOT NULL DEFAULT '',"
    " actors TEXT NOT NULL DEFAULT '',"
    " implementation TEXT NOT NULL DEFAULT '',"
    " innovation TEXT NOT NULL DEFAULT '',"
    " results TEXT NOT NULL DEFAULT '',"
    " difficulties TEXT NOT NULL DEFAULT '',"
    " lessons TEXT NOT NULL DEFAULT '',"
    " replication TEXT NOT NULL DEFAULT '',"
    " tools TEXT NOT NULL DEFAULT '',"
    " indicators TEXT NOT NULL DEFAULT '[]',"
    " contributors TEXT NOT NULL DEFAULT '',"
    " authors_text TEXT NOT NULL DEFAULT '',"
    " return_comment TEXT,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " updated_by BIGINT,"
    " updated_at BIGINT NOT NULL,"
    " submitted_at BIGINT,"
    " published_at BIGINT,"
    " published_by BIGINT,"
    " search_key TEXT NOT NULL DEFAULT '',"
    " UNIQUE (code, version)"
    ");"
    "CREATE INDEX sheets_path ON sheets(node_path, id);"
    "CREATE INDEX sheets_status ON sheets(status, published_at);"
    "CREATE INDEX sheets_updated ON sheets(updated_at, id);"
    "CREATE INDEX sheets_eps ON sheets(eps_id, status);"
    "CREATE INDEX sheets_creator ON sheets(created_by, status);"
    "CREATE TABLE sheet_authors ("
    " sheet_id BIGINT NOT NULL REFERENCES sheets(id),"
    " user_id BIGINT NOT NULL,"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (sheet_id, user_id)"
    ");"
    "CREATE INDEX sheet_authors_user ON sheet_authors(user_id, sheet_id);"
    "CREATE TABLE sheet_links ("
    " sheet_id BIGINT NOT NULL REFERENCES sheets(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('criterion','action','document')),"
    " ref_code TEXT NOT NULL DEFAULT '',"
    " item_code TEXT NOT NULL DEFAULT '',"
    " target_id BIGINT NOT NULL DEFAULT 0,"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (sheet_id, kind, ref_code, item_code, target_id)"
    ");"
    "CREATE INDEX sheet_links_target ON sheet_links(kind, target_id);";
static const char cap_v601_pg[] = "ALTER TABLE sheets ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";";

static const db_migration_t cap_migrations[] = {
    {600, "capit: sheets, their authors and links", cap_v600_sql, NULL},
    {601, "capit: byte-ordered paths for scope ranges", "SELECT 1", cap_v601_pg},
};

const module_t capit_module = {
    .name = "capit",
    .migrations = cap_migrations,
    .n_migrations = ARRAY_LEN(cap_migrations),
    .routes = cap_routes,
    .n_routes = ARRAY_LEN(cap_routes),
    .menu = cap_menu,
    .n_menu = ARRAY_LEN(cap_menu),
    .home = cap_home,
    .entities = cap_entities,
    .n_entities = ARRAY_LEN(cap_entities),
    .audit_actions = cap_audit_actions,
    .demo = cap_demo,
    .facts = cap_facts,
    .n_facts = ARRAY_LEN(cap_facts),
    .kit_parts = cap_kit_parts,
    .n_kit_parts = ARRAY_LEN(cap_kit_parts),
};
