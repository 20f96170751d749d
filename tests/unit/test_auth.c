/* test_auth.c - passwords (hash, verify, rules, the concurrency cap), tokens
 * and keyed hashes, CSRF masking, sessions, API tokens (expiry, revocation,
 * last use written at most once a minute, the migration that gave old tokens
 * an expiry), login throttling (the delay schedule, pairs, devices,
 * addresses, alerts, the answer to an attempt made too early) and device
 * cookies.
 * Database tests run on a temporary SQLite file and, when JOUDA_TEST_PG_URL
 * is set, on PostgreSQL in a private schema (skipped otherwise). */
#include "testutil.h"

#include <pthread.h>

#include <sodium.h>

#include "auth/auth.h"
#include "account/account_internal.h"

/* P_TEXT for a char array (P_TEXT would warn that its address is never NULL) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

/* ---------- fixtures */

/* The users table belongs to the users module; a minimal one is enough here. */
static void fx_prepare(test_db_t *f)
{
    const char *users = f->pg ? "CREATE TABLE users (id BIGINT PRIMARY KEY)"
                              : "CREATE TABLE users (id INTEGER PRIMARY KEY)";
    assert_int_equal(db_exec(f->db, users, NOPARAMS), DB_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO users (id) VALUES (1), (2), (3)", NOPARAMS), DB_OK);
    if (test_db_migrate(f->db, TEST_MIG(auth)) != 0)
        fail_msg("migrate");
    assert_int_equal(db_schema_version(f->db), 25);
    assert_int_equal(auth_load_server_key(f->db), 0);
}

/* A temporary SQLite file, or a PostgreSQL schema of its own (NULL db: the
 * test skips). */
static int setup(void **state, bool pg)
{
    test_db_t *f = test_db_open(pg, "auth");
    *state = f;
    if (!f)
        return -1;
    if (f->db)
        fx_prepare(f);
    return 0;
}

static int setup_sqlite(void **state) { return setup(state, false); }
static int setup_pg(void **state) { return setup(state, true); }

static int64_t q_int(db_t *db, const char *sql, const char *arg)
{
    return db_query_int(db, sql, PARAMS(P_TEXT(arg)), -999);
}

#define ASSERT_NEAR(a, b, tol)                                                                     \
    do {                                                                                           \
        int64_t a_ = (a), b_ = (b);                                                                \
        if (a_ < b_ - (tol) || a_ > b_ + (tol))                                                    \
            fail_msg("%s = %lld, expected %lld (+/- %d)", #a, (long long)a_, (long long)b_, tol);  \
    } while (0)

/* ---------- passwords */

static void test_password_hash_verify(void **state)
{
    (void)state;
    char h[crypto_pwhash_STRBYTES];
    assert_int_equal(password_hash("correct horse battery", h, sizeof h), 0);
    /* Argon2id with the configured cost: m = 19 MiB, t = 2, p = 1 */
    assert_true(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    assert_true(password_verify(h, "correct horse battery"));
    assert_false(password_verify(h, "correct horse batterY"));
    assert_false(password_verify(h, ""));
    assert_false(password_verify(h, NULL));
    /* the same password hashes differently each time (random salt) */
    char h2[crypto_pwhash_STRBYTES];
    assert_int_equal(password_hash("correct horse battery", h2, sizeof h2), 0);
    assert_string_not_equal(h, h2);
    assert_true(password_verify(h2, "correct horse battery"));
    /* garbage stored hashes never verify and never crash */
    assert_false(password_verify("", "correct horse battery"));
    assert_false(password_verify("$argon2id$garbage", "correct horse battery"));
    assert_false(password_verify("$argon2id$v=19$m=19456,t=2,p=1$$", "x"));
    assert_false(password_verify("correct horse battery", "correct horse battery"));
    char longh[400];
    memset(longh, 'a', sizeof longh - 1);
    longh[sizeof longh - 1] = '\0';
    memcpy(longh, h, strlen(h)); /* a valid prefix followed by junk */
    assert_false(password_verify(longh, "correct horse battery"));
    /* a truncated hash */
    char trunc[crypto_pwhash_STRBYTES];
    memcpy(trunc, h, sizeof trunc);
    trunc[strlen(trunc) - 5] = '\0';
    assert_false(password_verify(trunc, "correct horse battery"));
    /* unknown login: the dummy verification answers false */
    assert_false(password_verify(NULL, "correct horse battery"));
    assert_false(password_verify(NULL, NULL));
    /* bad arguments */
    char small[10];
    assert_int_equal(password_hash("correct horse battery", small, sizeof small), -1);
    assert_int_equal(password_hash(NULL, h, sizeof h), -1);
    /* a non-ASCII password */
    assert_int_equal(password_hash("كلمة السر القوية", h, sizeof h), 0);
    assert_true(password_verify(h, "كلمة السر القوية"));
    assert_false(password_verify(h, "كلمة السر القوي"));
}

static void test_password_problem(void **state)
{
    (void)state;
    const char *too_short = "The password must be at least 10 characters long.";
    const char *too_long = "The password must be at most 128 characters long.";
    const char *invalid = "The password contains invalid characters.";
    assert_null(password_problem("abcdefghij"));
    assert_string_equal(password_problem("abcdefghi"), too_short);
    assert_string_equal(password_problem(""), too_short);
    assert_string_equal(password_problem(NULL), too_short);
    /* characters are counted, not bytes: 9 Arabic letters are 18 bytes */
    assert_string_equal(password_problem("ابتثجحخدذ"), too_short);
    assert_null(password_problem("ابتثجحخدذر"));
    assert_null(password_problem("éééééééééé"));
    char buf[600];
    memset(buf, 'x', 128);
    buf[128] = '\0';
    assert_null(password_problem(buf));
    buf[128] = 'x';
    buf[129] = '\0';
    assert_string_equal(password_problem(buf), too_long);
    /* 128 Arabic letters (256 bytes) are fine, 129 are not */
    buf[0] = '\0';
    for (int i = 0; i < 128; i++)
        strcat(buf, "ب");
    assert_int_equal(strlen(buf), 256);
    assert_null(password_problem(buf));
    strcat(buf, "ب");
    assert_string_equal(password_problem(buf), too_long);
    /* invalid UTF-8: stray byte, overlong, surrogate, truncated sequence */
    assert_string_equal(password_problem("abcdefghij\xff"), invalid);
    assert_string_equal(password_problem("abcdefghij\xc0\xaf"), invalid);
    assert_string_equal(password_problem("abcdefghij\xed\xa0\x80"), invalid);
    assert_string_equal(password_problem("abcdefghij\xd8"), invalid);
    /* control characters */
    assert_string_equal(password_problem("abcdefghij\x01"), invalid);
    assert_string_equal(password_problem("abcdefghij\x7f"), invalid);
}

static void *hash_thread(void *arg)
{
    char h[crypto_pwhash_STRBYTES];
    int *ok = arg;
    *ok = password_hash("parallel password", h, sizeof h) == 0 && password_verify(h, "parallel password");
    return NULL;
}

static void test_password_concurrency_cap(void **state)
{
    (void)state;
    password_concurrency_reset();
    assert_int_equal(password_max_concurrency_seen(), 0);
    pthread_t t[4];
    int ok[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hash_thread, &ok[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(ok[i]);
    }
    int seen = password_max_concurrency_seen();
    fprintf(stderr, "max concurrent hashes seen: %d\n", seen);
    assert_true(seen >= 1);
    assert_true(seen <= 2);
}

/* ---------- tokens */

static void test_token_random(void **state)
{
    (void)state;
    char a[TOKEN_CHARS + 1], b[TOKEN_CHARS + 1];
    token_random(a, sizeof a);
    token_random(b, sizeof b);
    assert_int_equal(strlen(a), TOKEN_CHARS);
    assert_true(token_well_formed(a));
    assert_true(token_well_formed(b));
    assert_string_not_equal(a, b);
    assert_null(strchr(a, '='));
    char small[TOKEN_CHARS] = "x";
    token_random(small, sizeof small);
    assert_string_equal(small, "");

    assert_false(token_well_formed(NULL));
    assert_false(token_well_formed(""));
    char t[TOKEN_CHARS + 2];
    memcpy(t, a, TOKEN_CHARS + 1);
    t[TOKEN_CHARS - 1] = '\0';
    assert_false(token_well_formed(t)); /* 42 characters */
    memcpy(t, a, TOKEN_CHARS);
    t[TOKEN_CHARS] = 'A';
    t[TOKEN_CHARS + 1] = '\0';
    assert_false(token_well_formed(t)); /* 44 characters */
    memcpy(t, a, TOKEN_CHARS + 1);
    t[5] = '+';
    assert_false(token_well_formed(t));
    t[5] = '/';
    assert_false(token_well_formed(t));
    t[5] = '=';
    assert_false(token_well_formed(t));
}

static void test_keyed_hash(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char h1[65], h2[65], h3[65];
    token_keyed_hash("some token", h1, sizeof h1);
    token_keyed_hash("some token", h2, sizeof h2);
    token_keyed_hash("some tokem", h3, sizeof h3);
    assert_int_equal(strlen(h1), 64);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h3);
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", h1[i]));
    /* the key is stored once: loading again agrees */
    db_res_t *res = db_query(db, "SELECT value FROM settings WHERE key = 'server_key'", NOPARAMS);
    assert_non_null(res);
    assert_true(db_next(res));
    char key1[65];
    snprintf(key1, sizeof key1, "%s", db_text(res, 0));
    db_res_free(res);
    assert_int_equal(strlen(key1), 64);
    assert_int_equal(auth_load_server_key(db), 0);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM settings", NOPARAMS, -1), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM settings WHERE value = ?", key1), 1);
    token_keyed_hash("some token", h2, sizeof h2);
    assert_string_equal(h1, h2);
    /* the hash is keyed: another key gives another hash */
    assert_int_equal(db_exec(db, "UPDATE settings SET value = ? WHERE key = 'server_key'",
                             PARAMS(P_TEXT("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"))),
                     DB_OK);
    assert_int_equal(auth_load_server_key(db), 0);
    token_keyed_hash("some token", h2, sizeof h2);
    assert_string_not_equal(h1, h2);
    /* a malformed stored key is refused */
    assert_int_equal(db_exec(db, "UPDATE settings SET value = 'zz' WHERE key = 'server_key'", NOPARAMS),
                     DB_OK);
    assert_int_equal(auth_load_server_key(db), -1);
    /* a too small output buffer gives an empty string */
    char small[10] = "x";
    token_keyed_hash("some token", small, sizeof small);
    assert_string_equal(small, "");
}

/* ---------- CSRF */

static void test_csrf(void **state)
{
    (void)state;
    char secret[TOKEN_CHARS + 1], other[TOKEN_CHARS + 1];
    token_random(secret, sizeof secret);
    token_random(other, sizeof other);
    char m1[96], m2[96];
    csrf_mask(secret, m1, sizeof m1);
    csrf_mask(secret, m2, sizeof m2);
    assert_int_equal(strlen(m1), 86);
    assert_string_not_equal(m1, m2);
    assert_null(strstr(m1, secret));
    assert_true(csrf_check(secret, m1));
    assert_true(csrf_check(secret, m2));
    assert_false(csrf_check(other, m1));
    /* tampering with any single character fails */
    for (size_t i = 0; i < strlen(m1); i++) {
        char t[96];
        memcpy(t, m1, sizeof t);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        if (csrf_check(secret, t))
            fail_msg("tampered token accepted at %zu", i);
    }
    /* malformed tokens */
    char t[100];
    assert_false(csrf_check(secret, NULL));
    assert_false(csrf_check(secret, ""));
    assert_false(csrf_check(secret, secret)); /* the bare secret is not a token */
    snprintf(t, sizeof t, "%s=", m1);
    assert_false(csrf_check(secret, t));
    snprintf(t, sizeof t, "%.85s", m1);
    assert_false(csrf_check(secret, t));
    snprintf(t, sizeof t, "%sAA", m1);
    assert_false(csrf_check(secret, t));
    snprintf(t, sizeof t, "%s", m1);
    t[10] = '+';
    assert_false(csrf_check(secret, t));
    /* a token of zeros (mask 0, secret 0) only matches a zero secret */
    memset(t, 'A', 86);
    t[86] = '\0';
    assert_false(csrf_check(secret, t));
    /* malformed secrets */
    assert_false(csrf_check(NULL, m1));
    assert_false(csrf_check("", m1));
    assert_false(csrf_check("short", m1));
    char bad[96] = "x";
    csrf_mask("not a secret", bad, sizeof bad);
    assert_string_equal(bad, "");
    csrf_mask(NULL, bad, sizeof bad);
    assert_string_equal(bad, "");
    /* too small an output buffer */
    char small[50] = "x";
    csrf_mask(secret, small, sizeof small);
    assert_string_equal(small, "");
}

/* ---------- sessions */

static void test_session_create_lookup(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char tok[TOKEN_CHARS + 1], hash[65], csrf[TOKEN_CHARS + 1], h2[65];
    assert_int_equal(session_create(db, 1, "192.0.2.7", NULL, tok, sizeof tok, hash, sizeof hash), 0);
    assert_true(token_well_formed(tok));
    char expect[65];
    token_keyed_hash(tok, expect, sizeof expect);
    assert_string_equal(hash, expect);
    /* only the hash is stored */
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE id_hash = ?", tok), 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE id_hash = ?", hash), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE ip = ?", "192.0.2.7"), 1);

    int64_t uid = 0;
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), 0);
    assert_int_equal(uid, 1);
    assert_string_equal(h2, hash);
    assert_true(token_well_formed(csrf));
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE csrf_secret = ?", csrf), 1);
    /* the CSRF secret is independent of the cookie */
    assert_string_not_equal(csrf, tok);
    /* the CSRF secret is stable for the session */
    char csrf2[TOKEN_CHARS + 1];
    assert_int_equal(session_lookup(db, tok, &uid, csrf2, sizeof csrf2, h2, sizeof h2), 0);
    assert_string_equal(csrf, csrf2);
    /* another session of the same user has its own cookie and secret */
    char tokb[TOKEN_CHARS + 1], hashb[65], csrfb[TOKEN_CHARS + 1];
    assert_int_equal(session_create(db, 1, NULL, NULL, tokb, sizeof tokb, hashb, sizeof hashb), 0);
    assert_int_equal(session_lookup(db, tokb, &uid, csrfb, sizeof csrfb, h2, sizeof h2), 0);
    assert_string_not_equal(tokb, tok);
    assert_string_not_equal(hashb, hash);
    assert_string_not_equal(csrfb, csrf);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE ip IS NULL AND id_hash = ?", hashb), 1);

    /* unknown, malformed, or the hash itself used as a cookie */
    char other[TOKEN_CHARS + 1];
    token_random(other, sizeof other);
    assert_int_equal(session_lookup(db, other, &uid, csrf, sizeof csrf, h2, sizeof h2), -1);
    assert_int_equal(session_lookup(db, hash, &uid, csrf, sizeof csrf, h2, sizeof h2), -1);
    assert_int_equal(session_lookup(db, "", &uid, csrf, sizeof csrf, h2, sizeof h2), -1);
    assert_int_equal(session_lookup(db, NULL, &uid, csrf, sizeof csrf, h2, sizeof h2), -1);
    /* small buffers */
    assert_int_equal(session_lookup(db, tok, &uid, csrf, 10, h2, sizeof h2), -1);
    assert_int_equal(session_create(db, 1, NULL, NULL, tok, 10, hash, sizeof hash), -1);
    assert_int_equal(session_create(db, 0, NULL, NULL, tok, sizeof tok, hash, sizeof hash), -1);
    /* a user that does not exist (foreign key) */
    assert_int_equal(session_create(db, 999, NULL, NULL, other, sizeof other, h2, sizeof h2), -1);
}

static void test_session_expiry(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char tok[TOKEN_CHARS + 1], hash[65], csrf[TOKEN_CHARS + 1], h2[65];
    int64_t uid;

    /* idle for the whole idle time: gone, and the row deleted */
    assert_int_equal(session_create(db, 1, NULL, NULL, tok, sizeof tok, hash, sizeof hash), 0);
    assert_int_equal(db_exec(db, "UPDATE sessions SET last_seen_at = last_seen_at - ? WHERE id_hash = ?",
                             PARAMS(P_INT(SESSION_IDLE_SECONDS), P_STR(hash))),
                     DB_OK);
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), -1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE id_hash = ?", hash), 0);

    /* idle a little less than that: alive, and last_seen_at refreshed */
    assert_int_equal(session_create(db, 1, NULL, NULL, tok, sizeof tok, hash, sizeof hash), 0);
    int64_t now = now_utc();
    assert_int_equal(db_exec(db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now - SESSION_IDLE_SECONDS + 30), P_STR(hash))),
                     DB_OK);
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), 0);
    ASSERT_NEAR(q_int(db, "SELECT last_seen_at FROM sessions WHERE id_hash = ?", hash), now, 2);

    /* seen 30 s ago: not rewritten (at most one write a minute) */
    assert_int_equal(db_exec(db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now - 30), P_STR(hash))),
                     DB_OK);
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), 0);
    assert_int_equal(q_int(db, "SELECT last_seen_at FROM sessions WHERE id_hash = ?", hash), now - 30);
    /* seen 2 min ago: rewritten */
    assert_int_equal(db_exec(db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now - 120), P_STR(hash))),
                     DB_OK);
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), 0);
    ASSERT_NEAR(q_int(db, "SELECT last_seen_at FROM sessions WHERE id_hash = ?", hash), now, 2);

    /* active all along but created 12 h ago: absolute expiry */
    assert_int_equal(db_exec(db, "UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now_utc() - SESSION_ABSOLUTE_SECONDS), P_INT(now_utc()),
                                    P_STR(hash))),
                     DB_OK);
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), -1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE id_hash = ?", hash), 0);

    /* created 11 h 59 min ago: still fine */
    assert_int_equal(session_create(db, 1, NULL, NULL, tok, sizeof tok, hash, sizeof hash), 0);
    assert_int_equal(db_exec(db, "UPDATE sessions SET created_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now_utc() - SESSION_ABSOLUTE_SECONDS + 60), P_STR(hash))),
                     DB_OK);
    assert_int_equal(session_lookup(db, tok, &uid, csrf, sizeof csrf, h2, sizeof h2), 0);
}

static void test_session_delete(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char t1[TOKEN_CHARS + 1], h1[65], t2[TOKEN_CHARS + 1], h2[65], t3[TOKEN_CHARS + 1], h3[65];
    char csrf[TOKEN_CHARS + 1], hh[65];
    int64_t uid;
    /* a new id at login replaces the old session */
    assert_int_equal(session_create(db, 1, NULL, NULL, t1, sizeof t1, h1, sizeof h1), 0);
    assert_int_equal(session_create(db, 1, NULL, h1, t2, sizeof t2, h2, sizeof h2), 0);
    assert_string_not_equal(t1, t2);
    assert_int_equal(session_lookup(db, t1, &uid, csrf, sizeof csrf, hh, sizeof hh), -1);
    assert_int_equal(session_lookup(db, t2, &uid, csrf, sizeof csrf, hh, sizeof hh), 0);
    /* logout */
    assert_int_equal(session_delete(db, h2), 0);
    assert_int_equal(session_lookup(db, t2, &uid, csrf, sizeof csrf, hh, sizeof hh), -1);
    assert_int_equal(session_delete(db, NULL), -1);

    /* every session of a user, not the others' */
    assert_int_equal(session_create(db, 1, NULL, NULL, t1, sizeof t1, h1, sizeof h1), 0);
    assert_int_equal(session_create(db, 1, NULL, NULL, t2, sizeof t2, h2, sizeof h2), 0);
    assert_int_equal(session_create(db, 2, NULL, NULL, t3, sizeof t3, h3, sizeof h3), 0);
    assert_int_equal(session_delete_user(db, 1), 0);
    assert_int_equal(session_lookup(db, t1, &uid, csrf, sizeof csrf, hh, sizeof hh), -1);
    assert_int_equal(session_lookup(db, t2, &uid, csrf, sizeof csrf, hh, sizeof hh), -1);
    assert_int_equal(session_lookup(db, t3, &uid, csrf, sizeof csrf, hh, sizeof hh), 0);
    assert_int_equal(uid, 2);

    /* deleting the user deletes their sessions (foreign key) */
    assert_int_equal(db_exec(db, "DELETE FROM users WHERE id = 2", NOPARAMS), DB_OK);
    assert_int_equal(session_lookup(db, t3, &uid, csrf, sizeof csrf, hh, sizeof hh), -1);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM sessions", NOPARAMS, -1), 0);

    /* purge: one idle, one past its absolute limit, one alive */
    assert_int_equal(session_create(db, 1, NULL, NULL, t1, sizeof t1, h1, sizeof h1), 0);
    assert_int_equal(session_create(db, 1, NULL, NULL, t2, sizeof t2, h2, sizeof h2), 0);
    assert_int_equal(session_create(db, 3, NULL, NULL, t3, sizeof t3, h3, sizeof h3), 0);
    int64_t now = now_utc();
    assert_int_equal(db_exec(db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now - SESSION_IDLE_SECONDS - 5), P_STR(h1))),
                     DB_OK);
    assert_int_equal(db_exec(db, "UPDATE sessions SET created_at = ? WHERE id_hash = ?",
                             PARAMS(P_INT(now - SESSION_ABSOLUTE_SECONDS - 5), P_STR(h2))),
                     DB_OK);
    assert_int_equal(session_purge_expired(db), 0);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM sessions", NOPARAMS, -1), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sessions WHERE id_hash = ?", h3), 1);
}

/* ---------- API tokens */

static void test_api_tokens(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char tok[64], tok2[64];
    int64_t id = 0, id2 = 0, uid = 0;
    assert_int_equal(api_token_create(db, 1, "ci", 0, tok, sizeof tok, &id), 0);
    assert_true(id > 0);
    assert_int_equal(strlen(tok), strlen(API_TOKEN_PREFIX) + TOKEN_CHARS);
    assert_true(strncmp(tok, "jouda_", 6) == 0);
    assert_int_equal(api_token_create(db, 2, NULL, 0, tok2, sizeof tok2, &id2), 0);
    assert_true(id2 != id);
    assert_string_not_equal(tok, tok2);
    /* stored as the keyed hash only */
    char h[65];
    token_keyed_hash(tok, h, sizeof h);
    assert_int_equal(q_int(db, "SELECT count(*) FROM api_tokens WHERE token_hash = ?", tok), 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM api_tokens WHERE token_hash = ?", h), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM api_tokens WHERE label = ?", "ci"), 1);

    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    assert_int_equal(uid, 1);
    assert_int_equal(api_token_lookup(db, tok2, &uid), 0);
    assert_int_equal(uid, 2);
    ASSERT_NEAR(q_int(db, "SELECT last_used_at FROM api_tokens WHERE token_hash = ?", h), now_utc(), 2);
    /* last_used_at written at most once a minute */
    int64_t now = now_utc();
    assert_int_equal(db_exec(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                             PARAMS(P_INT(now - 30), P_INT(id))),
                     DB_OK);
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    assert_int_equal(q_int(db, "SELECT last_used_at FROM api_tokens WHERE token_hash = ?", h), now - 30);

    /* altered, unprefixed, malformed */
    char t[80];
    snprintf(t, sizeof t, "%s", tok);
    t[10] = t[10] == 'A' ? 'B' : 'A';
    assert_int_equal(api_token_lookup(db, t, &uid), -1);
    assert_int_equal(api_token_lookup(db, tok + 6, &uid), -1);
    snprintf(t, sizeof t, "JOUDA_%s", tok + 6);
    assert_int_equal(api_token_lookup(db, t, &uid), -1);
    snprintf(t, sizeof t, "%s ", tok);
    assert_int_equal(api_token_lookup(db, t, &uid), -1);
    assert_int_equal(api_token_lookup(db, "jouda_", &uid), -1);
    assert_int_equal(api_token_lookup(db, NULL, &uid), -1);

    /* revoke: only by its owner */
    assert_int_equal(api_token_revoke(db, id, 2), -1);
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    assert_int_equal(api_token_revoke(db, id, 1), 0);
    assert_int_equal(api_token_lookup(db, tok, &uid), -1);
    assert_int_equal(api_token_lookup(db, tok2, &uid), 0);
    assert_int_equal(api_token_revoke(db, id + id2 + 100, 1), -1);
    assert_int_equal(api_token_revoke(db, 0, 1), -1);

    /* bad arguments */
    assert_int_equal(api_token_create(db, 1, "x", 0, t, 20, &id), -1);
    assert_int_equal(api_token_create(db, 0, "x", 0, t, sizeof t, &id), -1);
    assert_int_equal(api_token_create(db, 999, "x", 0, t, sizeof t, &id), -1); /* no such user */
}

static int64_t token_col(db_t *db, const char *col, int64_t id)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM api_tokens WHERE id = ?", col);
    return db_query_int(db, sql, PARAMS(P_INT(id)), -999);
}

static void set_token_col(db_t *db, const char *col, int64_t id, int64_t v)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE api_tokens SET %s = ? WHERE id = ?", col);
    assert_int_equal(db_exec(db, sql, PARAMS(P_INT(v), P_INT(id))), DB_OK);
}

#define DAY INT64_C(86400)

static void test_api_token_expiry(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char tok[64], t2[64];
    int64_t id = 0, id2 = 0, uid = 0, now = now_utc();
    /* by default 90 days */
    assert_int_equal(api_token_create(db, 1, "default", 0, tok, sizeof tok, &id), 0);
    ASSERT_NEAR(token_col(db, "expires_at", id), now + API_TOKEN_DAYS_DEFAULT * DAY, 2);
    assert_int_equal(API_TOKEN_DAYS_DEFAULT, 90);
    assert_int_equal(API_TOKEN_DAYS_MAX, 365);
    /* an expiry given: kept as given, within a year */
    assert_int_equal(api_token_create(db, 1, "hour", now + 3600, t2, sizeof t2, &id2), 0);
    assert_int_equal(token_col(db, "expires_at", id2), now + 3600);
    assert_int_equal(api_token_create(db, 1, "year", now_utc() + 365 * DAY, t2, sizeof t2, &id2), 0);
    /* in the past, now, or beyond a year: refused, nothing stored */
    int64_t before = db_query_int(db, "SELECT count(*) FROM api_tokens", NOPARAMS, -1);
    assert_int_equal(api_token_create(db, 1, "past", now - 1, t2, sizeof t2, &id2), -1);
    assert_int_equal(api_token_create(db, 1, "now", now_utc(), t2, sizeof t2, &id2), -1);
    assert_int_equal(api_token_create(db, 1, "late", now_utc() + 366 * DAY, t2, sizeof t2, &id2), -1);
    assert_int_equal(api_token_create(db, 1, "neg", -5, t2, sizeof t2, &id2), -1);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM api_tokens", NOPARAMS, -1), before);

    /* valid until its expiry, not at it nor after */
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    assert_int_equal(uid, 1);
    set_token_col(db, "expires_at", id, now_utc() + 5);
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    set_token_col(db, "expires_at", id, now_utc());
    uid = 0;
    assert_int_equal(api_token_lookup(db, tok, &uid), -1);
    assert_int_equal(uid, 0);
    set_token_col(db, "expires_at", id, now_utc() - DAY);
    assert_int_equal(api_token_lookup(db, tok, &uid), -1);
    /* an expired token is not listed among the live ones, nor owned */
    json_t *live = api_token_list(db, 1, true);
    assert_non_null(live);
    size_t i;
    json_t *it;
    json_array_foreach(live, i, it)
        assert_true(json_integer_value(json_object_get(it, "id")) != id);
    json_decref(live);
    assert_int_equal(api_token_owner(db, id, true), 0);
    assert_int_equal(api_token_owner(db, id, false), 1);
    /* a row written without an expiry (the column's default) is expired */
    char h[65];
    token_keyed_hash("jouda_no-expiry", h, sizeof h);
    assert_int_equal(db_exec(db, "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (1, ?, ?)",
                             PARAMS(P_STR(h), P_INT(now))),
                     DB_OK);
    assert_int_equal(q_int(db, "SELECT expires_at FROM api_tokens WHERE token_hash = ?", h), 0);
}

static void test_api_token_last_use(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char tok[64];
    int64_t id = 0, uid = 0;
    assert_int_equal(api_token_create(db, 2, "ci", 0, tok, sizeof tok, &id), 0);
    assert_true(db_query_int(db, "SELECT count(*) FROM api_tokens WHERE id = ? AND last_used_at IS NULL",
                             PARAMS(P_INT(id)), -1) == 1);
    /* the first use is recorded */
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    ASSERT_NEAR(token_col(db, "last_used_at", id), now_utc(), 2);
    /* within the minute: not written again, however many requests */
    int64_t now = now_utc();
    for (int64_t ago = 1; ago < API_TOKEN_TOUCH_SECONDS; ago += 29) {
        set_token_col(db, "last_used_at", id, now - ago);
        for (int k = 0; k < 3; k++)
            assert_int_equal(api_token_lookup(db, tok, &uid), 0);
        assert_int_equal(token_col(db, "last_used_at", id), now - ago);
    }
    set_token_col(db, "last_used_at", id, now_utc() - API_TOKEN_TOUCH_SECONDS + 2);
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    assert_true(token_col(db, "last_used_at", id) < now_utc() - 1);
    /* a minute later: written */
    set_token_col(db, "last_used_at", id, now_utc() - API_TOKEN_TOUCH_SECONDS - 1);
    assert_int_equal(api_token_lookup(db, tok, &uid), 0);
    ASSERT_NEAR(token_col(db, "last_used_at", id), now_utc(), 2);
    /* a refused token (revoked, expired) records no use */
    set_token_col(db, "last_used_at", id, 1000);
    set_token_col(db, "expires_at", id, now_utc() - 1);
    assert_int_equal(api_token_lookup(db, tok, &uid), -1);
    assert_int_equal(token_col(db, "last_used_at", id), 1000);
    set_token_col(db, "expires_at", id, now_utc() + DAY);
    assert_int_equal(api_token_revoke(db, id, 2), 0);
    assert_int_equal(api_token_lookup(db, tok, &uid), -1);
    assert_int_equal(token_col(db, "last_used_at", id), 1000);
    assert_int_equal(API_TOKEN_TOUCH_SECONDS, 60);
}

static void test_api_token_revoke(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char tok[64], tok2[64];
    int64_t id = 0, id2 = 0, uid = 0;
    assert_int_equal(api_token_create(db, 1, "a", 0, tok, sizeof tok, &id), 0);
    assert_int_equal(api_token_create(db, 2, "b", 0, tok2, sizeof tok2, &id2), 0);
    assert_int_equal(api_token_owner(db, id, true), 1);
    assert_int_equal(api_token_owner(db, id2, true), 2);
    assert_int_equal(api_token_owner(db, id + id2 + 100, false), 0);
    /* someone else's: refused, nothing changes */
    assert_int_equal(api_token_revoke(db, id, 2), -1);
    assert_int_equal(token_col(db, "revoked", id), 0);
    /* its owner's: once; a second time says there was nothing to revoke */
    assert_int_equal(api_token_revoke(db, id, 1), 0);
    assert_int_equal(token_col(db, "revoked", id), 1);
    assert_int_equal(api_token_revoke(db, id, 1), -1);
    assert_int_equal(api_token_lookup(db, tok, &uid), -1);
    assert_int_equal(api_token_owner(db, id, true), 0);
    assert_int_equal(api_token_owner(db, id, false), 1);
    /* any owner (the command line) */
    assert_int_equal(api_token_revoke(db, id2, 0), 0);
    assert_int_equal(api_token_lookup(db, tok2, &uid), -1);
    assert_int_equal(api_token_revoke(db, id2, 0), -1);
    assert_int_equal(api_token_revoke(db, id + id2 + 100, 0), -1);
    assert_int_equal(api_token_revoke(db, id, -1), -1);
    /* the record of a revoked token, never its hash */
    json_t *t = api_token_get(db, id);
    assert_non_null(t);
    assert_int_equal(json_integer_value(json_object_get(t, "revoked")), 1);
    assert_int_equal(json_integer_value(json_object_get(t, "user_id")), 1);
    assert_string_equal(json_string_value(json_object_get(t, "label")), "a");
    assert_null(json_object_get(t, "token_hash"));
    json_decref(t);
    assert_null(api_token_get(db, id + id2 + 100));
}

static void test_api_token_revoke_user(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char a[64], b[64], c[64], d[64], e[64];
    int64_t ia, ib, ic, id_, ie, uid = 0;
    assert_int_equal(api_token_create(db, 1, "a", 0, a, sizeof a, &ia), 0);
    assert_int_equal(api_token_create(db, 1, "b", 0, b, sizeof b, &ib), 0);
    assert_int_equal(api_token_create(db, 1, "c", 0, c, sizeof c, &ic), 0);
    assert_int_equal(api_token_create(db, 1, "d", 0, d, sizeof d, &id_), 0);
    assert_int_equal(api_token_create(db, 2, "e", 0, e, sizeof e, &ie), 0);
    set_token_col(db, "expires_at", ic, now_utc() - 10); /* expired */
    assert_int_equal(api_token_revoke(db, id_, 1), 0);   /* revoked already */
    /* the live ones are revoked and counted */
    assert_int_equal(api_token_revoke_user(db, 1), 2);
    assert_int_equal(api_token_lookup(db, a, &uid), -1);
    assert_int_equal(api_token_lookup(db, b, &uid), -1);
    assert_int_equal(api_token_lookup(db, c, &uid), -1);
    assert_int_equal(api_token_lookup(db, d, &uid), -1);
    assert_int_equal(token_col(db, "revoked", ia), 1);
    assert_int_equal(token_col(db, "revoked", ib), 1);
    json_t *live = api_token_list(db, 1, true);
    assert_non_null(live);
    assert_int_equal(json_array_size(live), 0);
    json_decref(live);
    /* someone else's tokens are untouched */
    assert_int_equal(api_token_lookup(db, e, &uid), 0);
    assert_int_equal(uid, 2);
    /* nothing left to revoke */
    assert_int_equal(api_token_revoke_user(db, 1), 0);
    assert_int_equal(api_token_revoke_user(db, 3), 0);
    assert_int_equal(api_token_revoke_user(db, 0), -1);
    /* revoked for good: only a new token works again */
    char f[64];
    int64_t i_f;
    assert_int_equal(api_token_create(db, 1, "f", 0, f, sizeof f, &i_f), 0);
    assert_int_equal(api_token_lookup(db, f, &uid), 0);
    assert_int_equal(api_token_lookup(db, a, &uid), -1);
}

static void test_api_token_list(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char t[64];
    int64_t ids[4];
    const char *labels[] = {"first", "second", "third", "other"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(api_token_create(db, i < 3 ? 1 : 2, labels[i], 0, t, sizeof t, &ids[i]), 0);
    set_token_col(db, "created_at", ids[0], now_utc() - 300);
    set_token_col(db, "created_at", ids[1], now_utc() - 200);
    set_token_col(db, "created_at", ids[2], now_utc() - 100);
    assert_int_equal(api_token_revoke(db, ids[1], 1), 0);
    /* live ones of user 1, newest first, never a hash */
    json_t *live = api_token_list(db, 1, true);
    assert_non_null(live);
    assert_int_equal(json_array_size(live), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(live, 0), "id")), ids[2]);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(live, 1), "id")), ids[0]);
    json_t *first = json_array_get(live, 0);
    static const char *const keys[] = {"id", "user_id", "label", "created_at", "expires_at",
                                       "last_used_at", "revoked"};
    assert_int_equal(json_object_size(first), ARRAY_LEN(keys));
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        assert_non_null(json_object_get(first, keys[k]));
    assert_true(json_is_null(json_object_get(first, "last_used_at")));
    assert_string_equal(json_string_value(json_object_get(first, "label")), "third");
    json_decref(live);
    /* all of user 1 (revoked too), by id; everybody's */
    json_t *all = api_token_list(db, 1, false);
    assert_int_equal(json_array_size(all), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 1), "revoked")), 1);
    json_decref(all);
    all = api_token_list(db, 0, false);
    assert_int_equal(json_array_size(all), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 3), "user_id")), 2);
    json_decref(all);
    json_t *none = api_token_list(db, 3, true);
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);
    assert_null(api_token_list(db, -1, false));
}

/* Tokens stored before version 24 get an expiry 90 days from the migration. */
static void test_api_token_migration(void **state)
{
    test_db_t *f = *state;
    db_t *db = test_db_or_skip(f);
    assert_int_equal(db_exec(db, "DROP TABLE api_tokens", NOPARAMS), DB_OK);
    assert_int_equal(db_exec(db, "DELETE FROM schema_migrations WHERE version = 24", NOPARAMS), DB_OK);
    /* the table as version 22 made it */
    const db_migration_t *v22 = NULL;
    const db_migration_t *v24 = NULL;
    for (size_t i = 0; i < auth_migrations_count; i++) {
        if (auth_migrations[i].version == 22)
            v22 = &auth_migrations[i];
        if (auth_migrations[i].version == 24)
            v24 = &auth_migrations[i];
    }
    assert_non_null(v22);
    assert_non_null(v24);
    char *sql = db_dialect(f->pg ? DB_PG : DB_SQLITE, v22->sql);
    char *save = NULL;
    for (char *st = strtok_r(sql, ";", &save); st; st = strtok_r(NULL, ";", &save))
        assert_int_equal(db_exec(db, st, NOPARAMS), DB_OK);
    free(sql);
    int64_t now = now_utc();
    assert_int_equal(db_exec(db, "INSERT INTO api_tokens (user_id, token_hash, label, created_at, revoked) "
                                 "VALUES (1, 'h1', 'old', ?, 0), (2, 'h2', 'older', ?, 1)",
                             PARAMS(P_INT(now - 400 * DAY), P_INT(now - 500 * DAY))),
                     DB_OK);
    const char *has24 = "SELECT COUNT(*) FROM schema_migrations WHERE version = 24";
    assert_int_equal(db_query_int(db, has24, NOPARAMS, -1), 0);
    char err[256] = "";
    assert_int_equal(db_migrate(db, auth_migrations, auth_migrations_count, err, sizeof err), DB_OK);
    assert_int_equal(db_query_int(db, has24, NOPARAMS, -1), 1);
    ASSERT_NEAR(q_int(db, "SELECT expires_at FROM api_tokens WHERE token_hash = ?", "h1"), now + 90 * DAY, 5);
    ASSERT_NEAR(q_int(db, "SELECT expires_at FROM api_tokens WHERE token_hash = ?", "h2"), now + 90 * DAY, 5);
    assert_int_equal(q_int(db, "SELECT revoked FROM api_tokens WHERE token_hash = ?", "h2"), 1);
}

/* ---------- throttling */

static void test_throttle_delay(void **state)
{
    (void)state;
    /* a pair or a device: two failures free, then 1 s doubling up to 15 min */
    assert_int_equal(throttle_delay(0, THROTTLE_PAIR_FREE), 0);
    assert_int_equal(throttle_delay(1, THROTTLE_PAIR_FREE), 0);
    assert_int_equal(throttle_delay(2, THROTTLE_PAIR_FREE), 0);
    assert_int_equal(throttle_delay(3, THROTTLE_PAIR_FREE), 1);
    assert_int_equal(throttle_delay(4, THROTTLE_PAIR_FREE), 2);
    assert_int_equal(throttle_delay(5, THROTTLE_PAIR_FREE), 4);
    assert_int_equal(throttle_delay(6, THROTTLE_PAIR_FREE), 8);
    assert_int_equal(throttle_delay(12, THROTTLE_PAIR_FREE), 512);
    assert_int_equal(throttle_delay(13, THROTTLE_PAIR_FREE), 900);
    assert_int_equal(throttle_delay(14, THROTTLE_PAIR_FREE), 900);
    assert_int_equal(throttle_delay(1000, THROTTLE_PAIR_FREE), 900);
    assert_int_equal(throttle_delay(INT64_MAX, THROTTLE_PAIR_FREE), 900);
    assert_int_equal(THROTTLE_MAX_DELAY, 900);
    /* an address, whatever the accounts: nineteen free, then the same */
    assert_int_equal(throttle_delay(19, THROTTLE_ADDRESS_FREE), 0);
    assert_int_equal(throttle_delay(20, THROTTLE_ADDRESS_FREE), 1);
    assert_int_equal(throttle_delay(21, THROTTLE_ADDRESS_FREE), 2);
    assert_int_equal(throttle_delay(29, THROTTLE_ADDRESS_FREE), 512);
    assert_int_equal(throttle_delay(30, THROTTLE_ADDRESS_FREE), 900);
    /* nonsense counts */
    assert_int_equal(throttle_delay(-5, THROTTLE_PAIR_FREE), 0);
    assert_int_equal(throttle_delay(INT64_MIN, THROTTLE_PAIR_FREE), 0);
    assert_int_equal(throttle_delay(0, 0), 0);
    assert_int_equal(throttle_delay(1, 0), 1);
    /* never decreasing, never above the cap */
    for (int64_t free_n = 1; free_n <= 25; free_n++)
        for (int64_t n = 0; n < 200; n++) {
            int64_t a = throttle_delay(n, free_n), b = throttle_delay(n + 1, free_n);
            assert_true(a <= b);
            assert_true(b <= THROTTLE_MAX_DELAY);
        }
}

/* ---------- device cookies */

/* Split a value into its five dot-separated fields (in buf). */
static int split_fields(char *buf, char *f[5])
{
    int n = 0;
    for (char *p = buf, *tok; n < 5 && (tok = strsep(&p, ".")); n++)
        f[n] = tok;
    return n;
}

static void test_device_cookie(void **state)
{
    db_t *db = test_db_or_skip(*state);
    (void)db;
    int64_t now = now_utc();
    char v[DEVICE_COOKIE_MAX], v2[DEVICE_COOKIE_MAX], id[DEVICE_ID_CHARS + 1], id2[DEVICE_ID_CHARS + 1];
    assert_int_equal(device_cookie_make(7, now + DEVICE_COOKIE_SECONDS, v, sizeof v), 0);
    assert_true(strlen(v) < DEVICE_COOKIE_MAX);
    /* "1.<user>.<expires>.<id>.<signature>" */
    char buf[DEVICE_COOKIE_MAX], *f[5];
    snprintf(buf, sizeof buf, "%s", v);
    assert_int_equal(split_fields(buf, f), 5);
    assert_string_equal(f[0], "1");
    assert_string_equal(f[1], "7");
    char exp[32];
    snprintf(exp, sizeof exp, "%lld", (long long)(now + DEVICE_COOKIE_SECONDS));
    assert_string_equal(f[2], exp);
    assert_int_equal(strlen(f[3]), DEVICE_ID_CHARS);
    assert_int_equal(strlen(f[4]), 64);
    /* a cookie of the server, for its account, before it expires */
    assert_true(device_cookie_check(v, 7, now, id, sizeof id));
    assert_string_equal(id, f[3]);
    assert_true(device_cookie_check(v, 7, now + DEVICE_COOKIE_SECONDS - 1, id, sizeof id));
    /* it expires */
    assert_false(device_cookie_check(v, 7, now + DEVICE_COOKIE_SECONDS, id, sizeof id));
    assert_false(device_cookie_check(v, 7, now + DEVICE_COOKIE_SECONDS + 86400, id, sizeof id));
    assert_string_equal(id, "");
    char old[DEVICE_COOKIE_MAX];
    assert_int_equal(device_cookie_make(7, now - 1, old, sizeof old), 0);
    assert_false(device_cookie_check(old, 7, now, id, sizeof id));
    /* it names one account: never valid for another */
    assert_false(device_cookie_check(v, 8, now, id, sizeof id));
    assert_false(device_cookie_check(v, 70, now, id, sizeof id));
    /* each sign-in gives another device id */
    assert_int_equal(device_cookie_make(7, now + DEVICE_COOKIE_SECONDS, v2, sizeof v2), 0);
    assert_true(device_cookie_check(v2, 7, now, id2, sizeof id2));
    assert_string_not_equal(id, id2);

    /* tampering: every character changed, one at a time, breaks it */
    size_t len = strlen(v);
    for (size_t i = 0; i < len; i++) {
        char t[DEVICE_COOKIE_MAX];
        memcpy(t, v, len + 1);
        if (t[i] == '.')
            continue;
        t[i] = t[i] == '1' ? '2' : t[i] == 'a' ? 'b' : (t[i] >= '0' && t[i] <= '9') ? '1' : 'a';
        if (strcmp(t, v) == 0)
            t[i] = 'c';
        if (device_cookie_check(t, 7, now, id, sizeof id))
            fail_msg("a cookie changed at %zu still passes: %s", i, t);
    }
    /* another account or a later expiry with the same signature */
    char forged[3 * DEVICE_COOKIE_MAX];
    snprintf(forged, sizeof forged, "1.8.%s.%s.%s", f[2], f[3], f[4]);
    assert_false(device_cookie_check(forged, 8, now, id, sizeof id));
    snprintf(forged, sizeof forged, "1.7.%lld.%s.%s", (long long)(now + 10 * DEVICE_COOKIE_SECONDS),
             f[3], f[4]);
    assert_false(device_cookie_check(forged, 7, now + 2 * DEVICE_COOKIE_SECONDS, id, sizeof id));
    /* the signature of another cookie, another device id */
    char b2[DEVICE_COOKIE_MAX], *g[5];
    snprintf(b2, sizeof b2, "%s", v2);
    assert_int_equal(split_fields(b2, g), 5);
    snprintf(forged, sizeof forged, "1.7.%s.%s.%s", f[2], g[3], f[4]);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    /* upper-case hex, a shorter or longer signature, extra or missing fields */
    snprintf(forged, sizeof forged, "%s", v);
    for (char *p = forged + strlen(forged) - 64; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    snprintf(forged, sizeof forged, "%.*s", (int)len - 1, v);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    snprintf(forged, sizeof forged, "%s0", v);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    snprintf(forged, sizeof forged, "%s.%s", v, f[4]);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    snprintf(forged, sizeof forged, "7.%s.%s.%s", f[2], f[3], f[4]);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    snprintf(forged, sizeof forged, "2.7.%s.%s.%s", f[2], f[3], f[4]);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    snprintf(forged, sizeof forged, "1.07.%s.%s.%s", f[2], f[3], f[4]);
    assert_false(device_cookie_check(forged, 7, now, id, sizeof id));
    assert_false(device_cookie_check("", 7, now, id, sizeof id));
    assert_false(device_cookie_check(NULL, 7, now, id, sizeof id));
    assert_false(device_cookie_check("1.7.9999999999.aaaaaaaaaaaaaaaaaaaaaa.", 7, now, id, sizeof id));
    assert_false(device_cookie_check("....", 7, now, id, sizeof id));
    char huge[400];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_false(device_cookie_check(huge, 7, now, id, sizeof id));
    /* the original still passes; bad arguments do not */
    assert_true(device_cookie_check(v, 7, now, id, sizeof id));
    assert_false(device_cookie_check(v, 0, now, id, sizeof id));
    assert_false(device_cookie_check(v, 7, now, id, DEVICE_ID_CHARS));
    assert_false(device_cookie_check(v, 7, now, NULL, 0));
    char small[10];
    assert_int_equal(device_cookie_make(7, now + 10, small, sizeof small), -1);
    assert_int_equal(device_cookie_make(0, now + 10, v2, sizeof v2), -1);
    assert_string_equal(v2, "");

    /* signed with the server key: under another key it is worthless */
    assert_int_equal(db_exec(db, "UPDATE settings SET value = ? WHERE key = 'server_key'",
                             PARAMS(P_TEXT("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"))),
                     DB_OK);
    assert_int_equal(auth_load_server_key(db), 0);
    assert_false(device_cookie_check(v, 7, now, id, sizeof id));
    assert_int_equal(device_cookie_make(7, now + 60, v2, sizeof v2), 0);
    assert_true(device_cookie_check(v2, 7, now, id, sizeof id));
}

static int64_t failures_of(db_t *db, const char *kind)
{
    return q_int(db, "SELECT count(*) FROM login_failures WHERE kind = ?", kind);
}

/* Time passes: every failure and alert goes back by s seconds. */
static void age(db_t *db, int64_t s)
{
    assert_int_equal(db_exec(db, "UPDATE login_failures SET at = at - ?", PARAMS(P_INT(s))), DB_OK);
    assert_int_equal(db_exec(db, "UPDATE login_alerts SET last_at = last_at - ?", PARAMS(P_INT(s))),
                     DB_OK);
}

static void test_throttle_pair(void **state)
{
    db_t *db = test_db_or_skip(*state);
    throttle_who_t a = {.account = "user:7", .ip = "192.0.2.1", .exists = true};
    throttle_who_t b = {.account = "user:7", .ip = "198.51.100.9", .exists = true};
    /* two failures cost nothing, the third one second */
    assert_int_equal(throttle_wait(db, &a), 0);
    assert_false(throttle_record_failure(db, &a));
    assert_false(throttle_record_failure(db, &a));
    assert_int_equal(throttle_wait(db, &a), 0);
    assert_false(throttle_record_failure(db, &a));
    ASSERT_NEAR(throttle_wait(db, &a), 1, 1);
    assert_true(throttle_wait(db, &a) >= 1);
    /* the account is never locked for everyone: another address may try */
    assert_int_equal(throttle_wait(db, &b), 0);
    /* the delay runs from the last failure, then doubles */
    age(db, 1);
    assert_int_equal(throttle_wait(db, &a), 0);
    throttle_record_failure(db, &a);
    ASSERT_NEAR(throttle_wait(db, &a), 2, 1);
    age(db, 2);
    assert_int_equal(throttle_wait(db, &a), 0);
    throttle_record_failure(db, &a);
    ASSERT_NEAR(throttle_wait(db, &a), 4, 1);
    age(db, 3);
    ASSERT_NEAR(throttle_wait(db, &a), 1, 1);
    assert_int_equal(throttle_wait(db, &b), 0);
    /* up to 15 minutes at most */
    for (int i = 0; i < 15; i++)
        throttle_record_failure(db, &a);
    ASSERT_NEAR(throttle_wait(db, &a), THROTTLE_MAX_DELAY, 1);
    age(db, 600);
    ASSERT_NEAR(throttle_wait(db, &a), THROTTLE_MAX_DELAY - 600, 1);
    assert_int_equal(throttle_wait(db, &b), 0);
    /* failures older than the window no longer count */
    age(db, THROTTLE_WINDOW_SECONDS);
    assert_int_equal(throttle_wait(db, &a), 0);
    throttle_record_failure(db, &a);
    assert_int_equal(throttle_wait(db, &a), 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM login_failures WHERE kind = 'pair' AND key = ?",
                           "user:7|192.0.2.1"),
                     1);

    /* a success clears the pair, not the address */
    for (int i = 0; i < 5; i++)
        throttle_record_failure(db, &a);
    assert_true(throttle_wait(db, &a) > 0);
    int64_t address_rows = failures_of(db, "address");
    throttle_record_success(db, &a);
    assert_int_equal(throttle_wait(db, &a), 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM login_failures WHERE kind = 'pair' AND key = ?",
                           "user:7|192.0.2.1"),
                     0);
    assert_int_equal(failures_of(db, "address"), address_rows);

    /* typed logins are compared without regard to ASCII case; the login's
     * counter is its own, whatever its text */
    throttle_who_t typed = {.account = "Amina.Benali@Example.ma", .ip = "192.0.2.1"};
    throttle_who_t lower = {.account = "amina.benali@example.ma", .ip = "192.0.2.1"};
    for (int i = 0; i < 3; i++)
        assert_false(throttle_record_failure(db, &typed));
    assert_true(throttle_wait(db, &lower) > 0);
    throttle_who_t other = {.account = "someone.else", .ip = "192.0.2.1"};
    assert_int_equal(throttle_wait(db, &other), 0);
    /* logins that are not valid UTF-8, or very long, still count */
    throttle_who_t bad = {.account = "bad\xff\xfe login", .ip = "192.0.2.1"};
    throttle_who_t bad2 = {.account = "bad\xff\xfd login", .ip = "192.0.2.1"};
    for (int i = 0; i < 3; i++)
        throttle_record_failure(db, &bad);
    assert_true(throttle_wait(db, &bad) > 0);
    assert_int_equal(throttle_wait(db, &bad2), 0);
    char longkey[1000];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    throttle_who_t lng = {.account = longkey, .ip = "192.0.2.1"};
    for (int i = 0; i < 3; i++)
        throttle_record_failure(db, &lng);
    assert_true(throttle_wait(db, &lng) > 0);
    longkey[500] = 'j';
    assert_int_equal(throttle_wait(db, &lng), 0);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM login_failures WHERE length(key) > ?",
                                  PARAMS(P_INT(201)), -1),
                     0);
    /* nothing to go by */
    throttle_who_t none = {0};
    assert_int_equal(throttle_wait(db, &none), 0);
    assert_false(throttle_record_failure(db, &none));
    assert_int_equal(throttle_wait(NULL, &a), 0);
    assert_int_equal(throttle_wait(db, NULL), 0);
}

static void test_throttle_device(void **state)
{
    db_t *db = test_db_or_skip(*state);
    throttle_who_t stranger = {.account = "user:7", .ip = "192.0.2.1", .exists = true};
    throttle_who_t mine = {.account = "user:7", .ip = "192.0.2.1", .device = "AAAAAAAAAAAAAAAAAAAAAA", .exists = true};
    throttle_who_t other_device = {.account = "user:7", .ip = "192.0.2.1", .device = "BBBBBBBBBBBBBBBBBBBBBB", .exists = true};
    /* failures pile up from the device's own address and from elsewhere */
    for (int i = 0; i < 40; i++)
        throttle_record_failure(db, &stranger);
    for (int i = 0; i < 40; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "203.0.113.%d", i);
        throttle_who_t w = {.account = "user:7", .ip = ip, .exists = true};
        throttle_record_failure(db, &w);
    }
    ASSERT_NEAR(throttle_wait(db, &stranger), THROTTLE_MAX_DELAY, 1);
    /* a device that signed in before is not slowed down by them */
    assert_int_equal(throttle_wait(db, &mine), 0);
    assert_int_equal(throttle_wait(db, &other_device), 0);
    /* its own failures count against it alone */
    for (int i = 0; i < 3; i++)
        throttle_record_failure(db, &mine);
    ASSERT_NEAR(throttle_wait(db, &mine), 1, 1);
    assert_true(throttle_wait(db, &mine) >= 1);
    assert_int_equal(throttle_wait(db, &other_device), 0);
    age(db, 1);
    throttle_record_failure(db, &mine);
    ASSERT_NEAR(throttle_wait(db, &mine), 2, 1);
    assert_int_equal(failures_of(db, "device"), 4);
    /* they were not counted against the pair nor the address */
    assert_int_equal(q_int(db, "SELECT count(*) FROM login_failures WHERE kind = 'pair' AND key = ?",
                           "user:7|192.0.2.1"),
                     40);
    assert_int_equal(q_int(db, "SELECT count(*) FROM login_failures WHERE kind = 'address' AND key = ?",
                           "192.0.2.1"),
                     40);
    /* its success clears its own failures, not the others' */
    throttle_record_success(db, &mine);
    assert_int_equal(throttle_wait(db, &mine), 0);
    assert_int_equal(failures_of(db, "device"), 0);
    assert_true(throttle_wait(db, &stranger) > 0);
}

static void test_throttle_address(void **state)
{
    db_t *db = test_db_or_skip(*state);
    /* many logins tried from one address: nineteen cost nothing */
    char acct[32];
    for (int i = 0; i < THROTTLE_ADDRESS_FREE - 1; i++) {
        snprintf(acct, sizeof acct, "guess%d", i);
        throttle_who_t w = {.account = acct, .ip = "203.0.113.5"};
        throttle_record_failure(db, &w);
    }
    throttle_who_t fresh = {.account = "new.user", .ip = "203.0.113.5"};
    assert_int_equal(throttle_wait(db, &fresh), 0);
    throttle_who_t last = {.account = "guess19", .ip = "203.0.113.5"};
    throttle_record_failure(db, &last);
    /* the twentieth slows that address down, for every account */
    ASSERT_NEAR(throttle_wait(db, &fresh), 1, 1);
    assert_true(throttle_wait(db, &fresh) >= 1);
    throttle_who_t known = {.account = "user:3", .ip = "203.0.113.5", .exists = true};
    assert_true(throttle_wait(db, &known) >= 1);
    /* not another address, nor a device that signed in to its account before */
    throttle_who_t elsewhere = {.account = "user:3", .ip = "203.0.113.6", .exists = true};
    assert_int_equal(throttle_wait(db, &elsewhere), 0);
    throttle_who_t device = {.account = "user:3", .ip = "203.0.113.5", .device = "CCCCCCCCCCCCCCCCCCCCCC", .exists = true};
    assert_int_equal(throttle_wait(db, &device), 0);
    /* growing up to 15 minutes */
    for (int i = 0; i < 10; i++) {
        snprintf(acct, sizeof acct, "more%d", i);
        throttle_who_t w = {.account = acct, .ip = "203.0.113.5"};
        throttle_record_failure(db, &w);
    }
    ASSERT_NEAR(throttle_wait(db, &fresh), THROTTLE_MAX_DELAY, 1);
    /* a success on one account does not clear the address */
    throttle_record_success(db, &known);
    ASSERT_NEAR(throttle_wait(db, &fresh), THROTTLE_MAX_DELAY, 1);
    assert_true(throttle_wait(db, &known) > 0);
}

static void test_throttle_alert(void **state)
{
    db_t *db = test_db_or_skip(*state);
    char ip[32];
    /* failures on one account from many addresses: the tenth within an hour
     * alerts its owner, once */
    int alerts = 0, at = 0;
    for (int i = 1; i <= 25; i++) {
        snprintf(ip, sizeof ip, "198.51.100.%d", i);
        throttle_who_t w = {.account = "user:9", .ip = ip, .exists = true};
        if (throttle_record_failure(db, &w)) {
            alerts++;
            at = i;
        }
    }
    assert_int_equal(alerts, 1);
    assert_int_equal(at, THROTTLE_ALERT_FAILURES);
    /* nor is anybody slowed down by them */
    throttle_who_t owner = {.account = "user:9", .ip = "192.0.2.200", .exists = true};
    assert_int_equal(throttle_wait(db, &owner), 0);
    /* the burst goes on while failures come less than an hour apart */
    age(db, 50 * 60);
    throttle_who_t late = {.account = "user:9", .ip = "192.0.2.77", .device = "DDDDDDDDDDDDDDDDDDDDDD", .exists = true};
    for (int i = 0; i < 12; i++)
        assert_false(throttle_record_failure(db, &late));
    age(db, 50 * 60);
    for (int i = 0; i < 12; i++)
        assert_false(throttle_record_failure(db, &late));
    /* an hour without failures ends it: the next burst is reported again
     * (failures made from a device count as well) */
    age(db, THROTTLE_ALERT_SECONDS + 1);
    alerts = 0;
    at = 0;
    for (int i = 1; i <= 15; i++)
        if (throttle_record_failure(db, &late)) {
            alerts++;
            at = i;
        }
    assert_int_equal(alerts, 1);
    assert_int_equal(at, THROTTLE_ALERT_FAILURES);
    /* fewer than ten in any hour: no alert */
    throttle_who_t slow = {.account = "user:10", .ip = "192.0.2.5", .exists = true};
    for (int i = 0; i < 30; i++) {
        assert_false(throttle_record_failure(db, &slow));
        if (i % 9 == 8)
            age(db, THROTTLE_ALERT_SECONDS);
    }
    /* logins that match no account alert nobody */
    for (int i = 0; i < 30; i++) {
        snprintf(ip, sizeof ip, "198.51.100.%d", i);
        throttle_who_t w = {.account = "nobody@example.org", .ip = ip};
        assert_false(throttle_record_failure(db, &w));
    }
    assert_int_equal(q_int(db, "SELECT count(*) FROM login_failures WHERE kind = ? AND key LIKE 'nobody%'",
                           "account"),
                     0);
}

/* What the handlers checking a password answer to an attempt made too early
 * (the account module's helper): at once, Retry-After in seconds; the page's
 * message is left to the handler, an API path gets the JSON error. Without
 * catalogues the texts are the msgids. */
static void test_too_early_answer(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/login");
    assert_string_equal(account_too_early(r, 4), "Too many attempts; try again in 4 seconds.");
    assert_string_equal(http_kv_get(r->http->resp_headers, "Retry-After"), "4");
    assert_int_equal(r->http->status, 0); /* the page is the handler's */
    test_req_free(r);
    r = test_req("POST", "/login");
    assert_string_equal(account_too_early(r, 1), "Too many attempts; try again in 1 second.");
    test_req_free(r);
    /* from a minute on, in minutes rounded up; the header stays in seconds */
    r = test_req("POST", "/profile/password");
    assert_string_equal(account_too_early(r, 61), "Too many attempts; try again in 2 minutes.");
    assert_string_equal(http_kv_get(r->http->resp_headers, "Retry-After"), "61");
    test_req_free(r);
    /* an API path */
    r = test_req("POST", "/api/v1/tokens");
    assert_null(account_too_early(r, 900));
    assert_int_equal(r->http->status, 429);
    assert_string_equal(http_kv_get(r->http->resp_headers, "Retry-After"), "900");
    json_t *j = json_loads(r->http->resp_body.data, 0, NULL);
    assert_non_null(j);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "too_many");
    assert_int_equal(json_integer_value(json_object_get(e, "retry_after")), 900);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "Too many attempts; try again in 15 minutes.");
    json_decref(j);
    test_req_free(r);
    /* never less than a second */
    r = test_req("POST", "/login");
    account_too_early(r, 0);
    assert_string_equal(http_kv_get(r->http->resp_headers, "Retry-After"), "1");
    test_req_free(r);
}

#define DB_TESTS(fn)                                                                               \
    cmocka_unit_test_setup_teardown(fn, setup_sqlite, test_db_teardown),                           \
        cmocka_unit_test_setup_teardown(fn, setup_pg, test_db_teardown)

int main(void)
{
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_password_problem),
        cmocka_unit_test(test_password_concurrency_cap),
        cmocka_unit_test(test_token_random),
        cmocka_unit_test(test_csrf),
        DB_TESTS(test_keyed_hash),
        DB_TESTS(test_session_create_lookup),
        DB_TESTS(test_session_expiry),
        DB_TESTS(test_session_delete),
        DB_TESTS(test_api_tokens),
        DB_TESTS(test_api_token_expiry),
        DB_TESTS(test_api_token_last_use),
        DB_TESTS(test_api_token_revoke),
        DB_TESTS(test_api_token_revoke_user),
        DB_TESTS(test_api_token_list),
        DB_TESTS(test_api_token_migration),
        cmocka_unit_test(test_throttle_delay),
        cmocka_unit_test(test_too_early_answer),
        DB_TESTS(test_device_cookie),
        DB_TESTS(test_throttle_pair),
        DB_TESTS(test_throttle_device),
        DB_TESTS(test_throttle_address),
        DB_TESTS(test_throttle_alert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
