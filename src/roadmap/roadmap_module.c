/* roadmap_module.c - the methodology roadmap in one place: its table, routes
 * (pages under /roadmap, API under /api/v1/roadmap), menu entry, home and
 * node page sections, what the audit log says of a step, and its demo data.
 * Who may do what is described in road_internal.h.
 *
 * Routes taking an establishment's id resolve it to its node: outside the
 * reader's scope 404, in scope without quality.read 403, before the body is
 * read; the routes changing a step also check there that the node is an
 * establishment and the step exists (404) and the right to change it (403),
 * so a body is judged only once those are settled. */
#include "road_internal.h"

#include <string.h>

/* The rule of the routes changing a step, before the body is read. */
static int road_check_edit(req_t *r, int64_t id)
{
    authz_result_t d = app_authorize(r, PERM_QUALITY_READ, id);
    if (d != AUTHZ_ALLOW)
        return d == AUTHZ_FORBIDDEN ? 403 : 404;
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0 || n.kind != NODE_EPS)
        return 404;
    const char *code = strrchr(r->path, '/');
    if (!code || road_step_index(code + 1) < 0)
        return 404;
    return road_may_edit(r, n.path) ? 0 : 403;
}

static const route_t road_routes[] = {
    /* pages */
    {"GET", "/roadmap", PERM_AUTHENTICATED, NULL, road_page_index, 0},
    {"GET", "/roadmap/chart.svg", PERM_AUTHENTICATED, NULL, road_page_chart, 0},
    {"GET", "/roadmap/{id}", PERM_QUALITY_READ, nodes_resolve, road_page_eps, 0},
    {"GET", "/roadmap/{id}/steps/{code}", PERM_QUALITY_READ, nodes_resolve, road_page_step, 0},
    {"POST", "/roadmap/{id}/steps/{code}", PERM_QUALITY_READ, nodes_resolve, road_page_step_save, ROUTE_FORM,
     road_check_edit},
    /* JSON API */
    {"GET", "/api/v1/roadmap", PERM_AUTHENTICATED, NULL, road_api_get, 0},
    {"PUT", "/api/v1/roadmap/{id}/steps/{code}", PERM_QUALITY_READ, nodes_resolve, road_api_put_step, ROUTE_JSON,
     road_check_edit},
};

/* Offered to those who read an establishment's quality work or a network's. */
static bool road_menu_visible(req_t *r)
{
    int64_t eps = 0;
    return road_default_scope(r, &eps) != 0 || eps != 0;
}

static const app_menu_t road_menu[] = {
    {N_("Quality roadmap"), "/roadmap", PERM_QUALITY_READ, 25, road_menu_visible},
};

/* "Quality roadmap: <EPS>" */
static const char *roadmap_describe(req_t *r, int64_t id, const char **href)
{
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0 || !app_can_at_path(r, PERM_QUALITY_READ, n.path))
        return NULL;
    *href = arena_printf(r->arena, "/roadmap/%lld", (long long)id);
    const char *name = nodes_display_name(r, n.name, n.name_ar);
    return text_fill_strings(r->arena, T(r, N_("Quality roadmap of %s")), &name, 1);
}

/* "<step> (<EPS>)" */
static const char *step_describe(req_t *r, int64_t id, const char **href)
{
    db_res_t *res = db_query(r->db, "SELECT eps_id, eps_path, step FROM road_steps WHERE id = ?", PARAMS(P_INT(id)));
    const char *out = NULL;
    if (res && db_next(res) && app_can_at_path(r, PERM_QUALITY_READ, db_text(res, 1))) {
        int64_t eps = db_int(res, 0);
        int step = road_step_index(db_text(res, 2));
        const char *code = arena_strdup(r->arena, db_text(res, 2));
        const char *parts[2] = {road_step_label(r, step), nodes_label(r->db, r->arena, r->lang, eps)};
        out = text_fill_strings(r->arena, T(r, N_("%s (%s)")), parts, 2);
        *href = arena_printf(r->arena, "/roadmap/%lld#step-%s", (long long)eps, code);
    }
    db_res_free(res);
    return out;
}

static const app_field_t road_fields[] = {
    {"status", N_("Status"), FIELD_CODE, "road_status"},
    {"day", N_("Date"), FIELD_TEXT, NULL},
    {"evidence", N_("Evidence"), FIELD_TEXT, NULL},
    {"link", N_("Link to the evidence"), FIELD_TEXT, NULL},
    {"steps", N_("Steps opened"), FIELD_NUMBER, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t road_entities[] = {
    {"roadmap", N_("audit_entity.roadmap"), roadmap_describe, road_fields, NULL},
    {"road_step", N_("audit_entity.road_step"), step_describe, road_fields, NULL},
};

static const char *const road_audit_actions[] = {"open", "create", "update", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const road_code_msgids[] __attribute__((unused)) = {N_("audit_action.open")};

/* Versions 630-639. A step keeps a copy of its EPS's path for scope ranges:
 * the view of an association or of the root reads one range of the path
 * index, which holds every column that view needs (no table lookups for the
 * 9,900 rows of the national organisation). Days are "YYYY-MM-DD" text.
 * What facts prove is never stored. */
static const char road_v630_sql[] =
    "CREATE TABLE road_steps ("
    " id ID_PK,"
    " eps_id BIGINT NOT NULL,"
    " eps_path TEXT NOT NULL,"
    " step TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo','in_progress','done')),"
    " day TEXT,"
    " evidence TEXT NOT NULL DEFAULT '',"
    " link TEXT NOT NULL DEFAULT '',"
    " updated_by BIGINT,"
    " updated_at BIGINT NOT NULL,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " UNIQUE (eps_id, step)"
    ");"
    "CREATE INDEX road_steps_path ON road_steps(eps_path, eps_id, step, status, updated_at);";
static const char road_v630_pg[] =
    "CREATE TABLE road_steps ("
    " id ID_PK,"
    " eps_id BIGINT NOT NULL,"
    " eps_path TEXT COLLATE \"C\" NOT NULL,"
    " step TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo','in_progress','done')),"
    " day TEXT,"
    " evidence TEXT NOT NULL DEFAULT '',"
    " link TEXT NOT NULL DEFAULT '',"
    " updated_by BIGINT,"
    " updated_at BIGINT NOT NULL,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " UNIQUE (eps_id, step)"
    ");"
    "CREATE INDEX road_steps_path ON road_steps(eps_path, eps_id, step, status, updated_at);";

static const db_migration_t road_migrations[] = {
    {630, "roadmap: the steps of each establishment", road_v630_sql, road_v630_pg},
};

const module_t roadmap_module = {
    .name = "roadmap",
    .migrations = road_migrations,
    .n_migrations = ARRAY_LEN(road_migrations),
    .routes = road_routes,
    .n_routes = ARRAY_LEN(road_routes),
    .menu = road_menu,
    .n_menu = ARRAY_LEN(road_menu),
    .home = road_home,
    .node_sections = road_node_sections,
    .entities = road_entities,
    .n_entities = ARRAY_LEN(road_entities),
    .audit_actions = road_audit_actions,
    .demo = road_demo,
};
