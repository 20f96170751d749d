/* account_totp_store.c - two-step verification in the database: the
 * enrolment of a user (user_totp: the secret sealed at rest, when it was
 * confirmed, the last step accepted), their single-use recovery codes
 * (user_totp_recovery: keyed hashes), and the pending second steps of
 * signing in (login_challenges: the keyed hash of a random token, the user,
 * where to go next, expiry, wrong attempts). Every change is audited; the
 * audit never holds a secret or a code. */
#include "account_internal.h"

#include "../auth/seal.h"

#include <sodium.h>
#include <string.h>

/* P_TEXT for a char array (never NULL; P_TEXT would warn about its address) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

totp_state_t totp_state(db_t *db, int64_t uid, int64_t *since)
{
    if (since)
        *since = 0;
    db_res_t *res = db_query(db, "SELECT confirmed_at, created_at FROM user_totp WHERE user_id = ?",
                             PARAMS(P_INT(uid)));
    totp_state_t st = TOTP_NONE;
    if (res && db_next(res)) {
        int64_t confirmed = db_int(res, 0);
        st = confirmed > 0 ? TOTP_ON : TOTP_PENDING;
        if (since)
            *since = confirmed > 0 ? confirmed : db_int(res, 1);
    }
    db_res_free(res);
    return st;
}

bool account_totp_enrolled(db_t *db, int64_t user_id)
{
    return db_query_int(db, "SELECT confirmed_at FROM user_totp WHERE user_id = ?",
                        PARAMS(P_INT(user_id)), 0) > 0;
}

/* The stored (sealed) secret opened, as bytes; 0 or -1. */
static int secret_bytes(arena_t *a, const char *sealed, unsigned char *out, size_t *len)
{
    const char *b32 = NULL;
    if (!sealed || !seal_ready() || seal_open(a, sealed, &b32) != 0 || !b32)
        return -1;
    return totp_base32_decode(b32, out, TOTP_SECRET_BYTES * 2, len);
}

const char *totp_secret_of(db_t *db, arena_t *a, int64_t uid)
{
    db_res_t *res = db_query(db, "SELECT secret FROM user_totp WHERE user_id = ?", PARAMS(P_INT(uid)));
    const char *out = NULL;
    if (res && db_next(res)) {
        const char *b32 = NULL;
        const char *sealed = arena_strdup(a, db_text(res, 0));
        if (sealed && seal_ready() && seal_open(a, sealed, &b32) == 0)
            out = b32;
    }
    db_res_free(res);
    return out;
}

static int audit_of(db_t *db, int64_t uid, const char *action, const char *ip)
{
    return audit_write(db, uid, action, "user", uid, users_home_of(db, uid), NULL, ip);
}

res_t totp_start(db_t *db, arena_t *a, int64_t uid, const char *ip, const char **secret_b32)
{
    *secret_b32 = NULL;
    if (!seal_ready())
        return RES_ERROR;
    unsigned char bin[TOTP_SECRET_BYTES];
    totp_secret_new(bin);
    const char *b32 = totp_base32(a, bin, sizeof bin);
    sodium_memzero(bin, sizeof bin);
    if (!b32)
        return RES_ERROR;
    const char *sealed = seal_text(a, b32);
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    res_t st = RES_OK;
    if (totp_state(db, uid, NULL) == TOTP_ON) {
        st = RES_CONFLICT;
    } else {
        int64_t now = now_utc();
        /* a pending enrolment starts again with the new secret; a confirmed
         * one is never replaced here */
        int rc = db_exec(db,
                         "INSERT INTO user_totp (user_id, secret, confirmed_at, last_step, created_at)"
                         " VALUES (?, ?, 0, -1, ?) ON CONFLICT (user_id) DO UPDATE SET"
                         " secret = excluded.secret, last_step = -1, created_at = excluded.created_at"
                         " WHERE user_totp.confirmed_at = 0",
                         PARAMS(P_INT(uid), P_TEXT(sealed), P_INT(now)));
        if (rc != DB_OK)
            st = RES_ERROR;
        else if (db_changes(db) != 1)
            st = RES_CONFLICT;
        else if (audit_of(db, uid, "totp_start", ip) != DB_OK)
            st = RES_ERROR;
    }
    if (app_tx_end(db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    if (st == RES_OK)
        *secret_b32 = b32;
    return st;
}

/* New recovery codes in place of the user's old ones, inside the caller's
 * transaction: DB_OK with the codes in codes (arena). */
static int recovery_write(db_t *db, arena_t *a, int64_t uid, const char **codes)
{
    int rc = db_exec(db, "DELETE FROM user_totp_recovery WHERE user_id = ?", PARAMS(P_INT(uid)));
    int64_t now = now_utc();
    for (int i = 0; i < TOTP_RECOVERY_COUNT && rc == DB_OK; i++) {
        char code[TOTP_RECOVERY_CHARS + 1], hash[65];
        totp_recovery_new(code);
        token_keyed_hash(code, hash, sizeof hash);
        codes[i] = arena_strdup(a, code);
        sodium_memzero(code, sizeof code);
        rc = db_exec(db,
                     "INSERT INTO user_totp_recovery (user_id, code_hash, used_at, created_at)"
                     " VALUES (?, ?, 0, ?)",
                     PARAMS(P_INT(uid), P_STR(hash), P_INT(now)));
    }
    return rc;
}

res_t totp_confirm(db_t *db, arena_t *a, int64_t uid, const char *code, const char *ip,
                   const char **codes)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    res_t st = RES_OK;
    db_res_t *res = db_query(db, "SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = ?",
                             PARAMS(P_INT(uid)));
    const char *sealed = NULL;
    int64_t last = -1;
    if (!res)
        st = RES_ERROR;
    else if (!db_next(res) || db_int(res, 1) > 0)
        st = RES_CONFLICT;
    else {
        sealed = arena_strdup(a, db_text(res, 0));
        last = db_int(res, 2);
    }
    db_res_free(res);
    unsigned char bin[TOTP_SECRET_BYTES * 2];
    size_t len = 0;
    if (st == RES_OK && secret_bytes(a, sealed, bin, &len) != 0)
        st = RES_ERROR;
    int64_t step = 0;
    if (st == RES_OK) {
        step = totp_verify(bin, len, code, now_utc(), last);
        if (step < 0)
            st = RES_INVALID;
    }
    sodium_memzero(bin, sizeof bin);
    if (st == RES_OK) {
        /* the code that confirmed cannot sign in again */
        if (db_exec(db,
                    "UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ?"
                    " AND confirmed_at = 0",
                    PARAMS(P_INT(now_utc()), P_INT(step), P_INT(uid))) != DB_OK)
            st = RES_ERROR;
        else if (db_changes(db) != 1)
            st = RES_CONFLICT;
    }
    if (st == RES_OK && (recovery_write(db, a, uid, codes) != DB_OK ||
                         audit_of(db, uid, "totp_enable", ip) != DB_OK))
        st = RES_ERROR;
    if (app_tx_end(db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

static totp_check_t check_app_code(db_t *db, arena_t *a, int64_t uid, const char *code)
{
    db_res_t *res = db_query(db,
                             "SELECT secret, last_step FROM user_totp WHERE user_id = ?"
                             " AND confirmed_at > 0",
                             PARAMS(P_INT(uid)));
    if (!res)
        return TOTP_CHECK_ERROR;
    if (!db_next(res)) {
        db_res_free(res);
        return TOTP_CHECK_WRONG;
    }
    const char *sealed = arena_strdup(a, db_text(res, 0));
    int64_t last = db_int(res, 1);
    db_res_free(res);
    unsigned char bin[TOTP_SECRET_BYTES * 2];
    size_t len = 0;
    if (secret_bytes(a, sealed, bin, &len) != 0) {
        log_error("totp: the secret of user %lld cannot be opened (key file?)", (long long)uid);
        return TOTP_CHECK_ERROR;
    }
    int64_t step = totp_verify(bin, len, code, now_utc(), last);
    sodium_memzero(bin, sizeof bin);
    if (step == TOTP_REPLAY)
        return TOTP_CHECK_REPLAY;
    if (step < 0)
        return TOTP_CHECK_WRONG;
    /* accepted once: of two requests with the same code, one wins */
    if (db_exec(db, "UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?",
                PARAMS(P_INT(step), P_INT(uid), P_INT(step))) != DB_OK)
        return TOTP_CHECK_ERROR;
    return db_changes(db) == 1 ? TOTP_CHECK_OK : TOTP_CHECK_REPLAY;
}

static totp_check_t check_recovery(db_t *db, arena_t *a, int64_t uid, const char *typed,
                                   const char *ip)
{
    const char *code = totp_recovery_normalise(a, typed);
    if (!code)
        return TOTP_CHECK_WRONG;
    char hash[65];
    token_keyed_hash(code, hash, sizeof hash);
    bool mine;
    if (!app_tx_begin(db, &mine))
        return TOTP_CHECK_ERROR;
    totp_check_t st = TOTP_CHECK_RECOVERY;
    if (db_exec(db,
                "UPDATE user_totp_recovery SET used_at = ? WHERE user_id = ? AND code_hash = ?"
                " AND used_at = 0",
                PARAMS(P_INT(now_utc()), P_INT(uid), P_STR(hash))) != DB_OK)
        st = TOTP_CHECK_ERROR;
    else if (db_changes(db) != 1)
        st = TOTP_CHECK_WRONG;
    else if (audit_of(db, uid, "totp_recovery_used", ip) != DB_OK)
        st = TOTP_CHECK_ERROR;
    if (app_tx_end(db, mine, st == TOTP_CHECK_RECOVERY) != DB_OK && st == TOTP_CHECK_RECOVERY)
        st = TOTP_CHECK_ERROR;
    return st;
}

totp_check_t totp_check(db_t *db, arena_t *a, int64_t uid, const char *typed, bool recovery,
                        const char *ip)
{
    if (totp_code_well_formed(typed))
        return check_app_code(db, a, uid, typed);
    if (recovery && account_totp_enrolled(db, uid))
        return check_recovery(db, a, uid, typed, ip);
    return TOTP_CHECK_WRONG;
}

int64_t totp_recovery_left(db_t *db, int64_t uid)
{
    return db_query_int(db, "SELECT COUNT(*) FROM user_totp_recovery WHERE user_id = ? AND used_at = 0",
                        PARAMS(P_INT(uid)), 0);
}

res_t totp_recovery_renew(db_t *db, arena_t *a, int64_t uid, const char *ip, const char **codes)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    res_t st = RES_OK;
    if (totp_state(db, uid, NULL) != TOTP_ON)
        st = RES_CONFLICT;
    else if (recovery_write(db, a, uid, codes) != DB_OK ||
             audit_of(db, uid, "totp_recovery_renew", ip) != DB_OK)
        st = RES_ERROR;
    if (app_tx_end(db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

res_t totp_disable(db_t *db, int64_t uid, const char *ip)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    res_t st = RES_OK;
    if (db_exec(db, "DELETE FROM user_totp_recovery WHERE user_id = ?", PARAMS(P_INT(uid))) != DB_OK ||
        db_exec(db, "DELETE FROM user_totp WHERE user_id = ? AND confirmed_at > 0",
                PARAMS(P_INT(uid))) != DB_OK)
        st = RES_ERROR;
    else if (db_changes(db) != 1)
        st = RES_CONFLICT;
    else if (audit_of(db, uid, "totp_disable", ip) != DB_OK)
        st = RES_ERROR;
    if (app_tx_end(db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

res_t account_totp_reset(db_t *db, int64_t user_id)
{
    return totp_disable(db, user_id, NULL);
}

/* --- The second step of signing in -------------------------------------- */

int totp_challenge_create(db_t *db, int64_t uid, const char *next, char *out, size_t outlen)
{
    if (outlen < TOKEN_CHARS + 1)
        return -1;
    int64_t now = now_utc();
    /* challenges nobody finished: kept an hour past their expiry, so that a
     * late answer is told it came too late rather than that it is unknown */
    db_exec(db, "DELETE FROM login_challenges WHERE expires_at < ?", PARAMS(P_INT(now - 3600)));
    char hash[65];
    token_random(out, outlen);
    token_keyed_hash(out, hash, sizeof hash);
    if (db_exec(db,
                "INSERT INTO login_challenges (token_hash, user_id, next, expires_at, attempts, created_at)"
                " VALUES (?, ?, ?, ?, 0, ?)",
                PARAMS(P_STR(hash), P_INT(uid), P_TEXT(next ? next : "/"),
                       P_INT(now + TOTP_CHALLENGE_SECONDS), P_INT(now))) != DB_OK) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int totp_challenge_get(db_t *db, arena_t *a, const char *token, int64_t *uid, const char **next,
                       int64_t *attempts)
{
    if (!token_well_formed(token))
        return -1;
    char hash[65];
    token_keyed_hash(token, hash, sizeof hash);
    db_res_t *res = db_query(db,
                             "SELECT user_id, next, expires_at, attempts FROM login_challenges"
                             " WHERE token_hash = ?",
                             PARAMS(P_STR(hash)));
    int rc = -1;
    if (res && db_next(res)) {
        *uid = db_int(res, 0);
        *next = users_safe_next(arena_strdup(a, db_text(res, 1)));
        *attempts = db_int(res, 3);
        rc = db_int(res, 2) > now_utc() ? 0 : -2;
    }
    db_res_free(res);
    if (rc == -2)
        db_exec(db, "DELETE FROM login_challenges WHERE token_hash = ?", PARAMS(P_STR(hash)));
    return rc;
}

int64_t totp_challenge_failed(db_t *db, const char *token)
{
    char hash[65];
    token_keyed_hash(token, hash, sizeof hash);
    if (db_exec(db, "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?",
                PARAMS(P_STR(hash))) != DB_OK)
        return -1;
    return db_query_int(db, "SELECT attempts FROM login_challenges WHERE token_hash = ?",
                        PARAMS(P_STR(hash)), -1);
}

void totp_challenge_delete(db_t *db, const char *token)
{
    char hash[65];
    token_keyed_hash(token, hash, sizeof hash);
    db_exec(db, "DELETE FROM login_challenges WHERE token_hash = ?", PARAMS(P_STR(hash)));
}
