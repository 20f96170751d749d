/* access.c - authorization helpers for handlers: decide on a node, answer
 * 404/403, and filter list queries by the user's scope before paging. */
#include "app_internal.h"
#include "../org/org.h"

authz_result_t app_authorize(req_t *r, perm_t perm, int64_t node_id)
{
    if (!r->user)
        return AUTHZ_NOT_FOUND;
    int64_t *path = NULL;
    int n = 0;
    node_kind_t kind;
    if (node_id > 0 && node_id == r->node_id && r->node_path) {
        /* the route's own node: the pipeline has read its ancestry already */
        path = r->node_path;
        n = r->n_node_path;
    } else if (node_id <= 0 ||
               org_node_ancestry(r->db, r->arena, node_id, &path, &n, &kind) != 0) {
        return AUTHZ_NOT_FOUND;
    }
    return authz_decide(r->user->roles, r->user->n_roles, perm, path, n, now_utc());
}

bool app_require(req_t *r, perm_t perm, int64_t node_id)
{
    authz_result_t res = app_authorize(r, perm, node_id);
    if (res == AUTHZ_ALLOW)
        return true;
    if (res == AUTHZ_FORBIDDEN)
        respond_error(r, 403, "forbidden", N_("You are not allowed to do this."), NULL);
    else
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
    return false;
}

static bool role_live(const role_assignment_t *ra, int64_t now)
{
    return ra->expires_at == 0 || ra->expires_at > now;
}

void app_scope_sql(req_t *r, perm_t perm, const char *path_col, buf_t *sql, db_param_t *params,
                   int *nparams, int maxparams)
{
    int64_t now = now_utc();
    bool any = false;
    buf_puts(sql, "(");
    if (r->user) {
        for (int i = 0; i < r->user->n_roles; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            if (!role_live(ra, now) || !authz_role_grants(ra->role, ra->node_kind, perm))
                continue;
            if (*nparams >= maxparams)
                break;
            /* a node is in the subtree of X when X's id is a segment of its path */
            if (any)
                buf_puts(sql, " OR ");
            buf_printf(sql, "instr(%s, ?) > 0", path_col);
            params[(*nparams)++] = P_TEXT(arena_printf(r->arena, "/%lld/", (long long)ra->node_id));
            any = true;
        }
    }
    if (!any)
        buf_puts(sql, "1=0");
    buf_puts(sql, ")");
}

bool app_user_can_anywhere(req_t *r, perm_t perm)
{
    if (!r->user)
        return false;
    if (perm == PERM_PUBLIC || perm == PERM_AUTHENTICATED)
        return true;
    int64_t now = now_utc();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (role_live(ra, now) && authz_role_grants(ra->role, ra->node_kind, perm))
            return true;
    }
    return false;
}
