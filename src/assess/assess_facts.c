/* assess_facts.c - what the self-assessment data prove about establishments
 * (app_fact_t): "campaign_validated", an EPS with a validated campaign. The
 * roadmap marks its step "self-assessment done" from it without reading the
 * campaigns table. */
#include "assess_internal.h"

static int validated_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    db_res_t *res = db_query(db,
                             "SELECT DISTINCT c.node_id FROM campaigns c WHERE c.node_path >= ?"
                             " AND c.node_path < ? AND c.status = 'validated' ORDER BY c.node_id",
                             PARAMS(P_TEXT(scope_path), P_TEXT(app_path_upper(a, scope_path))));
    if (!res)
        return DB_ERR;
    while (db_next(res))
        *VEC_PUSH(a, out) = db_int(res, 0);
    int rc = db_res_status(res);
    db_res_free(res);
    return rc;
}

const app_fact_t assess_facts[ASSESS_N_FACTS] = {
    {"campaign_validated", N_("A validated self-assessment exists"), validated_eps},
};
