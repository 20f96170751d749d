/* project_module.c - the projet d'établissement module in one place: its
 * tables, routes (pages under /projects and /project-templates, API under
 * /api/v1/projects), menu entry, home section, what the audit log says of a
 * projet, its daily work (in force, expired) and its demo data. Who may do
 * what is described in project_internal.h.
 *
 * Routes taking a projet's id resolve it to its EPS and decide by the
 * projet's own rule (prj_check: readers of the EPS's quality work and the
 * staff of its units) before the body is read; handlers then check what the
 * change needs (403). */
#include "project_internal.h"

#include <string.h>

#define PRJ(m, p, h, f) {m, p, PERM_AUTHENTICATED, prj_resolve, h, f, prj_check}

static const route_t prj_routes[] = {
    /* pages */
    {"GET", "/projects", PERM_AUTHENTICATED, NULL, prj_page_list, 0},
    {"GET", "/projects/new", PERM_AUTHENTICATED, NULL, prj_page_new, 0},
    {"POST", "/projects", PERM_AUTHENTICATED, NULL, prj_page_create, ROUTE_FORM},
    PRJ("GET", "/projects/{id}", prj_page_show, 0),
    PRJ("GET", "/projects/{id}/edit", prj_page_edit, 0),
    PRJ("POST", "/projects/{id}", prj_page_update, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/status", prj_page_status, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/validate", prj_page_validate, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/versions", prj_page_new_version, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/meetings", prj_page_meeting, ROUTE_FORM),
    PRJ("GET", "/projects/{id}/diff", prj_page_diff, 0),
    PRJ("GET", "/projects/{id}/strategy", prj_page_strategy, 0),
    PRJ("POST", "/projects/{id}/strategy", prj_page_strategy_add, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/strategy/remove", prj_page_strategy_remove, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/objectives/{id}/action", prj_page_objective_action, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/contributions", prj_page_contribute, ROUTE_FORM),
    PRJ("POST", "/projects/{id}/contributions/{id}", prj_page_decide, ROUTE_FORM),
    PRJ("GET", "/projects/{id}/sections/{code}", prj_page_section, 0),
    PRJ("POST", "/projects/{id}/sections/{code}", prj_page_section_save, ROUTE_FORM),
    PRJ("GET", "/projects/{id}.pdf", prj_api_pdf, ROUTE_SLOW),
    {"GET", "/project-templates", PERM_AUTHENTICATED, NULL, prj_page_templates, 0},
    {"GET", "/project-templates/{id}", PERM_AUTHENTICATED, prj_template_resolve,
     prj_page_template, 0},
    {"POST", "/project-templates/{id}", PERM_AUTHENTICATED, prj_template_resolve,
     prj_page_template_save, ROUTE_FORM},
    /* JSON API */
    {"GET", "/api/v1/projects", PERM_AUTHENTICATED, NULL, prj_api_list, 0},
    {"POST", "/api/v1/projects", PERM_AUTHENTICATED, NULL, prj_api_create, ROUTE_JSON},
    {"GET", "/api/v1/project-templates", PERM_AUTHENTICATED, NULL, prj_api_templates, 0},
    {"POST", "/api/v1/markdown/preview", PERM_AUTHENTICATED, NULL, prj_api_preview, ROUTE_JSON},
    PRJ("GET", "/api/v1/projects/{id}", prj_api_get, 0),
    PRJ("PATCH", "/api/v1/projects/{id}", prj_api_patch, ROUTE_JSON),
    PRJ("PUT", "/api/v1/projects/{id}/sections/{code}", prj_api_put_section, ROUTE_JSON),
    PRJ("POST", "/api/v1/projects/{id}/status", prj_api_status, ROUTE_JSON),
    PRJ("POST", "/api/v1/projects/{id}/validate", prj_api_validate, ROUTE_JSON),
    PRJ("GET", "/api/v1/projects/{id}/versions", prj_api_versions, 0),
    PRJ("POST", "/api/v1/projects/{id}/versions", prj_api_new_version, ROUTE_JSON),
    PRJ("GET", "/api/v1/projects/{id}/diff", prj_api_diff, 0),
    PRJ("POST", "/api/v1/projects/{id}/contributions", prj_api_contribute, ROUTE_JSON),
    PRJ("POST", "/api/v1/projects/{id}/contributions/{id}", prj_api_decide, ROUTE_JSON),
    PRJ("POST", "/api/v1/projects/{id}/meetings", prj_api_meeting, ROUTE_JSON),
    PRJ("GET", "/api/v1/projects/{id}/strategy", prj_api_strategy, 0),
    PRJ("POST", "/api/v1/projects/{id}/strategy", prj_api_strategy_add, ROUTE_JSON),
    PRJ("POST", "/api/v1/projects/{id}/objectives/{id}/actions", prj_api_objective_action,
        ROUTE_JSON),
    PRJ("GET", "/api/v1/projects/{id}.pdf", prj_api_pdf, ROUTE_SLOW),
};

static const app_menu_t prj_menu[] = {
    {N_("Projet d'établissement"), "/projects", PERM_QUALITY_READ, 45},
};

int64_t prj_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM projects WHERE id = ?", PARAMS(P_INT(id)), 0);
}

int prj_check(req_t *r, int64_t id)
{
    char *path = NULL;
    db_res_t *res = db_query(r->db, "SELECT node_path FROM projects WHERE id = ?", PARAMS(P_INT(id)));
    if (res && db_next(res) && db_text(res, 0))
        path = arena_strdup(r->arena, db_text(res, 0));
    db_res_free(res);
    return path && prj_access(r, path) != PRJ_NONE ? 0 : 404;
}

static const char *prj_describe(req_t *r, int64_t id, const char **href)
{
    project_t p;
    if (prj_load(r->db, r->arena, id, &p) != 0 || prj_access(r, p.node_path) == PRJ_NONE)
        return NULL;
    *href = arena_printf(r->arena, "/projects/%lld", (long long)id);
    return p.title;
}

static const char *objective_describe(req_t *r, int64_t id, const char **href)
{
    db_res_t *res = db_query(r->db,
                             "SELECT o.title, p.node_path, p.id FROM project_objectives o"
                             " JOIN projects p ON p.id = o.project_id WHERE o.id = ?",
                             PARAMS(P_INT(id)));
    const char *title = NULL;
    if (res && db_next(res) && prj_access(r, db_text(res, 1)) != PRJ_NONE) {
        title = arena_strdup(r->arena, db_text(res, 0));
        *href = arena_printf(r->arena, "/projects/%lld/strategy#objective-%lld",
                             (long long)db_int(res, 2), (long long)id);
    }
    db_res_free(res);
    return title;
}

static const char *template_describe(req_t *r, int64_t id, const char **href)
{
    db_res_t *res = db_query(r->db, "SELECT title FROM project_templates WHERE id = ?",
                             PARAMS(P_INT(id)));
    const char *title = NULL;
    if (res && db_next(res)) {
        title = arena_strdup(r->arena, db_text(res, 0));
        *href = arena_printf(r->arena, "/project-templates/%lld", (long long)id);
    }
    db_res_free(res);
    return title;
}

static const app_field_t prj_fields[] = {
    {"title", N_("Title"), FIELD_TEXT, NULL},
    {"period_start", N_("Start of the period"), FIELD_TEXT, NULL},
    {"period_end", N_("End of the period"), FIELD_TEXT, NULL},
    {"lang", N_("Language of writing"), FIELD_LANG, NULL},
    {"status", N_("Status"), FIELD_CODE, "prj_status"},
    {"version", N_("Version"), FIELD_NUMBER, NULL},
    {"section", N_("Section"), FIELD_TEXT, NULL},
    {"content", N_("Text"), FIELD_SECRET, NULL},
    {"length", N_("Length (characters)"), FIELD_NUMBER, NULL},
    {"owner_id", N_("Owner"), FIELD_REF, "user"},
    {"consultation", N_("Consultation record"), FIELD_TEXT, NULL},
    {"kind", N_("Kind"), FIELD_CODE, "contrib_kind"},
    {"decision", N_("Decision"), FIELD_CODE, "contrib_status"},
    {"held_on", N_("Date"), FIELD_TEXT, NULL},
    {"topic", N_("Topic"), FIELD_TEXT, NULL},
    {"staff", N_("Staff"), FIELD_NUMBER, NULL},
    {"children", N_("Children and young people"), FIELD_NUMBER, NULL},
    {"families", N_("Families"), FIELD_NUMBER, NULL},
    {"partners", N_("Partners"), FIELD_NUMBER, NULL},
    {"axis", N_("Strategic axis"), FIELD_TEXT, NULL},
    {"objective", N_("Objective"), FIELD_TEXT, NULL},
    {"indicator", N_("Indicator"), FIELD_TEXT, NULL},
    {"sheet", N_("Action sheet"), FIELD_TEXT, NULL},
    {"action_id", N_("Action"), FIELD_REF, "action"},
    {"template_id", N_("Template"), FIELD_REF, "project_template"},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t prj_entities[] = {
    {"project", N_("audit_entity.project"), prj_describe, prj_fields, NULL},
    {"objective", N_("audit_entity.objective"), objective_describe, prj_fields, NULL},
    {"project_template", N_("audit_entity.project_template"), template_describe, prj_fields,
     NULL},
};

static const char *const prj_audit_actions[] = {"create", "update", "write", "status", "validate",
                                                "new_version", "contribute", "decide", "meeting",
                                                "strategy", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const prj_code_msgids[] __attribute__((unused)) = {
    N_("prj_status.drafting"), N_("prj_status.consultation"), N_("prj_status.validated"),
    N_("prj_status.in_force"), N_("prj_status.expired"), N_("contrib_kind.proposal"),
    N_("contrib_kind.comment"), N_("contrib_status.open"), N_("contrib_status.accepted"),
    N_("contrib_status.merged"), N_("contrib_status.declined"), N_("audit_action.write"),
    N_("audit_action.status"), N_("audit_action.validate"), N_("audit_action.new_version"),
    N_("audit_action.contribute"), N_("audit_action.decide"), N_("audit_action.meeting"),
    N_("audit_action.strategy")};

/* Versions 400-409. A projet keeps a copy of its EPS's path for scope
 * filters on its own table. Days are "YYYY-MM-DD" text. Section titles are
 * kept in the three languages (from the template). A version keeps its
 * sections' text and its strategy (JSON) as validated. */
static const char prj_v400_sql[] =
    "CREATE TABLE project_templates ("
    " id ID_PK,"
    " code TEXT NOT NULL UNIQUE,"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " title TEXT NOT NULL,"
    " builtin INTEGER NOT NULL DEFAULT 0,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL"
    ");"
    "CREATE TABLE project_template_sections ("
    " template_id BIGINT NOT NULL REFERENCES project_templates(id),"
    " key TEXT NOT NULL,"
    " position INTEGER NOT NULL,"
    " title_fr TEXT NOT NULL,"
    " title_ar TEXT NOT NULL,"
    " title_en TEXT NOT NULL,"
    " guidance_fr TEXT NOT NULL DEFAULT '',"
    " guidance_ar TEXT NOT NULL DEFAULT '',"
    " guidance_en TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (template_id, key)"
    ");"
    "CREATE TABLE projects ("
    " id ID_PK,"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " template_id BIGINT,"
    " title TEXT NOT NULL,"
    " period_start TEXT NOT NULL,"
    " period_end TEXT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr','ar','en')),"
    " status TEXT NOT NULL DEFAULT 'drafting' CHECK (status IN ('drafting','consultation',"
    "'validated','in_force','expired')),"
    " version INTEGER NOT NULL DEFAULT 1,"
    " consultation TEXT,"
    " validated_at BIGINT,"
    " validated_by BIGINT,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " search_key TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX projects_path ON projects(node_path, id);"
    "CREATE INDEX projects_node ON projects(node_id, period_start);"
    "CREATE INDEX projects_status ON projects(status, period_end);"
    "CREATE TABLE project_sections ("
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " key TEXT NOT NULL,"
    " position INTEGER NOT NULL,"
    " title_fr TEXT NOT NULL,"
    " title_ar TEXT NOT NULL,"
    " title_en TEXT NOT NULL,"
    " content TEXT NOT NULL DEFAULT '',"
    " owner_id BIGINT,"
    " updated_by BIGINT,"
    " updated_at BIGINT,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " PRIMARY KEY (project_id, key)"
    ");"
    "CREATE TABLE project_versions ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " number INTEGER NOT NULL,"
    " validated_at BIGINT NOT NULL,"
    " validated_on TEXT NOT NULL,"
    " validated_by BIGINT,"
    " consultation TEXT NOT NULL,"
    " period_start TEXT NOT NULL,"
    " period_end TEXT NOT NULL,"
    " title TEXT NOT NULL,"
    " strategy TEXT NOT NULL DEFAULT '[]',"
    " UNIQUE (project_id, number)"
    ");"
    "CREATE TABLE project_version_sections ("
    " version_id BIGINT NOT NULL REFERENCES project_versions(id),"
    " key TEXT NOT NULL,"
    " position INTEGER NOT NULL,"
    " title_fr TEXT NOT NULL,"
    " title_ar TEXT NOT NULL,"
    " title_en TEXT NOT NULL,"
    " content TEXT NOT NULL,"
    " PRIMARY KEY (version_id, key)"
    ");"
    "CREATE TABLE project_contributions ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " section_key TEXT NOT NULL,"
    " author_id BIGINT,"
    " kind TEXT NOT NULL CHECK (kind IN ('proposal','comment')),"
    " body TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','accepted','merged',"
    "'declined')),"
    " decided_by BIGINT,"
    " decided_at BIGINT,"
    " created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX project_contributions_section ON project_contributions(project_id,"
    " section_key, id);"
    "CREATE TABLE project_meetings ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " held_on TEXT NOT NULL,"
    " topic TEXT NOT NULL,"
    " staff INTEGER NOT NULL DEFAULT 0,"
    " children INTEGER NOT NULL DEFAULT 0,"
    " families INTEGER NOT NULL DEFAULT 0,"
    " partners INTEGER NOT NULL DEFAULT 0,"
    " note TEXT NOT NULL DEFAULT '',"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX project_meetings_project ON project_meetings(project_id, held_on);"
    "CREATE TABLE project_axes ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " position INTEGER NOT NULL,"
    " title TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX project_axes_project ON project_axes(project_id, position);"
    "CREATE TABLE project_objectives ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " axis_id BIGINT NOT NULL REFERENCES project_axes(id),"
    " position INTEGER NOT NULL,"
    " title TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX project_objectives_axis ON project_objectives(axis_id, position);"
    "CREATE INDEX project_objectives_project ON project_objectives(project_id);"
    "CREATE TABLE project_indicators ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " objective_id BIGINT NOT NULL REFERENCES project_objectives(id),"
    " label TEXT NOT NULL,"
    " baseline TEXT NOT NULL DEFAULT '',"
    " target TEXT NOT NULL,"
    " due TEXT"
    ");"
    "CREATE INDEX project_indicators_objective ON project_indicators(objective_id, id);"
    "CREATE TABLE project_sheets ("
    " id ID_PK,"
    " project_id BIGINT NOT NULL REFERENCES projects(id),"
    " objective_id BIGINT NOT NULL REFERENCES project_objectives(id),"
    " title TEXT NOT NULL,"
    " content TEXT NOT NULL DEFAULT '',"
    " lead TEXT NOT NULL DEFAULT '',"
    " resources TEXT NOT NULL DEFAULT '',"
    " due TEXT"
    ");"
    "CREATE INDEX project_sheets_objective ON project_sheets(objective_id, id);";
static const char prj_v400_pg[] =
    "ALTER TABLE projects ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";"
    "ALTER TABLE project_templates ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";";

static const db_migration_t prj_migrations[] = {
    {400, "project: templates, projets, sections, versions, contributions, strategy",
     prj_v400_sql, NULL},
    {401, "project: byte-ordered paths for scope ranges", "SELECT 1", prj_v400_pg},
};

extern const app_kit_part_t prj_kit_part; /* project_kit.c */

const module_t project_module = {
    .name = "project",
    .migrations = prj_migrations,
    .n_migrations = ARRAY_LEN(prj_migrations),
    .routes = prj_routes,
    .n_routes = ARRAY_LEN(prj_routes),
    .menu = prj_menu,
    .n_menu = ARRAY_LEN(prj_menu),
    .home = prj_home,
    .entities = prj_entities,
    .n_entities = ARRAY_LEN(prj_entities),
    .audit_actions = prj_audit_actions,
    .start = prj_start,
    .demo = prj_demo_indexed,
    .daily = prj_daily,
    .kit_parts = &prj_kit_part,
    .n_kit_parts = 1,
    .facts = prj_facts,
    .n_facts = PRJ_N_FACTS,
};
