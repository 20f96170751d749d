/* authz.c - the authorization decision: which role, held at which kind of
 * node, gives which permission over that node's subtree; whether a node is in
 * a user's scope; who may grant which role where. Pure functions only: no I/O,
 * no globals besides constant tables, so they can be tested exhaustively. */
#include "authz.h"

#include <stddef.h>
#include <string.h>

#define BIT(p) (1u << (p))

/* Every permission (admin over its subtree). */
#define PERMS_ALL ((1u << PERM__COUNT) - 1u)

/* What a role gives when held at a node it fits. PERM_PUBLIC and
 * PERM_AUTHENTICATED are handled apart: everybody has them. */
static unsigned role_perms(role_t r)
{
    switch (r) {
    case ROLE_ADMIN:
        /* the platform or an association, but never the file of a child:
         * personal data are for those who accompany the person (need to know) */
        return PERMS_ALL & ~(BIT(PERM_PERSONAL_READ) | BIT(PERM_PERSONAL_WRITE));
    case ROLE_QUALITY_ADVISOR:
        /* quality work across a subtree: never personal data, never user or
         * organisation management, no audit log */
        return BIT(PERM_ORG_READ) | BIT(PERM_USER_READ) | BIT(PERM_QUALITY_READ) |
               BIT(PERM_QUALITY_WRITE) | BIT(PERM_ATTACH_READ);
    case ROLE_OBSERVER:
        return BIT(PERM_ORG_READ) | BIT(PERM_QUALITY_READ);
    case ROLE_DIRECTOR:
        return BIT(PERM_ORG_READ) | BIT(PERM_ORG_MANAGE) | BIT(PERM_USER_READ) |
               BIT(PERM_USER_MANAGE) | BIT(PERM_USER_RESET_PASSWORD) | BIT(PERM_AUDIT_READ) |
               BIT(PERM_ATTACH_READ) | BIT(PERM_ATTACH_WRITE) | BIT(PERM_QUALITY_READ) |
               BIT(PERM_QUALITY_WRITE) | BIT(PERM_PERSONAL_READ) | BIT(PERM_PERSONAL_WRITE);
    case ROLE_QUALITY_REFERENT:
        return BIT(PERM_ORG_READ) | BIT(PERM_USER_READ) | BIT(PERM_ATTACH_READ) |
               BIT(PERM_ATTACH_WRITE) | BIT(PERM_QUALITY_READ) | BIT(PERM_QUALITY_WRITE);
    case ROLE_STAFF:
        /* staff keep their own place's documents (a house's routines...) */
        return BIT(PERM_ORG_READ) | BIT(PERM_ATTACH_READ) | BIT(PERM_ATTACH_WRITE) |
               BIT(PERM_QUALITY_READ) |
               BIT(PERM_QUALITY_WRITE) | BIT(PERM_PERSONAL_READ) | BIT(PERM_PERSONAL_WRITE);
    case ROLE_INSPECTOR:
        /* read-only quality results; the expiry is checked by authz_decide */
        return BIT(PERM_ORG_READ) | BIT(PERM_QUALITY_READ);
    default:
        return 0;
    }
}

static bool role_valid(role_t r)
{
    return r > ROLE_NONE && r < ROLE__COUNT;
}

static bool kind_valid(node_kind_t k)
{
    return (int)k >= (int)NODE_ROOT && (int)k <= (int)NODE_UNIT;
}

static bool perm_everyone(perm_t p)
{
    return p == PERM_PUBLIC || p == PERM_AUTHENTICATED;
}

bool authz_role_fits_node(role_t r, node_kind_t k)
{
    if (!role_valid(r) || !kind_valid(k))
        return false;
    switch (r) {
    case ROLE_ADMIN:
    case ROLE_QUALITY_ADVISOR:
    case ROLE_OBSERVER:
        return k == NODE_ROOT || k == NODE_ASSOCIATION;
    case ROLE_DIRECTOR:
    case ROLE_QUALITY_REFERENT:
        return k == NODE_EPS;
    case ROLE_STAFF:
        return k == NODE_EPS || k == NODE_UNIT;
    case ROLE_INSPECTOR:
        return true;
    default:
        return false;
    }
}

bool authz_role_grants(role_t r, node_kind_t held_at, perm_t perm)
{
    if ((int)perm < 0 || perm >= PERM__COUNT)
        return false;
    if (perm_everyone(perm))
        return true;
    /* A role held where it does not fit (a director at a unit...) cannot be
     * created through the application; if one exists anyway it gives nothing. */
    if (!authz_role_fits_node(r, held_at))
        return false;
    return (role_perms(r) & BIT(perm)) != 0;
}

bool authz_role_live(const role_assignment_t *a, int64_t now)
{
    return a && role_valid(a->role) && (a->expires_at == 0 || a->expires_at > now);
}

/* Is the assignment's node the target or one of its ancestors? */
static bool assignment_covers(const role_assignment_t *a, const int64_t *path, int n_path)
{
    for (int i = 0; i < n_path; i++)
        if (path[i] == a->node_id)
            return true;
    return false;
}

authz_result_t authz_decide(const role_assignment_t *roles, int n_roles, perm_t perm,
                            const int64_t *target_path, int n_path, int64_t now)
{
    /* Everyone signed in has these; the pipeline checks authentication. */
    if (perm_everyone(perm))
        return AUTHZ_ALLOW;
    if (!target_path || n_path < 1 || !roles || n_roles < 1)
        return AUTHZ_NOT_FOUND;
    bool in_scope = false;
    for (int i = 0; i < n_roles; i++) {
        const role_assignment_t *a = &roles[i];
        if (!authz_role_live(a, now) || !assignment_covers(a, target_path, n_path))
            continue;
        in_scope = true;
        if (authz_role_grants(a->role, a->node_kind, perm))
            return AUTHZ_ALLOW;
    }
    return in_scope ? AUTHZ_FORBIDDEN : AUTHZ_NOT_FOUND;
}

/* Which roles a role may hand out (inside its own scope). */
static bool role_may_grant(role_t granter, role_t wanted)
{
    switch (granter) {
    case ROLE_ADMIN:
        return role_valid(wanted);
    case ROLE_DIRECTOR:
        return wanted == ROLE_QUALITY_REFERENT || wanted == ROLE_STAFF;
    default:
        return false;
    }
}

bool authz_can_grant(const role_assignment_t *roles, int n_roles, role_t wanted,
                     node_kind_t target_kind, const int64_t *target_path, int n_path, int64_t now)
{
    if (!roles || n_roles < 1 || !target_path || n_path < 1)
        return false;
    if (!authz_role_fits_node(wanted, target_kind))
        return false;
    for (int i = 0; i < n_roles; i++) {
        const role_assignment_t *a = &roles[i];
        if (!authz_role_live(a, now) || !authz_role_fits_node(a->role, a->node_kind))
            continue;
        /* The granter's node must be the target or above it: this is what
         * keeps an association admin from granting at the root, or a
         * director from granting in another EPS. */
        if (!assignment_covers(a, target_path, n_path))
            continue;
        if (role_may_grant(a->role, wanted))
            return true;
    }
    return false;
}

bool authz_may_grant_role(const role_assignment_t *roles, int n_roles, role_t wanted, int64_t now)
{
    for (int i = 0; roles && i < n_roles; i++)
        if (authz_role_live(&roles[i], now) &&
            authz_role_fits_node(roles[i].role, roles[i].node_kind) &&
            role_may_grant(roles[i].role, wanted))
            return true;
    return false;
}

static const char *const role_codes[ROLE__COUNT] = {
    [ROLE_NONE] = "",
    [ROLE_ADMIN] = "admin",
    [ROLE_QUALITY_ADVISOR] = "quality_advisor",
    [ROLE_OBSERVER] = "observer",
    [ROLE_DIRECTOR] = "director",
    [ROLE_QUALITY_REFERENT] = "quality_referent",
    [ROLE_STAFF] = "staff",
    [ROLE_INSPECTOR] = "inspector",
};

static const char *const kind_codes[] = {
    [NODE_ROOT] = "root",
    [NODE_ASSOCIATION] = "association",
    [NODE_EPS] = "eps",
    [NODE_UNIT] = "unit",
};

static const char *const perm_codes[PERM__COUNT] = {
    [PERM_PUBLIC] = "public",
    [PERM_AUTHENTICATED] = "authenticated",
    [PERM_ORG_READ] = "org.read",
    [PERM_ORG_MANAGE] = "org.manage",
    [PERM_USER_READ] = "user.read",
    [PERM_USER_MANAGE] = "user.manage",
    [PERM_USER_RESET_PASSWORD] = "user.reset_password",
    [PERM_AUDIT_READ] = "audit.read",
    [PERM_ATTACH_READ] = "attach.read",
    [PERM_ATTACH_WRITE] = "attach.write",
    [PERM_QUALITY_READ] = "quality.read",
    [PERM_QUALITY_WRITE] = "quality.write",
    [PERM_PERSONAL_READ] = "personal.read",
    [PERM_PERSONAL_WRITE] = "personal.write",
};

const char *role_code(role_t r)
{
    if (!role_valid(r))
        return "";
    return role_codes[r];
}

role_t role_from_code(const char *code)
{
    if (!code || !*code)
        return ROLE_NONE;
    for (int r = ROLE_NONE + 1; r < ROLE__COUNT; r++)
        if (strcmp(code, role_codes[r]) == 0)
            return (role_t)r;
    return ROLE_NONE;
}

const char *node_kind_code(node_kind_t k)
{
    if (!kind_valid(k))
        return "";
    return kind_codes[k];
}

int node_kind_from_code(const char *code)
{
    if (!code)
        return -1;
    for (size_t k = 0; k < sizeof kind_codes / sizeof kind_codes[0]; k++)
        if (strcmp(code, kind_codes[k]) == 0)
            return (int)k;
    return -1;
}

const char *perm_code(perm_t p)
{
    if ((int)p < 0 || p >= PERM__COUNT)
        return "";
    return perm_codes[p];
}
