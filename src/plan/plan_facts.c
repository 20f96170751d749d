/* plan_facts.c - what the improvement plan's data prove about
 * establishments (app_fact_t): "plan_adopted", an EPS whose director has
 * adopted the plan at least once. The roadmap reads it, never the table. */
#include "plan_internal.h"

static int adopted_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    db_res_t *res = db_query(db,
                             "SELECT DISTINCT p.node_id FROM plan_adoptions p WHERE p.node_path >= ?"
                             " AND p.node_path < ? ORDER BY p.node_id",
                             PARAMS(P_TEXT(scope_path), P_TEXT(app_path_upper(a, scope_path))));
    if (!res)
        return DB_ERR;
    while (db_next(res))
        *VEC_PUSH(a, out) = db_int(res, 0);
    int rc = db_res_status(res);
    db_res_free(res);
    return rc;
}

const app_fact_t plan_facts[PLAN_N_FACTS] = {
    {"plan_adopted", N_("An adopted improvement plan exists"), adopted_eps},
};
