/* account.h - signing in and out, my profile (password, language, my API
 * tokens), GET /api/v1/me and the caller's tokens. Uses auth (sessions,
 * passwords, throttling, tokens) and the users module (accounts). */
#ifndef JOUDA_ACCOUNT_H
#define JOUDA_ACCOUNT_H

#include "../app/app.h"

/* Revoke API token token_id of owner (of anybody when owner is 0) with its
 * audit row ("token_revoke", by actor; 0 for the command line), in one
 * transaction unless the caller's is open. RES_OK; RES_NOT_FOUND when there
 * is no such token (or it is someone else's); RES_CONFLICT when it is
 * revoked already; RES_ERROR. */
res_t account_token_revoke(db_t *db, int64_t actor, int64_t token_id, int64_t owner,
                           const char *ip);

extern const module_t account_module;

#endif
