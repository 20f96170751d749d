/* users_facts.c - what the accounts prove about establishments
 * (app_fact_t): "quality_referent_named", an EPS where an active account
 * holds a live quality referent role. Below the root, the roles of the scope
 * are read on the path index; for the whole country, the referents' roles
 * are read on the index on (role, kind) and their paths checked (the path
 * and the id as expressions, so that neither the path index, which would
 * read every role of the country, nor the node index is chosen instead).
 * The answer is kept in the process's cache while no account or role
 * changes (data_version). */
#include "users_internal.h"

#include <string.h>

#define REFERENT_WHERE                                                                             \
    " AND ur.role = 'quality_referent' AND ur.node_kind = 'eps' AND u.active = 1 AND " ROLE_LIVE_SQL

static int referent_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    /* accounts and roles raise data_version at every write (users_module.c,
     * version 18): an answer stays true while it does not change */
    int64_t version = app_data_version(db);
    const char *key = arena_printf(a, "users:referents:%s", scope_path);
    json_t *hit = app_cache_get(key, version);
    if (hit) {
        size_t i;
        json_t *v;
        json_array_foreach(hit, i, v) *VEC_PUSH(a, out) = json_integer_value(v);
        json_decref(hit);
        return DB_OK;
    }
    int depth = 0;
    for (const char *p = scope_path; p && *p; p++)
        depth += *p == '/';
    const char *sql = depth <= 2 /* "/1/": the root */
                          ? "SELECT DISTINCT ur.node_id + 0 AS eps FROM user_roles ur JOIN users u"
                            " ON u.id = ur.user_id WHERE ur.node_path || '' >= ? AND ur.node_path || '' < ?"
                            REFERENT_WHERE " ORDER BY eps"
                          : "SELECT DISTINCT ur.node_id AS eps FROM user_roles ur JOIN users u"
                            " ON u.id = ur.user_id WHERE ur.node_path >= ? AND ur.node_path < ?"
                            REFERENT_WHERE " ORDER BY eps";
    db_res_t *res = db_query(db, sql, PARAMS(P_TEXT(scope_path), P_TEXT(app_path_upper(a, scope_path)),
                                             P_INT(now_utc())));
    if (!res)
        return DB_ERR;
    size_t first = out->n;
    while (db_next(res))
        *VEC_PUSH(a, out) = db_int(res, 0);
    int rc = db_res_status(res);
    db_res_free(res);
    if (rc == DB_OK) {
        json_t *ids = json_array();
        for (size_t i = first; i < out->n; i++)
            json_array_append_new(ids, json_integer(out->v[i]));
        app_cache_put(key, version, now_utc() + APP_CACHE_MAX_S, ids);
        json_decref(ids);
    }
    return rc;
}

const app_fact_t users_facts[USERS_N_FACTS] = {
    {"quality_referent_named", N_("A quality referent is named"), referent_eps},
};
