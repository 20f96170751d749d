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

/* --- Two-step verification (TOTP, RFC 6238: SHA-1, 6 digits, 30 s) ---------
 * Table user_totp (account migrations 60-69): the secret sealed at rest
 * (seal.h), confirmed once the first code is right, the last time step used
 * (a code is accepted once); user_totp_recovery: ten single-use recovery
 * codes, stored as keyed hashes. Enrolment: /profile/totp (QR code drawn as
 * SVG by libqrencode) or POST /api/v1/me/totp then /api/v1/me/totp/confirm.
 * Once confirmed, signing in asks for a code (or a recovery code) after the
 * password. Tokens made by `jouda token create` keep working. */

/* Has the user confirmed a TOTP enrolment? (one indexed read) */
bool account_totp_enrolled(db_t *db, int64_t user_id);
/* Must this reader set it up whatever the place (a live director or admin
 * role)? Modules holding personal data add their own rules (an EPS asking
 * it of its staff). */
bool account_totp_expected(req_t *r);
/* For an administrator on the server (`jouda user totp-reset`): remove a
 * confirmed enrolment and its recovery codes of someone who lost both,
 * audited "totp_disable" (actor 0). RES_OK, RES_CONFLICT when it was not
 * on, RES_ERROR. They set it up again at their next sign-in. */
res_t account_totp_reset(db_t *db, int64_t user_id);
/* Where enrolment happens (a page), for messages pointing to it. */
#define ACCOUNT_TOTP_PAGE "/profile/totp"

extern const module_t account_module;

#endif
