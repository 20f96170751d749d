/* health.c - GET /healthz: is the process up and its database reachable. */
#include "app_internal.h"

static void health_get(req_t *r)
{
    int64_t one = r->db ? db_query_int(r->db, "SELECT 1", NOPARAMS, 0) : 0;
    json_t *o = json_pack("{s:s, s:s, s:s}", "status", one == 1 ? "ok" : "error", "db",
                          r->db ? db_kind_name(r->db) : "none", "version", JOUDA_VERSION);
    api_send(r, one == 1 ? 200 : 503, o);
}

const route_t app_routes[] = {
    {"GET", "/healthz", PERM_PUBLIC, NULL, health_get, 0},
};
const size_t app_routes_count = ARRAY_LEN(app_routes);
