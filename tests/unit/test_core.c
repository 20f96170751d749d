/* test_core.c - the shared utilities every module leans on: the arena
 * (alignment, zeroing, big blocks, printf, deferred cleanups), arena arrays
 * (VEC), growable buffers, strict UTF-8 checks, string helpers (lists,
 * natural order, ids as paths write them, placeholders filled without
 * printf), reading whole files, local time formatting for Africa/Casablanca
 * and the log line format. */
#include "testutil.h"

#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool aligned16(const void *p)
{
    return ((uintptr_t)p & 15u) == 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static bool all_byte(const unsigned char *p, size_t n, unsigned char b)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != b)
            return false;
    return true;
}

/* --- arena ----------------------------------------------------------------- */

#define NSMALL 5000

static void test_arena_many_small(void **state)
{
    (void)state;
    /* dirty the heap first so that zeroed memory is not a happy accident */
    for (int k = 0; k < 4; k++) {
        arena_t *d = arena_new();
        for (int i = 0; i < 300; i++)
            memset(arena_alloc(d, 100), 0xAA, 100);
        arena_free(d);
    }
    arena_t *a = arena_new();
    static unsigned char *ptr[NSMALL];
    static size_t len[NSMALL];
    for (int i = 0; i < NSMALL; i++) {
        len[i] = (size_t)(i % 97) + 1;
        ptr[i] = arena_alloc(a, len[i]);
        assert_non_null(ptr[i]);
        assert_true(aligned16(ptr[i]));
        assert_true(all_zero(ptr[i], len[i]));
        memset(ptr[i], (unsigned char)(i & 0xFF), len[i]);
    }
    /* no allocation overlaps another: every pattern is intact */
    for (int i = 0; i < NSMALL; i++)
        assert_true(all_byte(ptr[i], len[i], (unsigned char)(i & 0xFF)));
    for (int i = 1; i < NSMALL; i++)
        assert_ptr_not_equal(ptr[i], ptr[i - 1]);
    arena_free(a);
}

static void test_arena_large(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    static const size_t sizes[] = {4095, 4096, 4097, 8192, 8193, 100000, 1 << 20, 17, 3, 5000, 64};
    unsigned char *ptr[ARRAY_LEN(sizes)];
    unsigned char *small[ARRAY_LEN(sizes)];
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        ptr[i] = arena_alloc(a, sizes[i]);
        assert_true(aligned16(ptr[i]));
        assert_true(all_zero(ptr[i], sizes[i]));
        memset(ptr[i], (int)(0x10 + i), sizes[i]);
        /* a small one after each big one still fits somewhere valid */
        small[i] = arena_alloc(a, 24);
        assert_true(aligned16(small[i]));
        assert_true(all_zero(small[i], 24));
        memset(small[i], (int)(0x80 + i), 24);
    }
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        assert_true(all_byte(ptr[i], sizes[i], (unsigned char)(0x10 + i)));
        assert_true(all_byte(small[i], 24, (unsigned char)(0x80 + i)));
    }
    arena_free(a);

    /* a big allocation as the very first one */
    a = arena_new();
    unsigned char *big = arena_alloc(a, 300000);
    assert_true(aligned16(big));
    memset(big, 0x5A, 300000);
    unsigned char *after = arena_alloc(a, 10);
    assert_true(all_zero(after, 10));
    assert_true(after + 10 <= big || after >= big + 300000);
    assert_true(all_byte(big, 300000, 0x5A));
    arena_free(a);
}

static void test_arena_zero_size_and_strings(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    void *z1 = arena_alloc(a, 0);
    void *z2 = arena_alloc(a, 0);
    assert_non_null(z1);
    assert_non_null(z2);
    assert_ptr_not_equal(z1, z2);
    assert_true(aligned16(z1));

    assert_null(arena_strdup(a, NULL));
    char *s = arena_strdup(a, "Maison Amal");
    assert_string_equal(s, "Maison Amal");
    assert_true(aligned16(s));
    char *e = arena_strdup(a, "");
    assert_string_equal(e, "");
    char *n = arena_strndup(a, "abcdef", 3);
    assert_string_equal(n, "abc");
    /* strndup copies exactly n bytes, even past an embedded NUL */
    char *m = arena_strndup(a, "ab\0cd", 5);
    assert_int_equal(m[2], '\0');
    assert_memory_equal(m, "ab\0cd", 6);
    arena_free(a);
    arena_free(NULL); /* allowed */
}

static void test_arena_printf(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(arena_printf(a, "%s=%d", "n", 42), "n=42");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    assert_string_equal(arena_printf(a, "%%/%lld/%%", 17LL), "%/17/%");

    /* lengths around the 256-byte stack buffer */
    static const size_t lens[] = {254, 255, 256, 257, 300, 1000, 70000};
    for (size_t k = 0; k < ARRAY_LEN(lens); k++) {
        size_t L = lens[k];
        char *src = xmalloc(L + 1);
        for (size_t i = 0; i < L; i++)
            src[i] = (char)('a' + i % 26);
        src[L] = '\0';
        char *p = arena_printf(a, "[%s|%zu]", src, L);
        char *want = xasprintf("[%s|%zu]", src, L);
        assert_int_equal(strlen(p), strlen(want));
        assert_string_equal(p, want);
        assert_true(aligned16(p));
        free(want);
        free(src);
    }
    /* Arabic text over 256 bytes keeps every byte */
    char ar[1200] = "";
    for (int i = 0; i < 100; i++)
        strcat(ar, "مؤسسة "); /* 11 bytes each */
    char *p = arena_printf(a, "%s%d", ar, 7);
    assert_int_equal(strlen(p), strlen(ar) + 1);
    assert_memory_equal(p, ar, strlen(ar));
    assert_true(utf8_valid(p, strlen(p)));
    arena_free(a);
}

static int g_order[8];
static int g_norder;

static void defer_record(void *arg)
{
    g_order[g_norder++] = *(int *)arg;
}

static void test_arena_defer(void **state)
{
    (void)state;
    static int ids[3] = {1, 2, 3};
    g_norder = 0;
    arena_t *a = arena_new();
    arena_defer(a, defer_record, &ids[0]);
    (void)arena_alloc(a, 50000); /* blocks and cleanups are independent */
    arena_defer(a, defer_record, &ids[1]);
    arena_defer(a, defer_record, &ids[2]);
    assert_int_equal(g_norder, 0); /* nothing runs before arena_free */
    arena_free(a);
    assert_int_equal(g_norder, 3);
    /* reverse registration order, each exactly once */
    assert_int_equal(g_order[0], 3);
    assert_int_equal(g_order[1], 2);
    assert_int_equal(g_order[2], 1);

    /* the typical use: a JSON-like heap object freed with the arena (ASan
     * reports a leak if the cleanup does not run) */
    a = arena_new();
    char *heap = xstrdup("model");
    arena_defer(a, free, heap);
    arena_free(a);
}

/* --- VEC: arrays in an arena ------------------------------------------------ */

typedef struct {
    int64_t id;
    const char *name;
    char pad[13]; /* an odd size: elements are not a power of two bytes */
} vec_item_t;

static void test_vec_growth(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    VEC(vec_item_t) items = {0};
    assert_null(items.v);
    assert_int_equal(items.n, 0);
    assert_int_equal(items.cap, 0);

    /* the first push allocates; each one gives a zeroed element at the end */
    vec_item_t *first = VEC_PUSH(a, &items);
    assert_non_null(first);
    assert_ptr_equal(first, &items.v[0]);
    assert_int_equal(items.n, 1);
    assert_true(items.cap >= 1);
    assert_int_equal(first->id, 0);
    assert_null(first->name);
    first->id = 1;
    first->name = "un";

    /* 1000 elements cross several doublings of the storage: every value is
     * kept, every new element is zeroed, the storage moves as it grows */
    size_t moves = 0;
    vec_item_t *before = items.v;
    for (int64_t i = 2; i <= 1000; i++) {
        vec_item_t *e = VEC_PUSH(a, &items);
        assert_ptr_equal(e, &items.v[items.n - 1]);
        assert_int_equal(e->id, 0);
        assert_null(e->name);
        assert_true(all_zero((const unsigned char *)e->pad, sizeof e->pad));
        e->id = i;
        e->name = i % 2 ? "impair" : "pair";
        memset(e->pad, (int)(i & 0x7F), sizeof e->pad);
        assert_true(items.n <= items.cap);
        if (items.v != before) {
            moves++;
            before = items.v;
        }
    }
    assert_int_equal(items.n, 1000);
    assert_true(moves >= 5); /* 1000 elements need at least five doublings past 16 */
    assert_int_equal(items.v[0].id, 1);
    assert_string_equal(items.v[0].name, "un");
    for (int64_t i = 2; i <= 1000; i++) {
        const vec_item_t *e = &items.v[i - 1];
        if (e->id != i)
            fail_msg("element %lld holds %lld", (long long)(i - 1), (long long)e->id);
        assert_string_equal(e->name, i % 2 ? "impair" : "pair");
        assert_true(all_byte((const unsigned char *)e->pad, sizeof e->pad, (unsigned char)(i & 0x7F)));
    }

    /* arrays of scalars, two side by side in one arena */
    VEC(int) xs = {0};
    VEC(char) cs = {0};
    for (int i = 0; i < 300; i++) {
        *VEC_PUSH(a, &xs) = i * i;
        *VEC_PUSH(a, &cs) = (char)('a' + i % 26);
    }
    assert_int_equal(xs.n, 300);
    assert_int_equal(cs.n, 300);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(xs.v[i], i * i);
        assert_int_equal(cs.v[i], 'a' + i % 26);
    }
    arena_free(a); /* the storage dies with the arena (ASan checks) */
}

/* --- x* allocation helpers ---------------------------------------------- */

static void test_x_helpers(void **state)
{
    (void)state;
    unsigned char *c = xcalloc(100, 3);
    assert_true(all_zero(c, 300));
    c = xrealloc(c, 10000);
    c[9999] = 1;
    free(c);
    free(xmalloc(0));
    char *d = xstrndup("abcdef", 4);
    assert_string_equal(d, "abcd");
    free(d);
    d = xstrdup("");
    assert_string_equal(d, "");
    free(d);
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    d = xasprintf("<%s>", big);
    assert_int_equal(strlen(d), sizeof big + 1);
    assert_int_equal(d[0], '<');
    assert_int_equal(d[sizeof big], '>');
    free(d);
}

/* --- buf_t ----------------------------------------------------------------- */

static void test_buf_append_growth(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);

    buf_append(&b, "", 0); /* allocates, stays a valid empty string */
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);

    /* 20000 appends of 7 bytes cross many doublings */
    for (int i = 0; i < 20000; i++)
        buf_append(&b, "abcdefg", 7);
    assert_int_equal(b.len, 140000);
    assert_true(b.cap >= b.len + 1);
    assert_int_equal(b.data[b.len], '\0');
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != "abcdefg"[i % 7])
            fail_msg("byte %zu differs", i);

    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_true(b.cap >= 140001); /* the memory is kept for reuse */

    /* embedded NUL bytes count in len */
    buf_append(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b\0", 4);
    buf_putc(&b, 'c');
    buf_puts(&b, "déf");
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "a\0bcd\xC3\xA9" "f", 9);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_buf_putc_boundary(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    /* one character at a time across the first capacity (256) */
    for (int i = 0; i < 1000; i++)
        buf_putc(&b, (char)('0' + i % 10));
    assert_int_equal(b.len, 1000);
    assert_int_equal(strlen(b.data), 1000);
    assert_int_equal(b.data[255], '5');
    assert_int_equal(b.data[256], '6');
    assert_int_equal(b.data[999], '9');
    buf_free(&b);
}

static void test_buf_printf(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%d-%s", 12, "ab");
    assert_string_equal(b.data, "12-ab");
    assert_int_equal(b.len, 5);
    /* a single printf far over the free room */
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 5 + 2 + 2999);
    assert_int_equal(strlen(b.data), b.len);
    assert_memory_equal(b.data, "12-ab[zzz", 9);
    assert_int_equal(b.data[b.len - 1], ']');
    /* many small printfs */
    buf_reset(&b);
    for (int i = 0; i < 5000; i++)
        buf_printf(&b, "%04d,", i);
    assert_int_equal(b.len, 25000);
    assert_memory_equal(b.data, "0000,0001,0002,", 15);
    assert_memory_equal(b.data + 24995, "4999,", 5);
    /* exactly filling the room left: the NUL still fits */
    buf_reset(&b);
    size_t room = b.cap - 1;
    char *exact = xmalloc(room + 1);
    memset(exact, 'q', room);
    exact[room] = '\0';
    buf_printf(&b, "%s", exact);
    assert_int_equal(b.len, room);
    assert_int_equal(b.data[room], '\0');
    buf_printf(&b, "%s", "!");
    assert_int_equal(b.len, room + 1);
    assert_int_equal(b.data[room], '!');
    free(exact);
    buf_free(&b);
}

static void test_buf_detach(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "référent qualité");
    char *s = buf_detach(&b);
    assert_string_equal(s, "référent qualité");
    assert_null(b.data); /* the buffer starts again from nothing */
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(s);
    /* detaching an empty buffer still gives a string to free */
    char *e = buf_detach(&b);
    assert_non_null(e);
    assert_string_equal(e, "");
    free(e);
    /* the buffer is usable after a detach */
    buf_puts(&b, "x");
    assert_string_equal(b.data, "x");
    buf_free(&b);
    buf_reset(&b); /* reset of a freed buffer is harmless */
    assert_null(b.data);
}

/* --- UTF-8 ------------------------------------------------------------------ */

static bool v(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static void test_utf8_valid_accepts(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(v("Jouda 2026"));
    assert_true(v("Établissement de protection sociale à Fès « été » — œuvre"));
    assert_true(v("مؤسسة الرعاية الاجتماعية دار الأطفال"));
    assert_true(v("ⵜⴰⵎⴰⵣⵉⵖⵜ")); /* Tifinagh */
    assert_true(v("\xF0\x9F\x98\x80 \xF0\x9F\x87\xB2\xF0\x9F\x87\xA6")); /* emoji, flag */
    /* the edges of each length */
    assert_true(v("\xC2\x80"));         /* U+0080 */
    assert_true(v("\xDF\xBF"));         /* U+07FF */
    assert_true(v("\xE0\xA0\x80"));     /* U+0800 */
    assert_true(v("\xED\x9F\xBF"));     /* U+D7FF, just below the surrogates */
    assert_true(v("\xEE\x80\x80"));     /* U+E000, just above */
    assert_true(v("\xEF\xBF\xBD"));     /* U+FFFD */
    assert_true(v("\xEF\xBF\xBF"));     /* U+FFFF */
    assert_true(v("\xF0\x90\x80\x80")); /* U+10000 */
    assert_true(v("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last code point */
    /* only the first n bytes are looked at */
    assert_true(utf8_valid("ab\xFF", 2));
    assert_true(utf8_valid("\xC3\xA9\xFF", 2));
    /* a NUL byte inside n is an ASCII character */
    assert_true(utf8_valid("a\0b", 3));
}

static void test_utf8_valid_refuses(void **state)
{
    (void)state;
    /* overlong forms */
    assert_false(v("\xC0\x80"));         /* NUL in two bytes */
    assert_false(v("\xC0\xAF"));         /* '/' */
    assert_false(v("\xC1\xBF"));
    assert_false(v("\xE0\x80\x80"));
    assert_false(v("\xE0\x9F\xBF"));     /* U+07FF in three bytes */
    assert_false(v("\xF0\x80\x80\x80"));
    assert_false(v("\xF0\x8F\xBF\xBF")); /* U+FFFF in four bytes */
    /* surrogates */
    assert_false(v("\xED\xA0\x80"));     /* U+D800 */
    assert_false(v("\xED\xAD\xBF"));     /* U+DB7F */
    assert_false(v("\xED\xB0\x80"));     /* U+DC00 */
    assert_false(v("\xED\xBF\xBF"));     /* U+DFFF */
    assert_false(v("\xED\xA0\xBD\xED\xB8\x80")); /* a CESU-8 pair */
    /* beyond U+10FFFF and bytes that never appear */
    assert_false(v("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(v("\xF5\x80\x80\x80"));
    assert_false(v("\xF7\xBF\xBF\xBF"));
    assert_false(v("\xF8\x88\x80\x80\x80"));
    assert_false(v("\xFC\x84\x80\x80\x80\x80"));
    assert_false(v("\xFE"));
    assert_false(v("\xFF"));
    assert_false(v("abc\xFF"));
    /* lone continuation bytes */
    assert_false(v("\x80"));
    assert_false(v("\xBF"));
    assert_false(v("a\x80z"));
    assert_false(v("\xC3\xA9\xA9")); /* é followed by a stray continuation */
    /* truncated sequences */
    assert_false(v("\xC3"));
    assert_false(v("\xE2\x82"));         /* € cut */
    assert_false(v("\xF0\x9F\x98"));     /* emoji cut */
    assert_false(utf8_valid("\xC3\xA9", 1));
    assert_false(utf8_valid("\xF0\x9F\x98\x80", 3));
    assert_false(v("\xC3" "A"));         /* a lead byte followed by ASCII */
    assert_false(v("\xE2\x82" "A"));
    assert_false(v("\xF0\x9F\x98" "A"));
    assert_false(v("\xE2" "\xC3\xA9"));  /* a lead byte followed by another lead */
}

static void test_utf8_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count(""), 0);
    assert_int_equal(utf8_count("abc"), 3);
    assert_int_equal(utf8_count("été"), 3);
    assert_int_equal(utf8_count("مرحبا"), 5);
    assert_int_equal(utf8_count("\xF0\x9F\x98\x80"), 1);
    assert_int_equal(utf8_count("a\xE2\x82\xAC" "b\xF4\x8F\xBF\xBF"), 4);
    assert_int_equal(utf8_count("دار الأطفال Fès"), 15);
}

static void test_str_has_control(void **state)
{
    (void)state;
    assert_false(str_has_control(""));
    assert_false(str_has_control("texte normal, été, مؤسسة"));
    assert_false(str_has_control("tab\there\nline\r\n"));
    assert_true(str_has_control("a\x01" "b"));
    assert_true(str_has_control("\x1F"));
    assert_true(str_has_control("\x1B[31mred"));
    assert_true(str_has_control("bell\x07"));
    assert_true(str_has_control("del\x7F"));
    assert_true(str_has_control("\x0B")); /* vertical tab */
    assert_true(str_has_control("\x0C")); /* form feed */
    assert_false(str_has_control(" ~")); /* 0x20 and 0x7E are printable */
}

/* --- strings ---------------------------------------------------------------- */

static void test_str_eq_empty(void **state)
{
    (void)state;
    assert_true(str_eq(NULL, NULL));
    assert_false(str_eq(NULL, ""));
    assert_false(str_eq("", NULL));
    assert_true(str_eq("", ""));
    assert_true(str_eq("eps", "eps"));
    assert_false(str_eq("eps", "EPS"));
    assert_false(str_eq("eps", "eps "));

    assert_true(str_empty(NULL));
    assert_true(str_empty(""));
    assert_true(str_empty("   "));
    assert_true(str_empty(" \t\r\n "));
    assert_false(str_empty(" a "));
    assert_false(str_empty("\xC2\xA0")); /* a no-break space is not ASCII space */
    assert_false(str_empty("0"));
}

static void test_str_trim(void **state)
{
    (void)state;
    char a[] = "  Maison Amal  ";
    char *t = str_trim(a);
    assert_string_equal(t, "Maison Amal");
    assert_true(t >= a && t < a + sizeof a); /* in place */
    char b[] = "\t\r\n x y \r\n\t";
    assert_string_equal(str_trim(b), "x y");
    char c[] = "";
    assert_string_equal(str_trim(c), "");
    char d[] = "    ";
    assert_string_equal(str_trim(d), "");
    char e[] = "sans";
    assert_ptr_equal(str_trim(e), e);
    assert_string_equal(e, "sans");
    char f[] = " مؤسسة ";
    assert_string_equal(str_trim(f), "مؤسسة");
    char g[] = "\xC2\xA0x\xC2\xA0"; /* no-break spaces stay */
    assert_string_equal(str_trim(g), "\xC2\xA0x\xC2\xA0");
    assert_null(str_trim(NULL));
}

static void test_str_to_i64(void **state)
{
    (void)state;
    int64_t x = 0;
    assert_true(str_to_i64("0", &x));
    assert_int_equal(x, 0);
    assert_true(str_to_i64("42", &x));
    assert_int_equal(x, 42);
    assert_true(str_to_i64("-42", &x));
    assert_int_equal(x, -42);
    assert_true(str_to_i64("+42", &x));
    assert_int_equal(x, 42);
    assert_true(str_to_i64("007", &x));
    assert_int_equal(x, 7);
    assert_true(str_to_i64("9223372036854775807", &x));
    assert_true(x == INT64_MAX);
    assert_true(str_to_i64("-9223372036854775808", &x));
    assert_true(x == INT64_MIN);

    /* failures leave the output alone */
    x = 12345;
    static const char *const bad[] = {
        "", "-", "+", " 1", "1 ", "1a", "a1", "0x10", "1e3", "1.0", "1,5", "--1", "+-1", "-+1",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999999",
        "\xD9\xA3", /* Arabic-Indic digit three */
        "1\n", "\t1",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (str_to_i64(bad[i], &x))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(x, 12345);
    }
    assert_false(str_to_i64(NULL, &x));
    assert_int_equal(x, 12345);
}

static void test_str_in(void **state)
{
    (void)state;
    static const char *const list[] = {"children", "elderly", "women", NULL};
    static const char *const empty[] = {NULL};
    assert_true(str_in(list, "children"));
    assert_true(str_in(list, "women")); /* the last one */
    assert_false(str_in(list, "Children")); /* exact: case matters */
    assert_false(str_in(list, "child"));    /* not a prefix */
    assert_false(str_in(list, "children ")); /* not trimmed */
    assert_false(str_in(list, ""));
    assert_false(str_in(list, NULL));
    assert_false(str_in(NULL, "children"));
    assert_false(str_in(NULL, NULL));
    assert_false(str_in(empty, "children"));
    assert_false(str_in(empty, ""));
    static const char *const with_empty[] = {"a", "", NULL};
    assert_true(str_in(with_empty, ""));
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static int natural_qsort_cmp(const void *a, const void *b)
{
    return str_natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_str_natural_cmp(void **state)
{
    (void)state;
    /* numbers by value, text by byte, ASCII case folded */
    assert_int_equal(sign(str_natural_cmp("Maison 2", "Maison 10")), -1);
    assert_int_equal(sign(str_natural_cmp("Maison 10", "Maison 2")), 1);
    assert_int_equal(str_natural_cmp("Maison 1", "Maison 1"), 0);
    assert_int_equal(sign(str_natural_cmp("maison 3", "Maison 4")), -1);
    assert_int_equal(str_natural_cmp("MAISON 4", "maison 4"), 0);
    assert_int_equal(str_natural_cmp("Maison 007", "Maison 7"), 0); /* leading zeros do not count */
    assert_int_equal(sign(str_natural_cmp("Maison 007", "Maison 8")), -1);
    assert_int_equal(sign(str_natural_cmp("Foyer", "Maison 1")), -1);
    assert_int_equal(sign(str_natural_cmp("Maison", "Maison 1")), -1); /* a prefix first */
    assert_int_equal(sign(str_natural_cmp("Maison 1", "Maison")), 1);
    assert_int_equal(sign(str_natural_cmp("Maison A", "Maison B")), -1);
    assert_int_equal(sign(str_natural_cmp("Unité 2b", "Unité 2c")), -1);
    assert_int_equal(sign(str_natural_cmp("a2b10", "a2b9")), 1); /* every run of digits */
    assert_int_equal(sign(str_natural_cmp("a10b1", "a9b2")), 1);
    /* numbers longer than any integer still compare by value */
    assert_int_equal(sign(str_natural_cmp("n 99999999999999999999999", "n 100000000000000000000000")), -1);
    assert_int_equal(str_natural_cmp("n 00000000000000000000001", "n 1"), 0);
    assert_int_equal(sign(str_natural_cmp("9", "10")), -1);
    assert_int_equal(sign(str_natural_cmp("0", "00")), 0);
    /* empty and NULL first */
    assert_int_equal(str_natural_cmp("", ""), 0);
    assert_int_equal(sign(str_natural_cmp("", "a")), -1);
    assert_int_equal(sign(str_natural_cmp(NULL, "a")), -1);
    assert_int_equal(sign(str_natural_cmp("a", NULL)), 1);
    assert_int_equal(sign(str_natural_cmp(NULL, "")), -1);
    assert_int_equal(str_natural_cmp(NULL, NULL), 0);

    /* a sort by it gives the order people expect */
    const char *names[] = {"Maison 10", "maison 2", "Foyer", "Maison 1", "Maison 2a", "Maison"};
    qsort(names, ARRAY_LEN(names), sizeof names[0], natural_qsort_cmp);
    static const char *const want[] = {"Foyer", "Maison", "Maison 1", "maison 2", "Maison 2a",
                                       "Maison 10"};
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_string_equal(names[i], want[i]);
}

static void test_id_parse(void **state)
{
    (void)state;
    int64_t id = -7;
    const char *end = NULL;
    assert_true(id_parse("9", &end, &id));
    assert_int_equal(id, 9);
    assert_int_equal(*end, '\0');
    assert_true(id_parse("1", NULL, &id)); /* end may be NULL */
    assert_int_equal(id, 1);
    assert_true(id_parse("10", &end, &id));
    assert_int_equal(id, 10);
    assert_true(id_parse("999999999999999999", &end, &id)); /* 18 digits */
    assert_true(id == INT64_C(999999999999999999));
    assert_int_equal(*end, '\0');
    assert_true(id_parse("100000000000000000", &end, &id));
    assert_true(id == INT64_C(100000000000000000));

    /* it reads the digits and tells where they end: "/12/" in a path */
    const char *s = "12/4/";
    assert_true(id_parse(s, &end, &id));
    assert_int_equal(id, 12);
    assert_ptr_equal(end, s + 2);
    s = "7x";
    assert_true(id_parse(s, &end, &id));
    assert_int_equal(id, 7);
    assert_ptr_equal(end, s + 1);

    /* refused: zero, a leading zero, signs, spaces, no digit, 19 digits */
    static const char *const bad[] = {
        "0", "00", "01", "007", "+1", "-1", " 1", "", "/1", "a1", "x",
        "1000000000000000000",  /* 19 digits */
        "9223372036854775807",  /* INT64_MAX: 19 digits as well */
        "99999999999999999999999999",
        "\xD9\xA3", /* an Arabic-Indic digit */
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (id_parse(bad[i], &end, &id))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_false(id_parse(NULL, &end, &id));
    assert_int_equal(ID_MAX_DIGITS, 18);
}

static void test_text_fill(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    static const long long two[] = {1, 10};
    assert_string_equal(text_fill_numbers(a, "Between %d and %d.", two, 2), "Between 1 and 10.");
    assert_string_equal(text_fill_numbers(a, "At most %d.", (const long long[]){7, 9}, 2), "At most 7.");
    /* missing values print nothing */
    assert_string_equal(text_fill_numbers(a, "%d%d%d", two, 2), "110");
    assert_string_equal(text_fill_numbers(a, "%d and %d", two, 1), "1 and ");
    assert_string_equal(text_fill_numbers(a, "[%d]", NULL, 0), "[]");
    /* %% is a percent sign and takes no value */
    assert_string_equal(text_fill_numbers(a, "%d%% of %d", (const long long[]){40, 12}, 2), "40% of 12");
    assert_string_equal(text_fill_numbers(a, "100%%", two, 2), "100%");
    assert_string_equal(text_fill_numbers(a, "%%d", two, 2), "%d");
    /* a lone % and other conversions are text, never a printf format */
    assert_string_equal(text_fill_numbers(a, "100%", two, 2), "100%");
    assert_string_equal(text_fill_numbers(a, "%s %x %n %d", (const long long[]){7}, 1), "%s %x %n 7");
    assert_string_equal(text_fill_numbers(a, "no numbers", two, 2), "no numbers");
    assert_string_equal(text_fill_numbers(a, "", two, 2), "");
    assert_string_equal(text_fill_numbers(a, NULL, two, 2), "");
    assert_string_equal(text_fill_numbers(a, "%d..%d", (const long long[]){-5, 9223372036854775807LL}, 2),
                        "-5..9223372036854775807");
    assert_string_equal(text_fill_numbers(a, "أدخل عددًا بين %d و%d.", (const long long[]){1, 500}, 2),
                        "أدخل عددًا بين 1 و500.");

    static const char *const who[] = {"Fatima", "Dar Amal"};
    assert_string_equal(text_fill_strings(a, "%s was given a role at %s.", who, 2),
                        "Fatima was given a role at Dar Amal.");
    assert_string_equal(text_fill_strings(a, "%s, %s, %s", who, 2), "Fatima, Dar Amal, ");
    assert_string_equal(text_fill_strings(a, "%s", (const char *const[]){NULL}, 1), ""); /* NULL prints nothing */
    assert_string_equal(text_fill_strings(a, "%s%%", who, 1), "Fatima%");
    assert_string_equal(text_fill_strings(a, "%d %s", who, 2), "%d Fatima"); /* only %s */
    /* a value is never read as a placeholder */
    assert_string_equal(text_fill_strings(a, "%s / %s", (const char *const[]){"%s %d %%", "x"}, 2),
                        "%s %d %% / x");
    assert_string_equal(text_fill_strings(a, "trailing %", who, 2), "trailing %");
    arena_free(a);
}

static char *temp_file(const char *data, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xasprintf("%s/jouda-test-core-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_file_read_all(void **state)
{
    (void)state;
    char *data = (char *)"x";
    size_t len = 99;

    /* bytes as they are, NUL-terminated, NUL bytes inside included */
    char *p = temp_file("a\0b\xFF", 4);
    assert_int_equal(file_read_all(p, 4, &data, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "a\0b\xFF", 5);
    free(data);
    /* exactly max bytes is allowed, one more is not: EFBIG, nothing returned */
    errno = 0;
    assert_int_equal(file_read_all(p, 3, &data, &len), -1);
    assert_int_equal(errno, EFBIG);
    assert_null(data);
    assert_int_equal(len, 0);
    unlink(p);
    free(p);

    /* an empty file is an empty string to free */
    p = temp_file("", 0);
    assert_int_equal(file_read_all(p, 0, &data, &len), 0);
    assert_int_equal(len, 0);
    assert_non_null(data);
    assert_string_equal(data, "");
    free(data);
    unlink(p);
    free(p);

    /* larger than one read: 100000 bytes, then the limit just below */
    char *big = xmalloc(100000);
    for (size_t i = 0; i < 100000; i++)
        big[i] = (char)('a' + i % 23);
    p = temp_file(big, 100000);
    assert_int_equal(file_read_all(p, 100000, &data, &len), 0);
    assert_int_equal(len, 100000);
    assert_memory_equal(data, big, 100000);
    assert_int_equal(data[100000], '\0');
    free(data);
    errno = 0;
    assert_int_equal(file_read_all(p, 99999, &data, &len), -1);
    assert_int_equal(errno, EFBIG);
    assert_null(data);
    errno = 0;
    assert_int_equal(file_read_all(p, 16384, &data, &len), -1); /* exceeded after the first read */
    assert_int_equal(errno, EFBIG);
    assert_null(data);
    assert_int_equal(file_read_all(p, 0, &data, &len), -1);
    assert_int_equal(errno, EFBIG);
    unlink(p);
    free(p);
    free(big);

    /* a file that is not there: the error of open */
    errno = 0;
    assert_int_equal(file_read_all("/nonexistent-jouda-dir/none.txt", 100, &data, &len), -1);
    assert_int_equal(errno, ENOENT);
    assert_null(data);
    assert_int_equal(len, 0);
}

/* --- time ------------------------------------------------------------------- */

static void set_casablanca(void)
{
    setenv("TZ", "Africa/Casablanca", 1);
    tzset();
}

static void test_time_now(void **state)
{
    (void)state;
    int64_t t = now_utc();
    assert_true(t > 1704067200); /* after 2024-01-01 */
    assert_true(t - (int64_t)time(NULL) <= 1 && (int64_t)time(NULL) - t <= 1);
    int64_t m1 = now_ms_monotonic();
    usleep(20000);
    int64_t m2 = now_ms_monotonic();
    assert_true(m2 - m1 >= 15);
    assert_true(m2 - m1 < 5000);
}

/* t is shown in Casablanca as datetime, and as date (unless NULL) */
static void shows(int64_t t, const char *datetime, const char *date)
{
    char out[64];
    format_local_datetime(t, out, sizeof out);
    assert_string_equal(out, datetime);
    if (date) {
        format_local_date(t, out, sizeof out);
        assert_string_equal(out, date);
    }
}

static void test_format_local(void **state)
{
    (void)state;
    set_casablanca();
    char out[64];
    /* 2026-01-15 12:00 UTC: UTC+1 outside Ramadan */
    shows(1768478400, "15/01/2026 13:00", "15/01/2026");
    /* 2026-12-31 23:30 UTC is already the next year in Casablanca */
    shows(1798759800, "01/01/2027 00:30", "01/01/2027");
    /* 2026-07-01 12:00 UTC, single-digit day and month are zero-padded */
    shows(1782907200, "01/07/2026 13:00", NULL);
    /* one second before midnight local: still the same day */
    shows(1798757999, "31/12/2026 23:59", "31/12/2026");
    /* the epoch (Morocco was on UTC then) */
    shows(0, "01/01/1970 00:00", NULL);
    /* During Ramadan Moroccan clocks go back to UTC+0; the tz database
     * knows it (2026-03-01 12:00 UTC shows 12:00). */
    shows(1772366400, "01/03/2026 12:00", NULL);

    /* the shape is always dd/mm/yyyy[ hh:mm] */
    for (int64_t t = 0; t < 4102444800; t += 86400 * 37 + 3607) {
        format_local_datetime(t, out, sizeof out);
        assert_int_equal(strlen(out), 16);
        assert_true(out[2] == '/' && out[5] == '/' && out[10] == ' ' && out[13] == ':');
        format_local_date(t, out, sizeof out);
        assert_int_equal(strlen(out), 10);
        int d, m, y;
        assert_int_equal(sscanf(out, "%2d/%2d/%4d", &d, &m, &y), 3);
        assert_true(d >= 1 && d <= 31 && m >= 1 && m <= 12 && y >= 1970 && y <= 2100);
    }
}

/* --- logging ---------------------------------------------------------------- */

static void test_log_format(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/jouda-test-core-log-%d", (int)getpid());
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    assert_true(dup2(fileno(f), 2) >= 0);
    log_info("started on port %d", 8080);
    log_error("database: %s", "cannot open");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(f, 0, SEEK_SET);
    char l1[256] = "", l2[256] = "";
    assert_non_null(fgets(l1, sizeof l1, f));
    assert_non_null(fgets(l2, sizeof l2, f));
    fclose(f);
    unlink(path);
    /* "2026-05-01T10:00:00Z info started on port 8080\n" */
    assert_int_equal(strlen(l1), 21 + strlen("info started on port 8080\n"));
    assert_true(l1[4] == '-' && l1[7] == '-' && l1[10] == 'T' && l1[19] == 'Z' && l1[20] == ' ');
    assert_string_equal(l1 + 21, "info started on port 8080\n");
    assert_string_equal(l2 + 21, "error database: cannot open\n");
}


/* A day typed by a person: its first and last second in Casablanca, the
 * Ramadan hour included (UTC+0 then, UTC+1 otherwise). */
static void test_parse_local_date(void **state)
{
    (void)state;
    setenv("TZ", "Africa/Casablanca", 1);
    tzset();
    int64_t a = 0, b = 0, c = 0;
    char when[32];
    assert_int_equal(parse_local_date("31/12/2026", &a, &b), 0);
    assert_int_equal(a, 1798671600); /* 2026-12-30T23:00:00Z */
    assert_int_equal(b, a + 86399);
    assert_int_equal(parse_local_date(" 2026-12-31 ", &c, NULL), 0);
    assert_int_equal(c, a);
    format_local_datetime(a, when, sizeof when);
    assert_string_equal(when, "31/12/2026 00:00");
    format_local_datetime(b, when, sizeof when);
    assert_string_equal(when, "31/12/2026 23:59");
    /* a day of Ramadan 1448 (Morocco on UTC+0) still starts at local midnight */
    assert_int_equal(parse_local_date("20/02/2027", &a, NULL), 0);
    format_local_datetime(a, when, sizeof when);
    assert_string_equal(when, "20/02/2027 00:00");
    assert_int_equal(parse_local_date("1/2/2027", &a, NULL), 0);
    format_local_date(a, when, sizeof when);
    assert_string_equal(when, "01/02/2027");
    assert_int_equal(parse_local_date("29/02/2028", NULL, NULL), 0);
    static const char *const bad[] = {"29/02/2027", "31/04/2027", "32/01/2027", "00/01/2027",
                                      "01/13/2027", "2027-1-1x", "31-12-2026", "12/2026", "",
                                      "1/1/1969", "1/1/10000", "a/b/cdef"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_local_date(bad[i], &a, &b), -1);
    assert_int_equal(parse_local_date(NULL, &a, &b), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_many_small),
        cmocka_unit_test(test_arena_large),
        cmocka_unit_test(test_arena_zero_size_and_strings),
        cmocka_unit_test(test_arena_printf),
        cmocka_unit_test(test_arena_defer),
        cmocka_unit_test(test_vec_growth),
        cmocka_unit_test(test_x_helpers),
        cmocka_unit_test(test_buf_append_growth),
        cmocka_unit_test(test_buf_putc_boundary),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_utf8_valid_accepts),
        cmocka_unit_test(test_utf8_valid_refuses),
        cmocka_unit_test(test_utf8_count),
        cmocka_unit_test(test_str_has_control),
        cmocka_unit_test(test_str_eq_empty),
        cmocka_unit_test(test_str_trim),
        cmocka_unit_test(test_str_to_i64),
        cmocka_unit_test(test_str_in),
        cmocka_unit_test(test_str_natural_cmp),
        cmocka_unit_test(test_id_parse),
        cmocka_unit_test(test_text_fill),
        cmocka_unit_test(test_file_read_all),
        cmocka_unit_test(test_time_now),
        cmocka_unit_test(test_format_local),
        cmocka_unit_test(test_parse_local_date),
        cmocka_unit_test(test_log_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
