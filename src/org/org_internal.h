/* org_internal.h - private to the org module: handlers named by org_routes.c
 * and helpers shared by its files. */
#ifndef JOUDA_ORG_INTERNAL_H
#define JOUDA_ORG_INTERNAL_H

#include "../app/app.h"
#include "../audit/audit.h"
#include "../notify/notify.h"
#include "org.h"

/* org_home.c */
void org_page_home(req_t *r);
/* org_nodes.c (pages) and org_nodes_api.c */
void org_page_nodes(req_t *r);
void org_page_node_new(req_t *r);
void org_page_node_create(req_t *r);
void org_page_node_show(req_t *r);
void org_page_node_edit(req_t *r);
void org_page_node_update(req_t *r);
void org_page_node_disable(req_t *r);
void org_page_node_enable(req_t *r);
void org_api_nodes_list(req_t *r);
void org_api_node_create(req_t *r);
void org_api_node_get(req_t *r);
void org_api_node_patch(req_t *r);
/* org_users.c (pages) and org_users_api.c */
void org_page_users(req_t *r);
void org_page_user_new(req_t *r);
void org_page_user_create(req_t *r);
void org_page_user_show(req_t *r);
void org_page_user_update(req_t *r);
void org_page_user_disable(req_t *r);
void org_page_user_enable(req_t *r);
void org_page_role_grant(req_t *r);
void org_page_role_revoke(req_t *r);
void org_page_user_password(req_t *r);
void org_api_users_list(req_t *r);
void org_api_user_create(req_t *r);
void org_api_user_get(req_t *r);
void org_api_user_patch(req_t *r);

#endif
