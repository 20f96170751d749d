/* test_seal.c - text sealed at rest (src/auth/seal.c): round trips, random
 * nonces, tampered, foreign and malformed values refused, key files
 * (created 0600 and never overwritten, refused when others may read them or
 * when malformed), the key paths, the database's key check, and sealing
 * from several threads at once.
 * Database tests run on a temporary SQLite file and, when JOUDA_TEST_PG_URL
 * is set, on PostgreSQL in a private schema (skipped otherwise). */
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include <sodium.h>

#include "auth/auth.h"
#include "auth/seal.h"

/* ---------- helpers */

static const unsigned char key_a[SEAL_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const unsigned char key_b[SEAL_KEY_BYTES] = {32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                                    16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

/* A fresh temporary directory (malloc'd), removed by tmpdir_remove. */
static char *tmpdir_make(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/jouda-test-seal-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp %s", dir);
    return dir;
}

static void tmpdir_remove(char *dir, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
    free(dir);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static char *read_text(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(file_read_all(path, 4096, &data, &len), 0);
    return data;
}

/* ---------- sealing */

static void test_round_trip(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    seal_key_set(key_a);
    assert_true(seal_ready());
    const char *texts[] = {"hello", "a", "Mot de passe: é à ç", "ملاحظات صحية: حساسية من البنسلين"};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        const char *s = seal_text(a, texts[i]);
        assert_non_null(s);
        assert_true(strncmp(s, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0);
        /* standard alphabet, no padding */
        for (const char *p = s + strlen(SEAL_PREFIX); *p; p++)
            assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                        *p == '+' || *p == '/');
        const char *out = NULL;
        assert_int_equal(seal_open(a, s, &out), 0);
        assert_string_equal(out, texts[i]);
        /* the explicit-key functions agree with the process key */
        assert_int_equal(seal_open_with(a, key_a, s, &out), 0);
        assert_string_equal(out, texts[i]);
        s = seal_text_with(a, key_a, texts[i]);
        assert_int_equal(seal_open(a, s, &out), 0);
        assert_string_equal(out, texts[i]);
    }
    /* 60 KB of mixed text */
    buf_t big;
    buf_init(&big);
    while (big.len < 60 * 1024)
        buf_puts(&big, "Ligne de texte, سطر من النص, 0123456789.\n");
    const char *s = seal_text(a, big.data);
    const char *out = NULL;
    assert_int_equal(seal_open(a, s, &out), 0);
    assert_string_equal(out, big.data);
    buf_free(&big);
    /* nothing to seal: nothing stored */
    assert_null(seal_text(a, NULL));
    assert_null(seal_text(a, ""));
    assert_null(seal_text_with(a, key_a, ""));
    out = "x";
    assert_int_equal(seal_open(a, NULL, &out), 0);
    assert_null(out);
    out = "x";
    assert_int_equal(seal_open(a, "", &out), 0);
    assert_null(out);
    arena_free(a);
}

static void test_random_nonce(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    seal_key_set(key_a);
    const char *s1 = seal_text(a, "the same text");
    const char *s2 = seal_text(a, "the same text");
    assert_string_not_equal(s1, s2);
    /* the nonces themselves differ, not only the boxes */
    assert_memory_not_equal(s1 + 3, s2 + 3, 32);
    arena_free(a);
}

static void test_tampered(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    seal_key_set(key_a);
    const char *s = seal_text(a, "a secret worth keeping");
    size_t n = strlen(s);
    /* every character of the base64 changed in turn: refused each time */
    for (size_t i = strlen(SEAL_PREFIX); i < n; i++) {
        char *t = arena_strdup(a, s);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        const char *out = "x";
        if (seal_open(a, t, &out) == 0) {
            /* the last character may carry unused bits only */
            assert_int_equal(i, n - 1);
            assert_string_equal(out, "a secret worth keeping");
        } else {
            assert_null(out);
        }
    }
    /* one byte of the decoded box flipped */
    size_t rawlen = (n - 3) * 3 / 4;
    unsigned char *raw = xmalloc(rawlen + 3);
    size_t got = 0;
    assert_int_equal(sodium_base642bin(raw, rawlen + 3, s + 3, n - 3, NULL, &got, NULL,
                                       sodium_base64_VARIANT_ORIGINAL_NO_PADDING),
                     0);
    for (size_t i = 0; i < got; i++) {
        raw[i] ^= 0x01;
        char b64[256];
        sodium_bin2base64(b64, sizeof b64, raw, got, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
        const char *t = arena_printf(a, "s1:%s", b64);
        const char *out = "x";
        assert_int_equal(seal_open(a, t, &out), -1);
        assert_null(out);
        raw[i] ^= 0x01;
    }
    free(raw);
    arena_free(a);
}

static void test_wrong_key(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    seal_key_set(key_a);
    const char *s = seal_text(a, "for key a only");
    const char *out = "x";
    assert_int_equal(seal_open_with(a, key_b, s, &out), -1);
    assert_null(out);
    seal_key_set(key_b);
    assert_int_equal(seal_open(a, s, &out), -1);
    assert_int_equal(seal_open_with(a, key_a, s, &out), 0);
    assert_string_equal(out, "for key a only");
    /* no key at all: refused, no crash */
    seal_forget();
    assert_false(seal_ready());
    assert_int_equal(seal_open(a, s, &out), -1);
    arena_free(a);
}

static void test_malformed(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    seal_key_set(key_a);
    const char *good = seal_text(a, "some text");
    size_t n = strlen(good);
    const char *bad[] = {
        "s1:", "s1:!!!", "s1:====", "s1:AAAA", "s2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "S1:", "s1", "s", "plain text", good + 3, arena_strndup(a, good, n - 1), arena_strndup(a, good, n - 5),
        arena_strndup(a, good, 10), arena_printf(a, "%s=", good), arena_printf(a, "%s==", good),
        arena_printf(a, "%s ", good), arena_printf(a, " %s", good), arena_printf(a, "%sA", good),
        /* the URL-safe alphabet is not the one written */
        "s1:-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_",
        /* nonce and MAC without any text, then shorter than both */
        "s1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "s1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        const char *out = "x";
        if (seal_open(a, bad[i], &out) != -1)
            fail_msg("accepted: \"%s\"", bad[i]);
        assert_null(out);
        assert_int_equal(seal_open_with(a, key_a, bad[i], &out), -1);
    }
    /* a NULL out pointer is fine */
    assert_int_equal(seal_open(a, good, NULL), 0);
    assert_int_equal(seal_open(a, "s1:!!!", NULL), -1);
    arena_free(a);
}

/* Sealing and opening from several threads at once. */
static void *seal_worker(void *arg)
{
    (void)arg;
    arena_t *a = arena_new();
    intptr_t bad = 0;
    for (int i = 0; i < 500; i++) {
        const char *plain = arena_printf(a, "text %d", i);
        const char *out = NULL;
        if (seal_open(a, seal_text(a, plain), &out) != 0 || !str_eq(out, plain))
            bad++;
    }
    arena_free(a);
    return (void *)bad;
}

static void test_threads(void **state)
{
    (void)state;
    seal_key_set(key_a);
    pthread_t th[4];
    for (size_t i = 0; i < ARRAY_LEN(th); i++)
        assert_int_equal(pthread_create(&th[i], NULL, seal_worker, NULL), 0);
    for (size_t i = 0; i < ARRAY_LEN(th); i++) {
        void *bad = NULL;
        pthread_join(th[i], &bad);
        assert_int_equal((intptr_t)bad, 0);
    }
}

/* ---------- key files */

static void test_key_file_create(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    char *path = xasprintf("%s/jouda.db.key", dir);
    char err[512] = "";
    assert_int_equal(seal_key_create(path, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = read_text(path);
    assert_int_equal(strlen(text), 65);
    assert_int_equal(text[64], '\n');
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", text[i]));
    /* never overwritten */
    assert_int_equal(seal_key_create(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "already exists"));
    char *again = read_text(path);
    assert_string_equal(text, again);
    free(again);
    /* it loads, and a value sealed with it opens with what the file says */
    seal_forget();
    assert_int_equal(seal_key_load(path, err, sizeof err), 0);
    assert_true(seal_ready());
    unsigned char key[SEAL_KEY_BYTES];
    assert_int_equal(seal_key_read(path, key, err, sizeof err), 0);
    unsigned char expect[SEAL_KEY_BYTES];
    size_t binlen = 0;
    assert_int_equal(sodium_hex2bin(expect, sizeof expect, text, 64, NULL, &binlen, NULL), 0);
    assert_memory_equal(key, expect, SEAL_KEY_BYTES);
    arena_t *a = arena_new();
    const char *out = NULL;
    assert_int_equal(seal_open_with(a, key, seal_text(a, "x y z"), &out), 0);
    assert_string_equal(out, "x y z");
    arena_free(a);
    /* two new files hold two different keys */
    char *other = xasprintf("%s/other.key", dir);
    assert_int_equal(seal_key_create(other, err, sizeof err), 0);
    char *text2 = read_text(other);
    assert_string_not_equal(text, text2);
    free(text2);
    /* no directory: a message, no file */
    char *nodir = xasprintf("%s/none/x.key", dir);
    assert_int_equal(seal_key_create(nodir, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create the key file"));
    free(nodir);
    free(text);
    free(path);
    free(other);
    const char *const names[] = {"jouda.db.key", "other.key"};
    tmpdir_remove(dir, names, ARRAY_LEN(names));
}

static void test_key_file_refused(void **state)
{
    (void)state;
    char *dir = tmpdir_make();
    char *path = xasprintf("%s/k", dir);
    char err[512] = "";
    const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
    seal_key_set(key_b);
    /* readable by others */
    write_file(path, hex, 0644);
    assert_int_equal(seal_key_load(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "owner only"));
    assert_non_null(strstr(err, path));
    write_file(path, hex, 0640);
    assert_int_equal(seal_key_load(path, err, sizeof err), -1);
    write_file(path, hex, 0602);
    assert_int_equal(seal_key_load(path, err, sizeof err), -1);
    /* the key in use was left as it was */
    arena_t *a = arena_new();
    const char *out = NULL;
    assert_int_equal(seal_open_with(a, key_b, seal_text(a, "still b"), &out), 0);
    /* 0600 and 0400 are fine */
    write_file(path, hex, 0600);
    assert_int_equal(seal_key_load(path, err, sizeof err), 0);
    write_file(path, hex, 0400);
    assert_int_equal(seal_key_load(path, err, sizeof err), 0);
    assert_int_equal(seal_open_with(a, key_a, seal_text(a, "now 0..31"), &out), -1);
    arena_free(a);
    /* malformed contents */
    const char *bad[] = {
        "",
        "\n",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n",       /* 31 bytes */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n",   /* 33 bytes */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n",     /* not hex */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n",   /* more after it */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\r\n",
        " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
        "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16\n",
        "a key file of some other program, much longer than a key file of Jouda ever is\n",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        write_file(path, bad[i], 0600);
        if (seal_key_load(path, err, sizeof err) != -1)
            fail_msg("accepted key file %zu", i);
        assert_non_null(strstr(err, "is not a Jouda key file"));
    }
    /* missing, and a directory */
    unlink(path);
    assert_int_equal(seal_key_load(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read the key file"));
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(seal_key_load(path, err, sizeof err), -1);
    rmdir(path);
    free(path);
    tmpdir_remove(dir, NULL, 0);
}

static void test_key_paths(void **state)
{
    (void)state;
    unsetenv("JOUDA_KEY_FILE");
    char *p = seal_default_key_path("var/jouda.db");
    assert_string_equal(p, "var/jouda.db.key");
    free(p);
    assert_null(seal_default_key_path("postgresql://u@h/db"));
    assert_null(seal_default_key_path("postgres://u@h/db"));
    assert_null(seal_key_path("postgresql://u@h/db", NULL));
    p = seal_key_path("postgresql://u@h/db", "/etc/jouda/key");
    assert_string_equal(p, "/etc/jouda/key");
    free(p);
    p = seal_key_path("var/jouda.db", NULL);
    assert_string_equal(p, "var/jouda.db.key");
    free(p);
    setenv("JOUDA_KEY_FILE", "/srv/k", 1);
    p = seal_key_path("postgresql://u@h/db", NULL);
    assert_string_equal(p, "/srv/k");
    free(p);
    p = seal_key_path("var/jouda.db", NULL);
    assert_string_equal(p, "/srv/k");
    free(p);
    /* the option wins over the environment */
    p = seal_key_path("var/jouda.db", "/opt/k");
    assert_string_equal(p, "/opt/k");
    free(p);
    unsetenv("JOUDA_KEY_FILE");
}

/* ---------- the database's check */

/* The auth tables (settings among them); they refer to users, a minimal one is enough. */
static int setup(void **state, bool pg)
{
    test_db_t *t = test_db_open(pg, "seal");
    *state = t;
    if (!t)
        return -1;
    if (!t->db)
        return 0;
    const char *users = pg ? "CREATE TABLE users (id BIGINT PRIMARY KEY)" : "CREATE TABLE users (id INTEGER PRIMARY KEY)";
    if (db_exec(t->db, users, NOPARAMS) != DB_OK || test_db_migrate(t->db, TEST_MIG(auth)) != 0) {
        test_db_close(t);
        *state = NULL;
        return -1;
    }
    return 0;
}
static int setup_sqlite(void **state) { return setup(state, false); }
static int setup_pg(void **state) { return setup(state, true); }

static void test_check_db(void **state)
{
    test_db_t *t = *state;
    db_t *db = test_db_or_skip(t);
    char err[512] = "";
    seal_forget();
    assert_int_equal(seal_check_db(db, err, sizeof err), -1); /* no key */
    seal_key_set(key_a);
    assert_int_equal(seal_db_checked(db), 0);
    /* written the first time, accepted after */
    assert_int_equal(seal_check_db(db, err, sizeof err), 0);
    assert_int_equal(seal_db_checked(db), 1);
    json_t *row = db_query_row_json(db, "SELECT value FROM settings WHERE key = 'seal_check'", NOPARAMS);
    assert_non_null(row);
    char *stored = xstrdup(json_string_value(json_object_get(row, "value")));
    json_decref(row);
    assert_true(strncmp(stored, "s1:", 3) == 0);
    assert_int_equal(seal_check_db(db, err, sizeof err), 0);
    /* from another connection too, and nothing was rewritten */
    db_t *db2 = test_db_connect(t);
    assert_non_null(db2);
    assert_int_equal(seal_check_db(db2, err, sizeof err), 0);
    db_close(db2);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM settings WHERE key = 'seal_check' AND value = ?",
                                  PARAMS(P_TEXT(stored)), -1),
                     1);
    /* another key is refused, with the message the commands show */
    seal_key_set(key_b);
    assert_int_equal(seal_check_db(db, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not open this database's sealed data"));
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM settings WHERE key = 'seal_check' AND value = ?",
                                  PARAMS(P_TEXT(stored)), -1),
                     1);
    /* a garbled check is refused as well */
    assert_int_equal(db_exec(db, "UPDATE settings SET value = 's1:!!' WHERE key = 'seal_check'", NOPARAMS),
                     DB_OK);
    seal_key_set(key_a);
    assert_int_equal(seal_check_db(db, err, sizeof err), -1);
    free(stored);
}

#define DB_TESTS(fn)                                                                               \
    cmocka_unit_test_setup_teardown(fn, setup_sqlite, test_db_teardown),                           \
        cmocka_unit_test_setup_teardown(fn, setup_pg, test_db_teardown)

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_random_nonce),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_key_file_create),
        cmocka_unit_test(test_key_file_refused),
        cmocka_unit_test(test_key_paths),
        DB_TESTS(test_check_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
