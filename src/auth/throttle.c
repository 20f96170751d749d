/* throttle.c - growing delays after failed sign-ins, per (account, address),
 * per (account, device cookie) and per address, and the alert of an account's
 * owner when failures on it pile up (the rules are in auth.h). Only failures
 * are stored (a success clears its key), so normal use writes nothing here.
 * Nothing sleeps: throttle_wait says how long, the caller answers at once. */
#include "auth.h"

#include "../core/core.h"

#include <sodium.h>
#include <string.h>

/* P_TEXT for a char array (never NULL; P_TEXT would warn about its address) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

#define KEY_MAX 200

int64_t throttle_delay(int64_t failures, int64_t free_failures)
{
    if (free_failures < 1)
        free_failures = 1;
    if (failures < free_failures)
        return 0;
    int64_t steps = failures - free_failures;
    /* 2^10 s is past the cap already: no shift ever overflows */
    if (steps >= 10)
        return THROTTLE_MAX_DELAY;
    int64_t d = (int64_t)1 << steps;
    return d < THROTTLE_MAX_DELAY ? d : THROTTLE_MAX_DELAY;
}

/* The stored key: ASCII lower case, so that "Amina@x.ma" and "amina@x.ma"
 * share one counter. Keys that are long or not valid UTF-8 (logins come
 * straight from a form) are replaced by a hash, so they store on both engines
 * and stay bounded. a and b (b may be NULL) are joined by '|' (an address or a
 * device id never holds one). */
static void make_key(const char *a, const char *b, char out[KEY_MAX + 1])
{
    char joined[2 * KEY_MAX + 2];
    size_t na = strlen(a), nb = b ? strlen(b) : 0;
    const char *in = a;
    size_t n = na;
    bool fits = na <= KEY_MAX && (!b || nb <= KEY_MAX);
    if (b && fits) {
        memcpy(joined, a, na);
        joined[na] = '|';
        memcpy(joined + na + 1, b, nb + 1);
        in = joined;
        n = na + 1 + nb;
    }
    if (fits && n <= KEY_MAX && utf8_valid(in, n)) {
        for (size_t i = 0; i < n; i++) {
            char c = in[i];
            out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        out[n] = '\0';
        return;
    }
    /* too long or not UTF-8: a hash of the lower-cased parts */
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    for (int part = 0; part < 2; part++) {
        const char *p = part == 0 ? a : b;
        if (!p)
            break;
        if (part == 1)
            crypto_generichash_update(&st, (const unsigned char *)"|", 1);
        for (; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            crypto_generichash_update(&st, &c, 1);
        }
    }
    unsigned char h[32];
    crypto_generichash_final(&st, h, sizeof h);
    out[0] = '#';
    sodium_bin2hex(out + 1, KEY_MAX, h, sizeof h);
}

/* Seconds left for one key: its failures in the window, counted from the
 * most recent one. */
static int64_t wait_for(db_t *db, const char *kind, const char *key, int64_t free_failures,
                        int64_t now)
{
    db_res_t *res = db_query(db,
                             "SELECT count(*), max(at) FROM login_failures "
                             "WHERE kind = ? AND key = ? AND at > ?",
                             PARAMS(P_TEXT(kind), P_STR(key), P_INT(now - THROTTLE_WINDOW_SECONDS)));
    if (!res) {
        log_error("auth: throttle check failed: %s", db_errmsg(db));
        return 0;
    }
    int64_t left = 0;
    if (db_next(res)) {
        int64_t n = db_int(res, 0), last = db_int(res, 1);
        int64_t d = throttle_delay(n, free_failures);
        if (d > 0 && last + d > now)
            left = last + d - now;
    }
    db_res_free(res);
    return left;
}

static bool has(const char *s)
{
    return s && *s;
}

int64_t throttle_wait(db_t *db, const throttle_who_t *who)
{
    if (!db || !who)
        return 0;
    int64_t now = now_utc(), left = 0;
    char key[KEY_MAX + 1];
    const char *account = who->account ? who->account : "";
    if (has(who->device)) {
        /* a known device: its own failures and nothing else */
        make_key(account, who->device, key);
        return wait_for(db, "device", key, THROTTLE_PAIR_FREE, now);
    }
    if (has(account)) {
        make_key(account, has(who->ip) ? who->ip : "-", key);
        left = wait_for(db, "pair", key, THROTTLE_PAIR_FREE, now);
    }
    if (has(who->ip)) {
        make_key(who->ip, NULL, key);
        int64_t l = wait_for(db, "address", key, THROTTLE_ADDRESS_FREE, now);
        if (l > left)
            left = l;
    }
    return left;
}

static void record(db_t *db, const char *kind, const char *key, int64_t now, int64_t keep)
{
    /* drop this key's rows that no longer count (the index covers it) */
    (void)db_exec(db, "DELETE FROM login_failures WHERE kind = ? AND key = ? AND at <= ?",
                  PARAMS(P_TEXT(kind), P_STR(key), P_INT(now - keep)));
    if (db_exec(db, "INSERT INTO login_failures (kind, key, at) VALUES (?, ?, ?)",
                PARAMS(P_TEXT(kind), P_STR(key), P_INT(now))) != DB_OK)
        log_error("auth: cannot record a failed login: %s", db_errmsg(db));
}

/* After a failure on an existing account: is it the one to report? A burst
 * already reported goes on (its end is pushed back) while failures come less
 * than an hour apart; a new one is reported when the hour's failures reach
 * the threshold. The claim is one statement, so that two servers counting at
 * once report it once. */
static bool alert_due(db_t *db, const char *key, int64_t now)
{
    if (db_exec(db, "UPDATE login_alerts SET last_at = ? WHERE key = ? AND last_at > ?",
                PARAMS(P_INT(now), P_STR(key), P_INT(now - THROTTLE_ALERT_SECONDS))) == DB_OK &&
        db_changes(db) > 0)
        return false;
    int64_t n = db_query_int(db,
                             "SELECT count(*) FROM (SELECT 1 FROM login_failures "
                             "WHERE kind = 'account' AND key = ? AND at > ? LIMIT ?) recent",
                             PARAMS(P_STR(key), P_INT(now - THROTTLE_ALERT_SECONDS),
                                    P_INT(THROTTLE_ALERT_FAILURES)),
                             0);
    if (n < THROTTLE_ALERT_FAILURES)
        return false;
    db_res_t *res = db_query(db,
                             "INSERT INTO login_alerts (key, last_at) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at "
                             "WHERE login_alerts.last_at <= ? RETURNING key",
                             PARAMS(P_STR(key), P_INT(now), P_INT(now - THROTTLE_ALERT_SECONDS)));
    if (!res) {
        log_error("auth: cannot record a sign-in alert: %s", db_errmsg(db));
        return false;
    }
    bool claimed = db_next(res);
    db_res_free(res);
    return claimed;
}

bool throttle_record_failure(db_t *db, const throttle_who_t *who)
{
    if (!db || !who)
        return false;
    int64_t now = now_utc();
    char key[KEY_MAX + 1];
    const char *account = who->account ? who->account : "";
    if (has(who->device)) {
        make_key(account, who->device, key);
        record(db, "device", key, now, THROTTLE_WINDOW_SECONDS);
    } else {
        if (has(account)) {
            make_key(account, has(who->ip) ? who->ip : "-", key);
            record(db, "pair", key, now, THROTTLE_WINDOW_SECONDS);
        }
        if (has(who->ip)) {
            make_key(who->ip, NULL, key);
            record(db, "address", key, now, THROTTLE_WINDOW_SECONDS);
        }
    }
    bool alert = false;
    if (who->exists && has(account)) {
        make_key(account, NULL, key);
        record(db, "account", key, now, THROTTLE_ALERT_SECONDS);
        alert = alert_due(db, key, now);
    }
    /* now and then, everything stale (keys never seen again) */
    if (randombytes_uniform(100) == 0) {
        (void)db_exec(db, "DELETE FROM login_failures WHERE at <= ?",
                      PARAMS(P_INT(now - THROTTLE_WINDOW_SECONDS)));
        (void)db_exec(db, "DELETE FROM login_alerts WHERE last_at <= ?",
                      PARAMS(P_INT(now - THROTTLE_ALERT_SECONDS)));
    }
    return alert;
}

void throttle_record_success(db_t *db, const throttle_who_t *who)
{
    if (!db || !who || !has(who->account))
        return;
    char key[KEY_MAX + 1];
    if (has(who->device)) {
        make_key(who->account, who->device, key);
        (void)db_exec(db, "DELETE FROM login_failures WHERE kind = 'device' AND key = ?",
                      PARAMS(P_STR(key)));
    } else {
        make_key(who->account, has(who->ip) ? who->ip : "-", key);
        (void)db_exec(db, "DELETE FROM login_failures WHERE kind = 'pair' AND key = ?",
                      PARAMS(P_STR(key)));
    }
}
