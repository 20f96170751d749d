/* road_access.c - who may change a roadmap, which establishment a route's
 * {id} names, where /roadmap leads each reader, and the words and links of
 * the steps in the reader's language. */
#include "road_internal.h"

#include <string.h>

static const role_t editors[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_ADMIN, ROLE_QUALITY_ADVISOR};

bool road_may_edit(req_t *r, const char *eps_path)
{
    return r->user && eps_path && app_role_over(r, eps_path, editors, ARRAY_LEN(editors));
}

node_t *road_eps_of_route(req_t *r)
{
    node_t *n = arena_alloc(r->arena, sizeof *n);
    if (nodes_load(r->db, r->arena, r->ids[0], n) != 0 || n->kind != NODE_EPS) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    return n;
}

int64_t road_default_scope(req_t *r, int64_t *eps)
{
    *eps = 0;
    if (!r->user)
        return 0;
    int64_t now = now_utc(), scope = 0;
    size_t scope_len = 0;
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || !authz_role_grants(a->role, a->node_kind, PERM_QUALITY_READ))
            continue;
        if (a->node_kind == NODE_ROOT || a->node_kind == NODE_ASSOCIATION) {
            size_t len = a->node_path ? strlen(a->node_path) : 0;
            if (!scope || len < scope_len) {
                scope = a->node_id;
                scope_len = len;
            }
        } else if (!*eps && a->node_kind == NODE_EPS) {
            *eps = a->node_id; /* a unit's staff read no EPS's quality work */
        }
    }
    return scope;
}

const char *road_step_label(req_t *r, int step)
{
    if (step < 0 || step >= ROAD_NSTEPS)
        return T(r, N_("road_step.complete"));
    return T(r, road_steps[step].label);
}

const char *road_fact_label(req_t *r, const char *fact)
{
    const app_fact_t *f = app_fact(fact);
    return f ? T(r, f->label) : "";
}

const char *road_day_text(req_t *r, const char *iso)
{
    if (!iso || strlen(iso) != 10)
        return iso ? iso : "";
    return arena_printf(r->arena, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

const char *road_how_href(req_t *r, int step, int64_t eps_id)
{
    if (step < 0 || step >= ROAD_NSTEPS)
        return arena_printf(r->arena, "/roadmap/%lld", (long long)eps_id);
    const char *h = road_steps[step].href;
    if (!h)
        return arena_printf(r->arena, "/roadmap/%lld#step-%s", (long long)eps_id, road_steps[step].code);
    const char *at = strstr(h, "{eps}");
    if (!at)
        return h;
    return arena_printf(r->arena, "%.*s%lld%s", (int)(at - h), h, (long long)eps_id, at + 5);
}
