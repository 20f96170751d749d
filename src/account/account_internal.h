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

#endif
