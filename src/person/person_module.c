/* person_module.c - the persons module in one place: its routes (pages
 * under /persons, the API under /api/v1/persons), menu entry, home and node
 * sections, what the audit log says of persons and plans, its sealed
 * columns, daily work (late reviews) and demo data. Who may see what is
 * described in person_internal.h.
 *
 * Routes taking a person's id resolve it to its node and decide by the
 * person's own rule (pers_check: personal.read or personal.write at the
 * node, referents, grants; then two-step verification) before the body is
 * read. A plan or grant id must belong to the person of the path (404). */
#include "person_internal.h"

#include <string.h>

#define PR(m, p, h, f) {m, p, PERM_PERSONAL_READ, pers_resolve, h, f, pers_check}
#define PW(m, p, h, f) {m, p, PERM_PERSONAL_WRITE, pers_resolve, h, f, pers_check}
#define PD(m, p, h, f) {m, p, PERM_PERSONAL_READ, pers_resolve, h, f, pers_check_director}

static int64_t pers_eps_resolve(req_t *r, int64_t id)
{
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0 || n.kind != NODE_EPS)
        return 0;
    return id;
}

static const route_t pers_routes[] = {
    /* pages */
    {"GET", "/persons", PERM_AUTHENTICATED, NULL, pers_page_list, 0},
    {"GET", "/persons/new", PERM_AUTHENTICATED, NULL, pers_page_new, 0},
    {"POST", "/persons", PERM_AUTHENTICATED, NULL, pers_page_create, ROUTE_FORM},
    PR("GET", "/persons/{id}", pers_page_show, 0),
    PW("GET", "/persons/{id}/edit", pers_page_edit, 0),
    PW("POST", "/persons/{id}", pers_page_update, ROUTE_FORM),
    PW("GET", "/persons/{id}/needs/{code}", pers_page_need, 0),
    PW("POST", "/persons/{id}/needs/{code}", pers_page_need_save, ROUTE_FORM),
    PW("POST", "/persons/{id}/referents", pers_page_referents, ROUTE_FORM),
    PW("POST", "/persons/{id}/plans", pers_page_plan_new, ROUTE_FORM),
    PR("GET", "/persons/{id}/plans/{id}", pers_page_plan, 0),
    PW("POST", "/persons/{id}/plans/{id}", pers_page_plan_save, ROUTE_FORM),
    PW("POST", "/persons/{id}/plans/{id}/reviews", pers_page_review, ROUTE_FORM),
    PD("POST", "/persons/{id}/grants", pers_page_grant, ROUTE_FORM),
    PD("POST", "/persons/{id}/grants/{id}/revoke", pers_page_grant_revoke, ROUTE_FORM),
    PD("GET", "/persons/{id}/export.json", pers_api_export_json, 0),
    PD("GET", "/persons/{id}/export.pdf", pers_api_export_pdf, ROUTE_SLOW),
    {"GET", "/person-settings/{id}", PERM_ORG_READ, pers_eps_resolve, pers_page_settings, 0},
    {"POST", "/person-settings/{id}", PERM_ORG_READ, pers_eps_resolve, pers_page_settings_save,
     ROUTE_FORM},
    {"GET", "/person-domains", PERM_AUTHENTICATED, NULL, pers_page_domains, 0},
    {"POST", "/person-domains", PERM_AUTHENTICATED, NULL, pers_page_domains_save, ROUTE_FORM},
    /* JSON API */
    {"GET", "/api/v1/persons", PERM_AUTHENTICATED, NULL, pers_api_list, 0},
    {"POST", "/api/v1/persons", PERM_AUTHENTICATED, NULL, pers_api_create, ROUTE_JSON},
    {"GET", "/api/v1/persons/indicators", PERM_AUTHENTICATED, NULL, pers_api_indicators, 0},
    PR("GET", "/api/v1/persons/{id}", pers_api_get, 0),
    PW("PATCH", "/api/v1/persons/{id}", pers_api_patch, ROUTE_JSON),
    PR("GET", "/api/v1/persons/{id}/needs", pers_api_needs, 0),
    PW("PUT", "/api/v1/persons/{id}/needs/{code}", pers_api_need_put, ROUTE_JSON),
    PR("GET", "/api/v1/persons/{id}/plans", pers_api_plans, 0),
    PW("POST", "/api/v1/persons/{id}/plans", pers_api_plan_create, ROUTE_JSON),
    PR("GET", "/api/v1/persons/{id}/plans/{id}", pers_api_plan_get, 0),
    PW("PATCH", "/api/v1/persons/{id}/plans/{id}", pers_api_plan_patch, ROUTE_JSON),
    PW("POST", "/api/v1/persons/{id}/plans/{id}/reviews", pers_api_review, ROUTE_JSON),
    PD("GET", "/api/v1/persons/{id}/grants", pers_api_grants, 0),
    PD("POST", "/api/v1/persons/{id}/grants", pers_api_grant, ROUTE_JSON),
    PD("DELETE", "/api/v1/persons/{id}/grants/{id}", pers_api_grant_revoke, 0),
    PD("GET", "/api/v1/persons/{id}/reads", pers_api_reads, 0),
    PD("GET", "/api/v1/persons/{id}/export.json", pers_api_export_json, 0),
    PD("GET", "/api/v1/persons/{id}/export.pdf", pers_api_export_pdf, ROUTE_SLOW),
};

static const app_menu_t pers_menu[] = {
    {N_("Persons supported"), "/persons", PERM_PERSONAL_READ, 30},
};

/* What the audit log shows of a person: the name to those who may read the
 * file, the pseudonymous code to the others (never a name). */
static const char *pers_describe(req_t *r, int64_t id, const char **href)
{
    const char *path = NULL;
    int64_t eps = 0, node = 0;
    if (pers_where(r->db, r->arena, id, &path, &eps, &node) != 0)
        return NULL;
    if (r->user && pers_access(r, id, path) != PERS_NONE) {
        person_t p;
        if (pers_load(r->db, r->arena, id, &p) != 0)
            return NULL;
        *href = arena_printf(r->arena, "/persons/%lld", (long long)id);
        return pers_display_name(r->arena, &p, r->lang);
    }
    return pers_query_text(r->db, r->arena, "SELECT code FROM persons WHERE id = ?",
                           PARAMS(P_INT(id)));
}

static const char *plan_describe(req_t *r, int64_t id, const char **href)
{
    pers_plan_t pl;
    if (pers_plan_load(r->db, r->arena, id, &pl) != 0)
        return NULL;
    const char *phref = NULL;
    const char *who = pers_describe(r, pl.person_id, &phref);
    if (!who)
        return NULL;
    if (phref)
        *href = arena_printf(r->arena, "/persons/%lld/plans/%lld", (long long)pl.person_id,
                             (long long)id);
    return arena_printf(r->arena, "%s (v%lld)", who, (long long)pl.version);
}

static const app_field_t pers_fields[] = {
    {"code", N_("Pseudonymous code"), FIELD_TEXT, NULL},
    {"node_id", N_("Unit"), FIELD_REF, "node"},
    {"first_name", N_("First name"), FIELD_SECRET, NULL},
    {"last_name", N_("Last name"), FIELD_SECRET, NULL},
    {"first_name_ar", N_("First name in Arabic"), FIELD_SECRET, NULL},
    {"last_name_ar", N_("Last name in Arabic"), FIELD_SECRET, NULL},
    {"birth_date", N_("Date of birth"), FIELD_SECRET, NULL},
    {"sex", N_("Sex"), FIELD_SECRET, NULL},
    {"admission_date", N_("Admission date"), FIELD_TEXT, NULL},
    {"origin", N_("Origin of the admission"), FIELD_CODE, "person.origin"},
    {"origin_ref", N_("Reference of the decision"), FIELD_SECRET, NULL},
    {"legal_status", N_("Legal status"), FIELD_CODE, "person.legal"},
    {"disability", N_("Disability"), FIELD_SECRET, NULL},
    {"disability_kind", N_("Kind of disability"), FIELD_SECRET, NULL},
    {"exit_date", N_("Exit date"), FIELD_TEXT, NULL},
    {"exit_destination", N_("Destination"), FIELD_CODE, "person.exit"},
    {"health_notes", N_("Health notes"), FIELD_SECRET, NULL},
    {"family_notes", N_("Family situation"), FIELD_SECRET, NULL},
    {"judicial_notes", N_("Judicial details"), FIELD_SECRET, NULL},
    {"referents", N_("Referents"), FIELD_TEXT, NULL},
    {"siblings", N_("Siblings"), FIELD_NUMBER, NULL},
    {"user_id", N_("Person given access"), FIELD_REF, "user"},
    {"until", N_("Until"), FIELD_TEXT, NULL},
    {"reason", N_("Reason"), FIELD_SECRET, NULL},
    {"domain", N_("Life domain"), FIELD_TEXT, NULL},
    {"level", N_("Level of need"), FIELD_NUMBER, NULL},
    {"situation", N_("Situation"), FIELD_SECRET, NULL},
    {"strengths", N_("Strengths"), FIELD_SECRET, NULL},
    {"needs", N_("Needs"), FIELD_SECRET, NULL},
    {"own_words", N_("In their own words"), FIELD_SECRET, NULL},
    {"version", N_("Version"), FIELD_NUMBER, NULL},
    {"status", N_("Status"), FIELD_CODE, "person.plan"},
    {"participation", N_("How the person took part"), FIELD_SECRET, NULL},
    {"agreement", N_("Agreement of the person"), FIELD_CODE, "person.agreement"},
    {"child_signed_on", N_("Signed by the child on"), FIELD_TEXT, NULL},
    {"guardian_signed_on", N_("Signed by the legal guardian on"), FIELD_TEXT, NULL},
    {"goals", N_("Goals"), FIELD_NUMBER, NULL},
    {"next_review", N_("Next review"), FIELD_TEXT, NULL},
    {"reviewed_on", N_("Reviewed on"), FIELD_TEXT, NULL},
    {"changes", N_("What changed"), FIELD_SECRET, NULL},
    {"review_months", N_("Months between reviews"), FIELD_NUMBER, NULL},
    {"require_totp", N_("Two-step verification required of the staff"), FIELD_BOOL, NULL},
    {"anonymised", N_("Anonymised"), FIELD_BOOL, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t pers_entities[] = {
    {"person", N_("audit_entity.person"), pers_describe, pers_fields, NULL},
    {"person_plan", N_("audit_entity.person_plan"), plan_describe, pers_fields, NULL},
    {"person_settings", N_("audit_entity.person_settings"), NULL, pers_fields, NULL},
    {"person_domain", N_("audit_entity.person_domain"), NULL, pers_fields, NULL},
};

static const char *const pers_audit_actions[] = {
    "create",       "update",    "need",   "plan_create", "plan_update", "plan_status",
    "review",       "referents", "siblings", "access_grant", "access_revoke", "export",
    "settings",     "retention", "domain", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const pers_code_msgids[] __attribute__((unused)) = {
    N_("audit_action.need"), N_("audit_action.plan_create"), N_("audit_action.plan_update"),
    N_("audit_action.plan_status"), N_("audit_action.review"), N_("audit_action.referents"),
    N_("audit_action.siblings"), N_("audit_action.access_grant"), N_("audit_action.access_revoke"),
    N_("audit_action.export"), N_("audit_action.settings"), N_("audit_action.retention"),
    N_("audit_action.domain"),
    N_("person.plan.draft"), N_("person.plan.agreed"), N_("person.plan.in_review"),
    N_("person.plan.closed"),
    N_("person.origin.judicial"), N_("person.origin.family"), N_("person.origin.social_services"),
    N_("person.origin.police"), N_("person.origin.self"), N_("person.origin.other"),
    N_("person.legal.judicial_placement"), N_("person.legal.kafala_pending"),
    N_("person.legal.abandoned_declared"), N_("person.legal.parental_authority"),
    N_("person.legal.guardianship"), N_("person.legal.other"),
    N_("person.exit.family"), N_("person.exit.kafala"), N_("person.exit.autonomy"),
    N_("person.exit.other_eps"), N_("person.exit.adult_service"), N_("person.exit.other"),
    N_("person.agreement.agrees"), N_("person.agreement.partly"),
    N_("person.agreement.disagrees"), N_("person.agreement.not_asked"),
    N_("person.sign.signature"), N_("person.sign.oral"), N_("person.sign.thumbprint"),
    N_("person.sign.other"), N_("person.sex.f"), N_("person.sex.m"),
};

static int pers_start(db_t *db)
{
    return pers_domains_seed(db);
}

const module_t person_module = {
    .name = "person",
    .migrations = pers_migrations,
    .n_migrations = PERS_N_MIGRATIONS,
    .routes = pers_routes,
    .n_routes = ARRAY_LEN(pers_routes),
    .menu = pers_menu,
    .n_menu = ARRAY_LEN(pers_menu),
    .home = pers_home,
    .node_sections = pers_node_sections,
    .entities = pers_entities,
    .n_entities = ARRAY_LEN(pers_entities),
    .audit_actions = pers_audit_actions,
    .start = pers_start,
    .demo = pers_demo,
    .daily = pers_daily,
    .sealed = pers_sealed,
    .n_sealed = PERS_N_SEALED,
};
