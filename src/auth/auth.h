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

/* --- Throttling of failed logins (table login_failures: kind 'acct'|'ip',
 * key, at). Lockout: 5 failures of an account in 15 min lock it 15 min; 20
 * failures from one IP in 15 min lock that IP. Only failures are recorded. */
#define THROTTLE_ACCOUNT_MAX 5
#define THROTTLE_IP_MAX 20
#define THROTTLE_WINDOW_SECONDS (15 * 60)
/* account_key: the login as typed (compared in ASCII lower case); either
 * argument may be NULL. Seconds until the account/IP may try again; 0 when allowed. */
int64_t throttle_check(db_t *db, const char *account_key, const char *ip);
void throttle_record_failure(db_t *db, const char *account_key, const char *ip);
void throttle_clear_account(db_t *db, const char *account_key); /* after a success */

/* Migrations of the auth tables (versions 20..29). */
extern const db_migration_t auth_migrations[];
extern const size_t auth_migrations_count;

#endif
