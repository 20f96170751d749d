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

/* --- Two-step verification (TOTP, RFC 6238) ------------------------------ */

/* The pure parts (account_totp.c; no I/O; tests/unit/test_totp.c). */
#define TOTP_ISSUER "Jouda"
#define TOTP_SECRET_BYTES 20      /* 160 bits, as RFC 4226 recommends */
#define TOTP_SECRET_B32_MAX 64    /* its base32 form (32 characters), with room */
#define TOTP_DIGITS 6
#define TOTP_PERIOD 30            /* seconds of a step */
#define TOTP_WINDOW 1             /* steps accepted either side of now's */
#define TOTP_QR_QUIET 4           /* modules of white margin around the QR code */
#define TOTP_QR_PIXELS 4          /* its intrinsic size: pixels per module */
#define TOTP_RECOVERY_COUNT 10
#define TOTP_RECOVERY_SYMBOLS 10  /* 50 random bits each */
#define TOTP_RECOVERY_CHARS 12    /* "xxxx-xxxx-xx" */
#define TOTP_CHALLENGE_SECONDS 300 /* the second step of a sign-in must come within */
#define TOTP_CHALLENGE_ATTEMPTS 5  /* wrong codes before the password is asked again */
/* What totp_verify answers when it refuses a code (an accepted one is its step, >= 0). */
#define TOTP_WRONG (-1)   /* malformed, or no step of the window has this code */
#define TOTP_REPLAY (-2)  /* right, but its step was accepted already */

/* A new random secret. */
void totp_secret_new(unsigned char out[TOTP_SECRET_BYTES]);
/* Its base32 form (RFC 4648, upper case, no padding), in the arena; NULL on failure. */
const char *totp_base32(arena_t *a, const unsigned char *bin, size_t len);
/* Back to bytes (at most cap): 0 with *len, or -1. */
int totp_base32_decode(const char *text, unsigned char *out, size_t cap, size_t *len);
/* "otpauth://totp/Jouda:<login>?secret=...&issuer=Jouda&algorithm=SHA1&digits=6&period=30",
 * the login percent-encoded (RFC 3986 unreserved characters kept), in the arena. */
const char *totp_uri(arena_t *a, const char *login, const char *secret_b32);
/* Exactly TOTP_DIGITS ASCII digits, nothing else (no space). */
bool totp_code_well_formed(const char *code);
/* The step of a time (UTC seconds). */
int64_t totp_step_of(int64_t now);
/* The code of the step of now into out. 0 or -1. */
int totp_code_at(const unsigned char *secret, size_t len, int64_t now, char out[TOTP_DIGITS + 1]);
/* Is code right at now, within TOTP_WINDOW steps either side, and of a
 * step after last_step (a step is accepted once; -1: none accepted yet)?
 * Its step (>= 0) when accepted, else TOTP_WRONG or TOTP_REPLAY. */
int64_t totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now,
                    int64_t last_step);
/* text as a QR code (error correction level M) in one SVG element: a white
 * square with a quiet zone of TOTP_QR_QUIET modules and one black <path> of
 * the dark modules, role="img" with label (escaped) as its aria-label. In
 * the arena; NULL when text is empty or too long for a QR code. */
const char *totp_qr_svg(arena_t *a, const char *text, const char *label);
/* A new recovery code "xxxx-xxxx-xx" (Crockford's base32, lower case). */
void totp_recovery_new(char out[TOTP_RECOVERY_CHARS + 1]);
/* A typed recovery code in its stored form: case, spaces and hyphens do not
 * matter, o reads 0 and i or l read 1; NULL unless it has the right number
 * of symbols of the alphabet. In the arena. */
const char *totp_recovery_normalise(arena_t *a, const char *typed);

/* Tables user_totp, user_totp_recovery, login_challenges (account_totp_store.c). */
typedef enum { TOTP_NONE = 0, TOTP_PENDING, TOTP_ON } totp_state_t;
/* The state of the user's enrolment; *since: when it was confirmed (or started). */
totp_state_t totp_state(db_t *db, int64_t uid, int64_t *since);
/* The secret (base32, opened) of the user's enrolment, pending or confirmed,
 * in the arena; NULL when there is none or it cannot be opened. */
const char *totp_secret_of(db_t *db, arena_t *a, int64_t uid);
/* Start an enrolment (or start it again): a new secret, sealed, audited
 * "totp_start" (never the secret). RES_OK with *secret_b32 in the arena;
 * RES_CONFLICT when an enrolment is confirmed; RES_ERROR (no key: see
 * seal_ready). */
res_t totp_start(db_t *db, arena_t *a, int64_t uid, const char *ip, const char **secret_b32);
/* Confirm the pending enrolment with a code: RES_OK and TOTP_RECOVERY_COUNT
 * new recovery codes in codes (arena strings, shown once), audited
 * "totp_enable"; RES_INVALID for a wrong or malformed code (nothing
 * changes); RES_CONFLICT when nothing is pending (none, or confirmed). */
res_t totp_confirm(db_t *db, arena_t *a, int64_t uid, const char *code, const char *ip,
                   const char **codes);
/* How a code typed for a confirmed enrolment was taken. */
typedef enum {
    TOTP_CHECK_OK = 0,    /* a right code of the app (its step now used) */
    TOTP_CHECK_RECOVERY,  /* an unused recovery code (now used, audited "totp_recovery_used") */
    TOTP_CHECK_WRONG,
    TOTP_CHECK_REPLAY,    /* the app's code of a step used already */
    TOTP_CHECK_ERROR,
} totp_check_t;
/* Check a code (6 digits, or a recovery code when recovery is set) of the
 * user's confirmed enrolment and use it up (a recovery code's use is
 * audited, by the user, from ip). */
totp_check_t totp_check(db_t *db, arena_t *a, int64_t uid, const char *typed, bool recovery,
                        const char *ip);
/* Unused recovery codes left. */
int64_t totp_recovery_left(db_t *db, int64_t uid);
/* New recovery codes (the old ones end), audited "totp_recovery_renew". */
res_t totp_recovery_renew(db_t *db, arena_t *a, int64_t uid, const char *ip, const char **codes);
/* Turn it off (enrolment and recovery codes removed), audited "totp_disable". */
res_t totp_disable(db_t *db, int64_t uid, const char *ip);
/* The second step of a sign-in: a challenge whose random token (into out,
 * >= TOKEN_CHARS + 1) goes into the form; only its keyed hash is stored,
 * with the user, where to go next and its expiry. 0 or -1. */
int totp_challenge_create(db_t *db, int64_t uid, const char *next, char *out, size_t outlen);
/* 0 with *uid, *next (arena), *attempts for a live challenge; -1 when there
 * is no such challenge; -2 when it has expired (then removed). */
int totp_challenge_get(db_t *db, arena_t *a, const char *token, int64_t *uid, const char **next,
                       int64_t *attempts);
/* A wrong code: the attempts made with the challenge now (-1 on error). */
int64_t totp_challenge_failed(db_t *db, const char *token);
void totp_challenge_delete(db_t *db, const char *token);

/* Handlers (account_totp_pages.c; the second step of signing in is in account.c). */
void account_page_totp(req_t *r);
void account_totp_start_page(req_t *r);
void account_totp_qr(req_t *r);
void account_totp_confirm_page(req_t *r);
void account_totp_recovery_page(req_t *r);
void account_totp_off_page(req_t *r);
void account_api_totp_start(req_t *r);
void account_api_totp_confirm(req_t *r);
void account_login_code(req_t *r);
void account_login_code_get(req_t *r);
/* A code typed in a page's field: trimmed, and without its spaces when what
 * is left is the app's 6 digits ("123 456" as apps show it). */
const char *account_typed_code(req_t *r, const char *field);
/* The home section asking readers who must have it to set it up. */
void account_home(req_t *r, json_t *sections);

#endif
