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

/* Throttling of password checks, shared by every handler that checks one
 * (account_throttle.c; the rules are in auth.h). */
/* Who is trying: key (users_throttle_key), uid (0 when the login matches no
 * account), the client's address and, when the browser holds a device cookie
 * valid for uid, its id (kept in device, >= DEVICE_ID_CHARS + 1 bytes). */
void account_throttle_who(req_t *r, const char *key, int64_t uid, throttle_who_t *who,
                          char *device, size_t device_len);
/* An attempt made wait seconds too early (nothing was checked): adds
 * Retry-After and returns how long to wait, in the request's language, for a
 * page answered 429 by its handler; on an API path it also sends the JSON
 * answer (429, code "too_many", "retry_after") and returns NULL. */
const char *account_too_early(req_t *r, int64_t wait);
/* A wrong password: counted; when failures on the account uid pile up, its
 * owner is notified and the log records it, once per burst. */
void account_failed(req_t *r, const throttle_who_t *who, int64_t uid);
/* A successful sign-in: clears who's failures and leaves a new device cookie. */
void account_signed_in(req_t *r, const throttle_who_t *who, int64_t uid);

#endif
