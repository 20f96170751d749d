/* token.c - random tokens, keyed hashes under the server key, and API bearer
 * tokens. Secrets (session cookies, API tokens) are never stored: only their
 * keyed BLAKE2b hash, so a copy of the database does not let anyone in, and a
 * fast hash suffices because the tokens themselves carry 256 random bits. */
#include "auth.h"

#include "../core/core.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* P_TEXT for a char array (never NULL; P_TEXT would warn about its address) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

#define SERVER_KEY_BYTES 32
#define TOKEN_BYTES 32
#define DAY_SECONDS INT64_C(86400)

/* Written once at start-up, before any worker thread; read-only afterwards. */
static unsigned char server_key[SERVER_KEY_BYTES];
static bool server_key_loaded;

int auth_load_server_key(db_t *db)
{
    if (!db)
        return -1;
    unsigned char fresh[SERVER_KEY_BYTES];
    char hex[SERVER_KEY_BYTES * 2 + 1];
    randombytes_buf(fresh, sizeof fresh);
    sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
    sodium_memzero(fresh, sizeof fresh);
    /* Several servers may start at once: the first insert wins and everyone
     * reads the winner back. */
    int rc = db_exec(db, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     PARAMS(P_TEXT("server_key"), P_STR(hex)));
    sodium_memzero(hex, sizeof hex);
    if (rc != DB_OK) {
        log_error("auth: cannot store the server key: %s", db_errmsg(db));
        return -1;
    }
    db_res_t *res = db_query(db, "SELECT value FROM settings WHERE key = ?", PARAMS(P_TEXT("server_key")));
    if (!res) {
        log_error("auth: cannot read the server key: %s", db_errmsg(db));
        return -1;
    }
    int out = -1;
    if (db_next(res)) {
        const char *v = db_text(res, 0);
        size_t binlen = 0;
        unsigned char key[SERVER_KEY_BYTES];
        if (v && strlen(v) == SERVER_KEY_BYTES * 2 &&
            sodium_hex2bin(key, sizeof key, v, strlen(v), NULL, &binlen, NULL) == 0 &&
            binlen == SERVER_KEY_BYTES) {
            memcpy(server_key, key, sizeof server_key);
            server_key_loaded = true;
            out = 0;
        }
        sodium_memzero(key, sizeof key);
    }
    db_res_free(res);
    if (out != 0)
        log_error("auth: the server key in table settings is missing or malformed");
    return out;
}

void token_random(char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    if (outlen < TOKEN_CHARS + 1) {
        out[0] = '\0';
        return;
    }
    unsigned char bin[TOKEN_BYTES];
    randombytes_buf(bin, sizeof bin);
    sodium_bin2base64(out, outlen, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bin, sizeof bin);
}

void token_keyed_hash(const char *token, char *out, size_t outlen)
{
    if (!server_key_loaded) {
        /* A hash under an unknown key would silently mismatch every stored
         * one: this is a start-up error, not something to limp through. */
        log_error("auth: token_keyed_hash called before auth_load_server_key");
        abort();
    }
    if (!out || outlen < crypto_generichash_BYTES * 2 + 1) {
        if (out && outlen)
            out[0] = '\0';
        return;
    }
    if (!token)
        token = "";
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), server_key,
                       sizeof server_key);
    sodium_bin2hex(out, outlen, h, sizeof h);
}

bool token_well_formed(const char *s)
{
    if (!s)
        return false;
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok || i >= TOKEN_CHARS)
            return false;
    }
    return i == TOKEN_CHARS;
}

/* --- API tokens */

int api_token_create(db_t *db, int64_t user_id, const char *label, int64_t expires_at, char *out,
                     size_t outlen, int64_t *token_id)
{
    const size_t plen = strlen(API_TOKEN_PREFIX);
    if (!db || user_id <= 0 || !out || outlen < plen + TOKEN_CHARS + 1)
        return -1;
    int64_t now = now_utc();
    if (expires_at == 0)
        expires_at = now + API_TOKEN_DAYS_DEFAULT * DAY_SECONDS;
    if (expires_at <= now || expires_at > now + API_TOKEN_DAYS_MAX * DAY_SECONDS)
        return -1;
    char raw[TOKEN_CHARS + 1];
    token_random(raw, sizeof raw);
    char token[64];
    snprintf(token, sizeof token, "%s%s", API_TOKEN_PREFIX, raw);
    sodium_memzero(raw, sizeof raw);
    char hash[crypto_generichash_BYTES * 2 + 1];
    token_keyed_hash(token, hash, sizeof hash);
    db_res_t *res = db_query(db,
                             "INSERT INTO api_tokens (user_id, token_hash, label, created_at, "
                             "expires_at, revoked) VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
                             PARAMS(P_INT(user_id), P_STR(hash), P_TEXT(label ? label : ""),
                                    P_INT(now), P_INT(expires_at)));
    int64_t id = 0;
    if (res && db_next(res))
        id = db_int(res, 0);
    if (res)
        db_res_free(res);
    if (id <= 0) {
        log_error("auth: cannot create an API token: %s", db_errmsg(db));
        sodium_memzero(token, sizeof token);
        out[0] = '\0';
        return -1;
    }
    memcpy(out, token, strlen(token) + 1);
    sodium_memzero(token, sizeof token);
    if (token_id)
        *token_id = id;
    return 0;
}

int api_token_lookup(db_t *db, const char *token, int64_t *user_id)
{
    const size_t plen = strlen(API_TOKEN_PREFIX);
    if (!db || !token || strncmp(token, API_TOKEN_PREFIX, plen) != 0 ||
        !token_well_formed(token + plen))
        return -1;
    char hash[crypto_generichash_BYTES * 2 + 1];
    token_keyed_hash(token, hash, sizeof hash);
    int64_t now = now_utc();
    db_res_t *res = db_query(db,
                             "SELECT id, user_id, last_used_at FROM api_tokens "
                             "WHERE token_hash = ? AND revoked = 0 AND expires_at > ?",
                             PARAMS(P_STR(hash), P_INT(now)));
    if (!res)
        return -1;
    int64_t id = 0, uid = 0, last = 0;
    if (db_next(res)) {
        id = db_int(res, 0);
        uid = db_int(res, 1);
        last = db_int(res, 2);
    }
    db_res_free(res);
    if (id <= 0 || uid <= 0)
        return -1;
    /* One write a minute, however many requests: the condition is checked
     * again by the UPDATE, so that concurrent requests write it once. */
    if (now - last >= API_TOKEN_TOUCH_SECONDS)
        (void)db_exec(db,
                      "UPDATE api_tokens SET last_used_at = ? WHERE id = ? "
                      "AND (last_used_at IS NULL OR last_used_at <= ?)",
                      PARAMS(P_INT(now), P_INT(id), P_INT(now - API_TOKEN_TOUCH_SECONDS)));
    if (user_id)
        *user_id = uid;
    return 0;
}

#define TOKEN_COLS "id, user_id, label, created_at, expires_at, last_used_at, revoked"

json_t *api_token_list(db_t *db, int64_t user_id, bool live_only)
{
    if (!db || user_id < 0)
        return NULL;
    if (live_only)
        return db_query_json(db,
                             "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = ? AND revoked = 0 "
                             "AND expires_at > ? ORDER BY created_at DESC, id DESC",
                             PARAMS(P_INT(user_id), P_INT(now_utc())));
    if (user_id > 0)
        return db_query_json(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = ? ORDER BY id",
                             PARAMS(P_INT(user_id)));
    return db_query_json(db, "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY id", NOPARAMS);
}

json_t *api_token_get(db_t *db, int64_t token_id)
{
    if (!db || token_id <= 0)
        return NULL;
    return db_query_row_json(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE id = ?",
                             PARAMS(P_INT(token_id)));
}

int64_t api_token_owner(db_t *db, int64_t token_id, bool live_only)
{
    if (!db || token_id <= 0)
        return 0;
    if (live_only)
        return db_query_int(db,
                            "SELECT user_id FROM api_tokens WHERE id = ? AND revoked = 0 "
                            "AND expires_at > ?",
                            PARAMS(P_INT(token_id), P_INT(now_utc())), 0);
    return db_query_int(db, "SELECT user_id FROM api_tokens WHERE id = ?", PARAMS(P_INT(token_id)), 0);
}

int api_token_revoke(db_t *db, int64_t token_id, int64_t user_id)
{
    if (!db || token_id <= 0 || user_id < 0)
        return -1;
    int rc = user_id > 0
                 ? db_exec(db, "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND user_id = ? "
                               "AND revoked = 0",
                           PARAMS(P_INT(token_id), P_INT(user_id)))
                 : db_exec(db, "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND revoked = 0",
                           PARAMS(P_INT(token_id)));
    if (rc != DB_OK)
        return -1;
    return db_changes(db) > 0 ? 0 : -1;
}

int64_t api_token_revoke_user(db_t *db, int64_t user_id)
{
    if (!db || user_id <= 0)
        return -1;
    if (db_exec(db, "UPDATE api_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0 "
                    "AND expires_at > ?",
                PARAMS(P_INT(user_id), P_INT(now_utc()))) != DB_OK)
        return -1;
    return db_changes(db);
}
