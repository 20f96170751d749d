/* org_routes.c - every route of the organisation module, in one table:
 * method, pattern, permission, how {id} resolves to a node, handler, flags.
 * The pipeline authorizes from this table before a handler runs. Routes that
 * create below a node named in the body (parent_id) check it in the handler. */
#include "org_internal.h"

const route_t org_routes[] = {
    /* pages */
    {"GET", "/", PERM_AUTHENTICATED, NULL, org_page_home, 0},
    {"GET", "/admin/nodes", PERM_ORG_READ, NULL, org_page_nodes, 0},
    {"GET", "/admin/nodes/new", PERM_AUTHENTICATED, NULL, org_page_node_new, 0},
    {"POST", "/admin/nodes", PERM_AUTHENTICATED, NULL, org_page_node_create, ROUTE_FORM},
    {"GET", "/admin/nodes/{id}", PERM_ORG_READ, org_resolve_node, org_page_node_show, 0},
    {"GET", "/admin/nodes/{id}/edit", PERM_ORG_MANAGE, org_resolve_node, org_page_node_edit, 0},
    {"POST", "/admin/nodes/{id}", PERM_ORG_MANAGE, org_resolve_node, org_page_node_update, ROUTE_FORM},
    {"POST", "/admin/nodes/{id}/disable", PERM_ORG_MANAGE, org_resolve_node, org_page_node_disable, ROUTE_FORM},
    {"POST", "/admin/nodes/{id}/enable", PERM_ORG_MANAGE, org_resolve_node, org_page_node_enable, ROUTE_FORM},

    {"GET", "/admin/users", PERM_USER_READ, NULL, org_page_users, 0},
    {"GET", "/admin/users/new", PERM_USER_MANAGE, NULL, org_page_user_new, 0},
    {"POST", "/admin/users", PERM_USER_MANAGE, NULL, org_page_user_create, ROUTE_FORM | ROUTE_SLOW},
    {"GET", "/admin/users/{id}", PERM_USER_READ, org_resolve_user, org_page_user_show, 0},
    {"POST", "/admin/users/{id}", PERM_USER_MANAGE, org_resolve_user, org_page_user_update, ROUTE_FORM},
    {"POST", "/admin/users/{id}/disable", PERM_USER_MANAGE, org_resolve_user, org_page_user_disable, ROUTE_FORM},
    {"POST", "/admin/users/{id}/enable", PERM_USER_MANAGE, org_resolve_user, org_page_user_enable, ROUTE_FORM},
    {"POST", "/admin/users/{id}/roles", PERM_USER_MANAGE, org_resolve_user, org_page_role_grant, ROUTE_FORM},
    {"POST", "/admin/users/{id}/roles/{id2}/delete", PERM_USER_MANAGE, org_resolve_user, org_page_role_revoke, ROUTE_FORM},
    {"POST", "/admin/users/{id}/password", PERM_USER_RESET_PASSWORD, org_resolve_user, org_page_user_password, ROUTE_FORM | ROUTE_SLOW},

    /* JSON API */
    {"GET", "/api/v1/nodes", PERM_ORG_READ, NULL, org_api_nodes_list, 0},
    {"POST", "/api/v1/nodes", PERM_AUTHENTICATED, NULL, org_api_node_create, ROUTE_JSON},
    {"GET", "/api/v1/nodes/{id}", PERM_ORG_READ, org_resolve_node, org_api_node_get, 0},
    {"PATCH", "/api/v1/nodes/{id}", PERM_ORG_MANAGE, org_resolve_node, org_api_node_patch, ROUTE_JSON},

    {"GET", "/api/v1/users", PERM_USER_READ, NULL, org_api_users_list, 0},
    {"POST", "/api/v1/users", PERM_USER_MANAGE, NULL, org_api_user_create, ROUTE_JSON | ROUTE_SLOW},
    {"GET", "/api/v1/users/{id}", PERM_USER_READ, org_resolve_user, org_api_user_get, 0},
    {"PATCH", "/api/v1/users/{id}", PERM_USER_MANAGE, org_resolve_user, org_api_user_patch, ROUTE_JSON | ROUTE_SLOW},
};
const size_t org_routes_count = ARRAY_LEN(org_routes);
