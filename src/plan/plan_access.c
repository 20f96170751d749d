/* plan_access.c - who may read, work on and manage improvement actions
 * (the rules are stated in plan_internal.h). Decided from the reader's live
 * roles and the action's EPS path, before the action's content is used. */
#include "plan_internal.h"

#include <string.h>

bool plan_is_manager(req_t *r, const char *eps_path)
{
    static const role_t managers[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT};
    return app_role_over(r, eps_path, managers, ARRAY_LEN(managers));
}

bool plan_is_director(req_t *r, const char *eps_path)
{
    static const role_t directors[] = {ROLE_DIRECTOR};
    return app_role_over(r, eps_path, directors, ARRAY_LEN(directors));
}

/* A live director, quality referent or staff role at the EPS or one of its
 * units: the people who may own or contribute to its actions. */
bool plan_works_at(req_t *r, const char *eps_path)
{
    static const role_t workers[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_STAFF};
    return app_role_within(r, eps_path, workers, ARRAY_LEN(workers));
}

act_access_t act_access(req_t *r, const action_t *act)
{
    if (!r->user)
        return ACCESS_NONE;
    if (plan_is_manager(r, act->node_path))
        return ACCESS_MANAGE;
    bool involved = act->owner_id == r->user->id || act_is_contributor(r->db, act->id, r->user->id);
    if (involved && plan_works_at(r, act->node_path))
        return ACCESS_WORK;
    if (app_can_at_path(r, PERM_QUALITY_READ, act->node_path))
        return ACCESS_READ;
    return ACCESS_NONE;
}

action_t *plan_route_action(req_t *r, act_access_t need)
{
    action_t *a = arena_alloc(r->arena, sizeof *a);
    act_access_t got = act_load(r->db, r->arena, r->ids[0], a) == 0 ? act_access(r, a) : ACCESS_NONE;
    if (got == ACCESS_NONE) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    if (got < need) {
        app_fail(r, RES_FORBIDDEN,
                 need == ACCESS_MANAGE
                     ? N_("Only the director or the quality referent of the establishment may do "
                          "this.")
                     : N_("You may read this action; its owner, its contributors, the director and "
                          "the quality referent change it."),
                 NULL);
        return NULL;
    }
    return a;
}

/* Establishments where the reader works (and so may create or propose
 * actions). */
static bool keep_work_eps(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    (void)ctx;
    return kind == NODE_EPS && plan_works_at(r, app_path_text(r->arena, path, n));
}

json_t *plan_creatable_eps(req_t *r)
{
    return nodes_options(r, PERM_QUALITY_WRITE, 0, 0, keep_work_eps, NULL);
}
