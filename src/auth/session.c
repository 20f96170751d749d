/* session.c - browser sessions kept in the database (so that several app
 * servers share them), identified by the keyed hash of the cookie value:
 * reading the table gives no usable cookie. Idle and absolute expiry. */
#include "auth.h"

#include "../core/core.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* P_TEXT for a char array (never NULL; P_TEXT would warn about its address) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

#define HASH_HEX (crypto_generichash_BYTES * 2 + 1)
/* last_seen_at is written at most this often (not on every request) */
#define TOUCH_SECONDS 60
#define IP_MAX 63

/* Copy s into out (outlen bytes) if it fits entirely; false otherwise. */
static bool copy_fits(char *out, size_t outlen, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 > outlen)
        return false;
    memcpy(out, s, n + 1);
    return true;
}

int session_create(db_t *db, int64_t user_id, const char *ip, const char *old_hash,
                   char *token_out, size_t token_len, char *hash_out, size_t hash_len)
{
    if (!db || user_id <= 0 || !token_out || token_len < TOKEN_CHARS + 1 || !hash_out ||
        hash_len < HASH_HEX)
        return -1;
    /* A new id at login: the pre-login session (if any) must not survive. */
    if (old_hash && *old_hash)
        (void)session_delete(db, old_hash);

    char token[TOKEN_CHARS + 1], hash[HASH_HEX], csrf[TOKEN_CHARS + 1];
    token_random(token, sizeof token);
    token_random(csrf, sizeof csrf);
    token_keyed_hash(token, hash, sizeof hash);
    /* addresses are short printable ASCII; anything else is not recorded */
    char ipbuf[IP_MAX + 1] = "";
    if (ip) {
        size_t i = 0;
        for (; ip[i] && i < IP_MAX && ip[i] > ' ' && ip[i] < 0x7f; i++)
            ipbuf[i] = ip[i];
        ipbuf[ip[i] ? 0 : i] = '\0';
    }
    const char *ipp = ipbuf[0] ? ipbuf : NULL;
    int64_t now = now_utc();
    int rc = db_exec(db,
                     "INSERT INTO sessions (id_hash, user_id, csrf_secret, created_at, last_seen_at, ip) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     PARAMS(P_STR(hash), P_INT(user_id), P_STR(csrf), P_INT(now), P_INT(now),
                            P_TEXT(ipp)));
    sodium_memzero(csrf, sizeof csrf);
    if (rc != DB_OK) {
        log_error("auth: cannot create a session: %s", db_errmsg(db));
        sodium_memzero(token, sizeof token);
        return -1;
    }
    memcpy(token_out, token, sizeof token);
    memcpy(hash_out, hash, sizeof hash);
    sodium_memzero(token, sizeof token);
    /* Expired rows are also removed when met; this catches abandoned ones. */
    if (randombytes_uniform(64) == 0)
        (void)session_purge_expired(db);
    return 0;
}

int session_lookup(db_t *db, const char *token, int64_t *user_id, char *csrf_out, size_t csrf_len,
                   char *hash_out, size_t hash_len)
{
    if (!db || !token_well_formed(token) || !csrf_out || csrf_len < TOKEN_CHARS + 1 || !hash_out ||
        hash_len < HASH_HEX)
        return -1;
    char hash[HASH_HEX];
    token_keyed_hash(token, hash, sizeof hash);
    db_res_t *res = db_query(db,
                             "SELECT user_id, csrf_secret, created_at, last_seen_at FROM sessions "
                             "WHERE id_hash = ?",
                             PARAMS(P_STR(hash)));
    if (!res)
        return -1;
    int64_t uid = 0, created = 0, seen = 0;
    char csrf[TOKEN_CHARS + 1] = "";
    bool found = false;
    if (db_next(res)) {
        uid = db_int(res, 0);
        const char *c = db_text(res, 1);
        found = c && copy_fits(csrf, sizeof csrf, c);
        created = db_int(res, 2);
        seen = db_int(res, 3);
    }
    db_res_free(res);
    if (!found || uid <= 0)
        return -1;
    int64_t now = now_utc();
    if (now - seen >= SESSION_IDLE_SECONDS || now - created >= SESSION_ABSOLUTE_SECONDS) {
        (void)session_delete(db, hash);
        return -1;
    }
    if (now - seen >= TOUCH_SECONDS)
        (void)db_exec(db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
                      PARAMS(P_INT(now), P_STR(hash)));
    if (user_id)
        *user_id = uid;
    memcpy(csrf_out, csrf, sizeof csrf);
    memcpy(hash_out, hash, sizeof hash);
    sodium_memzero(csrf, sizeof csrf);
    return 0;
}

int session_delete(db_t *db, const char *hash)
{
    if (!db || !hash || !*hash)
        return -1;
    return db_exec(db, "DELETE FROM sessions WHERE id_hash = ?", PARAMS(P_STR(hash))) == DB_OK ? 0 : -1;
}

int session_delete_user(db_t *db, int64_t user_id)
{
    if (!db || user_id <= 0)
        return -1;
    return db_exec(db, "DELETE FROM sessions WHERE user_id = ?", PARAMS(P_INT(user_id))) == DB_OK ? 0
                                                                                                : -1;
}

int session_purge_expired(db_t *db)
{
    if (!db)
        return -1;
    int64_t now = now_utc();
    /* the same bounds as session_lookup: expired at exactly the limit */
    return db_exec(db, "DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?",
                   PARAMS(P_INT(now - SESSION_IDLE_SECONDS), P_INT(now - SESSION_ABSOLUTE_SECONDS))) ==
                   DB_OK
               ? 0
               : -1;
}
