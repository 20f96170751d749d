/* authz.h - who may do what where. One pure function decides, from the role
 * assignments of a user, a permission and the ancestry of the node concerned.
 * The router calls it before any handler reads data. */
#ifndef JOUDA_AUTHZ_H
#define JOUDA_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    ROLE_NONE = 0,
    ROLE_ADMIN,           /* at the root: whole platform; at an association: that association */
    ROLE_QUALITY_ADVISOR, /* quality modules of its subtree, never personal data */
    ROLE_OBSERVER,        /* read-only consolidated results, never personal data */
    ROLE_DIRECTOR,        /* an EPS */
    ROLE_QUALITY_REFERENT,/* an EPS */
    ROLE_STAFF,           /* an EPS or a unit */
    ROLE_INSPECTOR,       /* read-only quality results until an expiry date */
    ROLE__COUNT
} role_t;

typedef enum {
    PERM_PUBLIC = 0,      /* no authentication needed */
    PERM_AUTHENTICATED,   /* any signed-in user; the handler works on its own data */
    PERM_ORG_READ,        /* see a node and its subtree (names, counts, details) */
    PERM_ORG_MANAGE,      /* create/edit/disable nodes below this node */
    PERM_USER_READ,       /* list users of a node (names, roles) */
    PERM_USER_MANAGE,     /* create/edit/disable users, assign roles at this node */
    PERM_USER_RESET_PASSWORD, /* reset the password of staff at this node */
    PERM_AUDIT_READ,      /* read the audit log of this subtree */
    PERM_ATTACH_READ,     /* download documents attached to this node */
    PERM_ATTACH_WRITE,    /* upload documents to this node */
    PERM_QUALITY_READ,    /* quality results (later modules) */
    PERM_QUALITY_WRITE,   /* contribute to the quality modules */
    PERM_PERSONAL_READ,   /* personal data of supported people (later modules) */
    PERM_PERSONAL_WRITE,
    PERM__COUNT
} perm_t;

typedef enum {
    NODE_ROOT = 0,
    NODE_ASSOCIATION,
    NODE_EPS,
    NODE_UNIT,
} node_kind_t;

/* One role given to a user at a node. expires_at: 0 = never (inspectors
 * have one). node_path: the node's ancestry as stored ("/1/4/9/"), which
 * list queries turn into a range of paths; NULL where nobody needs it. */
typedef struct {
    int64_t id;
    role_t role;
    int64_t node_id;
    node_kind_t node_kind;
    int64_t expires_at;
    const char *node_path;
} role_assignment_t;

typedef enum {
    AUTHZ_ALLOW = 0,
    AUTHZ_NOT_FOUND = 404, /* the node is outside every scope of the user */
    AUTHZ_FORBIDDEN = 403, /* in scope but the roles there do not give the permission */
} authz_result_t;

/* The decision. target_path: the node's ancestry, root first, target last
 * (n_path >= 1). A node is in a user's scope when one of their live
 * assignments is at the node or at one of its ancestors. Expired assignments
 * count for nothing. now: current UTC seconds. Pure: no I/O, no globals. */
authz_result_t authz_decide(const role_assignment_t *roles, int n_roles, perm_t perm,
                            const int64_t *target_path, int n_path, int64_t now);

/* Does the assignment count now? (a valid role, not expired) The one rule of
 * live roles, used by every reader of roles. */
bool authz_role_live(const role_assignment_t *a, int64_t now);

/* Does role r, held at a node of kind k, give perm over its subtree? (the matrix) */
bool authz_role_grants(role_t r, node_kind_t held_at, perm_t perm);

/* May someone holding `roles` give role `wanted` at the node whose ancestry is
 * target_path (kind target_kind)? Nobody grants above their own scope; only
 * admins grant admin, advisor, observer and inspector roles; directors grant
 * quality_referent and staff inside their EPS. Also checks that the role fits
 * the node kind (director at an EPS, staff at an EPS or unit...). */
bool authz_can_grant(const role_assignment_t *roles, int n_roles, role_t wanted,
                     node_kind_t target_kind, const int64_t *target_path, int n_path, int64_t now);

/* May someone holding `roles` give role `wanted` somewhere at all (whatever
 * the node)? (a director never gives admin: a refusal, not a misfit) */
bool authz_may_grant_role(const role_assignment_t *roles, int n_roles, role_t wanted, int64_t now);

/* Whether the role fits a node kind at all. */
bool authz_role_fits_node(role_t r, node_kind_t k);

/* Names used in the database, the API and the catalogues ("admin", "eps"...). */
const char *role_code(role_t r);
role_t role_from_code(const char *code); /* ROLE_NONE when unknown */
const char *node_kind_code(node_kind_t k);
int node_kind_from_code(const char *code); /* -1 when unknown */
const char *perm_code(perm_t p);

#endif
