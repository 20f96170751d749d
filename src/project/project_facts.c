/* project_facts.c - what the projets d'établissement prove about
 * establishments (app_fact_t), for the roadmap:
 *  - "project_validated": a projet validated, in force or expired (a
 *    validation happened);
 *  - "project_indicators": such a projet whose strategy has indicators
 *    with a target (what the establishment follows). */
#include "project_internal.h"

#define FROZEN_SQL "p.status IN ('validated','in_force','expired')"

static int validated_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    return app_fact_query(db, a,
                          "SELECT DISTINCT p.node_id FROM projects p WHERE p.node_path >= ? AND"
                          " p.node_path < ? AND " FROZEN_SQL " ORDER BY p.node_id",
                          scope_path, out);
}

static int indicators_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    return app_fact_query(db, a,
                          "SELECT DISTINCT p.node_id FROM projects p WHERE p.node_path >= ? AND"
                          " p.node_path < ? AND " FROZEN_SQL " AND EXISTS (SELECT 1 FROM project_objectives o"
                          " JOIN project_indicators i ON i.objective_id = o.id WHERE o.project_id = p.id"
                          " AND i.target <> '') ORDER BY p.node_id",
                          scope_path, out);
}

const app_fact_t prj_facts[PRJ_N_FACTS] = {
    {"project_validated", N_("A validated projet d'établissement exists"), validated_eps},
    {"project_indicators", N_("A validated projet has indicators with targets"), indicators_eps},
};
