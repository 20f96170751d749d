/* throttle.c - lockout after repeated failed logins, per account and per
 * client address, over a sliding window. Only failures are stored (a success
 * clears the account's), so normal use writes nothing here. */
#include "auth.h"

#include "../core/core.h"

#include <sodium.h>
#include <string.h>

/* P_TEXT for a char array (never NULL; P_TEXT would warn about its address) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

#define KEY_MAX 200

/* The stored key: the login lowercased (ASCII), so "Amina@x.ma" and
 * "amina@x.ma" share one counter. Keys that are long or not valid UTF-8 (they
 * come straight from a form) are replaced by a hash so they store on both
 * engines and stay bounded. */
static void make_key(const char *in, char out[KEY_MAX + 1])
{
    size_t n = strlen(in);
    if (n <= KEY_MAX && utf8_valid(in, n)) {
        for (size_t i = 0; i < n; i++) {
            char c = in[i];
            out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        out[n] = '\0';
        return;
    }
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)in, n, NULL, 0);
    out[0] = '#';
    sodium_bin2hex(out + 1, KEY_MAX, h, sizeof h);
}

/* Seconds left for one (kind, key): locked while at least max failures fall
 * in the window; it opens when the max-th most recent one leaves the window. */
static int64_t locked_for(db_t *db, const char *kind, const char *key, int max, int64_t now)
{
    db_res_t *res = db_query(db,
                             "SELECT at FROM login_failures WHERE kind = ? AND key = ? AND at > ? "
                             "ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?",
                             PARAMS(P_TEXT(kind), P_STR(key), P_INT(now - THROTTLE_WINDOW_SECONDS),
                                    P_INT(max - 1)));
    if (!res) {
        log_error("auth: throttle check failed: %s", db_errmsg(db));
        return 0;
    }
    int64_t left = 0;
    if (db_next(res)) {
        left = db_int(res, 0) + THROTTLE_WINDOW_SECONDS - now;
        if (left < 1)
            left = 1;
    }
    db_res_free(res);
    return left;
}

int64_t throttle_check(db_t *db, const char *account_key, const char *ip)
{
    if (!db)
        return 0;
    int64_t now = now_utc(), left = 0;
    char key[KEY_MAX + 1];
    if (account_key && *account_key) {
        make_key(account_key, key);
        left = locked_for(db, "acct", key, THROTTLE_ACCOUNT_MAX, now);
    }
    if (ip && *ip) {
        make_key(ip, key);
        int64_t l = locked_for(db, "ip", key, THROTTLE_IP_MAX, now);
        if (l > left)
            left = l;
    }
    return left;
}

static void record(db_t *db, const char *kind, const char *key, int64_t now)
{
    /* drop this key's rows that no longer count (the index covers it) */
    (void)db_exec(db, "DELETE FROM login_failures WHERE kind = ? AND key = ? AND at <= ?",
                  PARAMS(P_TEXT(kind), P_STR(key), P_INT(now - THROTTLE_WINDOW_SECONDS)));
    if (db_exec(db, "INSERT INTO login_failures (kind, key, at) VALUES (?, ?, ?)",
                PARAMS(P_TEXT(kind), P_STR(key), P_INT(now))) != DB_OK)
        log_error("auth: cannot record a failed login: %s", db_errmsg(db));
}

void throttle_record_failure(db_t *db, const char *account_key, const char *ip)
{
    if (!db)
        return;
    int64_t now = now_utc();
    char key[KEY_MAX + 1];
    if (account_key && *account_key) {
        make_key(account_key, key);
        record(db, "acct", key, now);
    }
    if (ip && *ip) {
        make_key(ip, key);
        record(db, "ip", key, now);
    }
    /* now and then, everything stale (keys never seen again) */
    if (randombytes_uniform(100) == 0)
        (void)db_exec(db, "DELETE FROM login_failures WHERE at <= ?",
                      PARAMS(P_INT(now - THROTTLE_WINDOW_SECONDS)));
}

void throttle_clear_account(db_t *db, const char *account_key)
{
    if (!db || !account_key || !*account_key)
        return;
    char key[KEY_MAX + 1];
    make_key(account_key, key);
    (void)db_exec(db, "DELETE FROM login_failures WHERE kind = 'acct' AND key = ?",
                  PARAMS(P_STR(key)));
}
