/* plan_module.c - the improvement plan module in one place: its tables,
 * routes (pages under /actions, API under /api/v1/actions and
 * /api/v1/plans), menu entries, home section, what the audit log says of an
 * action and of a plan, its daily work (overdue actions), what it does when
 * a self-assessment's proposal is accepted, and its demo data. Who may do
 * what is described in plan_internal.h.
 *
 * Routes taking an action's id resolve it to its EPS and decide by the
 * action's own rule (plan_check: readers of the EPS's quality work, and the
 * action's owner and contributors) before the body is read; the handlers
 * then check what the change needs (work or manage: 403). */
#include "plan_internal.h"

#include <string.h>

static int plan_check(req_t *r, int64_t id);

#define ACT(m, p, h, f) {m, p, PERM_AUTHENTICATED, plan_resolve, h, f, plan_check}

static const route_t plan_routes[] = {
    /* pages */
    {"GET", "/actions", PERM_AUTHENTICATED, NULL, plan_page_list, 0},
    {"GET", "/actions/mine", PERM_AUTHENTICATED, NULL, plan_page_mine, 0},
    {"GET", "/actions/board", PERM_AUTHENTICATED, NULL, plan_page_board, 0},
    {"GET", "/actions/timeline", PERM_AUTHENTICATED, NULL, plan_page_timeline, 0},
    {"GET", "/actions/timeline.svg", PERM_AUTHENTICATED, NULL, plan_page_timeline_svg, 0},
    {"GET", "/actions/matrix", PERM_AUTHENTICATED, NULL, plan_page_matrix, 0},
    {"GET", "/actions/summary", PERM_QUALITY_READ, NULL, plan_page_summary, 0},
    {"GET", "/actions/new", PERM_AUTHENTICATED, NULL, plan_page_new, 0},
    {"POST", "/actions", PERM_AUTHENTICATED, NULL, plan_page_create, ROUTE_FORM},
    ACT("GET", "/actions/{id}", plan_page_show, 0),
    ACT("POST", "/actions/{id}", plan_page_update, ROUTE_FORM),
    ACT("POST", "/actions/{id}/status", plan_page_status, ROUTE_FORM),
    ACT("POST", "/actions/{id}/comments", plan_page_comment, ROUTE_FORM),
    ACT("POST", "/actions/{id}/attachments", plan_page_upload, ROUTE_FORM | ROUTE_UPLOAD),
    {"GET", "/plans/{id}", PERM_QUALITY_READ, plan_resolve_eps, plan_page_plan, 0},
    {"POST", "/plans/{id}/adopt", PERM_QUALITY_WRITE, plan_resolve_eps, plan_page_adopt,
     ROUTE_FORM},
    /* JSON API */
    {"GET", "/api/v1/actions", PERM_AUTHENTICATED, NULL, plan_api_list, 0},
    {"GET", "/api/v1/actions.csv", PERM_AUTHENTICATED, NULL, plan_api_export_csv, ROUTE_SLOW},
    {"GET", "/api/v1/actions.xlsx", PERM_AUTHENTICATED, NULL, plan_api_export_xlsx, ROUTE_SLOW},
    {"GET", "/api/v1/actions/summary", PERM_QUALITY_READ, NULL, plan_api_summary, 0},
    {"POST", "/api/v1/actions", PERM_AUTHENTICATED, NULL, plan_api_create, ROUTE_JSON},
    ACT("GET", "/api/v1/actions/{id}", plan_api_get, 0),
    ACT("PATCH", "/api/v1/actions/{id}", plan_api_patch, ROUTE_JSON),
    ACT("POST", "/api/v1/actions/{id}/comments", plan_api_comment, ROUTE_JSON),
    ACT("GET", "/api/v1/actions/{id}/attachments", plan_api_files, 0),
    ACT("POST", "/api/v1/actions/{id}/attachments", plan_api_upload, ROUTE_UPLOAD),
    {"GET", "/api/v1/plans/{id}", PERM_QUALITY_READ, plan_resolve_eps, plan_api_adoptions, 0},
    {"POST", "/api/v1/plans/{id}/adopt", PERM_QUALITY_WRITE, plan_resolve_eps, plan_api_adopt,
     ROUTE_JSON},
};

static const app_menu_t plan_menu[] = {
    {N_("Improvement plan"), "/actions", PERM_QUALITY_READ, 40},
};

int64_t plan_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM actions WHERE id = ?", PARAMS(P_INT(id)), 0);
}

/* A plan is an EPS's: the id is the EPS's. */
int64_t plan_resolve_eps(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT id FROM nodes WHERE id = ? AND kind = 'eps'",
                        PARAMS(P_INT(id)), 0);
}

static int plan_check(req_t *r, int64_t id)
{
    action_t a;
    if (act_load(r->db, r->arena, id, &a) != 0)
        return 404;
    return act_access(r, &a) == ACCESS_NONE ? 404 : 0;
}

static const char *act_describe(req_t *r, int64_t id, const char **href)
{
    action_t a;
    if (act_load(r->db, r->arena, id, &a) != 0 || act_access(r, &a) == ACCESS_NONE)
        return NULL;
    *href = arena_printf(r->arena, "/actions/%lld", (long long)id);
    return a.title;
}

static const char *plan_describe(req_t *r, int64_t id, const char **href)
{
    int64_t node = db_query_int(r->db, "SELECT node_id FROM plan_adoptions WHERE id = ?",
                                PARAMS(P_INT(id)), 0);
    char *path = node ? app_node_path(r->db, node) : NULL;
    bool ok = path && app_can_at_path(r, PERM_QUALITY_READ, path);
    free(path);
    if (!ok)
        return NULL;
    *href = arena_printf(r->arena, "/plans/%lld", (long long)node);
    return arena_printf(r->arena, "%s — %s", T(r, N_("Improvement plan")),
                        nodes_label(r->db, r->arena, r->lang, node));
}

static const app_field_t act_fields[] = {
    {"title", N_("Title"), FIELD_TEXT, NULL},
    {"description", N_("Description"), FIELD_TEXT, NULL},
    {"origin", N_("Origin"), FIELD_CODE, "origin"},
    {"origin_label", N_("Reference of the origin"), FIELD_TEXT, NULL},
    {"theme", N_("Theme"), FIELD_TEXT, NULL},
    {"unit_id", N_("Unit"), FIELD_REF, "node"},
    {"owner_id", N_("Owner"), FIELD_REF, "user"},
    {"contributors", N_("Contributors"), FIELD_TEXT, NULL},
    {"start_date", N_("Start"), FIELD_TEXT, NULL},
    {"due_date", N_("Due date"), FIELD_TEXT, NULL},
    {"impact", N_("Impact"), FIELD_NUMBER, NULL},
    {"effort", N_("Effort"), FIELD_NUMBER, NULL},
    {"status", N_("Status"), FIELD_CODE, "act_status"},
    {"progress", N_("Progress (%)"), FIELD_NUMBER, NULL},
    {"expected_result", N_("Expected result"), FIELD_TEXT, NULL},
    {"check_method", N_("How effectiveness will be checked"), FIELD_TEXT, NULL},
    {"check_date", N_("Date of the check"), FIELD_TEXT, NULL},
    {"check_comment", N_("Result of the check"), FIELD_TEXT, NULL},
    {"reason", N_("Reason"), FIELD_TEXT, NULL},
    {"comment", N_("Comment"), FIELD_TEXT, NULL},
    {"follow_up_id", N_("Follow-up action"), FIELD_REF, "action"},
    {"follows_id", N_("Follows up"), FIELD_REF, "action"},
    {"campaign_id", N_("Self-assessment"), FIELD_REF, "campaign"},
    {"project_id", N_("Projet d'établissement"), FIELD_REF, "project"},
    {"objective_id", N_("Objective"), FIELD_REF, "objective"},
    {"criterion", N_("Criterion"), FIELD_TEXT, NULL},
    {"n_actions", N_("Actions"), FIELD_NUMBER, NULL},
    {"note", N_("Note"), FIELD_TEXT, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t plan_entities[] = {
    {"action", N_("audit_entity.action"), act_describe, act_fields, NULL},
    {"plan", N_("audit_entity.plan"), plan_describe, act_fields, NULL},
};

static const char *const plan_audit_actions[] = {"create", "update", "transition", "comment",
                                                 "adopt", "overdue", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const plan_code_msgids[] __attribute__((unused)) = {
    N_("act_status.proposed"), N_("act_status.planned"), N_("act_status.in_progress"),
    N_("act_status.done"), N_("act_status.effective"), N_("act_status.not_effective"),
    N_("act_status.closed"), N_("act_status.cancelled"), N_("origin.self_assessment"),
    N_("origin.incident"), N_("origin.complaint"), N_("origin.survey"), N_("origin.inspection"),
    N_("origin.project"), N_("origin.other"), N_("priority.high"), N_("priority.medium"),
    N_("priority.low"), N_("level.1"), N_("level.2"), N_("level.3"),
    N_("audit_action.transition"), N_("audit_action.comment"), N_("audit_action.adopt"),
    N_("audit_action.overdue")};

/* Versions 300-309. An action keeps a copy of its EPS's path (a node never
 * moves) for scope filters on its own table. Days are "YYYY-MM-DD" text
 * (ordered as text on both engines); delay_days is fixed when the action is
 * done. overdue_since: the day the daily work found it past its due date
 * (its owner told then), cleared when the due date moves. */
static const char plan_v300_sql[] =
    "CREATE TABLE actions ("
    " id ID_PK,"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " unit_id BIGINT,"
    " title TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT '',"
    " origin TEXT NOT NULL CHECK (origin IN ('self_assessment','incident','complaint','survey',"
    "'inspection','project','other')),"
    " origin_label TEXT,"
    " campaign_id BIGINT,"
    " item_code TEXT,"
    " proposal_id BIGINT UNIQUE,"
    " follows_id BIGINT,"
    " theme TEXT NOT NULL DEFAULT '',"
    " owner_id BIGINT,"
    " start_date TEXT,"
    " due_date TEXT,"
    " impact INTEGER NOT NULL DEFAULT 2 CHECK (impact BETWEEN 1 AND 3),"
    " effort INTEGER NOT NULL DEFAULT 2 CHECK (effort BETWEEN 1 AND 3),"
    " priority INTEGER NOT NULL DEFAULT 1,"
    " status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed','planned',"
    "'in_progress','done','effective','not_effective','closed','cancelled')),"
    " progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),"
    " expected_result TEXT NOT NULL DEFAULT '',"
    " check_method TEXT NOT NULL DEFAULT '',"
    " check_date TEXT,"
    " check_result TEXT CHECK (check_result IN ('effective','not_effective')),"
    " check_comment TEXT,"
    " cancel_reason TEXT,"
    " done_date TEXT,"
    " delay_days INTEGER,"
    " overdue_since TEXT,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " search_key TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX actions_path ON actions(node_path, id);"
    "CREATE INDEX actions_node ON actions(node_id, status);"
    "CREATE INDEX actions_owner ON actions(owner_id, status);"
    "CREATE INDEX actions_due ON actions(status, due_date);"
    "CREATE INDEX actions_campaign ON actions(campaign_id, item_code);"
    "CREATE TABLE action_contributors ("
    " action_id BIGINT NOT NULL REFERENCES actions(id),"
    " user_id BIGINT NOT NULL,"
    " PRIMARY KEY (action_id, user_id)"
    ");"
    "CREATE INDEX action_contributors_user ON action_contributors(user_id, action_id);"
    "CREATE TABLE action_comments ("
    " id ID_PK,"
    " action_id BIGINT NOT NULL REFERENCES actions(id),"
    " author_id BIGINT,"
    " body TEXT NOT NULL,"
    " created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX action_comments_action ON action_comments(action_id, id);"
    "CREATE TABLE plan_adoptions ("
    " id ID_PK,"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " adopted_by BIGINT,"
    " adopted_at BIGINT NOT NULL,"
    " adopted_on TEXT NOT NULL,"
    " note TEXT NOT NULL DEFAULT '',"
    " n_actions INTEGER NOT NULL,"
    " snapshot TEXT NOT NULL"
    ");"
    "CREATE INDEX plan_adoptions_node ON plan_adoptions(node_id, id);";
static const char plan_v300_pg[] =
    "ALTER TABLE actions ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";"
    "ALTER TABLE plan_adoptions ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";";

static const db_migration_t plan_migrations[] = {
    {300, "plan: actions, contributors, comments, adoptions", plan_v300_sql, NULL},
    {301, "plan: byte-ordered paths for scope ranges", "SELECT 1", plan_v300_pg},
    {302, "plan: actions born of a projet d'établissement's objectives",
     "ALTER TABLE actions ADD COLUMN project_id BIGINT;"
     "ALTER TABLE actions ADD COLUMN objective_id BIGINT;"
     "CREATE INDEX actions_project ON actions(project_id, objective_id);",
     NULL},
    /* the EPS of a scope with an adoption (plan_facts.c) from the index
     * alone: adoptions are wide rows (their snapshot) */
    {303, "plan: adoptions by path", "CREATE INDEX plan_adoptions_path ON plan_adoptions(node_path, node_id);",
     NULL},
};

const module_t plan_module = {
    .name = "plan",
    .migrations = plan_migrations,
    .n_migrations = ARRAY_LEN(plan_migrations),
    .routes = plan_routes,
    .n_routes = ARRAY_LEN(plan_routes),
    .menu = plan_menu,
    .n_menu = ARRAY_LEN(plan_menu),
    .home = plan_home,
    .entities = plan_entities,
    .n_entities = ARRAY_LEN(plan_entities),
    .audit_actions = plan_audit_actions,
    .demo = plan_demo,
    .on_event = plan_on_event,
    .item_links = plan_item_links,
    .daily = plan_daily,
    .facts = plan_facts,
    .n_facts = PLAN_N_FACTS,
};
