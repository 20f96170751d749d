/* account_internal.h - private to the account module. */
#ifndef JOUDA_ACCOUNT_INTERNAL_H
#define JOUDA_ACCOUNT_INTERNAL_H

#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "../users/users.h"
#include "account.h"

/* Handlers (account.c). */
void account_page_login(req_t *r);
void account_login(req_t *r);
void account_logout(req_t *r);
void account_page_profile(req_t *r);
void account_password(req_t *r);
void account_language(req_t *r);
void account_api_me(req_t *r);
void account_token_revoke_page(req_t *r);
void account_api_tokens(req_t *r);
void account_api_token_revoke(req_t *r);
/* Resolver of /.../tokens/{id}: a live token of the caller answers their
 * home node; anybody else's, or none, 0 (404). */
int64_t account_resolve_token(req_t *r, int64_t token_id);

#endif
