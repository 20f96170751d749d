/* plan_facts.c - what the improvement plan's data prove about
 * establishments (app_fact_t): "plan_adopted", an EPS whose director has
 * adopted the plan at least once. The roadmap reads it, never the table. */
#include "plan_internal.h"

static int adopted_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    return app_fact_query(db, a,
                          "SELECT DISTINCT p.node_id FROM plan_adoptions p WHERE p.node_path >= ?"
                          " AND p.node_path < ? ORDER BY p.node_id",
                          scope_path, out);
}

const app_fact_t plan_facts[PLAN_N_FACTS] = {
    {"plan_adopted", N_("An adopted improvement plan exists"), adopted_eps},
};
