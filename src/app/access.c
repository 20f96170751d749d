/* access.c - authorization helpers for handlers: decide on a node, answer
 * 404/403, and filter list queries by the user's scope before paging.
 *
 * A node's path ("/1/4/9/") names its ancestry, so a subtree is a range of
 * paths: "/1/4/" up to "/1/40" excluded ('0' is the byte after '/'). On an
 * indexed path column both engines read such a range from the index (on
 * PostgreSQL the column is declared COLLATE "C" so that the order is the
 * bytes' order), and the statement's text does not depend on the values,
 * so it stays prepared. */
#include "app_internal.h"

#include <string.h>

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
    } else if (node_id <= 0 || !g_hooks.ancestry ||
               g_hooks.ancestry(r->db, r->arena, node_id, &path, &n, &kind) != 0) {
        return AUTHZ_NOT_FOUND;
    }
    return authz_decide(r->user->roles, r->user->n_roles, perm, path, n, now_utc());
}

bool app_require(req_t *r, perm_t perm, int64_t node_id)
{
    authz_result_t res = app_authorize(r, perm, node_id);
    if (res == AUTHZ_ALLOW)
        return true;
    app_fail(r, res == AUTHZ_FORBIDDEN ? RES_FORBIDDEN : RES_NOT_FOUND, NULL, NULL);
    return false;
}

bool app_can_at_path(req_t *r, perm_t perm, const char *path)
{
    if (!r->user || !path || path[0] != '/')
        return false;
    int64_t ids[32];
    int n = 0;
    const char *p = path + 1;
    while (*p && n < (int)ARRAY_LEN(ids)) {
        const char *end;
        if (!id_parse(p, &end, &ids[n]) || *end != '/')
            return false;
        n++;
        p = end + 1;
    }
    if (*p || n == 0)
        return false;
    return authz_decide(r->user->roles, r->user->n_roles, perm, ids, n, now_utc()) == AUTHZ_ALLOW;
}

const char *app_path_upper(arena_t *a, const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || path[n - 1] != '/')
        return "";
    char *hi = arena_strdup(a, path);
    hi[n - 1] = '0';
    return hi;
}

void app_scope_sql(req_t *r, perm_t perm, const char *path_col, buf_t *sql, db_param_t *params,
                   int *nparams, int maxparams)
{
    int64_t now = now_utc();
    bool any = false;
    /* a role at the root that grants perm: the whole platform, no filter
     * (the planner is then free to read in the order the page asks for) */
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (ra->node_kind == NODE_ROOT && ra->node_path && *ra->node_path &&
            authz_role_live(ra, now) && authz_role_grants(ra->role, ra->node_kind, perm)) {
            buf_puts(sql, "(1=1)");
            return;
        }
    }
    buf_puts(sql, "(");
    if (r->user) {
        for (int i = 0; i < r->user->n_roles; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            if (!authz_role_live(ra, now) || !authz_role_grants(ra->role, ra->node_kind, perm) ||
                !ra->node_path || !*ra->node_path)
                continue;
            if (*nparams + 2 > maxparams)
                break;
            if (any)
                buf_puts(sql, " OR ");
            buf_printf(sql, "(%s >= ? AND %s < ?)", path_col, path_col);
            params[(*nparams)++] = P_TEXT(ra->node_path);
            params[(*nparams)++] = P_TEXT(app_path_upper(r->arena, ra->node_path));
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
        if (authz_role_live(ra, now) && authz_role_grants(ra->role, ra->node_kind, perm))
            return true;
    }
    return false;
}

/* Is path at or below ancestor (stored paths "/1/4/")? */
static bool path_within(const char *path, const char *ancestor)
{
    return path && ancestor && *ancestor && strncmp(path, ancestor, strlen(ancestor)) == 0;
}

static bool role_where(req_t *r, const char *path, const role_t *roles, size_t n, bool below)
{
    int64_t now = now_utc();
    for (int i = 0; r->user && path && i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || !a->node_path)
            continue;
        if (!(below ? path_within(a->node_path, path) : path_within(path, a->node_path)))
            continue;
        for (size_t k = 0; k < n; k++)
            if (a->role == roles[k])
                return true;
    }
    return false;
}

bool app_role_over(req_t *r, const char *path, const role_t *roles, size_t n)
{
    return role_where(r, path, roles, n, false);
}

bool app_role_within(req_t *r, const char *path, const role_t *roles, size_t n)
{
    return role_where(r, path, roles, n, true);
}
