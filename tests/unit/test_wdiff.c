/* test_wdiff.c - the word-level difference: its invariants (the "same" and
 * "del" texts give the old text back, "same" and "add" the new one, no two
 * neighbours of one kind, whole words and whole UTF-8 sequences, the word
 * counts) on thousands of generated pairs (ASCII, French, Arabic, random
 * code points, Unicode spaces, invalid bytes); how readable small changes
 * read; large texts (every fallback) staying fast and still exact where
 * the changes are few; and the segments rendered by templates/doc/diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "doc/md.h"
#include "doc/wdiff.h"
#include "tpl/tpl.h"

/* --- invariants --------------------------------------------------------------- */

static bool space_at(const char *s, size_t *len)
{
    static const char *const spaces[] = {"\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9",
                                         "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
        *len = 1;
        return true;
    }
    if (c == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] >= 0x80 && (unsigned char)s[2] <= 0x8A) {
        *len = 3; /* U+2000..U+200A */
        return true;
    }
    for (size_t k = 0; k < ARRAY_LEN(spaces); k++)
        if (strncmp(s, spaces[k], strlen(spaces[k])) == 0) {
            *len = strlen(spaces[k]);
            return true;
        }
    return false;
}

/* Words of s (runs of anything but white space). */
static size_t count_words(const char *s)
{
    size_t n = 0, k;
    bool in = false;
    while (*s) {
        if (space_at(s, &k)) {
            in = false;
            s += k;
        } else {
            n += !in;
            in = true;
            s++;
        }
    }
    return n;
}

/* Checks everything wdiff.h promises of the diff of old and new. */
static void check_diff(const char *old_text, const char *new_text)
{
    wdiff_stats_t st;
    json_t *segs = wdiff(old_text, new_text, &st);
    assert_non_null(segs);
    char *want_old = md_utf8_repair(old_text ? old_text : "", old_text ? strlen(old_text) : 0, NULL);
    char *want_new = md_utf8_repair(new_text ? new_text : "", new_text ? strlen(new_text) : 0, NULL);
    buf_t o, n;
    buf_init(&o);
    buf_init(&n);
    buf_append(&o, "", 0);
    buf_append(&n, "", 0);
    size_t words[3] = {0, 0, 0}, k;
    json_t *seg;
    const char *prev = NULL;
    json_array_foreach(segs, k, seg) {
        const char *op = json_string_value(json_object_get(seg, "op"));
        const char *text = json_string_value(json_object_get(seg, "text"));
        assert_non_null(op);
        assert_non_null(text);
        assert_true(*text);
        assert_true(utf8_valid(text, strlen(text)));
        assert_true(prev == NULL || strcmp(prev, op) != 0); /* neighbours differ */
        prev = op;
        int which = strcmp(op, "same") == 0 ? 0 : strcmp(op, "del") == 0 ? 1 : strcmp(op, "add") == 0 ? 2 : -1;
        assert_true(which >= 0);
        assert_int_equal(json_is_true(json_object_get(seg, "same")), which == 0);
        assert_int_equal(json_is_true(json_object_get(seg, "del")), which == 1);
        assert_int_equal(json_is_true(json_object_get(seg, "add")), which == 2);
        assert_true(json_is_boolean(json_object_get(seg, "same")) && json_is_boolean(json_object_get(seg, "add")) &&
                    json_is_boolean(json_object_get(seg, "del")));
        words[which] += count_words(text);
        if (which != 2)
            buf_puts(&o, text);
        if (which != 1)
            buf_puts(&n, text);
    }
    assert_string_equal(o.data, want_old);
    assert_string_equal(n.data, want_new);
    assert_int_equal(words[0], st.same);
    assert_int_equal(words[1], st.deleted);
    assert_int_equal(words[2], st.added);
    assert_int_equal(st.same + st.deleted, count_words(want_old));
    assert_int_equal(st.same + st.added, count_words(want_new));
    json_t *again = wdiff(old_text, new_text, NULL); /* stats may be NULL */
    assert_true(json_equal(again, segs));
    json_decref(again);
    buf_free(&o);
    buf_free(&n);
    free(want_old);
    free(want_new);
    json_decref(segs);
}

/* The diff as "same[-deleted-]{+added+}" after checking it. */
static char *show(const char *old_text, const char *new_text)
{
    check_diff(old_text, new_text);
    json_t *segs = wdiff(old_text, new_text, NULL);
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    size_t k;
    json_t *seg;
    json_array_foreach(segs, k, seg) {
        const char *op = json_string_value(json_object_get(seg, "op"));
        const char *text = json_string_value(json_object_get(seg, "text"));
        buf_printf(&b, op[0] == 's' ? "%s" : op[0] == 'd' ? "[-%s-]" : "{+%s+}", text);
    }
    json_decref(segs);
    return buf_detach(&b);
}

#define SHOWS(a, b, want)          \
    do {                           \
        char *got_ = show((a), (b)); \
        assert_string_equal(got_, want); \
        free(got_);                \
    } while (0)

/* --- generated pairs -------------------------------------------------------------- */

static uint32_t g_rng = 12345;

static uint32_t rnd(uint32_t n)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return n ? g_rng % n : 0;
}

static void put_cp(buf_t *b, uint32_t cp)
{
    char o[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, o, 3);
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, o, 4);
    }
}

static const char *const g_words[] = {
    "le", "la", "projet", "\xC3\xA9tablissement", "qualit\xC3\xA9", "\xC5\x93uvre", "\xC3\x87" "a", "soin",
    "\xD9\x85\xD8\xB4\xD8\xB1\xD9\x88\xD8\xB9", "\xD8\xA7\xD9\x84\xD8\xAC\xD9\x88\xD8\xAF\xD8\xA9",
    "\xD9\x81\xD9\x8A", "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7", "a", "b", "x", "-", "1.", "(2)", "\xF0\x9F\x98\x80",
};
static const char *const g_spaces[] = {" ", " ", " ", "  ", "\t", "\n", "\n\n", "\xC2\xA0", "\xE2\x80\x83",
                                       "\xE3\x80\x80", "\xE2\x80\xA8", " \n "};

/* A word: from the list, or random code points of every length. */
static void put_word(buf_t *b)
{
    if (rnd(4)) {
        buf_puts(b, g_words[rnd(ARRAY_LEN(g_words))]);
        return;
    }
    for (uint32_t k = 1 + rnd(3); k > 0; k--) {
        uint32_t cp;
        switch (rnd(4)) {
        case 0: cp = 0x21 + rnd(0x5E); break;
        case 1: cp = 0x80 + rnd(0x780); break;
        case 2: cp = 0x800 + rnd(0xF800); break;
        default: cp = 0x10000 + rnd(0x100000); break;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0x4E00;
        put_cp(b, cp);
    }
}

/* Text of about n words, and a changed copy of it in *changed. */
static char *gen_pair(size_t n, char **changed)
{
    buf_t a, c;
    buf_init(&a);
    buf_init(&c);
    buf_append(&a, "", 0);
    buf_append(&c, "", 0);
    if (rnd(4) == 0)
        buf_puts(&a, g_spaces[rnd(ARRAY_LEN(g_spaces))]);
    for (size_t i = 0; i < n; i++) {
        size_t before = a.len;
        put_word(&a);
        if (i + 1 < n || rnd(3) == 0)
            buf_puts(&a, g_spaces[rnd(ARRAY_LEN(g_spaces))]);
        uint32_t r = rnd(10);
        if (r == 0)
            continue; /* deleted */
        if (r == 1) { /* replaced */
            put_word(&c);
            buf_puts(&c, " ");
            continue;
        }
        if (r == 2) { /* a word inserted before */
            put_word(&c);
            buf_puts(&c, g_spaces[rnd(ARRAY_LEN(g_spaces))]);
        }
        buf_append(&c, a.data + before, a.len - before);
        if (r == 3) /* other spaces after */
            buf_puts(&c, g_spaces[rnd(ARRAY_LEN(g_spaces))]);
    }
    *changed = buf_detach(&c);
    return buf_detach(&a);
}

static void test_invariants_on_generated_pairs(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++) {
        char *b;
        char *a = gen_pair(rnd(40), &b);
        check_diff(a, b);
        check_diff(b, a);
        check_diff(a, a);
        check_diff(a, "");
        check_diff("", b);
        free(a);
        free(b);
    }
}

static void test_invariants_on_random_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = "ab \n\t\xC3\xA9\xD9\x85\xE2\x80\x83\xF0\x9F\x98\x80\xFF\x80";
    for (int i = 0; i < 3000; i++) {
        char a[64], b[64];
        size_t na = rnd(sizeof a), nb = rnd(sizeof b);
        for (size_t k = 0; k < na; k++)
            a[k] = alphabet[1 + rnd(sizeof alphabet - 2)]; /* never NUL */
        for (size_t k = 0; k < nb; k++)
            b[k] = na && rnd(3) ? a[rnd((uint32_t)na)] : alphabet[1 + rnd(sizeof alphabet - 2)];
        a[na] = b[nb] = '\0';
        check_diff(a, b);
    }
}

/* --- readable results ----------------------------------------------------------------- */

static void test_small_changes_read_naturally(void **state)
{
    (void)state;
    SHOWS("the cat sat on the mat", "the dog sat on the mat", "the [-cat-]{+dog+} sat on the mat");
    SHOWS("a b c d", "a x y d", "a [-b c-]{+x y+} d");
    SHOWS("Hello world", "Hello world again", "Hello world{+ again+}");
    SHOWS("world", "Hello world", "{+Hello +}world");
    SHOWS("one two three", "one three", "one [-two -]three");
    SHOWS("one three", "one two three", "one {+two +}three");
    SHOWS("Le chat dort sur le tapis.", "Le chien dort sur la table.",
          "Le [-chat-]{+chien+} dort sur [-le tapis.-]{+la table.+}");
    SHOWS("first line\nsecond line\n", "first line\nsecond row\n", "first line\nsecond [-line-]{+row+}\n");
    SHOWS("a  b", "a b", "a [- -]b");
    SHOWS("a b", "a\nb", "a[- -]{+\n+}b");
    /* a word stranded among larger changes is given up: one replacement */
    SHOWS("Le chat noir dort sur le tapis", "Un chien blanc mange sur la table",
          "[-Le chat noir dort sur le tapis-]{+Un chien blanc mange sur la table+}");
    /* Arabic and French words */
    SHOWS("\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85 "
          "\xD8\xA7\xD9\x84\xD8\xAC\xD9\x85\xD9\x8A\xD9\x84",
          "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85 "
          "\xD8\xA7\xD9\x84\xD9\x83\xD8\xA8\xD9\x8A\xD8\xB1",
          "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85 "
          "[-\xD8\xA7\xD9\x84\xD8\xAC\xD9\x85\xD9\x8A\xD9\x84-]{+\xD8\xA7\xD9\x84\xD9\x83\xD8\xA8\xD9\x8A\xD8\xB1+}");
    SHOWS("caf\xC3\xA9 cr\xC3\xA8me", "caf\xC3\xA9 noir", "caf\xC3\xA9 [-cr\xC3\xA8me-]{+noir+}");
    /* spaces that share their first bytes are never cut inside */
    SHOWS("a\xE2\x80\x80" "b", "a\xE2\x80\x81" "b", "a[-\xE2\x80\x80-]{+\xE2\x80\x81+}b");
    SHOWS("a \xE2\x80\x80 b", "a \xE2\x80\x81 b", "a [-\xE2\x80\x80-]{+\xE2\x80\x81+} b");
}

static void test_empty_identical_and_null_texts(void **state)
{
    (void)state;
    wdiff_stats_t st;
    json_t *s = wdiff(NULL, NULL, &st);
    assert_int_equal(json_array_size(s), 0);
    assert_int_equal(st.same + st.added + st.deleted, 0);
    json_decref(s);
    s = wdiff("same  text\n", "same  text\n", &st);
    assert_int_equal(json_array_size(s), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "op")), "same");
    assert_int_equal(st.same, 2);
    assert_int_equal(st.added + st.deleted, 0);
    json_decref(s);
    s = wdiff(NULL, "two words", &st);
    assert_int_equal(json_array_size(s), 1);
    assert_true(json_is_true(json_object_get(json_array_get(s, 0), "add")));
    assert_int_equal(st.added, 2);
    json_decref(s);
    SHOWS("old words", NULL, "[-old words-]");
    SHOWS("   ", "", "[-   -]");
    check_diff("a\xFF" "b c", "a\xFF" "b d"); /* invalid bytes: the repaired texts */
    SHOWS("a\xFF" "b c", "a\xFF" "b d", "a\xEF\xBF\xBD" "b [-c-]{+d+}");
}

/* --- large texts ------------------------------------------------------------------------ */

/* n random words of 3 to 8 letters, a line break every line_words words
 * (0: none). */
static char *random_text(size_t n, size_t line_words, uint32_t letters)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t k = 3 + rnd(6); k > 0; k--)
            buf_putc(&b, (char)('a' + rnd(letters)));
        buf_putc(&b, line_words && (i + 1) % line_words == 0 ? '\n' : ' ');
    }
    return buf_detach(&b);
}

/* text with word number i (0-based) of every step-th replaced by "CHANGEDk". */
static char *replace_words(const char *text, size_t step, size_t *replaced)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    size_t i = 0;
    *replaced = 0;
    for (const char *p = text; *p;) {
        size_t w = strcspn(p, " \n");
        if (w && i % step == step / 2) {
            buf_printf(&b, "CHANGED%zu", (*replaced)++);
        } else {
            buf_append(&b, p, w);
        }
        i += w > 0;
        p += w;
        if (*p)
            buf_putc(&b, *p++);
    }
    return buf_detach(&b);
}

static int64_t timed_check(const char *a, const char *b, wdiff_stats_t *st)
{
    int64_t t0 = now_ms_monotonic();
    json_t *s = wdiff(a, b, st);
    int64_t t = now_ms_monotonic() - t0;
    json_decref(s);
    return t;
}

#define MAX_MS 15000 /* generous: sanitizer builds on a busy machine */

static void test_large_texts_with_few_changes_stay_exact_and_fast(void **state)
{
    (void)state;
    wdiff_stats_t st;
    size_t rep;
    /* one line of 100,000 words: too large for one exact comparison */
    char *a = random_text(100000, 0, 26);
    char *b = replace_words(a, 5000, &rep);
    assert_int_equal(rep, 20);
    assert_true(timed_check(a, b, &st) < MAX_MS);
    assert_int_equal(st.deleted, 20);
    assert_int_equal(st.added, 20);
    assert_int_equal(st.same, 100000 - 20);
    check_diff(a, b);
    free(a);
    free(b);
    /* 1,500 lines of 10 words: compared line by line */
    a = random_text(15000, 10, 26);
    b = replace_words(a, 500, &rep);
    assert_int_equal(rep, 30);
    assert_true(timed_check(a, b, &st) < MAX_MS);
    assert_int_equal(st.deleted, 30);
    assert_int_equal(st.added, 30);
    check_diff(a, b);
    free(a);
    free(b);
}

static void test_large_unrelated_texts_stay_bounded(void **state)
{
    (void)state;
    wdiff_stats_t st;
    struct {
        size_t words, line;
        uint32_t letters;
    } cases[] = {
        {200000, 0, 26}, /* many unique words: anchors everywhere */
        {200000, 0, 2},  /* three-to-eight letter words of "ab": no unique word */
        {200000, 12, 2}, /* the same on many lines */
        {60000, 3, 3},
    };
    for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
        char *a = random_text(cases[k].words, cases[k].line, cases[k].letters);
        char *b = random_text(cases[k].words, cases[k].line, cases[k].letters);
        int64_t ms = timed_check(a, b, &st);
        if (ms >= MAX_MS)
            fail_msg("case %zu took %lld ms", k, (long long)ms);
        assert_int_equal(st.same + st.deleted, cases[k].words);
        assert_int_equal(st.same + st.added, cases[k].words);
        check_diff(a, b);
        free(a);
        free(b);
    }
}

/* --- rendering ---------------------------------------------------------------------------- */

static const char *templates_dir(char *out, size_t len)
{
    const char *share = getenv("JOUDA_SHARE_DIR");
    if (share && *share) {
        snprintf(out, len, "%s/templates", share);
        return out;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 4; up++) { /* build/<variant>/tests/test_wdiff */
            char *slash = strrchr(exe, '/');
            if (slash)
                *slash = '\0';
        }
        snprintf(out, len, "%s/templates", exe);
        if (access(out, R_OK) == 0)
            return out;
    }
    snprintf(out, len, "templates");
    return out;
}

static void test_rendered_diff_marks_changes_for_eyes_and_screen_readers(void **state)
{
    (void)state;
    char dir[4200], err[512];
    tpl_set_t *set = tpl_load_dir(templates_dir(dir, sizeof dir), err, sizeof err);
    if (!set)
        fail_msg("templates from %s: %s", dir, err);
    tpl_set_strict(set, true);
    json_t *m = json_pack("{s:o, s:b, s:s}", "segments", wdiff("keep <b>old</b>\nend", "keep <i>new</i>\nend", NULL),
                          "add", 1, "text", "LEAK");
    buf_t out;
    buf_init(&out);
    if (tpl_render(set, "doc/diff", NULL, m, NULL, &out, err, sizeof err) != 0)
        fail_msg("render: %s", err);
    assert_string_equal(out.data, "<div class=\"diff\" dir=\"auto\">keep "
                                  "<del><span class=\"visually-hidden\">(deleted) </span>&lt;b&gt;old&lt;/b&gt;</del>"
                                  "<ins><span class=\"visually-hidden\">(added) </span>&lt;i&gt;new&lt;/i&gt;</ins>"
                                  "\nend</div>");
    buf_free(&out);
    json_decref(m);
    tpl_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants_on_generated_pairs),
        cmocka_unit_test(test_invariants_on_random_bytes),
        cmocka_unit_test(test_small_changes_read_naturally),
        cmocka_unit_test(test_empty_identical_and_null_texts),
        cmocka_unit_test(test_large_texts_with_few_changes_stay_exact_and_fast),
        cmocka_unit_test(test_large_unrelated_texts_stay_bounded),
        cmocka_unit_test(test_rendered_diff_marks_changes_for_eyes_and_screen_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
