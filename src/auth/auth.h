/* auth.h - authentication: passwords (Argon2id), sessions stored hashed in
 * the database, CSRF tokens, API bearer tokens, login throttling.
 * Tables (created by the auth migration in auth_migrations.c): sessions,
 * api_tokens, login_failures. Users themselves belong to the org module. */
#ifndef JOUDA_AUTH_H
#define JOUDA_AUTH_H

#include "../db/db.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Must be called once before any other auth_ function (sodium_init, key). */
int auth_init(void);
/* The server key for keyed hashes (sessions, tokens), 32 bytes, kept in the
 * settings table (created on first use). */
int auth_load_server_key(db_t *db);

/* --- Passwords: Argon2id (crypto_pwhash, m = 19 MiB, t = 2, p = 1). At most
 * two hashes run at once (a semaphore); callers should be in the worker pool. */
#define PASSWORD_MIN 10
#define PASSWORD_MAX 128
/* out: crypto_pwhash_STRBYTES (128) bytes. 0 or -1. */
int password_hash(const char *password, char *out, size_t outlen);
bool password_verify(const char *hash, const char *password);
/* NULL when acceptable, else a msgid explaining why (length). */
const char *password_problem(const char *password);
/* password_verify(NULL, pw) checks pw against a fixed dummy hash and returns
 * false: call it when the login is unknown so that the answer takes as long as
 * for a known login with a wrong password. */
/* For tests: the highest number of hashes/verifications seen running at once
 * since start-up or the last reset. */
int password_max_concurrency_seen(void);
void password_concurrency_reset(void);

/* --- Random tokens and keyed hashes */
/* 32 random bytes as 43 chars of base64url (no padding) into out (>= 44). */
void token_random(char *out, size_t outlen);
/* Hex of crypto_generichash(token, server key): 64 chars + NUL into out (>= 65).
 * The server key must have been loaded (auth_load_server_key): aborts otherwise. */
void token_keyed_hash(const char *token, char *out, size_t outlen);
#define TOKEN_CHARS 43
/* Exactly TOKEN_CHARS characters of the base64url alphabet (cheap check
 * before any lookup). */
bool token_well_formed(const char *s);

/* --- Sessions (table sessions: id_hash PK, user_id, csrf_secret, created_at,
 * last_seen_at, ip). Idle expiry 2 h, absolute 12 h. */
#define SESSION_COOKIE "jouda_session"
#define SESSION_IDLE_SECONDS (2 * 3600)
#define SESSION_ABSOLUTE_SECONDS (12 * 3600)
/* Create a session for user_id; writes the cookie value (token) into token_out
 * (>= 44 bytes) and its hash into hash_out (>= 65). Deletes the session in
 * old_hash when given (a new id at login). 0 or -1. */
int session_create(db_t *db, int64_t user_id, const char *ip, const char *old_hash,
                   char *token_out, size_t token_len, char *hash_out, size_t hash_len);
/* Look the cookie up; on success fills user_id, the csrf secret (>= 44) and the
 * hash (>= 65), refreshes last_seen_at (at most once a minute) and returns 0.
 * -1 when unknown or expired (expired rows are deleted). */
int session_lookup(db_t *db, const char *token, int64_t *user_id, char *csrf_out, size_t csrf_len,
                   char *hash_out, size_t hash_len);
int session_delete(db_t *db, const char *hash);
int session_delete_user(db_t *db, int64_t user_id); /* on disable / password change */
int session_purge_expired(db_t *db);

/* --- CSRF: a per-session secret; every response carries a freshly masked
 * token (mask || mask XOR secret, base64url) so gzip cannot leak it. */
#define CSRF_FIELD "_csrf"
#define CSRF_HEADER "X-CSRF-Token"
#define CSRF_PRE_COOKIE "jouda_csrf" /* secret for the login form, before a session */
/* out >= 96 bytes */
void csrf_mask(const char *secret, char *out, size_t outlen);
bool csrf_check(const char *secret, const char *masked_token);

/* --- API bearer tokens (table api_tokens: id, user_id, token_hash unique,
 * label, created_at, expires_at, last_used_at, revoked). Looked up by keyed
 * hash. A token is live while it is not revoked and now < expires_at; an
 * expired or revoked token answers like an unknown one. Revoking is for
 * good: nothing makes a token live again. */
#define API_TOKEN_PREFIX "jouda_" /* then TOKEN_CHARS random characters */
#define API_TOKEN_DAYS_DEFAULT 90
#define API_TOKEN_DAYS_MAX 365
#define API_TOKEN_LABEL_MAX 100 /* bytes */
/* last_used_at is written at most this often per token (not on every request) */
#define API_TOKEN_TOUCH_SECONDS 60
/* Creates a token for the user, valid until expires_at (UTC seconds; 0: in
 * API_TOKEN_DAYS_DEFAULT days; otherwise it must lie in the future and at
 * most API_TOKEN_DAYS_MAX days ahead). Writes it (shown once) to out (>= 64
 * bytes). 0 or -1. */
int api_token_create(db_t *db, int64_t user_id, const char *label, int64_t expires_at, char *out,
                     size_t outlen, int64_t *token_id);
/* 0 and user_id when the token is live, -1 otherwise. Records its last use,
 * at most once per API_TOKEN_TOUCH_SECONDS. */
int api_token_lookup(db_t *db, const char *token, int64_t *user_id);
/* Tokens as JSON objects {id, user_id, label, created_at, expires_at,
 * last_used_at (null: never), revoked (0/1)} - never the hash. Of one user
 * (user_id > 0) or of everybody (0); live_only: only the live ones, newest
 * first; otherwise all, by id. NULL on error. */
json_t *api_token_list(db_t *db, int64_t user_id, bool live_only);
/* One token as api_token_list gives it, NULL when there is none. */
json_t *api_token_get(db_t *db, int64_t token_id);
/* The owner of a token, 0 when there is no such token (live_only: no such
 * live token). */
int64_t api_token_owner(db_t *db, int64_t token_id, bool live_only);
/* Revokes a token that is not revoked yet and belongs to user_id (any owner
 * when user_id is 0). 0 when done, -1 otherwise (unknown, someone else's,
 * revoked already, error). */
int api_token_revoke(db_t *db, int64_t token_id, int64_t user_id);
/* Revokes every live token of the user (on a password change or reset and
 * when the account is disabled): the number revoked, or -1 on error. */
int64_t api_token_revoke_user(db_t *db, int64_t user_id);

/* --- Throttling of failed sign-ins (tables login_failures: kind, key, at;
 * login_alerts: key, last_at). Nothing here ever locks an account for
 * everyone: a failure slows down only the place it came from, and a delay
 * never holds a connection open (the caller answers 429 with Retry-After).
 *
 * An attempt is made by someone (throttle_who_t): an account (its key
 * "user:12", or the login as typed when it matches no account), a client
 * address, and maybe a device: the id of a device cookie (below) that is valid
 * for that very account. Failures are counted under keys of four kinds:
 *   device   (account, device)   the attempt carries a valid device cookie
 *   pair     (account, address)  it does not
 *   address  (address), whatever the account, when it does not
 *   account  (account), whatever the address or device: never delays, alerts
 * A device that signed in to the account before is judged by its own
 * failures alone: failures made elsewhere, even from its own address, never
 * slow it down. Any other attempt waits for the longer of its pair's and its
 * address's delays.
 *
 * The schedule (throttle_delay): with n failures under a key in the last 24
 * hours (THROTTLE_WINDOW_SECONDS), the next attempt under that key waits,
 * from the most recent of them,
 *     nothing while n < free, then min(2^(n - free), 900) seconds:
 *   device, pair (free = 3):  1st and 2nd failure: nothing; 3rd: 1 s; 4th: 2 s;
 *                             5th: 4 s ... 12th: 512 s; 13th and later: 15 min;
 *   address (free = 20):      20th failure: 1 s; 21st: 2 s ... 29th: 512 s;
 *                             30th and later: 15 min.
 * An attempt made too early is refused before any password is checked and
 * is not itself a failure. A success clears the key it was judged by (the
 * device's, or the pair's), never the address's nor the account's.
 *
 * The owner is alerted when the failures on an existing account within an
 * hour (THROTTLE_ALERT_SECONDS) reach THROTTLE_ALERT_FAILURES, whatever the
 * addresses and devices: throttle_record_failure says so once per burst, a
 * burst going on while failures keep coming less than an hour apart. */
#define THROTTLE_WINDOW_SECONDS (24 * 3600)
#define THROTTLE_PAIR_FREE 3
#define THROTTLE_ADDRESS_FREE 20
#define THROTTLE_MAX_DELAY (15 * 60)
#define THROTTLE_ALERT_FAILURES 10
#define THROTTLE_ALERT_SECONDS 3600

typedef struct {
    const char *account; /* "user:12", or the login typed when it matches no account */
    const char *ip;      /* the client's address; NULL when unknown */
    const char *device;  /* id of a device cookie valid for this account, or NULL */
    bool exists;         /* the account exists: its failures may alert its owner */
} throttle_who_t;

/* The schedule, pure: seconds to wait after `failures` failures under a key
 * that allows `free_failures` without delay (0 while failures < free). */
int64_t throttle_delay(int64_t failures, int64_t free_failures);
/* Seconds before who may try again (at least 1), 0 when they may now.
 * Keys are compared in ASCII lower case. */
int64_t throttle_wait(db_t *db, const throttle_who_t *who);
/* Count a failure of who. True when it makes a burst of failures on an
 * existing account to report to its owner (once per burst). */
bool throttle_record_failure(db_t *db, const throttle_who_t *who);
/* After a success: clears the failures of the key who was judged by. */
void throttle_record_success(db_t *db, const throttle_who_t *who);

/* --- Device cookies (OWASP's "device cookies"): a browser that signed in
 * to an account gets one, naming that account, signed with the server key;
 * while it is valid, failures made elsewhere never slow that browser down for
 * that account. The value is
 *   "1.<user id>.<expires: UTC seconds>.<device id>.<signature>"
 * with a device id of 16 random bytes in base64url (22 characters) and the
 * signature in hex: crypto_generichash keyed with the server key
 * (token_keyed_hash) of "jouda-device-cookie|" and the fields before it. Set
 * HttpOnly, SameSite=Lax, Secure over TLS, for 180 days; every successful
 * sign-in gives a new one. */
#define DEVICE_COOKIE "jouda_device"
#define DEVICE_COOKIE_SECONDS (180 * 24 * 3600)
#define DEVICE_ID_CHARS 22
#define DEVICE_COOKIE_MAX 160 /* buffer size for a value */
/* A new value for user_id, valid until expires, into out (>= DEVICE_COOKIE_MAX).
 * 0, or -1 on bad arguments (out then empty). */
int device_cookie_make(int64_t user_id, int64_t expires, char *out, size_t outlen);
/* Is value a device cookie signed with the server key, for user_id, not
 * expired at now? Its device id then goes to id_out (>= DEVICE_ID_CHARS + 1). */
bool device_cookie_check(const char *value, int64_t user_id, int64_t now, char *id_out,
                         size_t id_len);

/* Migrations of the auth tables (versions 20..29). */
extern const db_migration_t auth_migrations[];
extern const size_t auth_migrations_count;

#endif
