/* test_totp.c - two-step verification: the codes of RFC 6238 (its SHA-1
 * vectors, taken to 6 digits), the window of one step either side, a step
 * accepted once, malformed codes, base32, the otpauth:// URI, the QR code's
 * SVG (well-formed, nothing unescaped), recovery codes; then the enrolment
 * in the database (the secret sealed, never in clear; confirmation, a code
 * used once, recovery codes used once, turning off, the second step's
 * challenges), on a temporary SQLite file and, when JOUDA_TEST_PG_URL is set,
 * on PostgreSQL in a private schema (skipped otherwise). */
#include "testutil.h"

#include <ctype.h>
#include <sodium.h>

#include "account/account_internal.h"
#include "auth/seal.h"
#include "notify/notify.h"

/* RFC 6238, appendix B: the SHA-1 seed is the ASCII text "12345678901234567890". */
static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_LEN 20

/* ---------- codes of RFC 6238 */

static void test_rfc6238_vectors(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *code; /* the last 6 digits of the RFC's 8 */
    } v[] = {
        {59, "287082"},         /* 94287082 */
        {1111111109, "081804"}, /* 07081804 */
        {1111111111, "050471"}, /* 14050471 */
        {1234567890, "005924"}, /* 89005924 */
        {2000000000, "279037"}, /* 69279037 */
    };
    for (size_t i = 0; i < ARRAY_LEN(v); i++) {
        char code[TOTP_DIGITS + 1];
        assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, v[i].t, code), 0);
        assert_string_equal(code, v[i].code);
        /* accepted at that time, as the step of that time */
        assert_int_equal(totp_verify(rfc_secret, RFC_LEN, v[i].code, v[i].t, -1), v[i].t / 30);
        assert_int_equal(totp_step_of(v[i].t), v[i].t / 30);
    }
    /* a leading zero is part of the code */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, "81804", 1111111109, -1), TOTP_WRONG);
}

static void test_window(void **state)
{
    (void)state;
    const int64_t now = 1111111111;
    const int64_t step = now / 30;
    char before[7], after[7], before2[7], after2[7];
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now - 30, before), 0);
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now + 30, after), 0);
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now - 60, before2), 0);
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now + 60, after2), 0);
    /* one step either side: accepted, as its own step */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, before, now, -1), step - 1);
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, after, now, -1), step + 1);
    /* two steps away: refused */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, before2, now, -1), TOTP_WRONG);
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, after2, now, -1), TOTP_WRONG);
    /* the same code a step later is still inside the window, a step more is not */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, before, now - 30, -1), step - 1);
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, before, now + 30, -1), TOTP_WRONG);
    /* another secret's code */
    unsigned char other[RFC_LEN];
    memcpy(other, rfc_secret, RFC_LEN);
    other[0] ^= 1;
    char code[7];
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now, code), 0);
    assert_int_equal(totp_verify(other, RFC_LEN, code, now, -1), TOTP_WRONG);
}

static void test_replay(void **state)
{
    (void)state;
    const int64_t now = 1234567890;
    const int64_t step = now / 30;
    char code[7], prev[7];
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now, code), 0);
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now - 30, prev), 0);
    int64_t got = totp_verify(rfc_secret, RFC_LEN, code, now, -1);
    assert_int_equal(got, step);
    /* once accepted, its step is the last: the same code again is refused */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, code, now, got), TOTP_REPLAY);
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, code, now + 10, got), TOTP_REPLAY);
    /* and so is an older step's code still inside the window */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, prev, now, got), TOTP_REPLAY);
    /* the next step's code goes through */
    char next[7];
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now + 30, next), 0);
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, next, now + 30, got), step + 1);
    /* an older step's code when a later one was used */
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, code, now + 30, step + 1), TOTP_REPLAY);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {"",        "12345",   "1234567", "abcdef",  " 123456",
                                      "123456 ", "12 3456", "12345a",  "１２３４５６", "-12345",
                                      "+12345",  "0x1234"};
    char right[7];
    const int64_t now = 1111111111;
    assert_int_equal(totp_code_at(rfc_secret, RFC_LEN, now, right), 0);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_false(totp_code_well_formed(bad[i]));
        assert_int_equal(totp_verify(rfc_secret, RFC_LEN, bad[i], now, -1), TOTP_WRONG);
    }
    assert_false(totp_code_well_formed(NULL));
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, NULL, now, -1), TOTP_WRONG);
    /* the right code with a space around it is malformed too */
    char spaced[9];
    snprintf(spaced, sizeof spaced, " %s", right);
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, spaced, now, -1), TOTP_WRONG);
    assert_true(totp_code_well_formed(right));
    assert_int_equal(totp_verify(rfc_secret, RFC_LEN, right, now, -1), now / 30);
    /* no secret */
    assert_int_equal(totp_verify(NULL, 0, right, now, -1), TOTP_WRONG);
}

/* ---------- base32 and the URI */

static void test_base32(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    const char *b32 = totp_base32(a, rfc_secret, RFC_LEN);
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    for (int round = 0; round < 50; round++) {
        unsigned char s[TOTP_SECRET_BYTES], back[64];
        totp_secret_new(s);
        const char *t = totp_base32(a, s, sizeof s);
        assert_non_null(t);
        assert_int_equal(strlen(t), 32); /* 160 bits, no padding */
        for (const char *p = t; *p; p++)
            assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7'));
        size_t len = 0;
        assert_int_equal(totp_base32_decode(t, back, sizeof back, &len), 0);
        assert_int_equal(len, sizeof s);
        assert_memory_equal(back, s, sizeof s);
    }
    /* two secrets differ */
    unsigned char s1[TOTP_SECRET_BYTES], s2[TOTP_SECRET_BYTES];
    totp_secret_new(s1);
    totp_secret_new(s2);
    assert_memory_not_equal(s1, s2, sizeof s1);
    /* garbage does not decode */
    unsigned char out[64];
    size_t len = 9;
    assert_int_equal(totp_base32_decode("not base32!", out, sizeof out, &len), -1);
    assert_int_equal(len, 0);
    assert_int_equal(totp_base32_decode("", out, sizeof out, &len), -1);
    /* too long for the room given */
    assert_int_equal(totp_base32_decode(b32, out, 10, &len), -1);
    arena_free(a);
}

static void test_uri(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(totp_uri(a, "directrice.casa@amal.ma", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                        "otpauth://totp/Jouda:directrice.casa%40amal.ma?secret="
                        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Jouda&algorithm=SHA1&digits=6&"
                        "period=30");
    /* a label with characters of URIs and markup: every one encoded */
    assert_string_equal(totp_uri(a, "a b<&\">:/?#é", "AB"),
                        "otpauth://totp/Jouda:a%20b%3C%26%22%3E%3A%2F%3F%23%C3%A9?secret=AB&"
                        "issuer=Jouda&algorithm=SHA1&digits=6&period=30");
    assert_string_equal(totp_uri(a, "mere_fatima-1.x~", "AB"),
                        "otpauth://totp/Jouda:mere_fatima-1.x~?secret=AB&issuer=Jouda&"
                        "algorithm=SHA1&digits=6&period=30");
    arena_free(a);
}

/* ---------- the QR code's SVG */

/* A small check of XML: elements nested and closed, attribute values
 * quoted, no '<' in them, '&' only as one of the five entities; text
 * between tags without '<' or a bare '&'. */
static bool xml_entity_ok(const char *p)
{
    static const char *const ents[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&apos;"};
    for (size_t i = 0; i < ARRAY_LEN(ents); i++)
        if (strncmp(p, ents[i], strlen(ents[i])) == 0)
            return true;
    return false;
}

static bool xml_well_formed(const char *s, int *elements)
{
    char stack[16][32];
    int depth = 0;
    *elements = 0;
    const char *p = s;
    while (*p) {
        if (*p == '&') {
            if (!xml_entity_ok(p))
                return false;
            p++;
            continue;
        }
        if (*p != '<') {
            if (*p == '>')
                return false;
            p++;
            continue;
        }
        p++;
        bool closing = *p == '/';
        if (closing)
            p++;
        char name[32];
        size_t n = 0;
        while (isalnum((unsigned char)*p) && n < sizeof name - 1)
            name[n++] = *p++;
        name[n] = '\0';
        if (n == 0)
            return false;
        if (closing) {
            if (*p != '>' || depth == 0 || strcmp(stack[depth - 1], name) != 0)
                return false;
            depth--;
            p++;
            continue;
        }
        (*elements)++;
        /* attributes */
        for (;;) {
            while (*p == ' ')
                p++;
            if (*p == '>') {
                if (depth == 16)
                    return false;
                strcpy(stack[depth++], name);
                p++;
                break;
            }
            if (p[0] == '/' && p[1] == '>') {
                p += 2;
                break;
            }
            size_t an = 0;
            while (isalnum((unsigned char)*p) || *p == '-' || *p == ':')
                p++, an++;
            if (an == 0 || *p != '=' || p[1] != '"')
                return false;
            p += 2;
            while (*p && *p != '"') {
                if (*p == '<')
                    return false;
                if (*p == '&' && !xml_entity_ok(p))
                    return false;
                p++;
            }
            if (*p != '"')
                return false;
            p++;
        }
    }
    return depth == 0;
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_qr_svg(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    const char *uri = totp_uri(a, "<&\">x@y.ma", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    const char *svg = totp_qr_svg(a, uri, "Code <&\"> 'QR'");
    assert_non_null(svg);
    int elements = 0;
    assert_true(xml_well_formed(svg, &elements));
    assert_int_equal(elements, 3); /* svg, the white square, one path */
    assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40), 0);
    assert_int_equal(count_of(svg, "<path"), 1);
    assert_int_equal(count_of(svg, "</svg>"), 1);
    assert_non_null(strstr(svg, " role=\"img\""));
    assert_non_null(strstr(svg, " aria-label=\"Code &lt;&amp;&quot;&gt; &#39;QR&#39;\""));
    assert_non_null(strstr(svg, "fill=\"#fff\""));
    assert_non_null(strstr(svg, "<path fill=\"#000\" d=\"M"));
    /* nothing of the text encoded is written in clear */
    assert_null(strstr(svg, "GEZDGNBV"));
    assert_null(strstr(svg, "otpauth"));
    assert_null(strstr(svg, "x@y.ma"));
    /* the view box: a version's width (17 + 4 v) plus 4 modules each side */
    int size = 0;
    assert_int_equal(sscanf(strstr(svg, "viewBox=\"0 0 "), "viewBox=\"0 0 %d", &size), 1);
    assert_int_equal((size - 8 - 17) % 4, 0);
    assert_true(size - 8 >= 21 && size - 8 <= 177);
    /* the top-left finder pattern starts after the quiet zone: a run of 7 */
    assert_non_null(strstr(svg, "d=\"M4 4h7v1h-7z"));
    /* nothing lies inside the quiet zone */
    for (const char *p = strchr(strstr(svg, " d=\""), 'M'); p; p = strchr(p + 1, 'M')) {
        int x = -1, y = -1;
        assert_int_equal(sscanf(p, "M%d %d", &x, &y), 2);
        assert_true(x >= 4 && y >= 4 && x < size - 4 && y < size - 4);
    }
    /* an empty text makes no code */
    assert_null(totp_qr_svg(a, "", "x"));
    assert_null(totp_qr_svg(a, NULL, "x"));
    arena_free(a);
}

/* ---------- recovery codes */

static bool recovery_shape(const char *c)
{
    if (strlen(c) != TOTP_RECOVERY_CHARS || c[4] != '-' || c[9] != '-')
        return false;
    for (int i = 0; i < TOTP_RECOVERY_CHARS; i++) {
        if (i == 4 || i == 9)
            continue;
        if (!strchr("0123456789abcdefghjkmnpqrstvwxyz", c[i]))
            return false;
    }
    return true;
}

static void test_recovery_codes(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char seen[40][TOTP_RECOVERY_CHARS + 1];
    for (int i = 0; i < 40; i++) {
        totp_recovery_new(seen[i]);
        assert_true(recovery_shape(seen[i]));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
        /* its own stored form */
        assert_string_equal(totp_recovery_normalise(a, seen[i]), seen[i]);
    }
    assert_string_equal(totp_recovery_normalise(a, "7KQ2-X9MF-4D"), "7kq2-x9mf-4d");
    assert_string_equal(totp_recovery_normalise(a, "7kq2 x9mf 4d"), "7kq2-x9mf-4d");
    assert_string_equal(totp_recovery_normalise(a, "7kq2x9mf4d"), "7kq2-x9mf-4d");
    assert_string_equal(totp_recovery_normalise(a, " 7kq2-x9mf-4d "), "7kq2-x9mf-4d");
    /* o reads 0, i and l read 1 */
    assert_string_equal(totp_recovery_normalise(a, "OIL0-1111-00"), "0110-1111-00");
    static const char *const bad[] = {"",           "7kq2-x9mf-4",   "7kq2-x9mf-4dd", "7kq2-x9mf-4u",
                                      "7kq2_x9mf_4d", "7kq2-x9mf-4d!", "é7kq2x9mf4",   "123456"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        assert_null(totp_recovery_normalise(a, bad[i]));
    assert_null(totp_recovery_normalise(a, NULL));
    arena_free(a);
}

/* ---------- in the database */

typedef struct {
    test_db_t *t;
    db_t *db;
    int64_t uid, other;
    arena_t *a;
} fx_t;

static int setup(void **state, bool pg)
{
    fx_t *fx = xcalloc(1, sizeof *fx);
    *state = fx;
    fx->t = test_db_open(pg, "totp");
    if (!fx->t)
        return -1;
    fx->db = fx->t->db;
    fx->a = arena_new();
    if (!fx->db)
        return 0; /* the test skips itself */
    if (test_db_migrate(fx->db, TEST_MIG_OF(nodes_module), TEST_MIG_OF(users_module), TEST_MIG(auth),
                        TEST_MIG_OF(audit_module), TEST_MIG_OF(notify_module),
                        TEST_MIG_OF(account_module)) != 0 ||
        auth_load_server_key(fx->db) != 0)
        return -1;
    int64_t root = nodes_root_id(fx->db);
    static const char fake_hash[] = TEST_FAKE_HASH;
    role_t role = ROLE_DIRECTOR;
    int64_t eps = test_add_node(fx->db, test_add_node(fx->db, root, "association", "Amal"), "eps",
                                "Village");
    int64_t expiry = 0;
    const char *why = NULL, *field = NULL;
    user_new_t u = {.username = "dir.totp", .name = "Salma", .language = "fr",
                    .password_hash = fake_hash, .roles = &role, .role_nodes = &eps,
                    .role_expiry = &expiry, .n_roles = 1};
    if (users_insert(fx->db, 0, &u, NULL, &fx->uid, &why, &field) != RES_OK)
        return -1;
    u.username = "other.totp";
    if (users_insert(fx->db, 0, &u, NULL, &fx->other, &why, &field) != RES_OK)
        return -1;
    return 0;
}

static int setup_sqlite(void **state) { return setup(state, false); }
static int setup_pg(void **state) { return setup(state, true); }

static int teardown(void **state)
{
    fx_t *fx = *state;
    if (fx) {
        test_db_close(fx->t);
        if (fx->a)
            arena_free(fx->a);
        free(fx);
    }
    return 0;
}

/* The app's code now for a base32 secret. */
static const char *code_now(fx_t *fx, const char *b32, int64_t shift)
{
    unsigned char bin[64];
    size_t len = 0;
    assert_int_equal(totp_base32_decode(b32, bin, sizeof bin, &len), 0);
    char *code = arena_alloc(fx->a, TOTP_DIGITS + 1);
    assert_int_equal(totp_code_at(bin, len, now_utc() + shift, code), 0);
    return code;
}

/* A 6-digit code that is none of the window's. */
static const char *wrong_code(fx_t *fx, const char *b32)
{
    static const char *const tries[] = {"000000", "111111", "222222", "333333"};
    for (size_t i = 0; i < ARRAY_LEN(tries); i++) {
        bool hit = false;
        for (int s = -2; s <= 2; s++)
            hit |= str_eq(code_now(fx, b32, s * 30), tries[i]);
        if (!hit)
            return tries[i];
    }
    fail_msg("no wrong code found");
    return NULL;
}

static int64_t audit_count(fx_t *fx, const char *action)
{
    return db_query_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = ?",
                        PARAMS(P_TEXT(action)), -1);
}

static void test_enrolment(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    unsigned char key[SEAL_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    seal_key_set(key);
    db_t *db = fx->db;
    int64_t uid = fx->uid;

    assert_int_equal(totp_state(db, uid, NULL), TOTP_NONE);
    assert_false(account_totp_enrolled(db, uid));
    const char *codes[TOTP_RECOVERY_COUNT];
    /* nothing to confirm yet */
    assert_int_equal(totp_confirm(db, fx->a, uid, "123456", NULL, codes), RES_CONFLICT);

    const char *s1 = NULL, *secret = NULL;
    assert_int_equal(totp_start(db, fx->a, uid, "192.0.2.1", &s1), RES_OK);
    assert_int_equal(strlen(s1), 32);
    /* started again while pending: a new secret */
    assert_int_equal(totp_start(db, fx->a, uid, "192.0.2.1", &secret), RES_OK);
    assert_string_not_equal(s1, secret);
    assert_int_equal(totp_state(db, uid, NULL), TOTP_PENDING);
    assert_false(account_totp_enrolled(db, uid));
    assert_string_equal(totp_secret_of(db, fx->a, uid), secret);
    /* stored sealed, never in clear */
    json_t *row = db_query_row_json(db, "SELECT secret FROM user_totp WHERE user_id = ?",
                                    PARAMS(P_INT(uid)));
    const char *stored = json_string_value(json_object_get(row, "secret"));
    assert_int_equal(strncmp(stored, SEAL_PREFIX, strlen(SEAL_PREFIX)), 0);
    assert_null(strstr(stored, secret));
    json_decref(row);

    /* a wrong code changes nothing */
    assert_int_equal(totp_confirm(db, fx->a, uid, wrong_code(fx, secret), NULL, codes), RES_INVALID);
    assert_int_equal(totp_confirm(db, fx->a, uid, "12345", NULL, codes), RES_INVALID);
    assert_int_equal(totp_state(db, uid, NULL), TOTP_PENDING);
    assert_int_equal(totp_recovery_left(db, uid), 0);

    const char *right = code_now(fx, secret, 0);
    assert_int_equal(totp_confirm(db, fx->a, uid, right, "192.0.2.1", codes), RES_OK);
    assert_int_equal(totp_state(db, uid, NULL), TOTP_ON);
    assert_true(account_totp_enrolled(db, uid));
    assert_false(account_totp_enrolled(db, fx->other));
    assert_int_equal(totp_recovery_left(db, uid), TOTP_RECOVERY_COUNT);
    for (int i = 0; i < TOTP_RECOVERY_COUNT; i++) {
        assert_true(recovery_shape(codes[i]));
        /* stored as keyed hashes only */
        assert_int_equal(db_query_int(db, "SELECT COUNT(*) FROM user_totp_recovery WHERE code_hash = ?",
                                      PARAMS(P_TEXT(codes[i])), -1),
                         0);
    }
    /* confirmed: no second enrolment, no second confirmation */
    const char *s3 = NULL;
    assert_int_equal(totp_start(db, fx->a, uid, NULL, &s3), RES_CONFLICT);
    assert_null(s3);
    assert_int_equal(totp_confirm(db, fx->a, uid, right, NULL, codes), RES_CONFLICT);

    /* the code that confirmed cannot be used again */
    assert_int_equal(totp_check(db, fx->a, uid, right, true, NULL), TOTP_CHECK_REPLAY);
    /* the next step's code goes through once */
    const char *next = code_now(fx, secret, 30);
    if (!str_eq(next, right)) {
        assert_int_equal(totp_check(db, fx->a, uid, next, true, NULL), TOTP_CHECK_OK);
        assert_int_equal(totp_check(db, fx->a, uid, next, true, NULL), TOTP_CHECK_REPLAY);
    }
    assert_int_equal(totp_check(db, fx->a, uid, wrong_code(fx, secret), true, NULL),
                     TOTP_CHECK_WRONG);
    assert_int_equal(totp_check(db, fx->a, uid, "", true, NULL), TOTP_CHECK_WRONG);
    /* the other user has nothing */
    assert_int_equal(totp_check(db, fx->a, fx->other, next, true, NULL), TOTP_CHECK_WRONG);

    /* a recovery code works once, in any case and spacing */
    char upper[TOTP_RECOVERY_CHARS + 1];
    strcpy(upper, codes[3]);
    for (char *p = upper; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    assert_int_equal(totp_check(db, fx->a, uid, upper, false, NULL), TOTP_CHECK_WRONG);
    assert_int_equal(totp_check(db, fx->a, fx->other, codes[3], true, NULL), TOTP_CHECK_WRONG);
    assert_int_equal(totp_check(db, fx->a, uid, upper, true, "192.0.2.1"), TOTP_CHECK_RECOVERY);
    assert_int_equal(totp_check(db, fx->a, uid, codes[3], true, NULL), TOTP_CHECK_WRONG);
    assert_int_equal(totp_recovery_left(db, uid), TOTP_RECOVERY_COUNT - 1);
    assert_int_equal(audit_count(fx, "totp_recovery_used"), 1);

    /* new recovery codes: the old ones stop working */
    const char *fresh[TOTP_RECOVERY_COUNT];
    assert_int_equal(totp_recovery_renew(db, fx->a, uid, NULL, fresh), RES_OK);
    assert_int_equal(totp_recovery_left(db, uid), TOTP_RECOVERY_COUNT);
    assert_int_equal(totp_check(db, fx->a, uid, codes[4], true, NULL), TOTP_CHECK_WRONG);
    assert_int_equal(totp_check(db, fx->a, uid, fresh[0], true, NULL), TOTP_CHECK_RECOVERY);
    assert_int_equal(totp_recovery_renew(db, fx->a, fx->other, NULL, fresh), RES_CONFLICT);

    /* turning off removes everything */
    assert_int_equal(totp_disable(db, fx->other, NULL), RES_CONFLICT);
    assert_int_equal(totp_disable(db, uid, "192.0.2.1"), RES_OK);
    assert_int_equal(totp_state(db, uid, NULL), TOTP_NONE);
    assert_int_equal(db_query_int(db, "SELECT COUNT(*) FROM user_totp_recovery WHERE user_id = ?",
                                  PARAMS(P_INT(uid)), -1),
                     0);
    assert_int_equal(totp_disable(db, uid, NULL), RES_CONFLICT);

    /* every change audited, never a secret or a code */
    assert_int_equal(audit_count(fx, "totp_start"), 2);
    assert_int_equal(audit_count(fx, "totp_enable"), 1);
    assert_int_equal(audit_count(fx, "totp_recovery_renew"), 1);
    assert_int_equal(audit_count(fx, "totp_disable"), 1);
    json_t *all = db_query_json(db, "SELECT * FROM audit_log ORDER BY id", NOPARAMS);
    char *text = json_dumps(all, 0);
    assert_null(strstr(text, secret));
    assert_null(strstr(text, s1));
    assert_null(strstr(text, codes[0]));
    assert_null(strstr(text, fresh[1]));
    free(text);
    json_decref(all);
    seal_forget();
}

static void test_challenges(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    db_t *db = fx->db;
    char tok[TOKEN_CHARS + 1];
    assert_int_equal(totp_challenge_create(db, fx->uid, "/actions?x=1", tok, sizeof tok), 0);
    assert_true(token_well_formed(tok));
    /* stored as a keyed hash */
    assert_int_equal(db_query_int(db, "SELECT COUNT(*) FROM login_challenges WHERE token_hash = ?",
                                  PARAMS(P_TEXT(tok)), -1),
                     0);
    int64_t uid = 0, attempts = -1;
    const char *next = NULL;
    assert_int_equal(totp_challenge_get(db, fx->a, tok, &uid, &next, &attempts), 0);
    assert_int_equal(uid, fx->uid);
    assert_string_equal(next, "/actions?x=1");
    assert_int_equal(attempts, 0);
    assert_int_equal(totp_challenge_failed(db, tok), 1);
    assert_int_equal(totp_challenge_failed(db, tok), 2);
    assert_int_equal(totp_challenge_get(db, fx->a, tok, &uid, &next, &attempts), 0);
    assert_int_equal(attempts, 2);
    /* unknown or malformed */
    char other[TOKEN_CHARS + 1];
    token_random(other, sizeof other);
    assert_int_equal(totp_challenge_get(db, fx->a, other, &uid, &next, &attempts), -1);
    assert_int_equal(totp_challenge_get(db, fx->a, "short", &uid, &next, &attempts), -1);
    assert_int_equal(totp_challenge_get(db, fx->a, NULL, &uid, &next, &attempts), -1);
    /* done with: gone */
    totp_challenge_delete(db, tok);
    assert_int_equal(totp_challenge_get(db, fx->a, tok, &uid, &next, &attempts), -1);
    /* expired: said once, then removed */
    assert_int_equal(totp_challenge_create(db, fx->uid, "//evil.example", tok, sizeof tok), 0);
    assert_int_equal(db_exec(db, "UPDATE login_challenges SET expires_at = ?", PARAMS(P_INT(now_utc() - 1))),
                     DB_OK);
    assert_int_equal(totp_challenge_get(db, fx->a, tok, &uid, &next, &attempts), -2);
    assert_string_equal(next, "/"); /* never another site */
    assert_int_equal(totp_challenge_get(db, fx->a, tok, &uid, &next, &attempts), -1);
}

int main(void)
{
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_base32),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_qr_svg),
        cmocka_unit_test(test_recovery_codes),
        cmocka_unit_test_setup_teardown(test_enrolment, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_enrolment, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_challenges, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_challenges, setup_pg, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
