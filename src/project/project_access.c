/* project_access.c - who may read, contribute to, manage and direct a
 * projet d'établissement (the rules are stated in project_internal.h),
 * decided from the reader's live roles and the projet's EPS path before its
 * content is used. */
#include "project_internal.h"

#include <string.h>

static const role_t directors[] = {ROLE_DIRECTOR};
static const role_t managers[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT};
static const role_t workers[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_STAFF};

prj_access_t prj_access(req_t *r, const char *eps_path)
{
    if (!r->user || !eps_path)
        return PRJ_NONE;
    if (app_role_over(r, eps_path, directors, ARRAY_LEN(directors)))
        return PRJ_DIRECT;
    if (app_role_over(r, eps_path, managers, ARRAY_LEN(managers)))
        return PRJ_MANAGE;
    if (app_role_within(r, eps_path, workers, ARRAY_LEN(workers)))
        return PRJ_CONTRIBUTE;
    if (app_can_at_path(r, PERM_QUALITY_READ, eps_path))
        return PRJ_READ;
    return PRJ_NONE;
}

bool prj_may_write_section(req_t *r, const project_t *p, const prj_section_t *s)
{
    prj_access_t a = prj_access(r, p->node_path);
    return a == PRJ_DIRECT || (a >= PRJ_CONTRIBUTE && s->owner_id == r->user->id);
}

static const char *refusal(prj_access_t need)
{
    switch (need) {
    case PRJ_DIRECT:
        return N_("Only the director of the establishment may do this.");
    case PRJ_MANAGE:
        return N_("Only the director or the quality referent of the establishment may do this.");
    default:
        return N_("The people of the establishment contribute to its projet; you may read it.");
    }
}

project_t *prj_of_route(req_t *r, prj_access_t need)
{
    project_t *p = arena_alloc(r->arena, sizeof *p);
    prj_access_t got = prj_load(r->db, r->arena, r->ids[0], p) == 0 ? prj_access(r, p->node_path)
                                                                    : PRJ_NONE;
    if (got == PRJ_NONE) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    if (got < need) {
        app_fail(r, RES_FORBIDDEN, refusal(need), NULL);
        return NULL;
    }
    return p;
}

void prj_fail_frozen(req_t *r, const project_t *p)
{
    const char *msg = N_("This version of the projet is validated and can no longer change: "
                         "the director starts a new version to change it.");
    if (r->is_api) {
        json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "code", "conflict", "message",
                              T(r, msg), "status", prj_status_code(p->status), "new_version",
                              arena_printf(r->arena, "/api/v1/projects/%lld/versions",
                                           (long long)p->id));
        api_send(r, 409, o);
        return;
    }
    app_fail(r, RES_CONFLICT, msg, NULL);
}

static bool keep_managed_eps(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    (void)ctx;
    return kind == NODE_EPS && prj_access(r, app_path_text(r->arena, path, n)) >= PRJ_MANAGE;
}

json_t *prj_creatable_eps(req_t *r)
{
    return nodes_options(r, PERM_QUALITY_WRITE, 0, 0, keep_managed_eps, NULL);
}
