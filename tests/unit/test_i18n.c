/* test_i18n.c - .mo catalogues built here by msgfmt from small .po texts:
 * lookups, Arabic plural forms, big-endian files, corrupted files refused,
 * plural expressions, loading a locale directory and language negotiation. */
#include "testutil.h"

#include "i18n/i18n.h"

#include <fcntl.h>
#include <sys/stat.h>

static const char *FR_BODY = "msgid \"Save\"\nmsgstr \"Enregistrer\"\n\n"
                             "msgid \"Name is required.\"\nmsgstr \"Le nom est obligatoire.\"\n\n"
                             "#, fuzzy\nmsgid \"Draft\"\nmsgstr \"Brouillon\"\n\n"
                             "msgid \"Untranslated\"\nmsgstr \"\"\n\n"
                             "msgctxt \"menu\"\nmsgid \"Open\"\nmsgstr \"Ouvrir (menu)\"\n\n"
                             "msgid \"%d unit\"\nmsgid_plural \"%d units\"\n"
                             "msgstr[0] \"%d unité\"\nmsgstr[1] \"%d unités\"\n";

static const char *AR_BODY = "msgid \"Save\"\nmsgstr \"حفظ\"\n\n"
                             "msgid \"%d file\"\nmsgid_plural \"%d files\"\n"
                             "msgstr[0] \"لا ملفات\"\nmsgstr[1] \"ملف واحد\"\nmsgstr[2] \"ملفان\"\n"
                             "msgstr[3] \"%d ملفات\"\nmsgstr[4] \"%d ملفًا\"\nmsgstr[5] \"%d ملف\"\n";

static char g_dir[64];

static char *slurp(const char *lang, size_t *len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s.mo", g_dir, lang);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = xmalloc((size_t)n + 1);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return d;
}

static mo_catalog_t *parse_lang(const char *lang)
{
    size_t len;
    char *d = slurp(lang, &len);
    char err[200];
    mo_catalog_t *c = mo_parse(d, len, err, sizeof err);
    free(d); /* the catalogue keeps its own copy */
    if (!c)
        fail_msg("mo_parse %s: %s", lang, err);
    return c;
}

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/i18ntestXXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    test_write_mo(g_dir, "fr", "nplurals=2; plural=(n > 1);", FR_BODY, "--check");
    test_write_mo(g_dir, "ar", TEST_AR_PLURAL, AR_BODY, "--check");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    i18n_unload();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_plural_eval(void **state)
{
    (void)state;
    assert_int_equal(plural_eval("n != 1", 0), 1);
    assert_int_equal(plural_eval("n != 1", 1), 0);
    assert_int_equal(plural_eval("(n > 1)", 1), 0);
    assert_int_equal(plural_eval("(n > 1)", 2), 1);
    assert_int_equal(plural_eval("1 + 2 * 3", 0), 7);
    assert_int_equal(plural_eval("(1 + 2) * 3", 0), 9);
    assert_int_equal(plural_eval("10 - 4 - 3", 0), 3);
    assert_int_equal(plural_eval("100 / 10 / 5", 0), 2);
    assert_int_equal(plural_eval("n % 10", 1234), 4);
    assert_int_equal(plural_eval("!n", 0), 1);
    assert_int_equal(plural_eval("!!n", 5), 1);
    assert_int_equal(plural_eval("n<=2 && n>=2", 2), 1);
    assert_int_equal(plural_eval("n<2 || n>2", 2), 0);
    assert_int_equal(plural_eval("1 == 1 == 1", 0), 1);
    assert_int_equal(plural_eval("n ? 5 : 6", 0), 6);
    /* right associative ternary */
    assert_int_equal(plural_eval("n==1 ? 0 : n==2 ? 1 : 2", 2), 1);
    assert_int_equal(plural_eval("n==1 ? 0 : n==2 ? 1 : 2", 7), 2);
    /* Russian-like rule */
    const char *ru = "n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2";
    assert_int_equal(plural_eval(ru, 1), 0);
    assert_int_equal(plural_eval(ru, 11), 2);
    assert_int_equal(plural_eval(ru, 22), 1);
    assert_int_equal(plural_eval(ru, 25), 2);
    /* Arabic */
    const char *ar = "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)";
    unsigned long ns[] = {0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111, 1000};
    long want[] = {0, 1, 2, 3, 3, 4, 4, 5, 5, 5, 3, 4, 5};
    for (size_t i = 0; i < ARRAY_LEN(ns); i++)
        assert_int_equal(plural_eval(ar, ns[i]), want[i]);
    /* short-circuit: the division is not evaluated */
    assert_int_equal(plural_eval("n == 0 ? 0 : 10 / n", 0), 0);
    assert_int_equal(plural_eval("n && 10 / n", 0), 0);
    assert_int_equal(plural_eval("n || 10 / n", 3), 1);
    /* errors */
    assert_int_equal(plural_eval("n / 0", 3), -1);
    assert_int_equal(plural_eval("n % (n - 3)", 3), -1);
    const char *bad[] = {"", "n +", "(n", "n)", "x", "n ? 1", "n ? 1 :", "1 2", "n ==", "- n", "n = 1",
                         "99999999999999999999999999", "n;", "n & 1", "n | 1", NULL};
    for (int i = 0; bad[i]; i++)
        if (plural_eval(bad[i], 1) != -1)
            fail_msg("'%s' should be rejected", bad[i]);
    assert_int_equal(plural_eval(NULL, 1), -1);
    /* depth limit */
    char deep[2100];
    memset(deep, '(', 1000);
    deep[1000] = 'n';
    memset(deep + 1001, ')', 1000);
    deep[2001] = '\0';
    assert_int_equal(plural_eval(deep, 1), -1);
    memset(deep, '!', 2000);
    deep[2000] = 'n';
    deep[2001] = '\0';
    assert_int_equal(plural_eval(deep, 1), -1);
    assert_int_equal(plural_eval("((((n))))", 4), 4);
}

static void test_lookup(void **state)
{
    (void)state;
    mo_catalog_t *c = parse_lang("fr");
    assert_string_equal(mo_gettext(c, "Save"), "Enregistrer");
    assert_string_equal(mo_gettext(c, "Name is required."), "Le nom est obligatoire.");
    assert_null(mo_gettext(c, "Missing"));
    assert_null(mo_gettext(c, "Draft"));        /* fuzzy: not compiled */
    assert_null(mo_gettext(c, "Untranslated")); /* empty */
    assert_null(mo_gettext(c, "Open"));         /* only with a context */
    assert_null(mo_gettext(c, ""));
    /* plural entry, singular lookup gives the first form */
    assert_string_equal(mo_gettext(c, "%d unit"), "%d unité");
    assert_string_equal(mo_ngettext(c, "%d unit", "%d units", 0), "%d unité");
    assert_string_equal(mo_ngettext(c, "%d unit", "%d units", 1), "%d unité");
    assert_string_equal(mo_ngettext(c, "%d unit", "%d units", 2), "%d unités");
    /* absent: English rule */
    assert_string_equal(mo_ngettext(c, "%d cat", "%d cats", 1), "%d cat");
    assert_string_equal(mo_ngettext(c, "%d cat", "%d cats", 0), "%d cats");
    assert_int_equal(mo_plural_index(c, 1), 0);
    assert_int_equal(mo_plural_index(c, 2), 1);
    assert_int_equal(mo_count(c), 3);
    mo_free(c);
    assert_null(mo_gettext(NULL, "Save"));
    assert_string_equal(mo_ngettext(NULL, "a", "b", 2), "b");
}

static void test_arabic_plurals(void **state)
{
    (void)state;
    mo_catalog_t *c = parse_lang("ar");
    unsigned long ns[] = {0, 1, 2, 3, 10, 11, 99, 100, 101, 102};
    int want[] = {0, 1, 2, 3, 3, 4, 4, 5, 5, 5};
    const char *forms[] = {"لا ملفات", "ملف واحد", "ملفان", "%d ملفات", "%d ملفًا", "%d ملف"};
    for (size_t i = 0; i < ARRAY_LEN(ns); i++) {
        assert_int_equal(mo_plural_index(c, ns[i]), want[i]);
        assert_string_equal(mo_ngettext(c, "%d file", "%d files", ns[i]), forms[want[i]]);
    }
    assert_string_equal(mo_gettext(c, "Save"), "حفظ");
    mo_free(c);
}

static void test_big_endian(void **state)
{
    (void)state;
    test_write_mo(g_dir, "be", TEST_AR_PLURAL, AR_BODY, "--check --endianness=big");
    mo_catalog_t *c = parse_lang("be");
    assert_string_equal(mo_gettext(c, "Save"), "حفظ");
    assert_string_equal(mo_ngettext(c, "%d file", "%d files", 11), "%d ملفًا");
    mo_free(c);
}

/* A plural entry with fewer forms than nplurals falls back, never overreads. */
static void test_missing_forms(void **state)
{
    (void)state;
    /* not --check: msgfmt would refuse these */
    test_write_mo(g_dir, "few", "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
            "msgid \"one\"\nmsgid_plural \"many\"\nmsgstr[0] \"un\"\nmsgstr[1] \"deux\"\nmsgstr[2] \"\"\n", "");
    mo_catalog_t *c = parse_lang("few");
    assert_string_equal(mo_ngettext(c, "one", "many", 1), "un");
    assert_string_equal(mo_ngettext(c, "one", "many", 2), "deux");
    assert_string_equal(mo_ngettext(c, "one", "many", 5), "many"); /* empty form */
    mo_free(c);
    test_write_mo(g_dir, "oob", "nplurals=2; plural=n;", "msgid \"one\"\nmsgid_plural \"many\"\nmsgstr[0] \"un\"\nmsgstr[1] \"plusieurs\"\n", "");
    c = parse_lang("oob");
    assert_string_equal(mo_ngettext(c, "one", "many", 1), "plusieurs");
    assert_string_equal(mo_ngettext(c, "one", "many", 7), "many"); /* index 7 >= nplurals */
    mo_free(c);
}

static void put32(char *d, size_t off, uint32_t v)
{
    memcpy(d + off, &v, 4);
}

static uint32_t get32(const char *d, size_t off)
{
    uint32_t v;
    memcpy(&v, d + off, 4);
    return v;
}

static void expect_reject(const char *d, size_t len, const char *what)
{
    char err[200] = "";
    mo_catalog_t *c = mo_parse(d, len, err, sizeof err);
    if (c) {
        mo_free(c);
        fail_msg("corrupt .mo accepted: %s", what);
    }
    assert_true(strlen(err) > 0);
}

static void test_corrupt(void **state)
{
    (void)state;
    size_t len;
    char *d = slurp("fr", &len);
    char err[200];
    mo_catalog_t *ok = mo_parse(d, len, err, sizeof err);
    assert_non_null(ok);
    mo_free(ok);
    /* every truncation cuts a string or a table */
    for (size_t n = 0; n < len; n++)
        expect_reject(d, n, "truncated");
    expect_reject(NULL, 0, "null");
    char *m = xmalloc(len);
    uint32_t nstr = get32(d, 8), oo = get32(d, 12), to = get32(d, 16);
#define MUTATE(off, val, what)          \
    do {                                \
        memcpy(m, d, len);              \
        put32(m, (off), (val));         \
        expect_reject(m, len, (what));  \
    } while (0)
    MUTATE(0, 0x12345678u, "magic");
    MUTATE(4, 2u << 16, "revision");
    MUTATE(8, 0xffffffffu, "count");
    MUTATE(8, nstr + (uint32_t)len / 8, "count past the end");
    MUTATE(12, 0xfffffff0u, "table offset");
    MUTATE(16, (uint32_t)len - 4, "translation table offset");
    MUTATE(oo + 4, 0xfffffff0u, "string offset");
    MUTATE(oo + 4, (uint32_t)len, "string offset at end");
    MUTATE(oo, 0xffffffffu, "string length");
    MUTATE(to + 8 + 4, 0x7ffffff0u, "translation offset");
    MUTATE(to + 8, (uint32_t)len, "translation length");
    MUTATE(20, 0x40000000u, "hash size");
    /* a string without its NUL terminator */
    memcpy(m, d, len);
    uint32_t l1 = get32(d, oo + 8), o1 = get32(d, oo + 12);
    m[o1 + l1] = 'X';
    expect_reject(m, len, "no NUL");
    /* a malformed Plural-Forms header */
    char *bad = xmalloc(len);
    memcpy(bad, d, len);
    char *pf = memmem(bad, len, "plural=(n > 1)", 14);
    assert_non_null(pf);
    memcpy(pf, "plural=(n > 1(", 14);
    expect_reject(bad, len, "plural expression");
    memcpy(bad, d, len);
    pf = memmem(bad, len, "nplurals=2", 10);
    memcpy(pf, "nplurals=0", 10);
    expect_reject(bad, len, "nplurals");
    free(bad);
    free(m);
    free(d);
#undef MUTATE
}

static void test_load(void **state)
{
    (void)state;
    char err[300];
    assert_int_equal(i18n_load(g_dir, err, sizeof err), 0); /* en.mo absent: a warning */
    assert_true(i18n_supported("fr"));
    assert_true(i18n_supported("ar"));
    assert_true(i18n_supported("en"));
    assert_false(i18n_supported("de"));
    assert_false(i18n_supported(NULL));
    assert_string_equal(i18n_gettext("fr", "Save"), "Enregistrer");
    assert_string_equal(i18n_gettext("ar", "Save"), "حفظ");
    assert_string_equal(i18n_gettext("en", "Save"), "Save");          /* no catalogue */
    assert_string_equal(i18n_gettext("de", "Save"), "Enregistrer");   /* default language */
    assert_string_equal(i18n_gettext("ar", "Name is required."), "Name is required."); /* missing */
    assert_string_equal(i18n_gettext("fr", "Untranslated"), "Untranslated");
    assert_string_equal(i18n_ngettext("ar", "%d file", "%d files", 102), "%d ملف");
    assert_string_equal(i18n_ngettext("fr", "%d unit", "%d units", 0), "%d unité");
    assert_string_equal(i18n_ngettext("en", "%d unit", "%d units", 0), "%d units");
    assert_string_equal(i18n_dir("ar"), "rtl");
    assert_string_equal(i18n_dir("fr"), "ltr");
    assert_string_equal(i18n_dir("en"), "ltr");
    assert_string_equal(i18n_dir(NULL), "ltr");
    i18n_unload();
    assert_string_equal(i18n_gettext("fr", "Save"), "Save");
    /* fr is required */
    assert_int_equal(i18n_load("/nonexistent", err, sizeof err), -1);
    assert_non_null(strstr(err, "fr.mo"));
    /* a corrupt optional catalogue is an error too, not silently ignored */
    char path[128];
    snprintf(path, sizeof path, "%s/en.mo", g_dir);
    FILE *f = fopen(path, "w");
    fputs("not a catalogue at all", f);
    fclose(f);
    assert_int_equal(i18n_load(g_dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "en.mo"));
    assert_string_equal(i18n_gettext("fr", "Save"), "Save"); /* nothing half-loaded */
    unlink(path);
    /* a catalogue over 32 MB is refused before it is parsed (a sparse file) */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)(33u << 20)), 0);
    close(fd);
    assert_int_equal(i18n_load(g_dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "en.mo"));
    assert_non_null(strstr(err, "too large"));
    assert_string_equal(i18n_gettext("fr", "Save"), "Save");
    unlink(path);
    /* one that cannot be read is an error, not an absent catalogue */
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(i18n_load(g_dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "en.mo"));
    rmdir(path);
    assert_int_equal(i18n_load(g_dir, err, sizeof err), 0);
}

static void test_negotiate(void **state)
{
    (void)state;
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, NULL), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "ar-MA,ar;q=0.9,fr;q=0.8"), "ar");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "de-DE,en;q=0.5,fr;q=0.7"), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "fr;q=0.4, EN-gb ; q=0.6"), "en");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "ar;q=0,en;q=0.1"), "en");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "ar;q=0"), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "ar;q=0.000"), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "de, es, *"), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "en;q=abc,ar;q=0.2"), "ar");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "en;q=1.5,ar;q=0.2"), "ar");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, "en,ar"), "en"); /* equal q: first wins */
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, ",,;;, ;q=1,arabic"), "fr");
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, ""), "fr");
    /* explicit choices come first, in order; unsupported ones are skipped */
    assert_string_equal(i18n_negotiate("en", "ar", "fr", "ar"), "en");
    assert_string_equal(i18n_negotiate("xx", "ar", "en", "fr"), "ar");
    assert_string_equal(i18n_negotiate("", NULL, "en", "ar"), "en");
    assert_string_equal(i18n_negotiate(NULL, "zz", "qq", "ar"), "ar");
    assert_string_equal(i18n_negotiate("AR", NULL, NULL, NULL), "ar");
    /* a long hostile header */
    char big[10000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = ";q=,-"[i % 5];
    big[sizeof big - 1] = '\0';
    assert_string_equal(i18n_negotiate(NULL, NULL, NULL, big), "fr");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plural_eval),  cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_arabic_plurals), cmocka_unit_test(test_big_endian),
        cmocka_unit_test(test_missing_forms), cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_load),          cmocka_unit_test(test_negotiate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
