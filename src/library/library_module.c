/* library_module.c - the document library in one place: its tables,
 * routes (pages under /documents, API under /api/v1/documents), menu
 * entry, home and node sections, what the audit log says of a document and
 * of a version, its daily work (review dates passed), its kit part and its
 * demo data. Who may do what is described in library_internal.h.
 *
 * Routes taking a document's id resolve it to its node and decide by the
 * document's own rule (lib_check: 404 outside the reader's scope, 403 for a
 * draft in scope; lib_check_write: 403 too for a reader who may not change
 * it; lib_check_create: 403 for whoever writes documents nowhere) before
 * the body, an upload, is read; handlers then check what the change needs
 * (approving: 403). */
#include "library_internal.h"

#include <string.h>

#define DOC(m, p, h, f) {m, p, PERM_AUTHENTICATED, lib_resolve, h, f, lib_check}
#define DOC_W(m, p, h, f) {m, p, PERM_AUTHENTICATED, lib_resolve, h, f, lib_check_write}

static const route_t lib_routes[] = {
    /* pages */
    {"GET", "/documents", PERM_AUTHENTICATED, NULL, lib_page_list, 0},
    {"GET", "/documents/new", PERM_AUTHENTICATED, NULL, lib_page_new, 0},
    {"POST", "/documents", PERM_AUTHENTICATED, NULL, lib_page_create, ROUTE_FORM | ROUTE_UPLOAD,
     lib_check_create},
    DOC("GET", "/documents/{id}", lib_page_show, 0),
    DOC("GET", "/documents/{id}/edit", lib_page_edit, 0),
    DOC_W("POST", "/documents/{id}", lib_page_update, ROUTE_FORM),
    DOC_W("POST", "/documents/{id}/status", lib_page_status, ROUTE_FORM),
    DOC_W("POST", "/documents/{id}/versions", lib_page_upload, ROUTE_FORM | ROUTE_UPLOAD),
    DOC("GET", "/documents/{id}/versions/{id}/file", lib_page_file, 0),
    DOC("POST", "/documents/{id}/ack", lib_page_ack, ROUTE_FORM),
    DOC_W("POST", "/documents/{id}/criteria", lib_page_link, ROUTE_FORM),
    DOC_W("POST", "/documents/{id}/criteria/remove", lib_page_unlink, ROUTE_FORM),
    /* JSON API */
    {"GET", "/api/v1/documents", PERM_AUTHENTICATED, NULL, lib_api_list, 0},
    {"POST", "/api/v1/documents", PERM_AUTHENTICATED, NULL, lib_api_create, ROUTE_JSON},
    DOC("GET", "/api/v1/documents/{id}", lib_api_get, 0),
    DOC_W("PATCH", "/api/v1/documents/{id}", lib_api_patch, ROUTE_JSON),
    DOC_W("POST", "/api/v1/documents/{id}/status", lib_api_status, ROUTE_JSON),
    DOC("GET", "/api/v1/documents/{id}/versions", lib_api_versions, 0),
    DOC_W("POST", "/api/v1/documents/{id}/versions", lib_api_upload, ROUTE_UPLOAD),
    DOC("GET", "/api/v1/documents/{id}/versions/{id}/file", lib_api_version_file, 0),
    DOC("POST", "/api/v1/documents/{id}/ack", lib_api_ack, ROUTE_JSON),
};

static const app_menu_t lib_menu[] = {
    {N_("Documents"), "/documents", PERM_ORG_READ, 51},
};

static const app_field_t lib_fields[] = {
    {"code", N_("Code"), FIELD_TEXT, NULL},
    {"kind", N_("Kind of document"), FIELD_CODE, "doc_kind"},
    {"title_fr", N_("Title in French"), FIELD_TEXT, NULL},
    {"title_ar", N_("Title in Arabic"), FIELD_TEXT, NULL},
    {"summary", N_("Summary"), FIELD_TEXT, NULL},
    {"node_id", N_("Belongs to"), FIELD_REF, "node"},
    {"owner_id", N_("Owner"), FIELD_REF, "user"},
    {"review_on", N_("Review date"), FIELD_TEXT, NULL},
    {"status", N_("Status"), FIELD_CODE, "doc_status"},
    {"version", N_("Version"), FIELD_NUMBER, NULL},
    {"approved_version", N_("Approved version"), FIELD_NUMBER, NULL},
    {"note", N_("What changed"), FIELD_TEXT, NULL},
    {"filename", N_("File"), FIELD_TEXT, NULL},
    {"size", N_("Size"), FIELD_NUMBER, NULL},
    {"criterion", N_("Criterion"), FIELD_TEXT, NULL},
    {"source", N_("Source"), FIELD_TEXT, NULL},
    {"document_id", N_("Document"), FIELD_REF, "document"},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t lib_entities[] = {
    {"document", N_("audit_entity.document"), lib_describe, lib_fields, NULL},
    {"document_version", N_("audit_entity.document_version"), lib_version_describe, lib_fields,
     NULL},
};

static const char *const lib_audit_actions[] = {"create", "update", "status", "new_version",
                                                "acknowledge", "link_criterion",
                                                "unlink_criterion", "review_due", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const lib_code_msgids[] __attribute__((unused)) = {
    N_("doc_kind.procedure"), N_("doc_kind.protocol"), N_("doc_kind.template"),
    N_("doc_kind.form"), N_("doc_status.draft"), N_("doc_status.approved"),
    N_("doc_status.archived"), N_("audit_action.acknowledge"), N_("audit_action.link_criterion"),
    N_("audit_action.unlink_criterion"), N_("audit_action.review_due")};

/* Versions 610-619. A document keeps a copy of its node's path for scope
 * filters; days are "YYYY-MM-DD" text. A version keeps a copy of its file's
 * name, type, size and SHA-256 (the bytes are the attach module's, owner
 * kind "document_version"). An acknowledgement is one row per (document,
 * version, reader). Criteria are linked by the référentiel's code and the
 * criterion's code, so that a link follows the référentiel's versions. */
static const char lib_v610_sql[] =
    "CREATE TABLE documents ("
    " id ID_PK,"
    " code TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('procedure','protocol','template','form')),"
    " title_fr TEXT NOT NULL DEFAULT '',"
    " title_ar TEXT NOT NULL DEFAULT '',"
    " summary TEXT NOT NULL DEFAULT '',"
    " node_id BIGINT NOT NULL REFERENCES nodes(id),"
    " node_path TEXT NOT NULL,"
    " owner_id BIGINT,"
    " review_on TEXT,"
    " review_notified_on TEXT,"
    " status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','approved','archived')),"
    " version INTEGER NOT NULL DEFAULT 0,"
    " approved_version INTEGER NOT NULL DEFAULT 0,"
    " approved_by BIGINT,"
    " approved_at BIGINT,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " search_key TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX documents_path ON documents(node_path, id);"
    "CREATE INDEX documents_status ON documents(status, review_on);"
    "CREATE INDEX documents_owner ON documents(owner_id, status);"
    "CREATE TABLE document_versions ("
    " id ID_PK,"
    " document_id BIGINT NOT NULL REFERENCES documents(id),"
    " number INTEGER NOT NULL,"
    " attachment_id BIGINT NOT NULL,"
    " filename TEXT NOT NULL,"
    " content_type TEXT NOT NULL,"
    " size BIGINT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " note TEXT NOT NULL DEFAULT '',"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (document_id, number)"
    ");"
    "CREATE TABLE document_acks ("
    " document_id BIGINT NOT NULL REFERENCES documents(id),"
    " version INTEGER NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " at BIGINT NOT NULL,"
    " PRIMARY KEY (document_id, version, user_id)"
    ");"
    "CREATE INDEX document_acks_user ON document_acks(user_id, document_id, version);"
    "CREATE TABLE document_criteria ("
    " document_id BIGINT NOT NULL REFERENCES documents(id),"
    " ref_code TEXT NOT NULL,"
    " criterion_code TEXT NOT NULL,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " PRIMARY KEY (document_id, ref_code, criterion_code)"
    ");"
    "CREATE INDEX document_criteria_criterion ON document_criteria(ref_code, criterion_code);";
static const char lib_v611_pg[] =
    "ALTER TABLE documents ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";";

static const db_migration_t lib_migrations[] = {
    {610, "library: documents, versions, acknowledgements, criteria", lib_v610_sql, NULL},
    {611, "library: byte-ordered paths for scope ranges", "SELECT 1", lib_v611_pg},
};

const module_t library_module = {
    .name = "library",
    .migrations = lib_migrations,
    .n_migrations = ARRAY_LEN(lib_migrations),
    .routes = lib_routes,
    .n_routes = ARRAY_LEN(lib_routes),
    .menu = lib_menu,
    .n_menu = ARRAY_LEN(lib_menu),
    .home = lib_home,
    .node_sections = lib_node_sections,
    .entities = lib_entities,
    .n_entities = ARRAY_LEN(lib_entities),
    .audit_actions = lib_audit_actions,
    .demo = lib_demo,
    .daily = lib_daily,
    .kit_parts = lib_kit_parts,
    .n_kit_parts = 1,
};
