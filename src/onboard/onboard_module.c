/* onboard_module.c - the onboarding wizard in one place: its routes (the
 * pages under /onboard, the API POST /api/v1/onboard), its table of runs
 * (the kit kept between the pages, a run created once), its home card, its
 * audit action and its daily clean-up. The wizard's own rule of who may use
 * it is described in onboard_internal.h: the routes are PERM_AUTHENTICATED
 * with the wizard's rule as their check (403 before the body, a kit's
 * upload, is read), and the handlers check the chosen association (404
 * outside the reader's scope, 403 inside it without the rule). */
#include "onboard_internal.h"

static const route_t onb_routes[] = {
    {"GET", "/onboard", PERM_AUTHENTICATED, NULL, onb_page_start, 0, onb_check},
    {"POST", "/onboard", PERM_AUTHENTICATED, NULL, onb_page_step,
     ROUTE_FORM | ROUTE_UPLOAD | ROUTE_SLOW, onb_check},
    {"POST", "/api/v1/onboard", PERM_AUTHENTICATED, NULL, onb_api_create, ROUTE_JSON | ROUTE_SLOW,
     onb_check},
};

static const char *const onb_audit_actions[] = {"onboard", NULL};

/* Listed for the catalogues. */
static const char *const onb_msgids[] __attribute__((unused)) = {N_("audit_action.onboard")};

/* Version 650: the wizard's runs. token_hash is the keyed hash of the run
 * token the pages carry; kit holds the zip uploaded at the kit's step until
 * the establishment is created (then emptied); eps_id says a run is done. */
static const char onb_v650_sql[] = "CREATE TABLE onboard_runs ("
                                   " id ID_PK,"
                                   " token_hash TEXT NOT NULL UNIQUE,"
                                   " user_id BIGINT NOT NULL,"
                                   " eps_id BIGINT,"
                                   " kit BLOB,"
                                   " kit_name TEXT,"
                                   " created_at BIGINT NOT NULL,"
                                   " updated_at BIGINT NOT NULL"
                                   ");"
                                   "CREATE INDEX onboard_runs_created ON onboard_runs(created_at);";

static const db_migration_t onb_migrations[] = {
    {650, "onboard: the wizard's runs (kit kept between pages, created once)", onb_v650_sql, NULL},
};

/* Runs older than ONB_RUN_TTL go, with any kit they still hold. */
static int onb_daily(db_t *db, const char *day, int64_t now)
{
    (void)day;
    return db_exec(db, "DELETE FROM onboard_runs WHERE created_at < ?",
                   PARAMS(P_INT(now - ONB_RUN_TTL)));
}

const module_t onboard_module = {
    .name = "onboard",
    .migrations = onb_migrations,
    .n_migrations = ARRAY_LEN(onb_migrations),
    .routes = onb_routes,
    .n_routes = ARRAY_LEN(onb_routes),
    .home = onb_home,
    .audit_actions = onb_audit_actions,
    .daily = onb_daily,
};
