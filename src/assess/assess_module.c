/* assess_module.c - the self-assessment module in one place: its tables,
 * routes (pages under /campaigns, API under /api/v1/campaigns), menu entry,
 * home section, what the audit log says of a campaign, and its demo data.
 *
 * Permissions: a campaign belongs to an EPS. quality.read there reads it;
 * quality.write scores its criteria; its leads (director, quality referent,
 * or an admin or quality advisor above the EPS) create, start and submit it
 * and decide its proposals; the director (or an admin above) validates and
 * reopens it. The routes ask for quality.read or quality.write at the
 * campaign's EPS (404 outside the scope, 403 inside without it); the
 * handlers check the lead and validator roles (403). */
#include "assess_internal.h"

#include <string.h>

static const route_t assess_routes[] = {
    /* pages */
    {"GET", "/campaigns", PERM_QUALITY_READ, NULL, assess_page_list, 0},
    {"GET", "/campaigns/network", PERM_QUALITY_READ, NULL, assess_page_network, 0},
    {"GET", "/campaigns/new", PERM_AUTHENTICATED, NULL, assess_page_new, 0},
    {"POST", "/campaigns", PERM_AUTHENTICATED, NULL, assess_page_create, ROUTE_FORM},
    {"GET", "/campaigns/{id}", PERM_QUALITY_READ, camp_resolve, assess_page_show, 0},
    {"GET", "/campaigns/{id}/results", PERM_QUALITY_READ, camp_resolve, assess_page_results, 0},
    {"GET", "/campaigns/{id}/radar.svg", PERM_QUALITY_READ, camp_resolve, assess_page_chart, 0},
    {"GET", "/campaigns/{id}/scores.svg", PERM_QUALITY_READ, camp_resolve, assess_page_chart, 0},
    {"POST", "/campaigns/{id}/ratings/{id}", PERM_QUALITY_WRITE, camp_resolve, assess_page_rate,
     ROUTE_FORM},
    {"POST", "/campaigns/{id}/ratings/{id}/evidence", PERM_QUALITY_WRITE, camp_resolve,
     assess_page_evidence_upload, ROUTE_FORM | ROUTE_UPLOAD},
    {"POST", "/campaigns/{id}/start", PERM_QUALITY_WRITE, camp_resolve, assess_page_transition,
     ROUTE_FORM},
    {"POST", "/campaigns/{id}/submit", PERM_QUALITY_WRITE, camp_resolve, assess_page_transition,
     ROUTE_FORM},
    {"POST", "/campaigns/{id}/validate", PERM_QUALITY_WRITE, camp_resolve, assess_page_transition,
     ROUTE_FORM},
    {"POST", "/campaigns/{id}/reopen", PERM_QUALITY_WRITE, camp_resolve, assess_page_transition,
     ROUTE_FORM},
    {"POST", "/campaigns/{id}/proposals/{id}", PERM_QUALITY_WRITE, camp_resolve,
     assess_page_decide, ROUTE_FORM},
    {"POST", "/campaigns/{id}/criteria/{id}/assign", PERM_QUALITY_WRITE, camp_resolve,
     assess_page_assign, ROUTE_FORM},
    /* JSON API */
    {"GET", "/api/v1/campaigns", PERM_QUALITY_READ, NULL, assess_api_list, 0},
    {"POST", "/api/v1/campaigns", PERM_AUTHENTICATED, NULL, assess_api_create, ROUTE_JSON},
    {"GET", "/api/v1/campaigns/{id}", PERM_QUALITY_READ, camp_resolve, assess_api_get, 0},
    {"POST", "/api/v1/campaigns/{id}/start", PERM_QUALITY_WRITE, camp_resolve, assess_api_start,
     ROUTE_JSON},
    {"POST", "/api/v1/campaigns/{id}/submit", PERM_QUALITY_WRITE, camp_resolve, assess_api_submit,
     ROUTE_JSON},
    {"POST", "/api/v1/campaigns/{id}/validate", PERM_QUALITY_WRITE, camp_resolve,
     assess_api_validate, ROUTE_JSON},
    {"POST", "/api/v1/campaigns/{id}/reopen", PERM_QUALITY_WRITE, camp_resolve, assess_api_reopen,
     ROUTE_JSON},
    {"PUT", "/api/v1/campaigns/{id}/ratings/{code}", PERM_QUALITY_WRITE, camp_resolve,
     assess_api_rate, ROUTE_JSON},
    {"PUT", "/api/v1/campaigns/{id}/criteria/{code}", PERM_QUALITY_WRITE, camp_resolve,
     assess_api_assign, ROUTE_JSON},
    {"GET", "/api/v1/campaigns/{id}/results", PERM_QUALITY_READ, camp_resolve, assess_api_results,
     0},
    {"GET", "/api/v1/campaigns/{id}/results.csv", PERM_QUALITY_READ, camp_resolve,
     assess_api_results_csv, 0},
    {"GET", "/api/v1/campaigns/{id}/results.xlsx", PERM_QUALITY_READ, camp_resolve,
     assess_api_results_xlsx, ROUTE_SLOW},
    {"GET", "/api/v1/campaigns/{id}/report.pdf", PERM_QUALITY_READ, camp_resolve,
     assess_api_report_pdf, ROUTE_SLOW},
    {"GET", "/api/v1/campaigns/{id}/proposals", PERM_QUALITY_READ, camp_resolve,
     assess_api_proposals, 0},
    {"POST", "/api/v1/campaigns/{id}/proposals/{id}", PERM_QUALITY_WRITE, camp_resolve,
     assess_api_decide, ROUTE_JSON},
};

static const app_menu_t assess_menu[] = {
    {N_("Self-assessment"), "/campaigns", PERM_QUALITY_READ, 30},
};

int64_t camp_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM campaigns WHERE id = ?", PARAMS(P_INT(id)), 0);
}

static const char *camp_describe(req_t *r, int64_t id, const char **href)
{
    campaign_t c;
    if (camp_load(r->db, r->arena, id, &c) != 0)
        return NULL;
    if (!app_can_at_path(r, PERM_QUALITY_READ, c.node_path))
        return NULL;
    *href = arena_printf(r->arena, "/campaigns/%lld", (long long)id);
    return c.title;
}

static const app_field_t camp_fields[] = {
    {"title", N_("Title"), FIELD_TEXT, NULL},
    {"referentiel_id", N_("Référentiel"), FIELD_REF, "referentiel"},
    {"period_start", N_("Start of the period"), FIELD_TEXT, NULL},
    {"period_end", N_("End of the period"), FIELD_TEXT, NULL},
    {"n_criteria", N_("Criteria"), FIELD_NUMBER, NULL},
    {"status", N_("Status"), FIELD_CODE, "camp_status"},
    {"criterion", N_("Criterion"), FIELD_TEXT, NULL},
    {"score", N_("Score"), FIELD_CODE, "score"},
    {"comment", N_("Comment"), FIELD_TEXT, NULL},
    {"reason", N_("Reason"), FIELD_TEXT, NULL},
    {"proposal", N_("Improvement proposal"), FIELD_CODE, "proposal_status"},
    {"evidence", N_("Evidence"), FIELD_TEXT, NULL},
    {"assignee_id", N_("Assigned to"), FIELD_REF, "user"},
    {"group", N_("Group"), FIELD_TEXT, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t assess_entities[] = {
    {"campaign", N_("audit_entity.campaign"), camp_describe, camp_fields, NULL},
};

static const char *const assess_audit_actions[] = {"create", "start", "submit", "validate",
                                                   "reopen", "rate", "evidence", "accept",
                                                   "dismiss", "assign", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const assess_code_msgids[] __attribute__((unused)) = {
    N_("camp_status.draft"), N_("camp_status.in_progress"), N_("camp_status.submitted"),
    N_("camp_status.validated"), N_("score.1"), N_("score.2"), N_("score.3"), N_("score.4"),
    N_("score.star"), N_("score.nc"), N_("score.ri"), N_("score.conforme"), N_("score.partiel"),
    N_("score.non_conforme"), N_("proposal_status.proposed"), N_("proposal_status.accepted"),
    N_("proposal_status.dismissed"), N_("audit_action.start"), N_("audit_action.submit"),
    N_("audit_action.validate"), N_("audit_action.reopen"), N_("audit_action.rate"),
    N_("audit_action.evidence"), N_("audit_action.accept"), N_("audit_action.dismiss"),
    N_("audit_action.assign"),
    N_("Choose a score from the scale."), N_("An imperative criterion cannot be marked not concerned."), N_("Say why this criterion does not concern the establishment."),
    N_("A score of 4 needs a comment and at least one piece of evidence."), N_("An optimised score needs a comment and at least one piece of evidence."), N_("A conforming score needs a comment and at least one piece of evidence."),
    N_("Say what is missing for a better score.")};

/* Versions 200-209. A campaign keeps a copy of its EPS's path (a node never
 * moves) for scope filters on its own table. Averages are stored in
 * thousandths (integers on both engines). */
static const char assess_v200_sql[] =
    "CREATE TABLE campaigns ("
    " id ID_PK,"
    " node_id BIGINT NOT NULL,"
    " node_path TEXT NOT NULL,"
    " referentiel_id BIGINT NOT NULL,"
    " title TEXT NOT NULL,"
    " period_start TEXT NOT NULL,"
    " period_end TEXT NOT NULL,"
    " methods TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT 'draft'"
    "  CHECK (status IN ('draft','in_progress','submitted','validated')),"
    " p_staff INTEGER NOT NULL DEFAULT 0,"
    " p_children INTEGER NOT NULL DEFAULT 0,"
    " p_families INTEGER NOT NULL DEFAULT 0,"
    " p_partners INTEGER NOT NULL DEFAULT 0,"
    " n_criteria INTEGER NOT NULL DEFAULT 0,"
    " n_rated INTEGER NOT NULL DEFAULT 0,"
    " overall BIGINT,"
    " rev INTEGER NOT NULL DEFAULT 1,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " submitted_at BIGINT,"
    " validated_at BIGINT,"
    " validated_by BIGINT"
    ");"
    "CREATE INDEX campaigns_path ON campaigns(node_path, id);"
    "CREATE INDEX campaigns_node ON campaigns(node_id, status, validated_at);"
    "CREATE TABLE campaign_steering ("
    " campaign_id BIGINT NOT NULL REFERENCES campaigns(id),"
    " user_id BIGINT NOT NULL,"
    " PRIMARY KEY (campaign_id, user_id)"
    ");"
    "CREATE TABLE campaign_criteria ("
    " campaign_id BIGINT NOT NULL REFERENCES campaigns(id),"
    " item_id BIGINT NOT NULL,"
    " code TEXT NOT NULL,"
    " ord INTEGER NOT NULL,"
    " assignee_id BIGINT,"
    " group_label TEXT,"
    " PRIMARY KEY (campaign_id, item_id)"
    ");"
    "CREATE INDEX campaign_criteria_order ON campaign_criteria(campaign_id, ord);"
    "CREATE TABLE ratings ("
    " id ID_PK,"
    " campaign_id BIGINT NOT NULL REFERENCES campaigns(id),"
    " item_id BIGINT NOT NULL,"
    " code TEXT NOT NULL,"
    " score TEXT,"
    " comment TEXT,"
    " version INTEGER NOT NULL DEFAULT 1,"
    " updated_by BIGINT,"
    " updated_at BIGINT NOT NULL,"
    " UNIQUE (campaign_id, item_id)"
    ");"
    "CREATE TABLE rating_evidence ("
    " id ID_PK,"
    " rating_id BIGINT NOT NULL REFERENCES ratings(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('reference','file')),"
    " label TEXT NOT NULL,"
    " url TEXT,"
    " attachment_id BIGINT,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL"
    ");"
    "CREATE INDEX rating_evidence_rating ON rating_evidence(rating_id);"
    "CREATE TABLE campaign_results ("
    " campaign_id BIGINT NOT NULL REFERENCES campaigns(id),"
    " item_id BIGINT NOT NULL,"
    " code TEXT NOT NULL,"
    " depth INTEGER NOT NULL,"
    " average BIGINT,"
    " scored INTEGER NOT NULL,"
    " PRIMARY KEY (campaign_id, item_id)"
    ");"
    "CREATE TABLE proposals ("
    " id ID_PK,"
    " campaign_id BIGINT NOT NULL REFERENCES campaigns(id),"
    " item_id BIGINT NOT NULL,"
    " code TEXT NOT NULL,"
    " title TEXT NOT NULL,"
    " imperative INTEGER NOT NULL DEFAULT 0,"
    " score TEXT,"
    " suggested_owner_id BIGINT,"
    " status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed','accepted','dismissed')),"
    " reason TEXT,"
    " decided_by BIGINT,"
    " decided_at BIGINT,"
    " created_at BIGINT NOT NULL,"
    " UNIQUE (campaign_id, item_id)"
    ");";
static const char assess_v200_pg[] =
    "ALTER TABLE campaigns ALTER COLUMN node_path TYPE TEXT COLLATE \"C\";";

static const db_migration_t assess_migrations[] = {
    {200, "assess: campaigns, criteria, ratings, evidence, results, proposals", assess_v200_sql,
     NULL},
    {201, "assess: byte-ordered campaign paths for scope ranges", "SELECT 1", assess_v200_pg},
};

const module_t assess_module = {
    .name = "assess",
    .migrations = assess_migrations,
    .n_migrations = ARRAY_LEN(assess_migrations),
    .routes = assess_routes,
    .n_routes = ARRAY_LEN(assess_routes),
    .menu = assess_menu,
    .n_menu = ARRAY_LEN(assess_menu),
    .home = assess_home,
    .entities = assess_entities,
    .n_entities = ARRAY_LEN(assess_entities),
    .audit_actions = assess_audit_actions,
    .demo = assess_demo,
    .facts = assess_facts,
    .n_facts = ASSESS_N_FACTS,
};
