/* test_fold.c - text folding for search: French names with accents and
 * capitals, Arabic with and without harakat, tatweel and letter variants,
 * digits, white space, invalid UTF-8, the search keys and the word matching
 * that the SQL searches mirror. Every case is also checked to be valid UTF-8
 * and stable when folded again. */
#include "testutil.h"

#include "core/core.h"
#include "core/fold.h"

#include <string.h>

/* fold(in) == want, valid UTF-8, no longer than in, and fold(want) == want. */
static void check_n(const char *in, size_t n, const char *want)
{
    char *out = xmalloc(n + 1);
    size_t len = text_fold_into(in, n, out);
    assert_int_equal(len, strlen(out));
    assert_string_equal(out, want);
    assert_true(len <= n);
    assert_true(utf8_valid(out, len));
    char *again = text_fold(out);
    assert_string_equal(again, out);
    free(again);
    free(out);
}

static void check(const char *in, const char *want)
{
    check_n(in, strlen(in), want);
    char *out = text_fold(in);
    assert_string_equal(out, want);
    free(out);
}

/* Two spellings fold to the same text. */
static void same(const char *a, const char *b)
{
    char *x = text_fold(a), *y = text_fold(b);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static void test_ascii(void **state)
{
    check("", "");
    check("abc", "abc");
    check("ABC xyz", "abc xyz");
    check("Village d'enfants Tanger", "village d'enfants tanger");
    check("EPS-CS-2016-031", "eps-cs-2016-031");
    check("admin@jouda.ma", "admin@jouda.ma");
    check("100% _sure_ \\x", "100% _sure_ \\x");
    char *n = text_fold(NULL);
    assert_string_equal(n, "");
    free(n);
}

static void test_french_accents(void **state)
{
    check("Aïn Chock", "ain chock");
    check("Village d'enfants Casablanca - Aïn Chock", "village d'enfants casablanca - ain chock");
    check("Programme mère-enfant", "programme mere-enfant");
    check("Foyer Nour Fès", "foyer nour fes");
    check("Association Nour Solidarité", "association nour solidarite");
    check("ÉLODIE Bérénice", "elodie berenice");
    check("Hélène Lefèvre", "helene lefevre");
    check("François Garçon", "francois garcon");
    check("Noël Citroën Zoë", "noel citroen zoe");
    check("Île Maïté", "ile maite");
    check("Côte Hôpital", "cote hopital");
    check("Où Août Ça", "ou aout ca");
    check("L'Haÿ-les-Roses", "l'hay-les-roses");
    check("Œuvre sœur", "oeuvre soeur");
    check("Lætitia ÆSOP", "laetitia aesop");
    check("Niño Peña", "nino pena");
    /* every letter the brief lists, lower and upper case */
    check("àâäáãå ÀÂÄÁÃÅ", "aaaaaa aaaaaa");
    check("ç Ç", "c c");
    check("éèêë ÉÈÊË", "eeee eeee");
    check("îïíì ÎÏÍÌ", "iiii iiii");
    check("ôöóòõ ÔÖÓÒÕ", "ooooo ooooo");
    check("ùûüú ÙÛÜÚ", "uuuu uuuu");
    check("ÿý ŸÝ", "yy yy");
    check("ñ Ñ", "n n");
    check("œ Œ æ Æ", "oe oe ae ae");
    check("ß Þþ Ðð Øø", "ss thth dd oo");
    same("AÏN CHOCK", "ain chock");
    same("Fès", "FES");
}

static void test_latin_extended_a(void **state)
{
    check("Łódź", "lodz");
    check("Škoda Čapek Ďábel", "skoda capek dabel");
    check("Ĳssel ĳs", "ijssel ijs");
    check("İstanbul ışık", "istanbul isik");
    check("Ŵŵ Ŷŷ Źźżž", "ww yy zzzz");
    check("ĀāĂăĄą", "aaaaaa");
    check("ſ", "s");
    /* the signs between the Latin-1 letters are not letters: kept */
    check("2×3÷1", "2×3÷1");
    /* other Latin-1 signs are kept too */
    check("« Dar » © °", "« dar » © °");
}

static void test_combining_accents(void **state)
{
    /* decomposed input (e + combining acute) folds like the composed one */
    same("e\xcc\x81", "é");
    check("Fe\xcc\x80s", "fes");
    check("A\xcc\x88i\xcc\x88n", "ain");
}

static void test_arabic_harakat_tatweel(void **state)
{
    check("مُحَمَّد", "محمد");
    check("مــحــمــد", "محمد");
    check("عَبْدُ ٱللَّٰه", "عبد الله");
    check("سُعَاد", "سعاد");
    check("كِتَابٌ", "كتاب");
    check("هُدًى", "هدي");
    /* superscript alef and the small high signs */
    check("رَحْمَٰن", "رحمن");
    check("محمد ﷺ", "محمد ﷺ");
    check("صلى\xd8\x90", "صلي");
    same("جَمْعِيَّةُ أَمَلٍ لِلطُّفُولَةِ", "جمعية امل للطفولة");
    same("مـؤسـسـة نـور فـاس", "مؤسسة نور فاس");
}

static void test_arabic_letter_variants(void **state)
{
    check("أمل", "امل");
    check("إبراهيم", "ابراهيم");
    check("آيت الطالب", "ايت الطالب");
    check("ٱلله", "الله");
    check("فاطمة الزهراء", "فاطمه الزهراء");
    check("مصطفى", "مصطفي");
    check("مؤسسة", "موسسه");
    check("عائشة", "عايشه");
    check("جمعية أمل للطفولة", "جمعيه امل للطفوله");
    /* hamza on its own stays */
    check("سماء", "سماء");
    /* Persian ya and keheh */
    same("کریم", "كريم");
    same("أمينة", "امينه");
    same("إدريس", "ادريس");
    same("الإدريسي", "الادريسي");
    same("هدى", "هدي");
    same("مدرسة", "مدرسه");
}

static void test_digits(void **state)
{
    check("٠١٢٣٤٥٦٧٨٩", "0123456789");
    check("۰۱۲۳۴۵۶۷۸۹", "0123456789");
    check("البيت ١٢", "البيت 12");
    same("البيت ٣", "البيت 3");
    same("Maison ۴", "maison 4");
}

static void test_white_space(void **state)
{
    check("  a  b  ", "a b");
    check("\ta\r\n\v\fb\n", "a b");
    check("a\xc2\xa0" "b", "a b");            /* no-break space */
    check("a\xe2\x80\xaf" "b", "a b");        /* narrow no-break space */
    check("a\xe3\x80\x80" "b", "a b");        /* ideographic space */
    check("a\xe2\x80\x83\xe2\x80\x83" "b", "a b");
    check(" \xc2\xa0 \t", "");
    /* a dropped sign between spaces leaves one space */
    check("a \xd9\x80 b", "a b");
    check("\xd9\x8e a \xd9\x8e", "a");
    check("\xd9\x80\xd9\x80", "");
}

static void test_invisible_and_controls(void **state)
{
    check("a\xe2\x80\x8b" "b", "ab");           /* zero-width space */
    check("a\xe2\x80\x8c" "b\xe2\x80\x8d" "c", "abc"); /* ZWNJ, ZWJ */
    check("\xe2\x80\x8f" "سعاد\xe2\x80\x8e", "سعاد"); /* RLM, LRM */
    check("\xd8\x9c" "امل", "امل");             /* Arabic letter mark */
    check("\xef\xbb\xbf" "abc", "abc");         /* BOM */
    check("co\xc2\xad" "operation", "cooperation"); /* soft hyphen */
    check("a\x01\x7f" "b", "ab");
    check("a\xc2\x80\xc2\x9f" "b", "ab");       /* C1 controls */
    check("a\xc2\x85" "b", "a b");              /* NEL is a line break */
    check("\xe2\x80\xaa" "x\xe2\x80\xac", "x");  /* embedding marks */
}

static void test_invalid_utf8(void **state)
{
    check("a\xff" "b", "ab");
    check("\x80\x80" "abc", "abc");
    check("a\xc3", "a");                    /* truncated */
    check("\xc3(", "(");                    /* bad continuation: the lead alone goes */
    check("\xc0\xaf" "x", "x");             /* overlong '/' */
    check("\xe0\x80\xaf" "x", "x");         /* overlong 3 bytes */
    check("\xf0\x80\x80\xaf" "x", "x");     /* overlong 4 bytes */
    check("\xed\xa0\x80" "x", "x");         /* surrogate */
    check("\xf4\x90\x80\x80" "x", "x");     /* beyond U+10FFFF */
    check("\xf5\xbf\xbf\xbf", "");
    check("\xc3\xa9\xc3", "e");
    check("\xe2\x82", "");
    check("É\xfe" "cole", "ecole");
    /* valid 4-byte sequences stay */
    check("\xf0\x9f\x98\x80 ok", "\xf0\x9f\x98\x80 ok");
    check("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
    /* NUL bytes inside a counted buffer are dropped */
    check_n("a\0b", 3, "ab");
    check_n("\0\0", 2, "");
}

static void test_mixed(void **state)
{
    check("Village d'enfants Casablanca - Aïn Chock قرية الأطفال الدار البيضاء - عين الشق",
          "village d'enfants casablanca - ain chock قريه الاطفال الدار البيضاء - عين الشق");
    check("Fatima Zahra فَاطِمَة   ZAHRA", "fatima zahra فاطمه zahra");
    check("Maison ٣ — البيت ٣", "maison 3 — البيت 3");
    check("ÀبÉ", "aبe");
}

/* Every code point up to U+10FFFF folds to valid UTF-8 that folding again
 * leaves unchanged, and is never longer than its own encoding. */
static void test_every_code_point(void **state)
{
    char in[8], out[16];
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n;
        if (cp < 0x80) {
            in[0] = (char)cp;
            n = 1;
        } else if (cp < 0x800) {
            in[0] = (char)(0xC0 | (cp >> 6));
            in[1] = (char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            in[0] = (char)(0xE0 | (cp >> 12));
            in[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            in[2] = (char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            in[0] = (char)(0xF0 | (cp >> 18));
            in[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            in[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            in[3] = (char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        /* between two letters, so that a space is kept and visible */
        char buf[16];
        buf[0] = 'x';
        memcpy(buf + 1, in, n);
        buf[n + 1] = 'y';
        size_t len = text_fold_into(buf, n + 2, out);
        if (!utf8_valid(out, len) || len > n + 2) {
            print_error("U+%04X folds badly\n", (unsigned)cp);
            fail();
        }
        char again[16];
        text_fold_into(out, len, again);
        if (strcmp(again, out) != 0) {
            print_error("U+%04X: folding is not stable\n", (unsigned)cp);
            fail();
        }
    }
}

static void test_keys(void **state)
{
    const char *node[] = {"Association Amal pour l'enfance", "جمعية أمل للطفولة"};
    char *k = text_fold_key(node, 2);
    assert_string_equal(k, "association amal pour l'enfance جمعيه امل للطفوله");
    free(k);
    const char *no_ar[] = {"Maison 1", NULL};
    k = text_fold_key(no_ar, 2);
    assert_string_equal(k, "maison 1");
    free(k);
    const char *user[] = {"Samira El Idrissi", "directrice.casa@amal.ma", NULL};
    k = text_fold_key(user, 3);
    assert_string_equal(k, "samira el idrissi directrice.casa@amal.ma");
    free(k);
    const char *empty_mid[] = {"A", "  \xd9\x80 ", "B"};
    k = text_fold_key(empty_mid, 3);
    assert_string_equal(k, "a b");
    free(k);
    const char *empty_first[] = {"", "B"};
    k = text_fold_key(empty_first, 2);
    assert_string_equal(k, "b");
    free(k);
    /* nothing to index: " ", never "" (which means "not computed yet") */
    const char *nothing[] = {"\xd9\x8e\xd9\x80", NULL, ""};
    k = text_fold_key(nothing, 3);
    assert_string_equal(k, " ");
    free(k);
    k = text_fold_key(NULL, 0);
    assert_string_equal(k, " ");
    free(k);
}

static void test_words(void **state)
{
    char s[] = "ain chock  casa";
    const char *w[TEXT_FOLD_MAX_WORDS];
    assert_int_equal(text_fold_words(s, w, TEXT_FOLD_MAX_WORDS), 3);
    assert_string_equal(w[0], "ain");
    assert_string_equal(w[1], "chock");
    assert_string_equal(w[2], "casa");
    char e[] = "";
    assert_int_equal(text_fold_words(e, w, TEXT_FOLD_MAX_WORDS), 0);
    char sp[] = "  ";
    assert_int_equal(text_fold_words(sp, w, TEXT_FOLD_MAX_WORDS), 0);
    char many[] = "1 2 3 4 5 6 7 8 9 10";
    assert_int_equal(text_fold_words(many, w, TEXT_FOLD_MAX_WORDS), TEXT_FOLD_MAX_WORDS);
    assert_string_equal(w[7], "8");
    char two[] = "a b c";
    assert_int_equal(text_fold_words(two, w, 2), 2);
    assert_string_equal(w[1], "b");
}

static void test_match(void **state)
{
    const char *f[] = {"Village d'enfants Casablanca - Aïn Chock", "قرية الأطفال الدار البيضاء - عين الشق"};
    char *key = text_fold_key(f, 2);
    assert_true(text_fold_match(key, "ain chock"));
    assert_true(text_fold_match(key, "AÏN"));
    assert_true(text_fold_match(key, "chock ain")); /* every word, in any order */
    assert_true(text_fold_match(key, "  Casa   CHOCK "));
    assert_true(text_fold_match(key, "الأطفال"));
    assert_true(text_fold_match(key, "الاطفال"));
    assert_true(text_fold_match(key, "قرية"));
    assert_true(text_fold_match(key, "قريه"));
    assert_true(text_fold_match(key, "عَيْن"));
    assert_true(text_fold_match(key, ""));
    assert_true(text_fold_match(key, "\xd9\x8e")); /* folds to nothing: no filter */
    assert_false(text_fold_match(key, "ain tanger"));
    assert_false(text_fold_match(key, "marrakech"));
    assert_false(text_fold_match(key, "%"));
    assert_false(text_fold_match(NULL, "x"));
    free(key);
    const char *a[] = {"Association Amal pour l'enfance", "جمعية أمل للطفولة"};
    key = text_fold_key(a, 2);
    assert_true(text_fold_match(key, "أمل"));
    assert_true(text_fold_match(key, "امل"));
    assert_true(text_fold_match(key, "أَمَل"));
    assert_true(text_fold_match(key, "للطفولة"));
    assert_true(text_fold_match(key, "L'ENFANCE"));
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii),
        cmocka_unit_test(test_french_accents),
        cmocka_unit_test(test_latin_extended_a),
        cmocka_unit_test(test_combining_accents),
        cmocka_unit_test(test_arabic_harakat_tatweel),
        cmocka_unit_test(test_arabic_letter_variants),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_white_space),
        cmocka_unit_test(test_invisible_and_controls),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
