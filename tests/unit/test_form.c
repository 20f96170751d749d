/* test_form.c - the body and header parsers: percent decoding,
 * application/x-www-form-urlencoded, multipart/form-data (fields, binary
 * files containing CRLF and boundary look-alikes, quoted boundaries,
 * filename*, malformed bodies) and the Cookie header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static int setup(void **state)
{
    *state = arena_new();
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static int count(const http_kv_t *kv)
{
    int n = 0;
    for (; kv; kv = kv->next)
        n++;
    return n;
}

/* --- url decode --------------------------------------------------------- */

static void test_url_decode(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(http_url_decode(out, "a%20b+c", 7, true), 5);
    assert_string_equal(out, "a b c");
    assert_int_equal(http_url_decode(out, "a%20b+c", 7, false), 5);
    assert_string_equal(out, "a b+c");
    assert_int_equal(http_url_decode(out, "%C3%A9%c3%a9", 12, false), 4);
    assert_string_equal(out, "\xc3\xa9\xc3\xa9");
    assert_int_equal(http_url_decode(out, "", 0, true), 0);
    assert_string_equal(out, "");
    assert_int_equal(http_url_decode(out, "%00x", 4, true), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 'x');
    assert_int_equal(http_url_decode(out, "%", 1, true), -1);
    assert_int_equal(http_url_decode(out, "%4", 2, true), -1);
    assert_int_equal(http_url_decode(out, "ab%4", 4, true), -1);
    assert_int_equal(http_url_decode(out, "%zz", 3, true), -1);
    assert_int_equal(http_url_decode(out, "%4g", 3, true), -1);
    /* the length bounds the input: "%41" cut after "%4" is malformed */
    assert_int_equal(http_url_decode(out, "%41", 2, true), -1);
    assert_int_equal(http_url_decode(out, "%41%42", 3, true), 1);
    assert_string_equal(out, "A");
}

/* --- urlencoded ---------------------------------------------------------- */

static http_kv_t *ue(arena_t *a, const char *s, int expect_rc)
{
    http_kv_t *kv = (http_kv_t *)0x1;
    int rc = http_parse_urlencoded(a, s, strlen(s), &kv);
    assert_int_equal(rc, expect_rc);
    return rc == 0 ? kv : NULL;
}

static void test_urlencoded(void **state)
{
    arena_t *a = *state;
    http_kv_t *kv = ue(a, "", 0);
    assert_null(kv);

    kv = ue(a, "a", 0);
    assert_int_equal(count(kv), 1);
    assert_string_equal(kv->key, "a");
    assert_string_equal(kv->val, "");
    assert_int_equal(kv->val_len, 0);

    kv = ue(a, "a=", 0);
    assert_int_equal(count(kv), 1);
    assert_string_equal(http_kv_get(kv, "a"), "");

    kv = ue(a, "=b", 0); /* a value without a name is dropped */
    assert_int_equal(count(kv), 0);

    kv = ue(a, "name=Ahmed+El%20Idrissi&city=F%C3%A8s&&empty=&x=1%2B1", 0);
    assert_int_equal(count(kv), 4);
    assert_string_equal(http_kv_get(kv, "name"), "Ahmed El Idrissi");
    assert_string_equal(http_kv_get(kv, "city"), "F\xc3\xa8s");
    assert_string_equal(http_kv_get(kv, "empty"), "");
    assert_string_equal(http_kv_get(kv, "x"), "1+1");
    assert_null(http_kv_get(kv, "missing"));

    kv = ue(a, "a%3Db=c%26d", 0);
    assert_string_equal(kv->key, "a=b");
    assert_string_equal(kv->val, "c&d");

    /* %00 is kept, with its length */
    kv = ue(a, "k=a%00b", 0);
    assert_int_equal(kv->val_len, 3);
    assert_memory_equal(kv->val, "a\0b", 4);

    /* repeated keys: first by get, all in order */
    kv = ue(a, "r=1&r=2&s=x&r=3", 0);
    assert_string_equal(http_kv_get(kv, "r"), "1");
    const char *vals[2];
    assert_int_equal(http_kv_all(kv, "r", vals, 2), 3);
    assert_string_equal(vals[0], "1");
    assert_string_equal(vals[1], "2");
    assert_string_equal(kv->next->next->next->val, "3");

    ue(a, "a=%zz", -1);
    ue(a, "a=%4", -1);
    ue(a, "%=1", -1);
    ue(a, "a=1&b=%", -1);
}

static void test_urlencoded_limit(void **state)
{
    arena_t *a = *state;
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%sf%d=%d", i ? "&" : "", i, i);
    http_kv_t *kv;
    assert_int_equal(http_parse_urlencoded(a, b.data, b.len, &kv), 0);
    assert_int_equal(count(kv), 1000);
    buf_puts(&b, "&one=more");
    assert_int_equal(http_parse_urlencoded(a, b.data, b.len, &kv), -1);
    buf_free(&b);
}

/* --- multipart ----------------------------------------------------------- */

static const char bin[] = "\x00\x01\r\n--XyZ\r\nnot a boundary\r\n\r\n\xff\xfe--\r\n";
#define BIN_LEN (sizeof bin - 1)

static void build_body(buf_t *b, const char *boundary)
{
    buf_printf(b, "preamble to ignore\r\n--%s\r\n", boundary);
    buf_puts(b, "Content-Disposition: form-data; name=\"title\"\r\n\r\n");
    buf_puts(b, "Projet d'\xc3\xa9tablissement");
    buf_printf(b, "\r\n--%s\r\n", boundary);
    buf_puts(b, "content-disposition: form-data; name=note\r\n\r\n");
    buf_puts(b, "line1\r\nline2");
    buf_printf(b, "\r\n--%s\r\n", boundary);
    buf_puts(b, "Content-Disposition: form-data; name=\"doc\"; filename=\"rapport.bin\"\r\n");
    buf_puts(b, "Content-Type: application/octet-stream\r\n\r\n");
    buf_append(b, bin, BIN_LEN);
    buf_printf(b, "\r\n--%s--\r\nepilogue to ignore", boundary);
}

static void test_multipart(void **state)
{
    arena_t *a = *state;
    buf_t b;
    buf_init(&b);
    build_body(&b, "XyZ0123");
    http_kv_t *fields;
    http_file_t *files;
    assert_int_equal(http_parse_multipart(a, "multipart/form-data; boundary=XyZ0123", b.data,
                                          b.len, &fields, &files),
                     0);
    assert_int_equal(count(fields), 2);
    assert_string_equal(http_kv_get(fields, "title"), "Projet d'\xc3\xa9tablissement");
    assert_string_equal(http_kv_get(fields, "note"), "line1\r\nline2");
    assert_non_null(files);
    assert_null(files->next);
    assert_string_equal(files->field, "doc");
    assert_string_equal(files->filename, "rapport.bin");
    assert_string_equal(files->content_type, "application/octet-stream");
    assert_int_equal(files->len, BIN_LEN);
    assert_memory_equal(files->data, bin, BIN_LEN);
    assert_int_equal(files->data[files->len], '\0');
    buf_free(&b);
}

static void test_multipart_quoted_boundary(void **state)
{
    arena_t *a = *state;
    buf_t b;
    buf_init(&b);
    const char *boundary = "----WebKit Form:Boundary'7MA4YWxk";
    build_body(&b, boundary);
    http_kv_t *fields;
    http_file_t *files;
    assert_int_equal(
        http_parse_multipart(a, "Multipart/Form-Data;charset=utf-8; BOUNDARY=\"----WebKit Form:Boundary'7MA4YWxk\"",
                             b.data, b.len, &fields, &files),
        0);
    assert_int_equal(count(fields), 2);
    assert_non_null(files);
    assert_memory_equal(files->data, bin, BIN_LEN);
    /* the boundary as a token (no quotes) cannot contain a space */
    assert_int_equal(http_parse_multipart(a, "multipart/form-data; boundary=----WebKit Form:Boundary'7MA4YWxk",
                                          b.data, b.len, &fields, &files),
                     -1);
    buf_free(&b);
}

static int mp(arena_t *a, const char *body, http_kv_t **fields, http_file_t **files)
{
    return http_parse_multipart(a, "multipart/form-data; boundary=b", body, strlen(body), fields,
                                files);
}

static void test_multipart_malformed(void **state)
{
    arena_t *a = *state;
    http_kv_t *f;
    http_file_t *fi;
    /* missing end */
    assert_int_equal(mp(a, "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", &f, &fi), -1);
    assert_int_equal(mp(a, "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\n", &f, &fi), -1);
    /* no boundary at all */
    assert_int_equal(mp(a, "hello", &f, &fi), -1);
    assert_int_equal(mp(a, "", &f, &fi), -1);
    /* no name / no disposition / unterminated quote / no blank line */
    assert_int_equal(mp(a, "--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--", &f, &fi), -1);
    assert_int_equal(mp(a, "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--", &f, &fi), -1);
    assert_int_equal(mp(a, "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--b--", &f, &fi), -1);
    assert_int_equal(mp(a, "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n1\r\n--b--", &f, &fi), -1);
    /* garbage after a delimiter */
    assert_int_equal(mp(a, "--bx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--", &f, &fi), -1);
    /* wrong media type, missing or too long boundary */
    const char *ok = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
    assert_int_equal(http_parse_multipart(a, "multipart/mixed; boundary=b", ok, strlen(ok), &f, &fi), -1);
    assert_int_equal(http_parse_multipart(a, "multipart/form-data", ok, strlen(ok), &f, &fi), -1);
    assert_int_equal(http_parse_multipart(a, NULL, ok, strlen(ok), &f, &fi), -1);
    char ct[200];
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%071d", 0);
    assert_int_equal(http_parse_multipart(a, ct, ok, strlen(ok), &f, &fi), -1);
    /* and the well-formed one, as a control */
    assert_int_equal(http_parse_multipart(a, "multipart/form-data; boundary=b", ok, strlen(ok), &f, &fi), 0);
    assert_string_equal(http_kv_get(f, "a"), "1");
    assert_null(fi);
    /* closing delimiter right away: no parts */
    assert_int_equal(mp(a, "--b--", &f, &fi), 0);
    assert_null(f);
    /* no headers at all in a part */
    assert_int_equal(mp(a, "--b\r\n\r\n1\r\n--b--", &f, &fi), -1);
}

static void test_multipart_filenames(void **state)
{
    arena_t *a = *state;
    http_kv_t *f;
    http_file_t *fi;
    const char *body =
        "--b\r\n"
        "Content-Disposition: form-data; name=\"up\"; filename=\"fallback.txt\"; filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1%20v2.pdf\r\n"
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF\r\n"
        "--b\r\n"
        "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
        "\r\n"
        "--b\r\n"
        "Content-Disposition: form-data; name=\"q\"; filename=\"a \\\"quoted\\\" name.txt\"\r\n\r\n"
        "x\r\n"
        "--b--\r\n";
    assert_int_equal(mp(a, body, &f, &fi), 0);
    assert_null(f);
    assert_non_null(fi);
    assert_string_equal(fi->field, "up");
    assert_string_equal(fi->filename, "\xd8\xaa\xd9\x82\xd8\xb1\xd9\x8a\xd8\xb1 v2.pdf");
    assert_string_equal(fi->content_type, "application/pdf");
    assert_int_equal(fi->len, 4);
    assert_memory_equal(fi->data, "%PDF", 4);
    /* the empty file input is no file */
    assert_non_null(fi->next);
    assert_string_equal(fi->next->field, "q");
    assert_string_equal(fi->next->filename, "a \"quoted\" name.txt");
    assert_string_equal(fi->next->content_type, "application/octet-stream");
    assert_null(fi->next->next);
}

static void test_multipart_part_limit(void **state)
{
    arena_t *a = *state;
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
    buf_puts(&b, "--b--");
    http_kv_t *f;
    http_file_t *fi;
    assert_int_equal(mp(a, b.data, &f, &fi), 0);
    assert_int_equal(count(f), 100);
    buf_reset(&b);
    for (int i = 0; i < 101; i++)
        buf_printf(&b, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
    buf_puts(&b, "--b--");
    assert_int_equal(mp(a, b.data, &f, &fi), -1);
    buf_free(&b);
}

/* --- cookies ------------------------------------------------------------- */

static void test_cookies(void **state)
{
    arena_t *a = *state;
    http_kv_t *c = (http_kv_t *)0x1;
    assert_int_equal(http_parse_cookies(a, "", &c), 0);
    assert_null(c);
    assert_int_equal(http_parse_cookies(a, NULL, &c), 0);
    assert_null(c);

    assert_int_equal(http_parse_cookies(a, "a=b; c=d", &c), 0);
    assert_int_equal(count(c), 2);
    assert_string_equal(http_kv_get(c, "a"), "b");
    assert_string_equal(http_kv_get(c, "c"), "d");

    assert_int_equal(
        http_parse_cookies(a, "  sid = abc123 ;;junk; =novalue; bad name=1; q=\"quoted\";e=;last=x=y  ", &c), 0);
    assert_string_equal(http_kv_get(c, "sid"), "abc123");
    assert_string_equal(http_kv_get(c, "q"), "quoted");
    assert_string_equal(http_kv_get(c, "e"), "");
    assert_string_equal(http_kv_get(c, "last"), "x=y");
    assert_null(http_kv_get(c, "junk"));
    assert_null(http_kv_get(c, "bad name"));
    assert_int_equal(count(c), 4);

    /* the first of two same-named cookies wins */
    assert_int_equal(http_parse_cookies(a, "s=1; s=2", &c), 0);
    assert_string_equal(http_kv_get(c, "s"), "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_url_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urlencoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urlencoded_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_quoted_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_filenames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_part_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cookies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
