/* assess_facts.c - what the self-assessment data prove about establishments
 * (app_fact_t): "campaign_validated", an EPS with a validated campaign. The
 * roadmap marks its step "self-assessment done" from it without reading the
 * campaigns table. */
#include "assess_internal.h"

static int validated_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    return app_fact_query(db, a,
                          "SELECT DISTINCT c.node_id FROM campaigns c WHERE c.node_path >= ?"
                          " AND c.node_path < ? AND c.status = 'validated' ORDER BY c.node_id",
                          scope_path, out);
}

const app_fact_t assess_facts[ASSESS_N_FACTS] = {
    {"campaign_validated", N_("A validated self-assessment exists"), validated_eps},
};
