/* onb_access.c - the wizard's rule: who may open an EPS, and under which
 * association (onboard_internal.h explains why it is its own rule). */
#include "onboard_internal.h"

#include <string.h>

static const role_t onb_roles[] = {ROLE_ADMIN, ROLE_QUALITY_ADVISOR};

bool onb_may_use(req_t *r)
{
    if (!r->user)
        return false;
    int64_t now = now_utc();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (authz_role_live(a, now) && (a->role == ROLE_ADMIN || a->role == ROLE_QUALITY_ADVISOR) &&
            (a->node_kind == NODE_ROOT || a->node_kind == NODE_ASSOCIATION))
            return true;
    }
    return false;
}

int onb_check(req_t *r, int64_t id)
{
    (void)id;
    if (onb_may_use(r))
        return 0;
    r->deny_msgid = N_("Only an administrator or a quality advisor of an association opens a new "
                       "establishment.");
    return 403;
}

bool onb_may_at(req_t *r, const char *assoc_path)
{
    return r->user && assoc_path && *assoc_path &&
           app_role_over(r, assoc_path, onb_roles, ARRAY_LEN(onb_roles));
}

static bool keep_assoc(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    (void)ctx;
    return kind == NODE_ASSOCIATION && onb_may_at(r, app_path_text(r->arena, path, n));
}

json_t *onb_assoc_options(req_t *r, int64_t selected)
{
    return nodes_options(r, PERM_ORG_READ, NODES_OPT_HOMES, selected, keep_assoc, NULL);
}

res_t onb_assoc_check(req_t *r, json_t *errors, onb_plan_t *p)
{
    p->assoc_id = v_int(r, errors, "association_id", true, 1, INT64_MAX / 2, 0);
    v_required_message(errors, "association_id",
                       N_("Choose the association the establishment belongs to."));
    if (p->assoc_id <= 0)
        return RES_OK;
    if (nodes_load(r->db, r->arena, p->assoc_id, &p->assoc) != 0) {
        /* a forged id: as absent as one outside the reader's scope */
        p->assoc_id = 0;
        return RES_NOT_FOUND;
    }
    if (!onb_may_at(r, p->assoc.path)) {
        /* the pipeline's rule for a node named in the body: outside the
         * reader's scope as if absent, inside it a refusal */
        authz_result_t d = app_authorize(r, PERM_ORG_READ, p->assoc_id);
        p->assoc_id = 0;
        return d == AUTHZ_NOT_FOUND ? RES_NOT_FOUND : RES_FORBIDDEN;
    }
    if (p->assoc.kind != NODE_ASSOCIATION) {
        p->assoc_id = 0;
        v_error(errors, "association_id",
                N_("Choose an association: the establishment is opened under one."));
    } else if (!p->assoc.active) {
        p->assoc_id = 0;
        v_error(
            errors, "association_id",
            N_("This association is disabled: enable it before opening an establishment in it."));
    }
    return RES_OK;
}
